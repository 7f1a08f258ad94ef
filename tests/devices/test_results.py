"""How each answer is read: every attribute of consoles-and-steam.md §1.3, §2.3, §3, including
the poll and settle mappings (answers returned rather than raised)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import responses

from invonetwork import (
    DeviceApprovalEnrollment,
    DeviceApprovalGrant,
    DeviceApprovalPollResult,
    DeviceApprovalSettleResult,
    InvalidResponseError,
    InvoError,
    InvoServer,
    RecoveryBeginResult,
    RecoveryCompleteResult,
    SteamFinalizeResult,
    SteamInitPurchaseResult,
    SteamPack,
    SteamPacksResult,
)

URL = re.compile(r".*")


# -- Steam ---------------------------------------------------------------------------------------


def test_packs_read_as_strings_and_null_is_empty() -> None:
    body = {"packs": [
        {"pack_id": "steam_medium", "label": "Chest", "price_usd": 9.99, "currency_amount": 69},
        {"pack_id": None, "label": None},
        "not an object",
    ], "country": "FR", "vat_rate_pct": 20}
    result = SteamPacksResult.from_body(body)
    assert result.packs == [SteamPack("steam_medium", "Chest", "9.99", "69"),
                            SteamPack("", "", "", "")]
    assert result.country == "FR" and result.vat_rate_pct == "20"
    assert result.raw == body
    assert not hasattr(result.packs[0], "raw")


@pytest.mark.parametrize("packs", [None, "x", {}])
def test_packs_missing_or_null(packs: Any) -> None:
    body = {} if packs is None else {"packs": packs}
    result = SteamPacksResult.from_body(body)
    assert result.packs == [] and result.country is None and result.vat_rate_pct == "0"
    assert SteamPacksResult.from_body({"packs": None}).packs == []


def test_init_result_as_sent() -> None:
    body = {"status": "pending_authorization", "order_id": "ord-1", "steam_transid": 123,
            "steam_checkout_url": "https://steam.example/c", "pack_id": "steam_small",
            "charged_usd": "4.99", "currency_amount": 34}
    result = SteamInitPurchaseResult.from_body(body)
    assert (result.status, result.order_id, result.steam_transid, result.steam_checkout_url,
            result.pack_id, result.charged_usd, result.currency_amount) == (
        "pending_authorization", "ord-1", 123, "https://steam.example/c", "steam_small",
        "4.99", 34)
    empty = SteamInitPurchaseResult.from_body({})
    assert (empty.status, empty.order_id, empty.steam_transid, empty.steam_checkout_url,
            empty.charged_usd, empty.currency_amount) == ("", "", None, None, None, None)


@pytest.mark.parametrize(("body", "credited", "reason", "already"), [
    ({"credited": True, "new_balance": "69.00"}, True, None, False),
    ({"credited": True, "already_processed": True}, True, None, True),
    ({"credited": False, "reason_code": "CREDIT_REFUSED_LIMIT"}, False,
     "CREDIT_REFUSED_LIMIT", False),
    ({"credited": False, "reason_code": 7}, False, "7", False),
    ({"credited": False}, False, None, False),
    ({"credited": "false", "reason_code": "REFUNDED"}, None, None, False),
    ({"credited": 0, "reason_code": "REFUNDED", "already_processed": "true"}, None, None,
     False),
    ({"reason_code": "REFUNDED"}, None, None, False),
])
def test_finalize_result(body: dict[str, Any], credited: Any, reason: Any,
                         already: bool) -> None:
    result = SteamFinalizeResult.from_body({"status": "success", **body})
    assert result.credited is credited
    assert result.reason_code == reason
    assert result.already_processed is already
    assert result.new_balance == body.get("new_balance")
    assert result.status == "success"


# -- device approval ----------------------------------------------------------------------------


def test_grant_reads_and_defaults() -> None:
    body = {"device_code": "dc", "verification_uri_complete": "https://i.example/d?u=AB",
            "user_code": "ABCD-EFGH", "verification_uri": "https://i.example/d",
            "expires_in": 600.7, "interval": 0.4, "channel": "app_browser"}
    grant = DeviceApprovalGrant.from_body(body)
    assert (grant.device_code, grant.user_code, grant.verification_uri,
            grant.verification_uri_complete, grant.expires_in, grant.interval,
            grant.channel) == ("dc", "ABCD-EFGH", "https://i.example/d",
                               "https://i.example/d?u=AB", 600, 1, "app_browser")
    bare = DeviceApprovalGrant.from_body({"device_code": "dc", "verification_uri_complete": "u",
                                          "expires_in": "600", "interval": True})
    assert (bare.user_code, bare.verification_uri, bare.expires_in, bare.interval,
            bare.channel) == ("", "", 0, 5, "qr")
    assert "dc" not in repr(grant)  # the device code is the backend's secret


@pytest.mark.parametrize("body", [
    {"verification_uri_complete": "u"}, {"device_code": "dc"},
    {"device_code": " ", "verification_uri_complete": "u"},
    {"device_code": "dc", "verification_uri_complete": None},
])
def test_grant_without_its_required_fields_is_invalid_response(
        body: dict[str, Any], client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json=body)
    with pytest.raises(InvalidResponseError) as info:
        client.begin_device_approval(player_token="pt", transaction_id="t", flow="send")
    assert info.value.code == "INVALID_RESPONSE"
    assert len(rsps.calls) == 1


def test_enrollment_reads() -> None:
    found = DeviceApprovalEnrollment.from_body({"state": "awaiting_screen", "match_code": "48-27",
                                                "device_label": "iPhone", "recovery": "true",
                                                "requested_at": 5})
    assert (found.state, found.match_code, found.device_label, found.recovery,
            found.requested_at) == ("awaiting_screen", "48-27", "iPhone", False, None)
    assert DeviceApprovalEnrollment.from_body({"recovery": True}).recovery is True


def test_poll_approved_whatever_the_body_says(client: InvoServer,
                                             rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json={"status": "pending", "transaction_id": "tx-1", "flow": "send",
                                "approved_at": "2026-01-01T00:00:00Z"},
             headers={"x-invo-request-id": "req_p"})
    poll = client.poll_device_approval(player_token="pt", device_code="dc")
    assert isinstance(poll, DeviceApprovalPollResult)
    assert (poll.status, poll.transaction_id, poll.flow, poll.approved_at) == (
        "approved", "tx-1", "send", "2026-01-01T00:00:00Z")
    assert poll.request_id == "req_p"


@pytest.mark.parametrize("token", ["authorization_pending", "slow_down", "expired_token",
                                   "access_denied"])
def test_poll_grant_states_are_returned(token: str, client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    body = {"error": token, "interval": 10,
            "enrollment": {"state": "awaiting_screen", "match_code": "11-22"}}
    rsps.add("POST", URL, json=body, status=400, headers={"x-invo-request-id": "req_e"})
    poll = client.poll_device_approval(player_token="pt", device_code="dc")
    assert poll.status == token and poll.interval == 10
    assert poll.enrollment is not None and poll.enrollment.match_code == "11-22"
    assert (poll.transaction_id, poll.flow, poll.approved_at) == (None, None, None)
    assert poll.raw == body and poll.request_id == "req_e"


@pytest.mark.parametrize(("interval", "read"), [(0, None), (-5, None), ("5", None), (None, None),
                                                 (7.9, 7), (True, None)])
def test_poll_interval(interval: Any, read: Any) -> None:
    assert DeviceApprovalPollResult.from_body({"interval": interval}).interval == read


@pytest.mark.parametrize(("status", "body"), [
    (400, {"error": "invalid_grant"}),
    (400, {"error": "authorization_pending", "code": "SOMETHING_ELSE"}),
    (401, {"error": "unauthorized"}),
    (403, {"error": "access_denied"}),
])
def test_poll_other_answers_raise(status: int, body: dict[str, Any], client: InvoServer,
                                  rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json=body, status=status)
    with pytest.raises(InvoError) as info:
        client.poll_device_approval(player_token="pt", device_code="dc")
    assert info.value.status == status


def _approve(client: InvoServer, flow: str = "transfer", txn: Any = "tx-1") -> Any:
    return client.approve_with_device_code(player_token="pt", transaction_id=txn, flow=flow,
                                           device_code="dc")


def test_settle_sender_approved(client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json={"status": "approved", "next": "pending_claim",
                                "claim_code": "ABCD2345",
                                "claim_code_expires_at": "2026-01-02T00:00:00Z"})
    settled = _approve(client)
    assert isinstance(settled, DeviceApprovalSettleResult)
    assert (settled.status, settled.transaction_id, settled.flow, settled.already_settled,
            settled.current_status, settled.next, settled.claim_code,
            settled.claim_code_expires_at, settled.amount_received, settled.hold_reason,
            settled.risk, settled.guardian_approval, settled.poll_endpoint) == (
        "approved", "tx-1", "transfer", False, None, "pending_claim", "ABCD2345",
        "2026-01-02T00:00:00Z", None, None, None, None, None)
    assert "ABCD2345" not in repr(settled)


def test_settle_receipt_completed(client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json={"status": "completed", "transaction_id": "tx-9",
                                "amount_received": 9.5, "next": 5})
    settled = _approve(client, "send_receipt", txn=9)
    assert (settled.status, settled.transaction_id, settled.flow, settled.amount_received,
            settled.next) == ("completed", "tx-9", "send_receipt", "9.5", None)


def test_settle_hold_is_returned(client: InvoServer, rsps: responses.RequestsMock) -> None:
    body = {"status": "pending_guardian_approval", "error_code": "GUARDIAN_APPROVAL_PENDING",
            "code": "OTHER", "guardian_approval": {"approval_id": "g-1"},
            "poll_endpoint": "/api/transactions/tx-1/approval-status", "risk": ["x"]}
    rsps.add("POST", URL, json=body, status=202)
    held = _approve(client, "send")
    assert (held.status, held.hold_reason, held.guardian_approval, held.poll_endpoint,
            held.risk) == ("pending_guardian_approval", "GUARDIAN_APPROVAL_PENDING",
                           {"approval_id": "g-1"}, "/api/transactions/tx-1/approval-status",
                           None)
    rsps.replace("POST", URL, json={"status": "risk_hold", "code": "RISK_HOLD",
                                    "risk": {"score": 91}}, status=202)
    risky = _approve(client, "send")
    assert risky.hold_reason == "RISK_HOLD" and risky.risk == {"score": 91}


@pytest.mark.parametrize(("flow", "current", "settled"), [
    ("transfer", "pending_claim", True), ("send", " Completed ", True),
    ("transfer", "distributed", True), ("send", "verified", True),
    ("send", "pin_verified_awaiting_claim", True),
    ("transfer", "expired", False), ("send", "mystery", False),
    ("send_receipt", "completed", True), ("transfer_receipt", "DISTRIBUTED", True),
    ("send_receipt", "pending_claim", False), ("transfer_receipt", "verified", False),
])
def test_not_pending_is_returned(flow: str, current: str, settled: bool, client: InvoServer,
                                 rsps: responses.RequestsMock) -> None:
    body = {"error": "Transaction not pending", "code": "TRANSACTION_NOT_PENDING",
            "current_status": current}
    rsps.add("POST", URL, json=body, status=400)
    result = _approve(client, flow, txn="tx-5")
    assert (result.status, result.transaction_id, result.flow, result.current_status,
            result.already_settled) == ("not_pending", "tx-5", flow, current, settled)
    assert result.raw == body


def test_not_pending_from_an_older_servers_message(client: InvoServer,
                                                   rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json={"error": "Transaction not pending (current status: completed)"},
             status=400)
    result = _approve(client, "send_receipt")
    assert (result.status, result.current_status, result.already_settled) == (
        "not_pending", "completed", True)
    rsps.replace("POST", URL, body="Transaction not pending (status: pending_claim)", status=400)
    texty = _approve(client, "transfer")
    assert texty.already_settled is True and texty.raw == {}


@pytest.mark.parametrize(("status", "body"), [
    (400, {"error": "x", "code": "DEVICE_APPROVAL_NOT_APPROVED"}),
    (400, {"error": "x", "code": "TRANSFER_APPROVE_FAILED", "error_ref": "ref-1"}),
    (403, {"error": "x", "code": "PASSKEY_RECOVERY_COOLDOWN"}),
    (409, {"error": "x", "code": "TRANSACTION_NOT_PENDING_SOON"}),
    (410, {"error": "x", "code": "GUARDIAN_APPROVAL_REJECTED"}),
])
def test_other_settle_refusals_raise(status: int, body: dict[str, Any], client: InvoServer,
                                     rsps: responses.RequestsMock) -> None:
    rsps.add("POST", URL, json=body, status=status)
    with pytest.raises(InvoError):
        _approve(client)


# -- recovery -----------------------------------------------------------------------------------


def test_recovery_results() -> None:
    sent = RecoveryBeginResult.from_body({"status": "sent", "channels": ["sms", "email", 3]})
    assert sent.status == "sent" and sent.channels == ["sms", "email"]
    assert RecoveryBeginResult.from_body({"channels": "email"}).channels == []
    done = RecoveryCompleteResult.from_body({"status": "recovered", "deactivated_count": 2.0,
                                             "next": "enroll"})
    assert (done.status, done.deactivated_count, done.next) == ("recovered", 2, "enroll")
    odd = RecoveryCompleteResult.from_body({"deactivated_count": "2", "next": 1})
    assert (odd.status, odd.deactivated_count, odd.next) == ("", 0, None)
