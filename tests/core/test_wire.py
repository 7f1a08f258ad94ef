"""Every method's URL, HTTP method, headers, query and JSON body, per the wire contract."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
import responses

from invonetwork import InvoServer

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
        (lambda c: c.get_player_balance(player_id="a/b c"),
         "/api/player-balances/player/a%2Fb%20c"),
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
        ({"player_id": 5, "player_email": EMAIL}, "/api/player-balances/player/5"),
        ({"player_id": 0}, "/api/player-balances/player/0"),
        ({"player_id": None, "player_email": EMAIL},
         "/api/player-balances/player/by-email/p%40example.com"),
    ],
)
def test_player_balance_player_id_wins(kwargs: dict[str, Any], path: str, client: InvoServer,
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
