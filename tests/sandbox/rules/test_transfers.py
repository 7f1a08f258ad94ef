"""Sends and transfers: reserve, PIN attempts and lockout, windows, expiry, refunds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invonetwork.sandbox._model import Game
from invonetwork.sandbox._svc_transfers import CLAIM_ALPHABET
from invonetwork.sandbox._world import World

from .conftest import ADA, BOB, BOB_PHONE, add, event_types, initiation, make_world, refused


def balances(world: World, email: str = ADA, gid: int = 1001) -> tuple[Decimal, Decimal]:
    player = world.players.by_email(email)
    return player.balance(gid), player.reserved.get(gid, Decimal("0"))


def test_initiating_reserves_and_texts_a_pin(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="50"))
    assert balances(world) == (Decimal("450"), Decimal("50"))
    assert mv.state == "awaiting_verification" and mv.verification_method == "sms"
    assert mv.sms_pin is not None and len(mv.sms_pin) == 6 and mv.sms_pin.isdigit()
    assert world.state.sms_outbox[-1]["pin"] == mv.sms_pin
    assert world.state.sms_outbox[-1]["to"] == "+15555550100"
    assert world.state.events == []  # nothing happens to money until verification


def test_a_passkey_sender_verifies_in_app(world: World) -> None:
    mv = world.transfers.initiate(initiation(sender=BOB, sender_phone=BOB_PHONE, amount="5"))
    assert mv.verification_method == "in_app" and mv.sms_pin is None
    world.transfers.approve_in_app(mv.transaction_id)
    assert mv.state == "claim_pending" and balances(world, BOB) == (Decimal("15"), Decimal("0"))
    assert world.state.events[0]["data"]["approved_by"] == "passkey"


def test_verification_debits_and_issues_a_claim_code(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="50"))
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert balances(world) == (Decimal("450"), Decimal("0"))
    assert mv.state == "claim_pending" and mv.order_id
    assert mv.claim_code is not None and len(mv.claim_code) == 8
    assert set(mv.claim_code) <= set(CLAIM_ALPHABET)
    assert event_types(world) == ["transfer.sent", "transfer.claim_pending",
                                  "transfer.claim_pending", "balance.updated"]


def test_wrong_pins_count_down_then_block_then_reset(world: World) -> None:
    mv = world.transfers.initiate(initiation())
    left = []
    for _ in range(4):
        failure = refused(world.transfers.verify_sms, "send", mv.transaction_id, "000000x")
        assert failure.status == 400 and failure.body["code"] == "INVALID_SMS_PIN"
        left.append(failure.body["attempts_remaining"])
    assert left == [4, 3, 2, 1]
    fifth = refused(world.transfers.verify_sms, "send", mv.transaction_id, "000000x")
    assert fifth.status == 429 and fifth.body["retry_after"] == 900
    assert fifth.body["attempts_remaining"] == 0
    during = refused(world.transfers.verify_sms, "send", mv.transaction_id, mv.sms_pin)
    assert during.status == 429 and 0 < during.body["retry_after"] <= 900
    world.state.clock.advance(900)
    again = refused(world.transfers.verify_sms, "send", mv.transaction_id, "000000x")
    assert again.body["attempts_remaining"] == 4  # a fresh set after the block
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert mv.state == "claim_pending"


def test_the_lockout_follows_the_configured_attempts_and_block() -> None:
    world = make_world(sms_max_attempts=2, sms_block_seconds=60)
    mv = world.transfers.initiate(initiation())
    assert refused(world.transfers.verify_sms, "send", mv.transaction_id, "x").status == 400
    blocked = refused(world.transfers.verify_sms, "send", mv.transaction_id, "x")
    assert blocked.status == 429 and blocked.body["retry_after"] == 60


def test_an_unverified_movement_expires_and_releases_the_reserve(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="50"))
    world.state.clock.advance(30 * 60 - 1)
    world.transfers.sweep()
    assert mv.state == "awaiting_verification"
    world.state.clock.advance(1)
    world.transfers.sweep()
    assert mv.state == "expired" and balances(world) == (Decimal("500"), Decimal("0"))
    late = refused(world.transfers.verify_sms, "send", mv.transaction_id, mv.sms_pin)
    assert late.status == 410 and late.body["code"] == "TRANSACTION_EXPIRED"
    assert mv.verification_state() == "expired"


def test_an_unclaimed_code_expires_and_refunds_the_sender(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="50"))
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    world.state.clock.advance(24 * 3600)
    world.transfers.sweep()
    assert mv.state == "expired" and balances(world) == (Decimal("500"), Decimal("0"))
    assert event_types(world)[-4:] == ["transfer.claim_expired", "transfer.claim_expired",
                                       "transfer.refunded", "balance.updated"]
    refund = world.state.events[-2]["data"]
    assert refund["refunded_amount"] == "50.00" and refund["expiry_reason"] == "claim_expired"


def test_the_sweep_skips_work_until_the_next_deadline(world: World) -> None:
    world.transfers.initiate(initiation(amount="1"))
    deadline = world.state.next_expiry
    assert deadline == pytest.approx(world.state.clock.now() + 30 * 60, abs=1)
    world.transfers.sweep()
    assert world.state.next_expiry == deadline


def test_a_replayed_request_id_returns_the_first_movement(world: World) -> None:
    first = world.transfers.initiate(initiation(request_id="same"))
    assert world.transfers.initiate(initiation(request_id="same")) is first
    assert balances(world) == (Decimal("450"), Decimal("50"))  # reserved once
    changed = refused(world.transfers.initiate, initiation(request_id="same", amount="51"))
    assert changed.status == 409 and changed.body["code"] == "DUPLICATE_REQUEST"
    other_kind = world.transfers.initiate(initiation(kind="transfer", request_id="same"))
    assert other_kind is not first  # sends and transfers have separate request ids


def test_not_enough_currency_reserves_nothing(world: World) -> None:
    failure = refused(world.transfers.initiate, initiation(amount="500.01"))
    assert failure.body["code"] == "INSUFFICIENT_BALANCE"
    assert balances(world) == (Decimal("500"), Decimal("0"))
    assert world.state.movements == {}


def test_destination_rules(world: World) -> None:
    assert refused(world.transfers.initiate, initiation(game=9999)).status == 404
    same = refused(world.transfers.initiate, initiation(receiver=ADA, game=1001))
    assert same.status == 400
    linked = make_world()
    linked.state.home.linked_game_ids = [3003]
    blocked = refused(linked.transfers.initiate, initiation(game=2002))
    assert blocked.status == 403 and blocked.body["code"] == "DESTINATION_NOT_ALLOWED"
    assert linked.transfers.initiate(initiation(game=3003)).target_game_id == 3003


def test_destinations_universal_and_linked(world: World) -> None:
    found = world.transfers.destinations(1001)
    assert [g.game_id for g in found.games] == [2002, 3003]
    world.players.add_game(Game(4004, "Linked", "Coins", "C", linked_game_ids=[2002]))
    assert [g.game_id for g in world.transfers.destinations(4004).games] == [2002]
    assert refused(world.transfers.destinations, 1).status == 404


def test_status_and_kind_checks(world: World) -> None:
    mv = world.transfers.initiate(initiation())
    assert world.transfers.status("send", mv.transaction_id) is mv
    assert refused(world.transfers.status, "transfer", mv.transaction_id).status == 404
    approved = refused(world.transfers.verify_sms, "transfer", mv.transaction_id, "1")
    assert approved.body["error"] == "Transfer not found"


def test_verifying_twice_is_a_409(world: World) -> None:
    mv = world.transfers.initiate(initiation())
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    again = refused(world.transfers.verify_sms, "send", mv.transaction_id, mv.sms_pin)
    assert again.status == 409 and again.body["code"] == "TRANSACTION_NOT_PENDING"
    assert refused(world.transfers.approve_in_app, mv.transaction_id).status == 409


def test_a_minor_waits_for_a_guardian() -> None:
    world = make_world()
    add(world, "kid@example.com", phone="+15555550133", balance=100,
                             is_minor=True)
    mv = world.transfers.initiate(initiation(sender="kid@example.com",
                                             sender_phone="+15555550133", amount="10"))
    assert mv.state == "pending_guardian_approval" and mv.verification_method is None
    assert world.guardians.approval(mv.transaction_id).guardian_state == "pending"
    world.guardians.decide(mv.transaction_id, True)
    assert mv.state == "claim_pending" and mv.guardian_state == "approved"
    assert refused(world.guardians.decide, mv.transaction_id, False).status == 409


def test_a_guardian_rejection_releases_and_silence_expires() -> None:
    world = make_world()
    add(world, "kid@example.com", phone="+15555550133", balance=100,
                             is_minor=True)
    kid = {"sender": "kid@example.com", "sender_phone": "+15555550133", "amount": "10"}
    rejected = world.transfers.initiate(initiation(request_id="a", **kid))
    world.guardians.decide(rejected.transaction_id, False)
    assert rejected.state == "failed" and rejected.guardian_state == "rejected"
    silent = world.transfers.initiate(initiation(request_id="b", **kid))
    world.state.clock.advance(24 * 3600)
    assert world.guardians.approval(silent.transaction_id).guardian_state == "expired"
    assert silent.guardian_decision_source == "timeout"
    assert world.players.by_email("kid@example.com").balance(1001) == Decimal("100")
    assert refused(world.guardians.approval, "nope").status == 404
    adult = world.transfers.initiate(initiation(request_id="c"))
    assert refused(world.guardians.approval, adult.transaction_id).body["code"] == (
        "APPROVAL_NOT_FOUND")


def test_the_next_deadline_is_recomputed_across_every_movement(world: World) -> None:
    a = world.transfers.initiate(initiation(request_id="a", amount="5"))
    world.transfers.verify_sms("send", a.transaction_id, a.sms_pin or "")
    b = world.transfers.initiate(initiation(request_id="b", amount="5"))
    world.state.clock.advance(30 * 60)
    world.transfers.sweep()
    assert b.state == "expired" and a.state == "claim_pending"
    assert world.state.next_expiry == a.claim_code_expires_at
    world.state.clock.advance(72 * 3600)
    world.transfers.sweep()
    assert a.state == "expired" and world.state.next_expiry == float("inf")
