"""Child-process side of the cross-process tests (imported by spawned workers)."""

from __future__ import annotations

import os
import random
import time
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


def receive_all(spec: Any, secret: str, deliveries: list[tuple[bytes, dict[str, str]]],
                barrier: Any, results: Any, seed: int) -> None:
    """Deliver every delivery through receive_webhook, retrying 409s the way INVO would,
    until each got a 200; report the keys this process's handler ran for."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from invo_store_kinds import build_store

    from invonetwork.webhooks import WebhookEvent, receive_webhook

    store = build_store(spec)
    handled: list[str] = []

    def handler(event: WebhookEvent) -> None:
        handled.append(event.idempotency_key)

    pending = list(deliveries)
    random.Random(seed).shuffle(pending)
    barrier.wait(timeout=120)
    deadline = time.monotonic() + 240
    while pending and time.monotonic() < deadline:
        later = []
        for body, headers in pending:
            reply = receive_webhook(body, headers, secret, store=store, handler=handler)
            if reply.status == 409:
                later.append((body, headers))
            elif reply.status != 200:
                raise AssertionError(f"unexpected answer {reply.status} {reply.text}")
        pending = later
        if pending:
            time.sleep(0.01)
    results.put((handled, len(pending)))


def receive_and_hang(spec: Any, secret: str, body: bytes, headers: dict[str, str],
                     started_path: str) -> None:
    """Receive one delivery with a handler that announces itself, then hangs (until killed)."""
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from invo_store_kinds import build_store

    from invonetwork.webhooks import WebhookEvent, receive_webhook

    store = build_store(spec)

    def handler(event: WebhookEvent) -> None:
        with open(started_path, "w", encoding="utf-8") as marker:
            marker.write(str(os.getpid()))
        time.sleep(600)

    receive_webhook(body, headers, secret, store=store, handler=handler)


def receive_with_inherited_store(store: Any, secret: str,
                                 deliveries: list[tuple[bytes, dict[str, str]]],
                                 results: Any) -> None:
    """In a forked child: use the store object made (and used) by the parent before the fork."""
    from invonetwork.webhooks import WebhookEvent, receive_webhook

    handled: list[str] = []

    def handler(event: WebhookEvent) -> None:
        handled.append(event.idempotency_key)

    pending = list(deliveries)
    deadline = time.monotonic() + 120
    while pending and time.monotonic() < deadline:
        pending = [(body, headers) for body, headers in pending
                   if receive_webhook(body, headers, secret, store=store,
                                      handler=handler).status == 409]
    results.put((os.getpid(), handled, len(pending)))
