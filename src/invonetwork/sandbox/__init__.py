"""A local INVO sandbox: an offline, stateful emulator of the INVO API over real HTTP.

::

    from invonetwork.sandbox import Sandbox

    with Sandbox(players=[{"email": "ada@example.com", "balance": "500"}]) as sb:
        invo = sb.client()            # an InvoServer aimed at http://127.0.0.1:<port>/sandbox
        checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="5.00")
        sb.pay_checkout(checkout.session_id)      # or open checkout.checkout_url in a browser

Also: the ``invo_sandbox`` pytest fixture (installed with the package) and the
``invonetwork sandbox`` command. See ``docs/sandbox.md``.

Names load on first use, so importing this package (the pytest plugin does) starts nothing
and imports no server code.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._delivery import RETRY_SCHEDULE, DeadLetter, DeliveryAttempt
    from ._faults import FaultRule, RequestRecord
    from ._model import Game
    from ._receiver import ReceivedWebhook, WebhookReceiver
    from ._sandbox import Sandbox, SandboxError

_WHERE = {
    "Sandbox": "._sandbox",
    "SandboxError": "._sandbox",
    "FaultRule": "._faults",
    "RequestRecord": "._faults",
    "DeliveryAttempt": "._delivery",
    "DeadLetter": "._delivery",
    "RETRY_SCHEDULE": "._delivery",
    "Game": "._model",
    "WebhookReceiver": "._receiver",
    "ReceivedWebhook": "._receiver",
}

__all__ = [
    "RETRY_SCHEDULE",
    "DeadLetter",
    "DeliveryAttempt",
    "FaultRule",
    "Game",
    "ReceivedWebhook",
    "RequestRecord",
    "Sandbox",
    "SandboxError",
    "WebhookReceiver",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'invonetwork.sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_WHERE))
