"""Part 2 call forms, and guards that the catalogue and the typed usage file cover every
public InvoServer method (so a new method cannot ship untested)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import responses

from invonetwork import InvoServer

from .support import PUBLIC_METHODS, SANDBOX, add_any, sent_json

LIFECYCLE = {"close", "closed", "from_env", "with_options"}
# Methods of InvoServer and its mixins; namespaces (properties such as ``payouts``) have their
# own catalogues.
API_METHODS = {
    name for name in dir(InvoServer)
    if not name.startswith("_") and callable(getattr(InvoServer, name))
} - LIFECYCLE
CONTRACT_METHODS = {
    "mint_player_token", "initiate_send", "initiate_transfer", "create_checkout",
    "purchase_currency", "confirm_payment", "get_order_details", "purchase_item",
    "get_item_purchase_history", "iterate_item_purchase_history", "get_item_order_details",
    "get_player_balance", "get_inbound_pending", "get_linked_identities",
    "verify_sms_transfer", "verify_sms_send", "claim_transfer", "claim_currency",
    "get_transfer_status", "get_send_status", "get_guardian_approval_status",
    "get_destinations", "phone_share_initiate", "phone_share_approve", "phone_share_status",
    "register_webhook_endpoint", "rotate_webhook_secret",
}


def test_every_contract_method_exists() -> None:
    assert CONTRACT_METHODS <= API_METHODS


def test_catalogue_covers_every_method() -> None:
    assert API_METHODS <= PUBLIC_METHODS


def test_typed_usage_calls_every_method() -> None:
    usage = (Path(__file__).parent.parent / "typing" / "usage.py").read_text(encoding="utf-8")
    called = set(re.findall(r"invo\.(\w+)\(", usage))
    assert called >= API_METHODS


@pytest.mark.parametrize(
    ("path", "method"),
    [("/api/transfers/verify-sms", "verify_sms_transfer"),
     ("/api/currency-sends/verify-sms", "verify_sms_send")],
)
def test_verify_sms_positional_or_keyword(path: str, method: str, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"status": "success"})
    assert getattr(client, method)("tx-1", "111").status == "success"
    getattr(client, method)(transaction_id="tx-2", sms_pin="222")
    getattr(client, method)("tx-3", sms_pin="333")
    assert [sent_json(c.request) for c in rsps.calls] == [
        {"transaction_id": "tx-1", "sms_pin": "111"}, {"transaction_id": "tx-2", "sms_pin": "222"},
        {"transaction_id": "tx-3", "sms_pin": "333"}]
    assert {c.request.url for c in rsps.calls} == {SANDBOX + path}


@pytest.mark.parametrize(
    ("method", "path"),
    [("get_transfer_status", "/api/transfers/{}/status"),
     ("get_send_status", "/api/currency-sends/{}/status"),
     ("get_guardian_approval_status", "/api/transactions/{}/approval-status")],
)
def test_status_reads_positional_or_keyword(method: str, path: str, client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    getattr(client, method)("tx 1")
    getattr(client, method)(transaction_id="tx/2")
    assert [c.request.url for c in rsps.calls] == [
        SANDBOX + path.format("tx%201"), SANDBOX + path.format("tx%2F2")]
    for call in rsps.calls:
        assert not call.request.body and "Content-Type" not in call.request.headers


@pytest.mark.parametrize("state", ["awaiting", "approved", "completed", "expired", "failed",
                                   "unknown", "brand_new_state"])
def test_verification_state_passed_through(state: str, client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={"verification_state": state, "transaction_type": "send"})
    result = client.get_send_status("t")
    assert result.verification_state == state and result.transaction_type == "send"


@pytest.mark.parametrize("state", ["pending", "approved", "rejected", "expired"])
def test_guardian_states(state: str, client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={"approval": {"state": state, "approval_id": "ga"}})
    result = client.get_guardian_approval_status("t")
    assert result.state == state and result.approval_id == "ga"
