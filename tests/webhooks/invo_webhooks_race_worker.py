"""Child-process side of the cross-process idempotency race (imported by spawned workers)."""

from __future__ import annotations

from typing import Any


def claim_after_barrier(path: str, key: str, barrier: Any, results: Any) -> None:
    """Open the store, wait until every racer is ready, then claim ``key`` once."""
    from invonetwork.webhooks import SQLiteIdempotencyStore

    store = SQLiteIdempotencyStore(path)
    barrier.wait(timeout=60)
    results.put(store.claim(key))


def claim_many(path: str, keys: list[str], barrier: Any, results: Any) -> None:
    """Claim every key in ``keys``; report the ones this process won."""
    from invonetwork.webhooks import SQLiteIdempotencyStore

    store = SQLiteIdempotencyStore(path)
    barrier.wait(timeout=60)
    results.put([key for key in keys if store.claim(key)])
