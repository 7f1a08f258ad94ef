"""The result classes of players, phones, activity and rewards: every reader rule."""

from __future__ import annotations

from typing import Any

import pytest

from invonetwork import (
    InvoError,
    LoyaltyCardsResult,
    LoyaltyStepProgress,
    PhoneChangeRequest,
    PhoneChangeRequestResult,
    PlayerActivityCounterpartyGame,
    PlayerActivityCurrency,
    PlayerActivityEntry,
    PlayerActivityResult,
    RegisterPlayerResult,
    UpdatePlayerPhoneResult,
)


@pytest.mark.parametrize("status,read", [
    ("created", "created"), ("exists", "exists"), ("CREATED", "exists"), (1, "exists"),
])
def test_register_status(status: Any, read: str) -> None:
    assert RegisterPlayerResult.from_body({"status": status}).status == read


@pytest.mark.parametrize("cls", [RegisterPlayerResult, UpdatePlayerPhoneResult])
@pytest.mark.parametrize("body", [{}, {"status": None}, {"status": ""}])
def test_status_is_required(cls: Any, body: Any) -> None:
    with pytest.raises(InvoError) as caught:
        cls.from_body(body)
    assert caught.value.code == "INVALID_RESPONSE" and caught.value.body == body


def test_token_expiry_only_beside_a_token() -> None:
    made = RegisterPlayerResult.from_body({"status": "created", "identity_id": 7,
                                           "player_token": "", "player_token_expires_at": "t"})
    assert (made.identity_id, made.player_token, made.player_token_expires_at) == ("7", None,
                                                                                     None)
    made = RegisterPlayerResult.from_body({"status": "created", "player_token": "secret-pt",
                                           "player_token_expires_at": "t"})
    assert (made.player_token, made.player_token_expires_at) == ("secret-pt", "t")
    assert "secret-pt" not in repr(made)


def test_update_result() -> None:
    made = UpdatePlayerPhoneResult.from_body({"status": "updated", "identity_rekeyed": True,
                                              "identity_id": "i2", "player_token": "secret-pt",
                                              "player_token_expires_at": 5})
    assert (made.status, made.identity_rekeyed, made.identity_id) == ("updated", True, "i2")
    assert made.player_token_expires_at is None  # a string only
    other = UpdatePlayerPhoneResult.from_body({"status": "whatever", "identity_rekeyed": 1})
    assert (other.status, other.identity_rekeyed) == ("unchanged", False)


def test_change_request_results() -> None:
    made = PhoneChangeRequestResult.from_body({"change_request_id": 12, "expires_at": None})
    assert (made.change_request_id, made.status, made.expires_at) == ("12", "", None)
    read = PhoneChangeRequest.from_body({
        "change_request_id": "pcr", "status": "confirmed", "confirmation": "email_code",
        "delivery": "email", "new_phone_masked": "+1******0100", "created_at": "a",
        "expires_at": "b", "confirmed_at": "c", "confirmed_via": "hosted_page"})
    assert read.confirmed_via == "hosted_page" and read.new_phone_masked == "+1******0100"
    for cls in (PhoneChangeRequestResult, PhoneChangeRequest):
        with pytest.raises(InvoError):
            cls.from_body({"change_request_id": " "})


def test_activity_page() -> None:
    page = PlayerActivityResult.from_body({
        "player_email": "a@x", "game_id": 1001, "types": ["send", 3], "limit": "25",
        "has_more": "yes", "next_cursor": "", "activity": [{"id": "r1"}, "junk", None]})
    assert (page.player_email, page.game_id, page.types) == ("a@x", "1001", ["send", "3"])
    assert (page.limit, page.has_more, page.next_cursor) == (25, False, None)
    assert [e.id for e in page.activity] == ["r1"]
    assert PlayerActivityResult.from_body({"types": "send", "limit": "2.5"}).types == []
    assert PlayerActivityResult.from_body({"limit": "2.5"}).limit is None
    assert PlayerActivityResult.from_body({"limit": True}).limit is None
    assert PlayerActivityResult.from_body({"limit": 7, "next_cursor": "c"}).next_cursor == "c"


def test_activity_entry() -> None:
    entry = PlayerActivityEntry.from_body({
        "id": 9, "type": "send", "direction": "out", "amount": "100.00", "amount_unit": "",
        "currency": {"currency_id": 1001, "currency_name": "Gold"}, "status": "expired",
        "status_detail": None, "expiry_reason": "claim_expired",
        "counterparty_game": {"game_id": 2002, "game_name": None},
        "created_at": "t0", "completed_at": None, "order_id": "ord", "fee_amount": 10,
        "net_amount": "90.00", "gross_amount": None})
    assert (entry.id, entry.amount_unit, entry.expiry_reason) == ("9", "currency",
                                                                   "claim_expired")
    assert entry.currency == PlayerActivityCurrency(1001, "Gold")
    assert entry.counterparty_game == PlayerActivityCounterpartyGame("2002", None)
    assert (entry.fee_amount, entry.net_amount, entry.gross_amount) == ("10", "90.00", None)
    bare = PlayerActivityEntry.from_body({"amount_unit": "usd", "expiry_reason": "",
                                          "counterparty_game": "x", "currency": 3})
    assert (bare.amount_unit, bare.expiry_reason, bare.counterparty_game) == ("usd", None, None)
    assert bare.currency == PlayerActivityCurrency(None, None)


CARD: dict[str, Any] = {
    "card_version": 3, "steps_required": "4", "steps_complete": 1, "mode": "quest",
    "title": "Daily", "order_mode": "ordered", "status": "in_progress", "program_id": 5,
    "quest_version": 2, "completion_hours": True, "brand": {"color": "red"},
    "reward": "nope",
    "steps": [
        {"step_id": "s1", "index": 0, "state": "complete", "window_hours": 24,
         "progress": {"current": 1, "target": 1}},
        {"index": "1", "state": "open", "progress": {"current": 0, "target": True}},
        "junk",
    ],
    "rewards": [{"vault_entry_id": "v", "reward_id": "r", "state": "unlocked",
                 "code_masked": "****1234", "can_redeem": True, "can_reveal_again": "true"}],
}


def test_loyalty_cards() -> None:
    result = LoyaltyCardsResult.from_body({"card_version": "v1", "cards": [CARD, 1]})
    assert result.card_version == "v1" and len(result.cards) == 1
    card = result.cards[0]
    assert (card.steps_required, card.steps_complete) == ("4", 1)  # never recounted
    assert (card.program_id, card.quest_version, card.completion_hours) == ("5", 2, None)
    assert card.brand == {"color": "red"} and card.reward == {}
    first, second = card.steps
    assert first.progress == LoyaltyStepProgress(1, 1) and first.window_hours == 24
    assert (second.index, second.progress, second.step_id) == (0, None, None)
    reward = card.rewards[0]
    assert (reward.code_masked, reward.can_redeem, reward.can_reveal_again) == ("****1234",
                                                                              True, False)
    assert (reward.unlocked_at, reward.redeemed_at) == ("", None)
