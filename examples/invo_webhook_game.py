"""The game's side of a webhook receiver, shared by the Flask, FastAPI and Django recipes.

The recipes (``webhooks_flask.py``, ``webhooks_fastapi.py``, ``webhooks_django.py``) hold only
framework glue; what your game does with an event, and where it keeps its signing secrets,
lives here once. Replace :func:`handle_event` with your own crediting and granting code.
"""

from __future__ import annotations

import logging
import os
from typing import Callable

from invonetwork.webhooks import EventType, WebhookEvent

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
