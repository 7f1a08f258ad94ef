"""receive_webhook: the whole receiver in one framework-agnostic call."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import traceback

import pytest

from invonetwork.testing import build_webhook_delivery, sign_webhook_payload
from invonetwork.webhooks import (
    InMemoryIdempotencyStore,
    WebhookEvent,
    WebhookReply,
    receive_webhook,
)

SECRET = "whsec_receive_current"
OLD_SECRET = "whsec_receive_previous"


class Recorder:
    """A handler that records events and fails its first ``failures`` calls."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.calls = 0
        self.failures = failures

    def __call__(self, event: WebhookEvent) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("the game database is down")
        self.events.append(event)


def test_valid_delivery_is_ok_once_then_duplicate() -> None:
    store, handler = InMemoryIdempotencyStore(), Recorder()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    reply = receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                            handler=handler)
    assert (reply.status, reply.text, reply.duplicate, reply.error_code) == (
        200, "ok", False, None)
    assert reply.event is not None and reply.event.raw == delivery.payload
    assert handler.events == [reply.event]

    again = receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                            handler=handler)
    assert (again.status, again.text, again.duplicate) == (200, "duplicate", True)
    assert again.event is not None
    assert again.event.idempotency_key == delivery.idempotency_key
    # A retry: new event id, timestamp and signature, same idempotency key.
    retry = build_webhook_delivery("purchase.completed", secret=SECRET,
                                   idempotency_key=delivery.idempotency_key)
    assert receive_webhook(retry.body, retry.headers, SECRET, store=store,
                           handler=handler).text == "duplicate"
    assert handler.calls == 1


def test_reply_is_a_frozen_dataclass() -> None:
    reply = WebhookReply(200, "ok")
    assert (reply.event, reply.duplicate, reply.error_code) == (None, False, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        reply.status = 500  # type: ignore[misc]


def test_tampered_body_is_400_and_not_handled() -> None:
    store, handler = InMemoryIdempotencyStore(), Recorder()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET,
                                      data={"usd_amount": "1.00"})
    tampered = delivery.body.replace(b'"1.00"', b'"999.00"')
    assert tampered != delivery.body
    reply = receive_webhook(tampered, delivery.headers, SECRET, store=store, handler=handler)
    assert (reply.status, reply.text, reply.event) == (400, "invalid webhook", None)
    assert reply.error_code == "WEBHOOK_SIGNATURE_INVALID"
    assert handler.calls == 0


@pytest.mark.parametrize(
    ("drop", "code"),
    [("X-Invo-Signature", "WEBHOOK_SIGNATURE_MISSING"), (None, "WEBHOOK_TIMESTAMP_EXPIRED")],
)
def test_other_verification_failures_are_400(drop: str, code: str) -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, timestamp=1_600_000_000)
    headers = {k: v for k, v in delivery.headers.items() if k != drop}
    reply = receive_webhook(delivery.body, headers, SECRET,
                            store=InMemoryIdempotencyStore(), handler=Recorder())
    assert (reply.status, reply.error_code) == (400, code)


@pytest.mark.parametrize("secrets", [None, "", [], ["", None]])
def test_missing_secret_is_500(secrets: object) -> None:
    handler = Recorder()
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    reply = receive_webhook(delivery.body, delivery.headers, secrets,  # type: ignore[arg-type]
                            store=InMemoryIdempotencyStore(), handler=handler)
    assert (reply.status, reply.text) == (500, "receiver not configured")
    assert reply.error_code == "WEBHOOK_SECRET_MISSING"
    assert handler.calls == 0


def test_an_invalid_option_of_your_own_is_500_not_a_bad_delivery() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    reply = receive_webhook(delivery.body, delivery.headers, SECRET, tolerance_seconds=-1,
                            store=InMemoryIdempotencyStore(), handler=Recorder())
    assert (reply.status, reply.error_code) == (500, "INVALID_INPUT")


def test_handler_error_propagates_and_releases_the_key() -> None:
    store, handler = InMemoryIdempotencyStore(), Recorder(failures=1)
    delivery = build_webhook_delivery("item.purchased", secret=SECRET)
    with pytest.raises(RuntimeError, match="database is down"):
        receive_webhook(delivery.body, delivery.headers, SECRET, store=store, handler=handler)
    assert handler.events == []
    retry = build_webhook_delivery("item.purchased", secret=SECRET,
                                   idempotency_key=delivery.idempotency_key)
    reply = receive_webhook(retry.body, retry.headers, SECRET, store=store, handler=handler)
    assert (reply.status, reply.text) == (200, "ok")
    assert len(handler.events) == 1
    assert receive_webhook(retry.body, retry.headers, SECRET, store=store,
                           handler=handler).duplicate


def test_no_frame_of_a_handler_error_holds_the_secret() -> None:
    def handler(event: WebhookEvent) -> None:
        raise RuntimeError("boom")

    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    with pytest.raises(RuntimeError) as info:
        receive_webhook(delivery.body, delivery.headers, [SECRET, OLD_SECRET],
                        store=InMemoryIdempotencyStore(), handler=handler)
    for frame, _ in traceback.walk_tb(info.tb):
        if frame.f_code.co_name == "receive_webhook":
            assert SECRET not in repr(frame.f_locals)
            break
    else:
        pytest.fail("receive_webhook is not on the traceback")


@pytest.mark.parametrize("case", [str.lower, str.upper, lambda name: name])
def test_header_names_in_any_case(case: object) -> None:
    assert callable(case)
    handler = Recorder()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, gzip=True)
    headers = {case(name): value for name, value in delivery.headers.items()}
    reply = receive_webhook(delivery.body, headers, SECRET,
                            store=InMemoryIdempotencyStore(), handler=handler)
    assert (reply.status, reply.text) == (200, "ok")
    assert handler.events[0].raw == delivery.payload


def test_werkzeug_headers_work() -> None:
    datastructures = pytest.importorskip("werkzeug.datastructures")
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    headers = datastructures.Headers(list(delivery.headers.items()))
    reply = receive_webhook(delivery.body, headers, SECRET,
                            store=InMemoryIdempotencyStore(), handler=Recorder())
    assert reply.status == 200


def test_gzip_body_is_inflated_and_garbage_is_400() -> None:
    handler = Recorder()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, gzip=True)
    assert delivery.headers["Content-Encoding"] == "gzip"
    reply = receive_webhook(delivery.body, delivery.headers, SECRET,
                            store=InMemoryIdempotencyStore(), handler=handler)
    assert reply.status == 200
    assert handler.events[0].raw == delivery.payload

    plain = build_webhook_delivery("webhook.test", secret=SECRET)
    headers = dict(plain.headers, **{"content-encoding": "gzip"})
    bad = receive_webhook(plain.body, headers, SECRET,
                          store=InMemoryIdempotencyStore(), handler=handler)
    assert (bad.status, bad.error_code) == (400, "WEBHOOK_MALFORMED")


def test_max_body_bytes_is_passed_on() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    reply = receive_webhook(delivery.body, delivery.headers, SECRET, max_body_bytes=10,
                            store=InMemoryIdempotencyStore(), handler=Recorder())
    assert (reply.status, reply.error_code) == (400, "WEBHOOK_BODY_TOO_LARGE")


def _unkeyed(secret: str, header_key: str = "") -> tuple[bytes, dict[str, str]]:
    """A signed body with no idempotency_key, and its headers (the header key optional)."""
    payload = {"event_id": "evt_1", "event_type": "webhook.test", "data": {}}
    body = json.dumps(payload).encode()
    headers = {"X-Invo-Signature": sign_webhook_payload(body, secret)}
    if header_key:
        headers["X-Invo-Idempotency-Key"] = header_key
    return body, headers


def test_key_comes_from_the_signed_body_not_the_header() -> None:
    store, handler = InMemoryIdempotencyStore(), Recorder()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    assert receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                           handler=handler).text == "ok"
    forged = dict(delivery.headers, **{"X-Invo-Idempotency-Key": "something-new"})
    reply = receive_webhook(delivery.body, forged, SECRET, store=store, handler=handler)
    assert reply.duplicate
    assert handler.calls == 1


def test_key_falls_back_to_the_header_when_the_body_has_none() -> None:
    store, handler = InMemoryIdempotencyStore(), Recorder()
    body, headers = _unkeyed(SECRET, header_key="idem_from_header")
    first = receive_webhook(body, headers, SECRET, store=store, handler=handler)
    assert (first.status, first.text) == (200, "ok")
    assert first.event is not None and first.event.idempotency_key == ""
    again = receive_webhook(body, headers, SECRET, store=store, handler=handler)
    assert again.duplicate
    assert handler.calls == 1
    assert not store.claim("idem_from_header")  # claimed under the header's key


def test_no_key_in_body_or_header_is_400() -> None:
    handler = Recorder()
    body, headers = _unkeyed(SECRET)
    reply = receive_webhook(body, headers, SECRET,
                            store=InMemoryIdempotencyStore(), handler=handler)
    assert (reply.status, reply.text, reply.error_code) == (400, "no idempotency key", None)
    assert reply.event is not None
    assert handler.calls == 0


def test_rotation_and_now_are_passed_on() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=OLD_SECRET, timestamp=1_600_000_000)
    reply = receive_webhook(delivery.body, delivery.headers, [SECRET, OLD_SECRET],
                            now=1_600_000_100, tolerance_seconds=300,
                            store=InMemoryIdempotencyStore(), handler=Recorder())
    assert reply.status == 200


def test_importing_the_package_stays_light() -> None:
    code = (
        "import sys, invonetwork.webhooks as w\n"
        "assert 'requests' not in sys.modules\n"
        "assert 'invonetwork.webhooks._receive' not in sys.modules\n"
        "assert callable(w.receive_webhook) and 'receive_webhook' in w.__all__\n"
        "assert 'WebhookReply' in w.__all__\n"
        "assert 'requests' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_store_classes_load_without_their_drivers() -> None:
    code = (
        "import sys, invonetwork.webhooks as w\n"
        "names = [w.RedisIdempotencyStore, w.PostgresIdempotencyStore,\n"
        "         w.DjangoCacheIdempotencyStore, w.WebhookRouter, w.receive_webhook]\n"
        "loaded = [m for m in ('requests', 'redis', 'psycopg', 'django') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert all(name in w.__all__ for name in ('RedisIdempotencyStore',\n"
        "    'PostgresIdempotencyStore', 'DjangoCacheIdempotencyStore', 'WebhookRouter'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_a_duplicate_while_the_first_is_in_progress_is_409() -> None:
    store = InMemoryIdempotencyStore()
    delivery = build_webhook_delivery("item.purchased", secret=SECRET)
    inner: list[WebhookReply] = []

    def handler(event: WebhookEvent) -> None:
        # INVO's retry arrives while this first delivery is still being handled.
        inner.append(receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                                     handler=Recorder()))

    first = receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                            handler=handler)
    assert (first.status, first.text) == (200, "ok")
    assert (inner[0].status, inner[0].text, inner[0].in_progress) == (409, "in progress", True)
    assert inner[0].event is not None and not inner[0].duplicate


def test_a_lease_less_store_still_works() -> None:
    class ClaimOnly:
        def __init__(self) -> None:
            self.keys: set[str] = set()

        def claim(self, key: str) -> bool:
            if key in self.keys:
                return False
            self.keys.add(key)
            return True

        def release(self, key: str) -> None:
            self.keys.discard(key)

    store, handler = ClaimOnly(), Recorder(failures=1)
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    with pytest.raises(RuntimeError):
        receive_webhook(delivery.body, delivery.headers, SECRET, store=store, handler=handler)
    texts = [receive_webhook(delivery.body, delivery.headers, SECRET, store=store,
                             handler=handler).text for _ in range(2)]
    assert texts == ["ok", "duplicate"]
    assert len(handler.events) == 1
