"""invonetwork: the Python server SDK for the INVO network.

Construct one :class:`InvoServer` with your game secret and share it::

    from invonetwork import InvoServer

    invo = InvoServer("ivsdk_test_...")          # sandbox, chosen from the key prefix
    token = invo.mint_player_token(player_email="player@example.com")

Verify webhooks with :func:`verify_webhook` (``invonetwork.webhooks`` works without the HTTP
stack). Every failure is an :class:`InvoError`.

Names are loaded on first use, so ``import invonetwork`` (and a webhook-only service that
never touches :class:`InvoServer`) does not pay for importing ``requests``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._client import InvoServer as InvoServer
    from ._hooks import *  # noqa: F403
    from ._ns_commerce import *  # noqa: F403
    from ._ns_payouts import *  # noqa: F403
    from ._ns_subscriptions import *  # noqa: F403
    from ._results import *  # noqa: F403
    from ._results_checkout import *  # noqa: F403
    from ._results_devices import *  # noqa: F403
    from ._results_payouts import *  # noqa: F403
    from ._results_players import *  # noqa: F403
    from ._results_subscriptions import *  # noqa: F403
    from ._telemetry import Telemetry as Telemetry
    from ._version import __version__ as __version__
    from .errors import *  # noqa: F403
    from .payouts import *  # noqa: F403
    from .webhooks import *  # noqa: F403

# Each module lists its public names once, in its ``__all__``; the package exports exactly
# those (read when first asked for, so ``import invonetwork`` stays cheap and a webhook-only
# service never imports ``requests``).
_MODULES = (
    "._hooks",
    "._results",
    "._results_checkout",
    "._results_players",
    "._results_devices",
    "._results_subscriptions",
    "._results_payouts",
    "._ns_subscriptions",
    "._ns_payouts",
    "._ns_commerce",
    ".payouts",
    ".errors",
    ".webhooks",
)
_where: dict[str, str] = {}


def _exports() -> dict[str, str]:
    """Public name -> the module that defines it (built once, on first use)."""
    if not _where:
        found = {
            "__version__": "._version",
            "InvoServer": "._client",
            "Telemetry": "._telemetry",
        }
        for module in _MODULES:
            names: list[str] = importlib.import_module(module, __name__).__all__
            found.update(dict.fromkeys(names, module))
        _where.update(found)
    return _where


def __getattr__(name: str) -> Any:
    if name == "__all__":
        return sorted(_exports())
    module = _exports().get(name)
    if module is None:
        raise AttributeError(f"module 'invonetwork' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_exports()))
