"""invonetwork.testing: deliveries signed like INVO's, and stdlib-only imports."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

import pytest

from invonetwork.errors import InvalidInputError, WebhookVerificationError
from invonetwork.testing import (
    WebhookDelivery,
    build_webhook_delivery,
    make_event_body,
    sign_webhook_payload,
)
from invonetwork.webhooks import EventType, verify_webhook

SECRET = "whsec_helpers"
T = 1_700_000_000


def independent_mac(secret: str, t: int, body: bytes) -> str:
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def test_delivery_headers_are_the_contract_set_plus_the_sandbox_extras() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, timestamp=T,
                                      idempotency_key="idem-1", event_id="evt-1",
                                      secret_version=3)
    assert delivery.headers == {
        "Content-Type": "application/json",
        "X-Invo-Signature": f"t={T},v1={independent_mac(SECRET, T, delivery.body)}",
        "X-Invo-Idempotency-Key": "idem-1",
        "X-Invo-Event-Id": "evt-1",
        "X-Invo-Secret-Version": "3",
        "X-Invo-Event-Type": "purchase.completed",
        "X-Invo-Delivery-Attempt": "1",
    }
    assert delivery.signature_header == delivery.headers["X-Invo-Signature"]
    assert delivery.idempotency_key == "idem-1"
    assert delivery.timestamp == T


def test_delivery_body_is_a_realistic_event() -> None:
    delivery = build_webhook_delivery(EventType.ITEM_PURCHASED, secret=SECRET, timestamp=T,
                                      tenant_id="123")
    body = json.loads(delivery.body)
    assert body == delivery.payload
    assert body["event_type"] == "item.purchased"
    assert body["schema_version"] == "1.0"
    assert body["tenant_id"] == "123"
    assert body["created_at"] == "2023-11-14T22:13:20.000000+00:00"
    assert body["event_id"] == delivery.headers["X-Invo-Event-Id"]
    assert body["idempotency_key"] == delivery.headers["X-Invo-Idempotency-Key"]
    assert body["event_id"] != body["idempotency_key"]
    assert isinstance(body["data"]["unit_price"], str)  # money as decimal strings


def test_defaults_are_fresh_per_delivery_and_now() -> None:
    first = build_webhook_delivery("webhook.test", secret=SECRET)
    second = build_webhook_delivery("webhook.test", secret=SECRET)
    assert first.idempotency_key != second.idempotency_key
    assert first.headers["X-Invo-Event-Id"] != second.headers["X-Invo-Event-Id"]
    assert abs(first.timestamp - time.time()) < 5
    assert verify_webhook(first.body, first.signature_header, SECRET).event_type == "webhook.test"


def test_a_retry_keeps_the_idempotency_key_and_changes_the_event_id() -> None:
    first = build_webhook_delivery("purchase.completed", secret=SECRET, idempotency_key="same")
    retry = build_webhook_delivery("purchase.completed", secret=SECRET, idempotency_key="same")
    assert first.idempotency_key == retry.idempotency_key == "same"
    assert first.headers["X-Invo-Event-Id"] != retry.headers["X-Invo-Event-Id"]


def test_rotation_emits_one_v1_per_secret_in_order() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=["new", "old"], timestamp=T)
    value = delivery.signature_header
    assert value == (f"t={T},v1={independent_mac('new', T, delivery.body)},"
                     f"v1={independent_mac('old', T, delivery.body)}")
    for secret in ("new", "old"):
        assert verify_webhook(delivery.body, value, secret, now=T)


def test_explicit_data_is_used_verbatim() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, data={"only": 1})
    assert delivery.payload is not None
    assert delivery.payload["data"] == {"only": 1}


def test_a_whole_payload_mapping_is_sent_as_is() -> None:
    payload = {"event_type": "custom.thing", "event_id": "e9", "idempotency_key": "k9", "x": [1]}
    delivery = build_webhook_delivery(payload, secret=SECRET, timestamp=T)
    assert json.loads(delivery.body) == payload
    assert delivery.headers["X-Invo-Event-Id"] == "e9"
    assert delivery.headers["X-Invo-Idempotency-Key"] == "k9"


def test_raw_bytes_are_signed_verbatim() -> None:
    delivery = build_webhook_delivery(b"[not an event]", secret=SECRET, timestamp=T)
    assert delivery.body == b"[not an event]"
    assert delivery.payload is None
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T)
    assert info.value.code == "WEBHOOK_MALFORMED"  # signature fine, body not an event


def test_gzip_delivery() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, timestamp=T, gzip=True)
    assert delivery.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(delivery.body) == delivery.signed_body
    expected = independent_mac(SECRET, T, delivery.signed_body)
    assert delivery.signature_header == f"t={T},v1={expected}"


def test_non_ascii_payload_is_utf8() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, timestamp=T,
                                      data={"name": "Épée ⚔"})
    assert "Épée ⚔".encode() in delivery.body
    event = verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T)
    assert event.data == {"name": "Épée ⚔"}


def test_sign_webhook_payload_str_and_bytes_agree() -> None:
    assert sign_webhook_payload("{}", SECRET, timestamp=T) == sign_webhook_payload(
        b"{}", SECRET, timestamp=T
    )
    assert sign_webhook_payload(b"{}", SECRET, timestamp=T) == (
        f"t={T},v1={independent_mac(SECRET, T, b'{}')}"
    )


@pytest.mark.parametrize("secret", ["", [], [""], ["ok", ""], [1], None, b"x"])
def test_bad_secrets_are_refused(secret: Any) -> None:
    with pytest.raises(InvalidInputError):
        build_webhook_delivery("webhook.test", secret=secret)


@pytest.mark.parametrize("timestamp", [-1, 1.5, True, "1700000000"])
def test_bad_timestamps_are_refused(timestamp: Any) -> None:
    with pytest.raises(InvalidInputError):
        sign_webhook_payload(b"{}", SECRET, timestamp=timestamp)


def test_bad_event_argument_is_refused() -> None:
    with pytest.raises(InvalidInputError):
        build_webhook_delivery(42, secret=SECRET)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        make_event_body(None)  # type: ignore[arg-type]


def test_delivery_repr_does_not_show_secrets() -> None:
    delivery = build_webhook_delivery("webhook.test", secret="whsec_REPR_SECRET")
    assert "whsec_REPR_SECRET" not in repr(delivery)
    assert isinstance(delivery, WebhookDelivery)


# -- import isolation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "modules",
    ["invonetwork.webhooks", "invonetwork.testing", "invonetwork.webhooks, invonetwork.testing"],
)
def test_webhook_modules_do_not_import_requests(modules: str) -> None:
    code = (
        f"import sys, {modules}\n"
        "from invonetwork import verify_webhook, WebhookEvent, SQLiteIdempotencyStore\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'requests', 'urllib3', 'charset_normalizer', 'idna', 'certifi'})\n"
        "assert not loaded, loaded\n"
        "assert 'invonetwork._client' not in sys.modules\n"
        "assert 'invonetwork._transport' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_importing_webhooks_does_not_import_sqlite3() -> None:
    code = (
        "import sys, invonetwork.webhooks\n"
        "assert 'sqlite3' not in sys.modules\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr


def test_public_names() -> None:
    import invonetwork
    import invonetwork.webhooks as webhooks

    required = {"verify_webhook", "WebhookEvent", "EventType", "PurchaseCompletedData",
                "ItemPurchasedData", "IdempotencyStore", "InMemoryIdempotencyStore",
                "SQLiteIdempotencyStore", "decompress_webhook_body"}
    assert required <= set(webhooks.__all__)
    for name in webhooks.__all__:
        value = getattr(webhooks, name)
        if callable(value):
            assert value.__doc__, name
    for name in required - {"decompress_webhook_body"}:
        assert getattr(invonetwork, name) is getattr(webhooks, name)


@pytest.mark.parametrize("event_type", ["transfer.claim_pending", "transfer.claim_expired",
                                        "transfer.refunded"])
def test_transfer_samples_have_the_current_shape(event_type: str) -> None:
    """Samples follow the current catalogue: game ids as strings, no emails, no claim code."""
    from invonetwork.webhooks import WebhookEvent
    from invonetwork.webhooks._delivery import sample_event_data

    data = sample_event_data(event_type)
    assert not any("email" in key for key in data) and "claim_code" not in data
    event = WebhookEvent.from_payload({"event_id": "e", "event_type": event_type, "data": data})
    payload = event.payload()
    assert (payload.from_game_id, payload.to_game_id) == ("1001", "2002")  # type: ignore[union-attr]
    assert payload.amount == Decimal("25.00")  # type: ignore[union-attr]
    assert ("direction" in data) is (event_type != "transfer.refunded")
