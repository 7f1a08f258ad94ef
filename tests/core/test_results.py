"""How each answer becomes a result: every field, missing fields, rows."""

from __future__ import annotations

import json
from typing import Any, Callable, Dict

import pytest
import responses

from invonetwork import (
    ClaimResult,
    ConfirmPaymentResult,
    CreateCheckoutResult,
    CurrencyBalance,
    DestinationGame,
    DestinationsResult,
    GuardianApprovalStatusResult,
    InboundPendingItem,
    InboundPendingResult,
    InitiateResult,
    InvoError,
    InvoServer,
    ItemHistoryResult,
    LinkedIdentitiesResult,
    LinkedIdentityEmail,
    OrderDetailsResult,
    PhoneShareApproveResult,
    PhoneShareInitiateResult,
    PhoneShareStatusResult,
    PlayerBalanceResult,
    PlayerToken,
    PurchaseItemResult,
    PurchaseResult,
    SmsVerifyResult,
    TransactionStatusResult,
)

from .recorder import Recorder
from .support import (
    CALL_IDS,
    CALLS,
    CLAIM_CURRENCY_ARGS,
    CLAIM_TRANSFER_ARGS,
    EMAIL,
    ITEM_ARGS,
    PHONE,
    SEND_ARGS,
    TRANSFER_ARGS,
    Call,
    add_any,
)

# == over a mocked transport (responses) =======================================================

STR = ""  # a missing string field
OPT = None  # a missing optional field
EITHER = object()  # the contract does not say which of "" / None: accept both

Run = Callable[[InvoServer], Any]

RUNS: dict[str, tuple[str, Run]] = {
    "mint": ("POST", lambda c: c.mint_player_token(player_email=EMAIL)),
    "send": ("POST", lambda c: c.initiate_send(**SEND_ARGS)),
    "transfer": ("POST", lambda c: c.initiate_transfer(**TRANSFER_ARGS)),
    "checkout": ("POST", lambda c: c.create_checkout(player_email=EMAIL, usd_amount="5")),
    "purchase": ("POST", lambda c: c.purchase_currency(player_email=EMAIL, usd_amount="5",
                                                       purchase_reference="r")),
    "confirm": ("POST", lambda c: c.confirm_payment(payment_intent_id="pi")),
    "order": ("GET", lambda c: c.get_order_details(order_id="o")),
    "item_order": ("GET", lambda c: c.get_item_order_details(order_id="o")),
    "item": ("POST", lambda c: c.purchase_item(**ITEM_ARGS)),
    "history": ("GET", lambda c: c.get_item_purchase_history(player_email=EMAIL)),
    "balance": ("GET", lambda c: c.get_player_balance(player_email="p@example.com")),
    "inbound": ("GET", lambda c: c.get_inbound_pending(player_email=EMAIL)),
    "linked": ("GET", lambda c: c.get_linked_identities(player_email=EMAIL)),
    "sms_transfer": ("POST", lambda c: c.verify_sms_transfer("t", "1")),
    "sms_send": ("POST", lambda c: c.verify_sms_send("t", "1")),
    "claim_transfer": ("POST", lambda c: c.claim_transfer(**CLAIM_TRANSFER_ARGS)),
    "claim_currency": ("POST", lambda c: c.claim_currency(**CLAIM_CURRENCY_ARGS)),
    "transfer_status": ("GET", lambda c: c.get_transfer_status("t")),
    "send_status": ("GET", lambda c: c.get_send_status("t")),
    "guardian": ("GET", lambda c: c.get_guardian_approval_status("t")),
    "destinations": ("POST", lambda c: c.get_destinations(source_game_id=1)),
    "ps_initiate": ("POST", lambda c: c.phone_share_initiate(phone=PHONE, email=EMAIL)),
    "ps_approve": ("POST", lambda c: c.phone_share_approve(approval_id="a", otp="1")),
    "ps_status": ("GET", lambda c: c.phone_share_status(phone=PHONE, email=EMAIL)),
}


def answer(client: InvoServer, rsps: responses.RequestsMock, name: str, body: Any,
           status: int = 200) -> Any:
    method, run = RUNS[name]
    if isinstance(body, (dict, list)) or body is None:
        add_any(rsps, method, body=json.dumps(body), status=status,
                content_type="application/json")
    else:
        add_any(rsps, method, body=body, status=status)
    return run(client)


def check(result: Any, expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        got = getattr(result, name)
        if value is EITHER:
            assert got in ("", None), f"{name}={got!r}"
        else:
            assert got == value, f"{name}={got!r}, expected {value!r}"
            assert type(got) is type(value), f"{name} has type {type(got).__name__}"


# name, result class, full body, expected attributes for it, expected attributes for {}
CASES: list[tuple[str, type, dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    ("mint", PlayerToken,
     {"token": "tok_1", "expires_at": "2030-01-01T00:00:00Z", "identity_id": 77, "x": 1},
     {"token": "tok_1", "expires_at": "2030-01-01T00:00:00Z", "identity_id": 77},
     {}),
    ("send", InitiateResult,
     {"transaction_id": 901, "verification_method": "sms"},
     {"transaction_id": 901, "verification_method": "sms", "guardian_approval": None},
     {"transaction_id": OPT, "verification_method": OPT, "guardian_approval": OPT}),
    ("transfer", InitiateResult,
     {"transaction_id": "tx-9", "verification_method": "in_app"},
     {"transaction_id": "tx-9", "verification_method": "in_app", "guardian_approval": None},
     {"transaction_id": OPT, "verification_method": OPT, "guardian_approval": OPT}),
    ("checkout", CreateCheckoutResult,
     {"session_id": "cs_1", "checkout_url": "https://pay/1", "expires_at": "2030"},
     {"session_id": "cs_1", "checkout_url": "https://pay/1", "expires_at": "2030"},
     {}),
    ("purchase", PurchaseResult,
     {"status": "requires_action", "client_secret": "cs_sec", "payment_intent_id": "pi_1",
      "payment_url": "https://pay/2", "transaction_id": 5, "order_id": "ord-5",
      "new_balance": "150.00"},
     {"status": "requires_action", "client_secret": "cs_sec", "payment_intent_id": "pi_1",
      "payment_url": "https://pay/2", "transaction_id": 5, "order_id": "ord-5",
      "new_balance": "150.00"},
     {"status": STR, "client_secret": EITHER, "payment_intent_id": EITHER,
      "payment_url": EITHER, "transaction_id": EITHER, "order_id": EITHER,
      "new_balance": OPT}),
    ("confirm", ConfirmPaymentResult,
     {"status": "success", "transaction_id": "t-3", "new_balance": 12.5},
     {"status": "success", "transaction_id": "t-3", "new_balance": 12.5},
     {"status": STR, "transaction_id": EITHER, "new_balance": OPT}),
    ("order", OrderDetailsResult,
     {"order": {"id": "o"}, "financial_summary": {"usd": "5.00"},
      "status_timeline": [{"s": "paid"}]},
     {"order": {"id": "o"}, "financial_summary": {"usd": "5.00"},
      "status_timeline": [{"s": "paid"}]},
     {"order": {}, "financial_summary": {}}),
    ("item_order", OrderDetailsResult,
     {"order": {"id": 3}, "financial_summary": {}, "status_timeline": []},
     {"order": {"id": 3}, "financial_summary": {}, "status_timeline": []},
     {"order": {}, "financial_summary": {}}),
    ("item", PurchaseItemResult,
     {"status": "success", "transaction_id": 44, "order_id": "o-44", "new_balance": "700.00",
      "previous_balance": "1000.00", "currency_name": "Gems",
      "financial_breakdown": {"developer": "270.00"}},
     {"status": "success", "transaction_id": 44, "order_id": "o-44", "new_balance": "700.00",
      "previous_balance": "1000.00", "currency_name": "Gems",
      "financial_breakdown": {"developer": "270.00"}},
     {}),
    ("history", ItemHistoryResult,
     {"item_purchase_history": [{"order_id": 1}], "pagination": {"total": 1}},
     {"history": [{"order_id": 1}], "pagination": {"total": 1}},
     {"history": [], "pagination": {}}),
    ("balance", PlayerBalanceResult,
     {"player": {"id": 1}, "balances": [], "summary": {"currencies": 0}},
     {"player": {"id": 1}, "balances": [], "summary": {"currencies": 0}},
     {"player": {}, "balances": [], "summary": {}}),
    ("inbound", InboundPendingResult, {"inbound_pending": []}, {"inbound_pending": []},
     {"inbound_pending": []}),
    ("linked", LinkedIdentitiesResult,
     {"wallet_user_id": "w-1", "primary_email": EMAIL, "primary_phone": PHONE,
      "is_minor": True, "emails": []},
     {"wallet_user_id": "w-1", "primary_email": EMAIL, "primary_phone": PHONE,
      "is_minor": True, "emails": [], "not_found": False},
     {"wallet_user_id": EITHER, "primary_email": STR, "primary_phone": EITHER,
      "is_minor": False, "emails": [], "not_found": False}),
    ("sms_transfer", SmsVerifyResult,
     {"status": "success", "transaction_id": "t", "claim_code": "CC-1", "new_balance": "9.00",
      "order_id": 8},
     {"status": "success", "transaction_id": "t", "claim_code": "CC-1", "new_balance": "9.00",
      "order_id": 8},
     {"status": STR, "transaction_id": OPT, "claim_code": EITHER, "new_balance": OPT,
      "order_id": OPT}),
    ("sms_send", SmsVerifyResult,
     {"status": "success", "transaction_id": 12},
     {"status": "success", "transaction_id": 12},
     {"status": STR, "transaction_id": OPT}),
    ("claim_transfer", ClaimResult,
     {"status": "success", "transaction_id": "t", "new_balance": "3.00",
      "currency_name": "Gold", "order_id": "o"},
     {"status": "success", "transaction_id": "t", "new_balance": "3.00",
      "currency_name": "Gold", "order_id": "o", "needs_account_selection": False,
      "candidates": None},
     {"status": STR, "transaction_id": OPT, "new_balance": OPT, "currency_name": STR,
      "order_id": OPT, "needs_account_selection": False, "candidates": OPT}),
    ("claim_currency", ClaimResult,
     {"status": "needs_account_selection", "candidates": [{"player_id": 1}, {"player_id": 2}]},
     {"status": "needs_account_selection", "needs_account_selection": True,
      "candidates": [{"player_id": 1}, {"player_id": 2}]},
     {"status": STR, "needs_account_selection": False, "candidates": OPT}),
    ("transfer_status", TransactionStatusResult,
     {"transaction_id": "t", "transaction_type": "transfer", "transaction_status": "pending",
      "verification_state": "something_new", "amount": "10.00", "net_amount": "9.50",
      "currency_id": 4, "order_id": "o", "to_phone": PHONE, "to_identity_id": 99},
     {"transaction_id": "t", "transaction_type": "transfer", "transaction_status": "pending",
      "verification_state": "something_new", "amount": "10.00", "net_amount": "9.50",
      "currency_id": 4, "order_id": "o", "to_phone": PHONE, "to_identity_id": 99},
     {"transaction_id": OPT, "transaction_type": STR, "transaction_status": STR,
      "verification_state": STR, "amount": OPT, "net_amount": OPT, "currency_id": STR,
      "order_id": OPT, "to_phone": EITHER, "to_identity_id": EITHER}),
    ("send_status", TransactionStatusResult,
     {"transaction_id": 3, "transaction_type": "send", "verification_state": "awaiting"},
     {"transaction_id": 3, "transaction_type": "send", "verification_state": "awaiting"},
     {"currency_id": STR, "verification_state": STR}),
    ("guardian", GuardianApprovalStatusResult,
     {"approval": {"state": "approved", "approval_id": "ga-1", "transaction_id": "t",
                   "expires_at": "2030", "decided_at": "2029", "decision_source": "email",
                   "action_description": "Send 10 Gold"}, "success": True},
     {"state": "approved", "approval_id": "ga-1", "transaction_id": "t", "expires_at": "2030",
      "decided_at": "2029", "decision_source": "email", "action_description": "Send 10 Gold"},
     {"state": STR, "approval_id": EITHER, "transaction_id": EITHER, "expires_at": EITHER,
      "decided_at": EITHER, "decision_source": EITHER, "action_description": EITHER}),
    ("ps_initiate", PhoneShareInitiateResult,
     {"approval_id": "ap-1", "code_sent": True, "expires_at": "2030", "already_approved": False},
     {"approval_id": "ap-1", "code_sent": True, "expires_at": "2030", "already_approved": False},
     {"approval_id": EITHER, "code_sent": OPT, "expires_at": EITHER, "already_approved": OPT}),
    ("ps_approve", PhoneShareApproveResult,
     {"approval_id": "ap-1", "approved": True, "already_approved": False, "expires_at": "2030"},
     {"approval_id": "ap-1", "approved": True, "already_approved": False, "expires_at": "2030"},
     {"approval_id": EITHER, "approved": OPT, "already_approved": OPT, "expires_at": EITHER}),
    ("ps_status", PhoneShareStatusResult, {"approved": True}, {"approved": True},
     {"approved": False}),
]
CASE_IDS = [case[0] for case in CASES]
OPTIONAL_BODY_CASES = [case for case in CASES if case[0] not in ("mint", "checkout", "item")]


@pytest.mark.parametrize(("name", "cls", "body", "expected", "_empty"), CASES, ids=CASE_IDS)
def test_full_body_maps_every_attribute(name: str, cls: type, body: dict[str, Any],
                                        expected: dict[str, Any], _empty: dict[str, Any],
                                        client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    result = answer(client, rsps, name, body)
    assert isinstance(result, cls)
    check(result, expected)
    assert result.raw == body


@pytest.mark.parametrize(("name", "cls", "_body", "_expected", "empty"), OPTIONAL_BODY_CASES,
                         ids=[c[0] for c in OPTIONAL_BODY_CASES])
@pytest.mark.parametrize("shape", ["empty_object", "empty_body", "nulls"])
def test_missing_and_null_fields_get_defaults(
    name: str, cls: type, _body: dict[str, Any], _expected: dict[str, Any],
    empty: dict[str, Any], shape: str, client: InvoServer, rsps: responses.RequestsMock,
) -> None:
    if shape == "empty_body":
        result = answer(client, rsps, name, "")
        body: dict[str, Any] = {}
    else:
        body = {key: None for key in _body} if shape == "nulls" else {}
        result = answer(client, rsps, name, body)
    assert isinstance(result, cls)
    check(result, empty)
    assert result.raw == body


# -- sends and transfers: the guardian path ---------------------------------------------------


@pytest.mark.parametrize("name", ["send", "transfer"])
@pytest.mark.parametrize("method", ["sms", "in_app", None])
@pytest.mark.parametrize("approval", [{}, {"approval_id": "ga-1", "state": "pending"}])
def test_guardian_approval_forces_no_verification_method(
    name: str, method: Any, approval: dict[str, Any], client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    body = {"transaction_id": "t", "verification_method": method, "guardian_approval": approval}
    result = answer(client, rsps, name, body, status=202)
    assert result.verification_method is None
    assert result.guardian_approval == approval
    assert result.transaction_id == "t"


# -- required fields ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "body"),
    [("mint", {}), ("mint", {"token": None}), ("mint", {"token": ""}),
     ("mint", {"expires_at": "2030"}),
     ("checkout", {"session_id": "s"}), ("checkout", {"checkout_url": None}),
     ("item", {"order_id": "o"}), ("item", {"transaction_id": "t"}),
     ("item", {"transaction_id": None, "order_id": None, "status": "success"})],
)
def test_missing_required_field_is_invalid_response(
    name: str, body: dict[str, Any], client: InvoServer, rsps: responses.RequestsMock
) -> None:
    with pytest.raises(InvoError) as info:
        answer(client, rsps, name, body)
    err = info.value
    assert err.code == "INVALID_RESPONSE"
    assert err.status == 0
    assert err.body == body


@pytest.mark.parametrize(
    "text", ["[]", "[1, 2]", '"a string"', "null", "42", "true", '{"token": "t"', "<html>",
             "not json"]
)
@pytest.mark.parametrize("name", ["mint", "confirm", "balance", "ps_status"])
def test_non_object_2xx_body_is_invalid_response(
    text: str, name: str, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    with pytest.raises(InvoError) as info:
        answer(client, rsps, name, text)
    assert info.value.code == "INVALID_RESPONSE"
    assert info.value.status == 0
    assert len(rsps.calls) == 1  # a broken answer is not retried


# -- nested rows ----------------------------------------------------------------------------


def test_balance_rows(client: InvoServer, rsps: responses.RequestsMock) -> None:
    row = {"currency_id": 3, "currency_name": "Gold", "currency_symbol": "G",
           "available_balance": "10.00", "reserved_balance": "1.00", "total_balance": "11.00",
           "last_transaction": "2030-01-01", "extra": True}
    result = answer(client, rsps, "balance", {"balances": [row, {}]})
    full, empty = result.balances
    assert isinstance(full, CurrencyBalance) and isinstance(empty, CurrencyBalance)
    check(full, {k: v for k, v in row.items() if k != "extra"})
    assert full.raw == row
    check(empty, {"currency_name": STR, "currency_symbol": STR, "available_balance": OPT,
                  "reserved_balance": OPT, "total_balance": OPT, "last_transaction": OPT,
                  "currency_id": EITHER})
    assert empty.raw == {}


def test_inbound_pending_rows(client: InvoServer, rsps: responses.RequestsMock) -> None:
    row = {"transaction_id": "t-1", "flow": "transfer", "amount": "10.00",
           "net_amount": "9.50", "source_game_id": 7, "source_game": {"name": "A"},
           "to_phone": PHONE, "to_identity_id": "id-1", "created_at": "2030",
           "claim_code_expires_at": "2031"}
    result = answer(client, rsps, "inbound", {"inbound_pending": [row, {}]})
    full, empty = result.inbound_pending
    assert isinstance(full, InboundPendingItem)
    check(full, row)
    assert full.raw == row
    check(empty, {"transaction_id": OPT, "flow": STR, "amount": OPT, "net_amount": OPT,
                  "source_game_id": OPT, "source_game": OPT, "to_phone": EITHER,
                  "to_identity_id": EITHER, "created_at": STR,
                  "claim_code_expires_at": EITHER})


@pytest.mark.parametrize(("value", "expected"),
                         [(True, True), ("true", False), (1, False), (None, False),
                          (False, False)])
def test_is_minor_only_when_true(value: Any, expected: bool, client: InvoServer,
                                 rsps: responses.RequestsMock) -> None:
    assert answer(client, rsps, "linked", {"is_minor": value}).is_minor is expected


def test_linked_identity_emails(client: InvoServer, rsps: responses.RequestsMock) -> None:
    rows = [{"email": EMAIL, "primary": True, "verified_at": "2030"}, {"email": "b@x.com"}]
    result = answer(client, rsps, "linked", {"emails": rows})
    first, second = result.emails
    assert isinstance(first, LinkedIdentityEmail)
    check(first, rows[0])
    assert first.raw == rows[0]
    assert second.email == "b@x.com"
    assert not second.primary
    assert second.verified_at is None


@pytest.mark.parametrize(
    "body", [{"error": "not_found"}, {}, "", "Not Found", "<html>404</html>", [1]],
    ids=["json", "empty_obj", "empty", "text", "html", "array"],
)
def test_linked_identities_404_is_not_found(body: Any, client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    result = answer(client, rsps, "linked", body, status=404)
    assert isinstance(result, LinkedIdentitiesResult)
    assert result.not_found is True
    assert not result.wallet_user_id and not result.primary_email and not result.primary_phone
    assert result.is_minor is False
    assert result.emails == []
    assert len(rsps.calls) == 1


def test_linked_identities_other_errors_still_raise(client: InvoServer,
                                                    rsps: responses.RequestsMock) -> None:
    with pytest.raises(InvoError) as info:
        answer(client, rsps, "linked", {"error": "nope"}, status=403)
    assert info.value.status == 403


# -- part 2 specifics ---------------------------------------------------------------------------

GAME = {"game_id": 12, "game_name": "Beta", "tenant_type": "studio", "developer_name": "Dev",
        "publisher_name": "Pub", "genre": "rpg", "platform": "pc", "game_status": "live",
        "game_icon": "https://i/1", "game_poster": "https://i/2", "game_url": "https://g",
        "game_description": "A game", "currency_name": "Gems", "currency_symbol": "G",
        "currency_symbol_url": "https://i/3", "minimum_transfer": "1.00",
        "maximum_transfer": "500.00"}


def test_destinations_full(client: InvoServer, rsps: responses.RequestsMock) -> None:
    body = {"status": "success", "source_game_id": 1, "source_game_name": "Alpha",
            "source_game_icon": "https://i/a", "source_currency_name": "Gold",
            "source_currency_icon": "https://i/g", "universal_transfers": True,
            "transfer_mode": "universal", "available_games": [GAME], "total_destinations": 9,
            "direction": "transfer", "linked_game_ids": [12, 13]}
    result = answer(client, rsps, "destinations", body)
    assert isinstance(result, DestinationsResult)
    check(result, {k: v for k, v in body.items() if k != "available_games"})
    assert result.raw == body
    (game,) = result.available_games
    assert isinstance(game, DestinationGame)
    check(game, GAME)
    assert game.raw == GAME


def test_destination_game_defaults(client: InvoServer, rsps: responses.RequestsMock) -> None:
    (game,) = answer(client, rsps, "destinations", {"available_games": [{}]}).available_games
    for key in GAME:
        if key not in ("game_id", "minimum_transfer", "maximum_transfer"):
            assert getattr(game, key) == "", key


@pytest.mark.parametrize(("total", "expected"),
                         [(None, 2), ("5", 2), (True, 2), (2.5, 2), (0, 0), (7, 7)])
def test_total_destinations_falls_back_to_list_length(total: Any, expected: int,
                                                      client: InvoServer,
                                                      rsps: responses.RequestsMock) -> None:
    body: dict[str, Any] = {"available_games": [GAME, GAME]}
    if total is not None:
        body["total_destinations"] = total
    result = answer(client, rsps, "destinations", body)
    assert result.total_destinations == expected
    assert type(result.total_destinations) is int


@pytest.mark.parametrize(
    ("requested", "body", "expected"),
    [("transfer", {}, "transfer"), ("send", {}, "send"),
     ("transfer", {"direction": "send"}, "send"), ("send", {"direction": None}, "send")],
)
def test_destinations_direction(requested: str, body: dict[str, Any], expected: str,
                                client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json=body)
    result = client.get_destinations(source_game_id=1, direction=requested)
    assert result.direction == expected


def test_destinations_defaults(client: InvoServer, rsps: responses.RequestsMock) -> None:
    result = answer(client, rsps, "destinations", {"universal_transfers": "true"})
    check(result, {"status": STR, "source_game_name": STR, "source_game_icon": STR,
                   "source_currency_name": STR, "source_currency_icon": STR,
                   "universal_transfers": False, "transfer_mode": STR, "available_games": [],
                   "total_destinations": 0, "linked_game_ids": OPT})


@pytest.mark.parametrize("field", ["code_sent", "already_approved"])
@pytest.mark.parametrize("value", ["true", 1, "yes", None])
def test_phone_share_bools_are_real_bools(field: str, value: Any, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    assert getattr(answer(client, rsps, "ps_initiate", {field: value}), field) is None


@pytest.mark.parametrize("value", ["true", 1, None, False])
def test_phone_share_status_approved_only_when_true(value: Any, client: InvoServer,
                                                    rsps: responses.RequestsMock) -> None:
    assert answer(client, rsps, "ps_status", {"approved": value}).approved is False


def test_guardian_state_reads_nested_approval_only(client: InvoServer,
                                                   rsps: responses.RequestsMock) -> None:
    result = answer(client, rsps, "guardian", {"state": "approved", "approval": None})
    assert result.state == ""


def test_needs_account_selection_is_not_an_error(client: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    body = {"status": "needs_account_selection", "candidates": [{"player_id": 5}]}
    result = answer(client, rsps, "claim_transfer", body)
    assert isinstance(result, ClaimResult)
    assert result.needs_account_selection is True
    assert result.candidates == [{"player_id": 5}]


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_every_result_keeps_raw(call: Call, client: InvoServer,
                                rsps: responses.RequestsMock) -> None:
    body = {**call.ok, "unknown_future_field": {"nested": [1, "2"]}}
    add_any(rsps, call.method, json=body)
    result = call.run(client)
    if isinstance(result, list):  # the history iterator yields rows, not a result
        return
    assert result.raw == body


# == over the recording server on 127.0.0.1 ====================================================

EMAIL = "p@example.com"
RECORDER_PHONE = "+15551234567"

RECORDED_CALLS: Dict[str, Dict[str, Any]] = {
    "mint_player_token": dict(player_email=EMAIL),
    "initiate_send": dict(client_request_id="c", sender_player_name="S",
                          sender_player_email="s@x.io", sender_player_phone=RECORDER_PHONE,
                          receiver_player_email="r@x.io", receiver_player_phone=RECORDER_PHONE,
                          receiving_game_id=1, amount="1"),
    "initiate_transfer": dict(client_request_id="c", source_player_name="S",
                              source_player_email="s@x.io", source_player_phone=RECORDER_PHONE,
                              target_player_email="t@x.io", target_player_phone=RECORDER_PHONE,
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
    "get_player_balance": dict(player_email="p@example.com"),
    "get_inbound_pending": dict(player_email=EMAIL),
    "get_linked_identities": dict(player_email=EMAIL),
    "verify_sms_transfer": dict(transaction_id="t", sms_pin="1"),
    "verify_sms_send": dict(transaction_id="t", sms_pin="1"),
    "claim_transfer": dict(claim_code="c", target_player_name="n", target_player_email=EMAIL,
                           target_player_phone=RECORDER_PHONE, target_currency_id=1),
    "claim_currency": dict(claim_code="c", receiver_player_name="n",
                           receiver_player_email=EMAIL, receiver_player_phone=RECORDER_PHONE),
    "get_transfer_status": dict(transaction_id="t"),
    "get_send_status": dict(transaction_id="t"),
    "get_guardian_approval_status": dict(transaction_id="t"),
    "get_destinations": dict(source_game_id=1),
    "phone_share_initiate": dict(phone=RECORDER_PHONE, email=EMAIL),
    "phone_share_approve": dict(approval_id="a", otp="1"),
    "phone_share_status": dict(phone=RECORDER_PHONE, email=EMAIL),
}


def call(srv: Recorder, invo: InvoServer, method: str, body: Any, status: int = 200,
         **extra: Any) -> Any:
    srv.reply(status, body)
    return getattr(invo, method)(**{**RECORDED_CALLS[method], **extra})


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
           "source_game_id": 9, "source_game": "G", "to_phone": RECORDER_PHONE,
           "to_identity_id": "i",
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
    body = {"wallet_user_id": "w", "primary_email": EMAIL, "primary_phone": RECORDER_PHONE,
            "is_minor": is_minor,
            "emails": [{"email": EMAIL, "primary": True, "verified_at": "v"}]}
    res = call(srv, invo, "get_linked_identities", body)
    assert res.is_minor is expected
    assert (res.wallet_user_id, res.primary_email, res.primary_phone) == (
        "w", EMAIL, RECORDER_PHONE)
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
            "currency_id": 7, "order_id": "o", "to_phone": RECORDER_PHONE, "to_identity_id": "i"}
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


RECORDED_GAME = {"game_id": 5, "game_name": "G", "tenant_type": "t", "developer_name": "d",
        "publisher_name": "p", "genre": "g", "platform": "pc", "game_status": "live",
        "game_icon": "i", "game_poster": "po", "game_url": "u", "game_description": "desc",
        "currency_name": "c", "currency_symbol": "s", "currency_symbol_url": "su",
        "minimum_transfer": "1.00", "maximum_transfer": "100.00"}


@pytest.mark.parametrize("direction", ["transfer", "send"])
def test_destinations_result(srv: Recorder, invo: InvoServer, direction: str) -> None:
    body = {"status": "success", "source_game_id": 1, "source_game_name": "S",
            "source_game_icon": "si", "source_currency_name": "sc", "source_currency_icon": "ci",
            "universal_transfers": True, "transfer_mode": "universal",
            "available_games": [RECORDED_GAME], "total_destinations": 9, "linked_game_ids": [1, 2]}
    res = call(srv, invo, "get_destinations", body, direction=direction)
    for k, v in body.items():
        if k != "available_games":
            assert getattr(res, k) == v, k
    g = res.available_games[0]
    assert isinstance(g, DestinationGame)
    for k, v in RECORDED_GAME.items():
        assert getattr(g, k) == v
    assert res.direction == direction and res.raw == body


@pytest.mark.parametrize("total,expected", [(None, 2), ("9", 2), (3.5, 2), (True, 2),
                                            (7, 7)])
def test_destinations_total(srv: Recorder, invo: InvoServer, total: Any, expected: int) -> None:
    body: Dict[str, Any] = {"available_games": [RECORDED_GAME, RECORDED_GAME]}
    if total is not None:
        body["total_destinations"] = total
    res = call(srv, invo, "get_destinations", body)
    assert res.total_destinations == expected and type(res.total_destinations) is int


@pytest.mark.parametrize("body,direction,expected", [
    ({"direction": "send"}, "transfer", "send"),
    ({}, "send", "send"),
    ({"universal_transfers": "true"}, "transfer", "transfer"),
])
def test_destinations_direction_over_http(srv: Recorder, invo: InvoServer, body: Any,
                                          direction: str,
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


def test_destination_game_defaults_over_http(srv: Recorder, invo: InvoServer) -> None:
    res = call(srv, invo, "get_destinations", {"available_games": [{}]})
    g = res.available_games[0]
    for k in RECORDED_GAME:
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


# == building results by hand ===================================================================


def test_from_body_builds_like_the_client() -> None:
    from invonetwork import DestinationsResult, PurchaseItemResult

    item = PurchaseItemResult.from_body({"transaction_id": 7, "order_id": "o", "x": 1})
    assert (item.transaction_id, item.order_id, item.status, item.raw["x"]) == (7, "o", "", 1)
    assert DestinationsResult.from_body({}, direction="send").direction == "send"
    assert DestinationsResult.from_body({"direction": "transfer"},
                                        direction="send").direction == "transfer"
    with pytest.raises(InvoError) as info:
        PurchaseItemResult.from_body({"order_id": "o"})
    assert info.value.code == "INVALID_RESPONSE" and info.value.body == {"order_id": "o"}
