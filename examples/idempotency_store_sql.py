"""An ``IdempotencyStore`` on your own database, through any DB-API 2.0 driver.

``docs/webhooks.md`` includes this file; ``tests/examples/test_doc_recipes.py`` runs it on
SQLite (the ``sqlite3`` module), including claims racing for the same key.

Create the table first, in a migration: ``examples/invo_webhook_claims.sql`` works on both
PostgreSQL and SQLite. Then build the store with a function that lends a connection, and the
driver's ``paramstyle`` (``sqlite_store`` below; for PostgreSQL, the comment after it).

The claim is ``INSERT ... ON CONFLICT (key) DO NOTHING``, which PostgreSQL (9.5+) and SQLite
(3.24+) both understand; the primary key on ``key`` makes it atomic across every server.
MySQL spells it ``INSERT IGNORE`` (and reserves the word ``key``): adapt the two statements
there.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from contextlib import AbstractContextManager, closing
from typing import Any, Callable, Protocol

from invonetwork.webhooks import PurchaseCompletedData, WebhookEvent


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    @property
    def rowcount(self) -> int: ...

    def execute(self, sql: str, parameters: Sequence[Any], /) -> object: ...

    def close(self) -> object: ...


class Connection(Protocol):
    """The part of a DB-API connection the store uses."""

    def cursor(self) -> Cursor: ...

    def commit(self) -> object: ...

    def rollback(self) -> object: ...


def placeholder(paramstyle: str) -> str:
    """The query parameter marker of a driver's ``paramstyle`` (one positional parameter)."""
    marks = {"qmark": "?", "format": "%s", "pyformat": "%s"}
    if paramstyle not in marks:
        raise ValueError(f"paramstyle {paramstyle!r} is not supported; use qmark, format "
                         "or pyformat")
    return marks[paramstyle]


# --8<-- [start:store]
class DbApiIdempotencyStore:
    """``IdempotencyStore`` over any DB-API 2.0 driver (sqlite3, psycopg, psycopg2, ...).

    Args:
        connection: Called once per ``claim``/``release``; returns a context manager that
            yields a connection (``pool.connection`` with psycopg_pool, or
            ``lambda: closing(sqlite3.connect(path))``).
        paramstyle: The driver's ``paramstyle``: ``sqlite3.paramstyle`` ("qmark", ``?``) or
            ``psycopg.paramstyle`` ("pyformat", ``%s``).
        table: The claims table (see ``invo_webhook_claims.sql``).
    """

    def __init__(
        self,
        connection: Callable[[], AbstractContextManager[Connection]],
        *,
        paramstyle: str = "qmark",
        table: str = "invo_webhook_claims",
    ) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", table):
            raise ValueError(f"not a plain table name: {table!r}")
        mark = placeholder(paramstyle)
        self._connection = connection
        # Atomic on the primary key: of any number of concurrent inserts, one adds the row.
        self.insert_sql = f"INSERT INTO {table} (key) VALUES ({mark}) ON CONFLICT (key) DO NOTHING"
        self.delete_sql = f"DELETE FROM {table} WHERE key = {mark}"

    def claim(self, key: str) -> bool:
        """``True`` if this call added the key (process the event), ``False`` if it was there."""
        return self._run(self.insert_sql, key) == 1  # 1: inserted, we own it; 0: someone had it

    def release(self, key: str) -> None:
        """Forget ``key`` so INVO's retry is processed."""
        self._run(self.delete_sql, key)

    def _run(self, sql: str, key: str) -> int:
        with self._connection() as conn:
            cur = conn.cursor()
            try:
                cur.execute(sql, (key,))
                count = cur.rowcount
                conn.commit()
            except BaseException:
                conn.rollback()  # a database error propagates: answer 5xx, INVO retries
                raise
            finally:
                cur.close()
        return count
# --8<-- [end:store]


# --8<-- [start:usage]
def sqlite_store(path: str) -> DbApiIdempotencyStore:
    """The store on a SQLite file, one connection per call."""
    return DbApiIdempotencyStore(lambda: closing(sqlite3.connect(path)),
                                 paramstyle=sqlite3.paramstyle)

# PostgreSQL, with psycopg 3 and a psycopg_pool.ConnectionPool (it lends one connection a call):
#
#     store = DbApiIdempotencyStore(pool.connection, paramstyle=psycopg.paramstyle)
# --8<-- [end:usage]


# --8<-- [start:same-transaction]
def credit_once(
    conn: Connection,
    event: WebhookEvent,
    credit_player: Callable[[Connection, PurchaseCompletedData], None],
    *,
    paramstyle: str,
) -> bool:
    """Claim the event and credit the player in ONE transaction: both happen, or neither."""
    mark = placeholder(paramstyle)
    cur = conn.cursor()
    try:
        cur.execute(
            f"INSERT INTO invo_webhook_claims (key) VALUES ({mark}) ON CONFLICT (key) DO NOTHING",
            (event.idempotency_key,),
        )
        first = cur.rowcount == 1
        if first:
            credit_player(conn, event.purchase_completed())   # same transaction
        conn.commit()   # committed: the claim and the credit, or neither
    except BaseException:
        conn.rollback()  # a crash or an error here: no claim either, so the retry starts clean
        raise
    finally:
        cur.close()
    return first
# --8<-- [end:same-transaction]
