"""Drives the consoles-and-Steam calls of whichever ``invonetwork`` is importable: this SDK,
or INVO's own client put first on ``PYTHONPATH`` by ``test_invo_client.py``. Not a test
module: run as ``python invo_client_driver.py MODE URL [ADMIN]``.

* ``calls URL``: every call once against a recording server; one JSON line per call with a
  view of its result (its attributes) or of its error (status, code).
* ``flow URL ADMIN``: the device approval (sender then recipient), a Steam purchase and a
  passkey recovery against a running sandbox (``ADMIN`` is its ``/__sandbox__`` root).
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Mapping
from typing import Any

import requests

from invonetwork import InvoServer

SECRET = "ivsdk_test_driver0123456789"
UA = {"User-Agent": "invonetwork-python-sdk/driver"}


def view(value: Any) -> Any:
    """A JSON-able view: a dataclass as its fields, lists item by item, mappings as dicts."""
    if isinstance(value, (list, tuple)):
        return [view(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: view(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {"__mapping__": {k: view(value[k]) for k in value}}
    return value


def _no_sleep(seconds: float) -> None:
    print(json.dumps({"slept": seconds}), file=sys.stderr)


T = "pt_driver_token"
CALLS: list[tuple[str, dict[str, Any]]] = [
    ("steam_packs", {}),
    ("steam_packs", dict(steamid="7656/119 8")),
    ("steam_packs", dict(steamid="nulls")),
    ("steam_init_purchase", dict(player_email="ada@example.com", steamid="76561198000000001",
                                 pack_id="steam_medium", purchase_reference="ref-1")),
    ("steam_init_purchase", dict(player_email="ada@example.com", steamid="2",
                                 pack_id="steam_small", purchase_reference="ref-web",
                                 usersession="web", player_ip="203.0.113.9", player_name="Ada",
                                 metadata={"basket": "b-1"})),
    ("steam_init_purchase", dict(player_email="ada@example.com", steamid="3",
                                 pack_id="steam_small", purchase_reference="ref-dup")),
    ("steam_finalize_purchase", dict(order_id="ord-ok")),
    ("steam_finalize_purchase", dict(order_id="ord-refused")),
    ("steam_finalize_purchase", dict(order_id="ord-pending")),
    ("begin_device_approval", dict(player_token=T, transaction_id="tx-1", flow="transfer")),
    ("begin_device_approval", dict(player_token=T, transaction_id="tx 2",
                                   flow="send_receipt", channel="app_browser")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-approved")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-pending")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-slow")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-expired")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-denied")),
    ("poll_device_approval", dict(player_token=T, device_code="dc-invalid")),
    ("confirm_device_enrollment", dict(player_token=T, device_code="dc-1", decision="approve")),
    ("approve_with_device_code", dict(player_token=T, transaction_id="tx/1", flow="transfer",
                                      device_code="dc-1")),
    ("approve_with_device_code", dict(player_token=T, transaction_id="tx-2", flow="send",
                                      device_code="dc-hold")),
    ("approve_with_device_code", dict(player_token=T, transaction_id="tx-3",
                                      flow="send_receipt", device_code="dc-1")),
    ("approve_with_device_code", dict(player_token=T, transaction_id="tx-4",
                                      flow="transfer_receipt", device_code="dc-again")),
    ("approve_with_device_code", dict(player_token=T, transaction_id="tx-5", flow="transfer",
                                      device_code="dc-old-server")),
    ("complete_device_approval", dict(player_token=T, transaction_id="tx-9", flow="transfer",
                                      device_code="dc-loop", sleep=_no_sleep)),
    ("recovery_begin", dict(player_token=T)),
    ("recovery_complete", dict(player_token=T, code="123456")),
]


def calls(url: str) -> None:
    invo = InvoServer(SECRET, url, max_retries=0)
    if True:
        for name, kwargs in CALLS:
            try:
                line: dict[str, Any] = {"call": name, "result": view(getattr(invo, name)(
                    **kwargs))}
            except Exception as err:
                line = {"call": name, "error": [getattr(err, "status", None),
                                                getattr(err, "code", None)]}
            print(json.dumps(line, sort_keys=True))


def flow(url: str, admin: str) -> None:
    def press(path: str, body: Any = None) -> Any:
        answer = requests.post(admin + path, json=body or {}, headers=UA, timeout=10)
        answer.raise_for_status()
        return answer.json()

    invo = InvoServer(SECRET, url)
    if True:
        move = invo.initiate_transfer(
            client_request_id="drv-1", source_player_name="Ada",
            source_player_email="ada@example.com", source_player_phone="+15555550100",
            target_player_email="bob@example.com", target_player_phone="+15555550111",
            target_game_id=2002, amount="25")
        txn = str(move.transaction_id)
        ada = invo.mint_player_token(player_email="ada@example.com").token
        grant = invo.begin_device_approval(player_token=ada, transaction_id=txn,
                                           flow="transfer")
        turns = [0]

        def wait(seconds: float) -> None:
            turns[0] += 1
            if turns[0] == 2:
                press(f"/device/{grant.user_code}/approve")
            press("/clock/advance", {"seconds": seconds})

        done = invo.complete_device_approval(player_token=ada, transaction_id=txn,
                                             flow="transfer", device_code=grant.device_code,
                                             interval=grant.interval, sleep=wait)
        print(json.dumps({"step": "sender", "status": done.status,
                          "settled": done.settlement.status if done.settlement else None}))
        bob = invo.mint_player_token(player_email="bob@example.com").token
        receipt = invo.begin_device_approval(player_token=bob, transaction_id=txn,
                                             flow="transfer_receipt")
        press(f"/device/{receipt.user_code}/approve")
        got = invo.approve_with_device_code(player_token=bob, transaction_id=txn,
                                            flow="transfer_receipt",
                                            device_code=receipt.device_code)
        print(json.dumps({"step": "receipt", "status": got.status,
                          "amount_received": got.amount_received}))

        packs = invo.steam_packs(steamid="76561198000000001")
        order = invo.steam_init_purchase(player_email="bob@example.com",
                                         steamid="76561198000000001",
                                         pack_id=packs.packs[1].pack_id,
                                         purchase_reference="drv-steam-1")
        try:
            invo.steam_finalize_purchase(order_id=order.order_id)
            pending = False
        except Exception as err:
            pending = bool(getattr(err, "is_steam_authorization_pending", False))
        press(f"/steam/orders/{order.order_id}/authorize")
        paid = invo.steam_finalize_purchase(order_id=order.order_id)
        again = invo.steam_finalize_purchase(order_id=order.order_id)
        print(json.dumps({"step": "steam", "pending_first": pending, "credited": paid.credited,
                          "new_balance": paid.new_balance,
                          "already_processed": again.already_processed}))

        sent = invo.recovery_begin(player_token=bob)
        code = requests.get(f"{admin}/recovery/code", params={"email": "bob@example.com"},
                            headers=UA, timeout=10).json()["code"]
        recovered = invo.recovery_complete(player_token=bob, code=code)
        print(json.dumps({"step": "recovery", "channels": sent.channels,
                          "status": recovered.status}))


if __name__ == "__main__":
    mode, target = sys.argv[1], sys.argv[2]
    if mode == "calls":
        calls(target)
    else:
        flow(target, sys.argv[3])
