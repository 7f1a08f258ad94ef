"""Headers, encoding, and each method's HTTP verb, path and wire keys."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, Dict
from urllib.parse import quote

import pytest

import invonetwork
from invonetwork import InvoServer

from .conftest import SECRET, Recorder

EMAIL = "p@example.com"
PHONE = "+15551234567"

SEND = dict(client_request_id="cr-1", sender_player_name="S", sender_player_email="s@x.io",
            sender_player_phone="+15550000001", receiver_player_email="r@x.io",
            receiver_player_phone="+15550000002", receiving_game_id=42, amount="10.5")
TRANSFER = dict(client_request_id="cr-2", source_player_name="S", source_player_email="s@x.io",
                source_player_phone="+15550000001", target_player_email="t@x.io",
                target_player_phone="+15550000002", target_game_id="g-9", amount=7)
ITEM = dict(client_request_id="cr-3", player_email=EMAIL, player_name="P", item_id="sword",
            item_name="Sword", item_quantity=3, unit_price="33.33", total_price="100.00")

# (method, kwargs, reply body, http verb, path, expected JSON body or None)
POSTS = [
    ("mint_player_token", dict(player_email=EMAIL), {"token": "t"},
     "/api/sdk/player-token", {"player_email": EMAIL}),
    ("mint_player_token", dict(player_email=EMAIL, player_phone=PHONE), {"token": "t"},
     "/api/sdk/player-token", {"player_email": EMAIL, "player_phone": PHONE}),
    ("initiate_send", SEND, {"transaction_id": "x"},
     "/api/currency-sends/initiate-send", SEND),
    ("initiate_transfer", TRANSFER, {"transaction_id": "x"},
     "/api/transfers/initiate-transfer", TRANSFER),
    ("create_checkout", dict(player_email=EMAIL, usd_amount="9.99"),
     {"checkout_url": "https://c"}, "/api/checkout/sessions",
     {"player_email": EMAIL, "usd_amount": "9.99"}),
    ("create_checkout", dict(player_email=EMAIL, usd_amount=5, rail="steam",
                             success_url="https://ok", cancel_url="https://no",
                             metadata={"k": "v"}),
     {"checkout_url": "https://c"}, "/api/checkout/sessions",
     {"player_email": EMAIL, "usd_amount": 5, "rail": "steam", "success_url": "https://ok",
      "cancel_url": "https://no", "metadata": {"k": "v"}}),
    ("create_checkout", dict(player_email=EMAIL, usd_amount=5, rail="", success_url="",
                             cancel_url=None, metadata={}),
     {"checkout_url": "https://c"}, "/api/checkout/sessions",
     {"player_email": EMAIL, "usd_amount": 5}),
    ("purchase_currency", dict(player_email=EMAIL, usd_amount=Decimal("1.50"),
                               purchase_reference="ref-1"),
     {"status": "success"}, "/api/currency-purchases/purchase-currency",
     {"player_email": EMAIL, "usd_amount": "1.50", "purchase_reference": "ref-1"}),
    ("purchase_currency", dict(player_email=EMAIL, usd_amount=1.5, purchase_reference="r",
                               rail="game", payment_method_id="pm_1", saved_card_id="sc_1",
                               player_name="N", player_phone=PHONE, metadata={"a": 1}),
     {"status": "success"}, "/api/currency-purchases/purchase-currency",
     {"player_email": EMAIL, "usd_amount": 1.5, "purchase_reference": "r", "rail": "game",
      "payment_method_id": "pm_1", "saved_card_id": "sc_1", "player_name": "N",
      "player_phone": PHONE, "metadata": {"a": 1}}),
    ("confirm_payment", dict(payment_intent_id="pi_1"), {"status": "success"},
     "/api/currency-purchases/confirm-payment", {"payment_intent_id": "pi_1"}),
    ("confirm_payment", dict(payment_intent_id="pi_1", order_id="o1"), {},
     "/api/currency-purchases/confirm-payment", {"payment_intent_id": "pi_1", "order_id": "o1"}),
    ("purchase_item", ITEM, {"transaction_id": "t", "order_id": "o"},
     "/api/item-purchases/purchase-item", ITEM),
    ("purchase_item", dict(ITEM, player_phone=PHONE, item_description="d", item_category="c"),
     {"transaction_id": "t", "order_id": "o"}, "/api/item-purchases/purchase-item",
     dict(ITEM, player_phone=PHONE, item_description="d", item_category="c")),
    ("verify_sms_transfer", dict(transaction_id="t1", sms_pin="1234"), {},
     "/api/transfers/verify-sms", {"transaction_id": "t1", "sms_pin": "1234"}),
    ("verify_sms_send", dict(transaction_id="t1", sms_pin="1234"), {},
     "/api/currency-sends/verify-sms", {"transaction_id": "t1", "sms_pin": "1234"}),
    ("claim_transfer", dict(claim_code="CC", target_player_name="N", target_player_email=EMAIL,
                            target_player_phone=PHONE, target_currency_id=3),
     {}, "/api/transfers/claim-transfer",
     {"claim_code": "CC", "target_player_name": "N", "target_player_email": EMAIL,
      "target_player_phone": PHONE, "target_currency_id": 3}),
    ("claim_transfer", dict(claim_code="CC", target_player_name="N", target_player_email=EMAIL,
                            target_player_phone=PHONE, target_currency_id=3,
                            target_player_id=0),
     {}, "/api/transfers/claim-transfer",
     {"claim_code": "CC", "target_player_name": "N", "target_player_email": EMAIL,
      "target_player_phone": PHONE, "target_currency_id": 3, "target_player_id": 0}),
    ("claim_currency", dict(claim_code="CC", receiver_player_name="N",
                            receiver_player_email=EMAIL, receiver_player_phone=PHONE),
     {}, "/api/currency-sends/claim-currency",
     {"claim_code": "CC", "receiver_player_name": "N", "receiver_player_email": EMAIL,
      "receiver_player_phone": PHONE}),
    ("claim_currency", dict(claim_code="CC", receiver_player_name="N",
                            receiver_player_email=EMAIL, receiver_player_phone=PHONE,
                            receiver_player_id=0),
     {}, "/api/currency-sends/claim-currency",
     {"claim_code": "CC", "receiver_player_name": "N", "receiver_player_email": EMAIL,
      "receiver_player_phone": PHONE, "receiver_player_id": 0}),
    ("get_destinations", dict(source_game_id=0), {},
     "/api/transfers/available-destinations", {"source_game_id": 0}),
    ("get_destinations", dict(source_game_id="12", direction="transfer"), {},
     "/api/transfers/available-destinations", {"source_game_id": "12"}),
    ("get_destinations", dict(source_game_id=12, direction="send"), {},
     "/api/currency-sends/available-destinations", {"source_game_id": 12}),
    ("phone_share_initiate", dict(phone=PHONE, email=EMAIL), {},
     "/api/wallet/phone-share/initiate", {"phone": PHONE, "email": EMAIL}),
    ("phone_share_approve", dict(approval_id="ap1", otp="123456"), {},
     "/api/wallet/phone-share/approve", {"approval_id": "ap1", "otp": "123456"}),
]


@pytest.mark.parametrize("method,kwargs,reply,path,body", POSTS)
def test_post_methods(srv: Recorder, invo: InvoServer, method: str, kwargs: Dict[str, Any],
                      reply: Any, path: str, body: Dict[str, Any]) -> None:
    srv.reply(200, reply)
    getattr(invo, method)(**kwargs)
    assert len(srv.requests) == 1
    req = srv.last
    assert req.method == "POST"
    assert req.path == path
    assert req.query == ""
    assert req.json == body
    assert req.header("Content-Type", ).split(";")[0].strip() == "application/json"


# (method, kwargs, reply, path, expected query params as dict of single values)
GETS = [
    ("get_order_details", dict(order_id="o 1"), {},
     "/api/currency-purchases/order-details", {"order_id": "o 1"}),
    ("get_order_details", dict(transaction_id="t&1"), {},
     "/api/currency-purchases/order-details", {"transaction_id": "t&1"}),
    ("get_order_details", dict(order_id="o", transaction_id="t"), {},
     "/api/currency-purchases/order-details", {"order_id": "o", "transaction_id": "t"}),
    ("get_item_purchase_history", dict(player_email="a+b@x.io"), {},
     "/api/item-purchases/player-purchase-history", {"player_email": "a+b@x.io"}),
    ("get_item_purchase_history", dict(player_email=EMAIL, limit=10, offset=20), {},
     "/api/item-purchases/player-purchase-history",
     {"player_email": EMAIL, "limit": "10", "offset": "20"}),
    ("get_item_order_details", dict(order_id="o1"), {},
     "/api/item-purchases/order-details", {"order_id": "o1"}),
    ("get_item_order_details", dict(transaction_id="t1"), {},
     "/api/item-purchases/order-details", {"transaction_id": "t1"}),
    ("get_item_order_details", dict(client_request_id="c1"), {},
     "/api/item-purchases/order-details", {"client_request_id": "c1"}),
    ("get_inbound_pending", dict(player_email=" a@x.io "), {},
     "/api/transfers/inbound-pending", {"player_email": "a@x.io"}),
    ("get_inbound_pending", dict(player_phone=PHONE), {},
     "/api/transfers/inbound-pending", {"player_phone": PHONE}),
    ("get_inbound_pending", dict(player_email=EMAIL, player_phone=" " + PHONE), {},
     "/api/transfers/inbound-pending", {"player_email": EMAIL, "player_phone": PHONE}),
    ("get_linked_identities", dict(player_email=" a@x.io "), {},
     "/api/wallet/identities", {"player_email": "a@x.io"}),
    ("get_linked_identities", dict(player_phone=PHONE), {},
     "/api/wallet/identities", {"player_phone": PHONE}),
    ("get_linked_identities", dict(player_phone=PHONE, player_email=EMAIL), {},
     "/api/wallet/identities", {"player_phone": PHONE}),
    ("get_linked_identities", dict(player_phone="  ", player_email=EMAIL), {},
     "/api/wallet/identities", {"player_email": EMAIL}),
    ("phone_share_status", dict(phone=PHONE, email=EMAIL), {},
     "/api/wallet/phone-share/status", {"phone": PHONE, "email": EMAIL}),
]


@pytest.mark.parametrize("method,kwargs,reply,path,params", GETS)
def test_get_methods(srv: Recorder, invo: InvoServer, method: str, kwargs: Dict[str, Any],
                     reply: Any, path: str, params: Dict[str, str]) -> None:
    srv.reply(200, reply)
    getattr(invo, method)(**kwargs)
    req = srv.last
    assert req.method == "GET"
    assert req.path == path
    assert {k: v for k, v in req.params.items()} == {k: [v] for k, v in params.items()}
    assert req.body == b""
    assert req.header("Content-Type") is None


def test_query_is_url_encoded(srv: Recorder, invo: InvoServer) -> None:
    invo.get_item_purchase_history(player_email="a+b&c=d@x.io")
    raw = srv.last.query
    assert "+b" not in raw and "&c=" not in raw
    assert srv.last.params["player_email"] == ["a+b&c=d@x.io"]
    invo.phone_share_status(phone="+15551234567", email="a b@x.io")
    assert srv.last.params == {"phone": ["+15551234567"], "email": ["a b@x.io"]}
    assert "+1555" not in srv.last.query


PATH_IDS = ["abc", "a/b", "a b", "a?b#c", "ü%2F", "a+b@c", "~x_y-z"]


@pytest.mark.parametrize("pid", PATH_IDS)
@pytest.mark.parametrize("method,template,kw", [
    ("get_player_balance", "/api/player-balances/player/{}", "player_id"),
    ("get_player_balance", "/api/player-balances/player/by-email/{}", "player_email"),
    ("get_transfer_status", "/api/transfers/{}/status", "transaction_id"),
    ("get_send_status", "/api/currency-sends/{}/status", "transaction_id"),
    ("get_guardian_approval_status", "/api/transactions/{}/approval-status",
     "transaction_id"),
])
def test_path_ids_quoted_without_safe_chars(srv: Recorder, invo: InvoServer, pid: str,
                                            method: str, template: str, kw: str) -> None:
    getattr(invo, method)(**{kw: pid})
    req = srv.last
    assert req.method == "GET"
    assert req.path == template.format(quote(pid, safe=""))
    assert req.query == ""


@pytest.mark.parametrize("method", ["get_transfer_status", "get_send_status",
                                    "get_guardian_approval_status"])
def test_status_methods_take_positional_id(srv: Recorder, invo: InvoServer,
                                           method: str) -> None:
    getattr(invo, method)("t1")
    assert srv.last.path.count("/t1/") == 1


@pytest.mark.parametrize("method,path", [("verify_sms_transfer", "/api/transfers/verify-sms"),
                                         ("verify_sms_send", "/api/currency-sends/verify-sms")])
def test_verify_sms_positional(srv: Recorder, invo: InvoServer, method: str, path: str) -> None:
    getattr(invo, method)("t1", "9999")
    assert srv.last.path == path and srv.last.json == {"transaction_id": "t1", "sms_pin": "9999"}


def test_player_id_wins_over_email(srv: Recorder, invo: InvoServer) -> None:
    invo.get_player_balance(player_id=7, player_email=EMAIL)
    assert srv.last.path == "/api/player-balances/player/7"
    invo.get_player_balance(player_id=0)
    assert srv.last.path == "/api/player-balances/player/0"


def test_common_headers(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL)
    invo.get_order_details(order_id="o")
    for req in srv.requests:
        assert req.header("X-Game-Secret-Key") == SECRET
        assert req.header("Accept") == "application/json"
        ua = req.header("User-Agent") or ""
        assert ua.startswith(f"invonetwork-python-sdk/{invonetwork.__version__}")
        assert "python-sdk" in ua
        for bad in ("nikto", "sqlmap", "python-urllib", "scanner", "bot"):
            assert bad not in ua.lower()
        names = [k.lower() for k, _ in req.header_items]
        assert names.count("x-game-secret-key") == 1


@pytest.mark.parametrize("method,kwargs", [
    ("phone_share_initiate", dict(phone=PHONE, email=EMAIL)),
    ("phone_share_approve", dict(approval_id="a", otp="1")),
    ("phone_share_status", dict(phone=PHONE, email=EMAIL)),
])
def test_phone_share_sends_no_secret(srv: Recorder, invo: InvoServer, method: str,
                                     kwargs: Dict[str, Any]) -> None:
    getattr(invo, method)(**kwargs)
    req = srv.last
    assert "x-game-secret-key" not in req.headers
    assert SECRET not in json.dumps(req.headers) + req.query + req.body.decode()
    assert req.header("Accept") == "application/json"
    assert "python-sdk" in (req.header("User-Agent") or "")


def test_iterate_history_pages(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"item_purchase_history": [{"i": 1}, {"i": 2}], "pagination": {}})
    srv.reply(200, {"item_purchase_history": [{"i": 3}], "pagination": {}})
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"i": 1}, {"i": 2}, {"i": 3}]
    assert [r.params.get("offset") for r in srv.requests] in ([None, ["2"]], [["0"], ["2"]])
    assert all(r.params["limit"] == ["2"] for r in srv.requests)
    assert all(r.path == "/api/item-purchases/player-purchase-history" for r in srv.requests)


def test_iterate_history_default_page_size(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"item_purchase_history": [], "pagination": {}})
    assert list(invo.iterate_item_purchase_history(player_email=EMAIL)) == []
    assert srv.last.params["limit"] == ["50"]


@pytest.mark.parametrize("total", [3, "3", "3.0"])
def test_iterate_history_stops_at_total(srv: Recorder, invo: InvoServer, total: Any) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}], "pagination": {"total": total}}
    for _ in range(5):
        srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert len(rows) <= 4 and len(srv.requests) == 2
    assert len(rows) >= 3


def test_iterate_history_ignoring_offset_terminates_on_total(srv: Recorder,
                                                              invo: InvoServer) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}], "pagination": {"total": 2}}
    for _ in range(5):
        srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"i": 1}, {"i": 2}] and len(srv.requests) == 1


def test_iterate_history_stops_on_empty_page(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"item_purchase_history": [{"i": 1}, {"i": 2}]})
    srv.reply(200, {"item_purchase_history": []})
    srv.reply(200, {"item_purchase_history": [{"i": 9}]})
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"i": 1}, {"i": 2}] and len(srv.requests) == 2


@pytest.mark.parametrize("pid", [".", "..", "...", "a.b", "%2E%2E"])
@pytest.mark.parametrize("method,prefix,kw", [
    ("get_transfer_status", "/api/transfers/", "transaction_id"),
    ("get_player_balance", "/api/player-balances/player/", "player_id"),
    ("get_player_balance", "/api/player-balances/player/by-email/", "player_email"),
])
def test_dot_ids_do_not_traverse(srv: Recorder, invo: InvoServer, pid: str, method: str,
                                 prefix: str, kw: str) -> None:
    """An id must never address another endpoint. Sending it literally is impossible over
    requests (dot segments are normalised away), so refusing it up front is fine too."""
    from urllib.parse import unquote

    try:
        getattr(invo, method)(**{kw: pid})
    except invonetwork.InvoError as err:
        assert err.code == "INVALID_INPUT" and srv.requests == []
        return
    path = srv.last.path
    assert path.startswith(prefix)
    assert unquote(path[len(prefix):].replace("/status", "")) == pid


@pytest.mark.parametrize("kwargs,params", [
    (dict(order_id="o", transaction_id="  "), {"order_id": ["o"]}),
    (dict(order_id=None, transaction_id="t"), {"transaction_id": ["t"]}),
])
def test_order_details_blank_id_is_missing(srv: Recorder, invo: InvoServer,
                                           kwargs: Dict[str, Any], params: Any) -> None:
    invo.get_order_details(**kwargs)
    assert srv.last.params == params
