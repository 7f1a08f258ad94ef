"""Fidelity fixes found by driving independent INVO clients against the sandbox."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invonetwork.sandbox import Sandbox

from .conftest import Api, send_body, transfer_body

# -- a claim must come from the phone the money was sent to -----------------------------------


def _approved_send(sb: Sandbox, api: Api) -> str:
    r = api.post("/api/currency-sends/initiate-send", send_body("f1"))
    txn = r.json()["transaction_id"]
    pin = sb.last_sms_pin(txn)
    done = api.post("/api/currency-sends/verify-sms", {"transaction_id": txn, "sms_pin": pin})
    return str(done.json()["claim_code"])


def _claim(api: Api, code: str, phone: str, email: str = "zed@example.com") -> object:
    return api.post("/api/currency-sends/claim-currency", {
        "claim_code": code, "receiver_player_name": "Zed", "receiver_player_email": email,
        "receiver_player_phone": phone,
    })


def test_a_claim_with_another_phone_is_refused_and_moves_nothing(sb: Sandbox, api: Api) -> None:
    code = _approved_send(sb, api)
    wrong = _claim(api, code, "+15555550998")
    assert wrong.status_code == 403  # type: ignore[attr-defined]
    assert wrong.json()["code"] == "PHONE_MISMATCH"  # type: ignore[attr-defined]
    assert wrong.json()["field"] == "receiver_player_phone"  # type: ignore[attr-defined]
    assert [e for e in sb.events if e["event_type"] == "transfer.received"] == []
    right = _claim(api, code, "+15555550199")
    assert right.status_code == 200  # type: ignore[attr-defined]
    assert sb.balance("zed@example.com", game_id=2002) == Decimal("45.00")


def test_a_transfer_claim_with_another_phone_is_refused(sb: Sandbox, api: Api) -> None:
    sb.add_player("kim2@example.com", phone="+15555550166", passkey_enrolled=True, balance=90)
    r = api.post("/api/transfers/initiate-transfer", transfer_body(
        "f2", source_player_email="kim2@example.com", source_player_phone="+15555550166"))
    code = sb.approve_transaction(r.json()["transaction_id"])["claim_code"]
    body = {"claim_code": code, "target_player_name": "Zed",
            "target_player_email": "zed@example.com", "target_player_phone": "+15555550100",
            "target_currency_id": 2002}
    refused = api.post("/api/transfers/claim-transfer", body)
    assert refused.status_code == 403 and refused.json()["code"] == "PHONE_MISMATCH"
    assert sb.balance("ada@example.com", game_id=2002) == Decimal("0")


# -- two players never hold the same phone -----------------------------------------------------


def test_seeding_a_second_holder_of_a_phone_is_refused_and_leaves_no_trace(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match=r"already belongs to ada@example\.com"):
        sb.add_player("eve@example.com", phone="+15555550100", balance=5)
    with pytest.raises(KeyError):
        sb.balance("eve@example.com")


def test_accounts_of_one_wallet_may_share_the_phone(sb: Sandbox) -> None:
    sb.add_player("ada.alt@example.com", phone="+15555550100", wallet_of="ada@example.com")
    phones = {p["player_email"]: p["player_phone"] for p in sb.snapshot()["players"]}
    assert phones["ada.alt@example.com"] == phones["ada@example.com"] == "+15555550100"


def test_a_mint_with_another_players_phone_needs_the_owners_consent(
    sb: Sandbox, api: Api
) -> None:
    r = api.post("/api/sdk/player-token", {"player_email": "eve@example.com",
                                           "player_phone": "+15555550111"})
    assert r.status_code == 409 and r.json()["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"
    otp = sb.last_otp("+15555550111")
    ok = api.post("/api/wallet/phone-share/approve",
                  {"approval_id": r.json()["approval_id"], "otp": otp}, secret=None)
    assert ok.status_code == 200
    again = api.post("/api/sdk/player-token", {"player_email": "eve@example.com",
                                               "player_phone": "+15555550111"})
    assert again.status_code == 200
    holders = [p["player_email"] for p in sb.snapshot()["players"]
               if p["player_phone"] == "+15555550111"]
    assert holders == ["bob@example.com"]  # consent to use is not ownership


@pytest.mark.parametrize("path,body", [
    ("/api/item-purchases/purchase-item", {
        "client_request_id": "p1", "player_email": "eve@example.com", "player_name": "Eve",
        "item_id": "i", "item_name": "I", "item_quantity": 1, "unit_price": "0.01",
        "total_price": "0.01", "player_phone": "+15555550100"}),
    ("/api/currency-purchases/purchase-currency", {
        "purchase_reference": "r1", "player_email": "eve@example.com", "usd_amount": "1.00",
        "player_phone": "+15555550100"}),
])
def test_other_writes_never_hand_a_held_phone_to_a_second_player(
    sb: Sandbox, api: Api, path: str, body: dict[str, object]
) -> None:
    sb.add_player("eve@example.com", balance=10)
    r = api.post(path, body)
    assert r.status_code == 200, r.text
    phones = {p["player_email"]: p["player_phone"] for p in sb.snapshot()["players"]}
    assert phones["eve@example.com"] is None and phones["ada@example.com"] == "+15555550100"


def test_a_sender_phone_held_by_another_wallet_is_not_taken(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/currency-sends/initiate-send", send_body(
        "s9", sender_player_email="newbie@example.com", sender_player_name="New",
        sender_player_phone="+15555550111", amount="1"))
    assert r.status_code == 400  # newbie has no money; the phone is still Bob's
    phones = {p["player_email"]: p["player_phone"] for p in sb.snapshot()["players"]}
    assert phones.get("newbie@example.com") is None
    assert phones["bob@example.com"] == "+15555550111"


def test_a_claim_by_another_email_on_a_held_phone_needs_consent(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/currency-sends/initiate-send", send_body(
        "f3", receiver_player_email="stranger@example.com",
        receiver_player_phone="+15555550111"))
    txn = r.json()["transaction_id"]
    code = api.post("/api/currency-sends/verify-sms", {
        "transaction_id": txn, "sms_pin": sb.last_sms_pin(txn)}).json()["claim_code"]
    claim = _claim(api, code, "+15555550111", email="stranger@example.com")
    assert claim.status_code == 409  # type: ignore[attr-defined]
    assert claim.json()["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"  # type: ignore[attr-defined]
    approval = claim.json()["approval_id"]  # type: ignore[attr-defined]
    api.post("/api/wallet/phone-share/approve",
             {"approval_id": approval, "otp": sb.last_otp("+15555550111")}, secret=None)
    done = _claim(api, code, "+15555550111", email="stranger@example.com")
    assert done.json()["status"] == "success"  # type: ignore[attr-defined]
    assert sb.balance("stranger@example.com", game_id=2002) == Decimal("45.00")
    assert sb.balance("bob@example.com", game_id=2002) == Decimal("0")
