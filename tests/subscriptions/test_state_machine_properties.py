"""Random walks through the subscription state machine keep its invariants.

Each example drives one subscription over the local sandbox's HTTP API with a random
sequence of clock actions, cancels, card changes and refunds, then checks what the emitted
events say: no period is billed twice, periods are billed in order, ``past_due`` is sent once
per dunning run, four failures expire, and every event parses with the strict payloads.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from invonetwork import InvoError, InvoServer, WebhookEvent
from invonetwork.sandbox import Sandbox

ADA = "ada@example.com"
STATUSES = {"pending", "trialing", "active", "past_due", "awaiting_authentication",
            "canceled", "expired"}

ACTIONS = st.lists(st.sampled_from([
    "advance", "advance0", "advance3", "renew", "fail", "auth", "authenticate",
    "cancel_end", "cancel_now", "new_card", "refund_part", "refund_full", "change_amount",
    "time_day", "time_month",
]), min_size=1, max_size=12)


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": ADA}]) as running:
        yield running


def _step(invo: InvoServer, sb: Sandbox, sid: str, action: str, n: int) -> None:
    clock = invo.sandbox.subscriptions
    calls: dict[str, Any] = {
        "advance": lambda: clock.advance_clock(sid),
        "advance0": lambda: clock.advance_clock(sid, 0),
        "advance3": lambda: clock.advance_clock(sid, 3),
        "renew": lambda: clock.force_renewal(sid),
        "fail": lambda: clock.force_failure(sid),
        "auth": lambda: clock.force_auth_challenge(sid),
        "authenticate": lambda: sb.complete_subscription_authentication(sid),
        "cancel_end": lambda: invo.subscriptions.cancel(sid),
        "cancel_now": lambda: invo.subscriptions.cancel(sid, at_period_end=False),
        "new_card": lambda: invo.subscriptions.set_payment_method(
            sid, player_card_id=sb.save_card(ADA)["id"]),
        "refund_part": lambda: invo.subscriptions.refund(sid, client_request_id=f"p{n}",
                                                         amount_usd="1"),
        "refund_full": lambda: invo.subscriptions.refund(sid, client_request_id=f"f{n}"),
        "change_amount": lambda: invo.subscriptions.change_amount(sid, "12.50"),
        "time_day": lambda: sb.advance_time(86400),
        "time_month": lambda: sb.advance_time(31 * 86400),
    }
    try:
        calls[action]()
    except InvoError as refused:  # a rule said no: only API errors, never a crash
        assert 400 <= refused.status < 500, refused
    except Exception as refused:  # the helpers raise SandboxError
        assert getattr(refused, "status", 0) in (404, 409), refused


@settings(max_examples=30, deadline=None, suppress_health_check=[
    HealthCheck.function_scoped_fixture])
@given(card=st.sampled_from(["pm_card_visa", "pm_card_declined", "pm_card_3ds", None]),
       trial=st.booleans(), actions=ACTIONS)
def test_random_walks_keep_the_invariants(sb: Sandbox, card: Any, trial: bool,
                                          actions: list[str]) -> None:
    sb.reset()
    if card is not None:
        sb.save_card(ADA, card)
    with sb.client(retry_base_delay=0) as invo:
        created = invo.subscriptions.create(
            client_request_id="walk", player_email=ADA, player_name="Ada", item_id="vip",
            amount_usd="9.99", trial_days=5 if trial else None)
        assert created.subscription is not None
        sid = created.subscription.subscription_id
        for n, action in enumerate(actions):
            _step(invo, sb, sid, action, n)
            assert invo.subscriptions.get(sid).status in STATUSES
        final = invo.subscriptions.get(sid)

    events = [e for e in sb.events if e["event_type"].startswith("subscription.")]
    for event in events:
        WebhookEvent.from_payload(event).payload()
    renewed = [e["data"]["period_seq"] for e in events
               if e["event_type"] == "subscription.renewed"]
    assert renewed == sorted(set(renewed)), "a period billed twice or out of order"
    # Dunning: past_due at most once per run of failures, at most 4 attempts per run.
    run_attempts, past_due_in_run = 0, 0
    for event in events:
        kind = event["event_type"]
        if kind == "subscription.renewed":
            run_attempts, past_due_in_run = 0, 0
        elif kind == "subscription.payment_failed":
            run_attempts += 1
            assert event["data"]["attempt_no"] == run_attempts <= 4
        elif kind == "subscription.past_due":
            past_due_in_run += 1
            assert past_due_in_run == 1
    expired = [e for e in events if e["event_type"] == "subscription.expired"]
    assert len(expired) <= 1
    if expired:
        assert final.status == "expired" and expired[0]["data"]["attempts_used"] == 4
    if final.status in ("canceled", "expired"):
        assert final.next_charge_at is None
    # One canceled per cause: the cancel request, and a full refund (which ends access at
    # once, also on a row already cancelling at period end).
    causes = [e["data"].get("cancel_cause") for e in events
              if e["event_type"] == "subscription.canceled"]
    assert len(causes) == len(set(causes))
