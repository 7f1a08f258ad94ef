"""Idempotency stores: claim/release semantics, TTL, bounds, thread and process races."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import invo_webhooks_race_worker as race
import pytest

from invonetwork.errors import InvalidInputError
from invonetwork.webhooks import (
    IdempotencyStore,
    InMemoryIdempotencyStore,
    SQLiteIdempotencyStore,
    deduplicate,
)


class FakeClock:
    def __init__(self, now: float = 1_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "sqlite-file", "sqlite-memory"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[..., Any]]:
    made: list[Any] = []

    def factory(**kwargs: Any) -> Any:
        if request.param == "memory":
            store: Any = InMemoryIdempotencyStore(**kwargs)
        elif request.param == "sqlite-file":
            store = SQLiteIdempotencyStore(tmp_path / "claims.sqlite3", **kwargs)
        else:
            store = SQLiteIdempotencyStore(":memory:", **kwargs)
        made.append(store)
        return store

    yield factory
    for store in made:
        if isinstance(store, SQLiteIdempotencyStore):
            store.close()


# -- the common contract ---------------------------------------------------------------------


def test_stores_satisfy_the_protocol(make_store: Callable[..., Any]) -> None:
    assert isinstance(make_store(), IdempotencyStore)


def test_claim_once_then_refused(make_store: Callable[..., Any]) -> None:
    store = make_store()
    assert store.claim("k1") is True
    assert store.claim("k1") is False
    assert store.claim("k1") is False
    assert store.claim("k2") is True
    assert "k1" in store
    assert "never" not in store


def test_release_lets_the_key_through_again(make_store: Callable[..., Any]) -> None:
    store = make_store()
    assert store.claim("k") is True
    store.release("k")
    assert "k" not in store
    assert store.claim("k") is True
    store.release("unknown")  # a no-op


def test_ttl_expiry(make_store: Callable[..., Any]) -> None:
    clock = FakeClock()
    store = make_store(ttl_seconds=60, clock=clock)
    assert store.claim("k") is True
    clock.now += 59.9
    assert store.claim("k") is False
    clock.now += 0.1  # exactly 60 s later: expired
    assert "k" not in store
    assert store.claim("k") is True
    assert store.claim("k") is False


@pytest.mark.parametrize("key", ["", None, 5, b"k"])
def test_bad_keys_are_invalid_input(make_store: Callable[..., Any], key: Any) -> None:
    store = make_store()
    with pytest.raises(InvalidInputError):
        store.claim(key)
    with pytest.raises(InvalidInputError):
        store.release(key)


@pytest.mark.parametrize("ttl", [0, -1, float("nan"), float("inf"), True, "60",
                                 pytest.param(10**5000, id="huge-int")])
def test_bad_ttl(make_store: Callable[..., Any], ttl: Any) -> None:
    with pytest.raises(InvalidInputError):
        make_store(ttl_seconds=ttl)


def test_unicode_and_long_keys(make_store: Callable[..., Any]) -> None:
    store = make_store()
    for key in ("ключ-🔑", "x" * 10_000, "a'; DROP TABLE invo_webhook_claims; --"):
        assert store.claim(key) is True
        assert store.claim(key) is False


def test_thread_race_exactly_one_winner(make_store: Callable[..., Any]) -> None:
    store = make_store()
    racers = 32
    barrier = threading.Barrier(racers)
    results: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        won = store.claim("shared-key")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results) == racers
    assert results.count(True) == 1


def test_thread_race_on_an_expired_key_exactly_one_winner(make_store: Callable[..., Any]) -> None:
    clock = FakeClock()
    store = make_store(ttl_seconds=10, clock=clock)
    assert store.claim("shared-key")
    clock.now += 11
    racers = 24
    barrier = threading.Barrier(racers)
    results: list[bool] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        won = store.claim("shared-key")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=run) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results.count(True) == 1
    assert len(results) == racers


# -- deduplicate -------------------------------------------------------------------------------


def test_deduplicate_first_then_duplicate() -> None:
    store = InMemoryIdempotencyStore()
    with deduplicate(store, "k") as first:
        assert first is True
    with deduplicate(store, "k") as first:
        assert first is False
    assert "k" in store


def test_deduplicate_releases_when_the_handler_fails() -> None:
    store = InMemoryIdempotencyStore()
    with pytest.raises(RuntimeError), deduplicate(store, "k") as first:
        assert first
        raise RuntimeError("handler crashed")
    assert "k" not in store
    with deduplicate(store, "k") as first:  # INVO's retry is processed
        assert first is True


def test_deduplicate_failure_on_a_duplicate_does_not_release_the_owner() -> None:
    store = InMemoryIdempotencyStore()
    assert store.claim("k")
    with pytest.raises(RuntimeError), deduplicate(store, "k") as first:
        assert first is False
        raise RuntimeError("boom")
    assert "k" in store


def test_deduplicate_works_with_any_protocol_implementation() -> None:
    class DictStore:
        def __init__(self) -> None:
            self.keys: set[str] = set()
            self.released: list[str] = []

        def claim(self, key: str) -> bool:
            if key in self.keys:
                return False
            self.keys.add(key)
            return True

        def release(self, key: str) -> None:
            self.released.append(key)
            self.keys.discard(key)

    store = DictStore()
    assert isinstance(store, IdempotencyStore)
    with pytest.raises(ValueError), deduplicate(store, "a"):
        raise ValueError
    assert store.released == ["a"]


# -- in memory specifics -------------------------------------------------------------------------


def test_memory_max_keys_evicts_the_oldest() -> None:
    store = InMemoryIdempotencyStore(max_keys=3)
    for key in "abcd":
        assert store.claim(key)
    assert len(store) == 3
    assert "a" not in store
    assert store.claim("a") is True  # evicted, so accepted again
    assert "b" not in store


def test_memory_unbounded_and_clear() -> None:
    store = InMemoryIdempotencyStore(max_keys=None)
    for index in range(1000):
        store.claim(str(index))
    assert len(store) == 1000
    store.clear()
    assert len(store) == 0


@pytest.mark.parametrize("max_keys", [0, -1, True, 1.5])
def test_memory_bad_max_keys(max_keys: Any) -> None:
    with pytest.raises(InvalidInputError):
        InMemoryIdempotencyStore(max_keys=max_keys)


def test_memory_expiry_purges_old_claims() -> None:
    clock = FakeClock()
    store = InMemoryIdempotencyStore(ttl_seconds=10, clock=clock)
    for index in range(5):
        store.claim(f"k{index}")
        clock.now += 1
    clock.now += 6  # ages now 11, 10, 9, 8, 7 s: k0 and k1 (exactly 10 s) have expired
    assert len(store) == 3
    assert "k1" not in store
    assert "k2" in store
    clock.now += 4
    assert len(store) == 0


# -- SQLite specifics -------------------------------------------------------------------------


def test_sqlite_claims_survive_a_new_store_object(tmp_path: Path) -> None:
    path = tmp_path / "claims.sqlite3"
    assert SQLiteIdempotencyStore(path).claim("k") is True
    again = SQLiteIdempotencyStore(str(path))
    assert again.claim("k") is False
    assert "k" in again


def test_sqlite_uses_wal_and_a_primary_key(tmp_path: Path) -> None:
    path = tmp_path / "claims.sqlite3"
    SQLiteIdempotencyStore(path, table="my_claims")
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        columns = conn.execute("PRAGMA table_info(my_claims)").fetchall()
        assert [(c[1], c[5]) for c in columns] == [
            ("key", 1), ("claimed_at", 0), ("state", 0), ("token", 0)]
    finally:
        conn.close()


def test_sqlite_purge_expired(tmp_path: Path) -> None:
    clock = FakeClock()
    store = SQLiteIdempotencyStore(tmp_path / "c.sqlite3", ttl_seconds=100, clock=clock)
    assert store.purge_expired() == 0
    store.claim("old")
    clock.now += 50
    store.claim("new")
    clock.now += 60
    assert store.purge_expired() == 1
    assert "new" in store
    assert SQLiteIdempotencyStore(tmp_path / "d.sqlite3").purge_expired() == 0


@pytest.mark.parametrize("table", ["", "1abc", "a-b", "x; DROP TABLE t", "a b", None])
def test_sqlite_table_name_is_checked(tmp_path: Path, table: Any) -> None:
    with pytest.raises(InvalidInputError):
        SQLiteIdempotencyStore(tmp_path / "c.sqlite3", table=table)


@pytest.mark.parametrize("kwargs", [{"timeout": -1}, {"timeout": "5"}, {"timeout": True},
                                    {"timeout": float("nan")}])
def test_sqlite_bad_timeout(tmp_path: Path, kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidInputError):
        SQLiteIdempotencyStore(tmp_path / "c.sqlite3", **kwargs)


@pytest.mark.parametrize("path", [None, 5, b"claims.sqlite3"])
def test_sqlite_bad_path(path: Any) -> None:
    with pytest.raises(InvalidInputError):
        SQLiteIdempotencyStore(path)


def test_sqlite_repr_has_no_surprises(tmp_path: Path) -> None:
    assert "claims" in repr(SQLiteIdempotencyStore(tmp_path / "claims.sqlite3"))


def _spawn() -> Any:
    return multiprocessing.get_context("spawn")


def test_sqlite_process_race_exactly_one_winner(tmp_path: Path) -> None:
    path = str(tmp_path / "race.sqlite3")
    SQLiteIdempotencyStore(path)  # create the file and table up front
    ctx = _spawn()
    racers = 8
    barrier = ctx.Barrier(racers)
    results = ctx.Queue()
    procs = [ctx.Process(target=race.claim_after_barrier, args=(path, "the-key", barrier, results))
             for _ in range(racers)]
    for proc in procs:
        proc.start()
    outcomes = [results.get(timeout=60) for _ in range(racers)]
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert outcomes.count(True) == 1
    assert outcomes.count(False) == racers - 1


def test_sqlite_process_race_many_keys_each_won_once(tmp_path: Path) -> None:
    path = str(tmp_path / "race-many.sqlite3")
    SQLiteIdempotencyStore(path)
    ctx = _spawn()
    racers = 4
    keys = [f"key-{index}" for index in range(150)]
    barrier = ctx.Barrier(racers)
    results = ctx.Queue()
    procs = [ctx.Process(target=race.claim_many, args=(path, keys, barrier, results))
             for _ in range(racers)]
    for proc in procs:
        proc.start()
    won: list[str] = []
    for _ in range(racers):
        won.extend(results.get(timeout=60))
    for proc in procs:
        proc.join(60)
        assert proc.exitcode == 0
    assert sorted(won) == sorted(keys)  # every key claimed, none twice
