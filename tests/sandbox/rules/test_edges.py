"""Edges of the rules: boundaries, orderings of checks, and states that do not allow an action."""

from __future__ import annotations

from decimal import Decimal

from invonetwork.sandbox._svc_purchases import CheckoutRequest, DirectPurchase
from invonetwork.sandbox._svc_webhooks import Registration
from invonetwork.sandbox._world import World

from .conftest import ADA, ADA_PHONE, add, claim, initiation, make_world, refused, verified


def direct(reference: str, **fields: object) -> DirectPurchase:
    base: dict[str, object] = {"purchase_reference": reference, "fingerprint": reference,
                               "player_email": ADA, "usd_amount": Decimal("1.00")}
    base.update(fields)
    return DirectPurchase(**base)  # type: ignore[arg-type]


def test_a_send_of_the_whole_balance_is_allowed(world: World) -> None:
    mv = world.transfers.initiate(initiation(amount="500"))
    assert world.players.by_email(ADA).balance(1001) == Decimal("0")
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert world.players.by_email(ADA).reserved[1001] == Decimal("0")


def test_the_game_rail_always_waits_for_payment(world: World) -> None:
    outcome = world.purchases.purchase(direct("g1", rail="game", payment_method="pm_card"))
    assert outcome.status == "pending_payment" and outcome.new_balance is None
    assert world.state.events == []


def test_metadata_and_the_buyers_name_and_phone(world: World) -> None:
    outcome = world.purchases.purchase(direct(
        "m1", player_email="new@example.com", player_name="Newt",
        player_phone="+15555550177", metadata={"sku": "gold_100"}))
    buyer = world.players.by_email("new@example.com")
    assert (buyer.name, buyer.phone) == ("Newt", "+15555550177")
    assert world.state.events[0]["data"]["metadata"] == {"sku": "gold_100"}
    assert outcome.order.details["purchase_reference"] == "m1"


def test_order_reads_need_every_given_id_to_match(world: World) -> None:
    order = world.purchases.purchase(direct("o1")).order
    assert world.purchases.order(order.order_id, order.transaction_id) is order
    assert refused(world.purchases.order, order.order_id, "txn_other").status == 404
    assert world.purchases.order(order.order_id, None) is order


def test_checkout_sessions_create_the_player_and_keep_the_rail(world: World) -> None:
    session = world.purchases.create_checkout(
        CheckoutRequest("fresh@example.com", Decimal("3.00"), rail="steam"))
    assert session.rail == "steam" and world.state.find_player("fresh@example.com")
    assert session.expires_at - session.created_at == 15 * 60
    strict = make_world(auto_create_players=False)
    failure = refused(strict.purchases.create_checkout,
                      CheckoutRequest("fresh@example.com", Decimal("3.00")))
    assert failure.body["code"] == "PLAYER_NOT_FOUND"


def test_a_guardian_pending_movement_cannot_be_verified_by_pin() -> None:
    world = make_world()
    add(world, "kid@example.com", phone="+15555550133", balance=10, is_minor=True)
    mv = world.transfers.initiate(initiation(sender="kid@example.com",
                                             sender_phone="+15555550133", amount="1"))
    failure = refused(world.transfers.verify_sms, "send", mv.transaction_id, "123456")
    assert failure.status == 409 and failure.body["code"] == "TRANSACTION_NOT_PENDING"
    world.state.clock.advance(24 * 3600)
    assert refused(world.guardians.decide, mv.transaction_id, True).status == 409


def test_an_expired_code_stays_expired_after_the_refund(world: World) -> None:
    code = verified(world)
    world.state.clock.advance(24 * 3600 + 1)
    first = refused(world.claims.claim, claim(code))
    second = refused(world.claims.claim, claim(code))
    assert first.status == second.status == 400
    assert first.body["code"] == second.body["code"] == "CLAIM_EXPIRED"
    refunds = [e for e in world.state.events if e["event_type"] == "transfer.refunded"]
    assert len(refunds) == 1  # refunded once, however often it is tried


def test_the_claim_checks_come_in_a_fixed_order(world: World) -> None:
    code = verified(world, kind="transfer")
    both = refused(world.claims.claim, claim(code, kind="transfer", phone=ADA_PHONE,
                                             currency=9))
    assert both.body["code"] == "PHONE_MISMATCH"  # the phone is checked before the currency


def test_the_claimant_may_choose_their_own_account_by_id(world: World) -> None:
    zed = add(world, "zed@example.com")
    code = verified(world)
    done = world.claims.claim(claim(code, chosen=zed.player_id))
    assert done.receiver is zed and zed.balance(2002) == Decimal("45.00")


def test_registration_without_compression_keeps_the_previous_choice(world: World) -> None:
    world.webhooks.register("1001", Registration("https://h.example/1", ["*"], "gzip"))
    world.webhooks.register("1001", Registration("https://h.example/2", ["a.b"]))
    sub = world.state.subscription
    assert sub is not None and sub.compression == "gzip" and sub.subscribed_events == ["a.b"]
    assert refused(world.webhooks.send_test, "2002", None).body["code"] == "GAME_MISMATCH"


def test_two_rotations_leave_three_secrets_and_the_grace_of_each(world: World) -> None:
    world.webhooks.register("1001", Registration("https://h.example/1", ["*"]))
    world.webhooks.rotate("1001")
    world.state.clock.advance(3 * 24 * 3600)
    world.webhooks.rotate("1001")
    assert [s.version for s in world.webhooks.valid_secrets()] == [3, 2, 1]
    world.state.clock.advance(4 * 24 * 3600)
    assert [s.version for s in world.webhooks.valid_secrets()] == [3, 2]
