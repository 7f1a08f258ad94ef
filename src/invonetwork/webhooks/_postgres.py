"""The PostgreSQL lease store (the ``postgres`` extra, psycopg 3).

Imported only when :class:`PostgresIdempotencyStore` is first used, so that
``import invonetwork.webhooks`` never loads ``psycopg``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Optional, Union

from .._fork import ProcessLocal
from ._common import describe, invalid_argument
from ._idempotency import (
    _TABLE_NAME,
    _UNSET,
    DEFAULT_LEASE_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    ClaimStatus,
    Lease,
    LeaseLostError,
    _check_key,
    _check_seconds,
    _check_token,
    _LeaseTimes,
    _retention,
    current_lease,
)

__all__ = ["PostgresIdempotencyStore"]


class _Pool:
    """A few idle autocommit connections of one process, lent one per call."""

    def __init__(self, connect: Callable[[], Any], max_idle: int) -> None:
        self._connect = connect
        self._max_idle = max_idle
        self._idle: list[Any] = []
        self._lock = threading.Lock()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        with self._lock:
            conn = self._idle.pop() if self._idle else None
        if conn is None:
            conn = self._connect()
        try:
            yield conn
        except BaseException:
            conn.close()  # possibly broken (the server went away): never lend it again
            raise
        if conn.closed or getattr(conn, "broken", False):
            return
        with self._lock:
            if len(self._idle) < self._max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


def _borrower(
    connection: Union[str, Any], max_idle: int
) -> tuple[Optional[ProcessLocal[_Pool]], Callable[[], AbstractContextManager[Any]]]:
    """``(own pool or None, borrow)`` for a connection string or a caller's pool."""
    if isinstance(connection, str):
        import psycopg

        conninfo = connection

        def connect() -> Any:
            # Bounded waits (unless the connection string sets its own): a database that
            # hangs must fail the call (a 5xx), not block the worker forever.
            if "connect_timeout" in conninfo:
                return psycopg.connect(conninfo, autocommit=True)
            return psycopg.connect(conninfo, autocommit=True, connect_timeout=10)

        own = ProcessLocal(lambda: _Pool(connect, max_idle))
        return own, lambda: own.get().connection()
    if callable(getattr(connection, "connection", None)):
        return None, connection.connection
    raise invalid_argument(
        "connection must be a connection string or a pool with a connection() "
        f"method, got {describe(connection)}"
    )


@dataclass(frozen=True)
class _PgStatements:
    """The SQL of one lease table (its name is checked to be a plain identifier first)."""

    create: str
    begin: str
    claim: str
    renew: str
    finish: str
    abandon: str
    release: str
    purge: str
    lookup: str

    @classmethod
    def for_table(cls, t: str) -> _PgStatements:
        """The statements for table ``t``."""
        seconds = "%s * interval '1 second'"
        pending = "WHERE key = %s AND token = %s AND state = 'p'"
        return cls(
            create=(
                f"CREATE TABLE IF NOT EXISTS {t} (\n"
                "    key        text PRIMARY KEY,\n"
                "    state      text NOT NULL,          -- 'p' in progress, 'd' done\n"
                "    token      text NOT NULL,          -- the holder's token ('' when done)\n"
                "    expires_at timestamptz,            -- NULL: kept forever\n"
                "    updated_at timestamptz NOT NULL DEFAULT now()\n"
                ")"
            ),
            begin=(
                f"WITH taken AS (INSERT INTO {t} AS t (key, state, token, expires_at) "  # noqa: S608
                f"VALUES (%s, 'p', %s, now() + {seconds}) "
                "ON CONFLICT (key) DO UPDATE SET state = 'p', token = EXCLUDED.token, "
                "expires_at = EXCLUDED.expires_at, updated_at = now() "
                "WHERE t.expires_at IS NOT NULL AND t.expires_at <= now() RETURNING t.token) "
                f"SELECT (SELECT token FROM taken), (SELECT state FROM {t} WHERE key = %s)"
            ),
            claim=(
                f"INSERT INTO {t} AS t (key, state, token, expires_at) "  # noqa: S608
                f"VALUES (%s, 'd', '', now() + {seconds}) "
                "ON CONFLICT (key) DO UPDATE SET state = 'd', token = '', "
                "expires_at = EXCLUDED.expires_at, updated_at = now() "
                "WHERE t.expires_at IS NOT NULL AND t.expires_at <= now()"
            ),
            renew=f"UPDATE {t} SET expires_at = now() + {seconds}, "  # noqa: S608
            f"updated_at = now() {pending}",
            finish=f"UPDATE {t} SET state = 'd', token = '', "  # noqa: S608
            f"expires_at = now() + {seconds}, updated_at = now() {pending}",
            abandon=f"DELETE FROM {t} {pending}",  # noqa: S608
            release=f"DELETE FROM {t} WHERE key = %s",  # noqa: S608
            purge=f"DELETE FROM {t} WHERE expires_at <= now()",  # noqa: S608
            lookup=f"SELECT 1 FROM {t} WHERE key = %s "  # noqa: S608
            "AND (expires_at IS NULL OR expires_at > now())",
        )


class PostgresIdempotencyStore(_LeaseTimes):
    """A :class:`LeaseStore` in a PostgreSQL table, shared by every worker on every machine.

    One row per key (``key`` primary key, ``state`` ``p``/``d``, ``token``, ``expires_at``),
    and every step is one statement, one round trip:

    * ``begin``: ``INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE expires_at <= now()``:
      inserts the lease, or takes over an expired one; otherwise reports the row's state.
    * ``renew``, ``finish``, ``abandon``: an ``UPDATE``/``DELETE`` ``WHERE key AND token``.

    Times come from the database's clock (``now()``), so the workers' clocks do not matter.

    **The strongest option** is to record *done* inside the same transaction as your own
    writes (the grant, the credit): call :meth:`mark_done` with your connection from the
    handler, before your commit. Then the grant and the dedupe record commit together or
    not at all: a worker that dies before the commit leaves neither, its lease expires and
    the retry runs cleanly; a worker whose lease expired and was taken over gets
    :class:`LeaseLostError` from :meth:`mark_done` and its transaction rolls back.

    Args:
        connection: A libpq connection string (``"postgresql://user@host/db"``): the store
            keeps up to ``max_idle`` autocommit connections per process, made anew in a
            forked child. Or a pool with a ``connection()`` context manager
            (``psycopg_pool.ConnectionPool``), whose connections it borrows per call.
        table: The table (letters, digits, ``_``), default ``invo_webhook_leases``.
        lease_seconds: How long a key stays in progress without renewal (default 60).
        retention_seconds: How long a done key is kept (default 7 days; ``None``:
            forever). Expired rows are reused when their key comes again;
            :meth:`purge_expired` deletes them in bulk (run it daily).
        create_table: Create the table if it is missing (default ``True``; ``False`` if
            your migrations do it: see :attr:`create_table_sql`).
        max_idle: Idle connections kept per process with a connection string (default 4).
    """

    def __init__(
        self,
        connection: Union[str, Any],
        *,
        table: str = "invo_webhook_leases",
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retention_seconds: Optional[float] = _UNSET,  # type: ignore[assignment]
        create_table: bool = True,
        max_idle: int = 4,
    ) -> None:
        if not isinstance(table, str) or not _TABLE_NAME.fullmatch(table):
            raise invalid_argument("table must be a plain SQL identifier (letters, digits, _)")
        if isinstance(max_idle, bool) or not isinstance(max_idle, int) or max_idle < 0:
            raise invalid_argument(f"max_idle must be an int >= 0, got {describe(max_idle)}")
        self._lease = _check_seconds("lease_seconds", lease_seconds, optional=False) or 0.0
        self._ttl = _retention(retention_seconds, None, DEFAULT_RETENTION_SECONDS)
        self._table = table
        self._own, self._borrow = _borrower(connection, max_idle)
        self._sql = _PgStatements.for_table(table)
        self.create_table_sql = self._sql.create
        if create_table:
            self._create()

    def _create(self) -> None:
        # Serialize concurrent creators: CREATE TABLE IF NOT EXISTS alone can race.
        with self._borrow() as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self._table,))
            conn.execute(self.create_table_sql)

    @property
    def table(self) -> str:
        """The table name."""
        return self._table

    def _run(self, sql: str, params: tuple[Any, ...], *, fetch: bool = False) -> Any:
        with self._borrow() as conn:
            cursor = conn.execute(sql, params)
            return cursor.fetchone() if fetch else cursor.rowcount

    def begin(self, key: str, token: str) -> ClaimStatus:
        """Take the lease on ``key`` if it is free or its lease expired (one statement)."""
        _check_key(key)
        _check_token(token)
        taken, state = self._run(self._sql.begin, (key, token, self._lease, key), fetch=True)
        if taken is not None:
            return ClaimStatus.ACQUIRED
        # ``state`` is None when another worker inserted the row after this statement's
        # snapshot was taken: it is in progress.
        return ClaimStatus.DONE if state == "d" else ClaimStatus.IN_PROGRESS

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease; ``False`` if it no longer holds it."""
        return bool(self._run(self._sql.renew, (self._lease, key, token)) == 1)

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done (autocommit); ``False`` if the lease was lost or already done."""
        return bool(self._run(self._sql.finish, (self._ttl, key, token)) == 1)

    def mark_done(self, conn: Any, lease: Optional[Lease] = None) -> None:
        """Record *done* on YOUR connection, inside your open transaction; don't commit.

        Call it from the handler, after your own writes and before your commit, so both
        commit together. ``lease`` defaults to the one :func:`receive_webhook` holds for
        the running handler (:func:`current_lease`).

        Raises:
            LeaseLostError: The lease expired and another worker took the key over: let
                the error roll your transaction back (that worker's run counts).
            InvalidInputError: Called outside a handler without a ``lease``.
        """
        held = lease if lease is not None else current_lease()
        if held is None:
            raise invalid_argument("mark_done() needs a lease: call it from the handler")
        cursor = conn.execute(self._sql.finish, (self._ttl, held.key, held.token))
        if cursor.rowcount != 1:
            raise LeaseLostError(
                "the lease on this webhook expired and another worker took it over; "
                "roll back (raise) so that only one run counts"
            )

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease on ``key`` (no-op if it does not hold it)."""
        self._run(self._sql.abandon, (key, token))

    def claim(self, key: str) -> bool:
        """Lease-less claim (:class:`IdempotencyStore`): insert ``key`` as done."""
        return bool(self._run(self._sql.claim, (_check_key(key), self._ttl)) == 1)

    def release(self, key: str) -> None:
        """Forget ``key`` whatever its state."""
        self._run(self._sql.release, (_check_key(key),))

    def purge_expired(self) -> int:
        """Delete expired rows; return how many."""
        return max(int(self._run(self._sql.purge, ())), 0)

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in progress or done."""
        if not isinstance(key, str) or not key:
            return False
        return self._run(self._sql.lookup, (key,), fetch=True) is not None

    def close(self) -> None:
        """Close this process's idle connections (a borrowed pool is left to its owner)."""
        if self._own is not None:
            self._own.close(lambda pool: pool.close())

    def __repr__(self) -> str:
        return (
            f"PostgresIdempotencyStore(table={self._table!r}, lease_seconds={self._lease}, "
            f"retention_seconds={self._ttl})"
        )
