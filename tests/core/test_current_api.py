"""The current API's changes to existing methods (issue 13, section 3), over the recording
server on 127.0.0.1: new keywords and body rules, refusals before anything is sent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Dict

import pytest

from invonetwork import InvoError, InvoServer

from .recorder import Recorder
from .support import EMAIL, SEND_ARGS, TRANSFER_ARGS


def _refused(srv: Recorder, fn: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as caught:
        fn(**kwargs)
    assert caught.value.code == "INVALID_INPUT" and caught.value.status == 0
    assert srv.requests == [], "a refused call must send nothing"
    return caught.value


# -- C1: mint_player_token(player_name=...) ---------------------------------------------------

@pytest.mark.parametrize("name", ["Ada", "", "  "])
def test_mint_sends_player_name_whenever_not_none(srv: Recorder, invo: InvoServer,
                                                  name: str) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_name=name)
    assert srv.last.json == {"player_email": EMAIL, "player_name": name}


def test_mint_leaves_player_name_out_when_none(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_phone="+15555550100", player_name=None)
    assert srv.last.json == {"player_email": EMAIL, "player_phone": "+15555550100"}


@pytest.mark.parametrize("name", [1, b"Ada", ["Ada"], True])
def test_mint_refuses_a_player_name_that_is_not_text(srv: Recorder, invo: InvoServer,
                                                     name: Any) -> None:
    error = _refused(srv, invo.mint_player_token, player_email=EMAIL, player_name=name)
    assert "player_name" in error.message


# -- C4/C5: optional receiver/target email ------------------------------------------------------

@pytest.mark.parametrize("method,args,key", [
    ("initiate_send", SEND_ARGS, "receiver_player_email"),
    ("initiate_transfer", TRANSFER_ARGS, "target_player_email"),
])
def test_initiate_leaves_the_other_email_out_when_none(srv: Recorder, invo: InvoServer,
                                                       method: str, args: Dict[str, Any],
                                                       key: str) -> None:
    srv.reply(200, {"transaction_id": "t1"})
    srv.reply(200, {"transaction_id": "t1"})
    without = {k: v for k, v in args.items() if k != key}
    getattr(invo, method)(**without)
    sent = srv.last.json
    assert key not in sent
    assert sent == {k: v for k, v in args.items() if k != key}
    getattr(invo, method)(**{**args, key: None})
    assert key not in srv.last.json
    getattr(invo, method)(**args)
    assert srv.last.json[key] == args[key]


# -- K4: history stop guard reads total_count, then total ---------------------------------------

@pytest.mark.parametrize("pagination", [
    {"total_count": 2},
    {"total_count": "2", "total": 99},
    {"total_count": None, "total": 2},
    {"total_count": "many", "total": 2},
])
def test_history_stops_at_total_count_then_total(srv: Recorder, invo: InvoServer,
                                                 pagination: Dict[str, Any]) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}], "pagination": pagination}
    for _ in range(3):
        srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"i": 1}, {"i": 2}] and len(srv.requests) == 1


def test_history_total_count_wins_over_total(srv: Recorder, invo: InvoServer) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}],
            "pagination": {"total_count": 4, "total": 2}}
    srv.reply(200, page)
    srv.reply(200, page)
    srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert len(rows) == 4 and len(srv.requests) == 2


# -- K1/C9: USD up to 999999.99, no local minimum ------------------------------------------------

@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
@pytest.mark.parametrize("amount", ["999999.99", "1000", 1000, "0.01", Decimal("120000.50")])
def test_usd_amount_up_to_the_structural_maximum_is_sent(srv: Recorder, invo: InvoServer,
                                                         method: str, amount: Any) -> None:
    srv.reply(200, {"checkout_url": "https://pay.example/s", "status": "success"})
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount=amount)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    getattr(invo, method)(**kw)
    assert srv.last.json["usd_amount"] == (str(amount) if isinstance(amount, Decimal) else amount)


@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
@pytest.mark.parametrize("amount", ["1000000", "1000000.00", 1000000, "999999.999"])
def test_usd_amount_above_the_structural_maximum_is_refused(srv: Recorder, invo: InvoServer,
                                                            method: str, amount: Any) -> None:
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount=amount)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    assert "usd_amount" in _refused(srv, getattr(invo, method), **kw).message


# -- K9: rail is not checked for membership; purchase_currency still refuses steam -------------

@pytest.mark.parametrize("method", ["create_checkout", "purchase_currency"])
@pytest.mark.parametrize("rail", ["paypal", "PLATFORM", " game", "Steam"])
def test_any_rail_text_is_sent_as_given(srv: Recorder, invo: InvoServer, method: str,
                                        rail: str) -> None:
    srv.reply(200, {"checkout_url": "https://pay.example/s", "status": "success"})
    kw: Dict[str, Any] = dict(player_email=EMAIL, usd_amount="5", rail=rail)
    if method == "purchase_currency":
        kw["purchase_reference"] = "r"
    getattr(invo, method)(**kw)
    assert srv.last.json["rail"] == rail


def test_purchase_currency_still_refuses_steam_locally(srv: Recorder, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as caught:
        invo.purchase_currency(player_email=EMAIL, usd_amount="5", purchase_reference="r",
                               rail="steam")
    assert caught.value.code == "WRONG_RAIL_ENDPOINT" and caught.value.status == 0
    assert srv.requests == []


# -- C12/C13: acknowledged_total_usd, country, subdivision ---------------------------------------

PURCHASE: Dict[str, Any] = dict(player_email=EMAIL, usd_amount="10", purchase_reference="r-1")


@pytest.mark.parametrize("total,wire", [
    ("10.80", "10.80"), (11, 11), (10.8, 10.8), (Decimal("10.80"), "10.80"),
    ("99999999.99", "99999999.99"),
])
def test_acknowledged_total_is_sent_as_given(srv: Recorder, invo: InvoServer, total: Any,
                                             wire: Any) -> None:
    srv.reply(200, {"status": "success"})
    invo.purchase_currency(**PURCHASE, acknowledged_total_usd=total)
    assert srv.last.json["acknowledged_total_usd"] == wire


def test_purchase_optionals_left_out_when_none_or_blank(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"status": "success"})
    srv.reply(200, {"status": "success"})
    invo.purchase_currency(**PURCHASE)
    assert srv.requests[0].json == {"player_email": EMAIL, "usd_amount": "10",
                                    "purchase_reference": "r-1"}
    invo.purchase_currency(**PURCHASE, acknowledged_total_usd=None, country="  ",
                           subdivision="")
    assert srv.last.json == srv.requests[0].json


@pytest.mark.parametrize("country,subdivision", [("US", "CA"), ("zz", "not a place"),
                                                 (" de ", "Québec")])
def test_country_and_subdivision_sent_as_given(srv: Recorder, invo: InvoServer, country: str,
                                               subdivision: str) -> None:
    srv.reply(200, {"status": "success"})
    invo.purchase_currency(**PURCHASE, country=country, subdivision=subdivision)
    assert srv.last.json["country"] == country
    assert srv.last.json["subdivision"] == subdivision


@pytest.mark.parametrize("total", ["0", "-1", "100000000.00", "1.234", "abc", True, [], "1e3"])
def test_bad_acknowledged_total_is_refused(srv: Recorder, invo: InvoServer, total: Any) -> None:
    error = _refused(srv, invo.purchase_currency, **PURCHASE, acknowledged_total_usd=total)
    assert "acknowledged_total_usd" in error.message


def test_acknowledged_total_is_checked_after_usd_and_before_the_reference(
        srv: Recorder, invo: InvoServer) -> None:
    error = _refused(srv, invo.purchase_currency, player_email=EMAIL, usd_amount="0",
                     purchase_reference="", acknowledged_total_usd="0")
    assert "usd_amount" in error.message
    error = _refused(srv, invo.purchase_currency, player_email=EMAIL, usd_amount="1",
                     purchase_reference="", acknowledged_total_usd="0")
    assert "acknowledged_total_usd" in error.message


@pytest.mark.parametrize("key", ["country", "subdivision"])
@pytest.mark.parametrize("value", [1, b"US", ["US"]])
def test_non_text_place_is_refused(srv: Recorder, invo: InvoServer, key: str,
                                   value: Any) -> None:
    assert key in _refused(srv, invo.purchase_currency, **PURCHASE, **{key: value}).message


# -- K2/C21: balances by email only ---------------------------------------------------------------

@pytest.mark.parametrize("player_id", [7, "7", 0])
def test_balance_player_id_alone_is_refused_naming_player_email(srv: Recorder, invo: InvoServer,
                                                                player_id: Any) -> None:
    error = _refused(srv, invo.get_player_balance, player_id=player_id)
    assert "pass player_email" in error.message


@pytest.mark.parametrize("player_id", [None, 7, "x/y"])
def test_balance_reads_by_email_whatever_the_player_id(srv: Recorder, invo: InvoServer,
                                                       player_id: Any) -> None:
    srv.reply(200, {"player": {"player_email": EMAIL}, "balances": []})
    result = invo.get_player_balance(player_email=EMAIL, player_id=player_id)
    assert srv.last.path == "/api/player-balances/player/by-email/p%40example.com"
    assert srv.last.query == "" and result.player == {"player_email": EMAIL}


def test_balance_without_any_key_is_refused(srv: Recorder, invo: InvoServer) -> None:
    assert "player_email" in _refused(srv, invo.get_player_balance).message
