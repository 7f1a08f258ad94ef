"""Client-side rules: each bad input raises before anything is sent (status 0)."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
import responses

from invonetwork import InvalidInputError, InvoError, InvoServer

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

BAD_MONEY: list[Any] = [
    "1e2", " 1", "1 ", "1.", ".5", "+1", "-1", "0", "0.00", "1.234", "\u0661\u0660", "0x10", "NaN",
    "nan", "inf", "Infinity", "", "1,00", "1_000", "abc", float("nan"), float("inf"),
    float("-inf"), True, False, None, Decimal("1E+2"), Decimal("NaN"), Decimal("-1"),
    Decimal("0"), Decimal("1.001"), 1e-05, 0, -5, 0.0, -1.5, 1.234, [], {"a": 1}, b"10",
]
MONEY_IDS = [repr(v) for v in BAD_MONEY]
GOOD_USD: list[Any] = ["999.99", "0.01", "10", "10.5", 10, 10.5, 999, Decimal("10.50"),
                       Decimal("999.99")]
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


@pytest.mark.parametrize("value", [*BAD_MONEY, "1000.00", "1000", 1000, 999.999,
                                   Decimal("1000.00")], ids=[*MONEY_IDS, "1000.00", "s1000",
                                                             "1000", "999.999", "D1000.00"])
def test_purchase_currency_rejects_bad_usd(value: Any, client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    assert_rejected(rsps, lambda: client.purchase_currency(
        player_email=EMAIL, usd_amount=value, purchase_reference="r"), "INVALID_INPUT",
        "usd_amount")


@pytest.mark.parametrize("value", ["1000.00", 1000, 1000.5, Decimal("1000")])
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


@pytest.mark.parametrize("rail", ["paypal", "PLATFORM", "Steam", 1])
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
