"""The requests of the consoles-and-Steam calls, exactly as consoles-and-steam.md states them.

Over a mocked transport (responses), then over the real sandbox server on 127.0.0.1 (which
records the headers it received)."""

from __future__ import annotations

import json
from typing import Any, Callable

import pytest
import responses

from core.recorder import RECORDER_SECRET, Recorder
from core.support import SANDBOX, SECRET
from invonetwork import InvoServer

GRANT = {"device_code": "dc-1", "verification_uri_complete": "https://invo.example/d?c=AB"}
TOKEN = "pt_live_token_1"

Run = Callable[[InvoServer], Any]


def _sent(rsps: responses.RequestsMock) -> Any:
    assert len(rsps.calls) == 1
    return rsps.calls[0].request


def _json(request: Any) -> Any:
    return json.loads(request.body) if request.body else None


BEARER_CALLS: list[tuple[str, Run, str, Any]] = [
    ("begin", lambda c: c.begin_device_approval(player_token=TOKEN, transaction_id="tx 1",
                                                flow="send"),
     "/api/sdk/approvals/device/begin",
     {"transaction_id": "tx 1", "flow": "send", "channel": "qr"}),
    ("begin[app_browser]",
     lambda c: c.begin_device_approval(player_token=TOKEN, transaction_id=42,
                                       flow="transfer_receipt", channel="app_browser"),
     "/api/sdk/approvals/device/begin",
     {"transaction_id": 42, "flow": "transfer_receipt", "channel": "app_browser"}),
    ("poll", lambda c: c.poll_device_approval(player_token=TOKEN, device_code="dc-1"),
     "/api/sdk/approvals/device/poll", {"device_code": "dc-1"}),
    ("confirm", lambda c: c.confirm_device_enrollment(player_token=TOKEN, device_code="dc-1",
                                                      decision="deny"),
     "/api/sdk/approvals/device/confirm-enrollment", {"device_code": "dc-1", "decision": "deny"}),
    ("approve[transfer]",
     lambda c: c.approve_with_device_code(player_token=TOKEN, transaction_id="a/b c",
                                          flow="transfer", device_code="dc-1"),
     "/api/sdk/transfers/a%2Fb%20c/approve", {"device_code": "dc-1"}),
    ("approve[send]",
     lambda c: c.approve_with_device_code(player_token=TOKEN, transaction_id="t.1",
                                          flow="send", device_code="dc-1"),
     "/api/sdk/send/t.1/approve", {"device_code": "dc-1"}),
    ("approve[send_receipt]",
     lambda c: c.approve_with_device_code(player_token=TOKEN, transaction_id=7,
                                          flow="send_receipt", device_code="dc-1"),
     "/api/sdk/send/7/confirm-receipt", {"device_code": "dc-1"}),
    ("approve[transfer_receipt]",
     lambda c: c.approve_with_device_code(player_token=TOKEN, transaction_id="t?1",
                                          flow="transfer_receipt", device_code="dc-1"),
     "/api/sdk/transfers/t%3F1/confirm-receipt", {"device_code": "dc-1"}),
    ("recovery_begin", lambda c: c.recovery_begin(player_token=TOKEN),
     "/api/sdk/device/recover/begin", None),
    ("recovery_complete", lambda c: c.recovery_complete(player_token=TOKEN, code="482913"),
     "/api/sdk/device/recover/complete", {"code": "482913"}),
]


@pytest.mark.parametrize(("name", "run", "path", "body"), BEARER_CALLS,
                         ids=[c[0] for c in BEARER_CALLS])
def test_bearer_calls_send_the_token_and_never_the_game_secret(
    name: str, run: Run, path: str, body: Any, client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    rsps.add("POST", SANDBOX + path, json=GRANT)
    run(client)
    request = _sent(rsps)
    assert request.url == SANDBOX + path
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert "X-Game-Secret-Key" not in request.headers
    assert SECRET not in json.dumps(dict(request.headers))
    assert _json(request) == body
    if body is None:  # recovery_begin: no body and no Content-Type at all
        assert not request.body
        assert "Content-Type" not in request.headers
    else:
        assert request.headers["Content-Type"] == "application/json"


SECRET_CALLS: list[tuple[str, Run, str, str, Any]] = [
    ("packs", lambda c: c.steam_packs(), "GET", "/api/currency-purchases/steam/packs", None),
    ("packs[empty steamid]", lambda c: c.steam_packs(steamid=""), "GET",
     "/api/currency-purchases/steam/packs", None),
    ("packs[steamid]", lambda c: c.steam_packs(steamid="7656/1 9+x"), "GET",
     "/api/currency-purchases/steam/packs?steamid=7656/1%209%2Bx", None),
    ("init[client]",
     lambda c: c.steam_init_purchase(player_email="p@example.com", steamid=76561198000000001,
                                     pack_id="steam_medium", purchase_reference="ref-1"),
     "POST", "/api/currency-purchases/steam/init-purchase",
     {"player_email": "p@example.com", "steamid": "76561198000000001",
      "pack_id": "steam_medium", "purchase_reference": "ref-1"}),
    ("init[falsy optionals left out]",
     lambda c: c.steam_init_purchase(player_email="p@example.com", steamid="1",
                                     pack_id="steam_small", purchase_reference="ref-2",
                                     usersession="", player_ip="", player_name="",
                                     metadata={}),
     "POST", "/api/currency-purchases/steam/init-purchase",
     {"player_email": "p@example.com", "steamid": "1", "pack_id": "steam_small",
      "purchase_reference": "ref-2"}),
    ("init[web]",
     lambda c: c.steam_init_purchase(player_email="p@example.com", steamid="2",
                                     pack_id="steam_large", purchase_reference="ref-3",
                                     usersession="web", player_ip="203.0.113.9",
                                     player_name="Ada", metadata={"basket": "b-1"}),
     "POST", "/api/currency-purchases/steam/init-purchase",
     {"player_email": "p@example.com", "steamid": "2", "pack_id": "steam_large",
      "purchase_reference": "ref-3", "usersession": "web", "player_ip": "203.0.113.9",
      "player_name": "Ada", "metadata": {"basket": "b-1"}}),
    ("finalize", lambda c: c.steam_finalize_purchase(order_id="ord-1"), "POST",
     "/api/currency-purchases/steam/finalize-purchase", {"order_id": "ord-1"}),
]


@pytest.mark.parametrize(("name", "run", "method", "target", "body"), SECRET_CALLS,
                         ids=[c[0] for c in SECRET_CALLS])
def test_steam_calls_send_the_game_secret(
    name: str, run: Run, method: str, target: str, body: Any, client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    rsps.add(method, SANDBOX + target.split("?")[0], json={})
    run(client)
    request = _sent(rsps)
    assert request.url == SANDBOX + target
    assert request.headers["X-Game-Secret-Key"] == SECRET
    assert "Authorization" not in request.headers
    assert _json(request) == body


def test_poll_and_the_loop_send_the_same_poll(client: InvoServer,
                                              rsps: responses.RequestsMock) -> None:
    rsps.add("POST", SANDBOX + "/api/sdk/approvals/device/poll",
             json={"transaction_id": "tx-1", "flow": "send", "approved_at": "t"})
    rsps.add("POST", SANDBOX + "/api/sdk/send/tx-1/approve", json={"status": "approved"})
    done = client.complete_device_approval(player_token=TOKEN, transaction_id="tx-1",
                                           flow="send", device_code="dc-1",
                                           sleep=lambda _s: None)
    assert done.status == "approved"
    poll, settle = (call.request for call in rsps.calls)
    assert _json(poll) == {"device_code": "dc-1"} and _json(settle) == {"device_code": "dc-1"}
    for request in (poll, settle):
        assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        assert "X-Game-Secret-Key" not in request.headers


# == over a real recording server on 127.0.0.1 ==================================================


@pytest.mark.parametrize(("name", "run", "path", "body"), BEARER_CALLS,
                         ids=[c[0] for c in BEARER_CALLS])
def test_on_the_wire_bearer_only(name: str, run: Run, path: str, body: Any,
                                 srv: Recorder) -> None:
    srv.reply(200, GRANT)
    with srv.client() as invo:
        run(invo)
    seen = srv.last
    assert seen.method == "POST"
    assert seen.path == path  # as sent: ids quoted with no safe characters
    names = {name.lower() for name, _ in seen.header_items}
    assert "x-game-secret-key" not in names
    assert RECORDER_SECRET.encode() not in repr(seen.header_items).encode()
    assert seen.header("Authorization") == f"Bearer {TOKEN}"
    if body is None:
        assert seen.body == b"" and "content-type" not in names
    else:
        assert seen.json == body


def test_on_the_wire_steam_packs_keeps_the_slash(srv: Recorder) -> None:
    srv.reply(200, {"packs": []})
    with srv.client() as invo:
        invo.steam_packs(steamid="76561/198")
    assert srv.last.path == "/api/currency-purchases/steam/packs"
    assert srv.last.query == "steamid=76561/198"
    assert srv.last.header("X-Game-Secret-Key") == RECORDER_SECRET
