"""invonetwork: the Python server SDK for the INVO network.

Construct one :class:`InvoServer` with your game secret and share it::

    from invonetwork import InvoServer

    invo = InvoServer("ivsdk_test_...")          # sandbox, chosen from the key prefix
    token = invo.mint_player_token(player_email="player@example.com")

Verify webhooks with :func:`verify_webhook` (``invonetwork.webhooks`` works without the HTTP
stack). Every failure is an :class:`InvoError`.

Names are loaded on first use, so ``import invonetwork`` (and a webhook-only service that
never touches :class:`InvoServer`) does not pay for importing ``requests``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import InvoServer
    from ._hooks import ErrorInfo, Hooks, RequestInfo, ResponseInfo
    from ._results import (
        ClaimResult,
        ConfirmPaymentResult,
        CreateCheckoutResult,
        CurrencyBalance,
        DestinationGame,
        DestinationsResult,
        GuardianApprovalStatusResult,
        InboundPendingItem,
        InboundPendingResult,
        InitiateResult,
        ItemHistoryResult,
        LinkedIdentitiesResult,
        LinkedIdentityEmail,
        OrderDetailsResult,
        PhoneShareApproveResult,
        PhoneShareInitiateResult,
        PhoneShareStatusResult,
        PlayerBalanceResult,
        PlayerToken,
        PurchaseItemResult,
        PurchaseResult,
        RotateSecretResult,
        SmsVerifyResult,
        TransactionStatusResult,
        WebhookEndpointResult,
    )
    from ._telemetry import Telemetry
    from ._version import __version__
    from .errors import (
        APIError,
        AuthenticationError,
        BadRequestError,
        ConflictError,
        DuplicateRequestError,
        GoneError,
        InsufficientBalanceError,
        InvalidInputError,
        InvalidResponseError,
        InvoError,
        NetworkError,
        NotFoundError,
        PermissionDeniedError,
        PhoneShareApprovalRequiredError,
        RateLimitError,
        RequestTimeoutError,
        ServerError,
        UnexpectedRedirectError,
        WebhookVerificationError,
    )
    from .webhooks import (
        EventType,
        IdempotencyStore,
        InMemoryIdempotencyStore,
        ItemPurchasedData,
        PurchaseCompletedData,
        SQLiteIdempotencyStore,
        WebhookEvent,
        WebhookReply,
        decompress_webhook_body,
        deduplicate,
        receive_webhook,
        verify_webhook,
        verify_webhook_signature,
    )

_ERRORS = (
    "APIError AuthenticationError BadRequestError ConflictError DuplicateRequestError "
    "GoneError InsufficientBalanceError InvalidInputError InvalidResponseError InvoError "
    "NetworkError NotFoundError PermissionDeniedError PhoneShareApprovalRequiredError "
    "RateLimitError RequestTimeoutError ServerError UnexpectedRedirectError "
    "WebhookVerificationError"
)
_RESULTS = (
    "ClaimResult ConfirmPaymentResult CreateCheckoutResult CurrencyBalance DestinationGame "
    "DestinationsResult GuardianApprovalStatusResult InboundPendingItem InboundPendingResult "
    "InitiateResult ItemHistoryResult LinkedIdentitiesResult LinkedIdentityEmail "
    "OrderDetailsResult PhoneShareApproveResult PhoneShareInitiateResult PhoneShareStatusResult "
    "PlayerBalanceResult PlayerToken PurchaseItemResult PurchaseResult RotateSecretResult "
    "SmsVerifyResult TransactionStatusResult WebhookEndpointResult"
)
_WEBHOOKS = (
    "EventType IdempotencyStore InMemoryIdempotencyStore ItemPurchasedData "
    "PurchaseCompletedData SQLiteIdempotencyStore WebhookEvent decompress_webhook_body "
    "deduplicate verify_webhook verify_webhook_signature receive_webhook WebhookReply"
)

# public name -> module that defines it (imported on first access)
_WHERE: dict[str, str] = {
    "__version__": "._version",  # reading package metadata costs ~25 ms: only when asked
    "InvoServer": "._client",
    "Telemetry": "._telemetry",
    **{name: "._hooks" for name in ("ErrorInfo", "Hooks", "RequestInfo", "ResponseInfo")},
    **{name: ".errors" for name in _ERRORS.split()},
    **{name: "._results" for name in _RESULTS.split()},
    **{name: ".webhooks" for name in _WEBHOOKS.split()},
}

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClaimResult",
    "ConfirmPaymentResult",
    "ConflictError",
    "CreateCheckoutResult",
    "CurrencyBalance",
    "DestinationGame",
    "DestinationsResult",
    "DuplicateRequestError",
    "ErrorInfo",
    "EventType",
    "GoneError",
    "GuardianApprovalStatusResult",
    "Hooks",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "InboundPendingItem",
    "InboundPendingResult",
    "InitiateResult",
    "InsufficientBalanceError",
    "InvalidInputError",
    "InvalidResponseError",
    "InvoError",
    "InvoServer",
    "ItemHistoryResult",
    "ItemPurchasedData",
    "LinkedIdentitiesResult",
    "LinkedIdentityEmail",
    "NetworkError",
    "NotFoundError",
    "OrderDetailsResult",
    "PermissionDeniedError",
    "PhoneShareApprovalRequiredError",
    "PhoneShareApproveResult",
    "PhoneShareInitiateResult",
    "PhoneShareStatusResult",
    "PlayerBalanceResult",
    "PlayerToken",
    "PurchaseCompletedData",
    "PurchaseItemResult",
    "PurchaseResult",
    "RateLimitError",
    "RequestInfo",
    "RequestTimeoutError",
    "ResponseInfo",
    "RotateSecretResult",
    "SQLiteIdempotencyStore",
    "ServerError",
    "SmsVerifyResult",
    "Telemetry",
    "TransactionStatusResult",
    "UnexpectedRedirectError",
    "WebhookEndpointResult",
    "WebhookEvent",
    "WebhookReply",
    "WebhookVerificationError",
    "__version__",
    "decompress_webhook_body",
    "deduplicate",
    "receive_webhook",
    "verify_webhook",
    "verify_webhook_signature",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'invonetwork' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
