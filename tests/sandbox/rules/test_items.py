"""Item purchases: the debit, the fee split, idempotency, history and order reads."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invonetwork.sandbox._svc_items import fee_split
from invonetwork.sandbox._world import World

from .conftest import ADA, event_types, item, make_world, refused


@pytest.mark.parametrize("total,percent,fee,developer", [
    ("150.00", "10", "15.00", "135.00"),
    ("0.05", "10", "0.01", "0.04"),     # 0.005 rounds half up
    ("0.04", "10", "0.00", "0.04"),     # 0.004 rounds down
    ("99.99", "10", "10.00", "89.99"),
    ("10.00", "0", "0.00", "10.00"),
    ("10.00", "100", "10.00", "0.00"),
    ("1.00", "12.5", "0.13", "0.87"),   # 0.125 rounds half up
])
def test_fee_split_table(total: str, percent: str, fee: str, developer: str) -> None:
    split = fee_split(Decimal(total), Decimal(percent))
    assert (split.platform_fee, split.developer_revenue) == (Decimal(fee), Decimal(developer))
    wire = split.wire
    assert wire["total_paid"] == total and wire["platform_fee"] == fee
    assert wire["developer_share_percent"] == f"{100 - Decimal(percent):.2f}"


@given(
    cents=st.integers(min_value=1, max_value=99_999_999),
    percent=st.decimals(min_value=0, max_value=100, places=2),
)
def test_fee_split_always_adds_up_and_the_fee_is_never_negative(
    cents: int, percent: Decimal
) -> None:
    total = Decimal(cents) / 100
    split = fee_split(total, percent)
    assert split.platform_fee + split.developer_revenue == total
    assert Decimal("0") <= split.platform_fee <= total
    assert split.platform_fee == split.platform_fee.quantize(Decimal("0.01"))
    assert abs(split.platform_fee - total * percent / 100) <= Decimal("0.005")


def test_a_purchase_debits_records_and_announces(world: World) -> None:
    receipt = world.items.purchase(item("r1", "150.00"))
    assert receipt.previous_balance == Decimal("500") and receipt.new_balance == Decimal("350")
    assert world.state.find_player(ADA).balance(1001) == Decimal("350")  # type: ignore[union-attr]
    assert receipt.split.platform_fee == Decimal("15.00")
    order = receipt.order
    assert order.status == "completed" and [t["status"] for t in order.timeline] == [
        "created", "completed"]
    assert order.financial_summary["developer_revenue"] == "135.00"
    assert event_types(world) == ["item.purchased", "balance.updated"]
    event = world.state.events[0]["data"]
    assert event["fee_breakdown"]["platform_fee"] == "15.00" and event["new_balance"] == "350.00"


def test_the_fee_follows_the_configured_percent() -> None:
    world = make_world(platform_fee_percent=Decimal("25"))
    receipt = world.items.purchase(item("r1", "100.00"))
    assert receipt.split.platform_fee == Decimal("25.00")
    assert receipt.split.wire["developer_share_percent"] == "75.00"


def test_not_enough_currency_changes_nothing_and_keeps_the_request_id(world: World) -> None:
    failure = refused(world.items.purchase, item("r1", "500.01"))
    assert failure.status == 400 and failure.body["code"] == "INSUFFICIENT_BALANCE"
    assert failure.body["required_amount"] == "500.01"
    assert failure.body["current_balance"] == "500.00"
    assert world.state.events == [] and world.state.orders == {}
    assert world.items.purchase(item("r1", "500.00")).new_balance == Decimal("0")


def test_a_spent_request_id_is_a_409_naming_the_first_order(world: World) -> None:
    first = world.items.purchase(item("r1", "1.00"))
    again = refused(world.items.purchase, item("r1", "1.00"))
    assert again.status == 409 and again.body["code"] == "DUPLICATE_REQUEST"
    assert again.body["order_id"] == first.order.order_id
    assert world.state.find_player(ADA).balance(1001) == Decimal("499")  # type: ignore[union-attr]


def test_total_must_match_unit_times_quantity_within_a_cent(world: World) -> None:
    ok = item("r1", "99.99", quantity=3)  # 33.33 x 3
    assert world.items.purchase(ok).order.details["unit_price"] == "33.33"
    bad = dataclasses.replace(item("r2", "10.00", quantity=2), unit_price=Decimal("4.00"))
    failure = refused(world.items.purchase, bad)
    assert failure.body["field"] == "total_price"


def test_unknown_players_are_created_unless_auto_create_is_off() -> None:
    world = make_world()
    failure = refused(world.items.purchase, item("r1", "1.00", email="new@example.com"))
    assert failure.body["current_balance"] == "0.00"  # created with nothing to spend
    assert world.players.by_email("new@example.com").balance(1001) == Decimal("0")
    strict = make_world(auto_create_players=False)
    failure = refused(strict.items.purchase, item("r1", "1.00", email="new@example.com"))
    assert failure.status == 404 and failure.body["code"] == "PLAYER_NOT_FOUND"


def test_history_is_newest_first_and_paginated(world: World) -> None:
    ids = [world.items.purchase(item(f"r{i}", "1.00")).order.order_id for i in range(5)]
    page = world.items.history(ADA, limit=2, offset=1)
    assert [o.order_id for o in page.orders] == [ids[3], ids[2]]
    assert (page.total, page.limit, page.offset) == (5, 2, 1)
    assert world.items.history("ADA@example.com").total == 5
    assert world.items.history("nobody@example.com").orders == []


@pytest.mark.parametrize("key", ["order_id", "transaction_id", "client_request_id"])
def test_an_order_is_found_by_any_one_id(world: World, key: str) -> None:
    order = world.items.purchase(item("r1", "1.00")).order
    assert world.items.order(key, getattr(order, key)) is order
    assert refused(world.items.order, key, "missing").status == 404


def test_order_keys_are_checked(world: World) -> None:
    with pytest.raises(ValueError):
        world.items.order("player_email", ADA)
