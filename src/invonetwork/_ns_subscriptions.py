"""``server.subscriptions``, ``server.cards`` and ``server.sandbox.subscriptions``."""

from __future__ import annotations

from ._caller import Caller, Namespace

__all__ = ["Cards", "Sandbox", "SandboxSubscriptions", "Subscriptions"]


class Subscriptions(Namespace):
    """Recurring billing of a player: ``server.subscriptions``."""


class Cards(Namespace):
    """Saved cards for off-session billing: ``server.cards``."""


class SandboxSubscriptions(Namespace):
    """The sandbox subscription clock: ``server.sandbox.subscriptions`` (sandbox only)."""


class Sandbox(Namespace):
    """Sandbox-only tools of the INVO API: ``server.sandbox``.

    Not to be confused with :mod:`invonetwork.sandbox`, the local emulator of the API.
    """

    def __init__(self, client: Caller) -> None:
        super().__init__(client)
        self.subscriptions = SandboxSubscriptions(client)
