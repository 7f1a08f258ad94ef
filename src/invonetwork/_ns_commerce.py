"""``server.platform_commerce``: selling items by balance or card outside a game."""

from __future__ import annotations

from ._caller import Namespace

__all__ = ["PlatformCommerce"]


class PlatformCommerce(Namespace):
    """Orders of a platform tenant: ``server.platform_commerce``."""
