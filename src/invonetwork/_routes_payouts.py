"""Routes of one area of the API: creator payouts and platform commerce.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.

``request_payout`` has two routes to the same endpoint: with a ``client_request_id`` INVO
replays the first payout for a repeated key, so a lost answer may be retried
(:data:`REQUEST_PAYOUT_KEYED`); without one a second attempt could ask for a second payout,
so it is sent exactly once (:data:`REQUEST_PAYOUT`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import _results_payouts as results
from ._route import Arg, At, Route, body, path, query

__all__ = ["OPERATIONS"]

_PAYEES = "/api/partner-payees"
_PAYOUTS = "/api/partner-payouts"
_COMMERCE = "/api/platform-commerce"

# -- payees ------------------------------------------------------------------------------------
# Registering twice with the same reference answers ``duplicate``: safe to retry.
REGISTER_PAYEE = Route(
    "POST", _PAYEES, idempotent=True, result=results.PayeeRegistration,
    args=body("partner_reference", "legal_name", "email", "country", "payee_type"),
)
LIST_PAYEES = Route(
    "GET", _PAYEES, idempotent=True, result=results.PayeeList,
    args=query("limit", "offset", "status"),
)
GET_PAYEE = Route(
    "GET", _PAYEES + "/{payee_id}", idempotent=True, result=results._PayeeAnswer,
    args=path("payee_id"),
)
# A resend mails a new link and kills the old one; a remove closes the creator: sent once.
RESEND_PAYEE_INVITE = Route(
    "POST", _PAYEES + "/{payee_id}/resend-invite", idempotent=False,
    result=results._InviteAnswer, args=path("payee_id"),
)
REMOVE_PAYEE = Route(
    "POST", _PAYEES + "/{payee_id}/remove", idempotent=False, result=results._PayeeAnswer,
    args=path("payee_id"),
)

# -- payouts -----------------------------------------------------------------------------------
REQUEST_PAYOUT = Route(
    "POST", _PAYOUTS + "/request", idempotent=False, result=results.PayoutRequestResult,
    args=body("amount_usd", "contact_email",
              optional=("payee_id", "bank_account_id", "client_request_id", "partner_note",
                        "additional_emails")),
)
REQUEST_PAYOUT_KEYED = replace(REQUEST_PAYOUT, idempotent=True)
GET_PAYOUT = Route(
    "GET", _PAYOUTS + "/{payout_id}", idempotent=True, result=results._PayoutAnswer,
    args=path("payout_id"),
)
LIST_PAYOUTS = Route(
    "GET", _PAYOUTS, idempotent=True, result=results.PayoutList,
    args=query("limit", "offset", "status", "payee_id"),
)
CANCEL_PAYOUT = Route(
    "POST", _PAYOUTS + "/{payout_id}/cancel", idempotent=False, result=results._PayoutAnswer,
    args=path("payout_id"),
)

# -- platform commerce -------------------------------------------------------------------------
# The balance leg refuses a repeated key (409) and the card leg replays its session: a retry
# never charges twice.
PLATFORM_PURCHASE = Route(
    "POST", _COMMERCE + "/purchase", idempotent=True, result=results.PlatformPurchaseResult,
    args=body("client_request_id", "funding_source", "player_email", "player_name", "item_id",
              "item_name", "item_quantity", "unit_price", "total_price",
              optional=("player_phone", "item_description", "item_category", "success_url",
                        "cancel_url", "metadata", "require_player_approval", "return_url")),
)
PLATFORM_GET_APPROVAL = Route(
    "GET", _COMMERCE + "/approvals/{approval_id}", idempotent=True,
    result=results.PlatformApprovalResult, args=path("approval_id"),
)
PLATFORM_FIND_APPROVAL = Route(
    "GET", _COMMERCE + "/approvals", idempotent=True, result=results.PlatformApprovalResult,
    args=query("client_request_id"),
)
# Cancelling twice answers 409 APPROVAL_ALREADY_ENDED: nothing moves twice. The body is
# ``{}``: an optional body key that is never given makes the JSON object without keys.
PLATFORM_CANCEL_APPROVAL = Route(
    "POST", _COMMERCE + "/approvals/{approval_id}/cancel", idempotent=True,
    result=results.PlatformApprovalResult,
    args=(*path("approval_id"), Arg("_no_keys", At.BODY, optional=True)),
)
PLATFORM_STATUS = Route(
    "GET", _COMMERCE + "/purchase-status/{order_id}", idempotent=True,
    result=results.PlatformOrderStatusResult, args=path("order_id"),
)
PLATFORM_HISTORY = Route(
    "GET", _COMMERCE + "/purchase-history", idempotent=True,
    result=results.PlatformPurchaseHistoryResult, args=query("player_email", "limit", "cursor"),
)
# A second refund of the same order answers 409: a retry after a lost answer refunds nothing.
PLATFORM_REFUND = Route(
    "POST", _COMMERCE + "/refund", idempotent=True, result=results.PlatformRefundResult,
    args=body(optional=("order_id", "client_request_id", "reason", "refund_remaining",
                        "confirm_additional_refund")),
)

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {
    REGISTER_PAYEE: "payouts.register_payee",
    LIST_PAYEES: "payouts.list_payees",
    GET_PAYEE: "payouts.get_payee",
    RESEND_PAYEE_INVITE: "payouts.resend_payee_invite",
    REMOVE_PAYEE: "payouts.remove_payee",
    REQUEST_PAYOUT: "payouts.request_payout",
    REQUEST_PAYOUT_KEYED: "payouts.request_payout",
    GET_PAYOUT: "payouts.get_payout",
    LIST_PAYOUTS: "payouts.list_payouts",
    CANCEL_PAYOUT: "payouts.cancel_payout",
    PLATFORM_PURCHASE: "platform_commerce.purchase",
    PLATFORM_GET_APPROVAL: "platform_commerce.get_approval",
    PLATFORM_FIND_APPROVAL: "platform_commerce.get_approval",
    PLATFORM_CANCEL_APPROVAL: "platform_commerce.cancel_approval",
    PLATFORM_STATUS: "platform_commerce.get_status",
    PLATFORM_HISTORY: "platform_commerce.get_purchase_history",
    PLATFORM_REFUND: "platform_commerce.refund",
}
