"""The one thing a group of API calls needs from the client that holds it: ``_call``.

``InvoServer`` is assembled from groups of calls (``_calls_<area>`` mixins for its own
methods, ``_ns_<area>`` namespaces such as ``server.subscriptions``). Each group is written
against :class:`Caller`, so it depends on nothing but the route table and this one method.
"""

from __future__ import annotations

from typing import Any, Optional, TypeVar

from ._route import Route

__all__ = ["Caller"]

R = TypeVar("R")


class Caller:
    """The client as a group of calls sees it: a base URL and one way to send a route."""

    base_url: str
    _sandbox_clock_key: Optional[Any] = None

    def _call(self, route: Route[R], **values: Any) -> R:
        """Send ``route`` with the checked ``values`` and read its result."""
        raise NotImplementedError  # InvoServer provides it

    def _environment_base(self) -> None:
        """Settle ``base_url`` when it is not known yet (an older key's environment lookup)."""


class Namespace:
    """A group of calls reached as an attribute of the client (``server.payouts``)."""

    def __init__(self, client: Caller) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {type(self._client).__name__}>"
