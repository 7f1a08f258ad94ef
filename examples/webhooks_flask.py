"""Receive INVO webhooks with Flask: verify the raw body, process each event once, answer fast.

Run it::

    export INVO_WEBHOOK_SECRET=...            # the signing secret INVO returned once
    flask --app examples/webhooks_flask.py run --port 8000

During a secret rotation also set ``INVO_WEBHOOK_SECRET_PREVIOUS`` to the old secret: both
are accepted until the old one expires. With several worker processes, pass
``SQLiteIdempotencyStore("invo-webhooks.sqlite3")`` (one machine) or a Redis or PostgreSQL
store (several; see docs/webhooks-at-scale.md) to :func:`create_app` instead of the in-memory
default, which dedupes per process.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Optional

from flask import Flask, request
from invo_webhook_game import Handler, handle_event, log, secrets_from_env

from invonetwork.webhooks import (
    DEFAULT_MAX_BODY_BYTES,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    receive_webhook,
)


def create_app(
    secrets: Optional[Sequence[str]] = None,
    store: Optional[IdempotencyStore] = None,
    handler: Handler = handle_event,
) -> Flask:
    """The Flask app with ``POST /invo/webhooks``.

    Args:
        secrets: Signing secrets (default: read from the environment on every request).
        store: Where handled idempotency keys are remembered (default: in this process).
        handler: Called once per logical event; an exception makes the answer a 500 and
            releases the key, so INVO's retry is processed.
    """
    app = Flask(__name__)
    # Flask refuses bigger bodies with a 413 before we read them.
    app.config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_BODY_BYTES
    claims: IdempotencyStore = store if store is not None else InMemoryIdempotencyStore()

    # --8<-- [start:receiver]
    @app.post("/invo/webhooks")
    def invo_webhook() -> tuple[str, int]:
        reply = receive_webhook(
            request.get_data(),  # the RAW bytes: never request.json re-serialized
            request.headers,
            list(secrets) if secrets is not None else secrets_from_env(),
            store=claims,
            handler=handler,  # an exception releases the key and becomes a 500
        )
        if reply.status >= 500:
            log.error("INVO webhook receiver not configured: %s", reply.error_code)
        elif reply.status >= 400:
            log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
        return reply.text, reply.status
    # --8<-- [end:receiver]

    return app


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    create_app().run(port=8000)
