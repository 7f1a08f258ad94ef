"""Fixtures for the reliability suite: a misbehaving local server and clients aimed at it.

Long fuzz runs are opt-in: ``INVO_LONG_FUZZ=1`` raises the hypothesis example counts (see
``docs/reliability.md``); the default run stays within a few minutes.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from faultserver import CountingListener, FaultServer
from reliability_config import SECRET

from invonetwork import InvoServer

# A client for fault tests: short timeouts and a tiny backoff, so the whole matrix runs fast.
FAST_TIMEOUT = (2.0, 0.3)  # (connect, read) seconds
FAST_BACKOFF = 0.01


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture(scope="session")
def listener() -> Iterator[CountingListener]:
    """One redirect target for the whole run: it must receive nothing, ever."""
    with CountingListener() as lst:
        yield lst
    assert lst.connections == 0 and lst.received == b""


@pytest.fixture
def make_client() -> Iterator[Callable[..., InvoServer]]:
    made: list[InvoServer] = []

    def make(base_url: str, **options: Any) -> InvoServer:
        options.setdefault("timeout", FAST_TIMEOUT)
        options.setdefault("retry_base_delay", FAST_BACKOFF)
        client = InvoServer(options.pop("game_secret", SECRET), base_url, **options)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()
