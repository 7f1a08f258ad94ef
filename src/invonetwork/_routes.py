"""Every INVO endpoint the SDK calls, with its retry eligibility: the retry policy as data.

``idempotent=True`` means the transport may send the request again after a network error,
a timeout, or a 429/500/502/503/504. A route marked ``False`` is sent exactly once whatever
happens: a timeout can land while INVO is half-way through, and a second attempt could charge,
claim or burn a verification attempt twice. ``authenticated=False`` routes carry no game
secret at all (the phone's owner drives them; the game's backend only relays).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALL_ROUTES", "Route"]


@dataclass(frozen=True)
class Route:
    """One endpoint: HTTP method, path template, retry eligibility, whether it sends the secret."""

    method: str
    path: str
    idempotent: bool
    authenticated: bool = True


# -- part 1: tokens, purchases, reads ----------------------------------------------------------
MINT_PLAYER_TOKEN = Route("POST", "/api/sdk/player-token", idempotent=True)
INITIATE_SEND = Route("POST", "/api/currency-sends/initiate-send", idempotent=True)
INITIATE_TRANSFER = Route("POST", "/api/transfers/initiate-transfer", idempotent=True)
CREATE_CHECKOUT = Route("POST", "/api/checkout/sessions", idempotent=False)
PURCHASE_CURRENCY = Route(
    "POST", "/api/currency-purchases/purchase-currency", idempotent=True
)
CONFIRM_PAYMENT = Route("POST", "/api/currency-purchases/confirm-payment", idempotent=True)
ORDER_DETAILS = Route("GET", "/api/currency-purchases/order-details", idempotent=True)
PURCHASE_ITEM = Route("POST", "/api/item-purchases/purchase-item", idempotent=True)
ITEM_HISTORY = Route(
    "GET", "/api/item-purchases/player-purchase-history", idempotent=True
)
ITEM_ORDER_DETAILS = Route("GET", "/api/item-purchases/order-details", idempotent=True)
BALANCE_BY_ID = Route("GET", "/api/player-balances/player/{player_id}", idempotent=True)
BALANCE_BY_EMAIL = Route(
    "GET", "/api/player-balances/player/by-email/{player_email}", idempotent=True
)
INBOUND_PENDING = Route("GET", "/api/transfers/inbound-pending", idempotent=True)
LINKED_IDENTITIES = Route("GET", "/api/wallet/identities", idempotent=True)

# -- part 2: completing sends and transfers ----------------------------------------------------
VERIFY_SMS_TRANSFER = Route("POST", "/api/transfers/verify-sms", idempotent=False)
VERIFY_SMS_SEND = Route("POST", "/api/currency-sends/verify-sms", idempotent=False)
CLAIM_TRANSFER = Route("POST", "/api/transfers/claim-transfer", idempotent=False)
CLAIM_CURRENCY = Route("POST", "/api/currency-sends/claim-currency", idempotent=False)
TRANSFER_STATUS = Route("GET", "/api/transfers/{transaction_id}/status", idempotent=True)
SEND_STATUS = Route("GET", "/api/currency-sends/{transaction_id}/status", idempotent=True)
GUARDIAN_APPROVAL_STATUS = Route(
    "GET", "/api/transactions/{transaction_id}/approval-status", idempotent=True
)
TRANSFER_DESTINATIONS = Route(
    "POST", "/api/transfers/available-destinations", idempotent=True
)
SEND_DESTINATIONS = Route(
    "POST", "/api/currency-sends/available-destinations", idempotent=True
)
PHONE_SHARE_INITIATE = Route(
    "POST", "/api/wallet/phone-share/initiate", idempotent=False, authenticated=False
)
PHONE_SHARE_APPROVE = Route(
    "POST", "/api/wallet/phone-share/approve", idempotent=False, authenticated=False
)
PHONE_SHARE_STATUS = Route(
    "GET", "/api/wallet/phone-share/status", idempotent=True, authenticated=False
)

# -- webhook endpoint management ---------------------------------------------------------------
# A PUT of the same endpoint twice leaves the same state, but the first answer is the only one
# that carries the signing secret: a retry after a lost answer would lose it. Send once.
REGISTER_WEBHOOK = Route("PUT", "/api/dev/webhooks/games/{game_id}", idempotent=False)
ROTATE_WEBHOOK_SECRET = Route(
    "POST", "/api/dev/webhooks/games/{game_id}/rotate-secret", idempotent=False
)

#: Every route above, in one tuple: the sandbox registers a handler for each, and a test
#: fails when one is missing.
ALL_ROUTES: tuple[Route, ...] = tuple(
    value for value in list(globals().values()) if isinstance(value, Route)
)

#: The ``InvoServer`` method behind each route: the operation name in telemetry.
OPERATIONS: dict[Route, str] = {
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
    BALANCE_BY_ID: "get_player_balance",
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
