"""Exactly-once handling on top of at-least-once delivery: idempotency-key stores.

INVO delivers each event at least once: retries and manual replays re-send it with the same
idempotency key. A store remembers which keys were claimed, so the second delivery of a key
is recognised and answered 2xx without doing the work again.

The contract of a store is two methods (:class:`IdempotencyStore`):

* ``claim(key) -> bool``: atomically record the key; ``True`` for the one caller that
  recorded it first, ``False`` for everyone after (other threads, other processes).
* ``release(key) -> None``: forget the key, so that a delivery whose handling failed is
  processed again when INVO retries it. Releasing an unknown key is a no-op.

:func:`deduplicate` wraps the two in a ``with`` block that releases on error.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Callable, Optional, Protocol, Union, runtime_checkable

from .._fork import ProcessLocal, call_in_child_after_fork
from ._common import describe, invalid_argument, type_name

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "SQLiteIdempotencyStore",
    "deduplicate",
]

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise invalid_argument(
            f"an idempotency key must be a non-empty str, got {type_name(key)}"
            if not isinstance(key, str)
            else "an idempotency key must be a non-empty str, got an empty one"
        )
    return key


def _check_ttl(ttl_seconds: object) -> Optional[float]:
    if ttl_seconds is None:
        return None
    if (
        isinstance(ttl_seconds, bool)
        or not isinstance(ttl_seconds, (int, float))
        or not 0 < ttl_seconds < 1e15  # also rejects NaN, infinity and ints beyond float
    ):
        raise invalid_argument(
            f"ttl_seconds must be a positive number or None, got {describe(ttl_seconds)}"
        )
    return float(ttl_seconds)


@runtime_checkable
class IdempotencyStore(Protocol):
    """What a receiver needs to process each logical event once.

    Implement it over your own database to share claims between servers (see
    ``docs/webhooks.md``): a table with a unique key column, ``claim`` as an insert that
    does nothing on conflict (``True`` when a row was inserted), ``release`` as a delete.
    """

    def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` if this call recorded it first, ``False`` if it was already.

        Must be atomic: of many concurrent callers with the same key, exactly one gets
        ``True``.
        """
        ...

    def release(self, key: str) -> None:
        """Forget ``key`` so a later delivery of it is processed again (no-op if unknown)."""
        ...


@contextmanager
def deduplicate(store: IdempotencyStore, key: str) -> Iterator[bool]:
    """Claim ``key`` for the duration of a ``with`` block; release it if the block raises.

    The value bound by ``as`` is ``True`` when this delivery is the first one for ``key``
    and should be processed, ``False`` for a duplicate::

        with deduplicate(store, event.idempotency_key) as first:
            if first:
                handle(event)          # an exception here releases the key: the retry runs
        return 200

    A process that dies inside the block leaves the key claimed (the event counts as done);
    when that matters, make the claim part of the same database transaction as the work.
    """
    first = store.claim(key)
    try:
        yield first
    except BaseException:
        if first:
            store.release(key)
        raise


class InMemoryIdempotencyStore:
    """A thread-safe :class:`IdempotencyStore` held in this process's memory.

    Right for one process (a single worker, tests). Claims are lost on restart and are not
    shared between processes: with several workers use :class:`SQLiteIdempotencyStore` on a
    shared disk or your own database.

    Args:
        ttl_seconds: Forget a claim this many seconds after it was made (``None``: never).
            INVO retries for about 31 hours and replays can come later, so keep it long
            (days).
        max_keys: Keep at most this many claims, forgetting the oldest first (``None``: no
            limit). The default, 100 000, bounds memory at roughly 20 MB for UUID keys.
        clock: Monotonic seconds, for tests (default ``time.monotonic``).
    """

    def __init__(
        self,
        *,
        ttl_seconds: Optional[float] = None,
        max_keys: Optional[int] = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl = _check_ttl(ttl_seconds)
        if max_keys is not None and (
            isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1
        ):
            raise invalid_argument(
                f"max_keys must be a positive int or None, got {describe(max_keys)}"
            )
        self._max_keys = max_keys
        self._clock = clock
        self._claims: OrderedDict[str, float] = OrderedDict()  # key -> claim time, oldest first
        self._lock = threading.Lock()
        call_in_child_after_fork(self, InMemoryIdempotencyStore._after_fork)

    def _after_fork(self) -> None:
        # A forked child keeps a copy of the claims (they are its own from then on) but not
        # a lock that another thread of the parent may have held at the moment of the fork.
        self._lock = threading.Lock()

    def _expire(self, now: float) -> None:
        if self._ttl is None:
            return
        horizon = now - self._ttl
        claims = self._claims
        while claims:
            oldest, claimed_at = next(iter(claims.items()))
            if claimed_at > horizon:
                break
            del claims[oldest]

    def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` the first time (or after it expired or was released)."""
        _check_key(key)
        with self._lock:
            now = self._clock()
            self._expire(now)
            if key in self._claims:
                return False
            self._claims[key] = now
            if self._max_keys is not None:
                while len(self._claims) > self._max_keys:
                    self._claims.popitem(last=False)
            return True

    def release(self, key: str) -> None:
        """Forget ``key`` (no-op if it was never claimed)."""
        _check_key(key)
        with self._lock:
            self._claims.pop(key, None)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is currently claimed."""
        with self._lock:
            self._expire(self._clock())
            return key in self._claims

    def __len__(self) -> int:
        """How many claims are held."""
        with self._lock:
            self._expire(self._clock())
            return len(self._claims)

    def clear(self) -> None:
        """Forget every claim (for tests)."""
        with self._lock:
            self._claims.clear()

    def __repr__(self) -> str:
        return f"InMemoryIdempotencyStore(claims={len(self._claims)}, ttl_seconds={self._ttl})"


class SQLiteIdempotencyStore:
    """An :class:`IdempotencyStore` in an SQLite file, shared by threads and processes.

    ``claim`` is an ``INSERT OR IGNORE`` against a ``PRIMARY KEY``, so of any number of racing
    threads or processes exactly one wins. The database runs in WAL mode with a busy
    timeout. Each call opens and closes its own connection: there is no connection to
    share between threads and nothing to leak when worker threads come and go (a claim
    costs well under a millisecond on a local disk; see ``docs/webhooks.md``).

    Use a local filesystem: SQLite locking is unreliable on network filesystems (NFS, SMB).
    For several hosts, implement :class:`IdempotencyStore` over your own database.
    ``sqlite3.Error`` (disk full, lock wait exceeded) propagates; let it become a 5xx so
    INVO retries.

    Args:
        path: The database file (created if missing). ``":memory:"`` gives a private
            in-memory database shared by the threads of this one store object.
        ttl_seconds: Let a key be claimed again this many seconds after its claim
            (``None``: never). An expired row is deleted when its key is claimed again;
            :meth:`purge_expired` deletes them in bulk.
        table: Table name (letters, digits, ``_``), default ``invo_webhook_claims``.
        timeout: Seconds to wait for another writer's lock (default 30).
        clock: Wall-clock seconds stored with each claim (default ``time.time``).
    """

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        *,
        ttl_seconds: Optional[float] = None,
        table: str = "invo_webhook_claims",
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        import sqlite3  # here, so builds of Python without sqlite3 can still verify webhooks

        if not isinstance(table, str) or not _TABLE_NAME.fullmatch(table):
            raise invalid_argument("table must be a plain SQL identifier (letters, digits, _)")
        if not isinstance(path, (str, os.PathLike)) or isinstance(os.fspath(path), bytes):
            raise invalid_argument(f"path must be a str or path-like, got {describe(path)}")
        if (
            isinstance(timeout, bool)
            or not isinstance(timeout, (int, float))
            or not 0 <= timeout < 1e9
        ):
            raise invalid_argument(f"timeout must be seconds >= 0, got {describe(timeout)}")
        self._sqlite3 = sqlite3
        self._path = os.fspath(path)
        self._ttl = _check_ttl(ttl_seconds)
        self._table = table
        self._timeout = float(timeout)
        self._clock = clock
        # The table name was checked against _TABLE_NAME above; values are always bound.
        t = table
        self._sql_claim = f"INSERT OR IGNORE INTO {t} (key, claimed_at) VALUES (?, ?)"  # noqa: S608
        self._sql_expire_key = f"DELETE FROM {t} WHERE key = ? AND claimed_at <= ?"  # noqa: S608
        self._sql_release = f"DELETE FROM {t} WHERE key = ?"  # noqa: S608
        self._sql_purge = f"DELETE FROM {t} WHERE claimed_at <= ?"  # noqa: S608
        self._sql_lookup = f"SELECT 1 FROM {t} WHERE key = ? AND claimed_at > ?"  # noqa: S608
        self._sql_create = (
            f"CREATE TABLE IF NOT EXISTS {t} "
            "(key TEXT PRIMARY KEY NOT NULL, claimed_at REAL NOT NULL)"
        )
        # An in-memory database lives in one connection, which belongs to one process: SQLite
        # must not be used through a connection inherited across fork(), so a forked child
        # gets a new, empty database of its own (see ``invonetwork._fork``).
        self._shared: Optional[ProcessLocal[sqlite3.Connection]] = None
        self._shared_lock = threading.Lock()
        if self._path == ":memory:" or self._path.startswith("file::memory:"):
            self._shared = ProcessLocal(self._connect_shared)
            call_in_child_after_fork(self, SQLiteIdempotencyStore._after_fork)
            return
        conn = self._open()
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute(self._sql_create)
        finally:
            self._close(conn)

    def _connect_shared(self) -> sqlite3.Connection:
        conn = self._sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        conn.execute(self._sql_create)
        return conn

    def _after_fork(self) -> None:
        # Another thread of the parent may have held this lock at the moment of the fork.
        self._shared_lock = threading.Lock()

    def _open(self) -> sqlite3.Connection:
        if self._shared is not None:
            self._shared_lock.acquire()
            try:
                return self._shared.get()
            except BaseException:
                self._shared_lock.release()
                raise
        # Files: a connection per call, so nothing is held across calls, threads or forks.
        # isolation_level=None: autocommit, each statement is its own atomic transaction.
        return self._sqlite3.connect(self._path, timeout=self._timeout, isolation_level=None)

    def _close(self, conn: sqlite3.Connection) -> None:
        if self._shared is not None:
            self._shared_lock.release()
        else:
            conn.close()

    def claim(self, key: str) -> bool:
        """Record ``key``; ``True`` for exactly one caller across threads and processes."""
        _check_key(key)
        now = float(self._clock())
        conn = self._open()
        try:
            if self._ttl is not None:
                # Drop this key's row only if it has expired. Racing claimers cannot both
                # win: a fresh row is never deleted here, and the INSERT below is atomic.
                conn.execute(self._sql_expire_key, (key, now - self._ttl))
            cursor = conn.execute(self._sql_claim, (key, now))
            return cursor.rowcount == 1
        finally:
            self._close(conn)

    def release(self, key: str) -> None:
        """Forget ``key`` (no-op if it was never claimed)."""
        _check_key(key)
        conn = self._open()
        try:
            conn.execute(self._sql_release, (key,))
        finally:
            self._close(conn)

    def purge_expired(self) -> int:
        """Delete the claims older than ``ttl_seconds``; return how many (0 without a TTL)."""
        if self._ttl is None:
            return 0
        conn = self._open()
        try:
            cursor = conn.execute(self._sql_purge, (float(self._clock()) - self._ttl,))
            return max(cursor.rowcount, 0)
        finally:
            self._close(conn)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is currently claimed (expired claims count as not claimed)."""
        if not isinstance(key, str):
            return False
        horizon = -float("inf") if self._ttl is None else float(self._clock()) - self._ttl
        conn = self._open()
        try:
            row = conn.execute(self._sql_lookup, (key, horizon)).fetchone()
        finally:
            self._close(conn)
        return row is not None

    def close(self) -> None:
        """Close the shared connection of an in-memory store (file stores hold none)."""
        if self._shared is not None:
            with self._shared_lock:
                self._shared.close(lambda conn: conn.close())

    def __repr__(self) -> str:
        return f"SQLiteIdempotencyStore(path={self._path!r}, table={self._table!r})"
