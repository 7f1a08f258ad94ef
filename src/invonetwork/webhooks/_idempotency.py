"""Exactly-once handling on top of at-least-once delivery: idempotency stores with leases.

INVO delivers each event at least once: retries and manual replays re-send it with the same
idempotency key. A store remembers each key's state so the work runs once:

* **in progress**: a worker holds a *lease* on the key. The lease has an expiry
  (``lease_seconds``) and is renewed while the handler runs, so a long handler keeps it and a
  worker that died (SIGKILL, OOM, power loss) loses it when it expires; the next delivery of
  the key then runs the work again. A duplicate that arrives meanwhile is answered
  "come back later" (a non-2xx, so INVO retries).
* **done**: the handler finished; the key is kept for ``retention_seconds`` and every later
  delivery of it is answered ``200`` without running the work.

The contract of such a store is :class:`LeaseStore`: ``begin``, ``renew``, ``finish`` and
``abandon``, each one atomic step on the shared state (one round trip on a network store).
Each lease carries a random *token*, so a worker whose lease expired and was taken over
cannot finish or abandon its successor's lease.

The older, lease-less contract :class:`IdempotencyStore` (``claim``/``release``, used by
:func:`deduplicate`) is still accepted everywhere; a claim made with it has no expiry, so a
worker that dies mid-handler leaves the key claimed. Every built-in store implements both.
"""

from __future__ import annotations

import contextvars
import heapq
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Callable, Optional, Protocol, Union, runtime_checkable

from .._fork import ProcessLocal, call_in_child_after_fork
from ._common import describe, invalid_argument, type_name

if TYPE_CHECKING:
    import sqlite3

__all__ = [
    "DEFAULT_LEASE_SECONDS",
    "DEFAULT_RETENTION_SECONDS",
    "ClaimStatus",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "Lease",
    "LeaseLostError",
    "LeaseStore",
    "SQLiteIdempotencyStore",
    "current_lease",
    "deduplicate",
    "leased",
    "new_token",
]

#: How long a key stays *in progress* without a renewal (seconds). Renewed every third of it.
DEFAULT_LEASE_SECONDS = 60.0
#: How long the network stores keep a *done* key (7 days: INVO retries for about 31 hours
#: and a manual replay from the dead-letter queue can come days later).
DEFAULT_RETENTION_SECONDS = 7 * 24 * 3600.0

_TABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class ClaimStatus(str, Enum):
    """What :meth:`LeaseStore.begin` found for a key."""

    #: The key was free (or its lease had expired): this caller holds the lease, run the work.
    ACQUIRED = "acquired"
    #: Another worker holds a live lease: answer non-2xx so INVO retries later.
    IN_PROGRESS = "in_progress"
    #: The work was done within the retention window: answer 200, do nothing.
    DONE = "done"

    def __str__(self) -> str:
        return str(self.value)


class LeaseLostError(RuntimeError):
    """The lease on a key expired and another worker took it over before this one finished.

    Raised by ``mark_done`` inside your own transaction (PostgreSQL store), so that the
    transaction rolls back and the other worker's run is the one that counts.
    """


@dataclass(frozen=True)
class Lease:
    """A held lease: the dedupe ``key`` and the random ``token`` that proves ownership."""

    key: str
    token: str

    def __repr__(self) -> str:
        return f"Lease(key={self.key[:80]!r})"


_CURRENT_LEASE: contextvars.ContextVar[Optional[Lease]] = contextvars.ContextVar(
    "invonetwork_webhook_lease", default=None
)


def current_lease() -> Optional[Lease]:
    """The lease :func:`receive_webhook` (or :func:`leased`) holds for the running handler.

    ``None`` outside a handler. The PostgreSQL store's ``mark_done(conn)`` reads it to record
    *done* inside your own transaction.
    """
    return _CURRENT_LEASE.get()


def new_token() -> str:
    """A fresh random lease token."""
    return secrets.token_hex(12)


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key:
        raise invalid_argument(
            f"an idempotency key must be a non-empty str, got {type_name(key)}"
            if not isinstance(key, str)
            else "an idempotency key must be a non-empty str, got an empty one"
        )
    return key


def _check_token(token: object) -> str:
    if not isinstance(token, str) or not token:
        raise invalid_argument("a lease token must be a non-empty str")
    return token


def _check_seconds(name: str, value: object, *, optional: bool) -> Optional[float]:
    if value is None and optional:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not 0 < value < 1e15  # also rejects NaN, infinity and ints beyond float
    ):
        allowed = "a positive number or None" if optional else "a positive number"
        raise invalid_argument(f"{name} must be {allowed}, got {describe(value)}")
    return float(value)


def _check_ttl(ttl_seconds: object) -> Optional[float]:
    return _check_seconds("ttl_seconds", ttl_seconds, optional=True)


def _retention(retention_seconds: object, ttl_seconds: object, default: object) -> Optional[float]:
    """``retention_seconds``, or its older name ``ttl_seconds`` (not both)."""
    if ttl_seconds is not None and retention_seconds is not _UNSET:
        raise invalid_argument("pass retention_seconds or ttl_seconds (its older name), not both")
    if ttl_seconds is not None:
        return _check_ttl(ttl_seconds)
    value = default if retention_seconds is _UNSET else retention_seconds
    return _check_seconds("retention_seconds", value, optional=True)


class _Unset:
    def __repr__(self) -> str:
        return "<unset>"


_UNSET: object = _Unset()


@runtime_checkable
class LeaseStore(Protocol):
    """A store of per-key leases: what :func:`receive_webhook` needs for exactly-once work.

    Each method is one atomic step on state shared by every worker. ``token`` is the
    caller's random proof of ownership (:func:`new_token`); a method given a token that does
    not hold the key's lease changes nothing.
    """

    @property
    def lease_seconds(self) -> float:
        """How long a lease lasts without renewal; renewals come every third of it."""
        ...

    def begin(self, key: str, token: str) -> ClaimStatus:
        """Take the lease on ``key`` for ``token`` if the key is free or its lease expired.

        Of many concurrent callers with the same key, exactly one gets ``ACQUIRED``; the
        others get ``IN_PROGRESS`` (a live lease) or ``DONE`` (finished, still retained).
        """
        ...

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease by ``lease_seconds``; ``False`` if it no longer holds it."""
        ...

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done (kept for the retention window); ``False`` if the lease was lost."""
        ...

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease so the next delivery runs the work (the handler failed)."""
        ...


@runtime_checkable
class IdempotencyStore(Protocol):
    """The lease-less store contract: claim a key once, release it on failure.

    Still accepted by :func:`receive_webhook` and :func:`deduplicate`, but a claim has no
    expiry: a worker that dies mid-handler leaves its key claimed, and that delivery is
    never processed. Prefer a :class:`LeaseStore` (every built-in store is both).
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

    A process that dies inside the block leaves the key claimed (the event counts as done).
    :func:`leased` (and :func:`receive_webhook`, which uses it) avoids that with a lease.
    """
    first = store.claim(key)
    try:
        yield first
    except BaseException:
        if first:
            store.release(key)
        raise


# -- lease renewal --------------------------------------------------------------------------


class _Renewal:
    """One held lease that the renewer thread extends every ``interval`` seconds."""

    __slots__ = ("active", "due", "interval", "key", "lost", "store", "token")

    def __init__(self, store: LeaseStore, key: str, token: str, interval: float) -> None:
        self.store = store
        self.key = key
        self.token = token
        self.interval = interval
        self.due = time.monotonic() + interval
        self.active = True
        self.lost = False

    def stop(self) -> None:
        self.active = False


class _Renewer:
    """One daemon thread per process that renews every held lease on time.

    A handler that ends before its first renewal is due costs one heap push and nothing
    else (no thread start, no wake-up). Stopped renewals are dropped when they come due.
    """

    # Coalesce wake-ups: renewals due within this many seconds are made together.
    _GRANULARITY = 0.05

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, _Renewal]] = []
        self._seq = 0
        self._thread: Optional[threading.Thread] = None

    def start(self, store: LeaseStore, key: str, token: str, lease_seconds: float) -> _Renewal:
        renewal = _Renewal(store, key, token, max(lease_seconds / 3.0, 0.01))
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="invonetwork-lease-renewer", daemon=True
                )
                self._thread.start()
            earliest = self._heap[0][0] if self._heap else None
            self._seq += 1
            heapq.heappush(self._heap, (renewal.due, self._seq, renewal))
            if earliest is None or renewal.due < earliest:
                self._cond.notify()
        return renewal

    def _due(self) -> list[_Renewal]:
        """Wait until something is due; pop every due renewal (stopped ones are dropped)."""
        with self._cond:
            while True:
                if not self._heap:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                wait = self._heap[0][0] - now
                if wait > 0:
                    self._cond.wait(max(wait, self._GRANULARITY))
                    continue
                due: list[_Renewal] = []
                horizon = now + self._GRANULARITY
                while self._heap and self._heap[0][0] <= horizon:
                    renewal = heapq.heappop(self._heap)[2]
                    if renewal.active:
                        due.append(renewal)
                if due:
                    return due

    def _run(self) -> None:
        while True:
            for renewal in self._due():
                try:
                    held = renewal.store.renew(renewal.key, renewal.token)
                except Exception:  # a store hiccup: try again next interval
                    held = True
                with self._cond:
                    if not held:
                        renewal.lost = True
                    elif renewal.active:
                        renewal.due = time.monotonic() + renewal.interval
                        self._seq += 1
                        heapq.heappush(self._heap, (renewal.due, self._seq, renewal))

    def _after_fork_in_child(self) -> None:
        # The thread does not exist in the child, and the parent's handlers do not run there.
        self._reset()


_RENEWER = _Renewer()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_RENEWER._after_fork_in_child)


@contextmanager
def leased(store: LeaseStore, key: str, *, renew: bool = True) -> Iterator[ClaimStatus]:
    """Hold the lease on ``key`` for a ``with`` block: the exactly-once building block.

    Binds the :class:`ClaimStatus` that :meth:`LeaseStore.begin` returned. Only for
    ``ACQUIRED`` should the block do the work; the lease is renewed in the background every
    ``lease_seconds / 3`` while the block runs (``renew=False``: never), the key is marked
    done when the block ends, and abandoned (so INVO's retry runs it) when the block
    raises::

        with leased(store, event.dedupe_key) as status:
            if status is ClaimStatus.ACQUIRED:
                handle(event)
            elif status is ClaimStatus.IN_PROGRESS:
                return 409                       # another worker is on it: INVO retries
        return 200

    An error from the store while abandoning is swallowed (the lease then expires by
    itself) so that the block's own exception is the one that propagates.
    """
    _check_key(key)
    token = new_token()
    status = ClaimStatus(store.begin(key, token))
    if status is not ClaimStatus.ACQUIRED:
        yield status
        return
    renewal = _RENEWER.start(store, key, token, store.lease_seconds) if renew else None
    reset = _CURRENT_LEASE.set(Lease(key, token))
    try:
        yield status
    except BaseException:
        if renewal is not None:
            renewal.stop()
        _CURRENT_LEASE.reset(reset)
        # An error here is dropped: the lease expires by itself; the block's error wins.
        with suppress(Exception):
            store.abandon(key, token)
        raise
    if renewal is not None:
        renewal.stop()
    _CURRENT_LEASE.reset(reset)
    store.finish(key, token)


# -- in memory ------------------------------------------------------------------------------

_IN_PROGRESS = "p"
_DONE = "d"
_FOREVER = float("inf")


class _LeaseTimes:
    """``lease_seconds`` and ``retention_seconds`` of a store (from ``_lease`` and ``_ttl``)."""

    _lease: float
    _ttl: Optional[float]

    @property
    def lease_seconds(self) -> float:
        """How long a key stays in progress without renewal."""
        return self._lease

    @property
    def retention_seconds(self) -> Optional[float]:
        """How long a done key is kept (``None``: no limit of time; an in-memory store still
        forgets the oldest keys past ``max_keys``)."""
        return self._ttl


class InMemoryIdempotencyStore(_LeaseTimes):
    """A thread-safe store held in THIS PROCESS's memory: it dedupes per process only.

    Right for one process (a single worker, tests). With several worker processes (gunicorn,
    uwsgi, several machines) each process has its own copy, so the same delivery can be
    processed once per process: use :class:`SQLiteIdempotencyStore` (one machine), or the
    Redis, PostgreSQL or Django cache store. A process forked after the store was made
    (``gunicorn --preload``) keeps a private copy of the keys from then on. Keys are lost on
    restart.

    Args:
        lease_seconds: How long a key stays *in progress* without renewal (default 60).
        retention_seconds: Forget a *done* key this many seconds after it was done
            (``None``: never, the default; ``max_keys`` still bounds memory). INVO retries
            for about 31 hours and replays can come later, so keep it long (days).
            ``ttl_seconds`` is its older name.
        max_keys: Keep at most this many keys, forgetting the oldest first (``None``: no
            limit). The default, 100 000, bounds memory at roughly 20 MB for UUID keys.
        clock: Monotonic seconds, for tests (default ``time.monotonic``).
    """

    def __init__(
        self,
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retention_seconds: Optional[float] = _UNSET,  # type: ignore[assignment]
        ttl_seconds: Optional[float] = None,
        max_keys: Optional[int] = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lease = _check_seconds("lease_seconds", lease_seconds, optional=False) or 0.0
        self._ttl = _retention(retention_seconds, ttl_seconds, None)
        if max_keys is not None and (
            isinstance(max_keys, bool) or not isinstance(max_keys, int) or max_keys < 1
        ):
            raise invalid_argument(
                f"max_keys must be a positive int or None, got {describe(max_keys)}"
            )
        self._max_keys = max_keys
        self._clock = clock
        # key -> (state, token, expires at); in order of the last write, oldest first.
        self._keys: OrderedDict[str, tuple[str, str, float]] = OrderedDict()
        self._lock = threading.Lock()
        call_in_child_after_fork(self, InMemoryIdempotencyStore._after_fork)

    def _after_fork(self) -> None:
        # A forked child keeps a copy of the keys (they are its own from then on) but not
        # a lock that another thread of the parent may have held at the moment of the fork.
        self._lock = threading.Lock()

    def _live(self, key: str, now: float) -> Optional[tuple[str, str, float]]:
        record = self._keys.get(key)
        if record is not None and record[2] <= now:
            del self._keys[key]
            return None
        return record

    def _write(self, key: str, record: tuple[str, str, float], now: float) -> None:
        keys = self._keys
        keys[key] = record
        keys.move_to_end(key)
        # Drop expired keys from the old end (stops at the first live one: cheap).
        while keys:
            oldest = next(iter(keys))
            if keys[oldest][2] > now or oldest == key:
                break
            del keys[oldest]
        if self._max_keys is not None:
            while len(keys) > self._max_keys:
                keys.popitem(last=False)

    def _done_until(self, now: float) -> float:
        return _FOREVER if self._ttl is None else now + self._ttl

    def begin(self, key: str, token: str) -> ClaimStatus:
        """Take the lease on ``key`` if it is free or its lease expired (:class:`LeaseStore`)."""
        _check_key(key)
        _check_token(token)
        with self._lock:
            now = self._clock()
            record = self._live(key, now)
            if record is not None:
                return ClaimStatus.DONE if record[0] == _DONE else ClaimStatus.IN_PROGRESS
            self._write(key, (_IN_PROGRESS, token, now + self._lease), now)
            return ClaimStatus.ACQUIRED

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease; ``False`` if it no longer holds it."""
        with self._lock:
            now = self._clock()
            record = self._keys.get(key)
            # Ours (even if it lapsed), or swept away with nobody else on it: hold it again.
            if record is not None and (record[0] != _IN_PROGRESS or record[1] != token):
                return False
            self._write(key, (_IN_PROGRESS, token, now + self._lease), now)
            return True

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done; ``False`` if ``token`` no longer held its lease."""
        with self._lock:
            now = self._clock()
            record = self._keys.get(key)  # a lapsed lease nobody took over still counts
            if record is not None and (record[0] != _IN_PROGRESS or record[1] != token):
                return False
            self._write(key, (_DONE, "", self._done_until(now)), now)
            return True

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease on ``key`` (no-op if it does not hold it)."""
        with self._lock:
            record = self._keys.get(key)
            if record is not None and record[0] == _IN_PROGRESS and record[1] == token:
                del self._keys[key]

    def claim(self, key: str) -> bool:
        """Lease-less claim (:class:`IdempotencyStore`): record ``key`` as done at once."""
        _check_key(key)
        with self._lock:
            now = self._clock()
            if self._live(key, now) is not None:
                return False
            self._write(key, (_DONE, "", self._done_until(now)), now)
            return True

    def release(self, key: str) -> None:
        """Forget ``key`` whatever its state (no-op if unknown)."""
        _check_key(key)
        with self._lock:
            self._keys.pop(key, None)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in progress or done."""
        if not isinstance(key, str):
            return False
        with self._lock:
            return self._live(key, self._clock()) is not None

    def __len__(self) -> int:
        """How many keys are in progress or done."""
        with self._lock:
            now = self._clock()
            for key in [k for k, record in self._keys.items() if record[2] <= now]:
                del self._keys[key]
            return len(self._keys)

    def clear(self) -> None:
        """Forget every key (for tests)."""
        with self._lock:
            self._keys.clear()

    def __repr__(self) -> str:
        return (
            f"InMemoryIdempotencyStore(keys={len(self._keys)}, lease_seconds={self._lease}, "
            f"retention_seconds={self._ttl}, per_process=True)"
        )


# -- SQLite ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SQLiteStatements:
    """The SQL of one claims table. Its name is checked to be a plain identifier before it
    gets here; values are always bound."""

    expire_key: str
    insert: str
    state: str
    renew: str
    finish: str
    abandon: str
    release: str
    purge: str
    lookup: str
    create: str

    @classmethod
    def for_table(cls, t: str) -> _SQLiteStatements:
        """The statements for table ``t``."""
        expired = "((state = 'p' AND claimed_at <= ?) OR (state = 'd' AND claimed_at <= ?))"
        live = "((state = 'p' AND claimed_at > ?) OR (state = 'd' AND claimed_at > ?))"
        pending = "WHERE key = ? AND token = ? AND state = 'p'"
        return cls(
            expire_key=f"DELETE FROM {t} WHERE key = ? AND {expired}",  # noqa: S608
            insert=f"INSERT OR IGNORE INTO {t} (key, claimed_at, state, token) "  # noqa: S608
            "VALUES (?, ?, ?, ?)",
            state=f"SELECT state, claimed_at FROM {t} WHERE key = ?",  # noqa: S608
            renew=f"UPDATE {t} SET claimed_at = ? {pending}",  # noqa: S608
            finish=f"UPDATE {t} SET state = 'd', token = '', claimed_at = ? {pending}",  # noqa: S608
            abandon=f"DELETE FROM {t} {pending}",  # noqa: S608
            release=f"DELETE FROM {t} WHERE key = ?",  # noqa: S608
            purge=f"DELETE FROM {t} WHERE {expired}",  # noqa: S608
            lookup=f"SELECT 1 FROM {t} WHERE key = ? AND {live}",  # noqa: S608
            create=f"CREATE TABLE IF NOT EXISTS {t} (key TEXT PRIMARY KEY NOT NULL, "
            "claimed_at REAL NOT NULL, state TEXT NOT NULL DEFAULT 'd', "
            "token TEXT NOT NULL DEFAULT '')",
        )


class SQLiteIdempotencyStore(_LeaseTimes):
    """A store in an SQLite file, shared by the threads and processes of ONE machine.

    One row per key: its state (``p`` in progress, ``d`` done), the lease token and the time of
    the last write. :meth:`begin` ``INSERT OR IGNORE``-s a lease against the ``PRIMARY KEY``, so
    of any number of racing threads or processes exactly one wins; a row found expired is
    deleted (only if still expired) and the insert tried again. The database runs in WAL mode
    with a busy timeout. Each call opens and closes its own connection: there is no connection
    to share between threads or processes and nothing to leak when worker threads come and go.

    Use a local filesystem: SQLite locking is unreliable on network filesystems (NFS, SMB).
    For several hosts, use the Redis, PostgreSQL or Django cache store. ``sqlite3.Error``
    (disk full, lock wait exceeded) propagates; let it become a 5xx so INVO retries.

    A table made by an older version (``key``, ``claimed_at``) gains the ``state`` and
    ``token`` columns on first use; its rows count as done.

    Args:
        path: The database file (created if missing). ``":memory:"`` gives a private
            in-memory database shared by the threads of this one store object (a forked
            child gets a new, empty one).
        lease_seconds: How long a key stays *in progress* without renewal (default 60).
        retention_seconds: Let a *done* key be processed again this many seconds after it
            was done (``None``: never, the default). Expired rows are deleted when their key
            comes again; :meth:`purge_expired` deletes them in bulk. ``ttl_seconds`` is its
            older name.
        table: Table name (letters, digits, ``_``), default ``invo_webhook_claims``.
        timeout: Seconds to wait for another writer's lock (default 30).
        clock: Wall-clock seconds stored with each row (default ``time.time``).
    """

    def __init__(
        self,
        path: Union[str, os.PathLike[str]],
        *,
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retention_seconds: Optional[float] = _UNSET,  # type: ignore[assignment]
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
        self._lease = _check_seconds("lease_seconds", lease_seconds, optional=False) or 0.0
        self._ttl = _retention(retention_seconds, ttl_seconds, None)
        self._table = table
        self._timeout = float(timeout)
        self._clock = clock
        self._sql = _SQLiteStatements.for_table(table)
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
            self._create(conn)
        finally:
            self._close(conn)

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute(self._sql.create)
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({self._table})")}
        # A table of an older version: add the lease columns (its rows count as done).
        for column in ("state", "token"):
            if column not in columns:
                default = "'d'" if column == "state" else "''"
                with suppress(self._sqlite3.OperationalError):  # another process was first
                    conn.execute(
                        f"ALTER TABLE {self._table} ADD COLUMN {column} TEXT NOT NULL "
                        f"DEFAULT {default}"
                    )

    def _connect_shared(self) -> sqlite3.Connection:
        conn = self._sqlite3.connect(
            self._path, timeout=self._timeout, isolation_level=None, check_same_thread=False
        )
        self._create(conn)
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

    def _horizons(self, now: float) -> tuple[float, float]:
        """Rows written at or before these times have expired: (in progress, done)."""
        return now - self._lease, (-_FOREVER if self._ttl is None else now - self._ttl)

    def _insert(self, key: str, state: str, token: str) -> Optional[str]:
        """Insert ``key``'s row (replacing an expired one); ``None`` if inserted, else the
        live state found."""
        conn = self._open()
        try:
            for _ in range(5):
                now = float(self._clock())
                if conn.execute(self._sql.insert, (key, now, state, token)).rowcount == 1:
                    return None
                row = conn.execute(self._sql.state, (key,)).fetchone()
                if row is None:
                    continue  # abandoned or purged in between: insert again
                found, written_at = str(row[0]), float(row[1])
                lease_horizon, done_horizon = self._horizons(now)
                horizon = lease_horizon if found == _IN_PROGRESS else done_horizon
                if written_at > horizon:
                    return found
                # Expired: delete it only if it is STILL expired (a racer may have replaced
                # it with a fresh row, which this never deletes), then insert again.
                conn.execute(self._sql.expire_key, (key, lease_horizon, done_horizon))
            return _IN_PROGRESS  # the key keeps changing hands: let INVO retry later
        finally:
            self._close(conn)

    def begin(self, key: str, token: str) -> ClaimStatus:
        """Take the lease on ``key`` if it is free or its lease expired (:class:`LeaseStore`)."""
        _check_key(key)
        _check_token(token)
        found = self._insert(key, _IN_PROGRESS, token)
        if found is None:
            return ClaimStatus.ACQUIRED
        return ClaimStatus.DONE if found == _DONE else ClaimStatus.IN_PROGRESS

    def _update(self, sql: str, params: tuple[object, ...]) -> int:
        conn = self._open()
        try:
            return int(conn.execute(sql, params).rowcount)
        finally:
            self._close(conn)

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease; ``False`` if it no longer holds it."""
        return self._update(self._sql.renew, (float(self._clock()), key, token)) == 1

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done; ``False`` if ``token`` no longer held its lease."""
        return self._update(self._sql.finish, (float(self._clock()), key, token)) == 1

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease on ``key`` (no-op if it does not hold it)."""
        self._update(self._sql.abandon, (key, token))

    def claim(self, key: str) -> bool:
        """Lease-less claim (:class:`IdempotencyStore`): record ``key`` as done at once."""
        _check_key(key)
        return self._insert(key, _DONE, "") is None

    def release(self, key: str) -> None:
        """Forget ``key`` whatever its state (no-op if unknown)."""
        _check_key(key)
        self._update(self._sql.release, (key,))

    def purge_expired(self) -> int:
        """Delete expired rows (done ones only with a retention); return how many."""
        return max(self._update(self._sql.purge, self._horizons(float(self._clock()))), 0)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in progress or done (expired rows count as absent)."""
        if not isinstance(key, str):
            return False
        conn = self._open()
        try:
            horizons = self._horizons(float(self._clock()))
            row = conn.execute(self._sql.lookup, (key, *horizons)).fetchone()
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
