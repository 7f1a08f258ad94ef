"""A FastAPI backend for INVO: token minting, hosted checkout and the webhook receiver.

``InvoServer`` is a blocking (``requests``-based) client. Endpoints that call it are plain
``def`` functions, which FastAPI runs in its thread pool, so a slow INVO answer never stalls
the event loop. The one shared client is built in the lifespan and closed at shutdown.

Run it against the local sandbox (``invonetwork sandbox`` prints the three ``export`` lines),
or with sandbox credentials from the INVO developer console::

    export INVO_GAME_SECRET=ivsdk_test_...
    export INVO_WEBHOOK_SECRET=whsec_...      # and INVO_WEBHOOK_SECRET_PREVIOUS while rotating
    export DEV_SIGN_IN=1                      # development only: POST /dev/sign-in
    uvicorn --app-dir examples --factory fastapi_app:create_app --port 8000

The docs (``docs/guides/fastapi.md``) include this file piece by piece, and
``tests/examples/test_framework_apps.py`` drives it through FastAPI's test client.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Optional, Union

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse
from invo_store_game import CURRENCY_PACKS, Fulfilment
from pydantic import BaseModel

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
) -> FastAPI:
    """Build the app; the shared ``InvoServer`` lives for the app's whole lifespan.

    With no arguments the client comes from ``INVO_GAME_SECRET`` (and optionally
    ``INVO_BASE_URL``) and the receiver's secrets from ``INVO_WEBHOOK_SECRET`` and, during a
    rotation, ``INVO_WEBHOOK_SECRET_PREVIOUS``.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = invo if invo is not None else InvoServer.from_env()
        app.state.invo = client
        try:
            yield
        finally:
            if invo is None:  # ours to close; a client passed in belongs to the caller
                client.close()

    app = FastAPI(lifespan=lifespan)
    # Where the hosted checkout sends the player back. Configured, not taken from the
    # request's Host header, which the client controls.
    app.state.public_url = os.environ.get("PUBLIC_URL", "http://localhost:8000").rstrip("/")
    app.state.webhook_secrets = list(
        webhook_secrets
        if webhook_secrets is not None
        else (os.environ.get("INVO_WEBHOOK_SECRET", ""),
              os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", ""))  # empty ones are skipped
    )
    # One process only: with several workers use SQLiteIdempotencyStore or your database.
    app.state.idempotency = idempotency_store or InMemoryIdempotencyStore()
    app.state.fulfilment = fulfilment or Fulfilment()
    # Development only: POST /dev/sign-in signs anyone in. Never set it in production.
    app.state.dev_sign_in = os.environ.get("DEV_SIGN_IN") == "1"
    app.add_exception_handler(InvoError, invo_error_response)
    app.include_router(router)
    return app


def get_invo(request: Request) -> InvoServer:
    """Dependency: the app's shared client."""
    client: InvoServer = request.app.state.invo
    return client


Invo = Annotated[InvoServer, Depends(get_invo)]
# --8<-- [end:construct]


# --8<-- [start:auth]
def current_player_email(request: Request) -> str:
    """Dependency: the signed-in player's email. Connect it to your authentication.

    Never take the email from the request body: anyone could then mint tokens and open
    checkouts in another player's name. Tests swap this out with ``dependency_overrides``.
    """
    email = getattr(request.state, "player_email", None)  # set by your auth middleware
    if email is None and request.app.state.dev_sign_in:
        email = request.cookies.get(DEV_COOKIE)  # development only: see dev_sign_in
    if not isinstance(email, str) or not email:
        raise HTTPException(status_code=401)
    return email


PlayerEmail = Annotated[str, Depends(current_player_email)]
# --8<-- [end:auth]


# --8<-- [start:dev-sign-in]
DEV_COOKIE = "dev_player_email"


class SignIn(BaseModel):
    """``POST /dev/sign-in`` body."""

    email: str


def dev_sign_in(body: SignIn, request: Request, response: Response) -> dict[str, str]:
    """POST /dev/sign-in ``{"email": "ada@example.com"}``: development only (``DEV_SIGN_IN=1``).

    Stands in for your login, so the endpoints can be tried by hand: it sets a cookie that
    ``current_player_email`` reads only while ``DEV_SIGN_IN=1``.
    """
    if not request.app.state.dev_sign_in:
        raise HTTPException(status_code=404)
    if "@" not in body.email:
        raise HTTPException(status_code=400, detail='send {"email": "player@example.com"}')
    response.set_cookie(DEV_COOKIE, body.email, httponly=True, samesite="lax")
    return {"player_email": body.email}
# --8<-- [end:dev-sign-in]


# --8<-- [start:errors]
def invo_error_response(request: Request, exc: Exception) -> Response:
    """Turn an SDK error into an answer for the browser, without leaking INVO's details."""
    if isinstance(exc, InvalidInputError):
        return JSONResponse({"error": exc.message}, status_code=400)
    if isinstance(exc, InvoError) and exc.retry_after is not None:
        return JSONResponse({"error": "busy, try again"}, status_code=503,
                            headers={"Retry-After": str(int(exc.retry_after))})
    request_id = exc.request_id if isinstance(exc, InvoError) else None
    log.warning("INVO call failed: %r (request id %s)", exc, request_id)
    return JSONResponse({"error": "the store is unavailable", "request_id": request_id},
                        status_code=502)
# --8<-- [end:errors]


router = APIRouter()
router.add_api_route("/dev/sign-in", dev_sign_in, methods=["POST"])


# --8<-- [start:mint]
class TokenOut(BaseModel):
    """What the browser gets back from ``POST /invo/token``."""

    token: str
    expires_at: Optional[str] = None


@router.post("/invo/token")
def mint_token(invo: Invo, email: PlayerEmail) -> TokenOut:
    """A fresh player token for the browser SDK (about 15 minutes). Runs in the thread pool."""
    token = invo.mint_player_token(player_email=email)
    return TokenOut(token=token.token, expires_at=token.expires_at)
# --8<-- [end:mint]


# --8<-- [start:checkout]
class CheckoutIn(BaseModel):
    """``POST /store/checkout`` body: which pack to buy (the price stays on the server)."""

    pack: str


class CheckoutOut(BaseModel):
    """The hosted checkout to open in an iframe, a WebView or a redirect."""

    checkout_url: str
    session_id: Optional[Union[str, int]] = None
    expires_at: Optional[str] = None


@router.post("/store/checkout")
def start_checkout(body: CheckoutIn, request: Request, invo: Invo,
                   email: PlayerEmail) -> CheckoutOut:
    """Open INVO's hosted checkout for one of the packs."""
    if body.pack not in CURRENCY_PACKS:
        raise HTTPException(status_code=400, detail="unknown pack")
    checkout = invo.create_checkout(
        player_email=email,
        usd_amount=CURRENCY_PACKS[body.pack],
        success_url=f"{request.app.state.public_url}/store/thanks",
        cancel_url=f"{request.app.state.public_url}/store",
        metadata={"pack": body.pack},  # echoed back on the purchase.completed webhook
    )
    return CheckoutOut(checkout_url=checkout.checkout_url, session_id=checkout.session_id,
                       expires_at=checkout.expires_at)
# --8<-- [end:checkout]


# --8<-- [start:webhook]
@router.post("/invo/webhooks")
async def invo_webhook(request: Request) -> Response:
    """Verify, process each event once, answer fast. ``async``: it needs the raw body."""
    reply = await run_in_threadpool(  # the store and the handler may block: not on the loop
        receive_webhook,
        await request.body(),  # the raw bytes, exactly as INVO signed them
        request.headers,  # X-Invo-Signature, Content-Encoding, X-Invo-Idempotency-Key
        request.app.state.webhook_secrets,
        store=request.app.state.idempotency,  # dedupes on the signed idempotency key
        handler=request.app.state.fulfilment.handle,  # raises: key released, 500
    )
    if reply.status >= 500:
        log.error("INVO webhook receiver not configured: %s", reply.error_code)
    elif reply.status >= 400:
        log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
    return PlainTextResponse(reply.text, status_code=reply.status)
# --8<-- [end:webhook]
