"""Receive INVO webhooks with FastAPI: verify the raw body, process each event once, answer fast.

Run it::

    export INVO_WEBHOOK_SECRET=...            # the signing secret INVO returned once
    uvicorn --factory webhooks_fastapi:create_app --app-dir examples --port 8000

During a secret rotation also set ``INVO_WEBHOOK_SECRET_PREVIOUS`` to the old secret. With
several worker processes, pass ``SQLiteIdempotencyStore("invo-webhooks.sqlite3")`` (one
machine) or a Redis or PostgreSQL store (several; see docs/webhooks-at-scale.md) to
:func:`create_app` instead of the in-memory default, which dedupes per process.

Do not declare the body as a Pydantic model: FastAPI would parse and re-serialize it, and the
signature covers the exact bytes. Read ``await request.body()``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from invo_webhook_game import Handler, handle_event, log, secrets_from_env
from starlette.concurrency import run_in_threadpool

from invonetwork.webhooks import (
    IdempotencyStore,
    InMemoryIdempotencyStore,
    receive_webhook,
)


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

    # --8<-- [start:receiver]
    @app.post("/invo/webhooks", response_class=PlainTextResponse)
    async def invo_webhook(request: Request) -> PlainTextResponse:
        raw = await request.body()  # the RAW bytes, exactly as INVO signed them
        # The store and the handler may block (SQLite, your DB): run off the event loop.
        reply = await run_in_threadpool(
            receive_webhook,
            raw,
            request.headers,
            list(secrets) if secrets is not None else secrets_from_env(),
            store=claims,
            handler=handler,  # an exception releases the key and becomes a 500
        )
        if reply.status >= 500:
            log.error("INVO webhook receiver not configured: %s", reply.error_code)
        elif reply.status >= 400:
            log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
        return PlainTextResponse(reply.text, status_code=reply.status)
    # --8<-- [end:receiver]

    return app
