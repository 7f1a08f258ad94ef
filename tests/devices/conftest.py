"""Fixtures of the consoles-and-Steam suite: a `responses` mock and a client on it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import responses

from core.recorder import _server, srv  # noqa: F401 - fixtures, for the wire tests
from core.support import make_client
from invonetwork import InvoServer


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def client() -> Iterator[InvoServer]:
    made = make_client()
    yield made
    made.close()
