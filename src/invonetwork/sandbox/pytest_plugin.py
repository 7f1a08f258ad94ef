"""pytest fixtures for the local INVO sandbox (registered automatically by the package).

Fixtures (each starts something only when a test asks for it):

``invo_sandbox``
    A fresh, running :class:`~invonetwork.sandbox.Sandbox` per test, stopped afterwards.
    Configure it with the marker: ``@pytest.mark.invo_sandbox(players=[...], ...)`` takes
    the :class:`Sandbox` keyword arguments.
``invo_client``
    An :class:`~invonetwork.InvoServer` aimed at ``invo_sandbox`` (``retry_base_delay``
    0.01 s so retry tests stay fast), closed afterwards.
``invo_webhook_receiver``
    A running :class:`~invonetwork.sandbox.WebhookReceiver` on 127.0.0.1, already
    registered as ``invo_sandbox``'s webhook URL when both fixtures are used.

This module imports nothing but pytest at import time, so having the plugin installed costs
test sessions that never use it nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .._client import InvoServer
    from ._receiver import WebhookReceiver
    from ._sandbox import Sandbox

__all__ = ["invo_client", "invo_sandbox", "invo_webhook_receiver", "pytest_configure"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``invo_sandbox`` marker."""
    config.addinivalue_line(
        "markers",
        "invo_sandbox(**options): keyword arguments for the invo_sandbox fixture's Sandbox",
    )


@pytest.fixture
def invo_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A running local INVO sandbox for this test (see ``docs/sandbox.md``)."""
    from ._sandbox import Sandbox

    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers("invo_sandbox"))):
        options.update(marker.kwargs)
    with Sandbox(**options) as sandbox:
        yield sandbox


@pytest.fixture
def invo_client(invo_sandbox: Sandbox) -> Iterator[InvoServer]:
    """An ``InvoServer`` for ``invo_sandbox``, with a 10 ms retry backoff."""
    client = invo_sandbox.client(retry_base_delay=0.01)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def invo_webhook_receiver(request: pytest.FixtureRequest) -> Iterator[WebhookReceiver]:
    """A webhook receiver on 127.0.0.1; registered with ``invo_sandbox`` if the test uses it."""
    from ._receiver import WebhookReceiver

    with WebhookReceiver() as receiver:
        if "invo_sandbox" in request.fixturenames:
            sandbox: Sandbox = request.getfixturevalue("invo_sandbox")
            sandbox.set_webhook_url(receiver.url)
        yield receiver
