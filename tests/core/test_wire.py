"""The exact request of every call: method, path, query, body, headers."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any, Dict
from urllib.parse import quote

import pytest
import responses

import invonetwork
from invonetwork import InvoServer

from .recorder import RECORDER_SECRET, Recorder
from .support import (
    CALL_IDS,
    CALLS,
    CLAIM_CURRENCY_ARGS,
    CLAIM_TRANSFER_ARGS,
    EMAIL,
    ITEM_ARGS,
    PHONE,
    SANDBOX,
    SECRET,
    SEND_ARGS,
    TRANSFER_ARGS,
    Call,
    add_any,
    make_client,
    sent_json,
    split_url,
)

# == over a mocked transport (responses) =======================================================

@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_request_shape(call: Call, client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, call.method, json=call.ok)
    call.run(client)
    assert len(rsps.calls) == 1
    request = rsps.calls[0].request
    assert request.method == call.method
    assert request.url is not None
    where, query, _ = split_url(request.url)
    assert where == SANDBOX + call.path
    assert query == (call.query or {})
    headers = request.headers
    assert headers["Accept"] == "application/json"
    assert "python-sdk" in headers["User-Agent"]
    if call.authenticated:
        assert headers["X-Game-Secret-Key"] == SECRET
    else:
        assert "X-Game-Secret-Key" not in headers
        assert SECRET not in str(dict(headers).values())
    if call.body is None:
        assert not request.body
        assert "Content-Type" not in headers
    else:
        assert headers["Content-Type"] == "application/json"
        assert sent_json(request) == call.body


@pytest.mark.parametrize(
    "base", [SANDBOX, SANDBOX + "/", "https://proxy.example.com/v1/", "http://127.0.0.1:8080"]
)
def test_base_url_prefix_kept_and_trailing_slash_ignored(
    base: str, rsps: responses.RequestsMock
) -> None:
    add_any(rsps, "POST", json={"token": "t"})
    make_client(base_url=base).mint_player_token(player_email=EMAIL)
    assert rsps.calls[0].request.url == base.rstrip("/") + "/api/sdk/player-token"


def test_user_agent_is_never_a_library_default(client: InvoServer,
                                               rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    client.get_transfer_status("t")
    agent = rsps.calls[0].request.headers["User-Agent"]
    assert agent.startswith("invonetwork-python-sdk/")
    for banned in ("python-requests", "python-urllib", "bot", "scanner"):
        assert banned not in agent.lower()


def test_query_values_are_url_encoded(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    client.get_inbound_pending(player_email="a+b@x.com", player_phone="+15555550100")
    client.get_item_purchase_history(player_email="a b&c=d@x.com", limit=10, offset=20)
    _, query, raw = split_url(rsps.calls[0].request.url or "")
    assert query == {"player_email": "a+b@x.com", "player_phone": "+15555550100"}
    assert "a%2Bb%40x.com" in raw and "%2B15555550100" in raw
    _, query, raw = split_url(rsps.calls[1].request.url or "")
    assert query == {"player_email": "a b&c=d@x.com", "limit": "10", "offset": "20"}
    assert "&c=" not in raw


@pytest.mark.parametrize(
    ("run", "path"),
    [
        (lambda c: c.get_transfer_status("a/b c"), "/api/transfers/a%2Fb%20c/status"),
        (lambda c: c.get_send_status("a/b c"), "/api/currency-sends/a%2Fb%20c/status"),
        (lambda c: c.get_guardian_approval_status("?x#y"),
         "/api/transactions/%3Fx%23y/approval-status"),
        (lambda c: c.get_player_balance(player_email="a+b/c@x.com"),
         "/api/player-balances/player/by-email/a%2Bb%2Fc%40x.com"),
        (lambda c: c.rotate_webhook_secret(game_id="g/1 2"),
         "/api/dev/webhooks/games/g%2F1%202/rotate-secret"),
    ],
)
def test_path_ids_are_quoted_with_no_safe_characters(
    run: Any, path: str, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    for method in ("GET", "POST"):
        add_any(rsps, method, json={"signing_secret": "s"})
    run(client)
    assert rsps.calls[0].request.url == SANDBOX + path


# -- optional keys: present only when the contract says --------------------------------------


def test_create_checkout_sends_optionals_only_when_truthy(
    client: InvoServer, rsps: responses.RequestsMock
) -> None:
    add_any(rsps, "POST", json={"checkout_url": "https://pay.example/1"})
    client.create_checkout(player_email=EMAIL, usd_amount=5, rail=None, success_url="",
                           cancel_url=None, metadata={})
    assert sent_json(rsps.calls[0].request) == {"player_email": EMAIL, "usd_amount": 5}
    client.create_checkout(player_email=EMAIL, usd_amount="5.00", rail="steam",
                           success_url="https://g/ok", cancel_url="https://g/no",
                           metadata={"order": "o-42", "n": 1})
    assert sent_json(rsps.calls[1].request) == {
        "player_email": EMAIL, "usd_amount": "5.00", "rail": "steam",
        "success_url": "https://g/ok", "cancel_url": "https://g/no",
        "metadata": {"order": "o-42", "n": 1},
    }


def test_create_checkout_empty_rail_is_not_sent(
    client: InvoServer, rsps: responses.RequestsMock
) -> None:
    add_any(rsps, "POST", json={"checkout_url": "https://pay.example/1"})
    client.create_checkout(player_email=EMAIL, usd_amount="1.00", rail="")
    assert sent_json(rsps.calls[0].request) == {"player_email": EMAIL, "usd_amount": "1.00"}


def test_purchase_currency_optionals(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"status": "success"})
    client.purchase_currency(player_email=EMAIL, usd_amount=Decimal("10.50"),
                             purchase_reference="ref", rail="game", payment_method_id="pm_1",
                             saved_card_id="card_1", player_name="Ada", player_phone=PHONE,
                             metadata={"k": "v"})
    assert sent_json(rsps.calls[0].request) == {
        "player_email": EMAIL, "usd_amount": "10.50", "purchase_reference": "ref",
        "rail": "game", "payment_method_id": "pm_1", "saved_card_id": "card_1",
        "player_name": "Ada", "player_phone": PHONE, "metadata": {"k": "v"},
    }


def test_confirm_payment_order_id_optional(client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={})
    client.confirm_payment(payment_intent_id="pi", order_id=77)
    assert sent_json(rsps.calls[0].request) == {"payment_intent_id": "pi", "order_id": 77}


def test_mint_player_phone_only_when_given(client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"token": "t"})
    client.mint_player_token(player_email=EMAIL)
    assert sent_json(rsps.calls[0].request) == {"player_email": EMAIL}


def test_purchase_item_optionals_and_wire_types(client: InvoServer,
                                                rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"transaction_id": 1, "order_id": 2})
    args = {**ITEM_ARGS, "unit_price": Decimal("33.33"), "item_quantity": 3,
            "total_price": 100, "player_phone": PHONE, "item_description": "hot",
            "item_category": "weapons"}
    client.purchase_item(**args)
    assert sent_json(rsps.calls[0].request) == {**args, "unit_price": "33.33"}


@pytest.mark.parametrize(
    ("amount", "wire"), [("10.00", "10.00"), (10, 10), (10.5, 10.5), (Decimal("7.25"), "7.25")]
)
def test_send_amount_forwarded_as_given(amount: Any, wire: Any, client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={})
    client.initiate_transfer(**{**TRANSFER_ARGS, "amount": amount})
    client.initiate_send(**{**SEND_ARGS, "amount": amount})
    for call in rsps.calls:
        assert sent_json(call.request)["amount"] == wire
        assert type(sent_json(call.request)["amount"]) is type(wire)


@pytest.mark.parametrize("player_id", [0, "0"])
def test_claim_sends_player_id_zero(player_id: Any, client: InvoServer,
                                    rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={})
    client.claim_transfer(**CLAIM_TRANSFER_ARGS, target_player_id=player_id)
    client.claim_currency(**CLAIM_CURRENCY_ARGS, receiver_player_id=player_id)
    client.claim_transfer(**CLAIM_TRANSFER_ARGS, target_player_id=None)
    assert sent_json(rsps.calls[0].request) == {**CLAIM_TRANSFER_ARGS,
                                                "target_player_id": player_id}
    assert sent_json(rsps.calls[1].request) == {**CLAIM_CURRENCY_ARGS,
                                                "receiver_player_id": player_id}
    assert "target_player_id" not in sent_json(rsps.calls[2].request)


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({"player_phone": PHONE, "player_email": EMAIL}, {"player_phone": PHONE}),
        ({"player_phone": f"  {PHONE} ", "player_email": EMAIL}, {"player_phone": PHONE}),
        ({"player_phone": "  ", "player_email": f" {EMAIL} "}, {"player_email": EMAIL}),
        ({"player_email": EMAIL}, {"player_email": EMAIL}),
    ],
)
def test_linked_identities_sends_exactly_one_key(
    kwargs: dict[str, Any], query: dict[str, str], client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    add_any(rsps, "GET", json={})
    client.get_linked_identities(**kwargs)
    assert split_url(rsps.calls[0].request.url or "")[1] == query


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({"player_email": f" {EMAIL} ", "player_phone": f"{PHONE} "},
         {"player_email": EMAIL, "player_phone": PHONE}),
        ({"player_phone": PHONE}, {"player_phone": PHONE}),
        ({"player_phone": PHONE, "player_email": "  "}, {"player_phone": PHONE}),
    ],
)
def test_inbound_pending_trims_and_sends_given_keys(
    kwargs: dict[str, Any], query: dict[str, str], client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    add_any(rsps, "GET", json={})
    client.get_inbound_pending(**kwargs)
    assert split_url(rsps.calls[0].request.url or "")[1] == query


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"player_id": 5, "player_email": EMAIL},
         "/api/player-balances/player/by-email/p%40example.com"),
        ({"player_id": None, "player_email": EMAIL},
         "/api/player-balances/player/by-email/p%40example.com"),
    ],
)
def test_player_balance_email_wins(kwargs: dict[str, Any], path: str, client: InvoServer,
                                       rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    client.get_player_balance(**kwargs)
    assert rsps.calls[0].request.url == SANDBOX + path


@pytest.mark.parametrize(
    ("kwargs", "query"),
    [
        ({"order_id": "o1", "transaction_id": "t1"}, {"order_id": "o1", "transaction_id": "t1"}),
        ({"transaction_id": 9}, {"transaction_id": "9"}),
    ],
)
def test_order_details_query(kwargs: dict[str, Any], query: dict[str, str], client: InvoServer,
                             rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    client.get_order_details(**kwargs)
    assert split_url(rsps.calls[0].request.url or "")[1] == query


@pytest.mark.parametrize(
    "kwargs", [{"order_id": "o"}, {"transaction_id": "t"}, {"client_request_id": "c"},
               {"order_id": 5, "transaction_id": None, "client_request_id": " "}]
)
def test_item_order_details_sends_the_one_id(kwargs: dict[str, Any], client: InvoServer,
                                             rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    client.get_item_order_details(**kwargs)
    sent = split_url(rsps.calls[0].request.url or "")[1]
    expected = {k: str(v) for k, v in kwargs.items() if v is not None and str(v).strip()}
    assert sent == expected


@pytest.mark.parametrize(
    ("direction", "path"),
    [("transfer", "/api/transfers/available-destinations"),
     ("send", "/api/currency-sends/available-destinations")],
)
@pytest.mark.parametrize("source_game_id", [0, "0", 15, "g-15"])
def test_destinations_direction_and_zero_game_id(
    direction: str, path: str, source_game_id: Any, client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    add_any(rsps, "POST", json={})
    client.get_destinations(source_game_id=source_game_id, direction=direction)
    request = rsps.calls[0].request
    assert request.url == SANDBOX + path
    assert sent_json(request) == {"source_game_id": source_game_id}


def test_history_iterator_pages_with_limit_and_offset(client: InvoServer,
                                                      rsps: responses.RequestsMock) -> None:
    rsps.add("GET", SANDBOX + "/api/item-purchases/player-purchase-history",
             json={"item_purchase_history": [{"n": 1}, {"n": 2}]})
    rsps.add("GET", SANDBOX + "/api/item-purchases/player-purchase-history",
             json={"item_purchase_history": [{"n": 3}]})
    rows = list(client.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"n": 1}, {"n": 2}, {"n": 3}]
    queries = [split_url(call.request.url or "")[1] for call in rsps.calls]
    assert queries == [{"player_email": EMAIL, "limit": "2", "offset": "0"},
                       {"player_email": EMAIL, "limit": "2", "offset": "2"}]


def test_history_iterator_default_page_size_is_50(client: InvoServer,
                                                  rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={"item_purchase_history": []})
    assert list(client.iterate_item_purchase_history(player_email=EMAIL)) == []
    assert split_url(rsps.calls[0].request.url or "")[1]["limit"] == "50"


@pytest.mark.parametrize("total", [4, "4"])
def test_history_iterator_stops_at_total_when_offset_is_ignored(
    total: Any, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    page = [{"n": 1}, {"n": 2}]
    add_any(rsps, "GET", json={"item_purchase_history": page, "pagination": {"total": total}})
    rows = list(client.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == page + page
    assert len(rsps.calls) == 2


def test_history_iterator_stops_on_empty_page(client: InvoServer,
                                              rsps: responses.RequestsMock) -> None:
    url = SANDBOX + "/api/item-purchases/player-purchase-history"
    rsps.add("GET", url, json={"item_purchase_history": [{"n": 1}, {"n": 2}]})
    rsps.add("GET", url, json={"item_purchase_history": []})
    assert len(list(client.iterate_item_purchase_history(player_email=EMAIL, page_size=2))) == 2
    assert len(rsps.calls) == 2


def test_phone_share_calls_send_no_secret_even_with_custom_agent(
    rsps: responses.RequestsMock,
) -> None:
    invo = make_client(user_agent="mygame/1.0")
    add_any(rsps, "POST", json={})
    add_any(rsps, "GET", json={})
    invo.phone_share_initiate(phone=PHONE, email=EMAIL)
    invo.phone_share_approve(approval_id="a", otp="1")
    invo.phone_share_status(phone=PHONE, email=EMAIL)
    for call in rsps.calls:
        headers = call.request.headers
        assert "X-Game-Secret-Key" not in headers
        assert all(SECRET not in str(v) for v in headers.values())
        assert "python-sdk" in headers["User-Agent"] and "mygame/1.0" in headers["User-Agent"]


# == over the recording server on 127.0.0.1 ====================================================

EMAIL = "p@example.com"
RECORDER_PHONE = "+15551234567"

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
    ("mint_player_token", dict(player_email=EMAIL, player_phone=RECORDER_PHONE), {"token": "t"},
     "/api/sdk/player-token", {"player_email": EMAIL, "player_phone": RECORDER_PHONE}),
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
                               player_name="N", player_phone=RECORDER_PHONE, metadata={"a": 1}),
     {"status": "success"}, "/api/currency-purchases/purchase-currency",
     {"player_email": EMAIL, "usd_amount": 1.5, "purchase_reference": "r", "rail": "game",
      "payment_method_id": "pm_1", "saved_card_id": "sc_1", "player_name": "N",
      "player_phone": RECORDER_PHONE, "metadata": {"a": 1}}),
    ("confirm_payment", dict(payment_intent_id="pi_1"), {"status": "success"},
     "/api/currency-purchases/confirm-payment", {"payment_intent_id": "pi_1"}),
    ("confirm_payment", dict(payment_intent_id="pi_1", order_id="o1"), {},
     "/api/currency-purchases/confirm-payment", {"payment_intent_id": "pi_1", "order_id": "o1"}),
    ("purchase_item", ITEM, {"transaction_id": "t", "order_id": "o"},
     "/api/item-purchases/purchase-item", ITEM),
    ("purchase_item",
     dict(ITEM, player_phone=RECORDER_PHONE, item_description="d", item_category="c"),
     {"transaction_id": "t", "order_id": "o"}, "/api/item-purchases/purchase-item",
     dict(ITEM, player_phone=RECORDER_PHONE, item_description="d", item_category="c")),
    ("verify_sms_transfer", dict(transaction_id="t1", sms_pin="1234"), {},
     "/api/transfers/verify-sms", {"transaction_id": "t1", "sms_pin": "1234"}),
    ("verify_sms_send", dict(transaction_id="t1", sms_pin="1234"), {},
     "/api/currency-sends/verify-sms", {"transaction_id": "t1", "sms_pin": "1234"}),
    ("claim_transfer", dict(claim_code="CC", target_player_name="N", target_player_email=EMAIL,
                            target_player_phone=RECORDER_PHONE, target_currency_id=3),
     {}, "/api/transfers/claim-transfer",
     {"claim_code": "CC", "target_player_name": "N", "target_player_email": EMAIL,
      "target_player_phone": RECORDER_PHONE, "target_currency_id": 3}),
    ("claim_transfer", dict(claim_code="CC", target_player_name="N", target_player_email=EMAIL,
                            target_player_phone=RECORDER_PHONE, target_currency_id=3,
                            target_player_id=0),
     {}, "/api/transfers/claim-transfer",
     {"claim_code": "CC", "target_player_name": "N", "target_player_email": EMAIL,
      "target_player_phone": RECORDER_PHONE, "target_currency_id": 3, "target_player_id": 0}),
    ("claim_currency", dict(claim_code="CC", receiver_player_name="N",
                            receiver_player_email=EMAIL, receiver_player_phone=RECORDER_PHONE),
     {}, "/api/currency-sends/claim-currency",
     {"claim_code": "CC", "receiver_player_name": "N", "receiver_player_email": EMAIL,
      "receiver_player_phone": RECORDER_PHONE}),
    ("claim_currency", dict(claim_code="CC", receiver_player_name="N",
                            receiver_player_email=EMAIL, receiver_player_phone=RECORDER_PHONE,
                            receiver_player_id=0),
     {}, "/api/currency-sends/claim-currency",
     {"claim_code": "CC", "receiver_player_name": "N", "receiver_player_email": EMAIL,
      "receiver_player_phone": RECORDER_PHONE, "receiver_player_id": 0}),
    ("get_destinations", dict(source_game_id=0), {},
     "/api/transfers/available-destinations", {"source_game_id": 0}),
    ("get_destinations", dict(source_game_id="12", direction="transfer"), {},
     "/api/transfers/available-destinations", {"source_game_id": "12"}),
    ("get_destinations", dict(source_game_id=12, direction="send"), {},
     "/api/currency-sends/available-destinations", {"source_game_id": 12}),
    ("phone_share_initiate", dict(phone=RECORDER_PHONE, email=EMAIL), {},
     "/api/wallet/phone-share/initiate", {"phone": RECORDER_PHONE, "email": EMAIL}),
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
    ("get_inbound_pending", dict(player_phone=RECORDER_PHONE), {},
     "/api/transfers/inbound-pending", {"player_phone": RECORDER_PHONE}),
    ("get_inbound_pending", dict(player_email=EMAIL, player_phone=" " + RECORDER_PHONE), {},
     "/api/transfers/inbound-pending", {"player_email": EMAIL, "player_phone": RECORDER_PHONE}),
    ("get_linked_identities", dict(player_email=" a@x.io "), {},
     "/api/wallet/identities", {"player_email": "a@x.io"}),
    ("get_linked_identities", dict(player_phone=RECORDER_PHONE), {},
     "/api/wallet/identities", {"player_phone": RECORDER_PHONE}),
    ("get_linked_identities", dict(player_phone=RECORDER_PHONE, player_email=EMAIL), {},
     "/api/wallet/identities", {"player_phone": RECORDER_PHONE}),
    ("get_linked_identities", dict(player_phone="  ", player_email=EMAIL), {},
     "/api/wallet/identities", {"player_email": EMAIL}),
    ("phone_share_status", dict(phone=RECORDER_PHONE, email=EMAIL), {},
     "/api/wallet/phone-share/status", {"phone": RECORDER_PHONE, "email": EMAIL}),
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


def test_email_wins_over_player_id(srv: Recorder, invo: InvoServer) -> None:
    invo.get_player_balance(player_id=7, player_email=EMAIL)
    assert srv.last.path == "/api/player-balances/player/by-email/p%40example.com"
    with pytest.raises(invonetwork.InvoError) as caught:
        invo.get_player_balance(player_id=0)
    assert caught.value.code == "INVALID_INPUT" and "player_email" in caught.value.message
    assert len(srv.requests) == 1


def test_common_headers(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL)
    invo.get_order_details(order_id="o")
    for req in srv.requests:
        assert req.header("X-Game-Secret-Key") == RECORDER_SECRET
        assert req.header("Accept") == "application/json"
        ua = req.header("User-Agent") or ""
        assert ua.startswith(f"invonetwork-python-sdk/{invonetwork.__version__}")
        assert "python-sdk" in ua
        for bad in ("nikto", "sqlmap", "python-urllib", "scanner", "bot"):
            assert bad not in ua.lower()
        names = [k.lower() for k, _ in req.header_items]
        assert names.count("x-game-secret-key") == 1


@pytest.mark.parametrize("method,kwargs", [
    ("phone_share_initiate", dict(phone=RECORDER_PHONE, email=EMAIL)),
    ("phone_share_approve", dict(approval_id="a", otp="1")),
    ("phone_share_status", dict(phone=RECORDER_PHONE, email=EMAIL)),
])
def test_phone_share_sends_no_secret(srv: Recorder, invo: InvoServer, method: str,
                                     kwargs: Dict[str, Any]) -> None:
    getattr(invo, method)(**kwargs)
    req = srv.last
    assert "x-game-secret-key" not in req.headers
    assert RECORDER_SECRET not in json.dumps(req.headers) + req.query + req.body.decode()
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


# == the route table itself =====================================================================


def test_every_route_is_complete_hashable_and_unique() -> None:
    from invonetwork._routes import ALL_ROUTES, At

    # one endpoint may have two routes that differ only in retry eligibility
    # (request_payout: retried only with a client_request_id)
    assert len(ALL_ROUTES) == len({(r.method, r.path, r.idempotent) for r in ALL_ROUTES})
    assert len(ALL_ROUTES) >= 27
    for route in ALL_ROUTES:
        assert hash(route) == hash(route) and route.result is not None
        in_template = set(re.findall(r"{(\w+)}", route.path))
        assert in_template == {a.wire_key for a in route.args if a.at is At.PATH}, route.path
        assert all(200 <= s < 300 for s in route.success)


@pytest.mark.parametrize("auth_name", ["PLAYER_TOKEN", "SESSION_TOKEN"])
def test_a_bearer_route_sends_the_token_and_never_the_secret(srv: Recorder,
                                                             auth_name: str) -> None:
    from invonetwork import PhoneShareStatusResult
    from invonetwork._routes import Arg, At, Auth, Route, query

    route = Route("GET", "/api/sdk/example/{session_id}", idempotent=True,
                  result=PhoneShareStatusResult, auth=Auth[auth_name],
                  args=(Arg("session_id", At.PATH), Arg("token", At.CREDENTIAL),
                        *query("limit")))
    srv.reply(200, {"approved": True})
    result = srv.client()._call(route, session_id="s/1", token="tok_123", limit=5)
    assert result.approved is True
    sent = srv.last
    assert sent.path == "/api/sdk/example/s%2F1" and sent.query == "limit=5"
    assert sent.header("Authorization") == "Bearer tok_123"
    assert sent.header("X-Game-Secret-Key") is None and RECORDER_SECRET not in str(sent.headers)


def test_a_bearer_route_without_its_token_is_refused_before_sending(srv: Recorder) -> None:
    from invonetwork import InvalidInputError, PhoneShareStatusResult
    from invonetwork._routes import Arg, At, Auth, Route

    route = Route("GET", "/api/sdk/example", idempotent=True, result=PhoneShareStatusResult,
                  auth=Auth.PLAYER_TOKEN, args=(Arg("token", At.CREDENTIAL),))
    for bad in (None, "", "tok\n"):
        with pytest.raises(InvalidInputError):
            srv.client()._call(route, token=bad)
    assert srv.requests == []


def test_the_sandbox_clock_route_sends_the_secret_and_the_clock_key(srv: Recorder) -> None:
    from invonetwork import PhoneShareStatusResult
    from invonetwork._routes import Arg, At, Auth, Route, body

    route = Route("POST", "/api/sandbox/clock/advance", idempotent=False,
                  result=PhoneShareStatusResult, auth=Auth.SANDBOX_CLOCK,
                  args=(Arg("clock_key", At.CREDENTIAL), *body("seconds")))
    srv.client()._call(route, clock_key="ck_1", seconds=60)
    sent = srv.last
    assert sent.header("X-Game-Secret-Key") == RECORDER_SECRET
    assert sent.header("X-Sandbox-Clock-Key") == "ck_1" and sent.json == {"seconds": 60}
    assert sent.header("Authorization") is None
