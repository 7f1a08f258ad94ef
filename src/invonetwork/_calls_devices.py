"""``InvoServer`` methods for consoles, TVs and Steam.

The device approval grant, Steam packs and purchases, and passkey recovery. Each method
checks its own rules, then sends its route from ``_routes_devices``.
"""

from __future__ import annotations

from ._caller import Caller

__all__ = ["DeviceCalls"]


class DeviceCalls(Caller):
    """Device approval, Steam purchases and passkey recovery (mixed into ``InvoServer``)."""
