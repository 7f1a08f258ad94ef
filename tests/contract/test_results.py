"""Result attributes, defaults for missing fields, required fields, `.raw`."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from invonetwork import (
    CurrencyBalance,
    DestinationGame,
    InboundPendingItem,
    InvoError,
    InvoServer,
    LinkedIdentityEmail,
)

from .conftest import Recorder

EMAIL = "p@example.com"
PHONE = "+15551234567"

CALLS: Dict[str, Dict[str, Any]] = {
    "mint_player_token": dict(player_email=EMAIL),
    "initiate_send": dict(client_request_id="c", sender_player_name="S",
                          sender_player_email="s@x.io", sender_player_phone=PHONE,
                          receiver_player_email="r@x.io", receiver_player_phone=PHONE,
                          receiving_game_id=1, amount="1"),
    "initiate_transfer": dict(client_request_id="c", source_player_name="S",
                              source_player_email="s@x.io", source_player_phone=PHONE,
                              target_player_email="t@x.io", target_player_phone=PHONE,
                              target_game_id=1, amount="1"),
    "create_checkout": dict(player_email=EMAIL, usd_amount="1"),
    "purchase_currency": dict(player_email=EMAIL, usd_amount="1", purchase_reference="r"),
    "confirm_payment": dict(payment_intent_id="pi"),
    "get_order_details": dict(order_id="o"),
    "get_item_order_details": dict(order_id="o"),
    "purchase_item": dict(client_request_id="c", player_email=EMAIL, player_name="P",
                          item_id="i", item_name="I", item_quantity=1, unit_price="1",
                          total_price="1"),
    "get_item_purchase_history": dict(player_email=EMAIL),
    "get_player_balance": dict(player_id=1),
    "get_inbound_pending": dict(player_email=EMAIL),
    "get_linked_identities": dict(player_email=EMAIL),
    "verify_sms_transfer": dict(transaction_id="t", sms_pin="1"),
    "verify_sms_send": dict(transaction_id="t", sms_pin="1"),
    "claim_transfer": dict(claim_code="c", target_player_name="n", target_player_email=EMAIL,
                           target_player_phone=PHONE, target_currency_id=1),
    "claim_currency": dict(claim_code="c", receiver_player_name="n",
                           receiver_player_email=EMAIL, receiver_player_phone=PHONE),
    "get_transfer_status": dict(transaction_id="t"),
    "get_send_status": dict(transaction_id="t"),
    "get_guardian_approval_status": dict(transaction_id="t"),
    "get_destinations": dict(source_game_id=1),
    "phone_share_initiate": dict(phone=PHONE, email=EMAIL),
    "phone_share_approve": dict(approval_id="a", otp="1"),
    "phone_share_status": dict(phone=PHONE, email=EMAIL),
}


def call(srv: Recorder, invo: InvoServer, method: str, body: Any, status: int = 200,
         **extra: Any) -> Any:
    srv.reply(status, body)
    return getattr(invo, method)(**{**CALLS[method], **extra})


REQUIRED = [
    ("mint_player_token", "token"),
    ("create_checkout", "checkout_url"),
    ("purchase_item", "transaction_id"),
    ("purchase_item", "order_id"),
]
FULL = {
    "mint_player_token": {"token": "tk", "expires_at": "2030", "identity_id": "id1"},
    "create_checkout": {"session_id": "s", "checkout_url": "https://c", "expires_at": "e"},
    "purchase_item": {"status": "success", "transaction_id": "t", "order_id": "o",
                      "new_balance": "5.00", "previous_balance": "6.00",
                      "currency_name": "Gems", "financial_breakdown": {"fee": "0.1"}},
}


@pytest.mark.parametrize("method,key", REQUIRED)
@pytest.mark.parametrize("bad", ["missing", None, ""])
def test_required_fields(srv: Recorder, invo: InvoServer, method: str, key: str,
                         bad: Any) -> None:
    body = dict(FULL[method])
    if bad == "missing":
        del body[key]
    else:
        body[key] = bad
    with pytest.raises(InvoError) as ei:
        call(srv, invo, method, body)
    err = ei.value
    assert err.code == "INVALID_RESPONSE" and err.status == 0 and err.body == body
    assert len(srv.requests) == 1


@pytest.mark.parametrize("method", sorted(FULL))
def test_full_results(srv: Recorder, invo: InvoServer, method: str) -> None:
    res = call(srv, invo, method, FULL[method])
    for k, v in FULL[method].items():
        assert getattr(res, k) == v
    assert res.raw == FULL[method]


EMPTY_DEFAULTS = {
    "initiate_send": {"transaction_id": "", "verification_method": None,
                      "guardian_approval": None},
    "initiate_transfer": {"transaction_id": "", "verification_method": None,
                          "guardian_approval": None},
    "purchase_currency": {"status": "", "client_secret": None, "payment_intent_id": None,
                          "payment_url": None, "transaction_id": "", "order_id": "",
                          "new_balance": None},
    "confirm_payment": {"status": "", "transaction_id": "", "new_balance": None},
    "get_order_details": {"order": {}, "financial_summary": {}},
    "get_item_order_details": {"order": {}, "financial_summary": {}},
    "get_item_purchase_history": {"history": [], "pagination": {}},
    "get_player_balance": {"player": {}, "balances": [], "summary": {}},
    "get_inbound_pending": {"inbound_pending": []},
    "get_linked_identities": {"wallet_user_id": "", "primary_email": "",
                              "is_minor": False, "emails": [], "not_found": False},
    "verify_sms_transfer": {"status": "", "transaction_id": "", "claim_code": None,
                            "new_balance": None, "order_id": None},
    "claim_transfer": {"status": "", "transaction_id": "", "needs_account_selection": False,
                       "candidates": None},
    "get_transfer_status": {"transaction_id": "", "transaction_type": "",
                            "transaction_status": "", "verification_state": "",
                            "currency_id": ""},
    "get_guardian_approval_status": {"state": "", "approval_id": "", "transaction_id": ""},
    "get_destinations": {"status": "", "universal_transfers": False, "available_games": [],
                         "total_destinations": 0, "direction": "transfer",
                         "linked_game_ids": None},
    "phone_share_initiate": {"approval_id": "", "code_sent": None, "already_approved": None},
    "phone_share_approve": {"approval_id": "", "approved": None, "already_approved": None},
    "phone_share_status": {"approved": False},
}


EXPLICIT_EMPTY = {"currency_id"}


@pytest.mark.parametrize("method", sorted(EMPTY_DEFAULTS))
def test_defaults_on_empty_body(srv: Recorder, invo: InvoServer, method: str) -> None:
    res = call(srv, invo, method, {})
    assert res.raw == {}
    for k, v in EMPTY_DEFAULTS[method].items():
        got = getattr(res, k)
        if v == "" and k not in EXPLICIT_EMPTY:
            # The contract does not say which scalars are "string" and which "optional".
            assert got in ("", None), (k, got)
        else:
            assert got == v and type(got) is type(v), (k, got)


@pytest.mark.parametrize("method", ["initiate_send", "initiate_transfer"])
@pytest.mark.parametrize("body,vm,ga", [
    ({"transaction_id": "t", "verification_method": "in_app"}, "in_app", None),
    ({"transaction_id": "t", "verification_method": "sms"}, "sms", None),
    ({"transaction_id": "t"}, None, None),
    ({"transaction_id": "t", "verification_method": "sms", "guardian_approval": {}}, None, {}),
    ({"transaction_id": "t", "verification_method": "in_app",
      "guardian_approval": {"approval_id": "a"}}, None, {"approval_id": "a"}),
])
def test_initiate_results(srv: Recorder, invo: InvoServer, method: str, body: Any, vm: Any,
                          ga: Any) -> None:
    res = call(srv, invo, method, body, status=202 if "guardian_approval" in body else 200)
    assert res.transaction_id == "t"
    assert res.verification_method == vm
    assert res.guardian_approval == ga
    assert res.raw == body


@pytest.mark.parametrize("status", ["success", "requires_action", "pending_payment"])
def test_purchase_result(srv: Recorder, invo: InvoServer, status: str) -> None:
    body = {"status": status, "client_secret": "cs", "payment_intent_id": "pi",
            "payment_url": "https://p", "transaction_id": "t", "order_id": "o",
            "new_balance": 12.5}
    res = call(srv, invo, "purchase_currency", body)
    for k, v in body.items():
        assert getattr(res, k) == v
    assert type(res.new_balance) is float


def test_confirm_payment_result(srv: Recorder, invo: InvoServer) -> None:
    body = {"status": "success", "transaction_id": "t", "new_balance": "3.00"}
    res = call(srv, invo, "confirm_payment", body)
    assert (res.status, res.transaction_id, res.new_balance) == ("success", "t", "3.00")


@pytest.mark.parametrize("method", ["get_order_details", "get_item_order_details"])
def test_order_details_result(srv: Recorder, invo: InvoServer, method: str) -> None:
    body = {"order": {"id": 1}, "financial_summary": {"x": "1"}, "status_timeline": [{"s": 1}]}
    res = call(srv, invo, method, body)
    assert res.order == {"id": 1} and res.financial_summary == {"x": "1"}
    assert res.status_timeline == [{"s": 1}] and res.raw == body


def test_history_result(srv: Recorder, invo: InvoServer) -> None:
    body = {"item_purchase_history": [{"a": 1}], "pagination": {"total": 1}}
    res = call(srv, invo, "get_item_purchase_history", body)
    assert res.history == [{"a": 1}] and res.pagination == {"total": 1} and res.raw == body


def test_balance_result(srv: Recorder, invo: InvoServer) -> None:
    row = {"currency_id": 3, "currency_name": "Gems", "currency_symbol": "G",
           "available_balance": "10.00", "reserved_balance": "1.00", "total_balance": "11.00",
           "last_transaction": "2024", "extra": True}
    body = {"player": {"id": 1}, "balances": [row, {}], "summary": {"n": 1}}
    res = call(srv, invo, "get_player_balance", body)
    assert res.player == {"id": 1} and res.summary == {"n": 1} and res.raw == body
    b = res.balances[0]
    assert isinstance(b, CurrencyBalance)
    for k, v in row.items():
        if k != "extra":
            assert getattr(b, k) == v
    assert b.raw == row
    empty = res.balances[1]
    assert empty.currency_name == "" and empty.raw == {}


def test_inbound_pending_result(srv: Recorder, invo: InvoServer) -> None:
    row = {"transaction_id": "t", "flow": "transfer", "amount": "5.00", "net_amount": "4.50",
           "source_game_id": 9, "source_game": "G", "to_phone": PHONE, "to_identity_id": "i",
           "created_at": "c", "claim_code_expires_at": "x"}
    res = call(srv, invo, "get_inbound_pending", {"inbound_pending": [row]})
    item = res.inbound_pending[0]
    assert isinstance(item, InboundPendingItem)
    for k, v in row.items():
        assert getattr(item, k) == v
    assert item.raw == row


@pytest.mark.parametrize("is_minor,expected", [(True, True), ("true", False), (1, False),
                                               (None, False), (False, False)])
def test_linked_identities_result(srv: Recorder, invo: InvoServer, is_minor: Any,
                                  expected: bool) -> None:
    body = {"wallet_user_id": "w", "primary_email": EMAIL, "primary_phone": PHONE,
            "is_minor": is_minor,
            "emails": [{"email": EMAIL, "primary": True, "verified_at": "v"}]}
    res = call(srv, invo, "get_linked_identities", body)
    assert res.is_minor is expected
    assert (res.wallet_user_id, res.primary_email, res.primary_phone) == ("w", EMAIL, PHONE)
    assert isinstance(res.emails[0], LinkedIdentityEmail)
    e = res.emails[0]
    assert (e.email, e.primary, e.verified_at) == (EMAIL, True, "v")
    assert res.not_found is False and res.raw == body


@pytest.mark.parametrize("body", [{"error": "not found"}, "nope", b""])
def test_linked_identities_404_not_error(srv: Recorder, invo: InvoServer, body: Any) -> None:
    res = call(srv, invo, "get_linked_identities", body, status=404)
    assert res.not_found is True
    assert res.wallet_user_id is None and res.primary_email == "" and res.emails == []
    assert res.is_minor is False
    assert len(srv.requests) == 1


@pytest.mark.parametrize("method", ["verify_sms_transfer", "verify_sms_send"])
def test_sms_verify_result(srv: Recorder, invo: InvoServer, method: str) -> None:
    body = {"status": "success", "transaction_id": "t", "claim_code": "CC",
            "new_balance": "9.00", "order_id": "o"}
    res = call(srv, invo, method, body)
    assert type(res).__name__ == "SmsVerifyResult"
    for k, v in body.items():
        assert getattr(res, k) == v
    assert res.raw == body


@pytest.mark.parametrize("method", ["claim_transfer", "claim_currency"])
@pytest.mark.parametrize("body,needs,cands", [
    ({"status": "success", "transaction_id": "t", "new_balance": "1", "currency_name": "G",
      "order_id": "o"}, False, None),
    ({"status": "needs_account_selection", "candidates": [{"player_id": 1}]}, True,
     [{"player_id": 1}]),
    ({"status": "needs_account_selection"}, True, None),
    ({"status": "success", "candidates": "x"}, False, None),
])
def test_claim_result(srv: Recorder, invo: InvoServer, method: str, body: Any, needs: bool,
                      cands: Any) -> None:
    res = call(srv, invo, method, body)
    assert type(res).__name__ == "ClaimResult"
    assert res.needs_account_selection is needs and res.candidates == cands
    for k in ("status", "transaction_id", "new_balance", "currency_name", "order_id"):
        if k in body:
            assert getattr(res, k) == body[k]


@pytest.mark.parametrize("method", ["get_transfer_status", "get_send_status"])
def test_status_result(srv: Recorder, invo: InvoServer, method: str) -> None:
    body = {"transaction_id": "t", "transaction_type": "transfer", "transaction_status": "p",
            "verification_state": "weird_new_state", "amount": "5.00", "net_amount": "4.00",
            "currency_id": 7, "order_id": "o", "to_phone": PHONE, "to_identity_id": "i"}
    res = call(srv, invo, method, body)
    assert type(res).__name__ == "TransactionStatusResult"
    for k, v in body.items():
        assert getattr(res, k) == v
    assert res.raw == body


def test_guardian_result(srv: Recorder, invo: InvoServer) -> None:
    approval = {"state": "approved", "approval_id": "a", "transaction_id": "t",
                "expires_at": "e", "decided_at": "d", "decision_source": "sms",
                "action_description": "Send 5"}
    body = {"approval": approval, "other": 1}
    res = call(srv, invo, "get_guardian_approval_status", body)
    for k, v in approval.items():
        assert getattr(res, k) == v
    assert res.raw == body


def test_guardian_503_unavailable_is_retried(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(503, {"status": "unavailable"})
    res = call(srv, invo, "get_guardian_approval_status", {"approval": {"state": "pending"}})
    assert res.state == "pending" and len(srv.requests) == 2


GAME = {"game_id": 5, "game_name": "G", "tenant_type": "t", "developer_name": "d",
        "publisher_name": "p", "genre": "g", "platform": "pc", "game_status": "live",
        "game_icon": "i", "game_poster": "po", "game_url": "u", "game_description": "desc",
        "currency_name": "c", "currency_symbol": "s", "currency_symbol_url": "su",
        "minimum_transfer": "1.00", "maximum_transfer": "100.00"}


@pytest.mark.parametrize("direction", ["transfer", "send"])
def test_destinations_result(srv: Recorder, invo: InvoServer, direction: str) -> None:
    body = {"status": "success", "source_game_id": 1, "source_game_name": "S",
            "source_game_icon": "si", "source_currency_name": "sc", "source_currency_icon": "ci",
            "universal_transfers": True, "transfer_mode": "universal",
            "available_games": [GAME], "total_destinations": 9, "linked_game_ids": [1, 2]}
    res = call(srv, invo, "get_destinations", body, direction=direction)
    for k, v in body.items():
        if k != "available_games":
            assert getattr(res, k) == v, k
    g = res.available_games[0]
    assert isinstance(g, DestinationGame)
    for k, v in GAME.items():
        assert getattr(g, k) == v
    assert res.direction == direction and res.raw == body


@pytest.mark.parametrize("total,expected", [(None, 2), ("9", 2), (3.5, 2), (True, 2),
                                            (7, 7)])
def test_destinations_total(srv: Recorder, invo: InvoServer, total: Any, expected: int) -> None:
    body: Dict[str, Any] = {"available_games": [GAME, GAME]}
    if total is not None:
        body["total_destinations"] = total
    res = call(srv, invo, "get_destinations", body)
    assert res.total_destinations == expected and type(res.total_destinations) is int


@pytest.mark.parametrize("body,direction,expected", [
    ({"direction": "send"}, "transfer", "send"),
    ({}, "send", "send"),
    ({"universal_transfers": "true"}, "transfer", "transfer"),
])
def test_destinations_direction(srv: Recorder, invo: InvoServer, body: Any, direction: str,
                                expected: str) -> None:
    res = call(srv, invo, "get_destinations", body, direction=direction)
    assert res.direction == expected
    assert res.universal_transfers is False or body.get("universal_transfers") is True


@pytest.mark.parametrize("val,expected", [(True, True), (False, False), ("true", None),
                                          (1, None), (None, None)])
def test_phone_share_bools(srv: Recorder, invo: InvoServer, val: Any, expected: Any) -> None:
    r1 = call(srv, invo, "phone_share_initiate",
              {"approval_id": "a", "code_sent": val, "expires_at": "e", "already_approved": val})
    assert r1.code_sent is expected and r1.already_approved is expected
    assert r1.approval_id == "a" and r1.expires_at == "e"
    r2 = call(srv, invo, "phone_share_approve",
              {"approval_id": "a", "approved": val, "already_approved": val, "expires_at": "e"})
    assert r2.approved is expected and r2.already_approved is expected
    r3 = call(srv, invo, "phone_share_status", {"approved": val})
    assert r3.approved is (val is True)


@pytest.mark.parametrize("vm", ["email", "", "SMS", 1])
def test_initiate_unknown_verification_method(srv: Recorder, invo: InvoServer, vm: Any) -> None:
    res = call(srv, invo, "initiate_send", {"transaction_id": "t", "verification_method": vm})
    assert res.verification_method is None


def test_initiate_guardian_null_still_blocks_verification(srv: Recorder,
                                                          invo: InvoServer) -> None:
    res = call(srv, invo, "initiate_transfer", {"transaction_id": "t",
                                                "verification_method": "sms",
                                                "guardian_approval": None})
    assert res.verification_method is None


def test_destination_game_defaults(srv: Recorder, invo: InvoServer) -> None:
    res = call(srv, invo, "get_destinations", {"available_games": [{}]})
    g = res.available_games[0]
    for k in GAME:
        if k != "game_id":
            assert getattr(g, k) in ("", None), k
    assert res.total_destinations == 1


def test_values_keep_wire_types(srv: Recorder, invo: InvoServer) -> None:
    body = {"status": "success", "transaction_id": 12, "new_balance": 10, "order_id": "o"}
    res = call(srv, invo, "confirm_payment", body)
    assert res.transaction_id == 12 and type(res.new_balance) is int


def test_guardian_approval_not_object(srv: Recorder, invo: InvoServer) -> None:
    res = call(srv, invo, "get_guardian_approval_status", {"approval": "x", "state": "approved"})
    assert res.state == "" and res.approval_id is None and res.raw == {"approval": "x",
                                                                      "state": "approved"}
