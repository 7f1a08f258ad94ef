"""A Flask backend for INVO: token minting, hosted checkout and the webhook receiver.

One ``InvoServer`` is built when the app is created and shared by every request and thread.
The browser never sees the game secret: it asks this backend for a short-lived player token
and for a checkout URL, and INVO tells the backend that money moved through a signed webhook.

Run it against the local sandbox (``invonetwork sandbox`` prints the three ``export`` lines),
or with sandbox credentials from the INVO developer console::

    export INVO_GAME_SECRET=ivsdk_test_...
    export INVO_WEBHOOK_SECRET=whsec_...      # and INVO_WEBHOOK_SECRET_PREVIOUS while rotating
    export FLASK_SECRET_KEY=change-me
    export DEV_SIGN_IN=1                      # development only: POST /dev/sign-in
    flask --app examples/flask_app.py run --port 8000

The docs (``docs/guides/flask.md``) include this file piece by piece, and
``tests/examples/test_framework_apps.py`` drives it through Flask's test client.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any, Optional

from flask import Flask, abort, current_app, jsonify, request, session
from flask.typing import ResponseReturnValue
from invo_store_game import CURRENCY_PACKS, Fulfilment

from invonetwork import InvalidInputError, InvoError, InvoServer
from invonetwork.webhooks import IdempotencyStore, InMemoryIdempotencyStore, receive_webhook

log = logging.getLogger("mygame.store")

# --8<-- [start:construct]
def create_app(
    invo: Optional[InvoServer] = None,
    *,
    webhook_secrets: Optional[Sequence[str]] = None,
    idempotency_store: Optional[IdempotencyStore] = None,
    fulfilment: Optional[Fulfilment] = None,
) -> Flask:
    """Build the app around one shared ``InvoServer``.

    With no arguments everything comes from the environment: ``INVO_GAME_SECRET`` (and
    optionally ``INVO_BASE_URL``) for the client, ``INVO_WEBHOOK_SECRET`` (and
    ``INVO_WEBHOOK_SECRET_PREVIOUS`` during a rotation) for the receiver.
    Tests pass their own client, secrets and stores.
    """
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("FLASK_SECRET_KEY", "dev-only-not-secret"),
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_HTTPONLY=True,
        # Where the hosted checkout sends the player back. Configured, not taken from the
        # request's Host header, which the client controls. The port is the one of
        # `flask --app examples/flask_app.py run --port 8000`.
        PUBLIC_URL=os.environ.get("PUBLIC_URL", "http://localhost:8000").rstrip("/"),
        # Development only: POST /dev/sign-in signs anyone in. Never set it in production.
        DEV_SIGN_IN=os.environ.get("DEV_SIGN_IN") == "1",
    )
    # One client per process: thread-safe, pooled keep-alive connections.
    app.extensions["invo"] = invo if invo is not None else InvoServer.from_env()
    app.extensions["invo_webhook_secrets"] = list(
        webhook_secrets
        if webhook_secrets is not None
        else (os.environ.get("INVO_WEBHOOK_SECRET", ""),
              os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", ""))  # empty ones are skipped
    )
    # One process only: with several workers use SQLiteIdempotencyStore or your database.
    app.extensions["invo_idempotency"] = idempotency_store or InMemoryIdempotencyStore()
    app.extensions["fulfilment"] = fulfilment or Fulfilment()
    app.register_error_handler(InvoError, invo_error_response)
    app.add_url_rule("/invo/token", view_func=mint_token, methods=["POST"])
    app.add_url_rule("/store/checkout", view_func=start_checkout, methods=["POST"])
    app.add_url_rule("/invo/webhooks", view_func=invo_webhook, methods=["POST"])
    app.add_url_rule("/dev/sign-in", view_func=dev_sign_in, methods=["POST"])
    return app


def get_invo() -> InvoServer:
    """The app's shared client."""
    client: InvoServer = current_app.extensions["invo"]
    return client
# --8<-- [end:construct]


# --8<-- [start:auth]
def current_player_email() -> str:
    """The signed-in player. Your login code puts the email in the session.

    Never take the email from the request body: anyone could then mint tokens and open
    checkouts in another player's name.
    """
    email = session.get("player_email")
    if not isinstance(email, str) or not email:
        abort(401)
    return email
# --8<-- [end:auth]


# --8<-- [start:dev-sign-in]
def dev_sign_in() -> ResponseReturnValue:
    """POST /dev/sign-in ``{"email": "ada@example.com"}``: development only (``DEV_SIGN_IN=1``).

    Stands in for your login, so ``/invo/token`` and ``/store/checkout`` can be tried by hand.
    """
    if not current_app.config["DEV_SIGN_IN"]:
        abort(404)
    payload: Any = request.get_json(silent=True)
    email = payload.get("email") if isinstance(payload, dict) else None
    if not isinstance(email, str) or "@" not in email:
        return jsonify(error='send {"email": "player@example.com"}'), 400
    session["player_email"] = email
    return jsonify(player_email=email)
# --8<-- [end:dev-sign-in]


# --8<-- [start:errors]
def invo_error_response(err: InvoError) -> ResponseReturnValue:
    """Turn an SDK error into an answer for the browser, without leaking INVO's details."""
    if isinstance(err, InvalidInputError):
        return jsonify(error=err.message), 400
    if err.is_insufficient_balance:
        return jsonify(error="not enough currency"), 402
    if err.retry_after is not None:
        return jsonify(error="busy, try again"), 503, {"Retry-After": str(int(err.retry_after))}
    log.warning("INVO call failed: %r (request id %s)", err, err.request_id)
    return jsonify(error="the store is unavailable", request_id=err.request_id), 502
# --8<-- [end:errors]


# --8<-- [start:mint]
def mint_token() -> ResponseReturnValue:
    """POST /invo/token: a fresh player token for the browser SDK (about 15 minutes)."""
    token = get_invo().mint_player_token(player_email=current_player_email())
    return jsonify(token=token.token, expires_at=token.expires_at)
# --8<-- [end:mint]


# --8<-- [start:checkout]
def start_checkout() -> ResponseReturnValue:
    """POST /store/checkout ``{"pack": "gold_550"}``: open INVO's hosted checkout."""
    payload: Any = request.get_json(silent=True)  # also rejects cross-site form posts
    pack = payload.get("pack") if isinstance(payload, dict) else None
    if pack not in CURRENCY_PACKS:
        return jsonify(error="unknown pack"), 400
    public_url = current_app.config["PUBLIC_URL"]
    checkout = get_invo().create_checkout(
        player_email=current_player_email(),
        usd_amount=CURRENCY_PACKS[pack],
        success_url=f"{public_url}/store/thanks",
        cancel_url=f"{public_url}/store",
        metadata={"pack": pack},  # echoed back on the purchase.completed webhook
    )
    return jsonify(checkout_url=checkout.checkout_url, session_id=checkout.session_id,
                   expires_at=checkout.expires_at)
# --8<-- [end:checkout]


# --8<-- [start:webhook]
def invo_webhook() -> ResponseReturnValue:
    """POST /invo/webhooks: verify, process each event once, answer fast."""
    reply = receive_webhook(
        request.get_data(),  # the raw bytes, exactly as INVO signed them
        request.headers,  # X-Invo-Signature, Content-Encoding, X-Invo-Idempotency-Key
        current_app.extensions["invo_webhook_secrets"],
        store=current_app.extensions["invo_idempotency"],  # dedupes on the signed key
        handler=current_app.extensions["fulfilment"].handle,  # raises: key released, 500
    )
    if reply.status >= 500:
        log.error("INVO webhook receiver not configured: %s", reply.error_code)
    elif reply.status >= 400:
        log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
    return reply.text, reply.status
# --8<-- [end:webhook]


if __name__ == "__main__":
    create_app().run(port=8000)  # `flask --app examples/flask_app.py run` also finds create_app
