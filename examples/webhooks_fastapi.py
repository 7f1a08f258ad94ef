"""Receive INVO webhooks with FastAPI: verify the raw body, process each event once, answer fast.

Run it::

    export INVO_WEBHOOK_SECRET=...            # the signing secret INVO returned once
    uvicorn --factory webhooks_fastapi:create_app --app-dir examples --port 8000

During a secret rotation also set ``INVO_WEBHOOK_SECRET_PREVIOUS`` to the old secret. With
several worker processes, pass ``SQLiteIdempotencyStore("invo-webhooks.sqlite3")`` (or a
store on your own database) to :func:`create_app` instead of the in-memory default.

Do not declare the body as a Pydantic model: FastAPI would parse and re-serialize it, and the
signature covers the exact bytes. Read ``await request.body()``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Callable, Optional

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from invonetwork.errors import InvoError
from invonetwork.webhooks import (
    EventType,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    WebhookEvent,
    deduplicate,
    verify_webhook,
)

log = logging.getLogger("mygame.webhooks")

Handler = Callable[[WebhookEvent], None]


def secrets_from_env() -> list[str]:
    """The current signing secret and, during a rotation, the previous one (may be unset)."""
    return [
        os.environ.get("INVO_WEBHOOK_SECRET", ""),
        os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", ""),
    ]


def handle_event(event: WebhookEvent) -> None:
    """Apply one event. Keep it quick; hand slow work to a queue (INVO waits about 10 s)."""
    if event.event_type == EventType.PURCHASE_COMPLETED:
        purchase = event.purchase_completed()
        log.info("credit order %s: %s %s", purchase.order_id, purchase.currency_amount,
                 purchase.currency_name)
    elif event.event_type == EventType.ITEM_PURCHASED:
        item = event.item_purchased()
        log.info("grant %s x%d (order %s)", item.item_id, item.item_quantity, item.order_id)
    else:
        log.info("ignored %s event %s", event.event_type, event.event_id)


def create_app(
    secrets: Optional[Sequence[str]] = None,
    store: Optional[IdempotencyStore] = None,
    handler: Handler = handle_event,
) -> FastAPI:
    """The FastAPI app with ``POST /invo/webhooks``.

    Args:
        secrets: Signing secrets (default: read from the environment on every request).
        store: Where handled idempotency keys are remembered (default: in this process).
        handler: Called once per logical event, in a worker thread (it may block); an
            exception makes the answer a 500 and releases the key, so INVO's retry runs.
    """
    app = FastAPI()
    claims: IdempotencyStore = store if store is not None else InMemoryIdempotencyStore()

    def process(event: WebhookEvent, key: str) -> bool:
        # Store calls and the handler may block (SQLite, your DB): run off the event loop.
        with deduplicate(claims, key) as first:  # an exception releases the key
            if first:
                handler(event)
        return first

    @app.post("/invo/webhooks", response_class=PlainTextResponse)
    async def invo_webhook(request: Request) -> PlainTextResponse:
        raw = await request.body()  # the RAW bytes, exactly as INVO signed them
        try:
            event = verify_webhook(
                raw,
                request.headers.get("X-Invo-Signature"),
                list(secrets) if secrets is not None else secrets_from_env(),
                content_encoding=request.headers.get("Content-Encoding"),
            )
        except InvoError as err:
            if err.code == "WEBHOOK_SECRET_MISSING":
                log.error("INVO webhook secret is not configured")
                return PlainTextResponse("receiver not configured", status_code=500)
            log.warning("rejected an INVO webhook: %s", err.code)
            return PlainTextResponse("invalid webhook", status_code=400)
        # The body's key is covered by the signature; the header carries the same value.
        key = event.idempotency_key or request.headers.get("X-Invo-Idempotency-Key", "")
        if not key:
            return PlainTextResponse("no idempotency key", status_code=400)
        first = await run_in_threadpool(process, event, key)
        return PlainTextResponse("ok" if first else "duplicate", status_code=200)

    return app
