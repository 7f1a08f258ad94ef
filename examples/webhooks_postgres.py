"""Exactly-once grants on PostgreSQL: the grant and the dedupe record commit together.

``docs/webhooks-at-scale.md`` includes this file;
``tests/webhooks/test_webhooks_postgres_example.py`` runs it against a real PostgreSQL server,
including a handler that fails half-way and a worker whose lease was taken over.

``receive_webhook`` takes a lease on the event in ``invo_webhook_leases`` (autocommit), then
calls the handler. The handler writes the grant AND marks the event done on one connection,
in one transaction: if anything fails before the commit, neither exists and INVO's retry
runs cleanly; once it commits, every later delivery of the event is a duplicate.
"""

from __future__ import annotations

from typing import Callable

import psycopg

from invonetwork.webhooks import PostgresIdempotencyStore, WebhookEvent

INVENTORY_SQL = """
CREATE TABLE IF NOT EXISTS inventory (
    order_id     text PRIMARY KEY,
    player_email text NOT NULL,
    item_id      text NOT NULL,
    quantity     integer NOT NULL
)
"""


# --8<-- [start:same-transaction]
def make_grant_handler(
    conninfo: str, store: PostgresIdempotencyStore
) -> Callable[[WebhookEvent], None]:
    """A handler for ``item.purchased`` whose grant commits with the dedupe record."""

    def grant_item(event: WebhookEvent) -> None:
        item = event.item_purchased()
        with psycopg.connect(conninfo) as conn:  # one transaction: commit on success
            conn.execute(
                "INSERT INTO inventory (order_id, player_email, item_id, quantity) "
                "VALUES (%s, %s, %s, %s)",
                (item.order_id, item.player_email, item.item_id, item.item_quantity),
            )
            store.mark_done(conn)  # "done", in the SAME transaction as the grant
        # Leaving the block commits both; an exception anywhere above rolls both back.

    return grant_item
# --8<-- [end:same-transaction]


# --8<-- [start:setup]
def make_store(conninfo: str) -> PostgresIdempotencyStore:
    """The shared store: one table, created if missing; leases of 60 s, done kept 7 days."""
    return PostgresIdempotencyStore(conninfo, lease_seconds=60, retention_seconds=7 * 86400)
# --8<-- [end:setup]
