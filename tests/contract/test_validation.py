"""Money rules and client-side rules: each violation raises before the network."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import pytest

from invonetwork import InvoError, InvoServer

from .conftest import Recorder

EMAIL = "p@example.com"
PHONE = "+15551234567"

BAD_MONEY = ["", " 1", "1 ", "+1", "-1", "0", "0.00", "1.001", "1.", ".5", "0x10", "1e2",
             "1E2", "\u0661", "1_0", "nan", "inf", True, False, None, 0, -5, 0.0, -0.01,
             float("nan"), float("inf"), float("-inf"), 1.005, 1e-7, Decimal("NaN"),
             Decimal("Infinity"), Decimal("-1"), Decimal("0"), Decimal("1.001"),
             Decimal("1E+1"), "1\n", [1], b"1"]
GOOD_USD = ["1", "0.01", "999.99", "10.5", "007", 1, 999, 0.01, 999.99, 10.5,
            Decimal("999.99"), Decimal("0.5"), Decimal("1.00")]
BAD_USD = [*BAD_MONEY, "1000", "999.999", 1000, 999.991, Decimal("1000.00"), 1e3]


def _no_request(srv: Recorder) -> None:
    assert srv.requests == [], "a request reached the network"


def _raises(srv: Recorder, code: str, fn: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as ei:
        fn(**kwargs)
    assert ei.value.code == code, (ei.value.code, ei.value.message)
    assert ei.value.status == 0
    _no_request(srv)
    return ei.value


@pytest.mark.parametrize("amount", BAD_USD)
@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
def test_usd_money_rejected(srv: Recorder, invo: InvoServer, method: str, amount: Any) -> None:
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount=amount)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    _raises(srv, "INVALID_INPUT", getattr(invo, method), **kw)


@pytest.mark.parametrize("amount", GOOD_USD)
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
    *[{"unit_price": v, "total_price": v} for v in BAD_MONEY],
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
def test_blank_player_email(srv: Recorder, invo: InvoServer, method: str,
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


@pytest.mark.parametrize("rail", ["bogus", "Steam", "PLATFORM", " game", 1])
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
      for p, e in (("", EMAIL), (PHONE, ""), (" ", EMAIL), (PHONE, None), (None, EMAIL),
                   (15551234567, EMAIL))],
    *[("phone_share_status", {"phone": p, "email": e})
      for p, e in (("", EMAIL), (PHONE, " "), (None, EMAIL))],
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
def test_send_amount_forwarded_as_given(srv: Recorder, invo: InvoServer, amount: Any) -> None:
    invo.initiate_send(client_request_id="c", sender_player_name="S",
                       sender_player_email="s@x.io", sender_player_phone=PHONE,
                       receiver_player_email="r@x.io", receiver_player_phone=PHONE,
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
