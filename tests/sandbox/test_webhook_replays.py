"""Replays and waits over real HTTP: dead letters, replaying one event, timeouts, flushing."""

from __future__ import annotations

import json

import pytest

from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.webhooks import verify_webhook


def test_dead_letters_replay_with_the_same_key_and_a_new_event_id() -> None:
    with WebhookReceiver(statuses=[500] * 7) as rx, Sandbox(webhook_retry_scale=0.00001) as sb:
        sb.set_webhook_url(rx.url, ["webhook.test"])
        key = sb.emit_event("webhook.test", {"message": "x"})
        last = sb.wait_for_webhook("webhook.test", delivered=False, timeout=10,
                                   idempotency_key=key)
        assert sb.wait_until(lambda: len(sb.dead_letters) == 1, timeout=10)
        assert last.idempotency_key == key
        attempts = [d for d in sb.deliveries if d.idempotency_key == key]
        assert len(attempts) == 7 and attempts[-1].dead_lettered
        assert sb.replay_dead_letters() == 1 and sb.dead_letters == []
        done = sb.wait_for_webhook("webhook.test", idempotency_key=key, timeout=10)
        assert done.delivered and done.attempt == 1
        assert rx.received[-1].idempotency_key == key
        assert sb.pending_deliveries == 0 or sb.flush_webhooks(5)


def test_replaying_one_event_delivers_it_again_under_the_same_key() -> None:
    with WebhookReceiver() as rx, Sandbox() as sb:
        sb.set_webhook_url(rx.url)
        key = sb.emit_event("purchase.refunded", {"order_id": "o1"})
        first = sb.wait_for_webhook("purchase.refunded")
        sb.replay_event(key)
        rx.wait_for(2, event_type="purchase.refunded")
        bodies = [json.loads(r.body) for r in rx.of_type("purchase.refunded")]
        assert {b["idempotency_key"] for b in bodies} == {key}
        assert first.event_id == bodies[0]["event_id"]
        for hook in rx.received:
            event = verify_webhook(hook.body, hook.signature, sb.webhook_secret)
            assert event.idempotency_key == key
        with pytest.raises(KeyError):
            sb.replay_event("not-a-key")


def test_waiting_for_a_webhook_that_never_comes_times_out() -> None:
    with Sandbox() as sb:
        with pytest.raises(TimeoutError, match=r"no delivered item\.purchased"):
            sb.wait_for_webhook("item.purchased", timeout=0.05)
        assert sb.flush_webhooks(0.5)


def test_only_subscribed_types_are_delivered_and_every_event_is_recorded() -> None:
    with WebhookReceiver() as rx, Sandbox() as sb:
        sb.set_webhook_url(rx.url, ["wanted.one"])
        sb.emit_event("unwanted.one", {})
        sb.emit_event("wanted.one", {"n": 1})
        sb.wait_for_webhook("wanted.one")
        assert sb.flush_webhooks(5)
        assert [r.event_type for r in rx.received] == ["wanted.one"]
        assert [e["event_type"] for e in sb.events] == ["unwanted.one", "wanted.one"]
