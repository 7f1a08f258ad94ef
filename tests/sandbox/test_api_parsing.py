"""The HTTP layer's field readers: every body becomes a typed request or a 400 naming a field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from invonetwork.sandbox._api import (
    claim_request,
    direct_purchase,
    initiation,
    item_purchase,
    registration,
)
from invonetwork.sandbox._model import DomainError

SEND = {"client_request_id": "r1", "sender_player_name": "Ada",
        "sender_player_email": "ada@example.com", "sender_player_phone": "+15555550100",
        "receiver_player_email": "zed@example.com", "receiver_player_phone": "+15555550199",
        "receiving_game_id": 2002, "amount": "50"}
TRANSFER = {"client_request_id": "r1", "source_player_name": "Ada",
            "source_player_email": "ada@example.com", "source_player_phone": "+15555550100",
            "target_player_email": "zed@example.com", "target_player_phone": "+15555550199",
            "target_game_id": "2002", "amount": 40}
ITEM = {"client_request_id": "i1", "player_email": "ada@example.com", "player_name": "Ada",
        "item_id": "s", "item_name": "Sword", "item_quantity": 2, "unit_price": "1.50",
        "total_price": "3.00"}
CLAIM = {"claim_code": "ABCD2345", "target_player_name": "Zed",
         "target_player_email": "zed@example.com", "target_player_phone": "+15555550199",
         "target_currency_id": 2002}


def field_of(fn: Any, *args: Any) -> str:
    with pytest.raises(DomainError) as info:
        fn(*args)
    assert info.value.status == 400
    return str(info.value.body.get("field", info.value.body.get("code")))


def test_a_send_and_a_transfer_parse_to_the_same_shape() -> None:
    send, transfer = initiation("send", SEND), initiation("transfer", TRANSFER)
    assert (send.kind, send.target_game_id, send.amount) == ("send", 2002, Decimal("50"))
    assert (transfer.sender_email, transfer.receiver_phone) == ("ada@example.com",
                                                                "+15555550199")
    assert transfer.amount == Decimal("40") and transfer.amount_wire == 40
    assert send.fingerprint != initiation("send", {**SEND, "amount": "51"}).fingerprint


@pytest.mark.parametrize("key", sorted(set(SEND) - {"receiver_player_email"}))
def test_every_send_field_is_required(key: str) -> None:
    body = {k: v for k, v in SEND.items() if k != key}
    assert field_of(initiation, "send", body) == key


def test_the_receiver_email_is_optional() -> None:
    body = {k: v for k, v in SEND.items() if k != "receiver_player_email"}
    assert initiation("send", body).receiver_email == ""


@pytest.mark.parametrize("key,value", [
    ("sender_player_phone", "5555550100"), ("receiver_player_phone", "+0123"),
    ("receiving_game_id", "two"), ("amount", "0"), ("amount", "1000000.01"),
])
def test_bad_send_values_name_their_field(key: str, value: Any) -> None:
    assert field_of(initiation, "send", {**SEND, key: value}) == key


@pytest.mark.parametrize("key", sorted(ITEM))
def test_every_item_field_is_required(key: str) -> None:
    body = {k: v for k, v in ITEM.items() if k != key}
    assert field_of(item_purchase, body) == key


@pytest.mark.parametrize("key,value", [
    ("item_quantity", 0), ("item_quantity", 1001), ("item_quantity", "2"),
    ("item_quantity", 2.0), ("unit_price", "-1"), ("total_price", "1000000.00"),
    ("player_phone", "12"), ("item_description", 5),
])
def test_bad_item_values_name_their_field(key: str, value: Any) -> None:
    assert field_of(item_purchase, {**ITEM, key: value}) == key


def test_item_optional_fields() -> None:
    parsed = item_purchase({**ITEM, "player_phone": "+15555550100", "item_category": " w ",
                            "item_description": ""})
    assert parsed.player_phone == "+15555550100" and parsed.category == "w"
    assert parsed.description is None and parsed.quantity == 2


def test_claims_parse_for_both_flows() -> None:
    transfer = claim_request("transfer", {**CLAIM, "target_player_id": "7"})
    assert transfer.currency_id == 2002 and transfer.chosen_player_id == 7
    assert transfer.phone_field == "target_player_phone"
    send = claim_request("send", {"claim_code": "x", "receiver_player_name": "Z",
                                  "receiver_player_email": "z@example.com",
                                  "receiver_player_phone": "+15555550199"})
    assert send.currency_id is None and send.chosen_field == "receiver_player_id"
    assert field_of(claim_request, "transfer", {**CLAIM, "target_currency_id": None}) == (
        "target_currency_id")
    assert field_of(claim_request, "transfer", {**CLAIM, "target_player_id": "x"}) == (
        "INVALID_TARGET_PLAYER")


def test_direct_purchases_parse_with_their_special_codes() -> None:
    base = {"purchase_reference": "p1", "player_email": "a@example.com", "usd_amount": "9.99"}
    parsed = direct_purchase({**base, "saved_card_id": "card_3ds", "rail": "game"})
    assert parsed.payment_method == "card_3ds" and parsed.rail == "game"
    assert direct_purchase({**base, "payment_method_id": "pm_x",
                            "saved_card_id": "card_y"}).payment_method == "pm_x"
    missing = {k: v for k, v in base.items() if k != "purchase_reference"}
    assert field_of(direct_purchase, missing) == "MISSING_PURCHASE_REFERENCE"
    assert field_of(direct_purchase, {**base, "rail": "paypal"}) == "rail"
    assert field_of(direct_purchase, {**base, "usd_amount": "1000000.00"}) == "usd_amount"


def test_webhook_registrations_parse() -> None:
    parsed = registration({"target_url": "https://h.example/x"})
    assert parsed.subscribed_events == ["*"] and parsed.compression is None
    assert field_of(registration, {"target_url": "x", "subscribed_events": "*"}) == (
        "subscribed_events")
    assert field_of(registration, {"target_url": "x", "subscribed_events": ["", "a"]}) == (
        "subscribed_events")
    assert field_of(registration, {"target_url": "x", "compression": "br"}) == "compression"
    assert field_of(registration, {}) == "target_url"
