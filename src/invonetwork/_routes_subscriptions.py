"""Routes of one area of the API: subscriptions, saved cards, the sandbox clock.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.
"""

from __future__ import annotations

from typing import Any

from ._route import Route

__all__ = ["OPERATIONS"]

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {}
