"""How a user's code calls every namespace method of this area, checked with ``mypy --strict``
(by ``test_typing.py``; nothing here runs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from invonetwork import (
    AmountChangeResult,
    CancelResult,
    CardSetupBegin,
    CardSetupConfirm,
    CardSetupSession,
    InvoServer,
    PaymentMethodResult,
    PlayerCard,
    PlayerCardsResult,
    RefundPendingApproval,
    RefundResult,
    SandboxClockResult,
    SteamInitResult,
    Subscription,
    SubscriptionListResult,
    SubscriptionResult,
)


def subscriptions(invo: InvoServer) -> None:
    created: SubscriptionResult = invo.subscriptions.create(
        client_request_id="k", player_email="a@example.com", player_name="A", item_id="vip",
        amount_usd=Decimal("9.99"), trial_days=7, metadata={"tier": "gold"})
    sub: Optional[Subscription] = created.subscription
    if sub is not None:
        seq: int = sub.period_seq
        print(seq, sub.paid_through, sub.consent.get("terms_version"))
    got: Subscription = invo.subscriptions.get("sub_1", include_player=True)
    page: SubscriptionListResult = invo.subscriptions.list_for_player(
        "a@example.com", status=["active", "past_due"], limit=10, offset=0)
    canceled: CancelResult = invo.subscriptions.cancel("sub_1", at_period_end=False,
                                                       reason="r")
    changed: AmountChangeResult = invo.subscriptions.change_amount("sub_1", "14.99")
    method: PaymentMethodResult = invo.subscriptions.set_payment_method("sub_1",
                                                                        player_card_id=3)
    refund: RefundResult = invo.subscriptions.refund("sub_1", client_request_id="r",
                                                     period_seq=2, amount_usd=5, reason="x")
    if isinstance(refund, RefundPendingApproval):
        print(refund.request_id, refund.daily_cap_usd)
    steam: SteamInitResult = invo.subscriptions.steam_init(
        client_request_id="s", player_email="a@example.com", player_name="A", item_id="vip",
        amount_usd="9.99", steam_id="7656", user_session="web", player_ip="203.0.113.1")
    done: SubscriptionResult = invo.subscriptions.steam_finalize(steam.subscription_id)
    print(got, page.pagination, canceled.access_until, changed.applies_from_period_seq,
          method.replaced, refund.is_pending_approval, done.sandbox_auto_approved)


def cards(invo: InvoServer) -> None:
    session: CardSetupSession = invo.cards.create_setup_session(
        player_email="a@example.com", success_url="https://game.example/ok")
    begun: CardSetupBegin = invo.cards.begin_setup(player_email="a@example.com",
                                                   setup_reference="ref-1")
    confirmed: CardSetupConfirm = invo.cards.confirm_setup(setup_intent_id="seti_1")
    listed: PlayerCardsResult = invo.cards.list("a@example.com")
    first: PlayerCard = listed.cards[0]
    print(session.card_setup_url, begun.client_secret, confirmed.already_saved, first.id)


def clock(invo: InvoServer) -> None:
    clock = invo.sandbox.subscriptions
    steps: list[SandboxClockResult] = [
        clock.advance_clock("sub_1", 12), clock.force_renewal("sub_1"),
        clock.force_failure("sub_1", "insufficient_funds", failure_message="m"),
        clock.force_auth_challenge("sub_1"),
    ]
    days: Optional[list[int]] = steps[2].retry_schedule_days
    print(days, steps[0].engine_stats)
