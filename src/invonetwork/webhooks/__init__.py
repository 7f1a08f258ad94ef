"""Receive INVO webhooks: verify, parse, and process each event once.

Standard library only: importing this package does not import ``requests`` or the HTTP
client, so a webhook-only service stays light.

::

    from invonetwork.webhooks import InMemoryIdempotencyStore, deduplicate, verify_webhook

    store = InMemoryIdempotencyStore()

    def receive(raw_body: bytes, headers: Mapping[str, str]) -> int:
        try:
            event = verify_webhook(
                raw_body,                                   # the RAW bytes, never parsed JSON
                headers.get("X-Invo-Signature"),
                [current_secret, previous_secret],          # during a rotation
                content_encoding=headers.get("Content-Encoding"),
            )
        except WebhookVerificationError:
            return 400
        with deduplicate(store, event.idempotency_key) as first:
            if first:
                handle(event)
        return 200

Or, in one call that does all of the above and says what to answer::

    reply = receive_webhook(raw_body, headers, [current_secret, previous_secret],
                            store=store, handler=handle)
    return reply.text, reply.status

See ``docs/webhooks.md`` for the receiver checklist, rotation, and the limits enforced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._events import (
    LEGACY_EVENT_TYPES,
    OPT_IN_EVENT_TYPES,
    BankAccount,
    DeviceApprovalApprovedData,
    EventData,
    EventType,
    IdentityPasskeyResetData,
    ItemFeeBreakdown,
    ItemPurchasedData,
    OtherEventData,
    PayeeStatusChangedData,
    PayoutStatusChangedData,
    PlatformCommerceDeclinedData,
    PlatformCommercePurchasedData,
    PlatformCommerceRefundedData,
    PlatformFeeBreakdown,
    PlayerPhoneChangedData,
    PurchaseCompletedData,
    PurchaseDisputedData,
    PurchaseRefundedData,
    RevenueShareAttribution,
    SubscriptionAuthenticationRequiredData,
    SubscriptionCanceledData,
    SubscriptionExpiredData,
    SubscriptionFunding,
    SubscriptionPastDueData,
    SubscriptionPaymentFailedData,
    SubscriptionRefund,
    SubscriptionRefundApprovedData,
    SubscriptionRefundedData,
    SubscriptionRefundRejectedData,
    SubscriptionRefundRequestedData,
    SubscriptionRenewedData,
    SubscriptionSplit,
    TransferClaimExpiredData,
    TransferClaimPendingData,
    TransferRefundedData,
    WebhookEvent,
)
from ._gzip import DEFAULT_MAX_BODY_BYTES, decompress_webhook_body
from ._verify import (
    DEFAULT_TOLERANCE_SECONDS,
    MAX_SIGNATURE_HEADER_LENGTH,
    MAX_SIGNATURES,
    verify_webhook,
    verify_webhook_signature,
)

if TYPE_CHECKING:
    from ._django import DjangoCacheIdempotencyStore
    from ._idempotency import (
        DEFAULT_LEASE_SECONDS,
        DEFAULT_RETENTION_SECONDS,
        ClaimStatus,
        IdempotencyStore,
        InMemoryIdempotencyStore,
        Lease,
        LeaseLostError,
        LeaseStore,
        SQLiteIdempotencyStore,
        current_lease,
        deduplicate,
        leased,
        new_token,
    )
    from ._postgres import PostgresIdempotencyStore
    from ._receive import WebhookReply, receive_webhook
    from ._redis import RedisIdempotencyStore
    from ._router import WebhookRouter

# name -> the private module that defines it. These load on first use: verify-only code
# skips them, and the optional integrations import their driver (redis, psycopg, Django)
# only when their store is first touched.
_LAZY = {
    **dict.fromkeys(
        (
            "DEFAULT_LEASE_SECONDS",
            "DEFAULT_RETENTION_SECONDS",
            "ClaimStatus",
            "IdempotencyStore",
            "InMemoryIdempotencyStore",
            "Lease",
            "LeaseLostError",
            "LeaseStore",
            "SQLiteIdempotencyStore",
            "current_lease",
            "deduplicate",
            "leased",
            "new_token",
        ),
        "_idempotency",
    ),
    "WebhookReply": "_receive",
    "receive_webhook": "_receive",
    "RedisIdempotencyStore": "_redis",
    "PostgresIdempotencyStore": "_postgres",
    "DjangoCacheIdempotencyStore": "_django",
    "WebhookRouter": "_router",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'invonetwork.webhooks' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_RETENTION_SECONDS",
    "DEFAULT_TOLERANCE_SECONDS",
    "LEGACY_EVENT_TYPES",
    "MAX_SIGNATURES",
    "MAX_SIGNATURE_HEADER_LENGTH",
    "OPT_IN_EVENT_TYPES",
    "BankAccount",
    "ClaimStatus",
    "DeviceApprovalApprovedData",
    "DjangoCacheIdempotencyStore",
    "EventData",
    "EventType",
    "IdempotencyStore",
    "IdentityPasskeyResetData",
    "InMemoryIdempotencyStore",
    "ItemFeeBreakdown",
    "ItemPurchasedData",
    "Lease",
    "LeaseLostError",
    "LeaseStore",
    "OtherEventData",
    "PayeeStatusChangedData",
    "PayoutStatusChangedData",
    "PlatformCommerceDeclinedData",
    "PlatformCommercePurchasedData",
    "PlatformCommerceRefundedData",
    "PlatformFeeBreakdown",
    "PlayerPhoneChangedData",
    "PostgresIdempotencyStore",
    "PurchaseCompletedData",
    "PurchaseDisputedData",
    "PurchaseRefundedData",
    "RedisIdempotencyStore",
    "RevenueShareAttribution",
    "SQLiteIdempotencyStore",
    "SubscriptionAuthenticationRequiredData",
    "SubscriptionCanceledData",
    "SubscriptionExpiredData",
    "SubscriptionFunding",
    "SubscriptionPastDueData",
    "SubscriptionPaymentFailedData",
    "SubscriptionRefund",
    "SubscriptionRefundApprovedData",
    "SubscriptionRefundRejectedData",
    "SubscriptionRefundRequestedData",
    "SubscriptionRefundedData",
    "SubscriptionRenewedData",
    "SubscriptionSplit",
    "TransferClaimExpiredData",
    "TransferClaimPendingData",
    "TransferRefundedData",
    "WebhookEvent",
    "WebhookReply",
    "WebhookRouter",
    "current_lease",
    "decompress_webhook_body",
    "deduplicate",
    "leased",
    "new_token",
    "receive_webhook",
    "verify_webhook",
    "verify_webhook_signature",
]
