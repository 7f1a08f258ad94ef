"""End-to-end fixtures: a seeded sandbox and an InvoServer talking to it over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invonetwork import InvoServer
from invonetwork.sandbox import Sandbox

PLAYERS = [
    {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"},
    {"email": "bob@example.com", "name": "Bob", "phone": "+15555550111", "balance": "20"},
    {"email": "kim@example.com", "name": "Kim", "phone": "+15555550122", "balance": "300",
     "passkey_enrolled": True},
    {"email": "tim@example.com", "name": "Tim", "phone": "+15555550133", "balance": "100",
     "is_minor": True},
]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=PLAYERS, webhook_retry_scale=0.001) as sandbox:
        yield sandbox


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    client = sb.client(retry_base_delay=0.01, timeout=10)
    yield client
    client.close()
