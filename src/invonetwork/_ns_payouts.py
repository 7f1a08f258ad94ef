"""``server.payouts``: creator and partner payouts."""

from __future__ import annotations

from ._caller import Namespace

__all__ = ["Payouts"]


class Payouts(Namespace):
    """Payees and their payouts: ``server.payouts``."""
