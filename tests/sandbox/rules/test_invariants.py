"""Invariants over random sequences of operations: money is conserved, never negative."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from invonetwork.sandbox._model import DomainError
from invonetwork.sandbox._world import World

from .conftest import ADA, BOB, add, claim, initiation, item, make_world

PLAYERS = [(ADA, "+15555550100"), (BOB, "+15555550111"), ("cy@example.com", "+15555550122")]


def total_money(world: World) -> Decimal:
    """Every unit held by every player in every currency, available or reserved."""
    total = Decimal("0")
    for player in world.state.players.values():
        total += sum(player.available.values(), Decimal("0"))
        total += sum(player.reserved.values(), Decimal("0"))
    return total


def in_flight(world: World) -> Decimal:
    """Debited from a sender but not yet credited to anyone (verified, unclaimed)."""
    return sum((mv.amount for mv in world.state.movements.values()
                if mv.state == "claim_pending"), Decimal("0"))


def network_fees(world: World) -> Decimal:
    """The network fee kept on every collected send or transfer (10 %)."""
    return sum((mv.amount - mv.net_amount for mv in world.state.movements.values()
                if mv.state == "completed"), Decimal("0"))


operation = st.one_of(
    st.tuples(st.just("buy"), st.integers(0, 2), st.integers(1, 300)),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2), st.integers(1, 300)),
    st.tuples(st.just("verify"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("claim"), st.integers(0, 20), st.booleans()),
    st.tuples(st.just("advance"), st.sampled_from([60, 1800, 3 * 24 * 3600])),
)


def apply(world: World, op: tuple[object, ...], counter: list[int]) -> Decimal:
    """Run one operation; returns the money it destroyed (items bought)."""
    counter[0] += 1
    kind = op[0]
    try:
        if kind == "buy":
            email = PLAYERS[int(op[1])][0]  # type: ignore[call-overload]
            total = f"{op[2]}.00"
            world.items.purchase(item(f"b{counter[0]}", total, email=email))
            return Decimal(total)
        if kind == "send":
            (sender, s_phone), (receiver, r_phone) = PLAYERS[op[1]], PLAYERS[op[2]]  # type: ignore[index]
            world.transfers.initiate(initiation(
                request_id=f"s{counter[0]}", sender=sender, sender_phone=s_phone,
                receiver=receiver, receiver_phone=r_phone, amount=str(op[3])))
        elif kind in ("verify", "claim"):
            movements = list(world.state.movements.values())
            if movements:
                mv = movements[int(op[1]) % len(movements)]  # type: ignore[call-overload]
                if kind == "verify":
                    pin = mv.sms_pin if op[2] else "000000x"
                    world.transfers.verify_sms(mv.kind, mv.transaction_id, pin or "")
                elif mv.claim_code:
                    phone = mv.receiver_phone if op[2] else "+15555550999"
                    world.claims.claim(claim(mv.claim_code, email=mv.receiver_email,
                                             phone=phone))
        else:
            world.state.clock.advance(float(op[1]))  # type: ignore[arg-type]
            world.transfers.sweep()
    except DomainError:
        pass  # refused: nothing may have changed
    return Decimal("0")


@settings(max_examples=60, deadline=None)
@given(st.lists(operation, max_size=40))
def test_money_is_conserved_and_never_negative(ops: list[tuple[object, ...]]) -> None:
    world = make_world()
    add(world, "cy@example.com", phone="+15555550122", balance="100")
    start = total_money(world)
    spent = Decimal("0")
    counter = [0]
    for op in ops:
        spent += apply(world, op, counter)
        assert total_money(world) + in_flight(world) + network_fees(world) + spent == start
        for player in world.state.players.values():
            assert all(v >= 0 for v in player.available.values())
            assert all(v >= 0 for v in player.reserved.values())


def test_concurrent_purchases_take_the_lock() -> None:
    world = make_world()
    add(world, ADA, phone="+15555550100", balance="1000")
    errors: list[BaseException] = []

    def buyer(n: int) -> None:
        try:
            for i in range(25):
                world.items.purchase(item(f"t{n}-{i}", "1.00"))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=buyer, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert world.players.by_email(ADA).balance(1001) == Decimal("800")
    assert len({o.order_id for o in world.state.orders.values()}) == 200
    assert len([e for e in world.state.events if e["event_type"] == "item.purchased"]) == 200


def _race(n: int, action: Any) -> list[object]:
    """Run ``action`` on ``n`` threads at once; returns each result or DomainError."""
    barrier = threading.Barrier(n)
    results: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait(5)
        try:
            outcome: object = action()
        except DomainError as failure:
            outcome = failure
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_a_request_id_raced_from_many_threads_reserves_once() -> None:
    world = make_world()
    results = _race(8, lambda: world.transfers.initiate(initiation(request_id="same")))
    assert len({id(r) for r in results}) == 1  # every caller got the one movement
    assert len(world.state.movements) == 1
    assert world.players.by_email(ADA).reserved[1001] == Decimal("50")


def test_a_claim_code_raced_from_many_threads_pays_once() -> None:
    world = make_world()
    mv = world.transfers.initiate(initiation(amount="30"))
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    results = _race(6, lambda: world.claims.claim(claim(mv.claim_code or "")))
    failures = [r for r in results if isinstance(r, DomainError)]
    assert len(failures) == 5 and {f.status for f in failures} == {400}
    assert world.players.by_email("zed@example.com").balance(2002) == Decimal("27.00")


def test_a_checkout_raced_from_many_threads_credits_once() -> None:
    from invonetwork.sandbox._svc_purchases import CheckoutRequest

    world = make_world()
    session = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
    results = _race(6, lambda: world.purchases.pay_checkout(session.session_id))
    assert sum(1 for r in results if isinstance(r, dict)) == 1
    assert world.players.by_email(ADA).balance(1001) == Decimal("510")
