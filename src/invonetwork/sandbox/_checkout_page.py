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
from typing import Any, Optional

from ._model import CheckoutSession, fmt

__all__ = ["error_page", "render_checkout", "result_page"]

_STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;background:#0f172a;
color:#e2e8f0;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}
.card{background:#1e293b;border-radius:16px;padding:28px 32px;width:min(380px,90vw);
box-shadow:0 25px 50px -12px rgba(0,0,0,.5)}
h1{font-size:18px;margin:0 0 4px}.muted{color:#94a3b8;font-size:13px}
.amount{font-size:34px;font-weight:700;margin:18px 0 4px}
.badge{display:inline-block;background:#f59e0b;color:#111;border-radius:6px;padding:2px 8px;
font-size:11px;font-weight:700;letter-spacing:.05em}
button{width:100%;border:0;border-radius:10px;padding:12px;font-size:16px;margin-top:12px;
cursor:pointer}#invo-pay{background:#22c55e;color:#052e16;font-weight:700}
#invo-cancel{background:transparent;color:#cbd5e1;border:1px solid #475569}
button:disabled{opacity:.5;cursor:default}#invo-result{margin-top:16px;min-height:1.2em}
"""

_SCRIPT = """
(function () {
  var root = document.getElementById("invo-checkout");
  var framed = false;
  try { framed = window.parent && window.parent !== window; } catch (e) { framed = true; }
  var result = document.getElementById("invo-result");
  function buttons(disabled) {
    document.getElementById("invo-pay").disabled = disabled;
    document.getElementById("invo-cancel").disabled = disabled;
  }
  function finish(body) {
    var message = {
      type: "INVO_CHECKOUT_COMPLETE",
      data: {
        status: body.status,
        transaction_id: body.transaction_id,
        currency_received: body.currency_received,
        new_balance: body.new_balance,
        currency_name: body.currency_name
      }
    };
    result.textContent = body.status === "success"
      ? "Payment complete: +" + body.currency_received + " " + body.currency_name
      : "Checkout cancelled";
    root.setAttribute("data-status", body.status);
    try {
      var wk = window.webkit && window.webkit.messageHandlers &&
        window.webkit.messageHandlers.INVO_CHECKOUT;
      if (wk) { wk.postMessage(message); }
    } catch (e) {}
    try {
      if (window.InvoBridge && window.InvoBridge.onComplete) {
        window.InvoBridge.onComplete(JSON.stringify(message.data));
      }
    } catch (e) {}
    if (framed) {
      window.parent.postMessage(message, "*");
    } else if (body.redirect_url) {
      window.location.assign(body.redirect_url);
    }
  }
  function submit(event) {
    event.preventDefault();
    var form = event.target;
    buttons(true);
    result.textContent = "Processing...";
    fetch(form.getAttribute("action"), {
      method: "POST",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: "{}"
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (answer) {
      if (answer.ok) { finish(answer.body); }
      else {
        result.textContent = (answer.body && answer.body.error) || "Checkout failed";
        root.setAttribute("data-status", "error");
      }
    }).catch(function () {
      result.textContent = "Network error, please retry";
      buttons(false);
    });
  }
  document.getElementById("invo-pay-form").addEventListener("submit", submit);
  document.getElementById("invo-cancel-form").addEventListener("submit", submit);
})();
"""


def _page(title: str, body: str, script: str = "") -> bytes:
    script_tag = f"<script>{script}</script>" if script else ""
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
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
    return _page(f"Checkout - {game_name}", body, _SCRIPT)


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

