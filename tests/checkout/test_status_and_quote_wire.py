"""Wire shape, client-side checks and retry eligibility of the checkout status read and the
price quote (against a mocked HTTP layer; the sandbox tests cover the real server)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests
import responses

from invonetwork import InvoServer
from invonetwork.errors import (
    AuthenticationError,
    GoneError,
    InvalidInputError,
    InvoError,
    PermissionDeniedError,
    ServerError,
)

SECRET = "ivsdk_test_checkout0123456789"
SANDBOX = "https://sandbox.invo.network/sandbox"
TOKEN = "cst_tok-EN-9xyz"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    with InvoServer(SECRET, SANDBOX, retry_base_delay=0) as client:
        yield client


def _status_url(session_id: str) -> str:
    return f"{SANDBOX}/api/checkout/sessions/{session_id}"


# -- get_purchase_status on the wire ---------------------------------------------------------


def test_status_read_is_a_get_with_the_session_bearer_and_no_game_secret(
    invo: InvoServer, rsps: responses.RequestsMock
) -> None:
    rsps.get(_status_url("cs_1"), json={"status": "pending", "terminal": False})
    result = invo.get_purchase_status(session_id="  cs_1 ", session_token=f" {TOKEN}\n")
    (call,) = rsps.calls
    request = call.request
    assert request.method == "GET"
    assert request.url == _status_url("cs_1")  # stripped, no query
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"  # stripped
    assert "X-Game-Secret-Key" not in request.headers
    assert SECRET not in json.dumps(dict(request.headers))
    assert request.headers["Accept"] == "application/json"
    assert "python-sdk" in request.headers["User-Agent"]
    assert not request.body and "Content-Type" not in request.headers
    assert result.status == "pending" and result.session_id == "cs_1"


def test_status_read_quotes_the_id_with_no_safe_characters(
    invo: InvoServer, rsps: responses.RequestsMock
) -> None:
    rsps.get(_status_url("cs%2F1%3Fx%3D1%20y"), json={})
    invo.get_purchase_status(session_id="cs/1?x=1 y", session_token=TOKEN)
    assert rsps.calls[0].request.url == _status_url("cs%2F1%3Fx%3D1%20y")


@pytest.mark.parametrize("session_id", [None, "", "   ", 7, b"cs_1", ".."])
def test_a_bad_session_id_is_refused_before_any_request(
    invo: InvoServer, rsps: responses.RequestsMock, session_id: Any
) -> None:
    with pytest.raises(InvalidInputError) as info:
        invo.get_purchase_status(session_id=session_id, session_token=TOKEN)
    assert info.value.code == "INVALID_INPUT" and info.value.status == 0
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("token", [None, "", " \t", 5, "tok\u00e9n-secret", "tok\x00en"])
def test_a_bad_token_is_refused_before_any_request_and_never_shown(
    invo: InvoServer, rsps: responses.RequestsMock, token: Any
) -> None:
    with pytest.raises(InvalidInputError) as info:
        invo.get_purchase_status(session_id="cs_1", session_token=token)
    assert info.value.code == "INVALID_INPUT" and info.value.status == 0
    if isinstance(token, str) and token.strip():
        assert token.strip() not in str(info.value) and token not in repr(info.value)
    assert len(rsps.calls) == 0


@pytest.mark.parametrize(("status", "code", "cls"), [
    (401, None, AuthenticationError),
    (401, "WRONG_SESSION_PURPOSE", AuthenticationError),
    (403, "SESSION_MISMATCH", PermissionDeniedError),
    (410, "SESSION_EXPIRED", GoneError),
])
def test_status_errors_map_to_their_classes_and_classifiers(
    invo: InvoServer, rsps: responses.RequestsMock, status: int, code: Any, cls: type
) -> None:
    body = {"error": "no", **({"code": code} if code else {})}
    rsps.get(_status_url("cs_1"), json=body, status=status)
    with pytest.raises(cls) as info:
        invo.get_purchase_status(session_id="cs_1", session_token=TOKEN)
    err = info.value
    assert err.status == status and err.code == code
    assert err.is_checkout_session_mismatch is (code == "SESSION_MISMATCH")
    assert err.is_checkout_session_expired is (code == "SESSION_EXPIRED")
    assert err.is_wrong_session_purpose is (code == "WRONG_SESSION_PURPOSE")
    assert TOKEN not in str(err) and TOKEN not in repr(err)
    assert len(rsps.calls) == 1  # a 4xx is never retried


def test_status_read_is_retried_as_a_read(invo: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.get(_status_url("cs_1"), json={"error": "busy"}, status=503)
    with pytest.raises(ServerError):
        invo.get_purchase_status(session_id="cs_1", session_token=TOKEN)
    assert len(rsps.calls) == 3  # the first try and max_retries=2
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in rsps.calls)


def test_status_read_network_failure_is_retried(invo: InvoServer,
                                                rsps: responses.RequestsMock) -> None:
    rsps.get(_status_url("cs_1"), body=requests.ConnectionError("refused"))
    with pytest.raises(InvoError) as info:
        invo.get_purchase_status(session_id="cs_1", session_token=TOKEN)
    assert info.value.status == 0 and len(rsps.calls) == 3


# -- quote_currency_purchase on the wire -----------------------------------------------------

QUOTE_URL = f"{SANDBOX}/api/currency-purchases/quote"


@pytest.mark.parametrize(("kwargs", "sent"), [
    ({"usd_amount": "9.99"}, b'{"usd_amount":"9.99"}'),
    ({"usd_amount": 10, "player_email": "p@example.com", "country": "US", "subdivision": "CA"},
     b'{"usd_amount":10,"player_email":"p@example.com","country":"US","subdivision":"CA"}'),
    ({"usd_amount": Decimal("5.50"), "player_email": "  ", "country": "", "subdivision": None},
     b'{"usd_amount":"5.50"}'),
    ({"usd_amount": 2.5, "country": " us "}, b'{"usd_amount":2.5,"country":" us "}'),
])
def test_quote_body_bytes(invo: InvoServer, rsps: responses.RequestsMock,
                          kwargs: dict[str, Any], sent: bytes) -> None:
    rsps.post(QUOTE_URL, json={"total_usd": "1.00"})
    invo.quote_currency_purchase(**kwargs)
    request = rsps.calls[0].request
    assert request.method == "POST" and request.url == QUOTE_URL
    assert request.body == sent
    assert request.headers["X-Game-Secret-Key"] == SECRET
    assert request.headers["Content-Type"] == "application/json"
    assert "Authorization" not in request.headers


@pytest.mark.parametrize("amount", [None, True, 0, "0", "-1", "1.234", "1e3", "1000000.00",
                                    float("nan"), " 5", "abc", [5]])
def test_quote_money_rule_before_any_request(invo: InvoServer, rsps: responses.RequestsMock,
                                             amount: Any) -> None:
    with pytest.raises(InvalidInputError) as info:
        invo.quote_currency_purchase(usd_amount=amount)
    assert info.value.code == "INVALID_INPUT" and len(rsps.calls) == 0


@pytest.mark.parametrize("name", ["player_email", "country", "subdivision"])
def test_quote_optional_arguments_must_be_text(invo: InvoServer, rsps: responses.RequestsMock,
                                               name: str) -> None:
    with pytest.raises(InvalidInputError):
        invo.quote_currency_purchase(usd_amount="5", **{name: 12})
    assert len(rsps.calls) == 0


def test_quote_accepts_the_structural_maximum(invo: InvoServer,
                                              rsps: responses.RequestsMock) -> None:
    rsps.post(QUOTE_URL, json={"total_usd": "999999.99"})
    assert invo.quote_currency_purchase(usd_amount="999999.99").total_usd == "999999.99"


def test_quote_is_retried_it_moves_no_money(invo: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    rsps.post(QUOTE_URL, json={"error": "down"}, status=502)
    with pytest.raises(ServerError):
        invo.quote_currency_purchase(usd_amount="5")
    assert len(rsps.calls) == 3


def test_quote_without_total_is_an_invalid_response(invo: InvoServer,
                                                    rsps: responses.RequestsMock) -> None:
    rsps.post(QUOTE_URL, json={"coins": "50"})
    with pytest.raises(InvoError) as info:
        invo.quote_currency_purchase(usd_amount="5")
    assert info.value.code == "INVALID_RESPONSE" and info.value.body == {"coins": "50"}
