"""Routes of one area of the API: subscriptions, saved cards, the sandbox clock.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.
"""

from __future__ import annotations

from typing import Any

from . import _results_subscriptions as results
from ._route import Arg, At, Auth, Route, body, path, query

__all__ = [
    "CARD_BEGIN_SETUP",
    "CARD_CONFIRM_SETUP",
    "CARD_LIST",
    "CARD_SETUP_SESSION",
    "CLOCK_ADVANCE",
    "CLOCK_FORCE_AUTH_CHALLENGE",
    "CLOCK_FORCE_FAILURE",
    "CLOCK_FORCE_RENEWAL",
    "OPERATIONS",
    "SUB_CANCEL",
    "SUB_CHANGE_AMOUNT",
    "SUB_CREATE",
    "SUB_GET",
    "SUB_LIST",
    "SUB_REFUND",
    "SUB_SET_PAYMENT_METHOD",
    "SUB_STEAM_FINALIZE",
    "SUB_STEAM_INIT",
]

_BASE = "/api/subscriptions"

# -- server.subscriptions ----------------------------------------------------------------------
# Every subscription write is keyed or converges (a replay never re-charges): retried.
SUB_CREATE = Route(
    "POST", f"{_BASE}/subscribe", idempotent=True, result=results.SubscriptionResult,
    args=body("client_request_id", "player_email", "player_name", "item_id", "amount_usd",
              "interval", "interval_count",
              optional=("player_phone", "item_name", "trial_days", "trial_end", "wallet_only",
                        "player_card_id", "metadata", "consent", "revenue_share",
                        "trial_amount_usd")),
)
SUB_GET = Route(
    "GET", f"{_BASE}/{{subscription_id}}", idempotent=True,
    result=results.SubscriptionEnvelope,
    args=path("subscription_id") + query("include_player"),
)
SUB_LIST = Route(
    "GET", f"{_BASE}/player", idempotent=True, result=results.SubscriptionListResult,
    args=query("player_email", "status", "limit", "offset", "include_player"),
)
SUB_CANCEL = Route(
    "POST", f"{_BASE}/{{subscription_id}}/cancel", idempotent=True,
    result=results.CancelResult,
    args=path("subscription_id") + body("at_period_end", optional=("reason",)),
)
SUB_CHANGE_AMOUNT = Route(
    "POST", f"{_BASE}/{{subscription_id}}/amount", idempotent=True,
    result=results.AmountChangeResult,
    args=path("subscription_id") + body("amount_usd"),
)
SUB_SET_PAYMENT_METHOD = Route(
    "POST", f"{_BASE}/{{subscription_id}}/payment-method", idempotent=True,
    result=results.PaymentMethodResult,
    args=path("subscription_id") + body(optional=("player_card_id", "wallet_only")),
)
SUB_REFUND = Route(
    "POST", f"{_BASE}/{{subscription_id}}/refund", idempotent=True,
    result=results.RefundResult,
    args=path("subscription_id") + body("client_request_id",
                                        optional=("period_seq", "amount_usd", "reason")),
)
SUB_STEAM_INIT = Route(
    "POST", f"{_BASE}/steam/init", idempotent=True, result=results.SteamInitResult,
    args=(
        *body("client_request_id", "player_email", "player_name", "item_id", "amount_usd"),
        Arg("steam_id", At.BODY, key="steamid"),
        Arg("user_session", At.BODY, key="usersession"),
        *body("interval", "interval_count",
              optional=("player_ip", "item_name", "player_phone", "metadata", "consent",
                        "revenue_share")),
    ),
)
SUB_STEAM_FINALIZE = Route(
    "POST", f"{_BASE}/steam/finalize", idempotent=True, result=results.SubscriptionResult,
    args=body("subscription_id"),
)

# -- server.cards ------------------------------------------------------------------------------
# Each call mints a new hosted link: a retry after a lost answer would mint a second one.
CARD_SETUP_SESSION = Route(
    "POST", "/api/checkout/card-setup-sessions", idempotent=False,
    result=results.CardSetupSession,
    args=body("player_email", optional=("success_url", "cancel_url", "metadata", "player_name",
                                        "player_phone")),
)
CARD_BEGIN_SETUP = Route(
    "POST", "/api/currency-purchases/setup-intent", idempotent=True,
    result=results.CardSetupBegin,
    args=body("player_email", "setup_reference", optional=("payment_method_id",)),
)
CARD_CONFIRM_SETUP = Route(
    "POST", "/api/currency-purchases/setup-intent/confirm", idempotent=True,
    result=results.CardSetupConfirm, args=body("setup_intent_id"),
)
CARD_LIST = Route(
    "GET", "/api/currency-purchases/player-cards", idempotent=True,
    result=results.PlayerCardsResult, args=query("player_email"),
)

# -- server.sandbox.subscriptions --------------------------------------------------------------
# Relative to the base URL with no ``/api``: the sandbox base already ends in ``/sandbox``.
# Each call moves the clock or charges: never retried.
_CLOCK_KEY = (Arg("clock_key", At.CREDENTIAL),)
_CLOCK = "/subscriptions/{subscription_id}"
CLOCK_ADVANCE = Route(
    "POST", f"{_CLOCK}/advance-clock", idempotent=False, auth=Auth.SANDBOX_CLOCK,
    result=results.SandboxClockResult,
    args=path("subscription_id") + body("intervals") + _CLOCK_KEY,
)
# An optional key that is never given: the body is ``{}``.
CLOCK_FORCE_RENEWAL = Route(
    "POST", f"{_CLOCK}/force-renewal", idempotent=False, auth=Auth.SANDBOX_CLOCK,
    result=results.SandboxClockResult,
    args=path("subscription_id") + body(optional=("_none",)) + _CLOCK_KEY,
)
CLOCK_FORCE_FAILURE = Route(
    "POST", f"{_CLOCK}/force-failure", idempotent=False, auth=Auth.SANDBOX_CLOCK,
    result=results.SandboxClockResult,
    args=path("subscription_id")
    + body("outcome", optional=("failure_code", "failure_message")) + _CLOCK_KEY,
)
CLOCK_FORCE_AUTH_CHALLENGE = Route(
    "POST", f"{_CLOCK}/force-auth-challenge", idempotent=False, auth=Auth.SANDBOX_CLOCK,
    result=results.SandboxClockResult,
    args=path("subscription_id") + body(optional=("failure_message",)) + _CLOCK_KEY,
)

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {
    SUB_CREATE: "subscriptions.create",
    SUB_GET: "subscriptions.get",
    SUB_LIST: "subscriptions.list_for_player",
    SUB_CANCEL: "subscriptions.cancel",
    SUB_CHANGE_AMOUNT: "subscriptions.change_amount",
    SUB_SET_PAYMENT_METHOD: "subscriptions.set_payment_method",
    SUB_REFUND: "subscriptions.refund",
    SUB_STEAM_INIT: "subscriptions.steam_init",
    SUB_STEAM_FINALIZE: "subscriptions.steam_finalize",
    CARD_SETUP_SESSION: "cards.create_setup_session",
    CARD_BEGIN_SETUP: "cards.begin_setup",
    CARD_CONFIRM_SETUP: "cards.confirm_setup",
    CARD_LIST: "cards.list",
    CLOCK_ADVANCE: "sandbox.subscriptions.advance_clock",
    CLOCK_FORCE_RENEWAL: "sandbox.subscriptions.force_renewal",
    CLOCK_FORCE_FAILURE: "sandbox.subscriptions.force_failure",
    CLOCK_FORCE_AUTH_CHALLENGE: "sandbox.subscriptions.force_auth_challenge",
}
