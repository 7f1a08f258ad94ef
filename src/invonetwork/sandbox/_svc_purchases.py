"""Buying the home game's currency for USD: hosted checkout sessions and direct purchases."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from ._fields import new_id
from ._model import CENT, CheckoutSession, DomainError, Order, Player, fmt
from ._state import State

USD_MAX = Decimal("999.99")
RAILS = ("platform", "game", "steam")


@dataclass(frozen=True)
class CheckoutRequest:
    """A create-checkout request, parsed."""

    player_email: str
    usd_amount: Decimal
    rail: str = "platform"
    success_url: Optional[str] = None
    cancel_url: Optional[str] = None
    metadata: Any = None


@dataclass(frozen=True)
class DirectPurchase:
    """A purchase-currency request, parsed; ``fingerprint`` identifies the exact body."""

    purchase_reference: str
    fingerprint: str
    player_email: str
    usd_amount: Decimal
    rail: str = "platform"
    payment_method: str = ""
    player_name: Optional[str] = None
    player_phone: Optional[str] = None
    metadata: Any = None


@dataclass(frozen=True)
class PurchaseOutcome:
    """What a direct purchase (or its confirmation) came to.

    ``status``: ``success``, ``requires_action`` (``client_secret``, ``payment_intent_id``)
    or ``pending_payment`` (``payment_url``).
    """

    status: str
    order: Order
    new_balance: Optional[Decimal] = None
    client_secret: Optional[str] = None
    payment_intent_id: Optional[str] = None
    payment_url: Optional[str] = None


def outcome_for(method: str, rail: str) -> str:
    """The deterministic outcome a payment method id picks (see ``docs/sandbox.md``)."""
    if "declined" in method:
        return "declined"
    if rail == "game" or "pending" in method:
        return "pending_payment"
    if "3ds" in method or "requires_action" in method:
        return "requires_action"
    return "success"


class CurrencyPurchases:
    """Checkout sessions, direct purchases (3-D Secure and pending payments), order reads."""

    def __init__(self, state: State) -> None:
        self.state = state

    # -- checkout ---------------------------------------------------------------------------

    def create_checkout(self, req: CheckoutRequest) -> CheckoutSession:
        """A single-use hosted-checkout session, open for ``checkout_ttl`` seconds."""
        s = self.state
        with s.lock:
            s.player_for_write(req.player_email)
            now = s.clock.now()
            session = CheckoutSession(
                session_id=new_id("cs"), player_email=req.player_email.lower(),
                usd_amount=req.usd_amount, rail=req.rail, created_at=now,
                expires_at=now + s.config.checkout_ttl, success_url=req.success_url,
                cancel_url=req.cancel_url, metadata=req.metadata,
            )
            s.sessions[session.session_id] = session
            return session

    def checkout_session(self, session_id: str) -> CheckoutSession:
        """The open session behind a checkout URL, or the 404/409/410 it earns."""
        with self.state.lock:
            session = self.state.sessions.get(session_id)
            if session is None:
                raise DomainError(404, "Checkout session not found", "SESSION_NOT_FOUND")
            if session.state != "open":
                raise DomainError(
                    409, "This checkout session was already used", "SESSION_ALREADY_CONSUMED"
                )
            if self.state.clock.now() >= session.expires_at:
                raise DomainError(410, "This checkout session has expired", "SESSION_EXPIRED")
            return session

    def pay_checkout(self, session_id: str) -> dict[str, Any]:
        """The page's Pay button: credit the player, emit ``purchase.completed``."""
        s = self.state
        with s.lock:
            session = self.checkout_session(session_id)
            order = self._new_order(s.player_for_write(session.player_email), session.usd_amount,
                                    session.rail, session.metadata, "checkout")
            self._credit(order, extra={"session_id": session.session_id})
            session.state, session.order_id = "paid", order.order_id
            session.transaction_id = order.transaction_id
            session.result = {
                "status": "success",
                "session_id": session.session_id,
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "currency_received": order.financial_summary["currency_amount"],
                "currency_name": s.home.currency_name,
                "new_balance": order.details["new_balance"],
                "redirect_url": _fill(session.success_url, session.session_id),
            }
            return dict(session.result)

    def cancel_checkout(self, session_id: str) -> dict[str, Any]:
        """The page's Cancel button: consume the session without a charge."""
        s = self.state
        with s.lock:
            session = self.checkout_session(session_id)
            session.state = "cancelled"
            player = s.player_for_write(session.player_email)
            session.result = {
                "status": "cancelled",
                "session_id": session.session_id,
                "transaction_id": None,
                "currency_received": "0.00",
                "currency_name": s.home.currency_name,
                "new_balance": fmt(player.balance(s.config.game_id)),
                "redirect_url": _fill(session.cancel_url, session.session_id),
            }
            return dict(session.result)

    # -- direct purchases -------------------------------------------------------------------

    def purchase(self, req: DirectPurchase) -> PurchaseOutcome:
        """Charge by payment method id; the same reference and body replay the first outcome."""
        s = self.state
        with s.lock:
            replay = s.replayed("purchase", req.purchase_reference, req.fingerprint)
            if replay is not None:
                return replay  # type: ignore[no-any-return]
            if req.rail == "steam":
                raise DomainError(
                    400, "Steam purchases use the in-client Steam flow, not this endpoint",
                    "WRONG_RAIL_ENDPOINT",
                )
            player = s.player_for_write(req.player_email, req.player_name)
            s.attach_phone(player, req.player_phone)
            kind = outcome_for(req.payment_method.lower(), req.rail)
            if kind == "declined":
                self._declined(req, player)
            order = self._new_order(player, req.usd_amount, req.rail, req.metadata, "direct")
            order.details["purchase_reference"] = req.purchase_reference
            outcome = self._settle(kind, order, player)
            s.remember("purchase", req.purchase_reference, req.fingerprint, outcome)
            return outcome

    def _declined(self, req: DirectPurchase, player: Player) -> None:
        self.state.emit("purchase.failed", {
            "player_email": player.email,
            "identity_id": player.identity_id,
            "usd_amount": fmt(req.usd_amount),
            "rail": req.rail,
            "reason": "card_declined",
            "metadata": req.metadata if req.metadata is not None else {},
        })
        raise DomainError(402, "Your card was declined", "CARD_DECLINED")

    def _settle(self, kind: str, order: Order, player: Player) -> PurchaseOutcome:
        now = self.state.clock.now()
        if kind == "pending_payment":
            order.mark("pending_payment", now)
            url = f"{self.state.public_base()}/pay/{order.order_id}"
            return PurchaseOutcome("pending_payment", order, payment_url=url)
        if kind == "requires_action":
            intent = new_id("pi")
            order.payment_intent_id = intent
            self.state.intents[intent] = order
            order.mark("requires_action", now)
            return PurchaseOutcome("requires_action", order, payment_intent_id=intent,
                                   client_secret=f"{intent}_secret_{secrets.token_hex(8)}")
        self._credit(order)
        return PurchaseOutcome("success", order, player.balance(self.state.config.game_id))

    def confirm(self, payment_intent_id: str, order_id: Optional[str]) -> PurchaseOutcome:
        """After the 3-D Secure step: credit the order (once)."""
        with self.state.lock:
            order = self.state.intents.get(payment_intent_id)
            if order is None:
                raise DomainError(404, "Payment intent not found", "PAYMENT_INTENT_NOT_FOUND")
            if order_id is not None and order_id != order.order_id:
                raise DomainError(400, "order_id does not belong to this payment intent",
                                  "VALIDATION_ERROR", field="order_id")
            if order.status != "completed":
                self._credit(order)
            return self._done(order)

    def complete_pending(self, order_id: str) -> PurchaseOutcome:
        """Finish a ``pending_payment`` order (what its payment page does)."""
        with self.state.lock:
            order = self.state.orders.get(order_id)
            if order is None or order.kind != "currency_purchase":
                raise DomainError(404, "Order not found", "ORDER_NOT_FOUND")
            if order.status not in ("pending_payment", "requires_action"):
                raise DomainError(409, f"Order is {order.status}", "ORDER_NOT_PENDING")
            self._credit(order)
            return self._done(order)

    def _done(self, order: Order) -> PurchaseOutcome:
        player = self.state.player_for_write(order.player_email)
        return PurchaseOutcome("success", order, player.balance(self.state.config.game_id))

    def order(self, order_id: Optional[str], transaction_id: Optional[str]) -> Order:
        """The currency order matching every id given; else 404 ``ORDER_NOT_FOUND``."""
        with self.state.lock:
            for order in self.state.orders.values():
                if order.kind != "currency_purchase":
                    continue
                if order_id and order.order_id != order_id:
                    continue
                if transaction_id and order.transaction_id != transaction_id:
                    continue
                return order
        raise DomainError(404, "Order not found", "ORDER_NOT_FOUND")

    # -- money in ---------------------------------------------------------------------------

    def credited_amount(self, usd: Decimal) -> Decimal:
        """Currency credited for ``usd``: ``usd * currency_per_usd`` to the cent."""
        return (usd * self.state.config.currency_per_usd).quantize(CENT)

    def _new_order(
        self, player: Player, usd: Decimal, rail: str, metadata: Any, source: str
    ) -> Order:
        s = self.state
        now = s.clock.now()
        order = Order(
            kind="currency_purchase", order_id=new_id("ord"), transaction_id=new_id("txn"),
            player_email=player.email, status="created", created_at=now,
            details={"rail": rail, "source": source, "metadata": metadata},
            financial_summary={
                "usd_amount": fmt(usd),
                "currency_amount": fmt(self.credited_amount(usd)),
                "currency_name": s.home.currency_name,
                "exchange_rate": f"{s.config.currency_per_usd}",
            },
        )
        order.mark("created", now)
        s.orders[order.order_id] = order
        return order

    def _credit(self, order: Order, extra: Optional[dict[str, Any]] = None) -> None:
        s = self.state
        gid = s.config.game_id
        player = s.player_for_write(order.player_email)
        usd = Decimal(order.financial_summary["usd_amount"])
        amount = self.credited_amount(usd)
        player.available[gid] = player.balance(gid) + amount
        order.mark("completed", s.clock.now())
        order.details["new_balance"] = fmt(player.balance(gid))
        metadata = order.details.get("metadata")
        s.emit("purchase.completed", {
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "player_email": player.email,
            "identity_id": player.identity_id,
            "usd_amount": fmt(usd),
            "currency_amount": fmt(amount),
            "currency_name": s.home.currency_name,
            "new_balance": fmt(player.balance(gid)),
            "rail": str(order.details.get("rail", "platform")),
            "metadata": metadata if metadata is not None else {},
            **(extra or {}),
        })
        s.balance_changed(player, gid, "purchase", order.transaction_id)


def _fill(url: Optional[str], session_id: str) -> Optional[str]:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id) if url else url
