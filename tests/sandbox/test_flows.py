"""Money flows over plain HTTP: checkout, direct purchases, items, sends/transfers, claims."""

from __future__ import annotations

from decimal import Decimal

import pytest
import requests

from invonetwork.sandbox import Sandbox, SandboxError

from .conftest import Api, item_body, send_body, transfer_body


def _checkout(api: Api, **extra: object) -> dict[str, str]:
    r = api.post("/api/checkout/sessions",
                 {"player_email": "ada@example.com", "usd_amount": "5.00", **extra})
    assert r.status_code == 200, r.text
    return r.json()


# -- checkout --------------------------------------------------------------------------------


def test_checkout_pay_credits_once_then_409(sb: Sandbox, api: Api) -> None:
    cs = _checkout(api, metadata={"order": "42"})
    assert cs["checkout_url"] == (
        f"{sb.base_url}/checkout/{cs['session_id']}?session={cs['session_token']}")
    page = api.get(f"/checkout/{cs['session_id']}")
    assert page.status_code == 200 and "invo-pay" in page.text and "invo-cancel" in page.text
    r = api.post(f"/checkout/{cs['session_id']}/pay", secret=None)
    body = r.json()
    assert r.status_code == 200 and body["status"] == "success"
    assert body["currency_received"] == "50.00" and body["new_balance"] == "550.00"
    assert sb.balance("ada@example.com") == Decimal("550")
    (event,) = sb.events_of("purchase.completed")
    assert event["data"]["metadata"] == {"order": "42"}
    assert event["data"]["usd_amount"] == "5.00" and event["data"]["rail"] == "platform"
    again = api.post(f"/checkout/{cs['session_id']}/pay", secret=None)
    assert again.status_code == 409 and again.json()["code"] == "SESSION_ALREADY_CONSUMED"
    assert api.get(f"/checkout/{cs['session_id']}").status_code == 409
    assert sb.balance("ada@example.com") == Decimal("550")


def test_checkout_expires_after_15_minutes(sb: Sandbox, api: Api) -> None:
    cs = _checkout(api)
    sb.advance_time(14 * 60)
    assert api.get(f"/checkout/{cs['session_id']}").status_code == 200
    sb.advance_time(61)
    r = api.post(f"/checkout/{cs['session_id']}/pay", secret=None)
    assert r.status_code == 410 and r.json()["code"] == "SESSION_EXPIRED"
    with pytest.raises(SandboxError) as info:
        sb.pay_checkout(cs["session_id"])
    assert info.value.status == 410 and info.value.code == "SESSION_EXPIRED"


def test_checkout_cancel_consumes_without_charge(sb: Sandbox, api: Api) -> None:
    cs = _checkout(api, cancel_url="https://game.example/cancel")
    result = sb.cancel_checkout(cs["session_id"])
    assert result["status"] == "cancelled"
    assert result["redirect_url"] == "https://game.example/cancel"
    assert sb.balance("ada@example.com") == Decimal("500")
    assert api.post(f"/checkout/{cs['session_id']}/pay", secret=None).status_code == 409
    assert sb.events_of("purchase.completed") == []


def test_checkout_form_post_redirects_to_success_url(api: Api) -> None:
    cs = _checkout(api, success_url="https://game.example/ok?s={CHECKOUT_SESSION_ID}")
    r = api.request("POST", f"/checkout/{cs['session_id']}/pay", secret=None,
                    data={"x": "1"})
    assert r.status_code == 303
    assert r.headers["Location"] == f"https://game.example/ok?s={cs['session_id']}"


def test_checkout_validation(api: Api) -> None:
    for amount in ("0", "1000000.00", "1.234", "-1", True, "1e2"):
        r = api.post("/api/checkout/sessions",
                     {"player_email": "ada@example.com", "usd_amount": amount})
        assert r.status_code == 400, amount
    r = api.post("/api/checkout/sessions",
                 {"player_email": "ada@example.com", "usd_amount": "1", "rail": "card"})
    assert r.status_code == 400
    assert api.post("/api/checkout/sessions", {"player_email": "ada@example.com",
                                               "usd_amount": "1", "rail": "steam"}).ok


# -- direct purchases ------------------------------------------------------------------------


def _purchase(api: Api, ref: str, **extra: object) -> dict[str, object]:
    r = api.post("/api/currency-purchases/purchase-currency",
                 {"player_email": "ada@example.com", "usd_amount": "2.50",
                  "purchase_reference": ref, **extra})
    assert r.status_code == 200, r.text
    return r.json()


def test_purchase_currency_success_is_replayed_for_the_same_reference(
    sb: Sandbox, api: Api
) -> None:
    first = _purchase(api, "ref-1", payment_method_id="pm_card_visa")
    assert first["status"] == "success" and first["new_balance"] == "525.00"
    assert _purchase(api, "ref-1", payment_method_id="pm_card_visa") == first
    assert sb.balance("ada@example.com") == Decimal("525")
    r = api.post("/api/currency-purchases/purchase-currency",
                  {"player_email": "ada@example.com", "usd_amount": "9.00",
                   "purchase_reference": "ref-1"})
    assert r.status_code == 409 and r.json()["code"] == "DUPLICATE_REQUEST"
    details = api.get("/api/currency-purchases/order-details",
                      params={"order_id": first["order_id"]}).json()
    assert details["order"]["status"] == "completed"
    assert details["financial_summary"]["usd_amount"] == "2.50"
    assert [s["status"] for s in details["status_timeline"]] == ["created", "completed"]
    by_txn = api.get("/api/currency-purchases/order-details",
                     params={"transaction_id": first["transaction_id"]})
    assert by_txn.json()["order"]["order_id"] == first["order_id"]
    assert api.get("/api/currency-purchases/order-details",
                   params={"order_id": "ord_nope"}).status_code == 404


def test_purchase_currency_requires_action_then_confirm(sb: Sandbox, api: Api) -> None:
    result = _purchase(api, "ref-3ds", payment_method_id="pm_card_3ds")
    assert result["status"] == "requires_action" and result["client_secret"]
    assert sb.balance("ada@example.com") == Decimal("500")
    r = api.post("/api/currency-purchases/confirm-payment",
                 {"payment_intent_id": result["payment_intent_id"]})
    assert r.status_code == 200 and r.json()["new_balance"] == "525.00"
    again = api.post("/api/currency-purchases/confirm-payment",
                     {"payment_intent_id": result["payment_intent_id"]})
    assert again.json()["new_balance"] == "525.00"  # confirming twice credits once
    assert api.post("/api/currency-purchases/confirm-payment",
                    {"payment_intent_id": "pi_nope"}).status_code == 404


def test_purchase_currency_pending_payment_page(sb: Sandbox, api: Api) -> None:
    result = _purchase(api, "ref-game", rail="game")
    assert result["status"] == "pending_payment"
    page = requests.get(str(result["payment_url"]), headers={"User-Agent": "t"}, timeout=5)
    assert page.status_code == 200 and "invo-complete" in page.text
    assert sb.complete_payment(str(result["order_id"]))["new_balance"] == "525.00"
    assert len(sb.events_of("purchase.completed")) == 1


def test_purchase_currency_declined_steam_and_missing_reference(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/currency-purchases/purchase-currency",
                 {"player_email": "ada@example.com", "usd_amount": "1",
                  "purchase_reference": "d", "payment_method_id": "pm_card_declined"})
    assert r.status_code == 402 and r.json()["code"] == "CARD_DECLINED"
    assert sb.events_of("purchase.failed")
    r = api.post("/api/currency-purchases/purchase-currency",
                 {"player_email": "ada@example.com", "usd_amount": "1",
                  "purchase_reference": "s", "rail": "steam"})
    assert r.status_code == 400 and r.json()["code"] == "WRONG_RAIL_ENDPOINT"
    r = api.post("/api/currency-purchases/purchase-currency",
                 {"player_email": "ada@example.com", "usd_amount": "1"})
    assert r.json()["code"] == "MISSING_PURCHASE_REFERENCE"


# -- items -----------------------------------------------------------------------------------


def test_item_purchase_split_duplicate_and_insufficient(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/item-purchases/purchase-item",
                 item_body("r1", item_quantity=3, unit_price="33.33", total_price="100.00"))
    body = r.json()
    assert r.status_code == 200 and body["status"] == "success"
    assert body["previous_balance"] == "500.00" and body["new_balance"] == "400.00"
    assert body["financial_breakdown"]["developer_revenue"] == "90.00"
    assert body["financial_breakdown"]["platform_fee"] == "10.00"
    (event,) = sb.events_of("item.purchased")
    assert event["data"]["fee_breakdown"]["total_paid"] == "100.00"
    assert event["data"]["new_balance"] == "400.00"
    dup = api.post("/api/item-purchases/purchase-item", item_body("r1"))
    assert dup.status_code == 409 and dup.json()["code"] == "DUPLICATE_REQUEST"
    poor = api.post("/api/item-purchases/purchase-item",
                    item_body("r2", player_email="bob@example.com", player_name="Bob"))
    assert poor.status_code == 400
    expected = {"code": "INSUFFICIENT_BALANCE", "required_amount": "150.00",
                "current_balance": "20.00"}
    assert expected.items() <= poor.json().items()
    bad_total = api.post("/api/item-purchases/purchase-item",
                         item_body("r3", item_quantity=2, total_price="150.00"))
    assert bad_total.status_code == 400
    assert sb.balance("ada@example.com") == Decimal("400")


def test_item_history_pagination_and_order_details(api: Api) -> None:
    ids = []
    for i in range(5):
        r = api.post("/api/item-purchases/purchase-item",
                     item_body(f"h{i}", unit_price="10", total_price="10"))
        ids.append(r.json())
    page = api.get("/api/item-purchases/player-purchase-history",
                   params={"player_email": "ada@example.com", "limit": 2, "offset": 0}).json()
    assert page["pagination"] == {"total": 5, "limit": 2, "offset": 0, "has_more": True}
    assert page["item_purchase_history"][0]["client_request_id"] == "h4"  # newest first
    last = api.get("/api/item-purchases/player-purchase-history",
                   params={"player_email": "ada@example.com", "limit": 2, "offset": 4}).json()
    assert len(last["item_purchase_history"]) == 1 and last["pagination"]["has_more"] is False
    for key, value in (("order_id", ids[1]["order_id"]),
                       ("transaction_id", ids[1]["transaction_id"]),
                       ("client_request_id", "h1")):
        r = api.get("/api/item-purchases/order-details", params={key: value})
        assert r.status_code == 200 and r.json()["order"]["client_request_id"] == "h1"
    two = api.get("/api/item-purchases/order-details",
                  params={"order_id": ids[0]["order_id"], "client_request_id": "h0"})
    assert two.status_code == 400


# -- sends and transfers ---------------------------------------------------------------------


def test_send_sms_wrong_pin_block_and_success(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/currency-sends/initiate-send", send_body("s1"))
    body = r.json()
    assert r.status_code == 200 and body["verification_method"] == "sms"
    txn = body["transaction_id"]
    assert api.post("/api/currency-sends/initiate-send", send_body("s1")).json() == body
    assert sb.balance("ada@example.com") == Decimal("450")  # reserved
    pin = sb.last_sms_pin(txn)
    assert pin is not None and pin == sb.last_sms_pin(phone="+15555550100")
    wrong = "000000" if pin != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = api.post("/api/currency-sends/verify-sms", {"transaction_id": txn, "sms_pin": wrong})
        assert r.status_code == 400 and r.json()["attempts_remaining"] == left
    r = api.post("/api/currency-sends/verify-sms", {"transaction_id": txn, "sms_pin": wrong})
    assert r.status_code == 429 and r.json()["retry_after"] > 0
    assert r.json()["error"] == "sms_verification_blocked"
    r = api.post("/api/currency-sends/verify-sms", {"transaction_id": txn, "sms_pin": pin})
    assert r.status_code == 429  # still blocked, even with the right PIN
    sb.advance_time(15 * 60 + 1)
    r = api.post("/api/currency-sends/verify-sms", {"transaction_id": txn, "sms_pin": pin})
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "success" and done["claim_code"] and done["new_balance"] == "450.00"
    status = api.get(f"/api/currency-sends/{txn}/status").json()
    assert status["verification_state"] == "approved" and status["transaction_type"] == "send"
    assert api.get(f"/api/transfers/{txn}/status").status_code == 404
    pending = api.get("/api/transfers/inbound-pending",
                      params={"player_phone": "+15555550199"}).json()["inbound_pending"]
    assert [p["transaction_id"] for p in pending] == [txn]
    claim = api.post("/api/currency-sends/claim-currency", {
        "claim_code": done["claim_code"], "receiver_player_name": "Zed",
        "receiver_player_email": "zed@example.com", "receiver_player_phone": "+15555550199"})
    assert claim.status_code == 200 and claim.json()["new_balance"] == "45.00"
    assert claim.json()["currency_name"] == "Star Credits"
    assert sb.balance("zed@example.com", game_id=2002) == Decimal("45.00")
    assert api.get(f"/api/currency-sends/{txn}/status").json()["verification_state"] == (
        "completed")
    again = api.post("/api/currency-sends/claim-currency", {
        "claim_code": done["claim_code"], "receiver_player_name": "Zed",
        "receiver_player_email": "zed@example.com", "receiver_player_phone": "+15555550199"})
    assert again.status_code == 400 and again.json()["code"] == "NOT_CLAIMABLE"
    types = [e["event_type"] for e in sb.events]
    assert "transfer.sent" in types and "transfer.received" in types


def test_transfer_in_app_approval_and_claim_with_account_selection(
    sb: Sandbox, api: Api
) -> None:
    sb.add_player("twin1@example.com", name="Twin One", phone="+15555550177")
    sb.add_player("twin2@example.com", name="Twin Two", phone="+15555550177",
                  wallet_of="twin1@example.com")
    r = api.post("/api/transfers/initiate-transfer", transfer_body(
        "t1", source_player_email="kim@example.com", source_player_name="Kim",
        source_player_phone="+15555550122", target_player_phone="+15555550177"))
    assert r.json()["verification_method"] == "in_app"
    txn = r.json()["transaction_id"]
    assert api.get(f"/api/transfers/{txn}/status").json()["verification_state"] == "awaiting"
    approved = sb.approve_transaction(txn)
    base = {"claim_code": approved["claim_code"], "target_player_name": "Twin",
            "target_player_email": "twin1@example.com", "target_player_phone": "+15555550177",
            "target_currency_id": 2002}
    wrong_currency = api.post("/api/transfers/claim-transfer", {**base, "target_currency_id": 1})
    assert wrong_currency.status_code == 400
    pick = api.post("/api/transfers/claim-transfer", base).json()
    assert pick["status"] == "needs_account_selection"
    assert [c["player_email"] for c in pick["candidates"]] == ["twin1@example.com",
                                                                "twin2@example.com"]
    chosen = pick["candidates"][1]["player_id"]
    done = api.post("/api/transfers/claim-transfer", {**base, "target_player_id": chosen})
    assert done.status_code == 200 and done.json()["status"] == "success"
    assert sb.balance("twin2@example.com", game_id=2002) == Decimal("36.00")


def test_minor_goes_to_guardian_202(sb: Sandbox, api: Api) -> None:
    body = transfer_body("g1", source_player_email="tim@example.com", source_player_name="Tim",
                         source_player_phone="+15555550133")
    r = api.post("/api/transfers/initiate-transfer", body)
    assert r.status_code == 202
    assert r.json()["verification_method"] == "sms"  # the current API sends it beside the approval
    assert r.json()["guardian_approval"]["state"] == "pending"
    txn = r.json()["transaction_id"]
    status = api.get(f"/api/transactions/{txn}/approval-status").json()["approval"]
    assert status["state"] == "pending" and status["transaction_id"] == txn
    assert "Tim" in status["action_description"]
    sb.guardian_approve(txn)
    status = api.get(f"/api/transactions/{txn}/approval-status").json()["approval"]
    assert status["state"] == "approved" and status["decided_at"]
    assert sb.claim_code(txn)
    r2 = api.post("/api/transfers/initiate-transfer", {**body, "client_request_id": "g2"})
    sb.guardian_reject(r2.json()["transaction_id"])
    assert sb.balance("tim@example.com") == Decimal("60")  # 40 sent, 40 released
    assert api.get("/api/transactions/txn_nope/approval-status").status_code == 404


def test_claim_code_expiry_refunds_the_sender(sb: Sandbox, api: Api) -> None:
    r = api.post("/api/transfers/initiate-transfer", transfer_body(
        "x1", source_player_email="kim@example.com", source_player_name="Kim",
        source_player_phone="+15555550122"))
    txn = r.json()["transaction_id"]
    code = sb.approve_transaction(txn)["claim_code"]
    assert sb.balance("kim@example.com") == Decimal("260")
    sb.advance_time(24 * 3600 + 1)
    assert sb.balance("kim@example.com") == Decimal("300")
    r = api.post("/api/transfers/claim-transfer", {
        "claim_code": code, "target_player_name": "Zed", "target_player_email": "z@example.com",
        "target_player_phone": "+15555550199", "target_currency_id": 2002})
    assert r.status_code == 400 and r.json()["code"] == "CLAIM_EXPIRED"
    assert [e["event_type"] for e in sb.events][-4:] == [
        "transfer.claim_expired", "transfer.claim_expired", "transfer.refunded",
        "balance.updated"]


def test_send_insufficient_balance_and_unknown_game(api: Api) -> None:
    r = api.post("/api/currency-sends/initiate-send", send_body("p1", amount="5000"))
    assert r.status_code == 400 and r.json()["required_amount"] == "5000.00"
    r = api.post("/api/currency-sends/initiate-send", send_body("p2", receiving_game_id=42))
    assert r.status_code == 404


# -- phone share -----------------------------------------------------------------------------


def test_phone_share_approval_flow(sb: Sandbox, api: Api) -> None:
    sb.set_phone_owner("+15555550150", "owner@example.com")
    r = api.post("/api/sdk/player-token",
                 {"player_email": "new@example.com", "player_phone": "+15555550150"})
    assert r.status_code == 409 and r.json()["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"
    approval_id = r.json()["approval_id"]
    otp = sb.last_otp("+15555550150")
    assert otp is not None
    again = api.post("/api/wallet/phone-share/initiate",
                     {"phone": "+15555550150", "email": "new@example.com"}, secret=None)
    assert again.json()["approval_id"] == approval_id and again.json()["code_sent"] is True
    wrong = api.post("/api/wallet/phone-share/approve",
                     {"approval_id": approval_id, "otp": "x"}, secret=None)
    assert wrong.status_code == 400 and wrong.json()["attempts_remaining"] == 4
    ok = api.post("/api/wallet/phone-share/approve",
                  {"approval_id": approval_id, "otp": otp}, secret=None)
    assert ok.status_code == 200 and ok.json()["approved"] is True
    status = api.get("/api/wallet/phone-share/status",
                     params={"phone": "+15555550150", "email": "new@example.com"}, secret=None)
    assert status.json()["approved"] is True
    twice = api.post("/api/wallet/phone-share/approve",
                     {"approval_id": approval_id, "otp": otp}, secret=None)
    assert twice.status_code == 409 and twice.json()["code"] == "PHONE_SHARE_ALREADY_APPROVED"
    r = api.post("/api/sdk/player-token",
                 {"player_email": "new@example.com", "player_phone": "+15555550150"})
    assert r.status_code == 200
    init = api.post("/api/wallet/phone-share/initiate",
                    {"phone": "+15555550150", "email": "new@example.com"}, secret=None).json()
    assert init["already_approved"] is True and init["code_sent"] is False
