"""Drives ``server.payouts`` and ``server.platform_commerce`` of whichever ``invonetwork`` is
importable: this SDK, or INVO's own client put first on ``PYTHONPATH`` by
``test_invo_client.py``. Not a test module: run as ``python invo_client_driver.py MODE URL``.

* ``calls URL``: every call of both namespaces, once, against a recording server; prints one
  JSON line per call with a view of its result (its mapping, and its attributes).
* ``flow URL ADMIN``: a creator from registration to a paid payout, and a buyer-approved
  purchase, against a running sandbox (``ADMIN`` is its ``/__sandbox__`` root).
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
    """A JSON-able view: a mapping as a dict, a dataclass as its fields, lists item by item."""
    if isinstance(value, (list, tuple)):
        return [view(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        made = {f.name: view(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Mapping):  # this SDK's payout results are also mappings
            made["__mapping__"] = {k: view(value[k]) for k in value}
        return made
    if isinstance(value, Mapping):
        return {"__mapping__": {k: view(value[k]) for k in value}}
    return value


CALLS: list[tuple[str, str, dict[str, Any]]] = [
    ("payouts", "register_payee", dict(partner_reference=" ref-1 ", legal_name="Ada",
                                       email="ada@creators.test ", country="GB",
                                       payee_type="individual")),
    ("payouts", "list_payees", dict(limit=10, offset=0, status="verified")),
    ("payouts", "list_payees", {}),
    ("payouts", "get_payee", dict(payee_id=" cp/1 ")),
    ("payouts", "resend_payee_invite", dict(payee_id="cp_1")),
    ("payouts", "remove_payee", dict(payee_id="cp_1")),
    ("payouts", "request_payout", dict(amount_usd=" 250.50 ", contact_email="o@s.test",
                                       payee_id="cp_1", client_request_id="k-1",
                                       partner_note="June", additional_emails=["b@s.test"])),
    ("payouts", "request_payout", dict(amount_usd=99.5, contact_email="o@s.test",
                                       bank_account_id=3)),
    ("payouts", "get_payout", dict(payout_id=7)),
    ("payouts", "list_payouts", dict(limit=5, status="completed", payee_id="cp_1")),
    ("payouts", "cancel_payout", dict(payout_id=7)),
    ("platform_commerce", "purchase", dict(
        client_request_id="o-1", funding_source="balance", player_email="ada@example.com",
        player_name="Ada", item_id="mug", item_name="Mug", item_quantity=3, unit_price="33.33",
        total_price="100.00", item_category="", metadata={"cart": 1},
        require_player_approval=True, return_url="https://shop.test/back")),
    ("platform_commerce", "purchase", dict(
        client_request_id="o-2", funding_source="card", player_email="ada@example.com",
        player_name="Ada", item_id="mug", item_name="Mug", item_quantity=1, unit_price=5,
        total_price=5, player_phone="+15555550100", success_url="https://shop.test/ok")),
    ("platform_commerce", "get_approval", dict(approval_id="pca/1")),
    ("platform_commerce", "get_approval", dict(client_request_id="o 1")),
    ("platform_commerce", "cancel_approval", dict(approval_id="pca_1")),
    ("platform_commerce", "get_status", dict(order_id=42)),
    ("platform_commerce", "get_purchase_history", dict(player_email=" ada@example.com ",
                                                       limit=20, cursor="c1")),
    ("platform_commerce", "iterate_purchase_history", dict(player_email="ada@example.com",
                                                           page_size=2)),
    ("platform_commerce", "refund", dict(order_id="pco_1", reason="broken",
                                         confirm_additional_refund=True)),
    ("platform_commerce", "refund", dict(client_request_id="o-1", refund_remaining=True,
                                         reason="")),
]


def run_calls(base_url: str) -> None:
    invo = InvoServer(SECRET, base_url, max_retries=0)
    for namespace, name, kwargs in CALLS:
        result = getattr(getattr(invo, namespace), name)(**kwargs)
        if name.startswith("iterate"):
            result = list(result)
        print(json.dumps({"call": f"{namespace}.{name}", "result": view(result)}))


def run_flow(base_url: str, admin: str) -> None:
    invo = InvoServer(SECRET, base_url, max_retries=0)
    made = invo.payouts.register_payee(partner_reference="cr-1", legal_name="Ada Lovelace",
                                       email="ada@creators.test", country="GB",
                                       payee_type="individual")
    payee_id = made["payee"]["payee_id"]
    requests.post(f"{admin}/payees/{payee_id}/verify", timeout=5).raise_for_status()
    asked = invo.payouts.request_payout(amount_usd="250", contact_email="ops@studio.test",
                                        payee_id=payee_id, client_request_id="june")
    payout_id = asked["payout"]["payout_id"]
    requests.post(f"{admin}/payouts/{payout_id}/complete", timeout=5).raise_for_status()
    paid = invo.payouts.get_payout(payout_id)
    bought = invo.platform_commerce.purchase(
        client_request_id="cart-1", funding_source="balance", player_email="ada@example.com",
        player_name="Ada", item_id="mug", item_name="Mug", item_quantity=2, unit_price="10.00",
        total_price="20.00", require_player_approval=True)
    requests.post(bought.approval_url + "/approve", headers=UA, timeout=5).raise_for_status()
    approval = invo.platform_commerce.get_approval(bought.approval_id)
    status = invo.platform_commerce.get_status(approval.order_id)
    print(json.dumps({"payout_status": paid["status"], "net": paid["net_payout_usd"],
                      "payees": invo.payouts.list_payees()["total"],
                      "purchase_status": bought.status, "approval_status": approval.status,
                      "order_status": status.status}))


if __name__ == "__main__":
    if sys.argv[1] == "calls":
        run_calls(sys.argv[2])
    else:
        run_flow(sys.argv[2], sys.argv[3])
