"""Result mapping: every attribute, ``.raw``, defaults for missing/null fields, wire types kept,
required fields, and the special cases the contract names."""

from __future__ import annotations

import json
from typing import Any, Callable

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
    "balance": ("GET", lambda c: c.get_player_balance(player_id=1)),
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
