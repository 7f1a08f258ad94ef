"""Whole stories through the services, checking every balance and event on the way."""

from __future__ import annotations

from decimal import Decimal

from invonetwork.sandbox import _wire as wire
from invonetwork.sandbox._svc_purchases import CheckoutRequest
from invonetwork.sandbox._world import World

from .conftest import ADA, add, claim, event_types, initiation, item, make_world, refused

ZED = "zed@example.com"


def money(world: World, email: str) -> dict[int, tuple[Decimal, Decimal]]:
    player = world.players.by_email(email)
    gids = sorted(set(player.available) | set(player.reserved))
    return {g: (player.balance(g), player.reserved.get(g, Decimal("0"))) for g in gids}


def test_a_send_from_purchase_to_claim(world: World) -> None:
    session = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("10.00")))
    world.purchases.pay_checkout(session.session_id)
    assert money(world, ADA) == {1001: (Decimal("600"), Decimal("0"))}
    world.items.purchase(item("sword", "100.00"))
    assert money(world, ADA)[1001] == (Decimal("500"), Decimal("0"))
    mv = world.transfers.initiate(initiation(amount="120"))
    assert money(world, ADA)[1001] == (Decimal("380"), Decimal("120"))
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert money(world, ADA)[1001] == (Decimal("380"), Decimal("0"))
    outcome = world.claims.claim(claim(mv.claim_code or ""))
    assert outcome.receiver is not None
    assert money(world, ZED) == {1001: (Decimal("0"), Decimal("0")),
                                 2002: (Decimal("108.00"), Decimal("0"))}
    assert event_types(world) == [
        "purchase.completed", "balance.updated",
        "item.purchased", "balance.updated",
        "transfer.sent", "transfer.claim_pending", "transfer.claim_pending", "balance.updated",
        "transfer.received", "balance.updated",
    ]
    reasons = [e["data"]["reason"] for e in world.state.events
               if e["event_type"] == "balance.updated"]
    assert reasons == ["purchase", "item_purchase", "send", "send_received"]
    rows = {r["game_id"]: r for r in wire.balances(world.state, world.players.by_email(ZED))[
        "balances"]}
    assert rows[2002]["available_balance"] == "108.00" and rows[2002]["last_transaction"]


def test_a_minors_transfer_to_a_linked_game() -> None:
    world = make_world()
    world.state.home.linked_game_ids = [3003]
    add(world, "kid@example.com", phone="+15555550133", balance=40, is_minor=True)
    kid = {"sender": "kid@example.com", "sender_phone": "+15555550133"}
    assert refused(world.transfers.initiate,
                   initiation(kind="transfer", game=2002, **kid)).status == 403
    mv = world.transfers.initiate(initiation(kind="transfer", game=3003, amount="15", **kid))
    assert money(world, "kid@example.com")[1001] == (Decimal("25"), Decimal("15"))
    assert refused(world.transfers.approve_in_app, mv.transaction_id).status == 409
    world.guardians.decide(mv.transaction_id, True, source="guardian_email")
    assert mv.guardian_decision_source == "guardian_email"
    assert world.state.events[0]["data"]["approved_by"] == "guardian"
    wrong = refused(world.claims.claim, claim(mv.claim_code or "", kind="transfer",
                                              currency=2002))
    assert wrong.body["code"] == "NOT_CLAIMABLE"
    world.claims.claim(claim(mv.claim_code or "", kind="transfer", currency=3003))
    assert money(world, ZED)[3003] == (Decimal("13.50"), Decimal("0"))


def test_an_unclaimed_send_comes_back_and_the_code_dies(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="60"))
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert [m.transaction_id for m in world.claims.inbound_pending(ZED, None)] == [
        mv.transaction_id]
    world.state.clock.advance(24 * 3600)
    assert world.claims.inbound_pending(ZED, None) == []
    assert money(world, ADA)[1001] == (Decimal("500"), Decimal("0"))
    assert refused(world.claims.claim, claim(mv.claim_code or "")).body["code"] == (
        "CLAIM_EXPIRED")
    assert world.transfers.status("send", mv.transaction_id).verification_state() == "expired"


def test_a_code_is_unknown_until_the_sender_verifies(world: World) -> None:
    mv = world.transfers.initiate(initiation())
    assert mv.claim_code is None
    assert refused(world.claims.claim, claim("ABCDEFGH")).status == 404
    assert world.claims.inbound_pending(ZED, "+15555550199") == []


def test_cancelled_and_expired_sessions_cannot_be_paid_or_cancelled(world: World) -> None:
    cancelled = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
    world.purchases.cancel_checkout(cancelled.session_id)
    assert refused(world.purchases.pay_checkout, cancelled.session_id).status == 409
    assert refused(world.purchases.cancel_checkout, cancelled.session_id).status == 409
    late = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
    world.state.clock.advance(15 * 60)
    assert refused(world.purchases.cancel_checkout, late.session_id).status == 410
    assert money(world, ADA)[1001] == (Decimal("500"), Decimal("0"))


def test_a_reset_world_starts_empty_but_keeps_its_secrets(world: World) -> None:
    before = world.webhooks.current_secret
    world.items.purchase(item("r1", "1.00"))
    world.state.reset()
    assert world.state.players == {} and world.state.events == []
    assert world.webhooks.current_secret is before
    assert world.state.new_player("again@example.com").player_id == 1
