"""Every time window ends exactly at its configured length, and the length is configurable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from invonetwork.sandbox._model import DomainError
from invonetwork.sandbox._svc_purchases import CheckoutRequest
from invonetwork.sandbox._world import World

from .conftest import ADA, add, initiation, item, make_world, refused

TTL = 120.0


@pytest.mark.parametrize("knob", ["checkout_ttl", "verification_ttl", "claim_code_ttl",
                                  "guardian_ttl", "otp_ttl"])
def test_each_window_is_open_until_its_length_then_closed(knob: str) -> None:
    world = make_world(**{knob: TTL})
    probe = _probe(world, knob)
    world.state.clock.advance(TTL - 0.5)
    assert probe() == "open"
    world.state.clock.advance(0.5)
    assert probe() == "closed"


def _probe(world: World, knob: str) -> object:
    """A function telling whether the window opened for ``knob`` is still open."""
    if knob == "checkout_ttl":
        session = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
        return lambda: _state(lambda: world.purchases.checkout_session(session.session_id))
    if knob == "otp_ttl":
        world.phone_share.set_phone_owner("+15555550150", "o@example.com")
        approval, _ = world.phone_share.initiate("+15555550150", "me@example.com")
        return lambda: "closed" if refused(world.phone_share.approve, approval.approval_id,
                                           "wrong").status == 410 else "open"
    if knob == "guardian_ttl":
        add(world, "kid@example.com", phone="+15555550133", balance=5, is_minor=True)
        mv = world.transfers.initiate(initiation(sender="kid@example.com",
                                                 sender_phone="+15555550133", amount="1"))
        return lambda: "open" if world.guardians.approval(
            mv.transaction_id).guardian_state == "pending" else "closed"
    mv = world.transfers.initiate(initiation(amount="1"))
    if knob == "claim_code_ttl":
        world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
        return lambda: "open" if world.transfers.status(
            "send", mv.transaction_id).state == "claim_pending" else "closed"
    return lambda: "open" if world.transfers.status(
        "send", mv.transaction_id).state == "awaiting_verification" else "closed"


def _state(check: object) -> str:
    try:
        check()  # type: ignore[operator]
    except DomainError as exc:
        assert exc.status == 410
        return "closed"
    return "open"


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=12))
def test_history_pages_are_slices_of_the_newest_first_list(limit: int, offset: int) -> None:
    world = make_world()
    ids = [world.items.purchase(item(f"h{i}", "1.00")).order.order_id for i in range(7)]
    page = world.items.history(ADA, limit=limit, offset=offset)
    expected = list(reversed(ids))[offset: offset + limit]
    assert [o.order_id for o in page.orders] == expected
    assert page.total == 7
    assert (offset + len(page.orders) < page.total) == (offset + limit < 7)


def test_the_sms_block_length_is_configurable_and_exact() -> None:
    world = make_world(sms_max_attempts=1, sms_block_seconds=30)
    mv = world.transfers.initiate(initiation())
    assert refused(world.transfers.verify_sms, "send", mv.transaction_id, "x").status == 429
    world.state.clock.advance(29.5)
    assert refused(world.transfers.verify_sms, "send", mv.transaction_id,
                   mv.sms_pin).status == 429
    world.state.clock.advance(0.5)
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert mv.state == "claim_pending"
