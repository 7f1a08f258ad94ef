"""Receive INVO webhooks with Flask: verify the raw body, process each event once, answer fast.

Run it::

    export INVO_WEBHOOK_SECRET=...            # the signing secret INVO returned once
    flask --app examples/webhooks_flask.py run --port 8000

During a secret rotation also set ``INVO_WEBHOOK_SECRET_PREVIOUS`` to the old secret: both
are accepted until the old one expires. With several worker processes, pass
``SQLiteIdempotencyStore("invo-webhooks.sqlite3")`` (or a store on your own database) to
:func:`create_app` instead of the in-memory default.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Callable, Optional

from flask import Flask, request

from invonetwork.webhooks import (
    DEFAULT_MAX_BODY_BYTES,
    EventType,
    IdempotencyStore,
    InMemoryIdempotencyStore,
    WebhookEvent,
    receive_webhook,
)

log = logging.getLogger("mygame.webhooks")

Handler = Callable[[WebhookEvent], None]


def secrets_from_env() -> list[str]:
    """The current signing secret and, during a rotation, the previous one (may be unset)."""
    return [
        os.environ.get("INVO_WEBHOOK_SECRET", ""),
        os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", ""),
    ]


# --8<-- [start:handle]
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
# --8<-- [end:handle]


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
