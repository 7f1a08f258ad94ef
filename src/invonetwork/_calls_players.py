"""``InvoServer`` methods for players added by INVO's current API.

Player registration and phone changes, the activity feed and loyalty rewards. Each method
checks its own rules, then sends its route from ``_routes_players``.
"""

from __future__ import annotations

from ._caller import Caller

__all__ = ["PlayerCalls"]


class PlayerCalls(Caller):
    """Players, phones, the activity feed and rewards (an ``InvoServer`` mixin)."""
