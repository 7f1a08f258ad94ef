"""Currency purchases, players and balances, webhook endpoints: the rules without HTTP."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

import pytest

from invonetwork.sandbox import _wire as wire
from invonetwork.sandbox._model import iso
from invonetwork.sandbox._svc_purchases import CheckoutRequest, DirectPurchase, outcome_for
from invonetwork.sandbox._svc_webhooks import SECRET_GRACE_SECONDS, Registration, check_target_url
from invonetwork.sandbox._world import World

from .conftest import ADA, ADA_PHONE, add, event_types, make_world, refused


def purchase(reference: str = "ref1", method: str = "pm_card", usd: str = "5.00",
             fingerprint: str = "f1", **extra: object) -> DirectPurchase:
    return DirectPurchase(purchase_reference=reference, fingerprint=fingerprint,
                          player_email=ADA, usd_amount=Decimal(usd), payment_method=method,
                          **extra)  # type: ignore[arg-type]


def ada_balance(world: World) -> Decimal:
    return world.players.by_email(ADA).balance(1001)


@pytest.mark.parametrize("method,rail,outcome", [
    ("pm_card_visa", "platform", "success"),
    ("pm_card_declined", "platform", "declined"),
    ("pm_3ds_required", "platform", "requires_action"),
    ("pm_requires_action", "platform", "requires_action"),
    ("pm_pending", "platform", "pending_payment"),
    ("pm_card_visa", "game", "pending_payment"),
    ("pm_declined_pending", "game", "declined"),
])
def test_the_payment_method_picks_the_outcome(method: str, rail: str, outcome: str) -> None:
    assert outcome_for(method, rail) == outcome


def test_a_direct_purchase_credits_usd_times_the_rate(world: World) -> None:
    done = world.purchases.purchase(purchase(usd="5.00"))
    assert done.status == "success" and done.new_balance == Decimal("550")
    assert ada_balance(world) == Decimal("550")
    assert event_types(world) == ["purchase.completed", "balance.updated"]
    data = world.state.events[0]["data"]
    assert (data["usd_amount"], data["currency_amount"], data["metadata"]) == (
        "5.00", "50.00", {})
    assert make_world(currency_per_usd=Decimal("7")).purchases.credited_amount(
        Decimal("1.50")) == Decimal("10.50")


def test_the_same_reference_replays_and_a_different_body_is_a_409(world: World) -> None:
    first = world.purchases.purchase(purchase())
    assert world.purchases.purchase(purchase()) is first
    assert ada_balance(world) == Decimal("550")  # credited once
    other = refused(world.purchases.purchase, purchase(fingerprint="f2"))
    assert other.status == 409 and other.body["code"] == "DUPLICATE_REQUEST"


def test_a_decline_is_a_402_with_an_event_and_no_order(world: World) -> None:
    failure = refused(world.purchases.purchase, purchase(method="pm_card_declined"))
    assert failure.status == 402 and failure.body["code"] == "CARD_DECLINED"
    assert event_types(world) == ["purchase.failed"] and world.state.orders == {}
    assert world.purchases.purchase(purchase(method="pm_ok")).status == "success"  # not stored


def test_three_d_secure_credits_once_on_confirm(world: World) -> None:
    pending = world.purchases.purchase(purchase(method="pm_3ds"))
    assert pending.status == "requires_action" and ada_balance(world) == Decimal("500")
    assert pending.client_secret and pending.payment_intent_id
    intent = pending.payment_intent_id
    wrong = refused(world.purchases.confirm, intent, "ord_other")
    assert wrong.body["field"] == "order_id"
    assert world.purchases.confirm(intent, None).new_balance == Decimal("550")
    assert world.purchases.confirm(intent, pending.order.order_id).new_balance == Decimal("550")
    assert refused(world.purchases.confirm, "pi_unknown", None).status == 404


def test_a_pending_payment_completes_once(world: World) -> None:
    pending = world.purchases.purchase(purchase(method="pm_pending"))
    assert pending.payment_url and pending.payment_url.endswith(pending.order.order_id)
    done = world.purchases.complete_pending(pending.order.order_id)
    assert done.new_balance == Decimal("550") and done.order.status == "completed"
    again = refused(world.purchases.complete_pending, pending.order.order_id)
    assert again.status == 409 and again.body["code"] == "ORDER_NOT_PENDING"
    assert refused(world.purchases.complete_pending, "ord_nope").status == 404
    found = world.purchases.order(None, pending.order.transaction_id)
    assert [t["status"] for t in found.timeline] == ["created", "pending_payment", "completed"]


def test_steam_is_refused_on_the_direct_endpoint(world: World) -> None:
    failure = refused(world.purchases.purchase, purchase(rail="steam"))
    assert failure.body["code"] == "WRONG_RAIL_ENDPOINT"


def test_a_checkout_session_is_single_use_and_expires(world: World) -> None:
    req = CheckoutRequest(ADA, Decimal("10.00"), success_url="https://g.example/ok?s={CHECKOUT_SESSION_ID}",
                          metadata={"pack": "p1"})
    session = world.purchases.create_checkout(req)
    paid = world.purchases.pay_checkout(session.session_id)
    assert paid["currency_received"] == "100.00" and paid["new_balance"] == "600.00"
    assert paid["redirect_url"] == f"https://g.example/ok?s={session.session_id}"
    assert world.state.events[0]["data"]["metadata"] == {"pack": "p1"}
    used = refused(world.purchases.pay_checkout, session.session_id)
    assert used.status == 409 and used.body["code"] == "SESSION_ALREADY_CONSUMED"
    late = world.purchases.create_checkout(dataclasses.replace(req, success_url=None))
    world.state.clock.advance(15 * 60)
    assert refused(world.purchases.pay_checkout, late.session_id).status == 410
    assert refused(world.purchases.pay_checkout, "cs_unknown").status == 404


def test_cancel_consumes_without_a_charge(world: World) -> None:
    session = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
    result = world.purchases.cancel_checkout(session.session_id)
    assert result["status"] == "cancelled" and result["redirect_url"] is None
    assert ada_balance(world) == Decimal("500") and world.state.events == []
    assert refused(world.purchases.pay_checkout, session.session_id).status == 409


# -- players -----------------------------------------------------------------------------------


def test_players_by_id_email_and_wallet(world: World) -> None:
    ada = world.players.by_email("Ada@Example.com")
    assert world.players.by_id(ada.player_id) is ada
    assert refused(world.players.by_id, 999).body["code"] == "PLAYER_NOT_FOUND"
    add(world, "ada.alt@example.com", wallet_of=ADA)
    add(world, ADA, linked_emails=["ada@work.example"], balance="500")
    wallet = world.players.wallet(phone=ADA_PHONE, email=None)
    assert wallet.primary is ada
    assert [p.email for p in wallet.members] == [ADA, "ada.alt@example.com"]
    assert world.players.by_email("ada@work.example") is ada
    assert refused(world.players.wallet, phone=None, email="x@example.com").status == 404


def test_seed_values_are_checked_before_anything_changes(world: World) -> None:
    with pytest.raises(ValueError):
        add(world, "new@example.com", balances={9999: 1})
    with pytest.raises(ValueError):
        add(world, "new@example.com", balance="-1")
    with pytest.raises(ValueError):
        add(world, "new@example.com", wallet_of="ghost@example.com")
    with pytest.raises(ValueError):
        add(world, "not-an-email")
    assert world.state.find_player("new@example.com") is None
    player = add(world, "new@example.com", balances={2002: "3.5"})
    assert player.balance(2002) == Decimal("3.5") and player.balance(1001) == Decimal("0")


# -- webhook endpoints -------------------------------------------------------------------------


def test_register_then_update_and_compression(world: World) -> None:
    reg = Registration("https://hooks.example/invo", ["item.purchased"], "gzip")
    assert world.webhooks.register("1001", reg) is True
    assert world.webhooks.register("1001", Registration("https://hooks.example/2", ["*"])) is False
    sub = world.state.subscription
    assert sub is not None and sub.compression == "gzip" and sub.wants("anything")
    world.webhooks.register("1001", Registration("https://hooks.example/2", ["*"], "none"))
    assert sub.compression is None
    assert refused(world.webhooks.register, "2002", reg).body["code"] == "GAME_MISMATCH"


def test_rotation_keeps_the_old_secret_for_seven_days(world: World) -> None:
    assert refused(world.webhooks.rotate, "1001").body["code"] == "WEBHOOK_NOT_FOUND"
    world.webhooks.register("1001", Registration("https://hooks.example/invo", ["*"]))
    old = world.webhooks.current_secret
    rotation = world.webhooks.rotate("1001")
    assert rotation.new.version == 2 and rotation.old is old
    assert [s.version for s in world.webhooks.valid_secrets()] == [2, 1]
    world.state.clock.advance(SECRET_GRACE_SECONDS)
    assert [s.version for s in world.webhooks.valid_secrets()] == [2]


@pytest.mark.parametrize("url,ok", [
    ("https://hooks.example/invo", True),
    ("http://127.0.0.1:8000/hooks", True),
    ("http://localhost/hooks", True),
    ("http://[::1]:9/x", True),
    ("http://hooks.example/invo", False),
    ("https://10.0.0.5/x", False),
    ("https://169.254.169.254/latest", False),
    ("https://metadata.google.internal/x", False),
    ("ftp://hooks.example", False),
    ("https://", False),
])
def test_target_urls(url: str, ok: bool) -> None:
    if ok:
        check_target_url(url)
    else:
        assert refused(check_target_url, url).body["code"] == "INVALID_TARGET_URL"


def test_a_test_event_is_emitted(world: World) -> None:
    event = world.webhooks.send_test("1001", None)
    assert event["event_type"] == "webhook.test" and event["tenant_id"] == "1001"
    assert event["event_id"] == event["idempotency_key"]
    assert event["created_at"].endswith("+00:00")


def test_a_wallet_lists_every_email_of_every_member(world: World) -> None:
    add(world, "ada.alt@example.com", wallet_of=ADA, linked_emails=["alt@work.example"])
    add(world, ADA, phone=ADA_PHONE, balance="500", linked_emails=["ada@home.example"])
    body = wire.wallet(world.players.wallet(phone=None, email="alt@work.example"))
    assert body["primary_email"] == ADA and body["primary_phone"] == ADA_PHONE
    assert [(e["email"], e["primary"]) for e in body["emails"]] == [
        (ADA, True), ("ada@home.example", False), ("ada.alt@example.com", False),
        ("alt@work.example", False)]
    assert all(e["verified_at"].endswith("Z") for e in body["emails"])
    assert body["wallet_user_id"].startswith("wal_") and body["is_minor"] is False


def test_a_declined_reference_is_not_remembered_so_a_retry_charges_again(world: World) -> None:
    refused(world.purchases.purchase, purchase("d1", method="pm_card_declined"))
    refused(world.purchases.purchase, purchase("d1", method="pm_card_declined"))
    assert event_types(world) == ["purchase.failed", "purchase.failed"]
    assert world.purchases.purchase(purchase("d1", method="pm_ok",
                                             fingerprint="f-new")).status == "success"


def test_a_three_d_secure_order_can_also_be_completed_from_its_page(world: World) -> None:
    pending = world.purchases.purchase(purchase("s1", method="pm_3ds"))
    done = world.purchases.complete_pending(pending.order.order_id)
    assert done.new_balance == Decimal("550")
    again = world.purchases.confirm(pending.payment_intent_id or "", None)
    assert again.new_balance == Decimal("550")  # confirming a paid order credits nothing


def test_transfer_events_carry_the_movement(world: World) -> None:
    from .conftest import initiation

    mv = world.transfers.initiate(initiation(kind="transfer", amount="12.5", game=3003))
    world.transfers.verify_sms("transfer", mv.transaction_id, mv.sms_pin or "")
    sent = world.state.events[0]["data"]
    ada = world.players.by_email(ADA)
    assert sent == {
        "transaction_id": mv.transaction_id, "flow": "transfer", "order_id": mv.order_id,
        "amount": "12.50", "net_transfer_amount": "11.25",
        "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
        "from_game_id": "1001", "to_game_id": "3003", "from_player_id": str(ada.player_id),
        "direction": "outbound", "approved_by": "sms",
    }
    outbound, inbound = world.state.events[1]["data"], world.state.events[2]["data"]
    assert outbound == {k: v for k, v in sent.items() if k != "approved_by"}
    assert inbound == {**outbound, "direction": "inbound", "to_phone": "+15555550199",
                       "to_identity_id": None}


def test_seeding_an_existing_email_updates_that_player(world: World) -> None:
    ada = world.players.by_email(ADA)
    again = add(world, "ADA@example.com", name="Ada L.", phone="+15555550144", balance="7",
                passkey_enrolled=True, linked_emails=["a@one.example"])
    assert again is ada and ada.player_id == 1
    assert (ada.name, ada.phone, ada.passkey_enrolled) == ("Ada L.", "+15555550144", True)
    assert ada.balance(1001) == Decimal("7")  # the seed sets the balance
    add(world, ADA, linked_emails=["a@one.example", "a@two.example"])
    assert ada.linked_emails == ["a@one.example", "a@two.example"]
    assert ada.balance(1001) == Decimal("0") and ada.name == "Ada L."  # unnamed: kept
    with pytest.raises(ValueError, match="already belongs to bob"):
        add(world, ADA, phone="+15555550111")
    assert ada.phone == "+15555550144"  # refused: unchanged
