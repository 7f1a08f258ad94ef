"""Buying the home game's currency for USD: hosted checkout sessions and direct purchases."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Optional
from urllib.parse import urlsplit

from ._model import (
    CENT,
    BackendError,
    CheckoutSession,
    Order,
    Player,
    bad_request,
    fmt,
    iso,
    parse_money,
)
from ._world_base import Answer, WorldBase
from ._world_fields import check_phone, new_id, opt_str, req_str, request_fingerprint

USD_MAX = Decimal("999.99")
RAILS = ("platform", "game", "steam")


class CurrencyPurchases(WorldBase):
    """Checkout sessions, direct purchases (with 3-D Secure and pending payments), order reads."""

    # -- checkout ---------------------------------------------------------------------------

    def create_checkout(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/checkout/sessions."""
        with self.lock:
            email = req_str(body, "player_email")
            usd = parse_money(body.get("usd_amount"), "usd_amount", USD_MAX)
            rail = opt_str(body, "rail") or "platform"
            if rail not in RAILS:
                raise bad_request("rail must be one of platform, game, steam", "rail")
            success_url = opt_str(body, "success_url")
            cancel_url = opt_str(body, "cancel_url")
            for key, url in (("success_url", success_url), ("cancel_url", cancel_url)):
                if url is not None and urlsplit(url).scheme not in ("http", "https"):
                    raise bad_request(f"{key} must be an http(s) URL", key)
            self._player_for_write(email)
            now = self.clock.now()
            session = CheckoutSession(
                session_id=new_id("cs"),
                player_email=email.lower(),
                usd_amount=usd,
                rail=rail,
                created_at=now,
                expires_at=now + self.config.checkout_ttl,
                success_url=success_url,
                cancel_url=cancel_url,
                metadata=body.get("metadata"),
            )
            self.sessions[session.session_id] = session
            return 200, {
                "success": True,
                "session_id": session.session_id,
                "checkout_url": f"{self._public_base()}/checkout/{session.session_id}",
                "expires_at": iso(session.expires_at),
            }

    def checkout_session(self, session_id: str) -> CheckoutSession:
        """The session behind a checkout URL, or the 404/409/410 failure it earns."""
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise BackendError(404, "Checkout session not found", "SESSION_NOT_FOUND")
            if session.state != "open":
                raise BackendError(
                    409, "This checkout session was already used", "SESSION_ALREADY_CONSUMED"
                )
            if self.clock.now() >= session.expires_at:
                raise BackendError(410, "This checkout session has expired", "SESSION_EXPIRED")
            return session

    def pay_checkout(self, session_id: str) -> Answer:
        """The hosted page's Pay button: credit the player and emit ``purchase.completed``."""
        with self.lock:
            session = self.checkout_session(session_id)
            order = self._credit_purchase(
                session.player_email,
                session.usd_amount,
                rail=session.rail,
                metadata=session.metadata,
                source="checkout",
                extra={"session_id": session.session_id},
            )
            session.state = "paid"
            session.order_id = order.order_id
            session.transaction_id = order.transaction_id
            player = self._player_for_write(session.player_email)
            result = {
                "status": "success",
                "session_id": session.session_id,
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "currency_received": order.financial_summary["currency_amount"],
                "currency_name": self.home.currency_name,
                "new_balance": fmt(player.balance(self.config.game_id)),
                "redirect_url": _fill(session.success_url, session.session_id),
            }
            session.result = result
            return 200, result

    def cancel_checkout(self, session_id: str) -> Answer:
        """The hosted page's Cancel button: consume the session without a charge."""
        with self.lock:
            session = self.checkout_session(session_id)
            session.state = "cancelled"
            player = self._player_for_write(session.player_email)
            result = {
                "status": "cancelled",
                "session_id": session.session_id,
                "transaction_id": None,
                "currency_received": "0.00",
                "currency_name": self.home.currency_name,
                "new_balance": fmt(player.balance(self.config.game_id)),
                "redirect_url": _fill(session.cancel_url, session.session_id),
            }
            session.result = result
            return 200, result

    def _credit_purchase(
        self,
        email: str,
        usd: Decimal,
        *,
        rail: str,
        metadata: Any,
        source: str,
        extra: Optional[dict[str, Any]] = None,
        order: Optional[Order] = None,
    ) -> Order:
        player = self._player_for_write(email)
        now = self.clock.now()
        amount = (usd * self.config.currency_per_usd).quantize(CENT)
        if order is None:
            order = self._new_currency_order(player, usd, rail, metadata, source)
        player.available[self.config.game_id] = player.balance(self.config.game_id) + amount
        order.mark("completed", now)
        order.details["new_balance"] = fmt(player.balance(self.config.game_id))
        data = {
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "player_email": player.email,
            "identity_id": player.identity_id,
            "usd_amount": fmt(usd),
            "currency_amount": fmt(amount),
            "currency_name": self.home.currency_name,
            "new_balance": fmt(player.balance(self.config.game_id)),
            "rail": rail,
            "metadata": metadata if metadata is not None else {},
            **(extra or {}),
        }
        self.emit("purchase.completed", data)
        self._balance_changed(player, self.config.game_id, "purchase", order.transaction_id)
        return order

    def _new_currency_order(
        self, player: Player, usd: Decimal, rail: str, metadata: Any, source: str
    ) -> Order:
        now = self.clock.now()
        amount = (usd * self.config.currency_per_usd).quantize(CENT)
        order = Order(
            kind="currency_purchase",
            order_id=new_id("ord"),
            transaction_id=new_id("txn"),
            player_email=player.email,
            status="created",
            created_at=now,
            details={"rail": rail, "source": source, "metadata": metadata},
            financial_summary={
                "usd_amount": fmt(usd),
                "currency_amount": fmt(amount),
                "currency_name": self.home.currency_name,
                "exchange_rate": f"{self.config.currency_per_usd}",
            },
        )
        order.mark("created", now)
        self.orders[order.order_id] = order
        return order

    # -- direct purchase --------------------------------------------------------------------

    def purchase_currency(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/currency-purchases/purchase-currency (outcome by payment method)."""
        with self.lock:
            reference = opt_str(body, "purchase_reference")
            if reference is None:
                raise BackendError(
                    400, "purchase_reference is required", "MISSING_PURCHASE_REFERENCE"
                )
            replay = self._replay("purchase", reference, body)
            if replay is not None:
                return replay
            email = req_str(body, "player_email")
            usd = parse_money(body.get("usd_amount"), "usd_amount", USD_MAX)
            rail = opt_str(body, "rail") or "platform"
            if rail == "steam":
                raise BackendError(
                    400,
                    "Steam purchases use the in-client Steam flow, not this endpoint",
                    "WRONG_RAIL_ENDPOINT",
                )
            if rail not in RAILS:
                raise bad_request("rail must be one of platform, game, steam", "rail")
            method = (
                opt_str(body, "payment_method_id") or opt_str(body, "saved_card_id") or ""
            ).lower()
            player = self._player_for_write(email, opt_str(body, "player_name"))
            phone = check_phone(opt_str(body, "player_phone"), "player_phone")
            self.attach_phone(player, phone)
            metadata = body.get("metadata")
            if "declined" in method:
                self.emit(
                    "purchase.failed",
                    {
                        "player_email": player.email,
                        "identity_id": player.identity_id,
                        "usd_amount": fmt(usd),
                        "rail": rail,
                        "reason": "card_declined",
                        "metadata": metadata if metadata is not None else {},
                    },
                )
                raise BackendError(402, "Your card was declined", "CARD_DECLINED")
            order = self._new_currency_order(player, usd, rail, metadata, "direct")
            order.details["purchase_reference"] = reference
            answer: Answer
            if rail == "game" or "pending" in method:
                order.mark("pending_payment", self.clock.now())
                answer = 200, {
                    "success": True,
                    "status": "pending_payment",
                    "payment_url": f"{self._public_base()}/pay/{order.order_id}",
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                }
            elif "3ds" in method or "requires_action" in method:
                intent = new_id("pi")
                order.payment_intent_id = intent
                self.intents[intent] = order
                order.mark("requires_action", self.clock.now())
                answer = 200, {
                    "success": True,
                    "status": "requires_action",
                    "client_secret": f"{intent}_secret_{secrets.token_hex(8)}",
                    "payment_intent_id": intent,
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                }
            else:
                self._credit_purchase(
                    player.email, usd, rail=rail, metadata=metadata, source="direct", order=order
                )
                answer = 200, {
                    "success": True,
                    "status": "success",
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                    "new_balance": fmt(player.balance(self.config.game_id)),
                }
            self.idempotent[("purchase", reference)] = (request_fingerprint(body), answer)
            return answer

    def confirm_payment(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/currency-purchases/confirm-payment (after the 3-D Secure step)."""
        with self.lock:
            intent = req_str(body, "payment_intent_id")
            order = self.intents.get(intent)
            if order is None:
                raise BackendError(404, "Payment intent not found", "PAYMENT_INTENT_NOT_FOUND")
            order_id = opt_str(body, "order_id")
            if order_id is not None and order_id != order.order_id:
                raise bad_request("order_id does not belong to this payment intent", "order_id")
            if order.status != "completed":
                self._credit_direct_order(order)
            player = self._player_for_write(order.player_email)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "new_balance": fmt(player.balance(self.config.game_id)),
            }

    def complete_pending_payment(self, order_id: str) -> Answer:
        """Finish a ``pending_payment`` order (what the payment page does)."""
        with self.lock:
            order = self.orders.get(order_id)
            if order is None or order.kind != "currency_purchase":
                raise BackendError(404, "Order not found", "ORDER_NOT_FOUND")
            if order.status not in ("pending_payment", "requires_action"):
                raise BackendError(409, f"Order is {order.status}", "ORDER_NOT_PENDING")
            self._credit_direct_order(order)
            player = self._player_for_write(order.player_email)
            return 200, {
                "status": "success",
                "order_id": order.order_id,
                "transaction_id": order.transaction_id,
                "new_balance": fmt(player.balance(self.config.game_id)),
            }

    def order_details(self, query: Mapping[str, str]) -> Answer:
        """GET /api/currency-purchases/order-details?order_id=|transaction_id=."""
        with self.lock:
            order_id = (query.get("order_id") or "").strip()
            txn = (query.get("transaction_id") or "").strip()
            if not order_id and not txn:
                raise bad_request("order_id or transaction_id is required")
            for order in self.orders.values():
                if order.kind != "currency_purchase":
                    continue
                if order_id and order.order_id != order_id:
                    continue
                if txn and order.transaction_id != txn:
                    continue
                return 200, order.answer()
            raise BackendError(404, "Order not found", "ORDER_NOT_FOUND")

    def _credit_direct_order(self, order: Order) -> None:
        """Credit a direct purchase that was waiting (3-D Secure or a pending payment)."""
        usd = Decimal(order.financial_summary["usd_amount"])
        self._credit_purchase(
            order.player_email,
            usd,
            rail=str(order.details.get("rail", "platform")),
            metadata=order.details.get("metadata"),
            source="direct",
            order=order,
        )


def _fill(url: Optional[str], session_id: str) -> Optional[str]:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id) if url else url
