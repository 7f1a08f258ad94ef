"""Client-side checks (status 0, before any request), in the order the facts list them."""

from __future__ import annotations

from typing import Any, Callable

import pytest
import responses

from invonetwork import InvalidInputError, InvoServer

Run = Callable[[InvoServer], Any]
OK_INIT: dict[str, Any] = {"player_email": "p@example.com", "steamid": "7656", "pack_id": "p",
                           "purchase_reference": "r"}
DEVICE = {"player_token": "pt", "transaction_id": "tx", "flow": "send", "device_code": "dc"}


def _init(**changes: Any) -> Run:
    return lambda c: c.steam_init_purchase(**{**OK_INIT, **changes})


def _approve(**changes: Any) -> Run:
    return lambda c: c.approve_with_device_code(**{**DEVICE, **changes})


def _complete(**changes: Any) -> Run:
    return lambda c: c.complete_device_approval(**{**DEVICE, **changes},
                                                sleep=_never_sleeps)


def _never_sleeps(seconds: float) -> None:
    raise AssertionError("complete_device_approval waited before checking its arguments")


REFUSED: list[tuple[str, Run, str]] = [
    # steam_init_purchase, in order
    ("init: email None", _init(player_email=None), "INVALID_INPUT"),
    ("init: email blank", _init(player_email="  "), "INVALID_INPUT"),
    ("init: email not str", _init(player_email=5), "INVALID_INPUT"),
    ("init: email first", _init(player_email="", pack_id="", purchase_reference=""),
     "INVALID_INPUT"),
    ("init: pack empty", _init(pack_id=""), "INVALID_INPUT"),
    ("init: pack None", _init(pack_id=None), "INVALID_INPUT"),
    ("init: steamid None", _init(steamid=None), "INVALID_INPUT"),
    ("init: steamid empty", _init(steamid=""), "INVALID_INPUT"),
    ("init: steamid letters", _init(steamid="7656x"), "INVALID_INPUT"),
    ("init: steamid space", _init(steamid=" 7656"), "INVALID_INPUT"),
    ("init: steamid unicode digits", _init(steamid="\uff17\uff16\uff15"), "INVALID_INPUT"),
    ("init: steamid negative", _init(steamid=-5), "INVALID_INPUT"),
    ("init: steamid before reference", _init(steamid="x", purchase_reference=""),
     "INVALID_INPUT"),
    ("init: reference empty", _init(purchase_reference=""), "MISSING_PURCHASE_REFERENCE"),
    ("init: reference None", _init(purchase_reference=None), "MISSING_PURCHASE_REFERENCE"),
    ("init: reference before ip", _init(purchase_reference="", usersession="web"),
     "MISSING_PURCHASE_REFERENCE"),
    ("init: web without ip", _init(usersession="web"), "MISSING_PLAYER_IP"),
    ("init: web with empty ip", _init(usersession="web", player_ip=""), "MISSING_PLAYER_IP"),
    # steam_finalize_purchase
    ("finalize: empty", lambda c: c.steam_finalize_purchase(order_id=""), "INVALID_INPUT"),
    ("finalize: None", lambda c: c.steam_finalize_purchase(order_id=None), "INVALID_INPUT"),
    # begin_device_approval, in order
    ("begin: token blank", lambda c: c.begin_device_approval(
        player_token=" ", transaction_id="", flow="x"), "INVALID_INPUT"),
    ("begin: token not str", lambda c: c.begin_device_approval(
        player_token=b"pt", transaction_id="tx", flow="send"), "INVALID_INPUT"),
    ("begin: txn blank", lambda c: c.begin_device_approval(
        player_token="pt", transaction_id=" ", flow="send"), "INVALID_INPUT"),
    ("begin: flow", lambda c: c.begin_device_approval(
        player_token="pt", transaction_id="tx", flow="receipt"), "INVALID_INPUT"),
    ("begin: channel", lambda c: c.begin_device_approval(
        player_token="pt", transaction_id="tx", flow="send", channel="sms"), "INVALID_INPUT"),
    ("begin: popup", lambda c: c.begin_device_approval(
        player_token="pt", transaction_id="tx", flow="send", channel="popup"), "INVALID_INPUT"),
    # poll / confirm
    ("poll: token", lambda c: c.poll_device_approval(player_token="", device_code="dc"),
     "INVALID_INPUT"),
    ("poll: code", lambda c: c.poll_device_approval(player_token="pt", device_code=" "),
     "INVALID_INPUT"),
    ("confirm: code", lambda c: c.confirm_device_enrollment(
        player_token="pt", device_code="", decision="approve"), "INVALID_INPUT"),
    ("confirm: decision", lambda c: c.confirm_device_enrollment(
        player_token="pt", device_code="dc", decision="APPROVE"), "INVALID_INPUT"),
    # approve_with_device_code
    ("approve: token", _approve(player_token=None), "INVALID_INPUT"),
    ("approve: txn", _approve(transaction_id=""), "INVALID_INPUT"),
    ("approve: txn bool", _approve(transaction_id=True), "INVALID_INPUT"),
    ("approve: flow", _approve(flow="transfer-receipt"), "INVALID_INPUT"),
    ("approve: code", _approve(device_code=""), "INVALID_INPUT"),
    # complete_device_approval: everything before the first wait
    ("complete: token", _complete(player_token=""), "INVALID_INPUT"),
    ("complete: txn", _complete(transaction_id=None), "INVALID_INPUT"),
    ("complete: flow", _complete(flow=None), "INVALID_INPUT"),
    ("complete: code", _complete(device_code="  "), "INVALID_INPUT"),
    ("complete: interval", _complete(interval="5"), "INVALID_INPUT"),
    ("complete: interval negative", _complete(interval=-1), "INVALID_INPUT"),
    ("complete: max failures", _complete(max_transient_failures=-1), "INVALID_INPUT"),
    ("complete: on_enrollment", _complete(on_enrollment="print"), "INVALID_INPUT"),
    ("complete: should_stop", _complete(should_stop=True), "INVALID_INPUT"),
    # recovery
    ("recovery_begin: token", lambda c: c.recovery_begin(player_token=""), "INVALID_INPUT"),
    ("recovery_complete: token", lambda c: c.recovery_complete(player_token=" ", code="1"),
     "INVALID_INPUT"),
    ("recovery_complete: code", lambda c: c.recovery_complete(player_token="pt", code=""),
     "INVALID_INPUT"),
    ("recovery_complete: code None", lambda c: c.recovery_complete(player_token="pt", code=None),
     "INVALID_INPUT"),
]


@pytest.mark.parametrize(("name", "run", "code"), REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_locally_before_any_request(name: str, run: Run, code: str,
                                            client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    with pytest.raises(InvalidInputError) as info:
        run(client)
    assert info.value.code == code
    assert info.value.status == 0
    assert info.value.is_missing_player_ip is (code == "MISSING_PLAYER_IP")
    assert len(rsps.calls) == 0


def test_steam_packs_checks_nothing_and_other_usersessions_pass(
        client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("GET", "https://sandbox.invo.network/sandbox/api/currency-purchases/steam/packs",
             json={})
    rsps.add("POST", "https://sandbox.invo.network/sandbox/api/currency-purchases/steam/"
             "init-purchase", json={})
    client.steam_packs(steamid="not digits")
    client.steam_init_purchase(**OK_INIT, usersession="client")
    client.steam_init_purchase(**OK_INIT, usersession="overlay")
    assert len(rsps.calls) == 3
