"""The plain data, money parsing and field readers the services and the HTTP layer share."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from invonetwork.sandbox._fields import (
    game_id_of,
    int_query,
    new_id,
    opt_phone,
    opt_str,
    query_text,
    random_digits,
    req_game_id,
    req_phone,
    req_str,
    request_fingerprint,
)
from invonetwork.sandbox._model import (
    Clock,
    DomainError,
    Movement,
    Order,
    WebhookSubscription,
    bad_request,
    fmt,
    iso,
    parse_money,
    to_decimal,
)
from invonetwork.sandbox._state import State, WorldConfig

from .conftest import refused


@pytest.mark.parametrize("value,expected", [
    ("5", "5.00"), ("5.5", "5.50"), ("0.01", "0.01"), (5, "5.00"), (0.1, "0.10"),
    ("999.99", "999.99"),
])
def test_parse_money_accepts_plain_two_place_amounts(value: Any, expected: str) -> None:
    assert fmt(parse_money(value, "amount", Decimal("999.99"))) == expected


@pytest.mark.parametrize("value", [
    None, True, "", "abc", "1.234", "-1", "0", "0.00", "1e3", " 5", "1000.00", [], {},
])
def test_parse_money_refuses_everything_else_naming_the_field(value: Any) -> None:
    failure = refused(parse_money, value, "amount", Decimal("999.99"))
    assert failure.status == 400 and failure.body["field"] == "amount"


def test_fmt_rounds_half_up_and_iso_is_utc() -> None:
    assert fmt(Decimal("0.005")) == "0.01" and fmt(Decimal("0.015")) == "0.02"
    assert fmt(Decimal("2.675")) == "2.68" and fmt(Decimal("-1.005")) == "-1.01"
    assert iso(0) == "1970-01-01T00:00:00Z" and iso(1_700_000_000.9) == "2023-11-14T22:13:20Z"


@pytest.mark.parametrize("value", ["1", 2, "3.5", Decimal("0")])
def test_to_decimal_for_seeds(value: Any) -> None:
    assert to_decimal(value, "balance") == Decimal(str(value))


@pytest.mark.parametrize("value", [True, "x", "-1", "NaN", "Infinity"])
def test_to_decimal_refuses_bad_seeds(value: Any) -> None:
    with pytest.raises(ValueError, match="balance"):
        to_decimal(value, "balance")


def test_domain_errors_carry_status_code_and_extras() -> None:
    failure = DomainError(409, "taken", "DUPLICATE_REQUEST", order_id="o1")
    assert failure.status == 409 and str(failure) == "taken"
    assert failure.body == {"error": "taken", "code": "DUPLICATE_REQUEST", "order_id": "o1"}
    assert DomainError(500, "plain").body == {"error": "plain"}
    assert bad_request("no").body == {"error": "no", "code": "VALIDATION_ERROR"}


def test_the_clock_only_moves_forward() -> None:
    clock = Clock()
    start = clock.now()
    assert clock.advance(60) == 60 and clock.now() >= start + 60
    with pytest.raises(ValueError):
        clock.advance(-1)
    clock.reset()
    assert clock.offset == 0


def test_order_timeline_and_answer() -> None:
    order = Order("item_purchase", "ord_1", "txn_1", "a@b.co", "created", 0.0,
                  details={"item_id": "i"}, client_request_id="r1")
    order.mark("completed", 60.0, "done")
    body = order.answer()
    assert body["order"]["status"] == "completed" and body["order"]["client_request_id"] == "r1"
    assert body["status_timeline"] == [{"status": "completed", "at": "1970-01-01T00:01:00Z",
                                        "note": "done"}]


@pytest.mark.parametrize("state,verification", [
    ("awaiting_verification", "awaiting"), ("pending_guardian_approval", "awaiting"),
    ("claim_pending", "approved"), ("completed", "completed"), ("expired", "expired"),
    ("failed", "failed"), ("mystery", "unknown"),
])
def test_verification_state_names(state: str, verification: str) -> None:
    mv = Movement("send", "t", "r", "a@b.co", "A", "+1555", "z@b.co", "+1556", 1, 2,
                  Decimal("1"), Decimal("1"), "1", 0.0, 1.0, state=state)
    assert mv.verification_state() == verification


def test_subscription_filters() -> None:
    sub = WebhookSubscription(1, "http://127.0.0.1/h", ["item.purchased"], 0.0, 0.0)
    assert sub.wants("item.purchased") and not sub.wants("purchase.completed")


def test_field_readers() -> None:
    body = {"n": 5, "s": "  x ", "blank": " ", "phone": "+15555550100", "bad": "555",
            "game": "2002", "zero": 0, "flag": True}
    assert req_str(body, "n") == "5" and req_str(body, "s") == "x"
    assert refused(req_str, body, "blank").body["field"] == "blank"
    assert refused(req_str, body, "missing").body["field"] == "missing"
    assert opt_str(body, "missing") is None and opt_str(body, "blank") is None
    assert refused(opt_str, body, "n").body["field"] == "n"
    assert req_phone(body, "phone") == "+15555550100"
    assert refused(req_phone, body, "bad").body["field"] == "bad"
    assert opt_phone(body, "missing") is None
    assert req_game_id(body, "game") == 2002 and game_id_of(" 7 ", "g") == 7
    assert refused(req_game_id, body, "blank").body["field"] == "blank"
    assert refused(game_id_of, True, "flag").body["field"] == "flag"
    assert refused(game_id_of, "x", "g").status == 400


def test_query_readers() -> None:
    query = {"limit": "10", "bad": "x", "big": "1000", "t": "  v  "}
    assert int_query(query, "limit", 50, 1, 100) == 10
    assert int_query(query, "missing", 50, 1, 100) == 50
    assert refused(int_query, query, "bad", 50, 1, 100).body["field"] == "bad"
    assert refused(int_query, query, "big", 50, 1, 100).body["field"] == "big"
    assert query_text(query, "t") == "v" and query_text(query, "none") == ""


def test_ids_pins_and_fingerprints() -> None:
    assert new_id("ord").startswith("ord_") and new_id("ord") != new_id("ord")
    pin = random_digits(6)
    assert len(pin) == 6 and pin.isdigit()
    assert request_fingerprint({"a": 1, "b": 2}) == request_fingerprint({"b": 2, "a": 1})
    assert request_fingerprint({"a": 1}) != request_fingerprint({"a": "1"})


def test_state_replays_and_deadlines() -> None:
    state = State(WorldConfig(), Clock())
    assert state.replayed("send", "k", "f") is None
    state.remember("send", "k", "f", "outcome")
    assert state.replayed("send", "k", "f") == "outcome"
    assert refused(state.replayed, "send", "k", "other").status == 409
    assert state.next_expiry == float("inf")
    assert state.expires_at(50.0) == 50.0 and state.expires_at(90.0) == 90.0
    assert state.next_expiry == 50.0
    state.reset()
    assert state.next_expiry == float("inf") and state.replays == {}


def test_players_are_found_by_any_of_their_emails() -> None:
    state = State(WorldConfig(), Clock())
    first = state.new_player("First@Example.com")
    second = state.new_player("second@example.com", "Second")
    assert (first.player_id, second.player_id) == (1, 2)
    assert first.email == "first@example.com" and first.name == "first"
    first.linked_emails.append("alias@example.com")
    assert state.find_player(" ALIAS@example.com ") is first
    assert state.player_for_write("third@example.com").player_id == 3
    strict = State(WorldConfig(auto_create_players=False), Clock())
    assert refused(strict.player_for_write, "x@example.com").status == 404


def test_events_have_the_envelope_and_balance_updates_their_data() -> None:
    seen: list[dict[str, Any]] = []
    state = State(WorldConfig(game_id=77), Clock(), on_event=seen.append)
    event = state.emit("custom.thing", {"a": 1})
    assert seen == [event] and state.events == [event]
    assert set(event) == {"event_id", "idempotency_key", "event_type", "schema_version",
                          "created_at", "tenant_id", "data"}
    assert event["tenant_id"] == "77" and event["schema_version"] == "1.0"
    player = state.new_player("p@example.com")
    state.balance_changed(player, 77, "purchase", "txn_1")
    data = state.events[-1]["data"]
    assert data == {"player_email": "p@example.com", "identity_id": player.identity_id,
                    "currency_id": 77, "currency_name": "Gold Coins", "new_balance": "0.00",
                    "reason": "purchase", "transaction_id": "txn_1"}
    assert player.last_transaction[77].endswith("Z")


def test_requests_know_their_headers_and_forms() -> None:
    from invonetwork.sandbox._messages import Request, error_response, json_response

    form = Request("POST", "/", {"content-type": "application/x-www-form-urlencoded; a=b"})
    assert form.is_form and form.header("Content-Type").startswith("application/")
    assert form.header("missing") == "" and not Request("GET", "/", {}).is_form
    answer = json_response(201, {"a": 1}, {"X": "y"})
    assert (answer.status, answer.body, answer.headers) == (201, b'{"a": 1}', {"X": "y"})
    assert json.loads(error_response(400, "m", "C", field="f").body) == {
        "error": "m", "code": "C", "field": "f"}
