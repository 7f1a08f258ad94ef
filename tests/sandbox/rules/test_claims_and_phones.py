"""Claims, the one-phone-one-wallet rule, and phone-share consent."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invonetwork.sandbox._world import World

from .conftest import (
    ADA,
    ADA_PHONE,
    BOB,
    BOB_PHONE,
    ZED_PHONE,
    add,
    claim,
    event_types,
    initiation,
    make_world,
    refused,
    verified,
)


def test_a_claim_credits_the_destination_currency_after_the_network_fee(world: World) -> None:
    code = verified(world, amount="50")
    outcome = world.claims.claim(claim(code))
    assert outcome.receiver is not None and outcome.receiver.email == "zed@example.com"
    assert outcome.receiver.balance(2002) == Decimal("45.00")  # 10 % network fee
    assert outcome.receiver.phone == ZED_PHONE  # a free phone goes to its claimant
    assert outcome.movement.state == "completed"
    assert event_types(world)[-2:] == ["transfer.received", "balance.updated"]


def test_claim_codes_are_case_insensitive_single_use_and_expire(world: World) -> None:
    code = verified(world, request_id="a")
    world.claims.claim(claim(code.lower()))
    used = refused(world.claims.claim, claim(code))
    assert used.status == 400 and used.body["code"] == "NOT_CLAIMABLE"
    assert refused(world.claims.claim, claim("NOPE2345")).status == 404
    late = verified(world, request_id="b")
    world.state.clock.advance(24 * 3600)
    expired = refused(world.claims.claim, claim(late))
    assert expired.status == 400 and expired.body["code"] == "CLAIM_EXPIRED"


def test_the_phone_must_be_the_one_the_money_was_sent_to(world: World) -> None:
    code = verified(world)
    failure = refused(world.claims.claim, claim(code, phone="+15555550998"))
    assert failure.status == 403 and failure.body["code"] == "PHONE_MISMATCH"
    assert failure.body["field"] == "receiver_player_phone"
    assert world.claims.claim(claim(code)).receiver is not None


def test_a_transfer_claim_names_the_destination_currency(world: World) -> None:
    code = verified(world, kind="transfer")
    wrong = refused(world.claims.claim, claim(code, kind="transfer", currency=3003))
    assert wrong.body["code"] == "NOT_CLAIMABLE" and wrong.body["expected_currency_id"] == 2002
    assert refused(world.claims.claim, claim(code, kind="send")).status == 404  # wrong flow
    done = world.claims.claim(claim(code, kind="transfer", currency=2002))
    assert done.receiver is not None


def test_accounts_of_one_wallet_are_candidates(world: World) -> None:
    add(world, "zed@example.com", phone=ZED_PHONE)
    add(world, "zed.kid@example.com", phone=ZED_PHONE, wallet_of="zed@example.com")
    code = verified(world)
    choose = world.claims.claim(claim(code))
    assert choose.receiver is None
    assert [p.email for p in choose.candidates] == ["zed@example.com", "zed.kid@example.com"]
    kid = choose.candidates[1].player_id
    assert refused(world.claims.claim, claim(code, chosen=1)).body["code"] == (
        "INVALID_TARGET_PLAYER")  # Ada is no candidate
    done = world.claims.claim(claim(code, chosen=kid))
    assert done.receiver is not None and done.receiver.email == "zed.kid@example.com"


def test_a_held_phone_needs_its_owners_consent_to_claim(world: World) -> None:
    code = verified(world, receiver="eve@example.com", receiver_phone=BOB_PHONE)
    ask = refused(world.claims.claim, claim(code, email="eve@example.com", phone=BOB_PHONE))
    assert ask.status == 409 and ask.body["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"
    otp = world.state.otps[BOB_PHONE][-1]
    world.phone_share.approve(ask.body["approval_id"], otp)
    done = world.claims.claim(claim(code, email="eve@example.com", phone=BOB_PHONE))
    assert done.receiver is not None and done.receiver.email == "eve@example.com"
    assert done.receiver.phone is None and world.players.by_email(BOB).phone == BOB_PHONE


def test_inbound_pending_by_email_or_phone(world: World) -> None:
    verified(world, request_id="a")
    world.transfers.initiate(initiation(request_id="b"))  # not verified: not claimable
    assert len(world.claims.inbound_pending("ZED@example.com", None)) == 1
    assert len(world.claims.inbound_pending(None, ZED_PHONE)) == 1
    assert world.claims.inbound_pending("other@example.com", "+15555550000") == []


# -- one phone, one wallet ---------------------------------------------------------------------


def test_seeding_refuses_a_second_holder_outside_the_wallet(world: World) -> None:
    with pytest.raises(ValueError, match="wallet_of"):
        add(world, "eve@example.com", phone=ADA_PHONE)
    assert world.state.find_player("eve@example.com") is None
    add(world, "ada2@example.com", phone=ADA_PHONE, wallet_of=ADA)
    assert world.state.phone_holder(ADA_PHONE, world.players.by_email(ADA)) is None


def test_writes_attach_only_free_phones(world: World) -> None:
    eve = world.state.player_for_write("eve@example.com")
    world.state.attach_phone(eve, ADA_PHONE)
    assert eve.phone is None
    world.state.attach_phone(eve, "+15555550144")
    world.state.attach_phone(eve, "+15555550155")  # never replaced once set
    assert eve.phone == "+15555550144"


def test_a_token_for_a_held_phone_needs_consent_and_does_not_move_the_phone(
    world: World
) -> None:
    ask = refused(world.players.mint_token, "eve@example.com", ADA_PHONE)
    assert ask.body["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"
    world.phone_share.approve(ask.body["approval_id"], world.state.otps[ADA_PHONE][-1])
    token = world.players.mint_token("eve@example.com", ADA_PHONE)
    assert token.token.startswith("ivpt_") and token.player.phone is None
    own = world.players.mint_token(ADA, ADA_PHONE)
    assert own.player.email == ADA


# -- phone-share consent -----------------------------------------------------------------------


def consent_world() -> World:
    world = make_world()
    world.phone_share.set_phone_owner("+15555550150", "owner@example.com")
    return world


def test_consent_codes_count_down_block_and_expire() -> None:
    world = consent_world()
    ask = refused(world.players.mint_token, "me@example.com", "+15555550150")
    approval_id = ask.body["approval_id"]
    left = [refused(world.phone_share.approve, approval_id, "nope").body["attempts_remaining"]
            for _ in range(5)]
    assert left == [4, 3, 2, 1, 0]
    blocked = refused(world.phone_share.approve, approval_id, "nope")
    assert blocked.status == 429 and blocked.body["code"] == "OTP_ATTEMPTS_EXCEEDED"
    later = consent_world()
    ask = refused(later.players.mint_token, "me@example.com", "+15555550150")
    later.state.clock.advance(10 * 60)
    expired = refused(later.phone_share.approve, ask.body["approval_id"], "whatever")
    assert expired.status == 410 and expired.body["code"] == "OTP_EXPIRED"


def test_consent_once_granted_is_remembered() -> None:
    world = consent_world()
    approval, done = world.phone_share.initiate("+15555550150", "me@example.com")
    assert not done and world.state.otps["+15555550150"] == [approval.otp]
    resent, _ = world.phone_share.initiate("+15555550150", "me@example.com")
    assert resent is approval and world.state.otps["+15555550150"] == [approval.otp] * 2
    world.phone_share.approve(approval.approval_id, approval.otp)
    assert world.phone_share.status("+15555550150", "ME@example.com")
    again, done = world.phone_share.initiate("+15555550150", "me@example.com")
    assert done and again is approval
    twice = refused(world.phone_share.approve, approval.approval_id, approval.otp)
    assert twice.status == 409 and twice.body["already_approved"] is True
    assert refused(world.phone_share.approve, "psa_unknown", "1").status == 404
    assert world.phone_share.owner("+15555550150", "owner@example.com") is None
    with pytest.raises(ValueError):
        world.phone_share.set_phone_owner("5550150", "x@example.com")


def test_an_exhausted_consent_expires_and_a_new_one_starts_fresh() -> None:
    world = consent_world()
    ask = refused(world.players.mint_token, "me@example.com", "+15555550150")
    first_id = ask.body["approval_id"]
    for _ in range(5):
        refused(world.phone_share.approve, first_id, "wrong")
    assert refused(world.phone_share.approve, first_id, "wrong").status == 429
    world.state.clock.advance(10 * 60)
    assert refused(world.phone_share.approve, first_id, "wrong").status == 410
    again = refused(world.players.mint_token, "me@example.com", "+15555550150")
    second_id = again.body["approval_id"]
    assert second_id != first_id
    assert refused(world.phone_share.approve, second_id, "wrong").body[
        "attempts_remaining"] == 4
    world.phone_share.approve(second_id, world.state.otps["+15555550150"][-1])
    assert world.players.mint_token("me@example.com", "+15555550150").token


def test_the_same_pending_consent_is_reused_until_it_expires() -> None:
    world = consent_world()
    first = refused(world.players.mint_token, "me@example.com", "+15555550150")
    second = refused(world.players.mint_token, "ME@example.com", "+15555550150")
    assert first.body["approval_id"] == second.body["approval_id"]
    assert len(world.state.otps["+15555550150"]) == 1  # asking again does not re-text
    other = refused(world.players.mint_token, "you@example.com", "+15555550150")
    assert other.body["approval_id"] != first.body["approval_id"]  # one per email


def test_a_token_for_an_unknown_player_is_a_404_when_auto_create_is_off() -> None:
    world = make_world(auto_create_players=False)
    failure = refused(world.players.mint_token, "ghost@example.com", None)
    assert failure.body["code"] == "PLAYER_NOT_FOUND"
    assert world.players.mint_token(ADA, None).player.email == ADA
    assert world.state.tokens  # remembered, though never checked
