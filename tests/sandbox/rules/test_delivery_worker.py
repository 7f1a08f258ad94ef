"""The webhook worker's schedule, without sockets: a scripted client answers each POST."""

from __future__ import annotations

import heapq
import json
from typing import Any, Optional

import pytest

from invonetwork.sandbox._delivery import RETRY_SCHEDULE, DeliveryTarget, DeliveryWorker
from invonetwork.sandbox._model import Clock
from invonetwork.webhooks import verify_webhook
from invonetwork.webhooks._delivery import WebhookDelivery

SECRETS = ["whsec_new", "whsec_old"]


class ScriptedClient:
    """Answers POSTs with the given statuses (``None``: no answer), recording each."""

    def __init__(self, *statuses: Optional[int]) -> None:
        self.statuses = list(statuses)
        self.posted: list[tuple[str, WebhookDelivery]] = []

    def post(self, url: str, delivery: WebhookDelivery) -> tuple[Optional[int], Optional[str]]:
        self.posted.append((url, delivery))
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            return None, "timed out"
        return status, None if 200 <= status < 300 else f"HTTP {status}"

    def close(self) -> None:
        pass


def worker(client: ScriptedClient, *, gzip: bool = False, subscribed: bool = True,
           scale: float = 1.0) -> tuple[DeliveryWorker, Clock]:
    clock = Clock()
    target = DeliveryTarget("http://127.0.0.1:9/hooks", SECRETS, 2, gzip)
    w = DeliveryWorker(clock, lambda event_type: target if subscribed else None,
                       retry_scale=scale)
    w._client = client  # type: ignore[assignment]
    return w, clock


def event(key: str = "k1", event_type: str = "item.purchased") -> dict[str, Any]:
    return {"event_id": key, "idempotency_key": key, "event_type": event_type,
            "schema_version": "1.0", "created_at": "2026-01-01T00:00:00.000000+00:00",
            "tenant_id": "1001", "data": {"x": 1}}


def run_due(w: DeliveryWorker) -> int:
    """Deliver every job due now, in order, on this thread; returns how many ran."""
    ran = 0
    while w._heap and w._heap[0][0] <= w._clock.now():
        _, _, job = heapq.heappop(w._heap)
        w._deliver(job)
        ran += 1
    return ran


def test_a_2xx_is_delivered_once_signed_with_every_valid_secret() -> None:
    client = ScriptedClient(204)
    w, _ = worker(client)
    w.enqueue(event())
    assert run_due(w) == 1
    (attempt,) = w.attempts
    assert attempt.delivered and attempt.attempt == 1 and attempt.next_attempt_in is None
    assert attempt.event_id == "k1" == attempt.idempotency_key  # first attempt keeps the id
    _, delivery = client.posted[0]
    assert delivery.signature_header.count("v1=") == 2
    for secret in SECRETS:
        assert verify_webhook(delivery.body, delivery.signature_header, secret).event_id == "k1"
    assert delivery.headers["X-Invo-Secret-Version"] == "2"
    assert attempt.headers["User-Agent"].startswith("INVO-Webhooks/")
    assert w.pending == 0


def test_failures_follow_the_schedule_then_dead_letter() -> None:
    client = ScriptedClient(*([500] * 7))
    w, clock = worker(client)
    w.enqueue(event())
    run_due(w)
    for delay in RETRY_SCHEDULE:
        assert w.attempts[-1].next_attempt_in == delay
        clock.advance(delay - 1)
        assert run_due(w) == 0  # not due yet
        clock.advance(1)
        assert run_due(w) == 1
    attempts = w.attempts
    assert [a.attempt for a in attempts] == [1, 2, 3, 4, 5, 6, 7]
    assert attempts[-1].dead_lettered and attempts[-1].next_attempt_in is None
    assert len({a.event_id for a in attempts}) == 7  # a new event id per attempt
    assert {a.idempotency_key for a in attempts} == {"k1"}
    bodies = [json.loads(d.signed_body) for _, d in client.posted]
    assert [b["event_id"] for b in bodies] == [a.event_id for a in attempts]
    (dead,) = w.dead_letters
    assert dead.attempts == 7 and dead.last_error == "HTTP 500"
    assert w.take_dead_letters() == [dead] and w.dead_letters == []


def test_a_timeout_counts_as_a_failure_and_recovery_stops_the_retries() -> None:
    client = ScriptedClient(None, 200)
    w, clock = worker(client, scale=0.001)
    w.enqueue(event())
    run_due(w)
    first = w.attempts[0]
    assert not first.delivered and first.error == "timed out" and first.status is None
    assert first.next_attempt_in == pytest.approx(0.03)
    clock.advance(0.03)
    run_due(w)
    assert w.attempts[-1].delivered and w.attempts[-1].headers["X-Invo-Delivery-Attempt"] == "2"
    assert w.pending == 0


def test_gzip_targets_get_compressed_bodies_signed_uncompressed() -> None:
    client = ScriptedClient(200)
    w, _ = worker(client, gzip=True)
    w.enqueue(event())
    run_due(w)
    _, delivery = client.posted[0]
    assert delivery.headers["Content-Encoding"] == "gzip"
    assert w.attempts[0].body == delivery.signed_body != delivery.body


def test_an_unsubscribed_event_is_dropped_without_an_attempt() -> None:
    client = ScriptedClient()
    w, _ = worker(client, subscribed=False)
    w.enqueue(event())
    run_due(w)
    assert client.posted == [] and w.attempts == []


def test_enqueue_delay_and_clear() -> None:
    w, clock = worker(ScriptedClient())
    w.enqueue(event("a"), delay=10)
    assert run_due(w) == 0 and w.pending == 1
    w.clear()
    assert w.pending == 0 and w.attempts == [] and w.dead_letters == []
    with pytest.raises(ValueError):
        DeliveryWorker(clock, lambda t: None, retry_scale=-1)


def test_the_thread_delivers_and_stops() -> None:
    client = ScriptedClient(200, 200)
    w, _ = worker(client)
    w.start()
    try:
        w.enqueue(event("a"))
        w.enqueue(event("b"))
        found = w.wait_for(lambda a: a.idempotency_key == "b", timeout=5)
        assert found is not None and found.delivered
        assert w.wait_idle(5)
    finally:
        w.stop()
    assert w._thread is None


def test_stop_drops_nothing_silently_but_stops_retrying() -> None:
    client = ScriptedClient(500)
    w, clock = worker(client)
    w.enqueue(event())
    run_due(w)
    assert w.pending == 1  # the retry waits 30 s
    assert w.wait_idle(0.01)  # nothing is due now: idle, though a retry waits
    w.stop()
    clock.advance(30)
    assert w._thread is None and w.pending == 1  # kept for inspection, never sent
    w.clear()
    assert w.pending == 0


def test_waits_give_up_at_their_deadline() -> None:
    w, _ = worker(ScriptedClient())
    assert w.wait_for(lambda a: True, timeout=0.02) is None
    w.enqueue(event())
    assert not w.wait_idle(0.02)  # due now and nobody delivering
    run_due(w)
    assert w.wait_idle(0.02)


def test_replayed_events_keep_the_key_and_get_a_fresh_first_attempt() -> None:
    client = ScriptedClient(200, 200)
    w, _ = worker(client)
    w.enqueue(event("k9"))
    run_due(w)
    w.enqueue({k: v for k, v in event("k9").items() if k != "event_id"})
    run_due(w)
    first, second = w.attempts
    assert first.idempotency_key == second.idempotency_key == "k9"
    assert second.attempt == 1 and second.event_id != "k9"
