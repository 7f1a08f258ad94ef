"""Which calls the transport retries: begin, poll and the Steam calls (idem); confirm,
approve and the recovery calls never (each is a decision, a single-use factor or counted)."""

from __future__ import annotations

import re
from typing import Any, Callable

import pytest
import requests
import responses

from invonetwork import InvoError, InvoServer

Run = Callable[[InvoServer], Any]
GRANT = {"device_code": "dc", "verification_uri_complete": "https://x.example/d"}

CASES: list[tuple[str, Run, str, bool]] = [
    ("steam_packs", lambda c: c.steam_packs(), "GET", True),
    ("steam_init_purchase", lambda c: c.steam_init_purchase(
        player_email="p@example.com", steamid="1", pack_id="p", purchase_reference="r"),
     "POST", True),
    ("steam_finalize_purchase", lambda c: c.steam_finalize_purchase(order_id="o"), "POST", True),
    ("begin_device_approval", lambda c: c.begin_device_approval(
        player_token="pt", transaction_id="t", flow="send"), "POST", True),
    ("poll_device_approval", lambda c: c.poll_device_approval(
        player_token="pt", device_code="dc"), "POST", True),
    ("confirm_device_enrollment", lambda c: c.confirm_device_enrollment(
        player_token="pt", device_code="dc", decision="approve"), "POST", False),
    ("approve_with_device_code", lambda c: c.approve_with_device_code(
        player_token="pt", transaction_id="t", flow="transfer", device_code="dc"), "POST",
     False),
    ("recovery_begin", lambda c: c.recovery_begin(player_token="pt"), "POST", False),
    ("recovery_complete", lambda c: c.recovery_complete(player_token="pt", code="1"), "POST",
     False),
]
URL = re.compile(r".*")


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
@pytest.mark.parametrize(("name", "run", "method", "idem"), CASES, ids=[c[0] for c in CASES])
def test_transient_statuses(name: str, run: Run, method: str, idem: bool, status: int,
                            client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add(method, URL, json={"error": "busy"}, status=status)
    with pytest.raises(InvoError) as info:
        run(client)
    assert info.value.status == status
    assert len(rsps.calls) == (3 if idem else 1)


@pytest.mark.parametrize(("name", "run", "method", "idem"), CASES, ids=[c[0] for c in CASES])
def test_network_errors(name: str, run: Run, method: str, idem: bool, client: InvoServer,
                        rsps: responses.RequestsMock) -> None:
    rsps.add(method, URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(InvoError) as info:
        run(client)
    assert info.value.status == 0
    assert len(rsps.calls) == (3 if idem else 1)


@pytest.mark.parametrize(("name", "run", "method", "idem"), CASES, ids=[c[0] for c in CASES])
def test_recovers_after_one_503_only_when_idem(name: str, run: Run, method: str, idem: bool,
                                               client: InvoServer,
                                               rsps: responses.RequestsMock) -> None:
    rsps.add(method, URL, json={"error": "busy"}, status=503)
    rsps.add(method, URL, json=GRANT)
    if idem:
        assert run(client).raw == GRANT
        assert len(rsps.calls) == 2
    else:
        with pytest.raises(InvoError):
            run(client)
        assert len(rsps.calls) == 1


@pytest.mark.parametrize("body", [
    {"status": "not_authorized", "steam_status": "Init"},
    {"error": "Duplicate request", "code": "DUPLICATE_REQUEST", "order_id": "ord-1"},
    {"error": "x", "code": "STEAM_APP_CHANGED"},
])
def test_steam_409s_are_never_retried(body: dict[str, Any], client: InvoServer,
                                      rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json=body, status=409)
    with pytest.raises(InvoError) as info:
        client.steam_finalize_purchase(order_id="o")
    assert info.value.status == 409
    assert len(rsps.calls) == 1


def test_slow_down_poll_is_not_retried_by_the_transport(client: InvoServer,
                                                        rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json={"error": "slow_down"}, status=400)
    assert client.poll_device_approval(player_token="pt", device_code="dc").status == "slow_down"
    assert len(rsps.calls) == 1
