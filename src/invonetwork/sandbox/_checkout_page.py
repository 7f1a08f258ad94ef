"""The hosted checkout page the sandbox serves at ``checkout_url``.

The page shows the amount and two buttons. Each button is a plain HTML form that POSTs to
``<checkout_url>/pay`` or ``<checkout_url>/cancel`` (so it works without JavaScript, and a
test can do the same POST over HTTP). With JavaScript the page intercepts the submit, POSTs
with ``fetch`` and then, like INVO's page:

* when framed, posts ``{type: "INVO_CHECKOUT_COMPLETE", data: {status, transaction_id,
  currency_received, new_balance, currency_name}}`` to the parent window (the iOS
  ``webkit.messageHandlers.INVO_CHECKOUT`` and Android ``InvoBridge.onComplete`` bridges get
  the same message);
* when top-level, goes to ``success_url`` (``cancel_url`` after Cancel) if one was given.
"""

from __future__ import annotations

import html
from decimal import Decimal
from importlib import resources
from typing import Any, Callable, Optional

from ._messages import HTML, Request, Response, json_response
from ._model import CheckoutSession, DomainError, fmt
from ._world import World

__all__ = ["Pages", "error_page", "render_checkout", "result_page"]

_ASSETS: dict[str, str] = {}  # file name -> text, read once


def _asset(name: str) -> str:
    """A page asset shipped next to this module (``checkout.css``, ``checkout.js``)."""
    text = _ASSETS.get(name)
    if text is None:
        text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
        _ASSETS[name] = text
    return text



def _page(title: str, body: str, script: str = "") -> bytes:
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{_asset('checkout.css')}</style></head>"
        f"<body>{body}{script_tag}</body></html>"
    ).encode()


def render_checkout(
    session: CheckoutSession,
    *,
    page_path: str,
    game_name: str,
    currency_amount: str,
    currency_name: str,
) -> bytes:
    """The page for an open session. ``page_path`` is the URL path of the page itself."""
    esc = html.escape
    pay = f"{page_path}/pay"
    cancel = f"{page_path}/cancel"
    rail_note = (
        "<p class=\"muted\">Steam rail: the real page hands off to the Steam client; the "
        "sandbox lets you pay here.</p>"
        if session.rail == "steam"
        else ""
    )
    body = (
        f"<main class=\"card\" id=\"invo-checkout\" data-session-id=\"{esc(session.session_id)}\" "
        "data-status=\"open\">"
        "<span class=\"badge\">SANDBOX</span>"
        f"<h1>{esc(game_name)}</h1>"
        f"<p class=\"muted\">{esc(session.player_email)}</p>"
        f"<div class=\"amount\">${esc(fmt(session.usd_amount))}</div>"
        f"<p class=\"muted\">You receive {esc(currency_amount)} {esc(currency_name)} "
        f"&middot; rail: {esc(session.rail)}</p>{rail_note}"
        f"<form id=\"invo-pay-form\" method=\"post\" action=\"{esc(pay)}\">"
        f"<button id=\"invo-pay\" type=\"submit\">Pay ${esc(fmt(session.usd_amount))}</button>"
        "</form>"
        f"<form id=\"invo-cancel-form\" method=\"post\" action=\"{esc(cancel)}\">"
        "<button id=\"invo-cancel\" type=\"submit\">Cancel</button></form>"
        "<p id=\"invo-result\" role=\"status\"></p>"
        "<p class=\"muted\">No card is charged: this is the local INVO sandbox.</p>"
        "</main>"
    )
    return _page(f"Checkout - {game_name}", body, _asset("checkout.js"))


def result_page(result: dict[str, Any]) -> bytes:
    """Shown after a no-JavaScript form POST when there is no URL to go back to."""
    if result.get("status") == "success":
        got = f"{result.get('currency_received')} {result.get('currency_name')}"
        text = f"Payment complete: +{got}"
    else:
        text = "Checkout cancelled"
    status = html.escape(str(result.get("status")))
    body = (
        f"<main class=\"card\" id=\"invo-checkout\" data-status=\"{status}\">"
        f"<span class=\"badge\">SANDBOX</span><h1>{html.escape(text)}</h1>"
        f"<p class=\"muted\">New balance: {html.escape(str(result.get('new_balance')))}</p></main>"
    )
    return _page("Checkout", body)


def error_page(status: int, message: str, code: Optional[str]) -> bytes:
    """A 404/409/410 page for an unknown, used or expired session."""
    body = (
        f"<main class=\"card\" id=\"invo-checkout\" data-status=\"error\" "
        f"data-code=\"{html.escape(code or '')}\"><span class=\"badge\">SANDBOX</span>"
        f"<h1>{html.escape(message)}</h1><p class=\"muted\">HTTP {status}"
        f"{' &middot; ' + html.escape(code) if code else ''}. Ask the game for a new checkout."
        "</p></main>"
    )
    return _page("Checkout unavailable", body)



# -- the pages' HTTP handlers --------------------------------------------------------------

PageHandler = Callable[[Request, tuple[str, ...]], Response]


def _failure_page(failure: DomainError) -> Response:
    body = error_page(failure.status, failure.body["error"], failure.body.get("code"))
    return Response(failure.status, body, HTML)


class Pages:
    """The hosted checkout page, its Pay/Cancel actions, and the pending-payment page."""

    def __init__(self, world: World, prefix: str) -> None:
        self.world = world
        self.prefix = prefix

    def routes(self) -> list[tuple[str, str, PageHandler]]:
        """``(method, path template, handler)`` for each page."""
        purchases = self.world.purchases
        return [
            ("GET", "/checkout/{session_id}", self.checkout),
            ("POST", "/checkout/{session_id}/pay", self._action(purchases.pay_checkout)),
            ("POST", "/checkout/{session_id}/cancel", self._action(purchases.cancel_checkout)),
            ("GET", "/pay/{order_id}", self.payment),
            ("POST", "/pay/{order_id}/complete", self.complete),
        ]

    def checkout(self, request: Request, params: tuple[str, ...]) -> Response:
        """The page for an open session (an error page for an unknown/used/expired one)."""
        try:
            session = self.world.purchases.checkout_session(params[0])
        except DomainError as failure:
            return _failure_page(failure)
        home = self.world.state.home
        amount = fmt(self.world.purchases.credited_amount(session.usd_amount))
        page = render_checkout(
            session, page_path=f"{self.prefix}/checkout/{session.session_id}",
            game_name=home.name, currency_amount=amount, currency_name=home.currency_name,
        )
        return Response(200, page, HTML)

    def _action(self, press: Callable[[str], dict[str, Any]]) -> PageHandler:
        def handler(request: Request, params: tuple[str, ...]) -> Response:
            try:
                result = press(params[0])
            except DomainError as failure:
                if request.is_form:
                    return _failure_page(failure)
                raise
            if not request.is_form:
                return json_response(200, result)
            redirect = result.get("redirect_url")
            if redirect:
                return Response(303, b"", HTML, {"Location": str(redirect)})
            return Response(200, result_page(result), HTML)

        return handler

    def payment(self, request: Request, params: tuple[str, ...]) -> Response:
        """A "Complete payment" button for a ``pending_payment`` direct purchase."""
        order_id = params[0]
        with self.world.lock:
            order = self.world.state.orders.get(order_id)
            pending = order is not None and order.status == "pending_payment"
        if not pending:
            return Response(404, error_page(404, "No pending payment here", "ORDER_NOT_FOUND"),
                            HTML)
        action = html.escape(f"{self.prefix}/pay/{order_id}/complete")
        body = (
            f"<main class=\"card\"><h1>Sandbox payment for order {html.escape(order_id)}</h1>"
            f"<form method=\"post\" action=\"{action}\">"
            "<button id=\"invo-complete\" type=\"submit\">Complete payment</button></form></main>"
        )
        return Response(200, _page("Payment", body), HTML)

    def complete(self, request: Request, params: tuple[str, ...]) -> Response:
        """The payment page's button: credit the order."""
        outcome = self.world.purchases.complete_pending(params[0])
        balance = fmt(outcome.new_balance or Decimal("0"))
        if request.is_form:
            text = html.escape(f"Payment complete: new balance {balance}")
            return Response(200, f"<!DOCTYPE html><p>{text}</p>".encode(), HTML)
        return json_response(200, {
            "status": "success", "order_id": outcome.order.order_id,
            "transaction_id": outcome.order.transaction_id, "new_balance": balance,
        })
