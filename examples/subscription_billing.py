"""Subscriptions: grant entitlement off the webhooks, and test a year of billing in one test.

``handle_subscription_event`` is the receiver side a game writes; ``test_a_year_of_renewals``
drives a real subscription through the local sandbox's clock: twelve renewals, a failed
payment, past due, recovery and a cancellation, asserting every webhook on the way.
``tests/subscriptions/test_year_of_renewals.py`` runs it, ``docs/subscriptions.md`` shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Optional

import pytest

from invonetwork import InvoServer, WebhookEvent, verify_webhook
from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.webhooks import (
    SubscriptionCanceledData,
    SubscriptionExpiredData,
    SubscriptionPastDueData,
    SubscriptionPaymentFailedData,
    SubscriptionRenewedData,
)


# --8<-- [start:entitlement]
@dataclass
class Entitlements:
    """What the game stores: access until an instant, per (player, item)."""

    access_until: dict[tuple[str, str], datetime] = field(default_factory=dict)
    granted_periods: set[tuple[str, int]] = field(default_factory=set)
    warnings: list[str] = field(default_factory=list)


def handle_subscription_event(event: WebhookEvent, store: Entitlements) -> None:
    """Grant on ``subscription.renewed`` only, once per (subscription, period)."""
    data = event.payload()
    if isinstance(data, SubscriptionRenewedData):
        renewed = data
        key = (renewed.subscription_id, renewed.period_seq)
        if key in store.granted_periods:  # a redelivery: already granted
            return
        store.granted_periods.add(key)
        if renewed.period_end is not None:
            slot = (renewed.player_email, renewed.item_id)
            current = store.access_until.get(slot)
            store.access_until[slot] = max(filter(None, (current, renewed.period_end)))
    elif isinstance(data, SubscriptionPastDueData):
        # Access is kept while INVO retries: nudge the member to fix the card.
        store.warnings.append(data.subscription_id)
    elif isinstance(data, (SubscriptionCanceledData, SubscriptionExpiredData)):
        # Access ends at access_until / final_period_end (a full refund: at once).
        slot = (data.player_email, data.item_id)
        end = (data.access_until if isinstance(data, SubscriptionCanceledData)
               else data.final_period_end)
        current = store.access_until.get(slot)
        if end is None:
            store.access_until.pop(slot, None)
        elif current is not None:
            store.access_until[slot] = min(current, end)
    # Never grant on purchase.completed of a renewal mint leg (metadata.source is
    # "subscription_renewal"), on the create/finalize answer, or on payment_failed.
# --8<-- [end:entitlement]


ADA = {"email": "ada@example.com", "name": "Ada"}


def _verified(receiver: WebhookReceiver, sandbox: Sandbox, event_type: str,
              count: int) -> list[Any]:
    """The typed payloads of the first ``count`` deliveries of ``event_type``, each verified."""
    hooks = receiver.wait_for(count, event_type=event_type)
    return [verify_webhook(h.body, h.signature, sandbox.webhook_secrets).payload()
            for h in hooks]


# --8<-- [start:year-test]
@pytest.mark.invo_sandbox(players=[ADA])
def test_a_year_of_renewals(
    invo_client: InvoServer, invo_sandbox: Sandbox, invo_webhook_receiver: WebhookReceiver
) -> None:
    """Twelve renewals, a failed payment, past due, recovery and a cancellation."""
    invo_sandbox.save_card("ada@example.com")  # what the hosted card page does
    created = invo_client.subscriptions.create(
        client_request_id="vip-ada-1", player_email="ada@example.com", player_name="Ada",
        item_id="vip_pass", item_name="VIP Pass", amount_usd="9.99")
    assert created.first_charge is not None and created.first_charge.status == "paid"
    assert created.subscription is not None
    sub_id = created.subscription.subscription_id
    clock = invo_client.sandbox.subscriptions  # the client carries the sandbox's clock key

    # A year: each step makes the next period due and bills it (period 1 was billed at create).
    for _ in range(12):
        step = clock.advance_clock(sub_id)
        assert step.engine_stats == {"renewed": 1}
    renewals = _verified(invo_webhook_receiver, invo_sandbox, "subscription.renewed", 13)
    assert sorted(e.period_seq for e in renewals) == list(range(1, 14))

    # The card fails: payment_failed, then past_due (once); access is kept.
    failed = clock.force_failure(sub_id, "insufficient_funds")
    assert failed.subscription is not None and failed.subscription["status"] == "past_due"
    [attempt] = _verified(invo_webhook_receiver, invo_sandbox, "subscription.payment_failed", 1)
    assert isinstance(attempt, SubscriptionPaymentFailedData)
    assert attempt.retries_remaining == 3 and attempt.outcome == "insufficient_funds"
    [past_due] = _verified(invo_webhook_receiver, invo_sandbox, "subscription.past_due", 1)
    assert past_due.access_retained

    # The retry (2 days later) goes through: active again, period 14 renewed.
    recovered = clock.advance_clock(sub_id, 0)
    assert recovered.subscription is not None and recovered.subscription["status"] == "active"
    renewals = _verified(invo_webhook_receiver, invo_sandbox, "subscription.renewed", 14)
    assert max(e.period_seq for e in renewals) == 14

    # Cancel at period end: live until paid_through, then retired without a charge.
    canceled = invo_client.subscriptions.cancel(sub_id, reason="player asked")
    assert canceled.cancel_at_period_end and not canceled.terminated_immediately
    [event] = _verified(invo_webhook_receiver, invo_sandbox, "subscription.canceled", 1)
    assert isinstance(event, SubscriptionCanceledData) and event.access_until is not None
    retired = clock.advance_clock(sub_id)
    assert retired.action == "retired-at-period-end" and retired.retired
    assert invo_client.subscriptions.get(sub_id).status == "canceled"
    assert len(invo_sandbox.events_of("subscription.renewed")) == 14  # nothing billed after

    # The game's handler granted each paid period exactly once.
    store = Entitlements()
    for hook in invo_webhook_receiver.received:
        handle_subscription_event(
            verify_webhook(hook.body, hook.signature, invo_sandbox.webhook_secrets), store)
    assert len(store.granted_periods) == 14 and store.warnings == [sub_id]
    assert latest_access(store, "ada@example.com", "vip_pass") == event.access_until
# --8<-- [end:year-test]


def latest_access(store: Entitlements, email: str, item: str) -> Optional[datetime]:
    """The instant a member's access to ``item`` ends, if any."""
    return store.access_until.get((email, item))
