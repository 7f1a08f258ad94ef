"""HTTP handlers of one area of the API (see ``invonetwork._routes_devices``).

Each handler reads its fields (a bad one is a 400 naming it), calls a service and renders the
answer; the rules live in the services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from .._route import Route
from ._handler import Call, Handler
from ._messages import Request, Response

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._world import World

__all__ = ["admin_routes", "handlers", "pages"]

#: A browser page: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    return {}


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """This area's browser pages: ``(method, path template, handler)``."""
    return []


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """This area's test-side endpoints, under ``admin_prefix``."""
    return []
