"""Routes of one area of the API: checkout status and price quotes.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.
"""

from __future__ import annotations

from typing import Any

from . import _results_checkout as results
from ._route import Arg, At, Auth, Route, body, path

__all__ = ["OPERATIONS", "PURCHASE_STATUS", "QUOTE_CURRENCY_PURCHASE"]

# Authenticated with the checkout session's own token (Bearer), never the game secret: the
# status read is what a page holding only the checkout URL may also do. A read: retried.
PURCHASE_STATUS = Route(
    "GET", "/api/checkout/sessions/{session_id}", idempotent=True,
    result=results.PurchaseStatusResult, auth=Auth.SESSION_TOKEN,
    args=(*path("session_id"), Arg("session_token", At.CREDENTIAL)),
)
# Moves no money and creates nothing: retried like a read.
QUOTE_CURRENCY_PURCHASE = Route(
    "POST", "/api/currency-purchases/quote", idempotent=True,
    result=results.CurrencyPurchaseQuote,
    args=body("usd_amount", optional=("player_email", "country", "subdivision")),
)

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {
    PURCHASE_STATUS: "get_purchase_status",
    QUOTE_CURRENCY_PURCHASE: "quote_currency_purchase",
}
