"""Fixtures of the InvoServer suite: a `responses` mock, a client on it, the recording server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from invonetwork import InvoServer

from .recorder import _server, invo, srv  # noqa: F401 - fixtures, re-exported for the suite
from .support import make_client


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    """A mock that lets a test register nothing and still assert that nothing was sent."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> Iterator[InvoServer]:
    made = make_client()
    yield made
    made.close()
