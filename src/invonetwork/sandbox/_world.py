"""The composition root of the sandbox's rules: one :class:`State`, one service per domain.

No inheritance: each service gets the state (and the services it calls) explicitly::

    State ── PhoneShare ── Players
          ├─ CurrencyPurchases
          ├─ ItemPurchases
          ├─ Transfers ── Claims (+ PhoneShare)
          │            └─ Guardians
          └─ WebhookEndpoints
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from ._model import Clock
from ._state import State, WorldConfig
from ._svc_activity import Activity, Rewards
from ._svc_claims import Claims, Guardians
from ._svc_commerce import PlatformCommerce
from ._svc_items import ItemPurchases
from ._svc_payouts import Payouts
from ._svc_phone_share import PhoneShare
from ._svc_phones import PhoneChanges
from ._svc_players import Players
from ._svc_purchases import CurrencyPurchases
from ._svc_subscriptions import Subscriptions
from ._svc_transfers import Transfers
from ._svc_webhooks import WebhookEndpoints

__all__ = ["World"]


class World:
    """Every rule the sandbox emulates, as services over one state object and one lock."""

    def __init__(
        self,
        config: WorldConfig,
        clock: Optional[Clock] = None,
        public_base: Callable[[], str] = lambda: "http://127.0.0.1:0",
        on_event: Optional[Callable[[dict[str, Any]], None]] = None,
    ) -> None:
        self.state = State(config, clock or Clock(), public_base, on_event)
        self.phone_share = PhoneShare(self.state)
        self.players = Players(self.state, self.phone_share)
        self.purchases = CurrencyPurchases(self.state)
        self.items = ItemPurchases(self.state)
        self.transfers = Transfers(self.state)
        self.claims = Claims(self.state, self.transfers, self.phone_share)
        self.guardians = Guardians(self.state, self.transfers)
        self.webhooks = WebhookEndpoints(self.state)
        # The newer areas of the API, one service module each (``_svc_<area>``); their tables
        # live in ``state.area(...)``.
        # -- checkout status and quotes:

        # -- players, phones, activity (current API, part 1):
        self.phone_changes = PhoneChanges(self.state, self.phone_share)
        self.activity = Activity(self.state)
        self.rewards = Rewards(self.state)

        # -- consoles and Steam:

        # -- subscriptions, cards and the subscription clock:
        self.subscriptions = Subscriptions(self.state, self.purchases)

        # -- payouts and platform commerce:
        self.payouts = Payouts(self.state)
        self.commerce = PlatformCommerce(self.state)


    @property
    def lock(self) -> Any:
        """The one lock every service takes."""
        return self.state.lock
