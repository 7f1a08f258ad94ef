"""Exactly-once across processes through receive_webhook, on real servers: 8 processes racing
on 1,000 deliveries, a worker killed with SIGKILL mid-handler, and the store going away."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import invo_webhooks_race_worker as worker
import pytest
from invo_store_kinds import SHARED_KINDS, build_store, isolate
from invo_store_servers import PostgresServer, RedisServer, require_module

from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    InMemoryIdempotencyStore,
    PostgresIdempotencyStore,
    RedisIdempotencyStore,
    WebhookEvent,
    receive_webhook,
)

SECRET = "whsec_process_tests"


def _spec(request: pytest.FixtureRequest, kind: str, tmp_path: Path,
          **options: Any) -> tuple[str, str, dict[str, Any]]:
    if kind == "sqlite":
        location = str(tmp_path / "leases.sqlite3")
    elif kind in ("redis", "django-redis"):
        if kind == "django-redis":
            require_module("django")
        location = request.getfixturevalue("redis_server").url
    else:
        location = request.getfixturevalue("postgres_server").url
    spec = (kind, location, isolate(kind, options))
    build_store(spec)  # create the table (or file) once, before the racers start
    return spec


def _deliveries(count: int) -> list[tuple[bytes, dict[str, str]]]:
    made = []
    for index in range(count):
        delivery = build_webhook_delivery("webhook.test", secret=SECRET,
                                          idempotency_key=f"race-{index:04d}")
        made.append((delivery.body, delivery.headers))
    return made


@pytest.mark.parametrize("kind", SHARED_KINDS)
def test_eight_processes_on_1000_deliveries_run_each_handler_once(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    spec = _spec(request, kind, tmp_path)
    deliveries = _deliveries(1000)
    ctx = multiprocessing.get_context("spawn")
    racers = 8
    barrier = ctx.Barrier(racers)
    results = ctx.Queue()
    procs = [ctx.Process(target=worker.receive_all,
                         args=(spec, SECRET, deliveries, barrier, results, seed))
             for seed in range(racers)]
    for proc in procs:
        proc.start()
    try:
        outcomes = [results.get(timeout=300) for _ in range(racers)]
    finally:
        for proc in procs:
            proc.join(60)
            if proc.is_alive():
                proc.kill()
    assert all(proc.exitcode == 0 for proc in procs)
    assert [left for _, left in outcomes] == [0] * racers  # every delivery got its 200
    runs = Counter(key for handled, _ in outcomes for key in handled)
    assert sum(runs.values()) == 1000
    assert set(runs) == {f"race-{index:04d}" for index in range(1000)}
    assert max(runs.values()) == 1
    assert sum(1 for handled, _ in outcomes if handled) > 1  # the work really was shared


def test_in_memory_store_eight_threads_on_1000_deliveries() -> None:
    """The in-memory store dedupes per process: threads of one process share it."""
    store = InMemoryIdempotencyStore()
    deliveries = _deliveries(1000)
    runs: Counter[str] = Counter()
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def handler(event: WebhookEvent) -> None:
        with lock:
            runs[event.idempotency_key] += 1

    def run(offset: int) -> None:
        barrier.wait()
        pending = deliveries[offset * 125:] + deliveries[:offset * 125]
        while pending:
            pending = [d for d in pending if receive_webhook(
                d[0], d[1], SECRET, store=store, handler=handler).status == 409]

    threads = [threading.Thread(target=run, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert sum(runs.values()) == 1000 and max(runs.values()) == 1


@pytest.mark.parametrize("kind", SHARED_KINDS)
def test_a_worker_killed_mid_handler_is_processed_once_after_its_lease_expires(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    lease = 2.0  # renewed every 2/3 s: ample slack on a busy machine
    spec = _spec(request, kind, tmp_path, lease_seconds=lease)
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    started = tmp_path / "started"
    ctx = multiprocessing.get_context("spawn")
    proc = ctx.Process(target=worker.receive_and_hang,
                       args=(spec, SECRET, delivery.body, delivery.headers, str(started)))
    proc.start()
    try:
        deadline = time.monotonic() + 60
        while not started.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert started.exists(), "the worker never reached its handler"
        time.sleep(lease * 1.2)  # the worker's renewals keep the lease past its first expiry
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(30)
    finally:
        if proc.is_alive():
            proc.kill()
    assert proc.exitcode == -signal.SIGKILL

    store = build_store(spec)
    handled: list[str] = []

    def handler(event: WebhookEvent) -> None:
        handled.append(event.event_id)

    retry = build_webhook_delivery("purchase.completed", secret=SECRET,
                                   idempotency_key=delivery.idempotency_key)
    early = receive_webhook(retry.body, retry.headers, SECRET, store=store, handler=handler)
    assert (early.status, early.text, early.in_progress) == (409, "in progress", True)
    time.sleep(lease * 1.6)  # no renewals any more: the lease runs out
    later = receive_webhook(retry.body, retry.headers, SECRET, store=store, handler=handler)
    assert (later.status, later.text) == (200, "ok")
    again = receive_webhook(retry.body, retry.headers, SECRET, store=store, handler=handler)
    assert (again.status, again.text) == (200, "duplicate")
    assert handled == [retry.headers["X-Invo-Event-Id"]]


# -- the store going away -------------------------------------------------------------------


def _flask_answer(store: Any, handler: Any, delivery: Any) -> int:
    """What a Flask receiver answers (an exception becomes Flask's 500)."""
    flask = pytest.importorskip("flask")
    app = flask.Flask("outage")

    @app.post("/hook")
    def hook() -> Any:
        reply = receive_webhook(flask.request.get_data(), flask.request.headers, SECRET,
                                store=store, handler=handler)
        return reply.text, reply.status

    response = app.test_client().post("/hook", data=delivery.body, headers=delivery.headers)
    return int(response.status_code)


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_the_store_going_away_answers_5xx_and_loses_nothing(kind: str) -> None:
    require_module("redis" if kind == "redis" else "psycopg")
    server: Any = RedisServer() if kind == "redis" else PostgresServer()
    lease = 1.0
    try:
        if kind == "redis":
            import redis

            client = redis.Redis.from_url(server.url, socket_timeout=5, socket_connect_timeout=2)
            store: Any = RedisIdempotencyStore(client, lease_seconds=lease)
        else:
            store = PostgresIdempotencyStore(server.url, lease_seconds=lease)
        runs: Counter[str] = Counter()
        kill_during: set[str] = set()

        def handler(event: WebhookEvent) -> None:
            runs[event.idempotency_key] += 1
            if event.idempotency_key in kill_during:
                kill_during.discard(event.idempotency_key)
                server.kill()  # the store dies while the handler runs

        a, b, c = (build_webhook_delivery("item.purchased", secret=SECRET) for _ in range(3))
        assert _flask_answer(store, handler, a) == 200

        kill_during.add(c.idempotency_key)
        assert _flask_answer(store, handler, c) == 500  # ran, but "done" could not be saved
        assert _flask_answer(store, handler, b) == 500  # store down: not run, INVO retries
        assert runs[b.idempotency_key] == 0

        server.start()  # back, with what it had persisted
        assert _flask_answer(store, handler, a) == 200  # still known as done
        assert runs[a.idempotency_key] == 1
        assert _flask_answer(store, handler, b) == 200
        assert runs[b.idempotency_key] == 1
        # c's lease was written before the outage: in progress until it expires, then rerun.
        deadline = time.monotonic() + 10
        answers = []
        while runs[c.idempotency_key] < 2 and time.monotonic() < deadline:
            answers.append(_flask_answer(store, handler, c))
            time.sleep(0.2)
        assert answers[-1] == 200 and set(answers[:-1]) <= {409}
        assert runs == Counter({a.idempotency_key: 1, b.idempotency_key: 1,
                                c.idempotency_key: 2})
        assert _flask_answer(store, handler, c) == 200 and runs[c.idempotency_key] == 2
        close = getattr(store, "close", None)
        if close is not None:
            close()
    finally:
        server.stop()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.parametrize("kind", ["redis", "postgres", "django-redis"])
def test_a_store_made_before_fork_works_in_every_child(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    """gunicorn --preload: the store (and its open connections) made in the parent, then
    four forked workers plus the parent share the work; each delivery runs once."""
    spec = _spec(request, kind, tmp_path)
    store = build_store(spec)
    warm = build_webhook_delivery("webhook.test", secret=SECRET)
    assert receive_webhook(warm.body, warm.headers, SECRET, store=store,
                           handler=lambda e: None).text == "ok"  # a connection is open now
    deliveries = _deliveries(200)
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=worker.receive_with_inherited_store,
                         args=(store, SECRET, deliveries, results)) for _ in range(4)]
    for proc in procs:
        proc.start()
    parent: list[str] = []
    pending = list(deliveries)
    while pending:
        pending = [d for d in pending if receive_webhook(
            d[0], d[1], SECRET, store=store, handler=lambda e: parent.append(
                e.idempotency_key)).status == 409]
    outcomes = [results.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    runs = Counter(parent)
    for _, handled, left in outcomes:
        assert left == 0
        runs.update(handled)
    assert sorted(runs) == sorted(f"race-{index:04d}" for index in range(200))
    assert max(runs.values()) == 1
    # The parent's own connections still work after the children used theirs.
    assert receive_webhook(warm.body, warm.headers, SECRET, store=store,
                           handler=lambda e: None).text == "duplicate"
