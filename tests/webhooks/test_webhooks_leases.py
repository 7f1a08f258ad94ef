"""The lease protocol, the same tests on every store: in memory, SQLite, Redis, PostgreSQL and
Django's cache (the network stores against real servers started by the fixtures)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from invo_store_kinds import build_store, isolate
from invo_store_servers import require_module

from invonetwork.errors import InvalidInputError
from invonetwork.webhooks import (
    ClaimStatus,
    IdempotencyStore,
    LeaseStore,
    current_lease,
    leased,
    new_token,
)

ALL_KINDS = ["memory", "sqlite", "sqlite-memory", "redis", "postgres", "django-redis",
             "django-locmem"]
FAKE_CLOCK_KINDS = {"memory", "sqlite", "sqlite-memory"}


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Kit:
    """Makes stores of one kind and moves their time forward (a fake clock, or sleeping)."""

    def __init__(self, kind: str, location: str) -> None:
        self.kind = kind
        self.location = location
        self.clock = FakeClock() if kind in FAKE_CLOCK_KINDS else None
        self.made: list[Any] = []

    def store(self, *, fake_clock: bool = True, **options: Any) -> Any:
        if self.clock is not None and fake_clock:
            options["clock"] = self.clock
        store = build_store((self.kind, self.location, isolate(self.kind, options)))
        self.made.append(store)
        return store

    def advance(self, seconds: float) -> None:
        if self.clock is not None:
            self.clock.now += seconds
        else:
            time.sleep(seconds)

    @property
    def min_lease(self) -> float:
        # Long enough that a busy CI machine still renews in time (Django: whole seconds).
        return 2.0 if self.kind.startswith("django") else 1.0


@pytest.fixture(params=ALL_KINDS)
def kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Kit]:
    kind = request.param
    location = ""
    if kind == "sqlite":
        location = str(tmp_path / "leases.sqlite3")
    elif kind in ("redis", "django-redis"):
        if kind == "django-redis":
            require_module("django")
        location = request.getfixturevalue("redis_server").url
    elif kind == "postgres":
        location = request.getfixturevalue("postgres_server").url
    elif kind == "django-locmem":
        require_module("django")
    made = Kit(kind, location)
    yield made
    for store in made.made:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def test_every_store_is_a_lease_store_and_a_claim_store(kit: Kit) -> None:
    store = kit.store()
    assert isinstance(store, LeaseStore)
    assert isinstance(store, IdempotencyStore)
    assert store.lease_seconds > 0
    assert "lease_seconds" in repr(store) or "prefix" in repr(store) or "path" in repr(store)


def test_begin_in_progress_finish_done(kit: Kit) -> None:
    store = kit.store()
    first, second = new_token(), new_token()
    assert store.begin("k", first) is ClaimStatus.ACQUIRED
    assert "k" in store
    assert store.begin("k", second) is ClaimStatus.IN_PROGRESS
    assert store.renew("k", second) is False
    assert store.finish("k", second) is False
    assert store.renew("k", first) is True
    assert store.finish("k", first) is True
    assert store.begin("k", second) is ClaimStatus.DONE
    assert store.claim("k") is False
    assert store.begin("other", second) is ClaimStatus.ACQUIRED


def test_abandon_lets_the_next_delivery_run(kit: Kit) -> None:
    store = kit.store()
    first, second = new_token(), new_token()
    assert store.begin("k", first) is ClaimStatus.ACQUIRED
    store.abandon("k", second)  # not the holder: no effect
    assert store.begin("k", second) is ClaimStatus.IN_PROGRESS
    store.abandon("k", first)
    assert "k" not in store
    assert store.begin("k", second) is ClaimStatus.ACQUIRED


def test_an_expired_lease_is_taken_over_and_the_old_holder_cannot_touch_it(kit: Kit) -> None:
    lease = kit.min_lease
    store = kit.store(lease_seconds=lease)
    dead, alive = new_token(), new_token()
    assert store.begin("k", dead) is ClaimStatus.ACQUIRED
    kit.advance(lease * 0.25)
    assert store.begin("k", alive) is ClaimStatus.IN_PROGRESS
    kit.advance(lease * 1.5)
    assert store.begin("k", alive) is ClaimStatus.ACQUIRED  # the worker died: run it again
    assert store.renew("k", dead) is False
    store.abandon("k", dead)
    assert store.begin("k", new_token()) is ClaimStatus.IN_PROGRESS
    if kit.kind != "django-redis" and not kit.kind.startswith("django"):
        assert store.finish("k", dead) is False  # (the cache API has no compare-and-set)
    assert store.finish("k", alive) is True
    assert store.begin("k", dead) is ClaimStatus.DONE


def test_renewal_extends_the_lease(kit: Kit) -> None:
    lease = kit.min_lease
    store = kit.store(lease_seconds=lease)
    token = new_token()
    assert store.begin("k", token) is ClaimStatus.ACQUIRED
    for _ in range(3):
        kit.advance(lease * 0.6)
        assert store.renew("k", token) is True
    assert store.begin("k", new_token()) is ClaimStatus.IN_PROGRESS


def test_done_is_kept_for_the_retention_window(kit: Kit) -> None:
    retention = 1.0
    store = kit.store(retention_seconds=retention)
    token = new_token()
    assert store.begin("k", token) is ClaimStatus.ACQUIRED
    assert store.finish("k", token)
    kit.advance(retention * 0.3)
    assert store.begin("k", new_token()) is ClaimStatus.DONE
    kit.advance(retention * 1.2)
    assert store.begin("k", new_token()) is ClaimStatus.ACQUIRED


def test_lease_less_claim_and_release(kit: Kit) -> None:
    store = kit.store()
    assert store.claim("k") is True
    assert store.claim("k") is False
    assert store.begin("k", new_token()) is ClaimStatus.DONE
    store.release("k")
    assert store.claim("k") is True
    store.release("never-claimed")


@pytest.mark.parametrize("key", ["", None, 5, b"k"])
def test_bad_keys_are_invalid_input(kit: Kit, key: Any) -> None:
    store = kit.store()
    with pytest.raises(InvalidInputError):
        store.begin(key, new_token())
    with pytest.raises(InvalidInputError):
        store.claim(key)


@pytest.mark.parametrize("option", [{"lease_seconds": 0}, {"lease_seconds": float("nan")},
                                    {"retention_seconds": -1}, {"lease_seconds": "60"}])
def test_bad_lease_and_retention(kit: Kit, option: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        kit.store(**option)


def test_unicode_and_hostile_keys(kit: Kit) -> None:
    store = kit.store()
    for key in ("ключ-🔑", "x" * 2000, "a'; DROP TABLE invo_webhook_leases; --", "a b\nc"):
        token = new_token()
        assert store.begin(key, token) is ClaimStatus.ACQUIRED
        assert store.begin(key, new_token()) is ClaimStatus.IN_PROGRESS
        assert store.finish(key, token)
        assert store.begin(key, new_token()) is ClaimStatus.DONE


def test_thread_race_exactly_one_lease(kit: Kit) -> None:
    store = kit.store()
    racers = 16
    barrier = threading.Barrier(racers)
    results: list[ClaimStatus] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        status = store.begin("shared", new_token())
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == racers
    assert results.count(ClaimStatus.ACQUIRED) == 1
    assert results.count(ClaimStatus.IN_PROGRESS) == racers - 1


def test_leased_renews_in_the_background_while_the_block_runs(kit: Kit) -> None:
    lease = kit.min_lease
    store = kit.store(lease_seconds=lease, fake_clock=False)
    seen: list[ClaimStatus] = []
    with leased(store, "slow") as status:
        assert status is ClaimStatus.ACQUIRED
        held = current_lease()
        assert held is not None and held.key == "slow"
        assert "slow" in repr(held) and held.token not in repr(held)
        deadline = time.monotonic() + lease * 2.5  # well past the first lease
        while time.monotonic() < deadline:
            seen.append(store.begin("slow", new_token()))
            time.sleep(lease / 5)
    assert current_lease() is None
    assert set(seen) == {ClaimStatus.IN_PROGRESS}
    with leased(store, "slow") as status:
        assert status is ClaimStatus.DONE


def test_leased_abandons_when_the_block_raises(kit: Kit) -> None:
    store = kit.store()
    with pytest.raises(RuntimeError), leased(store, "k") as status:
        assert status is ClaimStatus.ACQUIRED
        raise RuntimeError("handler failed")
    with leased(store, "k") as status:
        assert status is ClaimStatus.ACQUIRED


def test_stopped_renewals_cost_nothing_later(kit: Kit) -> None:
    """Many short blocks: each renewal is dropped, none fires after its block ended."""
    store = kit.store(lease_seconds=kit.min_lease, fake_clock=False)
    for index in range(20):
        with leased(store, f"quick-{index}") as status:
            assert status is ClaimStatus.ACQUIRED
    time.sleep(kit.min_lease / 2)
    for index in range(20):
        assert store.begin(f"quick-{index}", new_token()) is ClaimStatus.DONE


def test_a_store_error_while_abandoning_does_not_hide_the_handler_error() -> None:
    class FlakyStore:
        lease_seconds = 30.0

        def begin(self, key: str, token: str) -> ClaimStatus:
            return ClaimStatus.ACQUIRED

        def renew(self, key: str, token: str) -> bool:
            return True

        def finish(self, key: str, token: str) -> bool:
            return True

        def abandon(self, key: str, token: str) -> None:
            raise ConnectionError("store is down")

    with pytest.raises(ValueError, match="the handler's own"), leased(FlakyStore(), "k"):
        raise ValueError("the handler's own error")




def test_memory_a_lapsed_lease_swept_away_is_still_finished() -> None:
    """The in-memory store sweeps expired keys; a slow handler's finish still records done."""
    from invonetwork.webhooks import InMemoryIdempotencyStore

    clock = FakeClock()
    store = InMemoryIdempotencyStore(lease_seconds=1, clock=clock)
    token = new_token()
    assert store.begin("slow", token) is ClaimStatus.ACQUIRED
    clock.now += 5
    assert store.begin("other", new_token()) is ClaimStatus.ACQUIRED  # sweeps "slow"
    assert "slow" not in store
    assert store.renew("slow", token) is True
    assert store.finish("slow", token) is True
    assert store.begin("slow", new_token()) is ClaimStatus.DONE
