"""Receivers at scale: one shared store for every worker, and a router for the handlers.

``docs/webhooks-at-scale.md`` includes this file piece by piece;
``tests/webhooks/test_webhooks_scale_examples.py`` runs each piece against real Redis and
PostgreSQL servers and a Django cache.

Pick ONE store for all the workers of all your machines (the in-memory store dedupes per
process only), build it once at start-up (before gunicorn forks is fine), and hand it and the
router to ``receive_webhook`` in your framework's view (``webhooks_flask.py`` and friends).
"""

from __future__ import annotations

import logging
from typing import Any

from invonetwork.webhooks import (
    DjangoCacheIdempotencyStore,
    EventType,
    ItemPurchasedData,
    PostgresIdempotencyStore,
    PurchaseCompletedData,
    RedisIdempotencyStore,
    SubscriptionRenewedData,
    WebhookEvent,
    WebhookRouter,
)

log = logging.getLogger("mygame.webhooks")


# --8<-- [start:redis]
def redis_store(url: str) -> RedisIdempotencyStore:
    """Redis (the ``redis`` extra): a lease of 60 s, done kept 7 days."""
    return RedisIdempotencyStore(
        url=url,                      # "redis://cache.internal:6379/0", "rediss://..." for TLS
        prefix="mygame:invo:",        # one keyspace per game or environment
        lease_seconds=60,             # a dead worker's event runs again after this
        retention_seconds=7 * 86400,  # INVO retries for ~31 h; replays can come later
    )
# --8<-- [end:redis]


# --8<-- [start:postgres]
def postgres_store(conninfo: str) -> PostgresIdempotencyStore:
    """PostgreSQL (the ``postgres`` extra): the table is made if missing."""
    return PostgresIdempotencyStore(conninfo, table="invo_webhook_leases", lease_seconds=60)
# --8<-- [end:postgres]


# --8<-- [start:django]
def django_store() -> DjangoCacheIdempotencyStore:
    """Django's cache ``"default"`` (Redis, Memcached or the database cache; not LocMem)."""
    return DjangoCacheIdempotencyStore("default", prefix="invo:", lease_seconds=60)
# --8<-- [end:django]


# --8<-- [start:router]
router = WebhookRouter()


@router.on_payload(PurchaseCompletedData)
def credit_coins(purchase: PurchaseCompletedData, event: WebhookEvent) -> None:
    if purchase.is_renewal_mint_leg:
        return  # the coin leg of a subscription renewal: grant on subscription.renewed
    log.info("order %s: %s %s", purchase.order_id, purchase.currency_amount,
             purchase.currency_name)


@router.on_payload(ItemPurchasedData)
def grant_item(item: ItemPurchasedData, event: WebhookEvent) -> None:
    log.info("grant %s x%d (order %s)", item.item_id, item.item_quantity, item.order_id)


@router.on_payload(SubscriptionRenewedData)
def extend_membership(renewed: SubscriptionRenewedData, event: WebhookEvent) -> None:
    log.info("subscription %s paid through %s", renewed.subscription_id, renewed.period_end)


def take_back(event: WebhookEvent) -> None:
    """Refunds and lost disputes alike, whatever the rail."""
    payload = event.payload()
    log.info("take back %s (%s)", payload.get("order_id"), event.event_type)


router.add(EventType.PURCHASE_REFUNDED, take_back)    # the same, as a plain call
router.add(EventType.PURCHASE_DISPUTED, take_back)


@router.fallback
def everything_else(event: WebhookEvent) -> None:
    log.info("ignored %s %s", event.event_type, event.event_id)  # answered 200
# --8<-- [end:router]


# --8<-- [start:receive]
def receive(raw_body: bytes, headers: Any, secrets: list[str],
            store: RedisIdempotencyStore) -> tuple[str, int]:
    """The framework-agnostic part of the view: the router is the handler."""
    from invonetwork.webhooks import receive_webhook

    reply = receive_webhook(raw_body, headers, secrets, store=store, handler=router)
    # 200 ok / duplicate, 409 in progress (INVO retries), 400 invalid, 500 not configured.
    # A store or handler exception propagates: your framework answers 500, INVO retries.
    return reply.text, reply.status
# --8<-- [end:receive]
