"""The game's side of the Django, Flask and FastAPI guide apps, written once.

``flask_app.py``, ``fastapi_app.py`` and ``django_app.py`` hold the framework glue (where the
client lives, the endpoints, the error answers); what the store sells and what the game does
when INVO says money moved is the same for all three, and lives here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from invonetwork.webhooks import ItemPurchasedData, PurchaseCompletedData, WebhookEvent

log = logging.getLogger("mygame.store")

# --8<-- [start:catalog]
#: What the store sells, priced on the server. The browser names a pack, never a price.
CURRENCY_PACKS: dict[str, str] = {
    "gold_100": "0.99",
    "gold_550": "4.99",
    "gold_1200": "9.99",
}
# --8<-- [end:catalog]


@dataclass
class Fulfilment:
    """A stand-in for your game's database: what the webhook receiver has granted."""

    purchases: list[PurchaseCompletedData] = field(default_factory=list)
    items: list[ItemPurchasedData] = field(default_factory=list)

    # --8<-- [start:fulfil]
    def handle(self, event: WebhookEvent) -> None:
        """Apply one verified event to the game (called once per idempotency key)."""
        if event.event_type == "purchase.completed":
            purchase = event.purchase_completed()  # typed: Decimal amounts, metadata dict
            self.purchases.append(purchase)
            log.info("credited %s %s to %s (order %s)", purchase.currency_amount,
                     purchase.currency_name, purchase.player_email, purchase.order_id)
        elif event.event_type == "item.purchased":
            item = event.item_purchased()
            self.items.append(item)
            log.info("granted %s x %s to %s", item.item_quantity, item.item_id,
                     item.player_email)
        # Other types (refunds, transfers, balance.updated ...) are acknowledged as well:
        # answer 2xx for every event you do not act on, or INVO retries it for a day.
    # --8<-- [end:fulfil]
