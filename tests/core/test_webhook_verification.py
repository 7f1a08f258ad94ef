"""verify_webhook: signature format, order of checks and codes, WebhookEvent fields."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any, Optional

import pytest

from invonetwork import InvoError, WebhookEvent, verify_webhook
from invonetwork.webhooks import verify_webhook as verify_webhook2

SECRET = "whsec_test_1"
NOW = 1_700_000_000
BODY = json.dumps({"event_id": "ev1", "idempotency_key": "ik1", "event_type": "purchase.completed",
                   "schema_version": "1", "created_at": "2023", "tenant_id": "tn",
                   "data": {"transaction_id": "t", "usd_amount": "9.99"}}).encode()


def sign(body: bytes, secret: str = SECRET, t: Any = NOW) -> str:
    return hmac.new(secret.encode("utf-8"), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


def header(body: bytes = BODY, secret: str = SECRET, t: Any = NOW) -> str:
    return f"t={t},v1={sign(body, secret, t)}"


def code_of(body: Any, hdr: Optional[str], secrets: Any = SECRET, **kw: Any) -> str:
    kw.setdefault("now", NOW)
    with pytest.raises(InvoError) as ei:
        verify_webhook(body, hdr, secrets, **kw)
    assert ei.value.status == 0
    return ei.value.code  # type: ignore[return-value]


def test_valid_event_fields() -> None:
    ev = verify_webhook(BODY, header(), SECRET, now=NOW)
    assert isinstance(ev, WebhookEvent)
    assert (ev.event_id, ev.idempotency_key, ev.event_type, ev.schema_version, ev.created_at,
            ev.tenant_id) == ("ev1", "ik1", "purchase.completed", "1", "2023", "tn")
    assert ev.data == {"transaction_id": "t", "usd_amount": "9.99"}
    assert ev.raw == json.loads(BODY)
    assert verify_webhook2 is verify_webhook


@pytest.mark.parametrize("kind", [bytes, bytearray, str])
def test_body_types(kind: Any) -> None:
    body = json.dumps({"event_type": "webhook.test", "data": {"n": "é"}},
                      ensure_ascii=False).encode("utf-8")
    raw = body.decode("utf-8") if kind is str else kind(body)
    assert verify_webhook(raw, header(body), SECRET, now=NOW).data == {"n": "é"}


def test_signature_over_raw_bytes_not_reserialized() -> None:
    body = b'{ "event_type" :"webhook.test",   "data":{} }'
    assert verify_webhook(body, header(body), SECRET, now=NOW).event_type == "webhook.test"
    with pytest.raises(InvoError):
        verify_webhook(json.dumps(json.loads(body)).encode(), header(body), SECRET, now=NOW)


def test_rotation_multiple_v1_and_secrets() -> None:
    good = sign(BODY, "new")
    hdr = f"t={NOW},v1={sign(BODY, 'old')},v1={good}"
    assert verify_webhook(BODY, hdr, ["other", "new"], now=NOW).event_id == "ev1"
    assert verify_webhook(BODY, hdr, ("old",), now=NOW).event_id == "ev1"
    assert verify_webhook(BODY, f"t={NOW},v1={good}", ["", "new"], now=NOW)
    assert code_of(BODY, hdr, ["x", "y"]) == "WEBHOOK_SIGNATURE_INVALID"


def test_header_parsing_spaces_and_first_equals() -> None:
    sig = sign(BODY)
    assert verify_webhook(BODY, f" t = {NOW} , v1 = {sig} ", SECRET, now=NOW)
    assert verify_webhook(BODY, f"v1={sig},t={NOW},v0=abc,x=y=z", SECRET, now=NOW)


@pytest.mark.parametrize("hdr", [None, ""])
def test_missing_header(hdr: Any) -> None:
    assert code_of(BODY, hdr) == "WEBHOOK_SIGNATURE_MISSING"
    assert code_of(BODY, hdr, "") == "WEBHOOK_SIGNATURE_MISSING"
    assert code_of(b"garbage", hdr, None) == "WEBHOOK_SIGNATURE_MISSING"


@pytest.mark.parametrize("secrets", ["", None, [], [""], ("", "")])
def test_missing_secret(secrets: Any) -> None:
    assert code_of(BODY, header(), secrets) == "WEBHOOK_SECRET_MISSING"
    assert code_of(BODY, "garbage", secrets) == "WEBHOOK_SECRET_MISSING"


@pytest.mark.parametrize("hdr", ["garbage", f"t={NOW}", "v1=abcd", f"t={NOW},v1=",
                                 f"t=,v1={sign(BODY)}", "t,v1", ",,,"])
def test_malformed_header(hdr: str) -> None:
    assert code_of(BODY, hdr) == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("t", ["abc", "nan", "inf", "-inf", "1e400", "0x10"])
def test_bad_timestamp(t: str) -> None:
    assert code_of(BODY, header(t=t)) == "WEBHOOK_TIMESTAMP_EXPIRED"


@pytest.mark.parametrize("delta,ok", [(0, True), (300, True), (-300, True), (301, False),
                                      (-301, False), (10_000, False)])
def test_tolerance(delta: int, ok: bool) -> None:
    t = NOW + delta
    if ok:
        verify_webhook(BODY, header(t=t), SECRET, now=NOW)
    else:
        assert code_of(BODY, header(t=t)) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_custom_tolerance_and_order_before_signature() -> None:
    t = NOW - 1000
    verify_webhook(BODY, header(t=t), SECRET, now=NOW, tolerance_seconds=1000)
    assert code_of(BODY, f"t={t},v1=deadbeef") == "WEBHOOK_TIMESTAMP_EXPIRED"
    assert code_of(BODY, header(t=t), tolerance_seconds=999) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_now_defaults_to_clock() -> None:
    import time

    t = int(time.time())
    assert verify_webhook(BODY, header(t=t), SECRET).event_id == "ev1"
    assert code_of(BODY, header(t=t - 3600), now=None) == "WEBHOOK_TIMESTAMP_EXPIRED"


@pytest.mark.parametrize("hdr", [f"t={NOW},v1=00", f"t={NOW},v1={'0' * 64}",
                                 f"t={NOW},v1=zz", f"t={NOW + 1},v1={sign(BODY)}"])
def test_invalid_signature(hdr: str) -> None:
    assert code_of(BODY, hdr) == "WEBHOOK_SIGNATURE_INVALID"


def test_wrong_secret_and_tampered_body() -> None:
    assert code_of(BODY, header(secret="nope")) == "WEBHOOK_SIGNATURE_INVALID"
    assert code_of(BODY + b" ", header()) == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.parametrize("body", [b"not json", b"[1]", b'"x"', b"null", b"{}",
                                  b'{"event_type": 5}', b'{"event_type": null}', b"",
                                  b"\xff\xfe"])
def test_verified_but_malformed_body(body: bytes) -> None:
    assert code_of(body, header(body)) == "WEBHOOK_MALFORMED"


def test_signature_checked_before_body() -> None:
    assert code_of(b"not json", header(b"other")) == "WEBHOOK_SIGNATURE_INVALID"


def test_defaults_and_unknown_type() -> None:
    body = b'{"event_type": "brand.new_type", "data": [1, 2], "event_id": null, "tenant_id": 7}'
    ev = verify_webhook(body, header(body), SECRET, now=NOW)
    assert ev.event_type == "brand.new_type"
    assert ev.data == {}
    for k in ("event_id", "idempotency_key", "schema_version", "created_at"):
        assert getattr(ev, k) == "", k
    assert isinstance(ev.tenant_id, str)
    assert ev.raw == json.loads(body)


def test_float_timestamp_accepted() -> None:
    t = f"{NOW}.5"
    event = verify_webhook(BODY, header(t=t), SECRET, now=NOW)
    assert event.event_type == "purchase.completed" and event.event_id == "ev1"


def test_invo_errors_only() -> None:
    for bad_secret in (123, object()):
        with pytest.raises(InvoError):
            verify_webhook(BODY, header(), bad_secret, now=NOW)  # type: ignore[arg-type]


def test_malformed_checked_before_timestamp() -> None:
    assert code_of(BODY, "t=abc") == "WEBHOOK_MALFORMED"
    assert code_of(BODY, "v1=ab,t=") == "WEBHOOK_MALFORMED"


def test_zero_tolerance() -> None:
    verify_webhook(BODY, header(), SECRET, now=NOW, tolerance_seconds=0)
    assert code_of(BODY, header(t=NOW - 1), tolerance_seconds=0) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_event_id_and_idempotency_key_independent() -> None:
    body = b'{"event_type": "transfer.sent", "event_id": "e2", "idempotency_key": "k1"}'
    ev = verify_webhook(body, header(body), SECRET, now=NOW)
    assert ev.event_id == "e2" and ev.idempotency_key == "k1" and ev.data == {}


@pytest.mark.parametrize("event_type", [
    "purchase.completed", "purchase.failed", "purchase.refunded", "purchase.disputed",
    "purchase.dispute_lost", "purchase.fraud_warning", "transfer.sent", "transfer.received",
    "transfer.claim_pending", "transfer.claim_expired", "transfer.refunded", "item.purchased",
    "payout.status_changed", "balance.updated", "webhook.test"])
def test_all_event_types_parse(event_type: str) -> None:
    body = json.dumps({"event_type": event_type, "data": {"new_balance": "1.00"}}).encode()
    ev = verify_webhook(body, header(body), SECRET, now=NOW)
    assert ev.event_type == event_type and ev.data == {"new_balance": "1.00"}
