"""Which calls retry, on what, how many times, and how long they wait (per the contract)."""

from __future__ import annotations

import time
from typing import Any

import pytest
import requests
import responses

from invonetwork import InvoError, InvoServer
from invonetwork.errors import BadRequestError, RateLimitError, ServerError

from .support import CALL_IDS, CALLS, IDEMPOTENT, NOT_IDEMPOTENT, Call, add_any, make_client

RETRYABLE = [429, 500, 502, 503, 504]
NOT_RETRYABLE = [301, 302, 400, 401, 403, 404, 409, 410, 422, 501]

# The contract's "idem" column, spelled out so a routing change cannot slip through.
CONTRACT_IDEMPOTENT = {
    "mint_player_token": True, "initiate_send": True, "initiate_transfer": True,
    "create_checkout": False, "purchase_currency": True, "confirm_payment": True,
    "get_order_details": True, "purchase_item": True, "get_item_purchase_history": True,
    "iterate_item_purchase_history": True, "get_item_order_details": True,
    "get_player_balance": True, "get_inbound_pending": True, "get_linked_identities": True,
    "verify_sms_transfer": False, "verify_sms_send": False, "claim_transfer": False,
    "claim_currency": False, "get_transfer_status": True, "get_send_status": True,
    "get_guardian_approval_status": True, "get_destinations": True,
    "phone_share_initiate": False, "phone_share_approve": False, "phone_share_status": True,
    "register_webhook_endpoint": False, "rotate_webhook_secret": False,
}


def test_catalogue_matches_the_contract_table() -> None:
    for call in CALLS:
        assert CONTRACT_IDEMPOTENT[call.id.split("[")[0]] is call.idempotent, call.id
    assert {c.id.split("[")[0] for c in CALLS} == set(CONTRACT_IDEMPOTENT)


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_503_retried_only_when_idempotent(call: Call, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    add_any(rsps, call.method, json={"error": "unavailable"}, status=503)
    with pytest.raises(ServerError) as info:
        call.run(client)
    assert info.value.status == 503
    assert len(rsps.calls) == (3 if call.idempotent else 1)


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("exc", [requests.ConnectionError("connection refused"),
                                 requests.exceptions.ReadTimeout("read timed out"),
                                 requests.exceptions.ConnectTimeout("connect timed out")],
                         ids=["connection", "read_timeout", "connect_timeout"])
def test_network_errors_retried_only_when_idempotent(
    call: Call, exc: Exception, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    add_any(rsps, call.method, body=exc)
    with pytest.raises(InvoError) as info:
        call.run(client)
    assert info.value.status == 0
    assert len(rsps.calls) == (3 if call.idempotent else 1)


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
@pytest.mark.parametrize("status", RETRYABLE)
def test_retryable_statuses(call: Call, status: int, client: InvoServer,
                            rsps: responses.RequestsMock) -> None:
    add_any(rsps, call.method, json={"error": "busy", "retry_after": 0}, status=status)
    with pytest.raises(InvoError) as info:
        call.run(client)
    assert info.value.status == status
    assert len(rsps.calls) == (3 if call.idempotent else 1)


@pytest.mark.parametrize("call", IDEMPOTENT, ids=[c.id for c in IDEMPOTENT])
@pytest.mark.parametrize("status", NOT_RETRYABLE)
def test_other_statuses_never_retried(call: Call, status: int, client: InvoServer,
                                      rsps: responses.RequestsMock) -> None:
    headers = {"Location": "https://elsewhere.example/"} if status < 400 else {}
    add_any(rsps, call.method, json={"error": "no"}, status=status, headers=headers)
    if status == 404 and call.id == "get_linked_identities":
        assert call.run(client).not_found is True
    else:
        with pytest.raises(InvoError) as info:
            call.run(client)
        assert info.value.status == status
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("call", IDEMPOTENT, ids=[c.id for c in IDEMPOTENT])
def test_recovers_after_a_transient_failure(call: Call, client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    rsps.add(call.method, "https://sandbox.invo.network/sandbox" + call.path, status=502)
    rsps.add(call.method, "https://sandbox.invo.network/sandbox" + call.path,
             body=requests.ConnectionError("reset"))
    rsps.add(call.method, "https://sandbox.invo.network/sandbox" + call.path, json=call.ok)
    call.run(client)
    assert len(rsps.calls) == 3


@pytest.mark.parametrize(("max_retries", "attempts"), [(0, 1), (1, 2), (4, 5)])
def test_max_retries_sets_the_attempt_count(max_retries: int, attempts: int,
                                            rsps: responses.RequestsMock) -> None:
    invo = make_client(max_retries=max_retries)
    add_any(rsps, "GET", status=500)
    with pytest.raises(ServerError):
        invo.get_send_status("t")
    assert len(rsps.calls) == attempts


def test_with_options_max_retries(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", status=500)
    with pytest.raises(ServerError):
        client.with_options(max_retries=0).get_send_status("t")
    assert len(rsps.calls) == 1
    with pytest.raises(ServerError):
        client.get_send_status("t")
    assert len(rsps.calls) == 4


def test_with_options_cannot_make_a_charge_retry(client: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", status=503)
    with pytest.raises(ServerError):
        client.with_options(max_retries=5).create_checkout(player_email="p@x", usd_amount=1)
    assert len(rsps.calls) == 1


# -- 429 waits -------------------------------------------------------------------------------
# A backoff base of 5 s means a retry that used the backoff instead of the asked-for wait
# would take at least 2.5 s; the tests below only assert it did not.


@pytest.mark.parametrize(
    ("body", "headers"),
    [({"retry_after": 0}, {}), ({"retry_after": "0"}, {}), ({"retry_after": 0.01}, {}),
     ({}, {"Retry-After": "0"}), ({"error": "slow"}, {"Retry-After": "0"}),
     ({"retry_after": 0}, {"Retry-After": "100"})],
)
def test_429_waits_what_was_asked(body: dict[str, Any], headers: dict[str, str],
                                  rsps: responses.RequestsMock) -> None:
    invo = make_client(retry_base_delay=5)
    add_any(rsps, "GET", json=body, status=429, headers=headers)
    started = time.monotonic()
    with pytest.raises(RateLimitError):
        invo.get_transfer_status("t")
    assert len(rsps.calls) == 3
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("body", "headers"),
    [({"retry_after": 21}, {}), ({"retry_after": "3600"}, {}), ({}, {"Retry-After": "21"}),
     ({"retry_after": 25}, {"Retry-After": "0"})],
)
def test_429_longer_than_20s_is_raised_at_once(body: dict[str, Any], headers: dict[str, str],
                                               rsps: responses.RequestsMock) -> None:
    invo = make_client(retry_base_delay=5)
    add_any(rsps, "GET", json=body, status=429, headers=headers)
    started = time.monotonic()
    with pytest.raises(RateLimitError) as info:
        invo.get_transfer_status("t")
    assert time.monotonic() - started < 2
    assert len(rsps.calls) == 1
    assert info.value.status == 429


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Record the SDK's sleeps instead of sleeping (patched before the client exists)."""
    recorded: list[float] = []
    monkeypatch.setattr(time, "sleep", recorded.append)
    return recorded


@pytest.mark.parametrize(
    ("body", "headers", "expected"),
    [({"retry_after": 3}, {}, 3.0), ({"retry_after": "4.5"}, {}, 4.5),
     ({}, {"Retry-After": "6"}, 6.0), ({"retry_after": 20}, {}, 20.0),
     ({"retry_after": 2}, {"Retry-After": "9"}, 2.0)],
)
def test_429_wait_value(body: dict[str, Any], headers: dict[str, str], expected: float,
                        waits: list[float], rsps: responses.RequestsMock) -> None:
    invo = make_client(max_retries=1)
    add_any(rsps, "GET", json=body, status=429, headers=headers)
    with pytest.raises(RateLimitError):
        invo.get_send_status("t")
    assert waits == [expected]
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("retry_after", [True, -1, "soon"])
def test_429_unusable_retry_after_falls_back_to_backoff(
    retry_after: Any, waits: list[float], rsps: responses.RequestsMock
) -> None:
    invo = make_client(max_retries=1, retry_base_delay=0.25)
    add_any(rsps, "GET", json={"retry_after": retry_after}, status=429)
    with pytest.raises(RateLimitError):
        invo.get_send_status("t")
    assert len(waits) == 1 and 0 <= waits[0] <= 0.5


def test_backoff_is_exponential_and_bounded(waits: list[float],
                                            rsps: responses.RequestsMock) -> None:
    invo = make_client(max_retries=3, retry_base_delay=1)
    add_any(rsps, "GET", status=503)
    with pytest.raises(ServerError):
        invo.get_send_status("t")
    assert len(waits) == 3
    for attempt, wait in enumerate(waits):
        assert 0 <= wait <= 2 ** attempt * 1.0 + 1e-9


def test_default_backoff_base_is_small(waits: list[float], rsps: responses.RequestsMock) -> None:
    invo = InvoServer("ivsdk_test_x")
    add_any(rsps, "GET", status=503)
    with pytest.raises(ServerError):
        invo.get_send_status("t")
    assert len(waits) == 2 and waits[0] <= 0.25 + 1e-9 and waits[1] <= 0.5 + 1e-9


# -- Part 2 specifics -------------------------------------------------------------------------


def test_wrong_pin_is_not_retried(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", status=400, json={"error": "Invalid PIN", "attempts_remaining": 2})
    with pytest.raises(BadRequestError) as info:
        client.verify_sms_transfer("t", "0000")
    assert info.value.body["attempts_remaining"] == 2
    assert len(rsps.calls) == 1


def test_blocked_sms_is_not_retried(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", status=429,
            json={"error": "sms_verification_blocked", "retry_after": 0})
    with pytest.raises(RateLimitError) as info:
        client.verify_sms_send("t", "0000")
    assert info.value.retry_after == 0
    assert len(rsps.calls) == 1


def test_guardian_unavailable_503_is_retried(client: InvoServer,
                                             rsps: responses.RequestsMock) -> None:
    url = "https://sandbox.invo.network/sandbox/api/transactions/t/approval-status"
    rsps.add("GET", url, status=503, json={"status": "unavailable"})
    rsps.add("GET", url, json={"approval": {"state": "pending"}})
    assert client.get_guardian_approval_status("t").state == "pending"
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("call", NOT_IDEMPOTENT, ids=[c.id for c in NOT_IDEMPOTENT])
def test_not_idempotent_calls_never_retry_a_429(call: Call, client: InvoServer,
                                                rsps: responses.RequestsMock) -> None:
    add_any(rsps, call.method, status=429, json={"retry_after": 0})
    with pytest.raises(RateLimitError):
        call.run(client)
    assert len(rsps.calls) == 1
