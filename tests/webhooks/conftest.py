"""Fixtures for the webhook tests: real Redis and PostgreSQL servers, started once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from invo_store_servers import PostgresServer, RedisServer, require_module


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    require_module("redis")
    server = RedisServer()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    require_module("psycopg")
    server = PostgresServer()
    try:
        yield server
    finally:
        server.stop()
