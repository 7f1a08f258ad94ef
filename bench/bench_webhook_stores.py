"""Deliveries per second through receive_webhook, per process, with each dedupe store (by hand).

    python bench/bench_webhook_stores.py [--count 2000]

Starts a throwaway redis-server and PostgreSQL on 127.0.0.1 (the test suite's helpers, so the
binaries must be installed; set INVO_BENCH_REDIS_URL / INVO_BENCH_POSTGRES_URL to use running
servers instead; INVO_BENCH_REDIS_FSYNC=always|everysec picks the throwaway Redis's
``appendfsync``, everysec by default). For each store it sends ``count`` fresh signed
deliveries (each one: verify, lease, handler, done) and then the same ``count`` again (each
one a duplicate: verify, one lookup), one process, one thread, and prints deliveries/s, the
median of three runs. The baseline is verify_webhook alone. Results: docs/webhooks-at-scale.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "webhooks"))

from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    DjangoCacheIdempotencyStore,
    InMemoryIdempotencyStore,
    PostgresIdempotencyStore,
    RedisIdempotencyStore,
    SQLiteIdempotencyStore,
    receive_webhook,
    verify_webhook,
)

SECRET = "whsec_bench_stores"


def _deliveries(count: int) -> list[tuple[bytes, dict[str, str]]]:
    made = []
    for _ in range(count):
        delivery = build_webhook_delivery("item.purchased", secret=SECRET)
        made.append((delivery.body, delivery.headers))
    return made


def _rate(run: Callable[[], None], count: int) -> float:
    start = time.perf_counter()
    run()
    return count / (time.perf_counter() - start)


def _measure(make_store: Callable[[], Any], count: int) -> tuple[float, float]:
    fresh, dup = [], []
    for _ in range(3):
        store = make_store()
        deliveries = _deliveries(count)

        def once(store: Any = store, deliveries: list[Any] = deliveries) -> None:
            for body, headers in deliveries:
                reply = receive_webhook(body, headers, SECRET, store=store,
                                        handler=lambda event: None)
                assert reply.status == 200

        fresh.append(_rate(once, count))
        dup.append(_rate(once, count))
        close = getattr(store, "close", None)
        if close is not None:
            close()
    return statistics.median(fresh), statistics.median(dup)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    count = parser.parse_args().count
    servers: list[Any] = []
    redis_url = os.environ.get("INVO_BENCH_REDIS_URL")
    postgres_url = os.environ.get("INVO_BENCH_POSTGRES_URL")
    from invo_store_servers import PostgresServer, RedisServer

    if not redis_url:
        # INVO_BENCH_REDIS_FSYNC: always (every write on disk first) or everysec (the usual)
        servers.append(RedisServer(os.environ.get("INVO_BENCH_REDIS_FSYNC", "everysec")))
        redis_url = servers[-1].url
    if not postgres_url:
        servers.append(PostgresServer())
        postgres_url = servers[-1].url
    tmp = tempfile.mkdtemp(prefix="invo-bench-")
    try:
        from django.core.cache.backends.redis import RedisCache

        stores: list[tuple[str, Callable[[], Any]]] = [
            ("in-memory", InMemoryIdempotencyStore),
            ("sqlite (file)", lambda: SQLiteIdempotencyStore(
                os.path.join(tmp, f"{uuid.uuid4().hex}.sqlite3"))),
            ("redis", lambda: RedisIdempotencyStore(url=redis_url,
                                                    prefix=f"b{uuid.uuid4().hex}:")),
            ("postgres", lambda: PostgresIdempotencyStore(
                postgres_url, table=f"b_{uuid.uuid4().hex[:12]}")),
            ("django cache (redis)", lambda: DjangoCacheIdempotencyStore(
                RedisCache(redis_url, {}), prefix=f"b{uuid.uuid4().hex}:")),
        ]
        deliveries = _deliveries(count)

        def verify_only() -> None:
            for body, headers in deliveries:
                verify_webhook(body, headers["X-Invo-Signature"], SECRET)

        print(f"{count} deliveries, one process, one thread (median of 3)")
        print(f"{'store':24} {'new/s':>10} {'duplicate/s':>12}")
        base = statistics.median(_rate(verify_only, count) for _ in range(3))
        print(f"{'verify only (baseline)':24} {base:10.0f} {'':>12}")
        for name, make in stores:
            fresh, dup = _measure(make, count)
            print(f"{name:24} {fresh:10.0f} {dup:12.0f}")
    finally:
        for server in servers:
            server.stop()
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
