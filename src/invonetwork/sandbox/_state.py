"""The in-memory INVO world the sandbox serves, guarded by one lock.

Every public method of :class:`World` takes the lock, validates like the backend does, changes
state, emits webhook events, and returns ``(status, body)`` or raises
:class:`~invonetwork.sandbox._model.BackendError`.

:class:`World` is composed of one mixin per domain, all sharing the state and the lock of
:class:`~invonetwork.sandbox._world_base.WorldBase`:

- ``_world_players``: seeding players and games, player tokens, balances, wallet identities;
- ``_world_currency_purchases``: checkout sessions and direct currency purchases;
- ``_world_item_purchases``: item purchases, their history and order reads;
- ``_world_transfers``: initiating, verifying, expiring sends and transfers, destinations;
- ``_world_claims``: claim codes and the inbound-pending list;
- ``_world_guardian``: guardian approvals of a minor's send or transfer;
- ``_world_phone_share``: phone-share consent for a phone another account owns;
- ``_world_webhooks``: the webhook endpoint, secret rotation and test events.
"""

from __future__ import annotations

from ._world_base import SecretVersion, WorldConfig
from ._world_claims import TransferClaims
from ._world_currency_purchases import CurrencyPurchases
from ._world_guardian import GuardianApprovals
from ._world_item_purchases import ItemPurchases
from ._world_players import PlayersAndBalances
from ._world_webhooks import WebhookEndpoints

__all__ = ["SecretVersion", "World", "WorldConfig"]


class World(
    PlayersAndBalances,
    CurrencyPurchases,
    ItemPurchases,
    TransferClaims,
    GuardianApprovals,
    WebhookEndpoints,
):
    """The sandbox's state and every backend rule it emulates."""
