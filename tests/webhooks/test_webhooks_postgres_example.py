"""The PostgreSQL same-transaction pattern of examples/webhooks_postgres.py, on a real server."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from invo_store_servers import PostgresServer, require_module

from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    ClaimStatus,
    Lease,
    LeaseLostError,
    WebhookEvent,
    new_token,
    receive_webhook,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "whsec_postgres_example"


@pytest.fixture
def example(postgres_server: PostgresServer) -> Any:
    require_module("psycopg")
    sys.path.insert(0, str(EXAMPLES))
    try:
        module = importlib.import_module("webhooks_postgres")
    finally:
        sys.path.remove(str(EXAMPLES))
    import psycopg

    with psycopg.connect(postgres_server.url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS inventory")
        conn.execute("DROP TABLE IF EXISTS invo_webhook_leases")
        conn.execute(module.INVENTORY_SQL)
    return module


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as conn:
        return list(conn.execute(sql).fetchall())


def test_grant_and_done_commit_together(example: Any, postgres_server: PostgresServer) -> None:
    url = postgres_server.url
    store = example.make_store(url)
    handler = example.make_grant_handler(url, store)
    delivery = build_webhook_delivery("item.purchased", secret=SECRET)
    reply = receive_webhook(delivery.body, delivery.headers, SECRET, store=store, handler=handler)
    assert (reply.status, reply.text) == (200, "ok")
    assert delivery.payload is not None
    retry = build_webhook_delivery("item.purchased", secret=SECRET,
                                   data=delivery.payload["data"],
                                   idempotency_key=delivery.idempotency_key)
    again = receive_webhook(retry.body, retry.headers, SECRET, store=store, handler=handler)
    assert (again.status, again.text) == (200, "duplicate")
    assert len(_rows(url, "SELECT * FROM inventory")) == 1
    assert _rows(url, "SELECT state, token FROM invo_webhook_leases") == [("d", "")]


def test_a_failure_before_commit_leaves_neither(example: Any,
                                                postgres_server: PostgresServer) -> None:
    url = postgres_server.url
    store = example.make_store(url)
    grant = example.make_grant_handler(url, store)
    failures = [RuntimeError("crashed after mark_done, before the commit")]

    def handler(event: WebhookEvent) -> None:
        import psycopg

        item = event.item_purchased()
        with psycopg.connect(url) as conn:
            conn.execute("INSERT INTO inventory VALUES (%s, %s, %s, %s)",
                         (item.order_id, item.player_email, item.item_id, item.item_quantity))
            store.mark_done(conn)
            if failures:
                raise failures.pop()

    delivery = build_webhook_delivery("item.purchased", secret=SECRET)
    with pytest.raises(RuntimeError):
        receive_webhook(delivery.body, delivery.headers, SECRET, store=store, handler=handler)
    assert _rows(url, "SELECT * FROM inventory") == []
    assert _rows(url, "SELECT * FROM invo_webhook_leases") == []  # abandoned: the retry runs
    reply = receive_webhook(delivery.body, delivery.headers, SECRET, store=store, handler=grant)
    assert reply.text == "ok"
    assert len(_rows(url, "SELECT * FROM inventory")) == 1


def test_a_worker_whose_lease_was_taken_over_rolls_back(example: Any,
                                                        postgres_server: PostgresServer) -> None:
    import psycopg

    url = postgres_server.url
    store = example.PostgresIdempotencyStore(url, lease_seconds=0.3)
    slow, fresh = new_token(), new_token()
    assert store.begin("evt", slow) is ClaimStatus.ACQUIRED
    time.sleep(0.5)
    assert store.begin("evt", fresh) is ClaimStatus.ACQUIRED  # the slow worker's lease expired
    with pytest.raises(LeaseLostError), psycopg.connect(url) as conn:
        conn.execute("INSERT INTO inventory VALUES ('ord_1', 'p@example.com', 'sword', 1)")
        store.mark_done(conn, Lease("evt", slow))
    assert _rows(url, "SELECT * FROM inventory") == []  # the slow worker's grant rolled back
    assert store.finish("evt", fresh)


def test_mark_done_outside_a_handler_needs_a_lease(example: Any,
                                                   postgres_server: PostgresServer) -> None:
    import psycopg

    from invonetwork.errors import InvalidInputError

    store = example.make_store(postgres_server.url)
    with psycopg.connect(postgres_server.url) as conn, pytest.raises(InvalidInputError):
        store.mark_done(conn)


def test_the_store_borrows_from_a_psycopg_pool(postgres_server: PostgresServer) -> None:
    pool_module = require_module("psycopg_pool")
    from invonetwork.webhooks import PostgresIdempotencyStore

    with pool_module.ConnectionPool(postgres_server.url, min_size=1, max_size=4,
                                    open=True) as pool:
        store = PostgresIdempotencyStore(pool, table="pooled_leases")
        first, second = new_token(), new_token()
        assert store.begin("evt", first) is ClaimStatus.ACQUIRED
        assert store.begin("evt", second) is ClaimStatus.IN_PROGRESS
        assert store.renew("evt", first)
        assert store.finish("evt", first)
        assert store.begin("evt", second) is ClaimStatus.DONE
        assert "evt" in store
        handled: list[str] = []
        delivery = build_webhook_delivery("webhook.test", secret=SECRET)
        for _ in range(2):
            receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                            handler=lambda e: handled.append(e.event_id))
        assert len(handled) == 1
        store.close()  # a borrowed pool is left to its owner
        assert not pool.closed
