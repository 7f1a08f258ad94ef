"""verify_webhook: the signature scheme, the order of checks, rotation, the replay window,
body types, the hostile-input guards, and secrecy of the signing secret."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import shutil
import subprocess
import traceback
from typing import Any

import pytest

from invonetwork import InvoError, WebhookVerificationError
from invonetwork import verify_webhook as top_level_verify_webhook
from invonetwork.errors import InvalidInputError
from invonetwork.testing import build_webhook_delivery, sign_webhook_payload
from invonetwork.webhooks import (
    MAX_SIGNATURE_HEADER_LENGTH,
    MAX_SIGNATURES,
    WebhookEvent,
    verify_webhook,
    verify_webhook_signature,
)
from invonetwork.webhooks._signing import compute_signature

SECRET = "whsec_unit_secret"
OLD_SECRET = "whsec_unit_secret_old"
T = 1_700_000_000
BODY = b'{"event_id":"evt_1","idempotency_key":"idem_1","event_type":"webhook.test","data":{}}'

# Cross-check vectors computed outside this code base, with
#   printf '%s' '<t>.<body>' | openssl dgst -sha256 -hmac '<secret>'
VECTOR_BODY = (
    b'{"event_id":"evt_vector_1","idempotency_key":"idem_vector_1",'
    b'"event_type":"webhook.test","data":{}}'
)
VECTOR_T = 1700000000
VECTOR_SECRET = "whsec_vector_secret"
VECTOR_SIG = "a823a7ee704e8f8d4223c4136c63775e9da8016d5b5a6732dc48ad9b0fa927ae"
VECTOR_OLD_SECRET = "whsec_vector_secret_old"
VECTOR_OLD_SIG = "efb4e39748d587d35bc1a9d8a438e8ea8cbec7e4668e0d3d2e85dbb9e3f3b5ba"
# A non-ASCII secret and body (UTF-8 on both sides).
UTF8_BODY = '{"event_type":"purchase.completed","data":{"currency_name":"Piè€es"}}'
UTF8_T = 1700000123
UTF8_SECRET = "sécret-ключ"
UTF8_SIG = "0962a32b93e292e2a725dc8951384866d9926205b04f368745691a26e6ec12c4"


def header(*sigs: str, t: Any = T) -> str:
    return ",".join([f"t={t}", *(f"v1={s}" for s in sigs)])


def sign(body: bytes = BODY, secret: str = SECRET, t: int = T) -> str:
    return compute_signature(secret, t, body)


def code_of(*args: Any, **kwargs: Any) -> str:
    kwargs.setdefault("now", T)
    with pytest.raises(InvoError) as info:
        verify_webhook(*args, **kwargs)
    assert info.value.status == 0
    assert info.value.code is not None
    return info.value.code


# -- the scheme, cross-checked -------------------------------------------------------------


def test_hard_coded_openssl_vector_verifies() -> None:
    event = verify_webhook(VECTOR_BODY, f"t={VECTOR_T},v1={VECTOR_SIG}", VECTOR_SECRET,
                           now=VECTOR_T)
    assert event.event_id == "evt_vector_1"
    assert compute_signature(VECTOR_SECRET, VECTOR_T, VECTOR_BODY) == VECTOR_SIG
    assert compute_signature(VECTOR_OLD_SECRET, VECTOR_T, VECTOR_BODY) == VECTOR_OLD_SIG


def test_hard_coded_utf8_vector_verifies_for_str_and_bytes() -> None:
    assert compute_signature(UTF8_SECRET, UTF8_T, UTF8_BODY.encode()) == UTF8_SIG
    for body in (UTF8_BODY, UTF8_BODY.encode(), bytearray(UTF8_BODY.encode())):
        event = verify_webhook(body, f"t={UTF8_T},v1={UTF8_SIG}", UTF8_SECRET, now=UTF8_T)
        assert event.data == {"currency_name": "Piè€es"}


def test_the_vector_with_a_wrong_byte_fails() -> None:
    bad = VECTOR_SIG[:-1] + ("0" if VECTOR_SIG[-1] != "0" else "1")
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(VECTOR_BODY, f"t={VECTOR_T},v1={bad}", VECTOR_SECRET, now=VECTOR_T)
    assert info.value.code == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl is not installed")
@pytest.mark.parametrize("body", [BODY, UTF8_BODY.encode(), b"{}" * 3000])
def test_signature_matches_openssl_at_test_time(body: bytes) -> None:
    secret = "whsec_openssl_check"
    result = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret],
        input=f"{T}.".encode() + body,
        capture_output=True,
        check=True,
    )
    expected = result.stdout.decode().strip().rsplit(" ", 1)[-1]
    assert len(expected) == 64
    assert compute_signature(secret, T, body) == expected
    verify_webhook_signature(body, f"t={T},v1={expected}", secret, now=T)


def test_signature_matches_stdlib_one_shot_hmac() -> None:
    expected = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert sign() == expected


def test_top_level_import_is_the_same_function() -> None:
    assert top_level_verify_webhook is verify_webhook


# -- a valid delivery ----------------------------------------------------------------------


def test_valid_delivery_returns_event() -> None:
    event = verify_webhook(BODY, header(sign()), SECRET, now=T)
    assert isinstance(event, WebhookEvent)
    assert event.event_id == "evt_1"
    assert event.idempotency_key == "idem_1"
    assert event.event_type == "webhook.test"
    assert event.raw == json.loads(BODY)


@pytest.mark.parametrize("kind", [bytes, bytearray, str])
def test_body_types(kind: type) -> None:
    body: Any = kind(BODY) if kind is not str else BODY.decode()
    assert verify_webhook(body, header(sign()), SECRET, now=T).event_id == "evt_1"


def test_header_as_bytes_is_accepted() -> None:
    assert verify_webhook(BODY, header(sign()).encode(), SECRET, now=T).event_id == "evt_1"  # type: ignore[arg-type]


def test_parts_are_trimmed_and_parsed_on_the_first_equals() -> None:
    sig = sign()
    assert verify_webhook(BODY, f"  t = {T} ,  v1 = {sig}  ", SECRET, now=T)
    # Unknown schemes and parts without "=" are ignored; order does not matter.
    assert verify_webhook(BODY, f"v0=abc,v1={sig},junk,t={T},x=a=b", SECRET, now=T)


def test_upper_case_hex_is_accepted() -> None:
    assert verify_webhook(BODY, header(sign().upper()), SECRET, now=T)


def test_verify_webhook_signature_returns_the_signed_body_unparsed() -> None:
    body = b"not json at all"
    assert verify_webhook_signature(body, header(sign(body)), SECRET, now=T) is body
    assert verify_webhook_signature(body.decode(), header(sign(body)), SECRET, now=T) == (
        body.decode()
    )


# -- order of checks and codes -------------------------------------------------------------


@pytest.mark.parametrize("missing", [None, "", "   ", b"", "\t\n"])
def test_missing_header(missing: Any) -> None:
    assert code_of(BODY, missing, SECRET) == "WEBHOOK_SIGNATURE_MISSING"


def test_missing_header_wins_over_missing_secret_and_bad_body() -> None:
    assert code_of(None, None, None) == "WEBHOOK_SIGNATURE_MISSING"
    assert code_of({"a": 1}, "", "") == "WEBHOOK_SIGNATURE_MISSING"


@pytest.mark.parametrize("secrets", [None, "", [], (), ["", ""], ("",)])
def test_no_non_empty_secret(secrets: Any) -> None:
    assert code_of(BODY, header(sign()), secrets) == "WEBHOOK_SECRET_MISSING"


def test_secret_missing_wins_over_malformed_header_and_bad_body() -> None:
    assert code_of(BODY, "garbage", "") == "WEBHOOK_SECRET_MISSING"
    assert code_of(12345, 12345, None) == "WEBHOOK_SECRET_MISSING"


@pytest.mark.parametrize("secrets", [b"bytes-secret", 42, {"k": "v"}, ["ok", 5], [None, None]])
def test_secrets_of_the_wrong_type(secrets: Any) -> None:
    assert code_of(BODY, header(sign()), secrets) == "WEBHOOK_SECRET_MISSING"


def test_an_unset_rotation_slot_is_skipped() -> None:
    # [current, os.environ.get("PREVIOUS")] with PREVIOUS unset must still verify.
    event = verify_webhook(BODY, header(sign()), [None, SECRET], now=T)
    assert event.event_type
    assert code_of(BODY, header(sign()), [None, "other-secret"]) == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    "value",
    [
        "garbage",
        f"t={T}",  # no v1
        "v1=" + "a" * 64,  # no t
        f"t=,v1={'a' * 64}",  # empty t
        f"t={T},v1=",  # empty v1
        f"t={T},v1=  ,v0={'a' * 64}",
        f"t={T},v1={' ' * 64}",  # blank v1
        f"t={T},t={T},v1={'a' * 64}",  # two timestamps: ambiguous
    ],
)
def test_malformed_header(value: str) -> None:
    assert code_of(BODY, value, SECRET) == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("value", [12345, 1.5, ["t=1"], object()])
def test_header_of_the_wrong_type(value: Any) -> None:
    assert code_of(BODY, value, SECRET) == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("body", [None, 12, 1.5, {"event_type": "x"}, ["x"], memoryview(b"{}")])
def test_body_of_the_wrong_type(body: Any) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(body, header(sign()), SECRET, now=T)
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert "raw" in info.value.message


def test_malformed_wins_over_expired_timestamp() -> None:
    assert code_of(BODY, "t=1", SECRET) == "WEBHOOK_MALFORMED"
    assert code_of(None, header(sign(), t=1), SECRET) == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("t", ["abc", "nan", "inf", "-inf", "1e9", "1_700_000_000", "-1",
                               "+1700000000", "\uff11\uff17\uff10\uff10", "0x65",
                               "1700000000.", ".5"])
def test_timestamp_not_a_number(t: str) -> None:
    assert code_of(BODY, header("a" * 64, t=t), SECRET) == "WEBHOOK_TIMESTAMP_EXPIRED"


@pytest.mark.parametrize("zero", [0xFF10, 0x0660, 0x0966])  # fullwidth, Arabic-Indic, Devanagari
def test_non_ascii_digits_of_a_fresh_timestamp_are_not_a_number(zero: int) -> None:
    # float() reads these digits as T; they must never reach the (ASCII) signed prefix.
    digits = "".join(chr(zero + int(d)) for d in str(T))
    assert float(digits) == T
    for sig in (sign(), "a" * 64, "é" * 64):
        assert code_of(BODY, header(sig, t=digits), SECRET) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_expired_wins_over_bad_signature() -> None:
    assert code_of(BODY, header("0" * 64, t=T - 10_000), SECRET) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_bad_signature() -> None:
    assert code_of(BODY, header("0" * 64), SECRET) == "WEBHOOK_SIGNATURE_INVALID"
    assert code_of(BODY, header(sign(secret="other")), SECRET) == "WEBHOOK_SIGNATURE_INVALID"
    assert code_of(BODY + b" ", header(sign()), SECRET) == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    "sig",
    ["zz" * 32, "a" * 63, "a" * 65, "é" * 64, "\udcff" * 64, "a b" * 21 + "a", "ab " * 21 + "a",
     "\x00" * 64],
)
def test_signatures_that_are_not_hex_never_raise_anything_but_invalid(sig: str) -> None:
    assert code_of(BODY, header(sig), SECRET) == "WEBHOOK_SIGNATURE_INVALID"


def test_signature_with_spaces_between_hex_pairs_is_not_accepted() -> None:
    good = sign()
    spaced = " ".join(good[i:i + 2] for i in range(0, 64, 2))  # bytes.fromhex would take it
    assert code_of(BODY, header(spaced), SECRET) == "WEBHOOK_SIGNATURE_INVALID"


@pytest.mark.parametrize(
    "body", [b"not json", b"[1, 2]", b'"str"', b"null", b"{}", b'{"event_type": 5}',
             b'{"event_type": null}', b"\xff\xfe{", b"[" * 100_000, b'{"a":' + b"1" * 5000 + b"}"]
)
def test_verified_body_that_is_not_an_event(body: bytes) -> None:
    assert code_of(body, header(sign(body)), SECRET) == "WEBHOOK_MALFORMED"


def test_unknown_event_type_still_parses() -> None:
    body = b'{"event_type": "something.new", "data": [1]}'
    event = verify_webhook(body, header(sign(body)), SECRET, now=T)
    assert event.event_type == "something.new"
    assert event.type is None
    assert event.data == {}


# -- rotation ------------------------------------------------------------------------------


def test_two_secrets_one_signature_either_secret() -> None:
    for signer in (SECRET, OLD_SECRET):
        assert verify_webhook(BODY, header(sign(secret=signer)), [SECRET, OLD_SECRET], now=T)
        assert verify_webhook(BODY, header(sign(secret=signer)), (OLD_SECRET, SECRET), now=T)


def test_one_secret_two_signatures_either_position() -> None:
    unknown = sign(secret="somebody-else")
    assert verify_webhook(BODY, header(sign(), unknown), SECRET, now=T)
    assert verify_webhook(BODY, header(unknown, sign()), SECRET, now=T)


def test_rotation_old_and_new_on_both_sides() -> None:
    value = header(sign(secret="new"), sign(secret="old"))
    assert verify_webhook(BODY, value, ["old"], now=T)
    assert verify_webhook(BODY, value, ["new"], now=T)
    assert verify_webhook(BODY, value, ["", "new", "old"], now=T)
    assert code_of(BODY, value, ["older"]) == "WEBHOOK_SIGNATURE_INVALID"


def test_the_vector_during_rotation() -> None:
    value = f"t={VECTOR_T},v1={VECTOR_SIG},v1={VECTOR_OLD_SIG}"
    assert verify_webhook(VECTOR_BODY, value, [VECTOR_OLD_SECRET], now=VECTOR_T)
    assert verify_webhook(VECTOR_BODY, value, VECTOR_SECRET, now=VECTOR_T)


# -- the replay window ---------------------------------------------------------------------


@pytest.mark.parametrize("offset", [0, 1, 299, 300, -1, -299, -300])
def test_within_tolerance(offset: int) -> None:
    assert verify_webhook(BODY, header(sign()), SECRET, now=T + offset)


@pytest.mark.parametrize("offset", [301, -301, 10_000, -10_000, T])
def test_outside_tolerance_past_and_future(offset: int) -> None:
    assert code_of(BODY, header(sign()), SECRET, now=T + offset) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_fractional_edges() -> None:
    assert verify_webhook(BODY, header(sign()), SECRET, now=T + 300.0)
    assert code_of(BODY, header(sign()), SECRET, now=T + 300.001) == "WEBHOOK_TIMESTAMP_EXPIRED"
    fractional = f"{T}.5"
    mac = hmac.new(SECRET.encode(), f"{fractional}.".encode() + BODY, hashlib.sha256)
    assert verify_webhook(BODY, f"t={fractional},v1={mac.hexdigest()}", SECRET, now=T + 300.5)


def test_custom_tolerance() -> None:
    assert verify_webhook(BODY, header(sign()), SECRET, now=T + 30, tolerance_seconds=30)
    assert code_of(BODY, header(sign()), SECRET, now=T + 31, tolerance_seconds=30) == (
        "WEBHOOK_TIMESTAMP_EXPIRED"
    )
    assert verify_webhook(BODY, header(sign()), SECRET, now=T, tolerance_seconds=0)
    assert verify_webhook(BODY, header(sign()), SECRET, now=T + 0.5, tolerance_seconds=0.5)


def test_default_clock_is_now() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    assert verify_webhook(delivery.body, delivery.signature_header, SECRET).event_type == (
        "webhook.test"
    )
    old = build_webhook_delivery("webhook.test", secret=SECRET, timestamp=T)
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(old.body, old.signature_header, SECRET)
    assert info.value.code == "WEBHOOK_TIMESTAMP_EXPIRED"
    assert "old" in info.value.message


def test_expired_message_says_which_way() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(BODY, header(sign()), SECRET, now=T - 1000)
    assert "future" in info.value.message


# -- options ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"tolerance_seconds": -1},
        {"tolerance_seconds": float("nan")},
        {"tolerance_seconds": float("inf")},
        {"tolerance_seconds": True},
        {"tolerance_seconds": "300"},
        {"tolerance_seconds": None},
        {"now": "now"},
        {"now": float("nan")},
        {"now": float("inf")},
        {"now": True},
        {"now": 10**400},
        {"now": -(10**400)},
        {"now": 1e300},
        {"max_body_bytes": 0},
        {"max_body_bytes": -5},
        {"max_body_bytes": 1.5},
        {"max_body_bytes": True},
        {"content_encoding": b"gzip"},
        {"content_encoding": 1},
    ],
)
def test_bad_options_are_invalid_input(kwargs: dict[str, Any]) -> None:
    kwargs.setdefault("now", T)
    with pytest.raises(InvalidInputError) as info:
        verify_webhook(BODY, header(sign()), SECRET, **kwargs)
    assert info.value.code == "INVALID_INPUT"
    assert info.value.status == 0
    assert isinstance(info.value, ValueError)


def repr_safe_id(value: Any) -> str:
    return type(value).__name__ if isinstance(value, (int, HostileRepr)) else str(value)


class HostileRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr exploded")

    def __lt__(self, other: object) -> bool:
        raise RuntimeError("compare exploded")


@pytest.mark.parametrize(
    ("option", "value"),
    [
        (option, value)
        for option in ("now", "tolerance_seconds", "max_body_bytes", "content_encoding")
        for value in (HostileRepr(), -(10**5000), b"whsec_option_SECRET")
    ]
    + [("now", 10**5000), ("now", "whsec_option_SECRET"),
       ("tolerance_seconds", "whsec_option_SECRET"), ("max_body_bytes", "whsec_option_SECRET")],
    ids=repr_safe_id,
)
def test_option_errors_are_safe_to_format(option: str, value: Any) -> None:
    kwargs: dict[str, Any] = {"now": T, option: value}
    with pytest.raises(InvalidInputError) as info:
        verify_webhook(BODY, header(sign()), SECRET, **kwargs)
    assert "SECRET" not in info.value.message
    assert len(info.value.message) < 200


def test_float_and_int_now_and_tolerance_are_fine() -> None:
    assert verify_webhook(BODY, header(sign()), SECRET, now=float(T), tolerance_seconds=300.0)
    assert verify_webhook(BODY, header(sign()), SECRET, now=T, tolerance_seconds=10**5000)
    assert verify_webhook(BODY, header(sign()), SECRET, now=T, max_body_bytes=10**5000)
    assert code_of(BODY, header(sign()), SECRET, now=0) == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_str_subclass_header_is_read_as_plain_text() -> None:
    class Sneaky(str):
        def __str__(self) -> str:
            return "garbage"

        def split(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("should never be called")

    assert verify_webhook(BODY, Sneaky(header(sign())), SECRET, now=T)


@pytest.mark.parametrize("encoding", ["identity", "", "  IDENTITY "])
def test_identity_encoding_is_a_no_op(encoding: str) -> None:
    assert verify_webhook(BODY, header(sign()), SECRET, now=T, content_encoding=encoding)


@pytest.mark.parametrize("encoding", ["br", "deflate", "gzip, br", "compress"])
def test_unsupported_encoding_is_malformed(encoding: str) -> None:
    assert code_of(BODY, header(sign()), SECRET, content_encoding=encoding) == "WEBHOOK_MALFORMED"


def test_plain_body_over_the_cap_is_too_large() -> None:
    body = b'{"event_type":"x","pad":"' + b"a" * 2000 + b'"}'
    assert code_of(body, header(sign(body)), SECRET, max_body_bytes=1000) == (
        "WEBHOOK_BODY_TOO_LARGE"
    )
    assert verify_webhook(body, header(sign(body)), SECRET, now=T, max_body_bytes=len(body))


# -- guards against a hostile sender ---------------------------------------------------------


def test_header_length_is_bounded() -> None:
    sig = sign()
    padding = "," * (MAX_SIGNATURE_HEADER_LENGTH - len(header(sig)))
    at_limit = header(sig) + padding
    assert len(at_limit) == MAX_SIGNATURE_HEADER_LENGTH
    assert verify_webhook(BODY, at_limit, SECRET, now=T)
    assert code_of(BODY, at_limit + ",", SECRET) == "WEBHOOK_MALFORMED"
    assert code_of(BODY, header(sig) + "x" * 1_000_000, SECRET) == "WEBHOOK_MALFORMED"


def test_number_of_signatures_is_bounded() -> None:
    sig = sign()
    fillers = ["0" * 64] * (MAX_SIGNATURES - 1)
    assert verify_webhook(BODY, header(*fillers, sig), SECRET, now=T)
    assert code_of(BODY, header(*fillers, "0" * 64, sig), SECRET) == "WEBHOOK_MALFORMED"
    # Non-hex v1 values count too: they cost parsing.
    assert code_of(BODY, header(*(["x"] * (MAX_SIGNATURES + 1))), SECRET) == "WEBHOOK_MALFORMED"


def test_compare_digest_only_sees_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    from invonetwork.webhooks import _verify

    seen: list[tuple[type, type]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        seen.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr(_verify.hmac, "compare_digest", spy)
    for value in (header(sign()), header("é" * 64), header("A" * 64), f" t={T} ,v1={sign()}"):
        with contextlib.suppress(WebhookVerificationError):
            verify_webhook(BODY, value, [SECRET, "other"], now=T)
    assert seen
    assert set(seen) == {(bytes, bytes)}


# -- the secret never leaks ------------------------------------------------------------------

LEAKY = "whsec_DO_NOT_LEAK_0123456789abcdef"


def _all_text(err: BaseException) -> str:
    parts = [str(err), repr(err), repr(err.args)]
    cause = err.__cause__ or (None if err.__suppress_context__ else err.__context__)
    if cause is not None:
        parts.append(_all_text(cause))
    return "\n".join(parts)


@pytest.mark.parametrize(
    ("body", "value", "secrets", "kwargs"),
    [
        (BODY, None, LEAKY, {}),
        (BODY, "garbage", LEAKY, {}),
        (BODY, header("0" * 64), LEAKY, {}),
        (BODY, header("0" * 64, t=1), [LEAKY, "x"], {}),
        (b"nope", header(sign(b"nope", LEAKY)), LEAKY, {}),
        (BODY, header("0" * 64), [LEAKY, 7], {}),
        (BODY, header("0" * 64), LEAKY, {"content_encoding": "gzip"}),
        (BODY, header("0" * 64), LEAKY, {"tolerance_seconds": -1}),
    ],
)
def test_secret_never_in_error(body: Any, value: Any, secrets: Any, kwargs: Any,
                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    kwargs.setdefault("now", T)
    with pytest.raises(InvoError) as info:
        verify_webhook(body, value, secrets, **kwargs)
    text = _all_text(info.value)
    assert LEAKY not in text
    assert LEAKY[6:20] not in text
    assert LEAKY not in caplog.text


@pytest.mark.parametrize(
    ("body", "value", "secrets", "kwargs"),
    [
        (BODY, None, LEAKY, {}),
        (BODY, "garbage", [LEAKY], {}),
        (BODY, header("0" * 64), LEAKY, {}),  # the MAC was computed: keys existed
        (BODY, header("0" * 64), ["other", LEAKY], {}),
        (BODY, header("0" * 64, t=1), LEAKY, {}),
        (b"nope", header(sign(b"nope", LEAKY)), [LEAKY], {}),  # verified, then JSON fails
        (BODY, header(sign(BODY, LEAKY)), (LEAKY, 42), {}),
        (BODY, header("0" * 64), LEAKY, {"content_encoding": "gzip"}),
        (BODY, header("0" * 64), LEAKY, {"max_body_bytes": 3}),
        (BODY, header("0" * 64), LEAKY, {"tolerance_seconds": -1}),
        ({"parsed": 1}, header("0" * 64), LEAKY, {}),
    ],
)
def test_secret_never_in_traceback_locals(body: Any, value: Any, secrets: Any,
                                          kwargs: Any) -> None:
    # What Sentry, Django's debug page or traceback(capture_locals=True) would record.
    kwargs.setdefault("now", T)
    for func in (verify_webhook, verify_webhook_signature):
        if func is verify_webhook_signature and body == b"nope":
            continue  # the signature holds: only verify_webhook's JSON check fails
        with pytest.raises(InvoError) as info:
            func(body, value, secrets, **kwargs)
        tb = info.value.__traceback__
        assert tb is not None
        assert tb.tb_frame.f_code.co_name == "test_secret_never_in_traceback_locals"
        # From the library's entry point down (this test's own frame holds the secret).
        stack = traceback.StackSummary.extract(traceback.walk_tb(tb.tb_next),
                                               capture_locals=True)
        formatted = "".join(stack.format()) + repr(info.value)
        assert stack[0].name == func.__name__
        assert LEAKY not in formatted
        assert repr(LEAKY.encode())[2:-1] not in formatted
        # Nor the MAC the secret gives for this body: that would be a signing oracle.
        good_mac = compute_signature(LEAKY, T, body if isinstance(body, bytes) else BODY)
        assert good_mac not in formatted or good_mac in str(value)
        assert repr(bytes.fromhex(good_mac))[2:-1] not in formatted


def test_unencodable_secret_is_not_quoted_or_chained() -> None:
    secret = "whsec_\udcffSECRETPART"
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(BODY, header(sign()), [secret], now=T)
    assert info.value.code == "WEBHOOK_SECRET_MISSING"
    assert info.value.__context__ is None
    assert "SECRETPART" not in _all_text(info.value)
    assert "\udcff" not in _all_text(info.value)


def test_unencodable_str_body_is_malformed() -> None:
    assert code_of("{\udcff}", header(sign()), SECRET) == "WEBHOOK_MALFORMED"


def test_error_is_a_webhook_verification_error_with_status_zero() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(BODY, header("0" * 64), SECRET, now=T)
    err = info.value
    assert isinstance(err, InvoError)
    assert err.status == 0
    assert err.body is None
    assert err.request_id is None
    assert str(err) == err.message


def test_sign_helper_and_verify_agree_for_several_secrets() -> None:
    value = sign_webhook_payload(BODY, ["a", "b"], timestamp=T)
    assert value == f"t={T},v1={sign(secret='a')},v1={sign(secret='b')}"
    assert verify_webhook(BODY, value, "b", now=T)


def test_concurrent_verification_shares_the_cached_key_state_safely() -> None:
    # The keyed HMAC state is cached and copied per call; copies must never interfere.
    import threading

    secrets_ = [f"whsec_thread_{n}" for n in range(3)]
    failures: list[str] = []

    def run(worker: int) -> None:
        for round_ in range(200):
            secret = secrets_[(worker + round_) % 3]
            body = json.dumps({"event_type": "webhook.test", "n": [worker, round_]}).encode()
            value = header(compute_signature(secret, T, body))
            try:
                event = verify_webhook(body, value, secrets_, now=T)
                if event.raw["n"] != [worker, round_]:
                    failures.append("wrong body")
                verify_webhook(body, value, secrets_[(worker + round_ + 1) % 3], now=T)
                failures.append("verified with the wrong secret")
            except WebhookVerificationError as err:
                if err.code != "WEBHOOK_SIGNATURE_INVALID":
                    failures.append(str(err.code))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
