"""Fixtures of the subscriptions suite: a `responses` mock and a sandbox-aimed client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from invonetwork import InvoServer

BASE = "https://sandbox.invo.network/sandbox"
SECRET = "ivsdk_test_subscriptions_secret"
CLOCK_KEY = "ivclk_test_clock_key"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> Iterator[InvoServer]:
    made = InvoServer(SECRET, BASE, sandbox_clock_key=CLOCK_KEY, retry_base_delay=0)
    yield made
    made.close()
