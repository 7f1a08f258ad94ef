"""Random sequences checked against small models of the rules: PIN lockouts, checkouts."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from invonetwork.sandbox._model import DomainError
from invonetwork.sandbox._svc_purchases import CheckoutRequest

from .conftest import ADA, initiation, make_world

MAX_ATTEMPTS, BLOCK = 3, 100.0

pin_step = st.one_of(st.just(("right",)), st.just(("wrong",)),
                     st.tuples(st.just("wait"), st.sampled_from([10.0, 50.0, 100.0])))


@settings(max_examples=80, deadline=None)
@given(st.lists(pin_step, max_size=15))
def test_pin_attempts_follow_the_lockout_model(steps: list[tuple[object, ...]]) -> None:
    world = make_world(sms_max_attempts=MAX_ATTEMPTS, sms_block_seconds=BLOCK,
                       verification_ttl=10_000)
    mv = world.transfers.initiate(initiation())
    left, blocked_until, verified = MAX_ATTEMPTS, 0.0, False
    for step in steps:
        now = world.state.clock.now()
        if step[0] == "wait":
            world.state.clock.advance(float(step[1]))  # type: ignore[arg-type]
            continue
        pin = mv.sms_pin if step[0] == "right" else "000000x"
        try:
            world.transfers.verify_sms("send", mv.transaction_id, pin or "")
            outcome = "ok"
        except DomainError as failure:
            outcome = str(failure.status)
        if verified:
            expected = "409"
        elif now < blocked_until:
            expected = "429"
        else:
            if left <= 0:
                left = MAX_ATTEMPTS
            if step[0] == "right":
                expected, verified = "ok", True
            else:
                left -= 1
                expected = "400"
                if left == 0:
                    expected, blocked_until = "429", now + BLOCK
        assert outcome == expected, (steps, step)
    assert (mv.state == "claim_pending") is verified


checkout_step = st.tuples(st.sampled_from(["pay", "cancel", "wait"]), st.integers(0, 2))


@settings(max_examples=60, deadline=None)
@given(st.lists(checkout_step, max_size=15))
def test_checkouts_follow_the_single_use_model(steps: list[tuple[str, int]]) -> None:
    world = make_world(checkout_ttl=300)
    sessions = [world.purchases.create_checkout(CheckoutRequest(ADA, Decimal(f"{i + 1}.00")))
                for i in range(3)]
    used = [False] * 3
    credited = Decimal("0")
    for action, index in steps:
        if action == "wait":
            world.state.clock.advance(120)
            continue
        expired = world.state.clock.now() >= sessions[index].expires_at
        press = world.purchases.pay_checkout if action == "pay" else world.purchases.cancel_checkout
        try:
            press(sessions[index].session_id)
            outcome = 200
        except DomainError as failure:
            outcome = failure.status
        expected = 409 if used[index] else 410 if expired else 200
        assert outcome == expected
        if outcome == 200:
            used[index] = True
            if action == "pay":
                credited += Decimal(index + 1) * 10
    assert world.players.by_email(ADA).balance(1001) == Decimal("500") + credited
