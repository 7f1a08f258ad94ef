"""Typed events: the envelope, EventType, and the purchase / item payloads."""

from __future__ import annotations

import dataclasses
import json
from decimal import Decimal
from typing import Any

import pytest

from invonetwork import (
    EventType,
    ItemPurchasedData,
    PurchaseCompletedData,
    WebhookEvent,
    WebhookVerificationError,
)
from invonetwork.testing import build_webhook_delivery, make_event_body, sample_event_data
from invonetwork.webhooks import verify_webhook

SECRET = "whsec_events"
# The 32 names of the catalogue (shared/api-current/webhook-events.md, section 1).
CONTRACT_TYPES = [
    "purchase.completed", "purchase.failed", "purchase.refunded", "purchase.disputed",
    "purchase.dispute_lost", "purchase.fraud_warning", "item.purchased", "transfer.sent",
    "transfer.received", "transfer.claim_pending", "transfer.claim_expired", "transfer.refunded",
    "subscription.renewed", "subscription.payment_failed", "subscription.past_due",
    "subscription.authentication_required", "subscription.canceled", "subscription.expired",
    "subscription.refunded", "subscription.refund_requested", "subscription.refund_approved",
    "subscription.refund_rejected", "platform_commerce.purchased", "platform_commerce.refunded",
    "platform_commerce.declined", "payout.status_changed", "payee.status_changed",
    "player.phone_changed", "identity.passkey_reset", "device_approval.approved",
    "balance.updated", "webhook.test",
]


def received(event_type: str, **kwargs: Any) -> WebhookEvent:
    delivery = build_webhook_delivery(event_type, secret=SECRET, **kwargs)
    return verify_webhook(delivery.body, delivery.signature_header, SECRET,
                          now=delivery.timestamp)


def event_with_data(event_type: str, data: Any) -> WebhookEvent:
    return WebhookEvent.from_payload({"event_type": event_type, "data": data})


# -- EventType -------------------------------------------------------------------------------


def test_event_type_has_exactly_the_contract_types() -> None:
    assert sorted(member.value for member in EventType) == sorted(CONTRACT_TYPES)


def test_event_type_is_a_str() -> None:
    assert EventType.PURCHASE_COMPLETED == "purchase.completed"
    assert isinstance(EventType.ITEM_PURCHASED, str)
    assert str(EventType.ITEM_PURCHASED) == "item.purchased"
    assert f"{EventType.WEBHOOK_TEST}" == "webhook.test"
    assert json.dumps(EventType.BALANCE_UPDATED) == '"balance.updated"'


@pytest.mark.parametrize("kind", CONTRACT_TYPES)
def test_every_contract_type_parses_and_types(kind: str) -> None:
    event = received(kind)
    assert event.event_type == kind
    assert type(event.event_type) is str
    assert event.type is EventType(kind)


def test_unknown_type_parses_with_type_none() -> None:
    event = WebhookEvent.from_payload({"event_type": "loot.dropped", "data": {"x": 1}})
    assert event.event_type == "loot.dropped"
    assert event.type is None
    assert event.data == {"x": 1}


# -- the envelope ------------------------------------------------------------------------------


def test_envelope_fields_from_a_realistic_delivery() -> None:
    delivery = build_webhook_delivery(
        "purchase.completed", secret=SECRET, idempotency_key="idem-42", event_id="evt-42",
        tenant_id="123", timestamp=1_700_000_000,
    )
    event = verify_webhook(delivery.body, delivery.signature_header, SECRET, now=1_700_000_000)
    assert event.event_id == "evt-42"
    assert event.idempotency_key == "idem-42"
    assert event.schema_version == "1.0"
    assert event.created_at == "2023-11-14T22:13:20.000000+00:00"
    assert event.tenant_id == "123"
    assert event.raw == json.loads(delivery.body)
    assert event.data is event.raw["data"]


@pytest.mark.parametrize("bad", [None, 123, 1.5, True, ["x"], {"a": 1}])
def test_non_string_envelope_fields_read_as_empty(bad: Any) -> None:
    payload = {
        "event_type": "webhook.test", "event_id": bad, "idempotency_key": bad,
        "schema_version": bad, "created_at": bad, "tenant_id": bad, "data": "not an object",
    }
    event = WebhookEvent.from_payload(payload)
    assert (event.event_id, event.idempotency_key, event.schema_version, event.created_at,
            event.tenant_id) == ("", "", "", "", "")
    assert event.data == {}
    assert event.raw is payload
    assert event.raw["tenant_id"] == bad  # the original stays reachable


def test_missing_envelope_fields_read_as_empty() -> None:
    event = WebhookEvent.from_payload({"event_type": "webhook.test"})
    assert event == WebhookEvent("", "", "webhook.test", "", "", "", {}, {"event_type":
                                                                          "webhook.test"})


@pytest.mark.parametrize("payload", [None, [], "x", 3, {"data": {}}, {"event_type": 1},
                                     {"event_type": None}])
def test_from_payload_rejects_non_events(payload: Any) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        WebhookEvent.from_payload(payload)
    assert info.value.code == "WEBHOOK_MALFORMED"


def test_event_is_frozen_hashable_and_equal_to_the_constructor_form() -> None:
    payload = {"event_type": "webhook.test", "event_id": "e", "idempotency_key": "k",
               "data": {"a": 1}}
    event = WebhookEvent.from_payload(payload)
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.event_id = "other"  # type: ignore[misc]
    built = WebhookEvent(event_id="e", idempotency_key="k", event_type="webhook.test",
                         schema_version="", created_at="", tenant_id="", data={"a": 1},
                         raw=payload)
    assert event == built
    assert hash(event) == hash(built)
    assert {event, built} == {event}
    assert dataclasses.asdict(event)["data"] == {"a": 1}
    assert "raw" not in repr(event)


def test_event_type_str_subclass_is_normalised() -> None:
    event = WebhookEvent.from_payload({"event_type": EventType.ITEM_PURCHASED})
    assert type(event.event_type) is str
    assert event.event_type == "item.purchased"


# -- purchase.completed ------------------------------------------------------------------------

PURCHASE = {
    "transaction_id": "txn_1", "order_id": "ord_1", "player_email": "p@example.com",
    "identity_id": "idn_1", "usd_amount": "9.99", "currency_amount": "1000",
    "currency_name": "Gold", "new_balance": "4200.50", "rail": "platform",
    "metadata": {"pack": "gold_1000"},
}


def test_purchase_completed_typed() -> None:
    data = event_with_data("purchase.completed", PURCHASE).purchase_completed()
    assert data == PurchaseCompletedData(
        transaction_id="txn_1", order_id="ord_1", player_email="p@example.com",
        identity_id="idn_1", usd_amount=Decimal("9.99"), currency_amount=Decimal("1000"),
        currency_name="Gold", new_balance=Decimal("4200.50"), rail="platform",
        metadata={"pack": "gold_1000"}, raw=PURCHASE,
    )
    assert isinstance(data.usd_amount, Decimal)
    assert str(data.new_balance) == "4200.50"  # exact, no float rounding


def test_purchase_completed_from_a_sample_delivery() -> None:
    data = received("purchase.completed").purchase_completed()
    assert data.usd_amount == Decimal("9.99")
    assert data.transaction_id.startswith("txn_")


def test_purchase_completed_lenient_strings_and_metadata() -> None:
    data = dict(PURCHASE, order_id=None, rail=5, metadata="nope")
    del data["identity_id"]
    typed = event_with_data("purchase.completed", data).purchase_completed()
    assert (typed.order_id, typed.rail, typed.identity_id, typed.metadata) == ("", "", "", {})


@pytest.mark.parametrize("value", [10, 10.5, "0", "-3.25", "0.01"])
def test_money_accepts_numbers_and_plain_decimals(value: Any) -> None:
    typed = event_with_data("purchase.completed", dict(PURCHASE, usd_amount=value))
    assert typed.purchase_completed().usd_amount == Decimal(str(value))


@pytest.mark.parametrize("field", ["usd_amount", "currency_amount", "new_balance"])
@pytest.mark.parametrize("value", [None, "", "abc", "1e3", " 1.5", "1_000", "NaN", "Infinity",
                                   True, [], {}, float("nan"), float("inf"), "١٢", "1" * 80,
                                   10**50])
def test_garbled_money_is_malformed(field: str, value: Any) -> None:
    event = event_with_data("purchase.completed", dict(PURCHASE, **{field: value}))
    if field == "new_balance" and value is None:  # optional (older bodies lack it): None
        assert event.purchase_completed().new_balance is None
        return
    with pytest.raises(WebhookVerificationError) as info:
        event.purchase_completed()
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert field in info.value.message


def test_new_balance_and_rail_are_optional_on_purchase_completed() -> None:
    data = {k: v for k, v in PURCHASE.items() if k not in ("new_balance", "rail")}
    typed = event_with_data("purchase.completed", data).purchase_completed()
    assert (typed.new_balance, typed.rail) == (None, "")


@pytest.mark.parametrize("field", ["usd_amount", "currency_amount"])
def test_missing_money_is_malformed_and_says_missing(field: str) -> None:
    data = dict(PURCHASE)
    del data[field]
    with pytest.raises(WebhookVerificationError) as info:
        event_with_data("purchase.completed", data).purchase_completed()
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert f"data.{field} is missing" in info.value.message


def test_missing_data_object_is_malformed_for_typed_access() -> None:
    event = WebhookEvent.from_payload({"event_type": "purchase.completed"})
    with pytest.raises(WebhookVerificationError) as info:
        event.purchase_completed()
    assert info.value.code == "WEBHOOK_MALFORMED"


def test_type_mismatch() -> None:
    with pytest.raises(WebhookVerificationError) as info:
        event_with_data("item.purchased", PURCHASE).purchase_completed()
    assert info.value.code == "WEBHOOK_EVENT_TYPE_MISMATCH"
    assert "purchase.completed" in info.value.message
    with pytest.raises(WebhookVerificationError) as info:
        event_with_data("purchase.completed", PURCHASE).item_purchased()
    assert info.value.code == "WEBHOOK_EVENT_TYPE_MISMATCH"


# -- item.purchased ----------------------------------------------------------------------------

ITEM = {
    "transaction_id": "txn_2", "order_id": "ord_2", "player_email": "p@example.com",
    "identity_id": "idn_2", "item_id": "sword", "item_name": "Sword", "item_quantity": 3,
    "unit_price": "33.33", "total_price": "99.99", "currency_name": "Gold",
    "new_balance": "0.01", "fee_breakdown": {"platform_fee": "1.00"},
}


def test_item_purchased_typed() -> None:
    typed = event_with_data("item.purchased", ITEM).item_purchased()
    assert typed == ItemPurchasedData(
        transaction_id="txn_2", order_id="ord_2", player_email="p@example.com",
        identity_id="idn_2", item_id="sword", item_name="Sword", item_quantity=3,
        unit_price=Decimal("33.33"), total_price=Decimal("99.99"), currency_name="Gold",
        new_balance=Decimal("0.01"), fee_breakdown={"platform_fee": "1.00"}, raw=ITEM,
    )


def test_item_purchased_from_a_sample_delivery() -> None:
    typed = received("item.purchased").item_purchased()
    assert typed.total_price == typed.unit_price * typed.item_quantity


def test_item_quantity_digit_string_is_accepted() -> None:
    typed = event_with_data("item.purchased", dict(ITEM, item_quantity="7")).item_purchased()
    assert typed.item_quantity == 7


@pytest.mark.parametrize("value", [None, "", "x", "1.5", 1.5, True, "٣", []])
def test_garbled_item_quantity_is_malformed(value: Any) -> None:
    event = event_with_data("item.purchased", dict(ITEM, item_quantity=value))
    with pytest.raises(WebhookVerificationError) as info:
        event.item_purchased()
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert "item_quantity" in info.value.message


@pytest.mark.parametrize("field", ["unit_price", "total_price", "new_balance"])
def test_item_money_is_strict(field: str) -> None:
    event = event_with_data("item.purchased", dict(ITEM, **{field: "12,50"}))
    with pytest.raises(WebhookVerificationError) as info:
        event.item_purchased()
    assert info.value.code == "WEBHOOK_MALFORMED"


def test_fee_breakdown_not_an_object_reads_empty() -> None:
    typed = event_with_data("item.purchased", dict(ITEM, fee_breakdown=[1])).item_purchased()
    assert typed.fee_breakdown == {}


def test_payload_classes_are_frozen() -> None:
    typed = event_with_data("item.purchased", ITEM).item_purchased()
    with pytest.raises(dataclasses.FrozenInstanceError):
        typed.item_quantity = 9  # type: ignore[misc]


def test_sample_data_and_make_event_body_shape() -> None:
    body = make_event_body("purchase.completed", tenant_id="77")
    assert set(body) == {"event_id", "idempotency_key", "event_type", "schema_version",
                         "created_at", "tenant_id", "data"}
    assert set(body["data"]) == set(PURCHASE)
    assert set(sample_event_data("item.purchased")) == set(ITEM)
    assert body["event_id"] != body["idempotency_key"]
