"""Every INVO endpoint the SDK calls, as data: the table a new endpoint is added to.

The machinery (:class:`Route`, :class:`Arg`, :func:`build_request`) lives in ``_route``. The
routes of the calls the SDK started with are below; each newer area of the API keeps its routes
in a module of its own (``_routes_checkout``, ``_routes_players``, ``_routes_devices``,
``_routes_subscriptions``, ``_routes_payouts``), each with an ``OPERATIONS`` map of its routes
to method names.
``ALL_ROUTES`` and ``OPERATIONS`` here are the union.

The sandbox registers its handlers against these same objects (``ALL_ROUTES``), so a client
route without an emulator handler fails a test.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import _results as results
from . import (
    _routes_checkout,
    _routes_devices,
    _routes_payouts,
    _routes_players,
    _routes_subscriptions,
)
from ._route import SUCCESS_2XX, Arg, At, Auth, Route, WireRequest, body, build_request, path, query

__all__ = [
    "ALL_ROUTES",
    "OPERATIONS",
    "SUCCESS_2XX",
    "Arg",
    "At",
    "Auth",
    "Route",
    "WireRequest",
    "body",
    "build_request",
    "path",
    "query",
]


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

_CORE_OPERATIONS: dict[Route[Any], str] = {
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

#: The method behind each route (``InvoServer`` method, or ``namespace.method``): the
#: operation name in telemetry.
OPERATIONS: dict[Route[Any], str] = {
    **_CORE_OPERATIONS,
    **_routes_checkout.OPERATIONS,
    **_routes_players.OPERATIONS,
    **_routes_devices.OPERATIONS,
    **_routes_subscriptions.OPERATIONS,
    **_routes_payouts.OPERATIONS,
}

#: Every route, in one tuple: the sandbox registers a handler for each, and a test fails when
#: one is missing.
ALL_ROUTES: tuple[Route[Any], ...] = tuple(OPERATIONS)
