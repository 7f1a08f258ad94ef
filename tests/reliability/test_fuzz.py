"""Property-based fuzzing (hypothesis) of the money rules, the error parser and the transport.

Example counts are set per test below; ``INVO_LONG_FUZZ=1`` multiplies them (see
``docs/reliability.md`` for the numbers of the last long run).

* Money: any value, of any type, through ``create_checkout`` and ``purchase_item``. The
  verdict of an independent oracle (written here from the contract, with integer cents, not
  with the SDK's regex and Decimal) must match the SDK's: rejected values raise
  ``InvalidInputError`` before the network; accepted ones reach the network, and on the wire
  they are exactly what the caller gave.
* Error parser: ``error_from_response`` with any status and any JSON-like body returns an
  ``APIError`` of the subclass the status calls for, and no classifier ever raises.
* Transport: the real local server answers random statuses, headers and bodies (and raw
  garbage); only results and ``InvoError`` come back, and non-idempotent calls arrive once.
"""

from __future__ import annotations

import json
import math
import pickle
import socket
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Optional

import faultserver as fs
import pytest
import requests
import urllib3
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from method_cases import METHODS, new_token
from reliability_config import LONG_FUZZ, SECRET

from invonetwork import Hooks, InvoError, InvoServer
from invonetwork._classifiers import PROMOTED_ERROR_TOKENS
from invonetwork.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GoneError,
    InvalidInputError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedRedirectError,
    error_from_response,
)

SCALE = 20 if LONG_FUZZ else 1


def fuzz_settings(examples: int) -> Any:
    return settings(max_examples=examples * SCALE, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


FOREIGN = (requests.RequestException, urllib3.exceptions.HTTPError, OSError,
           json.JSONDecodeError, UnicodeError)

# -- the money oracle ----------------------------------------------------------------------


def _cents_of_text(text: str, max_cents: int) -> Optional[int]:
    """Cents of a plain decimal text, or None when the contract rejects it."""
    whole, dot, frac = text.partition(".")
    digits = set("0123456789")
    if not whole or not set(whole) <= digits:
        return None
    if dot and not (1 <= len(frac) <= 2 and set(frac) <= digits):
        return None
    whole = whole.lstrip("0") or "0"
    if len(whole) > 12:  # far above any maximum; avoid int() on a huge string
        return None
    cents = int(whole) * 100 + int(frac.ljust(2, "0") if dot else "0")
    return cents if 0 < cents <= max_cents else None


def money_oracle(value: Any, max_cents: int) -> Optional[int]:
    """The contract's verdict: the amount in cents, or None for "INVALID_INPUT"."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value * 100 if 0 < value * 100 <= max_cents else None
    if isinstance(value, float):
        return _cents_of_text(repr(value), max_cents)  # its shortest round-trip text
    if isinstance(value, Decimal):
        return _cents_of_text(str(value), max_cents)
    if isinstance(value, str):
        return _cents_of_text(value, max_cents)
    return None


USD_MAX = 99999999  # 999999.99 (the current API's structural bound)
ITEM_MAX = 99999999  # 999999.99

money_text = st.one_of(
    st.from_regex(r"\A[0-9]{1,7}(\.[0-9]{0,3})?\Z"),
    st.from_regex(r"\A[ +\-]?[0-9]{0,4}[.,]?[0-9]{0,3}[eE]?[0-9]?\s?\Z"),
    st.text(max_size=12),
    st.sampled_from(["", "0", "0.00", "0.01", "999.99", "1000", "999999.99", "1000000",
                     "\u0661\u0662", "\uff11\uff12", "1_000", "0x10", "1e2", "NaN",
                     "Infinity", "12.", ".5", "12.345", " 12", "12\n", "-1", "+1", "00012.30"]),
)
money_values = st.one_of(
    money_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=2_000_000).map(lambda f: round(f, 2)),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=0, max_value=2_000_000, places=2),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.just(b"12"),
)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Attempts:
    def __init__(self) -> None:
        self.count = 0

    def hook(self, info: Any) -> None:
        self.count += 1


@pytest.fixture(scope="module")
def offline() -> Iterator[tuple[InvoServer, Attempts]]:
    """A client aimed at a closed port: reaching the network shows validation passed."""
    attempts = Attempts()
    client = InvoServer(SECRET, f"http://127.0.0.1:{_closed_port()}", max_retries=0,
                        hooks=Hooks(on_request=attempts.hook))
    yield client, attempts
    client.close()


def _judge(call: Any, attempts: Attempts, accepted: bool) -> Optional[InvoError]:
    event("oracle: accepted" if accepted else "oracle: rejected")
    before = attempts.count
    try:
        call()
    except InvalidInputError as exc:
        assert not accepted, f"rejected a valid value: {exc}"
        assert exc.code == "INVALID_INPUT" and exc.status == 0
        assert attempts.count == before, "an invalid value reached the network"
        return exc
    except InvoError as exc:
        assert accepted, f"an invalid value passed validation and reached the network: {exc!r}"
        assert attempts.count == before + 1
        assert exc.status == 0 and exc.code == "NETWORK_ERROR"  # the closed port
        return exc
    raise AssertionError("a call to a closed port returned a result")


@fuzz_settings(600)
@given(value=money_values)
@example(value="999999.99")
@example(value="1000000.00")
@example(value=Decimal("1E+1"))
@example(value=Decimal("-0"))
@example(value=0.1 + 0.2)
@example(value=1e-05)
@example(value=10**20)
@example(value=True)
def test_usd_money_rule_matches_the_oracle(offline: Any, value: Any) -> None:
    client, attempts = offline
    accepted = money_oracle(value, USD_MAX) is not None
    _judge(lambda: client.create_checkout(player_email="a@x.example", usd_amount=value),
           attempts, accepted)


prices = st.one_of(money_values,
                   st.integers(1, 99999999).map(lambda c: f"{c // 100}.{c % 100:02d}"))


valid_prices = st.one_of(
    st.integers(1, 99999999).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    st.integers(1, 9999).map(lambda c: Decimal(c) / 100),
    st.integers(1, 999999),
)


@fuzz_settings(600)
@given(data=st.data(), unit=st.one_of(valid_prices, prices),
       quantity=st.one_of(st.integers(1, 20), st.integers(1, 1000), st.integers(-3, 1003),
                          st.booleans(), st.floats(0, 5), st.none()))
def test_item_money_rules_match_the_oracle(offline: Any, data: Any, unit: Any,
                                           quantity: Any) -> None:
    client, attempts = offline
    unit_cents = money_oracle(unit, ITEM_MAX)
    quantity_ok = (isinstance(quantity, int) and not isinstance(quantity, bool)
                   and 1 <= quantity <= 1000)
    if unit_cents is not None and quantity_ok and data.draw(st.integers(0, 3)) > 0:
        # Aim at the tolerance edge: the exact total, off by one cent, off by two.
        target = unit_cents * quantity + data.draw(st.integers(-2, 2))
        total: Any = f"{target // 100}.{target % 100:02d}" if target > 0 else "0.00"
    else:
        total = data.draw(prices)
    total_cents = money_oracle(total, ITEM_MAX)
    accepted = (unit_cents is not None and total_cents is not None and quantity_ok
                and abs(unit_cents * quantity - total_cents) <= 1)
    _judge(lambda: client.purchase_item(
        client_request_id="r1", player_email="a@x.example", player_name="Ann", item_id="i",
        item_name="Item", item_quantity=quantity, unit_price=unit, total_price=total),
        attempts, accepted)


def test_enormous_int_amount_is_invalid_input(offline: Any) -> None:
    client, attempts = offline
    before = attempts.count
    with pytest.raises(InvalidInputError) as caught:
        client.create_checkout(player_email="a@x.example", usd_amount=10**5000)
    assert caught.value.code == "INVALID_INPUT" and caught.value.status == 0
    assert "usd_amount" in caught.value.message
    assert attempts.count == before


@pytest.fixture(scope="module")
def wire_server() -> Iterator[fs.FaultServer]:
    with fs.FaultServer() as srv:
        yield srv


@fuzz_settings(150)
@given(value=st.one_of(
    st.integers(1, 999),
    st.integers(1, 99999).map(lambda c: f"{c // 100}.{c % 100:02d}"),
    st.integers(1, 99999).map(lambda c: Decimal(c) / 100),
    st.integers(1, 99999).map(lambda c: float(f"{c // 100}.{c % 100:02d}")),
))
def test_accepted_amounts_go_on_the_wire_as_given(wire_server: fs.FaultServer,
                                                  value: Any) -> None:
    if money_oracle(value, USD_MAX) is None:
        return  # e.g. a Decimal whose str is 1E+1: covered by the oracle test
    with InvoServer(SECRET, wire_server.url, max_retries=0) as client:
        token = new_token()
        client.create_checkout(player_email=f"{token}@x.example", usd_amount=value)
    (arrived,) = [r for r in wire_server.requests if r.token == token]
    sent = json.loads(arrived.body)["usd_amount"]
    if isinstance(value, Decimal):
        assert sent == str(value)
    else:
        assert type(sent) is type(value) and sent == value


# -- the error parser ------------------------------------------------------------------------

json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20))
json_like = st.recursive(
    json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)
interesting_key = st.sampled_from(["code", "error_code", "error", "message", "retry_after",
                                   "required_amount", "approval_id", "status"])
interesting_value = st.one_of(
    json_like,
    st.sampled_from(["flow_paused", "spending_limit_exceeded", "INSUFFICIENT_BALANCE",
                     "receiver_not_enrolled_use_claim_code", "DUPLICATE_REQUEST",
                     "PHONE_SHARE_APPROVAL_REQUIRED", "SDK_TOKEN_EXPIRED", "duplicate",
                     "Insufficient_Balance", "  ", "", "1e400", "-1", "nan", "12"]),
)
error_bodies = st.one_of(
    json_like,
    st.dictionaries(interesting_key, interesting_value, max_size=5),
    st.text(max_size=40),
)
statuses = st.one_of(st.integers(-5, 1000), st.integers(), st.sampled_from(
    [300, 301, 302, 400, 401, 403, 404, 409, 410, 429, 500, 502, 503, 504, 599]))

CLASSIFIERS = ("is_token_expired", "is_receiver_not_enrolled", "is_insufficient_balance",
               "is_duplicate_request", "is_enrollment_authorization_required",
               "is_enrollment_proof_required", "is_phone_share_approval_required",
               "is_phone_share_already_approved")


def _expected_family(status: int) -> type[APIError]:
    if 300 <= status < 400:
        return UnexpectedRedirectError
    if status >= 500:
        return ServerError
    return {400: BadRequestError, 401: AuthenticationError, 403: PermissionDeniedError,
            404: NotFoundError, 409: ConflictError, 410: GoneError,
            429: RateLimitError}.get(status, APIError)


def _check_classifiers(err: InvoError) -> None:
    for name in CLASSIFIERS:
        assert isinstance(getattr(err, name), bool), name
    after = err.retry_after
    assert after is None or (isinstance(after, float) and math.isfinite(after) and after >= 0)
    approval = err.phone_share_approval_id
    assert approval is None or (isinstance(approval, str) and approval)
    repr(err)
    assert str(err) == err.message


@fuzz_settings(1500)
@given(status=statuses, body=error_bodies, request_id=st.one_of(st.none(), st.text(max_size=10)))
def test_error_parser_never_raises(status: int, body: Any, request_id: Optional[str]) -> None:
    err = error_from_response(status, body, request_id)
    assert isinstance(err, APIError)
    family = _expected_family(status)
    assert isinstance(err, family), (status, type(err))
    assert err.status == status and err.body is body and err.request_id == request_id
    assert isinstance(err.message, str) and err.message
    if isinstance(body, dict):
        codes = [body.get(k) for k in ("error_code_public", "code", "error_code")]
        codes = [c for c in codes if isinstance(c, str) and c]
        error = body.get("error")
        promoted = not codes and isinstance(error, str) and error in PROMOTED_ERROR_TOKENS
        message = body.get("message")
        if promoted and isinstance(message, str) and message.strip():
            assert err.message == message  # a promoted token: the body's message explains it
        else:
            for key in ("error", "message"):
                value = body.get(key)
                if isinstance(value, str) and value.strip():
                    assert err.message == value
                    break
        if codes:
            assert err.code == codes[0]  # error_code_public, else code, else error_code
    elif isinstance(body, str) and body.strip():
        assert err.message == body
    _check_classifiers(err)
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err) and clone.message == err.message


@fuzz_settings(500)
@given(message=st.text(max_size=30), code=st.one_of(st.none(), st.text(max_size=30)),
       status=st.integers(), body=error_bodies)
def test_classifiers_on_hand_built_errors_never_raise(message: str, code: Optional[str],
                                                      status: int, body: Any) -> None:
    _check_classifiers(InvoError(message, code=code, status=status, body=body))


# -- the transport over a real socket --------------------------------------------------------

header_choices = st.lists(st.sampled_from([
    ("Content-Type", "application/json"), ("Content-Type", "text/html"),
    ("Content-Encoding", "gzip"), ("Content-Encoding", "deflate"), ("Content-Encoding", "br"),
    ("Content-Encoding", "zstd"), ("Content-Encoding", "identity"),
    ("Content-Encoding", "x-nonsense"), ("Transfer-Encoding", "chunked"),
    ("Content-Length", "0"), ("Content-Length", "5"), ("Content-Length", "-1"),
    ("Content-Length", "99999999999999999999"), ("Content-Length", "abc"),
    ("x-request-id", "req_1"), ("x-invo-request-id", ""), ("Retry-After", "0"),
    ("Retry-After", "-3"), ("Retry-After", "nan"), ("Retry-After", "Wed, 21 Oct 2015"),
    ("Location", "http://127.0.0.1:9/elsewhere"), ("Connection", "close"),
    ("Set-Cookie", "a=b"),
]), max_size=5)
fuzz_bodies = st.one_of(
    st.binary(max_size=300),
    json_like.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(interesting_key, interesting_value, max_size=4).map(
        lambda v: json.dumps(v).encode()),
    st.just(b"[" * 5000 + b"]" * 5000),
    st.just(b'{"a":' * 3000 + b"1" + b"}" * 3000),
)


def _response_bytes(code: int, headers: list[tuple[str, str]], body: bytes) -> bytes:
    names = {name.lower() for name, _ in headers}
    if "transfer-encoding" in names and "content-length" not in names and body:
        body = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    elif "content-length" not in names:
        headers = [*headers, ("Content-Length", str(len(body)))]
    return fs.head(code, headers) + body


@pytest.fixture(scope="module")
def fuzz_server() -> Iterator[fs.FaultServer]:
    with fs.FaultServer() as srv:
        yield srv


def _call_and_judge(server: fs.FaultServer, data: bytes, method_index: int,
                    max_retries: int) -> None:
    method = METHODS[method_index % len(METHODS)]
    server.always(fs.raw(data))  # every answer closes the connection: nothing can hang
    # Generous timeouts cost nothing: every answer ends by closing the connection.
    with InvoServer(SECRET, server.url, timeout=(5.0, 5.0), max_retries=max_retries,
                    retry_base_delay=0.001, max_response_bytes=64 * 1024) as client:
        token = new_token()
        try:
            method.call(client, token)
        except InvoError as exc:
            assert not isinstance(exc, FOREIGN), repr(exc)
            _check_classifiers(exc)
            event(f"outcome: {type(exc).__name__}")
        else:
            event("outcome: result")
        arrived = server.settled_count(token, 1)
        if method.idempotent:
            assert 1 <= arrived <= max_retries + 1
        else:
            assert arrived == 1


@fuzz_settings(300)
@given(code=st.one_of(st.integers(100, 999), st.sampled_from([200, 201, 204, 301, 404, 429,
                                                              500, 502])),
       headers=header_choices, body=fuzz_bodies, method_index=st.integers(0, 1000),
       max_retries=st.integers(0, 1))
def test_transport_survives_random_answers(fuzz_server: fs.FaultServer, code: int,
                                           headers: list[tuple[str, str]], body: bytes,
                                           method_index: int, max_retries: int) -> None:
    _call_and_judge(fuzz_server, _response_bytes(code, headers, body), method_index,
                    max_retries)


@fuzz_settings(200)
@given(data=st.one_of(
    st.binary(max_size=400),
    st.builds(lambda line, rest: line + b"\r\n" + rest,
              st.sampled_from([b"HTTP/1.1 200 OK", b"HTTP/1.1 200", b"HTTP/1.0 500 X",
                               b"HTTP/1.1 99 Odd", b"HTTP/1.1 1000 Big", b"HTTP/2 200",
                               b"ICY 200 OK", b"HTTP/1.1 abc", b""]),
              st.binary(max_size=200)),
    st.builds(lambda n: b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * n + b"\r\n{}",
              st.integers(90, 120)),
    st.just(b"HTTP/1.1 200 OK\r\nX: " + b"a" * 70000 + b"\r\n\r\n{}"),
), method_index=st.integers(0, 1000))
def test_transport_survives_raw_garbage(fuzz_server: fs.FaultServer, data: bytes,
                                        method_index: int) -> None:
    _call_and_judge(fuzz_server, data, method_index, max_retries=1)
