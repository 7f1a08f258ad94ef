"""Spending the home game's currency on items: the purchase, its history and order reads."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Optional

from ._fields import new_id
from ._model import CENT, DomainError, Order, Player, bad_request, fmt
from ._state import State

ITEM_MAX = Decimal("999999.99")


@dataclass(frozen=True)
class ItemPurchase:
    """What a purchase-item request asks for (already parsed and typed)."""

    client_request_id: str
    player_email: str
    player_name: str
    item_id: str
    item_name: str
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    player_phone: Optional[str] = None
    description: Optional[str] = None
    category: Optional[str] = None


@dataclass(frozen=True)
class FeeSplit:
    """How a payment splits between the developer and INVO."""

    total_paid: Decimal
    developer_revenue: Decimal
    platform_fee: Decimal
    platform_fee_percent: Decimal

    @functools.cached_property
    def wire(self) -> dict[str, str]:
        """The ``financial_breakdown`` / ``fee_breakdown`` object (computed once)."""
        return {
            "total_paid": fmt(self.total_paid),
            "developer_revenue": fmt(self.developer_revenue),
            "platform_fee": fmt(self.platform_fee),
            "developer_share_percent": fmt(100 - self.platform_fee_percent),
            "platform_fee_percent": fmt(self.platform_fee_percent),
        }


def fee_split(total: Decimal, platform_fee_percent: Decimal) -> FeeSplit:
    """INVO's fee rounded half-up to the cent; the developer gets exactly the rest."""
    fee = (total * platform_fee_percent / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return FeeSplit(total, total - fee, fee, platform_fee_percent)


@dataclass(frozen=True)
class ItemReceipt:
    """A completed item purchase."""

    order: Order
    player: Player
    previous_balance: Decimal
    new_balance: Decimal
    split: FeeSplit


@dataclass(frozen=True)
class HistoryPage:
    """One page of a player's item purchases, newest first."""

    orders: list[Order]
    total: int
    limit: int
    offset: int


ORDER_KEYS = ("order_id", "transaction_id", "client_request_id")


class ItemPurchases:
    """Item purchases (debit and the 90/10 split), purchase history, order reads."""

    def __init__(self, state: State) -> None:
        self.state = state

    def purchase(self, req: ItemPurchase) -> ItemReceipt:
        """Debit the player, split the payment, emit ``item.purchased`` and ``balance.updated``.

        A ``client_request_id`` that already bought something is 409 ``DUPLICATE_REQUEST``;
        a failed purchase does not use it up.
        """
        s = self.state
        with s.lock:
            done = s.item_requests.get(req.client_request_id)
            if done is not None:
                raise DomainError(
                    409, "Duplicate request: this client_request_id was already used",
                    "DUPLICATE_REQUEST", order_id=done.order_id,
                )
            if abs(req.unit_price * req.quantity - req.total_price) > CENT:
                raise bad_request("total_price must equal unit_price x item_quantity",
                                  "total_price")
            player = s.player_for_write(req.player_email, req.player_name)
            s.attach_phone(player, req.player_phone)
            gid = s.config.game_id
            previous = player.balance(gid)
            if previous < req.total_price:
                raise DomainError(
                    400, "Insufficient balance", "INSUFFICIENT_BALANCE",
                    required_amount=fmt(req.total_price), current_balance=fmt(previous),
                    currency_name=s.home.currency_name,
                )
            player.available[gid] = previous - req.total_price
            receipt = ItemReceipt(
                self._record(req, player, previous), player, previous, player.balance(gid),
                fee_split(req.total_price, s.config.platform_fee_percent),
            )
            receipt.order.financial_summary = {
                **receipt.split.wire, "currency_name": s.home.currency_name
            }
            self._announce(req, receipt)
            return receipt

    def _record(self, req: ItemPurchase, player: Player, previous: Decimal) -> Order:
        s = self.state
        now = s.clock.now()
        order = Order(
            kind="item_purchase", order_id=new_id("ord"), transaction_id=new_id("txn"),
            player_email=player.email, status="created", created_at=now,
            client_request_id=req.client_request_id,
            details={
                "player_name": req.player_name,
                "item_id": req.item_id,
                "item_name": req.item_name,
                "item_description": req.description,
                "item_category": req.category,
                "item_quantity": req.quantity,
                "unit_price": fmt(req.unit_price),
                "total_price": fmt(req.total_price),
                "currency_name": s.home.currency_name,
                "previous_balance": fmt(previous),
                "new_balance": fmt(player.balance(s.config.game_id)),
            },
        )
        order.mark("created", now)
        order.mark("completed", now)
        s.orders[order.order_id] = order
        s.item_requests[req.client_request_id] = order
        return order

    def _announce(self, req: ItemPurchase, receipt: ItemReceipt) -> None:
        s = self.state
        order, player = receipt.order, receipt.player
        s.emit("item.purchased", {
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "player_email": player.email,
            "identity_id": player.identity_id,
            "item_id": req.item_id,
            "item_name": req.item_name,
            "item_quantity": req.quantity,
            "unit_price": order.details["unit_price"],
            "total_price": order.details["total_price"],
            "currency_name": s.home.currency_name,
            "new_balance": order.details["new_balance"],
            "fee_breakdown": receipt.split.wire,
        })
        s.balance_changed(player, s.config.game_id, "item_purchase", order.transaction_id)

    def history(self, email: str, limit: int = 50, offset: int = 0) -> HistoryPage:
        """A player's item purchases, newest first."""
        key = email.strip().lower()
        with self.state.lock:
            rows = [
                o for o in self.state.orders.values()
                if o.kind == "item_purchase" and o.player_email == key
            ]
            rows.reverse()
            return HistoryPage(rows[offset: offset + limit], len(rows), limit, offset)

    def order(self, key: str, value: str) -> Order:
        """The item order whose ``key`` (one of :data:`ORDER_KEYS`) is ``value``; else 404."""
        if key not in ORDER_KEYS:
            raise ValueError(f"key must be one of {ORDER_KEYS}")
        with self.state.lock:
            for order in self.state.orders.values():
                if order.kind == "item_purchase" and getattr(order, key) == value:
                    return order
        raise DomainError(404, "Item order not found", "ORDER_NOT_FOUND")
