"""Properties of verify_webhook, checked on generated inputs (hypothesis)."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invonetwork.errors import InvoError
from invonetwork.webhooks import (
    decompress_webhook_body,
    verify_webhook,
    verify_webhook_signature,
)

NOW = 1_700_000_000
FAST = settings(max_examples=400, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
ROUGH = settings(max_examples=800, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

secrets_st = st.text(min_size=1, max_size=40)
timestamps = st.integers(min_value=NOW - 300, max_value=NOW + 300)
# Any unicode, surrogates included: a hostile header can carry anything a str can.
any_text = st.text(alphabet=st.characters(), max_size=120)


def mac(secret: str, t: Any, body: bytes) -> str:
    """Independent of the library: one-shot HMAC over the concatenation."""
    return hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
events = st.fixed_dictionaries(
    {"event_type": st.text(max_size=30)},
    optional={
        "event_id": json_values,
        "idempotency_key": json_values,
        "schema_version": json_values,
        "created_at": json_values,
        "tenant_id": json_values,
        "data": json_values,
    },
)


@FAST
@given(body=st.binary(max_size=2048), secret=secrets_st, t=timestamps)
def test_a_correct_signature_over_any_body_verifies(body: bytes, secret: str, t: int) -> None:
    value = f"t={t},v1={mac(secret, t, body)}"
    assert verify_webhook_signature(body, value, secret, now=NOW) is body
    try:
        verify_webhook(body, value, secret, now=NOW)
    except InvoError as err:  # the signature held; only the JSON check may fail
        assert err.code == "WEBHOOK_MALFORMED"


@FAST
@given(payload=events, secret=secrets_st, t=timestamps,
       form=st.sampled_from(["bytes", "bytearray", "str", "gzip"]))
def test_any_signed_event_round_trips(payload: dict[str, Any], secret: str, t: int,
                                      form: str) -> None:
    text = json.dumps(payload, ensure_ascii=False)
    signed = text.encode()
    raw: Any = {"bytes": signed, "bytearray": bytearray(signed), "str": text,
                "gzip": gzip.compress(signed)}[form]
    event = verify_webhook(raw, f"t={t},v1={mac(secret, t, signed)}", secret, now=NOW,
                           content_encoding="gzip" if form == "gzip" else None)
    assert event.raw == payload
    assert event.event_type == payload["event_type"]
    for name in ("event_id", "idempotency_key", "schema_version", "created_at", "tenant_id"):
        value = payload.get(name)
        assert getattr(event, name) == (value if isinstance(value, str) else "")
    assert event.data == (payload["data"] if isinstance(payload.get("data"), dict) else {})


@FAST
@given(body=st.binary(min_size=1, max_size=512), secret=secrets_st, t=timestamps,
       data=st.data())
def test_any_change_to_the_body_fails(body: bytes, secret: str, t: int,
                                      data: st.DataObject) -> None:
    changed = data.draw(st.binary(max_size=513).filter(lambda b: b != body), label="changed")
    value = f"t={t},v1={mac(secret, t, body)}"
    try:
        verify_webhook(changed, value, secret, now=NOW)
    except InvoError as err:
        assert err.code == "WEBHOOK_SIGNATURE_INVALID"
    else:
        raise AssertionError("a changed body verified")


@FAST
@given(body=st.binary(max_size=256), secret=secrets_st, t=timestamps, other=timestamps)
def test_any_change_to_the_timestamp_fails(body: bytes, secret: str, t: int, other: int) -> None:
    if other == t:
        other = t + 1 if t < NOW + 300 else t - 1
    value = f"t={other},v1={mac(secret, t, body)}"
    try:
        verify_webhook(body, value, secret, now=NOW)
    except InvoError as err:
        assert err.code == "WEBHOOK_SIGNATURE_INVALID"
    else:
        raise AssertionError("a changed timestamp verified")


@FAST
@given(body=st.binary(max_size=256), secret=secrets_st, t=timestamps,
       position=st.integers(min_value=0, max_value=63), data=st.data())
def test_any_change_to_the_signature_fails(body: bytes, secret: str, t: int, position: int,
                                           data: st.DataObject) -> None:
    good = mac(secret, t, body)
    replacement = data.draw(
        st.characters().filter(lambda c: c.lower() != good[position]), label="char"
    )
    bad = good[:position] + replacement + good[position + 1:]
    try:
        verify_webhook(body, f"t={t},v1={bad}", secret, now=NOW)
    except InvoError as err:
        # A blank or comma-split v1 is malformed; everything else simply does not match.
        assert err.code in {"WEBHOOK_SIGNATURE_INVALID", "WEBHOOK_MALFORMED"}
    else:
        raise AssertionError("a changed signature verified")


@FAST
@given(body=st.binary(max_size=256), secret=secrets_st, wrong=secrets_st, t=timestamps)
def test_another_secret_fails(body: bytes, secret: str, wrong: str, t: int) -> None:
    if wrong == secret:
        wrong += "x"
    try:
        verify_webhook_signature(body, f"t={t},v1={mac(secret, t, body)}", wrong, now=NOW)
    except InvoError as err:
        assert err.code == "WEBHOOK_SIGNATURE_INVALID"
    else:
        raise AssertionError("another secret verified")


# -- no input of any shape raises anything but InvoError ------------------------------------

anything = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), any_text, st.binary(max_size=64),
    st.lists(st.one_of(st.none(), st.integers(), any_text), max_size=3),
    st.dictionaries(any_text, st.integers(), max_size=2),
    st.tuples(any_text, any_text),
)
header_parts = st.one_of(
    st.builds(lambda v: f"t={v}", st.one_of(timestamps.map(str), any_text)),
    st.builds(lambda v: f"v1={v}", st.one_of(st.text("0123456789abcdefABCDEF ", max_size=66),
                                             any_text)),
    any_text,
)
headers = st.one_of(
    st.lists(header_parts, max_size=6).map(",".join),
    anything,
)
bodies = st.one_of(st.binary(max_size=300), any_text, anything,
                   st.binary(max_size=300).map(bytearray))
secret_args = st.one_of(any_text, st.lists(st.one_of(any_text, st.none(), st.integers()),
                                           max_size=3), anything)
options = st.fixed_dictionaries(
    {},
    optional={
        "tolerance_seconds": st.one_of(st.integers(-5, 10**6), st.floats(), anything),
        "now": st.one_of(st.just(NOW), st.floats(), anything),
        "content_encoding": st.one_of(st.sampled_from(["gzip", "GZIP", "identity", "br"]),
                                      anything),
        "max_body_bytes": st.one_of(st.integers(-3, 10**6), anything),
    },
)


@ROUGH
@given(body=bodies, value=headers, secrets=secret_args, kwargs=options)
def test_no_input_raises_anything_but_invo_error(body: Any, value: Any, secrets: Any,
                                                 kwargs: dict[str, Any]) -> None:
    try:
        verify_webhook(body, value, secrets, **kwargs)
    except InvoError as err:
        assert err.status == 0
        assert isinstance(err.code, str)
        assert err.code.startswith("WEBHOOK_") or err.code == "INVALID_INPUT"


@ROUGH
@given(body=st.binary(max_size=300), secret=secrets_st, t=timestamps,
       junk=st.lists(header_parts, max_size=4))
def test_signed_bodies_with_junk_around_the_header(body: bytes, secret: str, t: int,
                                                   junk: list[str]) -> None:
    parts = [f"t={t}", f"v1={mac(secret, t, body)}", *junk]
    try:
        verify_webhook(body, ",".join(parts), secret, now=NOW)
    except InvoError as err:
        assert err.status == 0


@FAST
@given(raw=st.one_of(st.binary(max_size=200), anything),
       cap=st.one_of(st.integers(-2, 5000), anything))
def test_decompress_raises_only_invo_error(raw: Any, cap: Any) -> None:
    try:
        decompress_webhook_body(raw, max_bytes=cap)
    except InvoError as err:
        assert err.status == 0


@FAST
@given(payload=st.binary(max_size=4000), cap=st.integers(1, 5000))
def test_decompress_round_trips_or_refuses(payload: bytes, cap: int) -> None:
    packed = gzip.compress(payload)
    try:
        assert decompress_webhook_body(packed, max_bytes=cap) == payload
        assert len(payload) <= cap
    except InvoError as err:
        assert err.code == "WEBHOOK_BODY_TOO_LARGE"
        assert len(payload) > cap or len(packed) > cap
