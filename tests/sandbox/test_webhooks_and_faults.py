"""Webhook registration, delivery, retries, rotation; fault injection; lifecycle; threads."""

from __future__ import annotations

import gzip
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.webhooks import verify_webhook

from .conftest import Api, item_body

BALANCE = "/api/player-balances/player/by-email/ada%40example.com"  # an authenticated GET

REGISTER = "/api/dev/webhooks/games/1001"


def test_register_returns_the_secret_only_on_creation(sb: Sandbox, api: Api) -> None:
    with WebhookReceiver() as rx:
        first = api.put(REGISTER, {"target_url": rx.url, "subscribed_events": ["*"]})
        assert first.status_code == 200
        assert first.json()["created"] is True
        assert first.json()["signing_secret"] == sb.webhook_secret
        second = api.put(REGISTER, {"target_url": rx.url,
                                    "subscribed_events": ["item.purchased"]})
        assert second.json()["created"] is False and "signing_secret" not in second.json()
        assert second.json()["subscription"]["subscribed_events"] == ["item.purchased"]
    other_game = api.put("/api/dev/webhooks/games/999", {"target_url": "https://example.com/h"})
    assert other_game.status_code == 403
    for url in ("http://example.com/hook", "https://10.0.0.1/hook",
                "https://169.254.169.254/latest", "ftp://127.0.0.1/x"):
        r = api.put(REGISTER, {"target_url": url})
        assert r.status_code == 400 and r.json()["code"] == "INVALID_TARGET_URL", url


def test_delivery_headers_signature_and_subscription_filter(sb: Sandbox, api: Api) -> None:
    with WebhookReceiver() as rx:
        api.put(REGISTER, {"target_url": rx.url, "subscribed_events": ["item.purchased"]})
        api.post("/api/item-purchases/purchase-item", item_body("w1"))
        (hook,) = rx.wait_for(1, event_type="item.purchased")
        assert sb.flush_webhooks()
        assert [r.event_type for r in rx.received] == ["item.purchased"]  # filter applied
        event = verify_webhook(hook.body, hook.signature, sb.webhook_secret)
        assert event.event_type == "item.purchased" and event.tenant_id == "1001"
        assert event.data["total_price"] == "150.00"
        assert hook.header("Content-Type") == "application/json"
        assert hook.header("X-Invo-Secret-Version") == "1"
        assert hook.idempotency_key == event.idempotency_key
        assert hook.header("X-Invo-Event-Id") == event.event_id


def test_retries_keep_the_idempotency_key_then_dead_letter() -> None:
    with WebhookReceiver(default_status=500) as rx, Sandbox(webhook_retry_scale=1e-5) as sb:
        sb.set_webhook_url(rx.url, ["webhook.test"])
        key = sb.emit_event("webhook.test", {"n": 1})
        # 7 attempts: the first, then 30 s, 2 min, 10 min, 1 h, 6 h, 24 h (x 1e-5)
        hooks = rx.wait_for(7, timeout=10)
        assert sb.wait_until(lambda: len(sb.dead_letters) == 1)
        assert {h.idempotency_key for h in hooks} == {key}
        assert len({h.header("X-Invo-Event-Id") for h in hooks}) == 7
        attempts = [a for a in sb.deliveries if a.idempotency_key == key]
        assert [a.attempt for a in attempts] == [1, 2, 3, 4, 5, 6, 7]
        assert attempts[0].next_attempt_in == pytest.approx(30e-5)
        assert attempts[-1].dead_lettered and attempts[-1].next_attempt_in is None
        rx.respond_with(200)
        assert sb.replay_dead_letters() == 1
        replay = sb.wait_for_webhook("webhook.test")
        assert replay.delivered and replay.idempotency_key == key
        assert sb.dead_letters == []


def test_retry_after_connection_error_and_advance_time(sb: Sandbox) -> None:
    with Sandbox(webhook_retry_scale=1.0) as slow:
        with WebhookReceiver(statuses=[503]) as rx:
            slow.set_webhook_url(rx.url)
            slow.emit_event("webhook.test")
            failed = slow.wait_for_webhook("webhook.test", delivered=False)
            assert failed.status == 503 and failed.next_attempt_in == 30
            time.sleep(0.2)
            assert len(rx.received) == 1  # the retry waits 30 sandbox seconds...
            slow.advance_time(30)         # ...which the test can skip
            ok = slow.wait_for_webhook("webhook.test")
            assert ok.attempt == 2
        slow.set_webhook_url("http://127.0.0.1:9/nothing-listens")
        key = slow.emit_event("webhook.test")
        refused = slow.wait_for_webhook(idempotency_key=key, delivered=False, timeout=5)
        assert refused.status is None and refused.error


def test_rotation_signs_with_both_secrets_for_seven_days(sb: Sandbox, api: Api) -> None:
    with WebhookReceiver() as rx:
        api.put(REGISTER, {"target_url": rx.url})
        old = sb.webhook_secret
        r = api.post(f"{REGISTER}/rotate-secret")
        new = r.json()["signing_secret"]
        assert r.status_code == 200 and new != old and r.json()["secret_version"] == 2
        assert sb.webhook_secrets == [new, old]
        sb.emit_event("webhook.test")
        (hook,) = rx.wait_for(1)
        assert hook.signature is not None and hook.signature.count("v1=") == 2
        assert hook.header("X-Invo-Secret-Version") == "2"
        verify_webhook(hook.body, hook.signature, old)
        verify_webhook(hook.body, hook.signature, new)
        sb.advance_time(7 * 24 * 3600 + 1)
        assert sb.webhook_secrets == [new]
        sb.emit_event("webhook.test")
        hooks = rx.wait_for(2)
        assert hooks[1].signature is not None and hooks[1].signature.count("v1=") == 1


def test_gzip_deliveries(sb: Sandbox) -> None:
    with WebhookReceiver() as rx:
        sb.set_webhook_url(rx.url, gzip=True)
        sb.emit_event("webhook.test", {"hello": "world"})
        (hook,) = rx.wait_for(1)
        assert hook.header("Content-Encoding") == "gzip"
        assert gzip.decompress(hook.raw_body) == hook.body
        event = verify_webhook(hook.raw_body, hook.signature, sb.webhook_secret,
                               content_encoding="gzip")
        assert event.data == {"hello": "world"}


def test_seeded_webhook_url_and_test_event_endpoint(api: Api) -> None:
    with WebhookReceiver() as rx, Sandbox(webhook_url=rx.url) as sb:
        other = Api(sb)
        r = other.put(REGISTER, {"target_url": rx.url})
        assert r.json()["created"] is False  # already registered by the seed
        r = other.post(f"{REGISTER}/test", {"message": "hi"})
        assert r.status_code == 200
        (hook,) = rx.wait_for(1)
        assert json.loads(hook.body)["data"] == {"message": "hi"}
        other.close()


# -- faults ----------------------------------------------------------------------------------


def test_throttle_fail_and_counts(sb: Sandbox, api: Api) -> None:
    sb.throttle_next(2, retry_after=0.5, path="/api/sdk/player-token")
    sb.fail_next(1, status=503, path="/api/checkout/*")
    body = {"player_email": "ada@example.com"}
    first = api.post("/api/sdk/player-token", body)
    assert first.status_code == 429 and first.json()["retry_after"] == 0.5
    assert first.headers["Retry-After"] == "1"
    assert api.post("/api/sdk/player-token", body).status_code == 429
    assert api.post("/api/sdk/player-token", body).status_code == 200
    r = api.post("/api/checkout/sessions", {"player_email": "a@example.com", "usd_amount": "1"})
    assert r.status_code == 503
    assert sb.request_count("/api/sdk/player-token") == 3
    assert [rec.faulted for rec in sb.requests][:2] == ["status", "status"]
    assert sb.faults == []


def test_custom_body_stall_and_disconnect(sb: Sandbox, api: Api) -> None:
    sb.fail_next(1, status=503, body={"error": "flow_paused"})
    r = api.post("/api/checkout/sessions", {"player_email": "a@example.com", "usd_amount": "1"})
    assert r.status_code == 503 and r.json() == {"error": "flow_paused"}
    sb.stall_next(1, seconds=0.3, path=BALANCE)
    started = time.monotonic()
    assert api.get(BALANCE).status_code == 200
    assert time.monotonic() - started >= 0.3
    sb.disconnect_next(1, method="GET")
    with pytest.raises(requests.ConnectionError):
        api.get(BALANCE)
    assert api.get(BALANCE).status_code == 200


def test_admin_http_endpoints(sb: Sandbox, api: Api) -> None:
    admin = f"{sb.root_url}/__sandbox__"
    r = requests.post(f"{admin}/faults", json={"status": 429, "retry_after": 2, "count": 1,
                                               "path": "/api/wallet/identities"}, timeout=5)
    assert r.status_code == 200
    assert api.get("/api/wallet/identities",
                   params={"player_email": "ada@example.com"}).status_code == 429
    counts = requests.get(f"{admin}/requests", timeout=5).json()["counts"]
    assert counts == {"GET /api/wallet/identities": 1}
    requests.post(f"{admin}/players", json={"email": "new@example.com", "balance": "7"},
                  timeout=5)
    assert sb.balance("new@example.com") == Decimal("7")
    requests.post(f"{admin}/clock/advance", json={"seconds": 60}, timeout=5)
    assert sb.clock_offset == 60
    requests.post(f"{admin}/reset", timeout=5)
    assert sb.clock_offset == 0
    with pytest.raises(KeyError):
        sb.balance("new@example.com")
    r = requests.post(f"{admin}/players", json={"email": "x@example.com", "bogus": 1}, timeout=5)
    assert r.status_code == 400


# -- concurrency and lifecycle ---------------------------------------------------------------


def test_concurrent_item_purchases_keep_the_ledger_consistent(sb: Sandbox) -> None:
    sb.add_player("rich@example.com", balance="1000")

    def buy(i: int) -> int:
        client = Api(sb)
        try:
            r = client.post("/api/item-purchases/purchase-item", item_body(
                f"c{i % 30}", player_email="rich@example.com", unit_price="10",
                total_price="10"))
            return r.status_code
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(buy, range(60)))
    assert statuses.count(200) == 30 and statuses.count(409) == 30
    assert sb.balance("rich@example.com") == Decimal("700")


def test_stop_closes_keep_alive_connections_and_threads() -> None:
    before = {t.name for t in threading.enumerate()}
    sb = Sandbox().start()
    session = requests.Session()
    r = session.get(f"{sb.base_url}/api/player-balances/player/by-email/ada%40example.com",
                    headers={"User-Agent": "t", "X-Game-Secret-Key": sb.game_secret},
                    timeout=5)
    assert r.status_code == 404  # no such player, but the connection stays open
    sb.stall_next(1, seconds=30)
    outcome: list[str] = []

    def call_stalled() -> None:
        try:
            requests.get(f"{sb.base_url}/api/x", headers={"User-Agent": "t"}, timeout=20)
            outcome.append("answered")
        except requests.RequestException:
            outcome.append("dropped")

    stalled = threading.Thread(target=call_stalled, daemon=True)
    stalled.start()
    assert sb.wait_until(lambda: sb.request_count() == 2 or sb.faults == [], 5)
    started = time.monotonic()
    sb.stop()
    sb.stop()  # idempotent
    assert time.monotonic() - started < 5
    stalled.join(5)
    assert not stalled.is_alive() and outcome == ["dropped"]
    session.close()
    leftover = {t.name for t in threading.enumerate() if t.is_alive()} - before
    assert not {n for n in leftover if n.startswith("invo-sandbox")}
    with pytest.raises(RuntimeError):
        _ = sb.base_url


def test_constructor_rejects_bad_knobs() -> None:
    for kwargs in ({"port": -1}, {"path_prefix": "sandbox"}, {"path_prefix": "/api"},
                   {"game_secret": " "}, {"players": [{"name": "no email"}]},
                   {"platform_fee_percent": 101}):
        with pytest.raises(ValueError):
            Sandbox(**kwargs)  # type: ignore[arg-type]
