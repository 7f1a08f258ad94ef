"""Every INVO endpoint the SDK calls, as data: the one table a new endpoint is added to.

A :class:`Route` says everything the wire needs: the HTTP method, the path template, whether
the call may be retried, how it authenticates, where each argument goes (path, query, body or
the ``Authorization`` header, and under which wire key), which statuses are a success, and
the result it is read into. :func:`build_request` turns a route and the checked arguments into
the URL and the JSON body; ``InvoServer`` methods only check the rules specific to them.

``idempotent=True`` means the transport may send the request again after a failure the retry
policy allows (``_retry``). A route marked ``False`` is sent exactly once whatever happens: a
timeout can land while INVO is half-way through, and a second attempt could charge, claim or
burn a verification attempt twice.

The sandbox registers its handlers against these same objects (``ALL_ROUTES``), so a client
route without an emulator handler fails a test.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Generic, Optional, TypeVar
from urllib.parse import quote, urlencode

from . import _results as results
from ._validation import invalid

__all__ = ["ALL_ROUTES", "Arg", "Auth", "Route", "WireRequest", "build_request"]

R = TypeVar("R")


class Auth(Enum):
    """How a route authenticates."""

    # (names of auth kinds, not credentials)
    GAME_SECRET = "game_secret"  # noqa: S105 - X-Game-Secret-Key: the game's backend
    NONE = "none"  # no credential: the phone's owner drives the call, the backend relays
    PLAYER_TOKEN = "player_token"  # noqa: S105 - Authorization: Bearer <player token>, never the secret
    SESSION_TOKEN = "session_token"  # noqa: S105 - Bearer <checkout session token>
    SANDBOX_CLOCK = "sandbox_clock"  # the game secret plus X-Sandbox-Clock-Key


class At(Enum):
    """Where an argument goes on the wire."""

    PATH = "path"
    QUERY = "query"
    BODY = "body"
    CREDENTIAL = "credential"  # the token or key of a route whose auth needs one


@dataclass(frozen=True)
class Arg:
    """One argument: its Python name, where it goes, and its wire key (default: the name).

    A query value of ``None`` is left out, and so is an ``optional`` body value; a required
    body value goes as given (``None`` as ``null``: INVO judges it). A path value is required.
    """

    name: str
    at: At
    key: str = ""
    optional: bool = False  # a body value of None is left out rather than sent as null

    @property
    def wire_key(self) -> str:
        """The key on the wire."""
        return self.key or self.name


def path(*names: str) -> tuple[Arg, ...]:
    """Path arguments, by name."""
    return tuple(Arg(name, At.PATH) for name in names)


def query(*names: str) -> tuple[Arg, ...]:
    """Query-string arguments, in the order they are encoded (``None`` is left out)."""
    return tuple(Arg(name, At.QUERY, optional=True) for name in names)


def body(*names: str, optional: tuple[str, ...] = ()) -> tuple[Arg, ...]:
    """JSON body keys, in the order they are written: the required, then the ``optional``."""
    return tuple(Arg(name, At.BODY) for name in names) + tuple(
        Arg(name, At.BODY, optional=True) for name in optional
    )


SUCCESS_2XX: tuple[int, ...] = tuple(range(200, 300))


@dataclass(frozen=True)
class Route(Generic[R]):
    """One endpoint: method, path template, retry eligibility, auth, arguments, result."""

    method: str
    path: str
    idempotent: bool
    result: Optional[type[R]] = None
    args: tuple[Arg, ...] = ()
    auth: Auth = Auth.GAME_SECRET
    success: tuple[int, ...] = SUCCESS_2XX
    management: bool = False  # served by the webhook management host
    result_fallbacks: tuple[tuple[str, Any], ...] = ()  # field -> value when the answer is empty

    @property
    def authenticated(self) -> bool:
        """Whether the request carries the game secret."""
        return self.auth in (Auth.GAME_SECRET, Auth.SANDBOX_CLOCK)


@dataclass(frozen=True)
class WireRequest:
    """What :func:`build_request` makes of a call: path with query, JSON body, credential."""

    target: str
    body: Optional[dict[str, Any]]
    credential: Optional[str] = None


def _segment(name: str, value: object) -> str:
    """``value`` quoted with no safe characters, as one path segment.

    ``quote`` leaves ``.`` alone and requests decodes ``%2E`` back, so an id of ``.`` or
    ``..`` would be a dot segment that URL normalisation removes: the call (with the game
    secret) would reach another endpoint. No real id is spelled that way: refuse it.
    """
    text = str(value)
    if text in (".", ".."):
        raise invalid(f"{name} must not be {text!r} (it would address another endpoint)")
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
        raise invalid(f"{name} is not encodable as UTF-8") from None


def build_request(route: Route[Any], values: Mapping[str, Any]) -> WireRequest:
    """Place each checked argument where ``route`` says; ``None`` query/body values are left out.

    Raises ``InvalidInputError`` for a path id that would address another endpoint and for
    text that cannot be encoded; nothing has been sent at that point.
    """
    segments: dict[str, str] = {}
    params: list[tuple[str, Any]] = []
    payload: Optional[dict[str, Any]] = None
    credential: Optional[str] = None
    for arg in route.args:
        value = values.get(arg.name)
        if arg.at is At.BODY:
            payload = {} if payload is None else payload
            if value is not None or not arg.optional:
                payload[arg.wire_key] = value
        elif value is None:
            continue
        elif arg.at is At.PATH:
            segments[arg.wire_key] = _segment(arg.name, value)
        elif arg.at is At.QUERY:
            params.append((arg.wire_key, value))
        else:
            credential = str(value)
    target = route.path.format(**segments) if segments else route.path
    if params:
        try:
            target = f"{target}?{urlencode(params)}"
        except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
            raise invalid("a query argument is not encodable as UTF-8") from None
    return WireRequest(target, payload, credential)


# -- part 1: tokens, purchases, reads ----------------------------------------------------------
MINT_PLAYER_TOKEN = Route(
    "POST", "/api/sdk/player-token", idempotent=True, result=results.PlayerToken,
    args=body("player_email", optional=("player_phone", "player_name")),
)
INITIATE_SEND = Route(
    "POST", "/api/currency-sends/initiate-send", idempotent=True, result=results.InitiateResult,
    args=body("client_request_id", "sender_player_name", "sender_player_email",
              "sender_player_phone", "receiver_player_phone", "receiving_game_id", "amount",
              optional=("receiver_player_email",)),
)
INITIATE_TRANSFER = Route(
    "POST", "/api/transfers/initiate-transfer", idempotent=True, result=results.InitiateResult,
    args=body("client_request_id", "source_player_name", "source_player_email",
              "source_player_phone", "target_player_phone", "target_game_id", "amount",
              optional=("target_player_email",)),
)
# A retry after a lost answer would open a second session: sent once.
CREATE_CHECKOUT = Route(
    "POST", "/api/checkout/sessions", idempotent=False, result=results.CreateCheckoutResult,
    args=body("player_email", "usd_amount",
              optional=("rail", "success_url", "cancel_url", "metadata")),
)
PURCHASE_CURRENCY = Route(
    "POST", "/api/currency-purchases/purchase-currency", idempotent=True,
    result=results.PurchaseResult,
    args=body("player_email", "usd_amount", "purchase_reference",
              optional=("rail", "payment_method_id", "saved_card_id", "player_name",
                        "player_phone", "metadata", "acknowledged_total_usd", "country",
                        "subdivision")),
)
CONFIRM_PAYMENT = Route(
    "POST", "/api/currency-purchases/confirm-payment", idempotent=True,
    result=results.ConfirmPaymentResult, args=body("payment_intent_id", optional=("order_id",)),
)
ORDER_DETAILS = Route(
    "GET", "/api/currency-purchases/order-details", idempotent=True,
    result=results.OrderDetailsResult, args=query("order_id", "transaction_id"),
)
PURCHASE_ITEM = Route(
    "POST", "/api/item-purchases/purchase-item", idempotent=True, result=results.PurchaseItemResult,
    args=body("client_request_id", "player_email", "player_name", "item_id", "item_name",
              "item_quantity", "unit_price", "total_price",
              optional=("player_phone", "item_description", "item_category")),
)
ITEM_HISTORY = Route(
    "GET", "/api/item-purchases/player-purchase-history", idempotent=True,
    result=results.ItemHistoryResult, args=query("player_email", "limit", "offset"),
)
ITEM_ORDER_DETAILS = Route(
    "GET", "/api/item-purchases/order-details", idempotent=True, result=results.OrderDetailsResult,
    args=query("order_id", "transaction_id", "client_request_id"),
)
# Balances are read by email only: the current API has no by-id route.
BALANCE_BY_EMAIL = Route(
    "GET", "/api/player-balances/player/by-email/{player_email}", idempotent=True,
    result=results.PlayerBalanceResult, args=path("player_email"),
)
INBOUND_PENDING = Route(
    "GET", "/api/transfers/inbound-pending", idempotent=True, result=results.InboundPendingResult,
    args=query("player_email", "player_phone"),
)
LINKED_IDENTITIES = Route(
    "GET", "/api/wallet/identities", idempotent=True, result=results.LinkedIdentitiesResult,
    args=query("player_phone", "player_email"),
)

# -- part 2: completing sends and transfers ----------------------------------------------------
# PIN checks and claims count attempts or move money: sent once.
VERIFY_SMS_TRANSFER = Route(
    "POST", "/api/transfers/verify-sms", idempotent=False, result=results.SmsVerifyResult,
    args=body("transaction_id", "sms_pin"),
)
VERIFY_SMS_SEND = replace(VERIFY_SMS_TRANSFER, path="/api/currency-sends/verify-sms")
CLAIM_TRANSFER = Route(
    "POST", "/api/transfers/claim-transfer", idempotent=False, result=results.ClaimResult,
    args=body("claim_code", "target_player_name", "target_player_email", "target_player_phone",
              "target_currency_id", optional=("target_player_id",)),
)
CLAIM_CURRENCY = Route(
    "POST", "/api/currency-sends/claim-currency", idempotent=False, result=results.ClaimResult,
    args=body("claim_code", "receiver_player_name", "receiver_player_email",
              "receiver_player_phone", optional=("receiver_player_id",)),
)
TRANSFER_STATUS = Route(
    "GET", "/api/transfers/{transaction_id}/status", idempotent=True,
    result=results.TransactionStatusResult, args=path("transaction_id"),
)
SEND_STATUS = replace(TRANSFER_STATUS, path="/api/currency-sends/{transaction_id}/status")
GUARDIAN_APPROVAL_STATUS = Route(
    "GET", "/api/transactions/{transaction_id}/approval-status", idempotent=True,
    result=results.GuardianApprovalStatusResult, args=path("transaction_id"),
)
TRANSFER_DESTINATIONS = Route(
    "POST", "/api/transfers/available-destinations", idempotent=True,
    result=results.DestinationsResult, args=body("source_game_id"),
    result_fallbacks=(("direction", "transfer"),),
)
SEND_DESTINATIONS = replace(
    TRANSFER_DESTINATIONS, path="/api/currency-sends/available-destinations",
    result_fallbacks=(("direction", "send"),),
)
# The phone's owner drives these; the game's backend only relays them, without its secret.
PHONE_SHARE_INITIATE = Route(
    "POST", "/api/wallet/phone-share/initiate", idempotent=False, auth=Auth.NONE,
    result=results.PhoneShareInitiateResult, args=body("phone", "email"),
)
PHONE_SHARE_APPROVE = Route(
    "POST", "/api/wallet/phone-share/approve", idempotent=False, auth=Auth.NONE,
    result=results.PhoneShareApproveResult, args=body("approval_id", "otp"),
)
PHONE_SHARE_STATUS = Route(
    "GET", "/api/wallet/phone-share/status", idempotent=True, auth=Auth.NONE,
    result=results.PhoneShareStatusResult, args=query("phone", "email"),
)

# -- webhook endpoint management ---------------------------------------------------------------
# A PUT of the same endpoint twice leaves the same state, but the first answer is the only one
# that carries the signing secret: a retry after a lost answer would lose it. Send once.
REGISTER_WEBHOOK = Route(
    "PUT", "/api/dev/webhooks/games/{game_id}", idempotent=False, management=True,
    result=results.WebhookEndpointResult,
    args=path("game_id") + body("target_url", "subscribed_events"),
)
ROTATE_WEBHOOK_SECRET = Route(
    "POST", "/api/dev/webhooks/games/{game_id}/rotate-secret", idempotent=False,
    management=True, result=results.RotateSecretResult, args=path("game_id"),
)

#: Every route above, in one tuple: the sandbox registers a handler for each, and a test
#: fails when one is missing.
ALL_ROUTES: tuple[Route[Any], ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Route)
)

#: The ``InvoServer`` method behind each route: the operation name in telemetry.
OPERATIONS: dict[Route[Any], str] = {
    MINT_PLAYER_TOKEN: "mint_player_token",
    INITIATE_SEND: "initiate_send",
    INITIATE_TRANSFER: "initiate_transfer",
    CREATE_CHECKOUT: "create_checkout",
    PURCHASE_CURRENCY: "purchase_currency",
    CONFIRM_PAYMENT: "confirm_payment",
    ORDER_DETAILS: "get_order_details",
    PURCHASE_ITEM: "purchase_item",
    ITEM_HISTORY: "get_item_purchase_history",
    ITEM_ORDER_DETAILS: "get_item_order_details",
    BALANCE_BY_EMAIL: "get_player_balance",
    INBOUND_PENDING: "get_inbound_pending",
    LINKED_IDENTITIES: "get_linked_identities",
    VERIFY_SMS_TRANSFER: "verify_sms_transfer",
    VERIFY_SMS_SEND: "verify_sms_send",
    CLAIM_TRANSFER: "claim_transfer",
    CLAIM_CURRENCY: "claim_currency",
    TRANSFER_STATUS: "get_transfer_status",
    SEND_STATUS: "get_send_status",
    GUARDIAN_APPROVAL_STATUS: "get_guardian_approval_status",
    TRANSFER_DESTINATIONS: "get_destinations",
    SEND_DESTINATIONS: "get_destinations",
    PHONE_SHARE_INITIATE: "phone_share_initiate",
    PHONE_SHARE_APPROVE: "phone_share_approve",
    PHONE_SHARE_STATUS: "phone_share_status",
    REGISTER_WEBHOOK: "register_webhook_endpoint",
    ROTATE_WEBHOOK_SECRET: "rotate_webhook_secret",
}
