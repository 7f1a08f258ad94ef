"""Spending the home game's currency on items: the purchase, its history and order reads."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ._model import CENT, BackendError, Order, bad_request, fmt, iso, parse_money
from ._world_base import Answer, WorldBase
from ._world_fields import check_phone, new_id, opt_str, req_str

ITEM_MAX = Decimal("999999.99")


class ItemPurchases(WorldBase):
    """Item purchases (debit and the developer/platform split), purchase history, order reads."""

    # -- item purchase ----------------------------------------------------------------------

    def purchase_item(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/item-purchases/purchase-item: debit, 90/10 split, ``item.purchased``."""
        with self.lock:
            request_id = req_str(body, "client_request_id")
            if request_id in self.item_requests:
                raise BackendError(
                    409,
                    "Duplicate request: this client_request_id was already used",
                    "DUPLICATE_REQUEST",
                    order_id=self.item_requests[request_id].order_id,
                )
            email = req_str(body, "player_email")
            name = req_str(body, "player_name")
            item_id = req_str(body, "item_id")
            item_name = req_str(body, "item_name")
            quantity = body.get("item_quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise bad_request("item_quantity must be an integer", "item_quantity")
            if not 1 <= quantity <= 1000:
                raise bad_request("item_quantity must be between 1 and 1000", "item_quantity")
            unit = parse_money(body.get("unit_price"), "unit_price", ITEM_MAX)
            total = parse_money(body.get("total_price"), "total_price", ITEM_MAX)
            if abs(unit * quantity - total) > CENT:
                raise bad_request(
                    "total_price must equal unit_price x item_quantity", "total_price"
                )
            phone = check_phone(opt_str(body, "player_phone"), "player_phone")
            player = self._player_for_write(email, name)
            self.attach_phone(player, phone)
            gid = self.config.game_id
            previous = player.balance(gid)
            if previous < total:
                raise BackendError(
                    400,
                    "Insufficient balance",
                    "INSUFFICIENT_BALANCE",
                    required_amount=fmt(total),
                    current_balance=fmt(previous),
                    currency_name=self.home.currency_name,
                )
            player.available[gid] = previous - total
            fee = (total * self.config.platform_fee_percent / 100).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            breakdown = {
                "total_paid": fmt(total),
                "developer_revenue": fmt(total - fee),
                "platform_fee": fmt(fee),
                "developer_share_percent": fmt(100 - self.config.platform_fee_percent),
                "platform_fee_percent": fmt(self.config.platform_fee_percent),
            }
            now = self.clock.now()
            order = Order(
                kind="item_purchase",
                order_id=new_id("ord"),
                transaction_id=new_id("txn"),
                player_email=player.email,
                status="created",
                created_at=now,
                client_request_id=request_id,
                details={
                    "player_name": name,
                    "item_id": item_id,
                    "item_name": item_name,
                    "item_description": opt_str(body, "item_description"),
                    "item_category": opt_str(body, "item_category"),
                    "item_quantity": quantity,
                    "unit_price": fmt(unit),
                    "total_price": fmt(total),
                    "currency_name": self.home.currency_name,
                    "previous_balance": fmt(previous),
                    "new_balance": fmt(player.balance(gid)),
                },
                financial_summary={**breakdown, "currency_name": self.home.currency_name},
            )
            order.mark("created", now)
            order.mark("completed", now)
            self.orders[order.order_id] = order
            self.item_requests[request_id] = order
            self.emit(
                "item.purchased",
                {
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                    "player_email": player.email,
                    "identity_id": player.identity_id,
                    "item_id": item_id,
                    "item_name": item_name,
                    "item_quantity": quantity,
                    "unit_price": fmt(unit),
                    "total_price": fmt(total),
                    "currency_name": self.home.currency_name,
                    "new_balance": fmt(player.balance(gid)),
                    "fee_breakdown": breakdown,
                },
            )
            self._balance_changed(player, gid, "item_purchase", order.transaction_id)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "new_balance": fmt(player.balance(gid)),
                "previous_balance": fmt(previous),
                "currency_name": self.home.currency_name,
                "financial_breakdown": breakdown,
            }

    def item_history(self, query: Mapping[str, str]) -> Answer:
        """GET /api/item-purchases/player-purchase-history (newest first, limit/offset)."""
        with self.lock:
            email = (query.get("player_email") or "").strip().lower()
            if not email:
                raise bad_request("player_email is required", "player_email")
            limit = _int_query(query, "limit", 50, 1, 100)
            offset = _int_query(query, "offset", 0, 0, 10**9)
            rows = [
                o
                for o in self.orders.values()
                if o.kind == "item_purchase" and o.player_email == email
            ]
            rows.reverse()
            page = rows[offset : offset + limit]
            return 200, {
                "success": True,
                "item_purchase_history": [_history_row(o) for o in page],
                "pagination": {
                    "total": len(rows),
                    "limit": limit,
                    "offset": offset,
                    "has_more": offset + len(page) < len(rows),
                },
            }

    def item_order_details(self, query: Mapping[str, str]) -> Answer:
        """GET /api/item-purchases/order-details by exactly one id."""
        with self.lock:
            given = {
                k: (query.get(k) or "").strip()
                for k in ("order_id", "transaction_id", "client_request_id")
                if (query.get(k) or "").strip()
            }
            if len(given) != 1:
                raise bad_request(
                    "pass exactly one of order_id, transaction_id, client_request_id"
                )
            key, value = next(iter(given.items()))
            for order in self.orders.values():
                if order.kind != "item_purchase":
                    continue
                if getattr(order, key) == value:
                    return 200, order.answer()
            raise BackendError(404, "Item order not found", "ORDER_NOT_FOUND")


def _int_query(query: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = (query.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{key} must be an integer", key) from None
    if not low <= value <= high:
        raise bad_request(f"{key} must be between {low} and {high}", key)
    return value


def _history_row(order: Order) -> dict[str, Any]:
    d = order.details
    return {
        "order_id": order.order_id,
        "transaction_id": order.transaction_id,
        "client_request_id": order.client_request_id,
        "item_id": d["item_id"],
        "item_name": d["item_name"],
        "item_quantity": d["item_quantity"],
        "unit_price": d["unit_price"],
        "total_price": d["total_price"],
        "currency_name": d["currency_name"],
        "status": order.status,
        "created_at": iso(order.created_at),
    }
