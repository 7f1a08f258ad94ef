"""Whatever arrives, the HTTP layer answers (or refuses) and never raises."""

from __future__ import annotations

import io
import json
import threading
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invonetwork._routes import ALL_ROUTES
from invonetwork.sandbox import Sandbox
from invonetwork.sandbox._http import SandboxApp
from invonetwork.sandbox._messages import Request
from invonetwork.sandbox._model import DomainError, parse_money
from invonetwork.sandbox._server import _BadRequestError, read_body, read_chunked, read_head

APP = SandboxApp(Sandbox(players=[{"email": "ada@example.com", "balance": "5"}]),
                 threading.Event())
SECRET = APP.sb.game_secret
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=10,
)


@given(st.binary(max_size=300))
def test_read_head_returns_a_request_none_or_a_bad_request(data: bytes) -> None:
    try:
        head = read_head(io.BytesIO(data))
    except _BadRequestError:
        return
    if head is not None:
        method, target, version, headers = head
        assert " " not in target
        assert version.startswith("HTTP/1.") and method == method.upper()
        assert all(name == name.strip() and name for name, _ in headers)


@given(st.binary(max_size=200), st.integers(0, 64))
def test_chunked_bodies_never_raise(data: bytes, limit: int) -> None:
    body = read_chunked(io.BytesIO(data), limit)
    assert body is None or len(body) <= max(limit, len(data))


@given(st.text(max_size=12))
def test_a_content_length_is_a_number_or_a_refusal(value: str) -> None:
    body = read_body(io.BytesIO(b"x" * 20), {"content-length": value})
    assert body is None or len(body) <= 20


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(route=st.sampled_from(ALL_ROUTES), body=json_values,
       param=st.text(min_size=1, max_size=10).filter(lambda t: "/" not in t and "?" not in t))
def test_any_json_body_on_any_route_gets_a_json_answer(
    route: object, body: object, param: str
) -> None:
    path = route.path  # type: ignore[attr-defined]
    for name in ("{player_id}", "{player_email}", "{transaction_id}", "{game_id}"):
        path = path.replace(name, param.replace("%", "%25").replace("#", "%23"))
    request = Request(route.method, path,  # type: ignore[attr-defined]
                      {"user-agent": "fuzz", "x-game-secret-key": SECRET,
                       "content-type": "application/json"},
                      json.dumps(body).encode())
    response = APP.handle(request)
    assert response.status < 500, response.body
    assert isinstance(json.loads(response.body), dict)


@given(st.one_of(st.text(max_size=10), st.integers(), st.floats(), st.none(), st.booleans()))
def test_parse_money_agrees_with_a_plain_model(value: object) -> None:
    text = repr(value) if isinstance(value, float) else str(value)
    plain = (isinstance(value, (str, int, float)) and not isinstance(value, bool)
             and text.replace(".", "", 1).isdigit() and text.isascii()
             and (("." not in text) or 1 <= len(text.split(".")[1]) <= 2)
             and text[0] != ".")
    try:
        amount = parse_money(value, "amount", Decimal("999.99"))
    except DomainError:
        assert not plain or Decimal(text) <= 0 or Decimal(text) > Decimal("999.99")
        return
    assert plain and Decimal("0") < amount <= Decimal("999.99")
