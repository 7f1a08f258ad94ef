"""The sandbox's subscription rules, one test each, through the SDK over real local HTTP.

Every emitted ``subscription.*`` / ``purchase.completed`` event is also parsed with the strict
typed payloads (``WebhookEvent.payload()``), so a key of the wrong type fails here.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from invonetwork import InvoError, InvoServer, RefundPendingApproval, RefundReceipt, WebhookEvent
from invonetwork.sandbox import Sandbox

ADA = "ada@example.com"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": ADA, "name": "Ada"}]) as running:
        yield running
        for event in running.events:
            if event["event_type"].startswith(("subscription.", "purchase.")):
                WebhookEvent.from_payload(event).payload()  # strict: raises on a bad key


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    client = sb.client(retry_base_delay=0.01)
    yield client
    client.close()


def subscribe(invo: InvoServer, key: str = "k1", **extra: Any) -> Any:
    return invo.subscriptions.create(client_request_id=key, player_email=ADA,
                                     player_name="Ada", item_id="vip", amount_usd="9.99",
                                     **extra)


def types(sb: Sandbox) -> list[str]:
    return [e["event_type"] for e in sb.events if e["event_type"].startswith("subscription.")]


def data(sb: Sandbox, event_type: str) -> list[dict[str, Any]]:
    return [e["data"] for e in sb.events_of(event_type)]


def code_of(call: Any) -> tuple[int, str]:
    with pytest.raises(InvoError) as caught:
        call()
    return caught.value.status, str(caught.value.code)


# -- create ------------------------------------------------------------------------------------


def test_charged_create_pays_period_one_and_opens_period_two(invo: InvoServer,
                                                             sb: Sandbox) -> None:
    sb.save_card(ADA)
    result = subscribe(invo)
    sub = result.subscription
    assert result.status == "active" and sub.status == "active"
    assert result.first_charge.status == "paid" and result.first_charge.paid_period_seq == 1
    assert sub.period_seq == 2 and sub.paid_through == sub.current_period_start
    assert result.first_charge.paid_through == sub.paid_through
    assert result.card is not None and result.card.last_four == "4242"
    [renewed] = data(sb, "subscription.renewed")
    assert renewed["period_seq"] == 1 and renewed["current_period_start"] == sub.paid_through


def test_renewal_mints_coins_and_emits_the_mint_leg(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    subscribe(invo)
    [renewed] = data(sb, "subscription.renewed")
    [mint] = data(sb, "purchase.completed")
    assert mint["order_id"] == renewed["mint_order_id"]
    assert mint["metadata"]["source"] == "subscription_renewal"
    assert mint["metadata"]["subscription_id"] == renewed["subscription_id"]
    assert sb.balance(ADA) == Decimal("99.90") == Decimal(renewed["funding"]["new_balance"])
    assert renewed["funding"]["balance_applied_coins"] == "0.00"
    assert renewed["split"]["invo_fee_usd"] == "0.50"  # 3.5 % + 0.15 of 9.99


def test_create_without_a_card_is_created_past_due(invo: InvoServer, sb: Sandbox) -> None:
    result = subscribe(invo)
    assert result.subscription.status == "past_due"
    assert result.first_charge.status == "failed"
    assert result.first_charge.failure_code == "no_payment_method"
    assert result.first_charge.next_retry_at is not None
    assert types(sb) == ["subscription.payment_failed", "subscription.past_due"]
    assert data(sb, "subscription.payment_failed")[0]["attempt_no"] == 1


def test_wallet_only_is_never_charged(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    result = subscribe(invo, wallet_only=True)
    assert result.first_charge.failure_code == "wallet_only"
    assert not result.subscription.has_payment_method


def test_declining_card(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA, "pm_card_declined")
    result = subscribe(invo)
    assert result.first_charge.failure_code == "card_declined"
    assert data(sb, "subscription.payment_failed")[0]["outcome"] == "card_declined"


def test_issuer_challenge_at_create_then_confirmed(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA, "pm_card_3ds")
    result = subscribe(invo)
    assert result.subscription.status == "awaiting_authentication"
    assert result.first_charge.status == "requires_action"
    url = result.first_charge.confirmation_url
    assert url and result.first_charge.expires_at
    assert types(sb) == ["subscription.authentication_required"]
    page = requests.get(url, timeout=5)
    assert page.status_code == 200 and "Authenticate" in page.text
    done = requests.post(url + "/confirm", timeout=5)
    assert done.json() == {"status": "authenticated"}
    assert invo.subscriptions.get(result.subscription.subscription_id).status == "active"
    assert data(sb, "subscription.renewed")[0]["period_seq"] == 1
    replay = subscribe(invo)
    assert replay.idempotent_replay and replay.first_charge.confirmation_url is None


def test_free_trial_bills_period_two_at_trial_end(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    result = subscribe(invo, trial_days=7)
    sub = result.subscription
    assert sub.status == "trialing" and result.first_charge.status == "skipped_trial"
    assert sub.period_seq == 2 and sub.next_charge_at == sub.trial_end
    assert sub.paid_through is None and types(sb) == []
    invo.sandbox.subscriptions.advance_clock(sub.subscription_id)
    after = invo.subscriptions.get(sub.subscription_id)
    assert after.status == "active" and after.paid_through is not None
    assert data(sb, "subscription.renewed")[0]["period_seq"] == 2


def test_trial_end_beats_trial_days(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sub = subscribe(invo, trial_days=7, trial_end="2099-01-01T00:00:00Z").subscription
    assert sub.trial_end == "2099-01-01T00:00:00Z"


def test_paid_trial(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    result = subscribe(invo, trial_days=3, trial_amount_usd="1.00")
    sub = result.subscription
    assert sub.status == "trialing" and result.first_charge.amount_usd == "1.00"
    assert result.first_charge.paid_period_seq == 1 and sub.paid_through == sub.trial_end
    [renewed] = data(sb, "subscription.renewed")
    assert renewed["is_trial"] is True and renewed["trial_amount_usd"] == "1.00"
    invo.sandbox.subscriptions.advance_clock(sub.subscription_id)
    assert invo.subscriptions.get(sub.subscription_id).status == "active"
    assert data(sb, "subscription.renewed")[1]["amount_usd"] == "9.99"


def test_paid_trial_needs_a_card_and_refused_expires(invo: InvoServer, sb: Sandbox) -> None:
    assert code_of(lambda: subscribe(invo, trial_days=3, trial_amount_usd="1")) == (
        400, "PAYMENT_METHOD_REQUIRED")
    assert invo.subscriptions.list_for_player(ADA).subscriptions == []
    sb.save_card(ADA, "pm_card_declined")
    result = subscribe(invo, "k2", trial_days=3, trial_amount_usd="1")
    assert result.subscription.status == "expired"
    assert result.first_charge.next_retry_at is None
    [expired] = data(sb, "subscription.expired")
    assert expired["expire_cause"] == "trial_payment_failed" and expired["is_trial"] is True


def test_replays_and_conflicts(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    first = subscribe(invo)
    again = subscribe(invo)
    assert again.idempotent_replay and not first.idempotent_replay
    assert again.subscription.subscription_id == first.subscription.subscription_id
    assert len(data(sb, "subscription.renewed")) == 1  # never re-charged
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.create(client_request_id="k1", player_email=ADA, player_name="Ada",
                                  item_id="vip", amount_usd="19.99", interval="year")
    assert caught.value.is_idempotent_replay_mismatch
    assert caught.value.mismatched_fields == ["amount_usd", "interval"]
    with pytest.raises(InvoError) as caught:
        subscribe(invo, "k-new")
    assert caught.value.is_active_subscription_exists
    assert caught.value.existing_subscription_id == first.subscription.subscription_id


def test_game_not_live(invo: InvoServer, sb: Sandbox) -> None:
    sb._world.state.home.game_status = "testing"
    with pytest.raises(InvoError) as caught:
        subscribe(invo)
    assert caught.value.is_game_not_live and caught.value.status == 403


def test_reads(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo, metadata={"tier": "gold"}).subscription.subscription_id
    got = invo.subscriptions.get(sid, include_player=True)
    assert got.player_email == ADA and got.player_name == "Ada" and got.request_id
    assert got.metadata == {"tier": "gold"} and got.amount_coins_estimate == "99.90"
    assert invo.subscriptions.get(sid).player_email is None
    page = invo.subscriptions.list_for_player(ADA, status=["active", "past_due"], limit=1)
    assert [s.subscription_id for s in page.subscriptions] == [sid]
    assert page.pagination == {"total_count": 1, "limit": 1, "offset": 0, "has_more": False}
    assert invo.subscriptions.list_for_player(ADA, status="canceled").subscriptions == []
    assert code_of(lambda: invo.subscriptions.get("sub_missing")) == (
        404, "SUBSCRIPTION_NOT_FOUND")


# -- the clock and dunning ---------------------------------------------------------------------


def test_dunning_walks_past_due_to_expired(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    clock = invo.sandbox.subscriptions
    results = [clock.force_failure(sid) for _ in range(4)]
    assert [r.subscription["status"] for r in results] == [
        "past_due", "past_due", "past_due", "expired"]
    assert results[0].retry_schedule_days == [2, 3, 2]
    assert [r.retries_remaining for r in results] == [3, 2, 1, 0]
    failed = data(sb, "subscription.payment_failed")
    assert [f["attempt_no"] for f in failed] == [1, 2, 3, 4]
    assert failed[-1]["retry_at"] is None and failed[-1]["retries_remaining"] == 0
    assert len(data(sb, "subscription.past_due")) == 1
    [expired] = data(sb, "subscription.expired")
    assert expired["final_period_end"] == invo.subscriptions.get(sid).paid_through
    assert code_of(lambda: clock.force_failure(sid)) == (409, "SUBSCRIPTION_TERMINAL")


def test_real_retries_follow_the_schedule(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA, "pm_card_insufficient")
    sid = subscribe(invo).subscription.subscription_id
    start = sb.now()
    for _ in range(3):
        invo.sandbox.subscriptions.advance_clock(sid, 0)
    assert invo.subscriptions.get(sid).status == "expired"
    days = round((sb.now() - start) / 86400)
    assert days == 2 + 3 + 2
    assert {f["outcome"] for f in data(sb, "subscription.payment_failed")} == {
        "insufficient_funds"}


def test_a_new_card_applies_to_the_pending_retry(invo: InvoServer, sb: Sandbox) -> None:
    sid = subscribe(invo).subscription.subscription_id  # no card: past_due
    card = sb.save_card(ADA)
    changed = invo.subscriptions.set_payment_method(sid, player_card_id=card["id"])
    assert changed.replaced and changed.card.id == card["id"]
    again = invo.subscriptions.set_payment_method(sid, player_card_id=card["id"])
    assert not again.replaced
    invo.sandbox.subscriptions.advance_clock(sid, 0)
    assert invo.subscriptions.get(sid).status == "active"


def test_payment_method_rules(invo: InvoServer, sb: Sandbox) -> None:
    sid = subscribe(invo).subscription.subscription_id
    assert code_of(lambda: invo.subscriptions.set_payment_method(sid, player_card_id=99)) == (
        404, "PAYMENT_METHOD_NOT_FOUND")
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.set_payment_method(sid, wallet_only=False)
    assert caught.value.is_payment_method_required
    result = invo.subscriptions.set_payment_method(sid, wallet_only=True)
    assert result.wallet_only and result.card is None


def test_advance_clock_bills_each_period_once(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    step = invo.sandbox.subscriptions.advance_clock(sid, 3)
    assert step.engine_stats == {"renewed": 3} and step.window_moved
    assert step.intervals == 3 and step.intervals_applied_to_window == 3
    assert step.before["period_seq"] == 2 and step.after["period_seq"] == 5
    seqs = [d["period_seq"] for d in data(sb, "subscription.renewed")]
    assert seqs == [1, 2, 3, 4]


def test_yearly_interval(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sub = subscribe(invo, interval="year").subscription
    assert sub.current_period_end[:4] == str(int(sub.current_period_start[:4]) + 1)


def test_force_renewal_once_ahead_then_409(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    result = invo.sandbox.subscriptions.force_renewal(sid)
    assert result.action == "force-renewal" and result.engine_stats["renewed"] == 1
    with pytest.raises(InvoError) as caught:
        invo.sandbox.subscriptions.force_renewal(sid)
    assert caught.value.code == "PERIOD_TOO_FAR_AHEAD" and caught.value.status == 409


def test_forced_auth_challenges_then_a_decline(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    clock = invo.sandbox.subscriptions
    first = clock.force_auth_challenge(sid, failure_message="bank says hi")
    assert first.subscription["status"] == "awaiting_authentication"
    assert first.max_auth_challenges == 2 and first.auth_challenges_used == 1
    [event] = data(sb, "subscription.authentication_required")
    assert event["confirmation_url"] == "" and event["retry_consumed"] is False
    assert clock.force_auth_challenge(sid).downgraded_to_decline is False
    third = clock.force_auth_challenge(sid)
    assert third.downgraded_to_decline is True
    assert third.subscription["status"] == "past_due"


def test_an_unanswered_challenge_lapses_into_dunning(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    invo.sandbox.subscriptions.force_auth_challenge(sid)
    invo.sandbox.subscriptions.advance_clock(sid, 0)  # past the deadline
    assert invo.subscriptions.get(sid).status == "past_due"
    assert data(sb, "subscription.payment_failed")[0]["attempt_no"] == 1


def test_a_challenge_completed_by_the_helper(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    invo.sandbox.subscriptions.force_auth_challenge(sid)
    sb.complete_subscription_authentication(sid)
    assert invo.subscriptions.get(sid).status == "active"
    assert len(data(sb, "subscription.renewed")) == 2


def test_sandbox_advance_time_renews_too(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    sb.advance_time(95 * 86400)
    assert len(data(sb, "subscription.renewed")) == 4
    assert invo.subscriptions.get(sid).period_seq == 5


def test_clock_key_and_secret_are_checked(sb: Sandbox) -> None:
    with sb.client(sandbox_clock_key="ivclk_wrong") as wrong, pytest.raises(
            InvoError) as caught:
        wrong.sandbox.subscriptions.force_renewal("sub_x")
    assert caught.value.is_sandbox_clock_unauthorized and caught.value.status == 401
    with InvoServer("ivsdk_test_other", sb.base_url,
                    sandbox_clock_key=sb.sandbox_clock_key) as stranger, pytest.raises(
            InvoError) as caught:
        stranger.sandbox.subscriptions.force_renewal("sub_x")
    assert caught.value.code == "INVALID_GAME_SECRET"


# -- cancel and amount -------------------------------------------------------------------------


def test_cancel_at_period_end_retires_without_charging(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sub = subscribe(invo).subscription
    result = invo.subscriptions.cancel(sub.subscription_id)
    assert result.cancel_at_period_end and result.access_until == sub.paid_through
    assert result.subscription.status == "active"
    retired = invo.sandbox.subscriptions.advance_clock(sub.subscription_id)
    assert retired.action == "retired-at-period-end"
    after = invo.subscriptions.get(sub.subscription_id)
    assert after.status == "canceled" and after.ended_at == sub.paid_through
    assert types(sb).count("subscription.canceled") == 1
    assert len(data(sb, "subscription.renewed")) == 1


def test_cancel_at_period_end_with_nothing_paid_ends_now(invo: InvoServer, sb: Sandbox) -> None:
    sid = subscribe(invo).subscription.subscription_id
    result = invo.subscriptions.cancel(sid)
    assert result.terminated_immediately and result.downgrade_reason == "NO_PAID_PERIOD"
    assert result.status == "canceled"


def test_cancel_now_and_again(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sub = subscribe(invo).subscription
    result = invo.subscriptions.cancel(sub.subscription_id, at_period_end=False, reason="r")
    assert result.status == "canceled" and result.access_until == sub.paid_through
    [event] = data(sb, "subscription.canceled")
    assert event["canceled_by"] == "partner" and event["reason"] == "r"
    again = invo.subscriptions.cancel(sub.subscription_id, at_period_end=False)
    assert again.already_canceled and again.final_status == "canceled"
    assert len(data(sb, "subscription.canceled")) == 1
    assert code_of(lambda: invo.subscriptions.change_amount(sub.subscription_id, "5")) == (
        409, "SUBSCRIPTION_TERMINAL")


def test_cancel_now_after_cancel_at_period_end_sends_no_second_event(
    invo: InvoServer, sb: Sandbox
) -> None:
    """Found by the random-walk test: one ``subscription.canceled`` per cancel request."""
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    assert invo.subscriptions.cancel(sid).cancel_at_period_end
    now = invo.subscriptions.cancel(sid, at_period_end=False)
    assert now.status == "canceled" and not now.already_canceled
    assert invo.subscriptions.get(sid).status == "canceled"
    assert len(data(sb, "subscription.canceled")) == 1


def test_amount_change_applies_from_the_period_after_next(invo: InvoServer,
                                                          sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    change = invo.subscriptions.change_amount(sid, "14.99")
    assert change.change_queued and change.pending_amount_usd == "14.99"
    assert change.applies_from_period_seq == 3 and not change.prorated
    assert change.old_amount_usd == "9.99" and change.new_amount_usd == "14.99"
    invo.sandbox.subscriptions.advance_clock(sid, 2)
    billed = [d["amount_usd"] for d in data(sb, "subscription.renewed")]
    assert billed == ["9.99", "9.99", "14.99"]
    assert invo.subscriptions.get(sid).pending_amount_usd is None


def test_amount_change_back_to_the_current_price_clears_it(invo: InvoServer,
                                                           sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    invo.subscriptions.change_amount(sid, "20")
    cleared = invo.subscriptions.change_amount(sid, "9.99")
    assert not cleared.change_queued and cleared.pending_amount_usd is None


def test_amount_change_over_twice_is_never_applied(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    invo.subscriptions.change_amount(sid, "30")
    invo.sandbox.subscriptions.advance_clock(sid, 3)
    assert {d["amount_usd"] for d in data(sb, "subscription.renewed")} == {"9.99"}


def test_amount_change_before_any_payment(invo: InvoServer, sb: Sandbox) -> None:
    sid = subscribe(invo).subscription.subscription_id
    change = invo.subscriptions.change_amount(sid, "5")
    assert change.applies_from is None and change.applies_from_period_seq is None


# -- refunds -----------------------------------------------------------------------------------


def test_full_refund_cancels_and_stops_counting(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    receipt = invo.subscriptions.refund(sid, client_request_id="r1")
    assert isinstance(receipt, RefundReceipt) and not receipt.is_pending_approval
    assert receipt.is_full_refund and receipt.subscription_canceled is True
    assert receipt.refunded_amount_usd == "9.99" and receipt.card_refunded_usd == "9.99"
    assert receipt.funding_shape == "card" and receipt.balance_delta_coins == "0.00"
    assert receipt.partner_debited_usd == "9.99" and receipt.processing_fee_usd == "0.00"
    assert receipt.initiation == "self_serve" and receipt.warnings[0].code == (
        "REASON_RECOMMENDED")
    after = invo.subscriptions.get(sid)
    assert after.status == "canceled" and after.paid_through is None
    [canceled] = data(sb, "subscription.canceled")
    assert canceled["cancel_cause"] == "full_refund"
    [refunded] = data(sb, "subscription.refunded")
    assert refunded["is_full_refund"] and refunded["period_status"] == "refunded"
    replay = invo.subscriptions.refund(sid, client_request_id="r1")
    assert replay.idempotent_replay and replay.new_balance is None
    assert replay.transaction_id == receipt.transaction_id


def test_partial_refunds_and_their_limits(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    part = invo.subscriptions.refund(sid, client_request_id="r1", amount_usd="4",
                                     reason="goodwill")
    assert not part.is_full_refund and part.remaining_refundable_usd == "5.99"
    assert part.partner_revenue_reversal_mode == "prorata" and part.warnings == []
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.refund(sid, client_request_id="r2", amount_usd="6")
    assert caught.value.code == "AMOUNT_EXCEEDS_REMAINING"
    assert caught.value.body["remaining_refundable_usd"] == "5.99"
    assert code_of(lambda: invo.subscriptions.refund(sid, client_request_id="r3",
                                                     period_seq=7)) == (
        409, "PERIOD_NOT_REFUNDABLE")
    assert invo.subscriptions.get(sid).status == "active"


def test_refund_needs_a_paid_period_and_an_open_window(invo: InvoServer, sb: Sandbox) -> None:
    sid = subscribe(invo).subscription.subscription_id
    assert code_of(lambda: invo.subscriptions.refund(sid, client_request_id="r")) == (
        409, "NO_PAID_PERIOD")
    sb.reset()  # a fresh row, paid, then aged past the 30-day window
    sb.save_card(ADA)
    fresh = subscribe(invo, "k3", interval="year").subscription.subscription_id
    sb.advance_time(31 * 86400)
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.refund(fresh, client_request_id="r")
    assert caught.value.is_refund_window_closed and caught.value.refund_window_days == 30


def test_refund_over_the_cap_becomes_a_request_then_approved(invo: InvoServer,
                                                             sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    sb.set_refund_daily_cap("5")
    pending = invo.subscriptions.refund(sid, client_request_id="r1", reason="broken")
    assert isinstance(pending, RefundPendingApproval) and pending.is_pending_approval
    assert pending.request_id.startswith("SRR") and pending.request_status == "pending"
    assert pending.daily_cap_usd == "5.00" and pending.requested_amount_usd == "9.99"
    assert invo.subscriptions.refund(sid, client_request_id="r1") == pending
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.refund(sid, client_request_id="r2")
    assert caught.value.is_refund_request_pending
    assert data(sb, "subscription.refund_requested")[0]["request_id"] == pending.request_id
    receipt = sb.approve_refund_request(pending.request_id)
    assert receipt["initiation"] == "approved_request"
    replay = invo.subscriptions.refund(sid, client_request_id="r1")
    assert isinstance(replay, RefundReceipt) and replay.idempotent_replay
    [approved] = data(sb, "subscription.refund_approved")
    assert approved["transaction_id"] == receipt["transaction_id"]
    assert types(sb)[-3:] == ["subscription.refunded", "subscription.canceled",
                              "subscription.refund_approved"]


def test_a_rejected_request(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    sb.set_refund_daily_cap("1")
    pending = invo.subscriptions.refund(sid, client_request_id="r1")
    sb.reject_refund_request(pending.request_id, "abuse")
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.refund(sid, client_request_id="r1")
    assert caught.value.is_refund_request_rejected
    assert caught.value.refund_request_id == pending.request_id
    assert caught.value.decision_reason == "abuse"
    assert data(sb, "subscription.refund_rejected")[0]["decision_reason"] == "abuse"
    assert invo.subscriptions.get(sid).status == "active"


# -- Steam -------------------------------------------------------------------------------------


def steam_init(invo: InvoServer, key: str = "s1", **extra: Any) -> Any:
    return invo.subscriptions.steam_init(
        client_request_id=key, player_email=ADA, player_name="Ada", item_id="pass",
        amount_usd="9.99", steam_id="76561198000000000", **extra)


def test_steam_agreement_path(invo: InvoServer, sb: Sandbox) -> None:
    init = steam_init(invo)
    assert init.subscription_status == "pending_steam_authorization"
    assert init.first_charge.status == "pending_authorization"
    assert init.steam_order_id.isdigit() and init.amount_coins == "69.00"
    assert init.steam_checkout_url is None
    assert steam_init(invo).idempotent_replay
    assert steam_init(invo, "s2").pending_reuse
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.steam_init(
            client_request_id="s3", player_email=ADA, player_name="Ada", item_id="pass",
            amount_usd="4.99", steam_id="76561198000000000")
    assert caught.value.is_steam_authorization_pending
    done = invo.subscriptions.steam_finalize(init.subscription_id)
    assert done.sandbox_auto_approved and done.first_charge.status == "paid"
    assert done.subscription.status == "active" and done.steam_agreement_status == "active"
    assert data(sb, "subscription.renewed")[0]["funding"]["rail"] == "steam"
    assert invo.subscriptions.steam_finalize(init.subscription_id).already_processed
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.refund(init.subscription_id, client_request_id="r")
    assert caught.value.is_steam_refund_not_supported
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.change_amount(init.subscription_id, "19.99")
    assert caught.value.is_steam_reauthorization_required
    assert invo.subscriptions.change_amount(init.subscription_id, "4.99").change_queued
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.set_payment_method(init.subscription_id, wallet_only=True)
    assert caught.value.is_not_a_card_subscription
    sb.cancel_in_steam(init.subscription_id)
    assert data(sb, "subscription.canceled")[0]["canceled_by"] == "steam"


def test_steam_web_session_and_abandonment(invo: InvoServer, sb: Sandbox) -> None:
    init = steam_init(invo, user_session="web", player_ip="203.0.113.7")
    assert init.steam_checkout_url
    sb.advance_time(25 * 3600)
    with pytest.raises(InvoError) as caught:
        invo.subscriptions.steam_finalize(init.subscription_id)
    assert caught.value.is_subscription_terminal
    [expired] = data(sb, "subscription.expired")
    assert expired["failure_code"] == "steam_authorization_abandoned"
    assert data(sb, "subscription.payment_failed") == []


# -- cards -------------------------------------------------------------------------------------


def test_hosted_card_setup_page(invo: InvoServer, sb: Sandbox) -> None:
    session = invo.cards.create_setup_session(player_email=ADA,
                                              success_url="https://game.example/done")
    assert session.session_id and session.expires_at
    page = requests.get(session.card_setup_url, timeout=5)
    assert page.status_code == 200 and "Save a card" in page.text
    saved = requests.post(session.card_setup_url + "/save", timeout=5, allow_redirects=False,
                          data={"payment_method_id": "pm_card_mastercard"})
    assert saved.status_code == 303 and saved.headers["Location"] == "https://game.example/done"
    reopened = requests.get(session.card_setup_url, timeout=5)
    assert "Card saved" in reopened.text
    [card] = invo.cards.list(ADA).cards
    assert card.brand == "mastercard" and card.last_four == "4242" and card.exp_year > 2000


def test_card_setup_session_players(invo: InvoServer, sb: Sandbox) -> None:
    with pytest.raises(InvoError) as caught:
        invo.cards.create_setup_session(player_email="new@example.com")
    assert caught.value.is_player_not_found
    made = invo.cards.create_setup_session(player_email="new@example.com", player_name="New")
    assert made.card_setup_url
    with pytest.raises(InvoError) as caught:
        invo.cards.create_setup_session(player_email="no-at-sign")
    assert caught.value.is_invalid_player_email


def test_card_setup_session_expires(invo: InvoServer, sb: Sandbox) -> None:
    session = invo.cards.create_setup_session(player_email=ADA)
    sb.advance_time(601)
    assert requests.get(session.card_setup_url, timeout=5).status_code == 410


def test_begin_and_confirm_setup(invo: InvoServer, sb: Sandbox) -> None:
    direct = invo.cards.begin_setup(player_email=ADA, setup_reference="ref-1",
                                    payment_method_id="pm_card_visa")
    assert direct.status == "succeeded" and direct.card is not None
    assert invo.cards.begin_setup(player_email=ADA, setup_reference="ref-1",
                                  payment_method_id="pm_card_visa") == direct
    with pytest.raises(InvoError) as caught:
        invo.cards.begin_setup(player_email=ADA, setup_reference="ref-1")
    assert caught.value.code == "SETUP_REFERENCE_REUSED"
    later = invo.cards.begin_setup(player_email=ADA, setup_reference="ref-2")
    assert later.status == "requires_payment_method" and later.client_secret
    assert later.publishable_key and "secret" not in repr(later)
    with pytest.raises(InvoError) as caught:
        invo.cards.confirm_setup(setup_intent_id=later.setup_intent_id)
    assert caught.value.body["status"] == "still_requires_action"
    sb.complete_card_setup(later.setup_intent_id)
    confirmed = invo.cards.confirm_setup(setup_intent_id=later.setup_intent_id)
    assert confirmed.status == "success" and not confirmed.already_saved
    assert invo.cards.confirm_setup(setup_intent_id=later.setup_intent_id).already_saved
    ids = [c.id for c in invo.cards.list(ADA).cards]
    assert ids == sorted(ids, reverse=True) and len(ids) == 2
    assert code_of(lambda: invo.cards.begin_setup(player_email="x@example.com",
                                                  setup_reference="r")) == (
        404, "PLAYER_NOT_FOUND")
    assert invo.cards.list("nobody@example.com").cards == []


def test_a_chosen_card_is_billed(invo: InvoServer, sb: Sandbox) -> None:
    good = sb.save_card(ADA)
    sb.save_card(ADA, "pm_card_declined")  # newest: the default would decline
    assert subscribe(invo).first_charge.failure_code == "card_declined"
    sb.reset()
    good = sb.save_card(ADA)
    sb.save_card(ADA, "pm_card_declined")
    paid = subscribe(invo, player_card_id=good["id"])
    assert paid.first_charge.status == "paid"
    sb.reset()
    assert code_of(lambda: subscribe(invo, "k9", player_card_id=999)) == (
        404, "PAYMENT_METHOD_NOT_FOUND")


def test_admin_endpoints(sb: Sandbox) -> None:
    root = sb.root_url + "/__sandbox__"
    key = requests.get(f"{root}/subscriptions/clock-key", timeout=5).json()["clock_key"]
    assert key == sb.sandbox_clock_key
    card = requests.post(f"{root}/cards", json={"player_email": ADA}, timeout=5).json()
    assert card["last_four"] == "4242"


def test_unresolved_first_charge_settles_later(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA, "pm_card_pending")
    result = subscribe(invo)
    assert result.subscription.status == "pending" and result.first_charge.status == "pending"
    assert types(sb) == []
    sb.advance_time(301)
    assert invo.subscriptions.get(result.subscription.subscription_id).status == "active"
    assert data(sb, "subscription.renewed")[0]["period_seq"] == 1


def test_charged_but_not_settled(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA, "pm_card_unsettled")
    sid = subscribe(invo).subscription.subscription_id
    [failed] = data(sb, "subscription.payment_failed")
    assert failed["failure_code"] == "settlement_error"
    invo.sandbox.subscriptions.advance_clock(sid, 0)
    assert invo.subscriptions.get(sid).status == "active"
    assert len(data(sb, "subscription.renewed")) == 1


def test_prices_over_the_ceiling_are_never_charged(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    result = invo.subscriptions.create(client_request_id="big", player_email=ADA,
                                       player_name="Ada", item_id="whale",
                                       amount_usd="25000.01")
    assert result.first_charge.status == "failed" and data(sb, "subscription.renewed") == []


def test_revenue_share_is_attribution_only(invo: InvoServer, sb: Sandbox) -> None:
    sb.add_player("creator@example.com")
    sb.save_card(ADA)
    sub = subscribe(invo, revenue_share={"recipient_player_email": "creator@example.com",
                                         "percent": "10"}).subscription
    assert sub.revenue_share is not None and sub.revenue_share["settled_by_invo"] is False
    [renewed] = data(sb, "subscription.renewed")
    share = renewed["revenue_share_attribution"]
    assert share["attributed_amount_usd"] == "1.00" and share["settled_by_invo"] is False
    assert share["recipient_player_id"] == sub.revenue_share["recipient_player_id"]


def test_cancel_at_period_end_stops_pending_retries(invo: InvoServer, sb: Sandbox) -> None:
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    invo.sandbox.subscriptions.force_failure(sid)  # past_due, a retry due in 2 days
    invo.subscriptions.cancel(sid)
    step = invo.sandbox.subscriptions.advance_clock(sid)
    assert step.action == "retired-at-period-end"
    assert len(data(sb, "subscription.payment_failed")) == 1
    assert len(data(sb, "subscription.renewed")) == 1


def test_a_card_counts_on_a_wallet_only_row_only_with_false(invo: InvoServer,
                                                            sb: Sandbox) -> None:
    card = sb.save_card(ADA)
    sid = subscribe(invo, wallet_only=True).subscription.subscription_id
    kept = invo.subscriptions.set_payment_method(sid, player_card_id=card["id"])
    assert kept.wallet_only and kept.card is None
    switched = invo.subscriptions.set_payment_method(sid, player_card_id=card["id"],
                                                     wallet_only=False)
    assert not switched.wallet_only and switched.card.id == card["id"]
    invo.sandbox.subscriptions.advance_clock(sid, 0)
    assert invo.subscriptions.get(sid).status == "active"


def test_admin_refund_decisions_and_authentication(invo: InvoServer, sb: Sandbox) -> None:
    root = sb.root_url + "/__sandbox__/subscriptions"
    sb.save_card(ADA)
    sid = subscribe(invo).subscription.subscription_id
    sb.set_refund_daily_cap("1")
    pending = invo.subscriptions.refund(sid, client_request_id="r1", amount_usd="2")
    approved = requests.post(f"{root}/refund-requests/{pending.request_id}/approve", json={},
                             timeout=5).json()
    assert approved["status"] == "refunded" and approved["initiation"] == "approved_request"
    again = requests.post(f"{root}/refund-requests/{pending.request_id}/reject", json={},
                          timeout=5)
    assert again.status_code == 409
    invo.sandbox.subscriptions.force_auth_challenge(sid)
    passed = requests.post(f"{root}/{sid}/authenticate", json={}, timeout=5).json()
    assert passed["status"] == "authenticated"
    assert requests.get(f"{root}/{sid}", timeout=5).json()["player_email"] == ADA
