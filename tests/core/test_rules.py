"""Argument rules: each violation is INVALID_INPUT (or its code) and nothing is sent."""

from __future__ import annotations

import inspect
import math
from decimal import Decimal
from typing import Any, Dict

import pytest
import responses

from invonetwork import InvalidInputError, InvoError, InvoServer, verify_webhook

from .recorder import Recorder
from .support import (
    CLAIM_TRANSFER_ARGS,
    EMAIL,
    ITEM_ARGS,
    PHONE,
    SEND_ARGS,
    TRANSFER_ARGS,
    add_any,
    sent_json,
)
from .test_results import RECORDED_CALLS

# == over a mocked transport (responses) =======================================================

BAD_MONEY: list[Any] = [
    "1e2", " 1", "1 ", "1.", ".5", "+1", "-1", "0", "0.00", "1.234", "\u0661\u0660", "0x10", "NaN",
    "nan", "inf", "Infinity", "", "1,00", "1_000", "abc", float("nan"), float("inf"),
    float("-inf"), True, False, None, Decimal("1E+2"), Decimal("NaN"), Decimal("-1"),
    Decimal("0"), Decimal("1.001"), 1e-05, 0, -5, 0.0, -1.5, 1.234, [], {"a": 1}, b"10",
]
MONEY_IDS = [repr(v) for v in BAD_MONEY]
GOOD_USD: list[Any] = ["999.99", "0.01", "10", "10.5", 10, 10.5, 999, Decimal("10.50"),
                       Decimal("999.99"), "1000.00", 1000, "999999.99", Decimal("999999.99")]
BAD_PHONES = ["+0155555501", "15555550100", "+1555555010012345", "+15555550100\n", "+1 555",
              "+1", "+", "", " +15555550100", "+1555-5550",
              "+1\u0665\u0665\u0665\u0665", "++15555550100"]
GOOD_PHONES = [PHONE, "+12", "+123456789012345", "+447911123456"]


def assert_rejected(rsps: responses.RequestsMock, run: Any, code: str, name: str) -> None:
    """``run`` raises the client-side error naming ``name`` and sends nothing."""
    with pytest.raises(InvalidInputError) as info:
        run()
    err = info.value
    assert isinstance(err, InvoError) and isinstance(err, ValueError)
    assert err.code == code
    assert err.status == 0
    assert err.request_id is None
    assert name in err.message
    assert str(err) == err.message
    assert len(rsps.calls) == 0


# -- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", BAD_MONEY, ids=MONEY_IDS)
def test_create_checkout_rejects_bad_usd(value: Any, client: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.create_checkout(player_email=EMAIL, usd_amount=value),
                    "INVALID_INPUT", "usd_amount")


@pytest.mark.parametrize("value", [*BAD_MONEY, "1000000.00", "1000000", 1000000, 999.999,
                                   Decimal("1000000.00")],
                         ids=[*MONEY_IDS, "1000000.00", "s1000000", "1000000", "999.999",
                              "D1000000.00"])
def test_purchase_currency_rejects_bad_usd(value: Any, client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_currency(
        player_email=EMAIL, usd_amount=value, purchase_reference="r"), "INVALID_INPUT",
        "usd_amount")


@pytest.mark.parametrize("value", ["1000000.00", 1000000, 1000000.5, Decimal("1000000")])
def test_create_checkout_usd_max(value: Any, client: InvoServer,
                                 rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.create_checkout(player_email=EMAIL, usd_amount=value),
                    "INVALID_INPUT", "usd_amount")


@pytest.mark.parametrize("value", GOOD_USD, ids=[repr(v) for v in GOOD_USD])
def test_good_usd_goes_on_the_wire_as_given(value: Any, client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"checkout_url": "https://pay.example/1", "status": "success"})
    client.create_checkout(player_email=EMAIL, usd_amount=value)
    client.purchase_currency(player_email=EMAIL, usd_amount=value, purchase_reference="r")
    expected = str(value) if isinstance(value, Decimal) else value
    for call in rsps.calls:
        sent = sent_json(call.request)["usd_amount"]
        assert sent == expected and type(sent) is type(expected)


@pytest.mark.parametrize("field", ["unit_price", "total_price"])
@pytest.mark.parametrize("value", [*BAD_MONEY, "1000000.00", 1000000],
                         ids=[*MONEY_IDS, "1000000.00", "1000000"])
def test_purchase_item_rejects_bad_prices(field: str, value: Any, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    args = {**ITEM_ARGS, "item_quantity": 1, "unit_price": "5.00", "total_price": "5.00",
            field: value}
    assert_rejected(rsps, lambda: client.purchase_item(**args), "INVALID_INPUT", field)


@pytest.mark.parametrize(
    ("unit", "quantity", "total"),
    [("999999.99", 1, "999999.99"), ("33.33", 3, "100.00"), ("33.33", 3, "99.99"),
     (Decimal("0.01"), 1000, 10), (0.1, 3, 0.3), ("10", 1, "10.01"), ("10", 1, "9.99")],
)
def test_purchase_item_accepts_totals_within_a_cent(
    unit: Any, quantity: int, total: Any, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    add_any(rsps, "POST", json={"transaction_id": "t", "order_id": "o"})
    client.purchase_item(**{**ITEM_ARGS, "unit_price": unit, "item_quantity": quantity,
                            "total_price": total})
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("unit", "quantity", "total"),
    [("33.33", 3, "100.02"), ("33.33", 3, "99.97"), ("10", 2, "10"), ("10", 1, "10.02"),
     ("999999.99", 2, "999999.99")],
)
def test_purchase_item_rejects_wrong_totals(unit: Any, quantity: int, total: Any,
                                            client: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_item(**{
        **ITEM_ARGS, "unit_price": unit, "item_quantity": quantity, "total_price": total}),
        "INVALID_INPUT", "total_price")


@pytest.mark.parametrize("quantity", [0, 1001, -1, True, False, 1.0, "1", None, Decimal(1)],
                         ids=repr)
def test_purchase_item_quantity(quantity: Any, client: InvoServer,
                                rsps: responses.RequestsMock) -> None:
    # The total is kept consistent with the quantity so only the quantity rule can trip.
    total = f"{quantity}.00" if type(quantity) is int and quantity > 0 else "1.00"
    assert_rejected(rsps, lambda: client.purchase_item(**{
        **ITEM_ARGS, "item_quantity": quantity, "unit_price": "1.00", "total_price": total}),
        "INVALID_INPUT", "item_quantity")
    with pytest.raises(InvalidInputError) as info:
        client.purchase_item(**{**ITEM_ARGS, "item_quantity": quantity, "unit_price": "1.00",
                                "total_price": total})
    assert "total_price" not in info.value.message


@pytest.mark.parametrize("quantity", [1, 1000])
def test_purchase_item_quantity_bounds_ok(quantity: int, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"transaction_id": "t", "order_id": "o"})
    client.purchase_item(**{**ITEM_ARGS, "item_quantity": quantity, "unit_price": "1.00",
                            "total_price": f"{quantity}.00"})
    assert sent_json(rsps.calls[0].request)["item_quantity"] == quantity


@pytest.mark.parametrize("field", ["client_request_id", "player_email", "player_name",
                                   "item_id", "item_name"])
@pytest.mark.parametrize("value", ["", "   ", "\t\n", None])
def test_purchase_item_blank_text(field: str, value: Any, client: InvoServer,
                                  rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_item(**{**ITEM_ARGS, field: value}),
                    "INVALID_INPUT", field)


# -- emails, phones, references, rails ---------------------------------------------------------

BLANKS = ["", "   ", "\t", None]


@pytest.mark.parametrize("value", BLANKS, ids=repr)
@pytest.mark.parametrize(
    "method",
    ["mint_player_token", "create_checkout", "purchase_currency", "get_item_purchase_history",
     "iterate_item_purchase_history"],
)
def test_blank_player_email(method: str, value: Any, client: InvoServer,
                            rsps: responses.RequestsMock) -> None:
    extra: dict[str, Any] = {
        "create_checkout": {"usd_amount": "1.00"},
        "purchase_currency": {"usd_amount": "1.00", "purchase_reference": "r"},
    }.get(method, {})

    def run() -> None:
        result = getattr(client, method)(player_email=value, **extra)
        if method.startswith("iterate"):
            list(result)

    assert_rejected(rsps, run, "INVALID_INPUT", "player_email")


@pytest.mark.parametrize("phone", BAD_PHONES, ids=repr)
def test_mint_rejects_non_e164_phone(phone: str, client: InvoServer,
                                     rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.mint_player_token(player_email=EMAIL,
                                                           player_phone=phone),
                    "INVALID_INPUT", "player_phone")


@pytest.mark.parametrize("phone", GOOD_PHONES)
def test_mint_accepts_e164_phone(phone: str, client: InvoServer,
                                 rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"token": "t"})
    client.mint_player_token(player_email=EMAIL, player_phone=phone)
    assert sent_json(rsps.calls[0].request)["player_phone"] == phone


@pytest.mark.parametrize("reference", ["", None, "  "], ids=repr)
def test_purchase_currency_needs_reference(reference: Any, client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_currency(
        player_email=EMAIL, usd_amount="5.00", purchase_reference=reference),
        "MISSING_PURCHASE_REFERENCE", "purchase_reference")


def test_purchase_currency_refuses_steam(client: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_currency(
        player_email=EMAIL, usd_amount="5.00", purchase_reference="r", rail="steam"),
        "WRONG_RAIL_ENDPOINT", "rail")


@pytest.mark.parametrize("rail", [1, b"steam", ["game"], True])
def test_unknown_rail(rail: Any, client: InvoServer, rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.create_checkout(player_email=EMAIL, usd_amount="1",
                                                         rail=rail), "INVALID_INPUT", "rail")
    assert_rejected(rsps, lambda: client.purchase_currency(
        player_email=EMAIL, usd_amount="1", purchase_reference="r", rail=rail),
        "INVALID_INPUT", "rail")


@pytest.mark.parametrize("rail", ["platform", "game", "steam"])
def test_checkout_accepts_every_rail(rail: str, client: InvoServer,
                                     rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"checkout_url": "https://pay.example/1"})
    client.create_checkout(player_email=EMAIL, usd_amount="1", rail=rail)
    assert sent_json(rsps.calls[0].request)["rail"] == rail


# -- "at least one" / "exactly one" ids ----------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({}, "order_id"), ({"order_id": None, "transaction_id": None}, "transaction_id"),
     ({"order_id": "", "transaction_id": "  "}, "order_id")],
)
def test_order_details_needs_an_id(kwargs: dict[str, Any], name: str, client: InvoServer,
                                   rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.get_order_details(**kwargs), "INVALID_INPUT", name)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"order_id": " ", "client_request_id": ""}, {"order_id": "o", "transaction_id": "t"},
     {"order_id": "o", "client_request_id": "c"},
     {"order_id": 1, "transaction_id": 2, "client_request_id": "c"}],
)
def test_item_order_details_needs_exactly_one_id(kwargs: dict[str, Any], client: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.get_item_order_details(**kwargs), "INVALID_INPUT",
                    "order_id")


@pytest.mark.parametrize("kwargs", [{}, {"player_id": None, "player_email": None},
                                    {"player_id": "", "player_email": "  "},
                                    {"player_id": " "}])
def test_player_balance_needs_an_id(kwargs: dict[str, Any], client: InvoServer,
                                    rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.get_player_balance(**kwargs), "INVALID_INPUT",
                    "player_email")


@pytest.mark.parametrize("method", ["get_inbound_pending", "get_linked_identities"])
@pytest.mark.parametrize("kwargs", [{}, {"player_email": " ", "player_phone": ""},
                                    {"player_email": None, "player_phone": None}])
def test_reads_need_email_or_phone(method: str, kwargs: dict[str, Any], client: InvoServer,
                                   rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: getattr(client, method)(**kwargs), "INVALID_INPUT",
                    "player_phone")


# -- part 2 --------------------------------------------------------------------------------

BAD_TEXT: list[Any] = ["", "  ", "\n", None, 1234, b"12"]


@pytest.mark.parametrize("value", BAD_TEXT, ids=repr)
@pytest.mark.parametrize("method", ["verify_sms_transfer", "verify_sms_send"])
@pytest.mark.parametrize("field", ["transaction_id", "sms_pin"])
def test_verify_sms_needs_text(method: str, field: str, value: Any, client: InvoServer,
                               rsps: responses.RequestsMock) -> None:
    args = {"transaction_id": "tx", "sms_pin": "1234", field: value}
    assert_rejected(rsps, lambda: getattr(client, method)(**args), "INVALID_INPUT", field)


@pytest.mark.parametrize("value", ["", "   ", None], ids=repr)
@pytest.mark.parametrize("method", ["get_transfer_status", "get_send_status",
                                    "get_guardian_approval_status"])
def test_status_reads_need_transaction_id(method: str, value: Any, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: getattr(client, method)(value), "INVALID_INPUT",
                    "transaction_id")


@pytest.mark.parametrize("value", [None, "", "  "], ids=repr)
def test_destinations_need_source_game_id(value: Any, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.get_destinations(source_game_id=value),
                    "INVALID_INPUT", "source_game_id")


@pytest.mark.parametrize("direction", ["sends", "Transfer", "", "receive"])
def test_destinations_unknown_direction(direction: str, client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.get_destinations(source_game_id=1, direction=direction),
                    "INVALID_INPUT", "direction")


@pytest.mark.parametrize("value", BAD_TEXT, ids=repr)
@pytest.mark.parametrize(
    ("method", "field", "valid"),
    [("phone_share_initiate", "phone", {"phone": PHONE, "email": EMAIL}),
     ("phone_share_initiate", "email", {"phone": PHONE, "email": EMAIL}),
     ("phone_share_status", "phone", {"phone": PHONE, "email": EMAIL}),
     ("phone_share_status", "email", {"phone": PHONE, "email": EMAIL}),
     ("phone_share_approve", "approval_id", {"approval_id": "a", "otp": "1"}),
     ("phone_share_approve", "otp", {"approval_id": "a", "otp": "1"})],
)
def test_phone_share_needs_text(method: str, field: str, valid: dict[str, Any], value: Any,
                                client: InvoServer, rsps: responses.RequestsMock) -> None:
    args = {**valid, field: value}
    assert_rejected(rsps, lambda: getattr(client, method)(**args), "INVALID_INPUT", field)


# -- sends and transfers: amount is forwarded, but must exist ----------------------------------


@pytest.mark.parametrize("method", ["initiate_send", "initiate_transfer"])
@pytest.mark.parametrize("amount", [None, True])
def test_initiate_amount_missing_or_bool(method: str, amount: Any, client: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    args = {**(SEND_ARGS if method == "initiate_send" else TRANSFER_ARGS), "amount": amount}
    assert_rejected(rsps, lambda: getattr(client, method)(**args), "INVALID_INPUT", "amount")


def test_claims_are_left_to_the_backend(client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={})
    client.claim_transfer(**{**CLAIM_TRANSFER_ARGS, "target_player_email": ""})
    assert sent_json(rsps.calls[0].request)["target_player_email"] == ""


def test_nan_is_never_sent(client: InvoServer, rsps: responses.RequestsMock) -> None:
    for value in (math.nan, math.inf):
        with pytest.raises(InvalidInputError):
            client.purchase_item(**{**ITEM_ARGS, "unit_price": value})
    assert len(rsps.calls) == 0


# == over the recording server on 127.0.0.1 ====================================================

EMAIL = "p@example.com"
RECORDER_PHONE = "+15551234567"

MORE_BAD_MONEY = ["", " 1", "1 ", "+1", "-1", "0", "0.00", "1.001", "1.", ".5", "0x10", "1e2",
             "1E2", "\u0661", "1_0", "nan", "inf", True, False, None, 0, -5, 0.0, -0.01,
             float("nan"), float("inf"), float("-inf"), 1.005, 1e-7, Decimal("NaN"),
             Decimal("Infinity"), Decimal("-1"), Decimal("0"), Decimal("1.001"),
             Decimal("1E+1"), "1\n", [1], b"1"]
MORE_GOOD_USD = ["1", "0.01", "999.99", "10.5", "007", 1, 999, 0.01, 999.99, 10.5,
            Decimal("999.99"), Decimal("0.5"), Decimal("1.00")]
MORE_BAD_USD = [*MORE_BAD_MONEY, "1000000", "999.999", 1000000, 999999.991,
                Decimal("1000000.00"), 1e6]


def _no_request(srv: Recorder) -> None:
    assert srv.requests == [], "a request reached the network"


def _raises(srv: Recorder, code: str, fn: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as ei:
        fn(**kwargs)
    assert ei.value.code == code, (ei.value.code, ei.value.message)
    assert ei.value.status == 0
    _no_request(srv)
    return ei.value


@pytest.mark.parametrize("amount", MORE_BAD_USD)
@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
def test_usd_money_rejected(srv: Recorder, invo: InvoServer, method: str, amount: Any) -> None:
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount=amount)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    _raises(srv, "INVALID_INPUT", getattr(invo, method), **kw)


@pytest.mark.parametrize("amount", MORE_GOOD_USD)
def test_usd_money_accepted_and_forwarded_as_given(srv: Recorder, invo: InvoServer,
                                                   amount: Any) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    invo.create_checkout(player_email=EMAIL, usd_amount=amount)
    wire = srv.last.json["usd_amount"]
    if isinstance(amount, Decimal):
        assert wire == str(amount)
    else:
        assert wire == amount and type(wire) is type(amount)


GOOD_ITEM = [("999999.99", 1), (999999.99, 1), (Decimal("0.01"), 1), ("1000", 1)]


@pytest.mark.parametrize("price,qty", GOOD_ITEM)
def test_item_money_accepted(srv: Recorder, invo: InvoServer, price: Any, qty: int) -> None:
    srv.reply(200, {"transaction_id": "t", "order_id": "o"})
    invo.purchase_item(client_request_id="c", player_email=EMAIL, player_name="P", item_id="i",
                       item_name="I", item_quantity=qty, unit_price=price, total_price=price)
    body = srv.last.json
    expect = str(price) if isinstance(price, Decimal) else price
    assert body["unit_price"] == expect and body["total_price"] == expect


ITEM = dict(client_request_id="c", player_email=EMAIL, player_name="P", item_id="i",
            item_name="I", item_quantity=1, unit_price="1.00", total_price="1.00")


@pytest.mark.parametrize("override", [
    *[{"unit_price": v, "total_price": v} for v in MORE_BAD_MONEY],
    {"unit_price": "1000000", "total_price": "1000000"},
    {"unit_price": "1000000.00", "total_price": "1000000.00"},
    {"unit_price": "1.00", "total_price": "1.02"},
    {"unit_price": "1.00", "total_price": "0.98"},
    {"unit_price": "33.33", "item_quantity": 3, "total_price": "100.01"},
    {"unit_price": "33.33", "item_quantity": 3, "total_price": "99.97"},
    {"item_quantity": 0},
    {"item_quantity": 1001},
    {"item_quantity": -1},
    {"item_quantity": True},
    {"item_quantity": 1.0},
    {"item_quantity": "1"},
    {"item_quantity": None},
    *[{k: v} for k in ("client_request_id", "player_email", "player_name", "item_id",
                       "item_name") for v in ("", "   ", "\t\n", None)],
])
def test_purchase_item_rules(srv: Recorder, invo: InvoServer, override: Dict[str, Any]) -> None:
    _raises(srv, "INVALID_INPUT", invo.purchase_item, **{**ITEM, **override})


@pytest.mark.parametrize("unit,qty,total", [
    ("33.33", 3, "100.00"), ("33.33", 3, "99.99"), ("33.33", 3, "99.98"),
    (0.1, 3, 0.3), ("0.10", 3, "0.31"), ("0.10", 3, "0.29"), ("999.99", 1000, "999990.00"),
    (Decimal("33.33"), 3, Decimal("100")), (1, 1000, 1000),
])
def test_purchase_item_total_ok(srv: Recorder, invo: InvoServer, unit: Any, qty: int,
                                total: Any) -> None:
    srv.reply(200, {"transaction_id": "t", "order_id": "o"})
    invo.purchase_item(**{**ITEM, "unit_price": unit, "item_quantity": qty,
                          "total_price": total})
    assert len(srv.requests) == 1


@pytest.mark.parametrize("method,kwargs", [
    ("mint_player_token", {}),
    ("create_checkout", {"usd_amount": "1"}),
    ("purchase_currency", {"usd_amount": "1", "purchase_reference": "r"}),
    ("get_item_purchase_history", {}),
])
@pytest.mark.parametrize("email", ["", "  ", "\n", None])
def test_blank_player_email_over_http(srv: Recorder, invo: InvoServer, method: str,
                            kwargs: Dict[str, Any], email: Any) -> None:
    _raises(srv, "INVALID_INPUT", getattr(invo, method), player_email=email, **kwargs)


@pytest.mark.parametrize("email", ["", "  ", None])
def test_blank_email_iterate_raises_before_network(srv: Recorder, invo: InvoServer,
                                                   email: Any) -> None:
    with pytest.raises(InvoError) as ei:
        list(invo.iterate_item_purchase_history(player_email=email))
    assert ei.value.code == "INVALID_INPUT" and ei.value.status == 0
    _no_request(srv)


@pytest.mark.parametrize("phone", ["15551234567", "+0551234567", "+1", "+1234567890123456",
                                   "+1555123456\n", "+1555 1234567", " +15551234567",
                                   "+1555123456a", "++15551234567",
                                   "+\uff11\uff15\uff15\uff15\uff11\uff12\uff13"])
def test_mint_bad_phone(srv: Recorder, invo: InvoServer, phone: str) -> None:
    _raises(srv, "INVALID_INPUT", invo.mint_player_token, player_email=EMAIL, player_phone=phone)


@pytest.mark.parametrize("phone", ["+12", "+123456789012345", "+15551234567", "+447911123456"])
def test_mint_good_phone(srv: Recorder, invo: InvoServer, phone: str) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_phone=phone)
    assert srv.last.json["player_phone"] == phone


def test_mint_phone_none_not_sent(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_phone=None)
    assert "player_phone" not in srv.last.json


@pytest.mark.parametrize("rail", [1, 2.5, {"rail": "game"}])
@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
def test_bad_rail(srv: Recorder, invo: InvoServer, method: str, rail: Any) -> None:
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount="1", rail=rail)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    _raises(srv, "INVALID_INPUT", getattr(invo, method), **kw)


@pytest.mark.parametrize("rail", ["platform", "game", "steam"])
def test_checkout_rails_ok(srv: Recorder, invo: InvoServer, rail: str) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    invo.create_checkout(player_email=EMAIL, usd_amount="1", rail=rail)
    assert srv.last.json["rail"] == rail


@pytest.mark.parametrize("rail", ["platform", "game"])
def test_purchase_rails_ok(srv: Recorder, invo: InvoServer, rail: str) -> None:
    invo.purchase_currency(player_email=EMAIL, usd_amount="1", purchase_reference="r", rail=rail)
    assert srv.last.json["rail"] == rail


def test_purchase_steam_wrong_rail(srv: Recorder, invo: InvoServer) -> None:
    _raises(srv, "WRONG_RAIL_ENDPOINT", invo.purchase_currency, player_email=EMAIL,
            usd_amount="1", purchase_reference="r", rail="steam")


@pytest.mark.parametrize("ref", ["", None])
def test_purchase_missing_reference(srv: Recorder, invo: InvoServer, ref: Any) -> None:
    _raises(srv, "MISSING_PURCHASE_REFERENCE", invo.purchase_currency, player_email=EMAIL,
            usd_amount="1", purchase_reference=ref)


def test_purchase_blank_reference(srv: Recorder, invo: InvoServer) -> None:
    # "empty" purchase_reference; whitespace-only is at least not sent as valid.
    with pytest.raises(InvoError) as ei:
        invo.purchase_currency(player_email=EMAIL, usd_amount="1", purchase_reference="   ")
    assert ei.value.code in ("MISSING_PURCHASE_REFERENCE", "INVALID_INPUT")
    _no_request(srv)


@pytest.mark.parametrize("method,kwargs", [
    ("get_order_details", {}),
    ("get_order_details", {"order_id": None, "transaction_id": None}),
    ("get_item_order_details", {}),
    ("get_item_order_details", {"order_id": "o", "transaction_id": "t"}),
    ("get_item_order_details", {"order_id": "o", "client_request_id": "c"}),
    ("get_item_order_details", {"order_id": "o", "transaction_id": "t",
                                "client_request_id": "c"}),
    ("get_item_order_details", {"order_id": "  "}),
    ("get_item_order_details", {"client_request_id": ""}),
    ("get_player_balance", {}),
    ("get_player_balance", {"player_email": "  "}),
    ("get_player_balance", {"player_id": "", "player_email": ""}),
    ("get_player_balance", {"player_id": None, "player_email": None}),
    ("get_inbound_pending", {}),
    ("get_inbound_pending", {"player_email": " ", "player_phone": "\t"}),
    ("get_linked_identities", {}),
    ("get_linked_identities", {"player_email": "", "player_phone": "  "}),
])
def test_missing_ids(srv: Recorder, invo: InvoServer, method: str,
                     kwargs: Dict[str, Any]) -> None:
    _raises(srv, "INVALID_INPUT", getattr(invo, method), **kwargs)


def test_item_order_details_one_nonblank_among_blanks(srv: Recorder, invo: InvoServer) -> None:
    invo.get_item_order_details(order_id="o", transaction_id="  ", client_request_id=None)
    assert srv.last.params == {"order_id": ["o"]}


@pytest.mark.parametrize("method,kwargs", [
    *[(m, {"transaction_id": t, "sms_pin": "1"}) for m in ("verify_sms_transfer",
                                                           "verify_sms_send")
      for t in ("", "  ", None, 5)],
    *[(m, {"transaction_id": "t", "sms_pin": p}) for m in ("verify_sms_transfer",
                                                           "verify_sms_send")
      for p in ("", " ", None, 1234)],
    *[(m, {"transaction_id": t}) for m in ("get_transfer_status", "get_send_status",
                                           "get_guardian_approval_status")
      for t in ("", " \n", None)],
    ("get_destinations", {"source_game_id": None}),
    ("get_destinations", {"source_game_id": ""}),
    ("get_destinations", {"source_game_id": "   "}),
    ("get_destinations", {"source_game_id": 1, "direction": "sends"}),
    ("get_destinations", {"source_game_id": 1, "direction": "SEND"}),
    ("get_destinations", {"source_game_id": 1, "direction": ""}),
    ("get_destinations", {"source_game_id": 1, "direction": None}),
    *[("phone_share_initiate", {"phone": p, "email": e})
      for p, e in (("", EMAIL), (RECORDER_PHONE, ""), (" ", EMAIL), (RECORDER_PHONE, None),
                   (None, EMAIL),
                   (15551234567, EMAIL))],
    *[("phone_share_status", {"phone": p, "email": e})
      for p, e in (("", EMAIL), (RECORDER_PHONE, " "), (None, EMAIL))],
    *[("phone_share_approve", {"approval_id": a, "otp": o})
      for a, o in (("", "1"), ("a", ""), (" ", "1"), ("a", None), ("a", 123456))],
])
def test_part2_client_rules(srv: Recorder, invo: InvoServer, method: str,
                            kwargs: Dict[str, Any]) -> None:
    _raises(srv, "INVALID_INPUT", getattr(invo, method), **kwargs)


def test_claims_are_validated_by_backend(srv: Recorder, invo: InvoServer) -> None:
    invo.claim_transfer(claim_code="", target_player_name="", target_player_email="",
                        target_player_phone="", target_currency_id=0)
    invo.claim_currency(claim_code="", receiver_player_name="", receiver_player_email="",
                        receiver_player_phone="")
    assert len(srv.requests) == 2


@pytest.mark.parametrize("amount", ["abc", -5, "1e9", Decimal("3.14159")])
def test_send_amount_forwarded_as_given_over_http(srv: Recorder, invo: InvoServer,
                                                  amount: Any) -> None:
    invo.initiate_send(client_request_id="c", sender_player_name="S",
                       sender_player_email="s@x.io", sender_player_phone=RECORDER_PHONE,
                       receiver_player_email="r@x.io", receiver_player_phone=RECORDER_PHONE,
                       receiving_game_id=1, amount=amount)
    wire = srv.last.json["amount"]
    assert wire == (str(amount) if isinstance(amount, Decimal) else amount)


@pytest.mark.parametrize("method", [
    "mint_player_token", "initiate_send", "initiate_transfer", "create_checkout",
    "purchase_currency", "confirm_payment", "get_order_details", "purchase_item",
    "get_item_purchase_history", "iterate_item_purchase_history", "get_item_order_details",
    "get_player_balance", "get_inbound_pending", "get_linked_identities", "claim_transfer",
    "claim_currency", "get_destinations", "phone_share_initiate", "phone_share_approve",
    "phone_share_status",
])
def test_keyword_only(invo: InvoServer, method: str) -> None:
    import inspect

    params = list(inspect.signature(getattr(invo, method)).parameters.values())
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), method


@pytest.mark.parametrize("amount", [0.1 + 0.2, 1e-05, 1e16, Decimal("1.500"), "00", "00.00",
                                    "0.0", Decimal("-0"), "1.5.0", "1,50", "¹", "1 000"])
def test_more_bad_usd(srv: Recorder, invo: InvoServer, amount: Any) -> None:
    _raises(srv, "INVALID_INPUT", invo.create_checkout, player_email=EMAIL, usd_amount=amount)


@pytest.mark.parametrize("amount,wire", [(100.0, 100.0), ("00.01", "00.01"),
                                         (Decimal("0.01"), "0.01"), (Decimal("10"), "10")])
def test_more_good_usd(srv: Recorder, invo: InvoServer, amount: Any, wire: Any) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    invo.create_checkout(player_email=EMAIL, usd_amount=amount)
    assert srv.last.json["usd_amount"] == wire


class _IntLike(int):
    pass


def test_money_int_subclass_and_bool_subclass(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    invo.create_checkout(player_email=EMAIL, usd_amount=_IntLike(5))
    assert srv.last.json["usd_amount"] == 5


# == odd argument values over the recording server: every failure is an InvoError ==============

ODD = [5, -1, 1.5, [], {}, ["x"], {"a": 1}, object(), b"bytes", Decimal("1"), "\x00", True,
       "\ud800"]


def _cases() -> list:
    out = []
    for method, base in sorted(RECORDED_CALLS.items()):
        for key in base:
            out.extend((method, key, i) for i in range(len(ODD)))
    return out


@pytest.mark.parametrize("method,key,index", _cases())
def test_odd_values(srv: Recorder, invo: InvoServer, method: str, key: str, index: int) -> None:
    srv.reply(200, {"token": "t", "checkout_url": "https://c", "transaction_id": "t",
                    "order_id": "o"})
    kwargs: Dict[str, Any] = {**RECORDED_CALLS[method], key: ODD[index]}
    try:
        getattr(invo, method)(**kwargs)
    except InvalidInputError as err:  # refused: before anything was sent
        assert err.status == 0 and srv.requests == []
    except InvoError:  # INVO (here: the recorder) judged it
        assert len(srv.requests) == 1
    else:  # accepted and sent exactly once
        assert len(srv.requests) == 1


@pytest.mark.parametrize("metadata", [{"a": {1, 2}}, {"a": object()}, {1: float("nan")},
                                      {"d": Decimal("1.5")}])
def test_unserialisable_metadata(srv: Recorder, invo: InvoServer, metadata: Any) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    if metadata == {"d": Decimal("1.5")}:  # a Decimal goes as its string
        invo.create_checkout(player_email="a@b.io", usd_amount="1", metadata=metadata)
        assert srv.last.json["metadata"] == {"d": "1.5"}
        return
    with pytest.raises(InvalidInputError) as info:
        invo.create_checkout(player_email="a@b.io", usd_amount="1", metadata=metadata)
    assert info.value.status == 0 and info.value.code == "INVALID_INPUT"
    assert srv.requests == []


def test_verify_webhook_signature() -> None:
    params = inspect.signature(verify_webhook).parameters
    assert list(params)[:3] == ["raw_body", "signature_header", "secret_or_secrets"]
    assert params["tolerance_seconds"].default == 300
    assert params["tolerance_seconds"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["now"].default is None
    assert params["now"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("args", [(None, None, None), (b"{}", 5, "k"), (5, "t=1,v1=a", "k"),
                                  (b"{}", "t=1,v1=a", {"k": 1}), (b"{}", b"t=1,v1=a", "k")])
def test_verify_webhook_odd_types(args: Any) -> None:
    with pytest.raises(InvoError):
        verify_webhook(*args)
