"""Buying the home game's currency for USD: hosted checkout sessions and direct purchases.

Card pricing (the quote, ``purchase_currency`` and checkout) goes through one function,
:meth:`CurrencyPurchases.price`, so a quote's fees are exactly what the purchase then books.
The sandbox is an Open partner: no tax, ``partner_fee_usd`` = 3.5 % + 0.15 borne by the
partner (see ``docs/sandbox.md``).
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from ._fields import new_id
from ._model import CENT, CheckoutSession, DomainError, Order, Player, fmt
from ._state import State

# The structural bound of a USD amount (the SDK's); INVO's card limits are CardSettings.
USD_MAX = Decimal("999999.99")
RAILS = ("platform", "game", "steam")
# A session's status stays readable this long past its expiry; later reads answer 410.
STATUS_READABLE_AFTER_EXPIRY = 24 * 3600.0
# An unpaid session reads ``pending`` until this long past its expiry, then ``expired``.
PENDING_GRACE_AFTER_EXPIRY = 30 * 60.0
CREDIT_REFUSAL_REASONS = ("MINT_CEILING", "UNKNOWN_RAIL", "RATE_UNAVAILABLE", "NO_PEG_BASIS",
                          "NO_PAYMENT_REFERENCE", "WRONG_ORDER_TYPE")
TERMINAL_STATUSES = ("refused", "refunded", "expired", "credited")
_MESSAGES = {
    "PAYMENT_DECLINED": "Your card was declined; nothing was charged.",
    "PAYMENT_CANCELLED": "The payment was cancelled; nothing was charged.",
    "REFUNDED": "This purchase was refunded.",
    "CHARGEBACK_LOST": "This purchase was reversed by your bank.",
    "expired": "This checkout expired before it was paid; nothing was charged.",
}


@dataclass
class CardSettings:
    """INVO's card limits and fee rates (``Sandbox.configure_card_pricing`` changes them)."""

    floor: Decimal = Decimal("0.50")  # refused below, whatever the date
    minimum: Decimal = Decimal("2.99")  # refused below from enforced_from, warned before
    enforced_from: str = "2026-10-27"  # a UTC date, YYYY-MM-DD
    # Off by default in the sandbox (see docs/sandbox.md): a smaller sale goes through with
    # a min_purchase_warning, as before the enforcement date.
    enforce_minimum: bool = False
    maximum: Decimal = Decimal("100000.00")
    partner_fee_percent: Decimal = Decimal("3.5")
    partner_fee_fixed: Decimal = Decimal("0.15")
    international_fee_percent: Decimal = Decimal("1.5")


@dataclass
class SessionLedger:
    """What the status read needs beyond the session: its token, reason and warnings."""

    token: str
    reason_code: Optional[str] = None
    warning: Optional[dict[str, Any]] = None
    metadata_warning_fields: list[str] = field(default_factory=list)


@dataclass
class CheckoutTables:
    """This area's tables (``state.area("checkout", ...)``; gone on reset)."""

    card: CardSettings = field(default_factory=CardSettings)
    ledgers: dict[str, SessionLedger] = field(default_factory=dict)  # by session id
    tokens: dict[str, str] = field(default_factory=dict)  # token -> session id
    prices: dict[str, Price] = field(default_factory=dict)  # order id -> its booked price


@dataclass(frozen=True)
class Price:
    """What a card purchase of ``listed`` USD charges and books (tax: none, Open partner)."""

    listed: Decimal
    coins: Decimal
    partner_fee: Decimal
    international_fee: Optional[Decimal]  # None on a quote (the card is not known yet)

    @property
    def total(self) -> Decimal:
        return self.listed  # plus tax on Merchant of Record, which the sandbox is not

    def booked(self) -> dict[str, Any]:
        """The six fee/charge fields of a card ``success`` (and of ``purchase.completed``)."""
        return {
            "processing_fee_usd": "0.00",
            "fee_taken_from": "partner",
            "coins_credited": fmt(self.coins),
            "charge_total_usd": fmt(self.total),
            "partner_fee_usd": fmt(self.partner_fee),
            "international_card_fee_usd": (
                None if self.international_fee is None else fmt(self.international_fee)),
        }


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
    acknowledged_total: Optional[Decimal] = None
    country: Optional[str] = None
    subdivision: Optional[str] = None


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
    price: Optional[Price] = None  # set once the card payment is booked (``success``)
    warning: Optional[dict[str, Any]] = None  # min_purchase_warning
    already_processed: bool = False  # confirm_payment: this call added nothing


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

    @property
    def tables(self) -> CheckoutTables:
        """This area's tables (fresh after a reset)."""
        return self.state.area("checkout", CheckoutTables)

    # -- card pricing (one computation for the quote, the purchase and the checkout) --------

    def price(self, usd: Decimal, *, international_card: Optional[bool]) -> Price:
        """Coins and fees of a card purchase of ``usd``; ``international_card`` ``None`` on a
        quote (the card's country is not known yet)."""
        card = self.tables.card
        partner_fee = (usd * card.partner_fee_percent / 100 + card.partner_fee_fixed)
        international: Optional[Decimal] = None
        if international_card is not None:
            international = (usd * card.international_fee_percent / 100
                             if international_card else Decimal("0"))
            international = international.quantize(CENT, ROUND_HALF_UP)
        return Price(listed=usd, coins=self.credited_amount(usd),
                     partner_fee=partner_fee.quantize(CENT, ROUND_HALF_UP),
                     international_fee=international)

    def _today(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self.state.clock.now()))

    def card_limits(self, usd: Decimal) -> Optional[dict[str, Any]]:
        """Refuse an amount outside the card limits; the ``min_purchase_warning`` of an amount
        under the minimum before its enforcement date, else ``None``."""
        card = self.tables.card
        if usd < card.floor:
            raise DomainError(400, f"The smallest card payment is {fmt(card.floor)} USD",
                              "BELOW_CARD_MINIMUM", min_usd=fmt(card.floor))
        if usd > card.maximum:
            raise DomainError(400, f"The largest card payment is {fmt(card.maximum)} USD",
                              "ABOVE_CARD_MAXIMUM")
        if usd >= card.minimum:
            return None
        if self._minimum_enforced():
            raise DomainError(
                400, f"The card minimum is {fmt(card.minimum)} USD", "BELOW_CARD_MINIMUM",
                min_usd=fmt(card.minimum), enforced_from=card.enforced_from)
        return self._minimum_warning(enforced=False)

    def _minimum_enforced(self) -> bool:
        card = self.tables.card
        return card.enforce_minimum and self._today() >= card.enforced_from

    def _minimum_warning(self, *, enforced: bool) -> dict[str, Any]:
        card = self.tables.card
        return {
            "code": "BELOW_CARD_MINIMUM", "min_usd": fmt(card.minimum),
            "enforced_from": card.enforced_from, "enforced": enforced,
            "message": (f"Card purchases under {fmt(card.minimum)} USD are refused once the "
                        f"minimum is enforced (from {card.enforced_from})."),
        }

    def quote(self, usd: Decimal) -> dict[str, Any]:
        """The quote body: the same price a purchase of ``usd`` books, no card known yet."""
        s = self.state
        card = self.tables.card
        with s.lock:
            price = self.price(usd, international_card=None)
            total, coins = fmt(price.total), fmt(price.coins)
            warning: Optional[dict[str, Any]] = None
            if usd < card.floor:
                warning = dict(self._minimum_warning(enforced=True), min_usd=fmt(card.floor),
                               enforced_from="")
            elif usd < card.minimum:
                warning = self._minimum_warning(enforced=self._minimum_enforced())
            return {
                "success": True,
                "total_usd": total,
                "amount_cents": int(price.total * 100),
                "subtotal_usd": fmt(price.listed),
                "processing_fee_usd": "0.00",
                "coins": coins,
                "currency_name": s.home.currency_name,
                "partner_fee_usd": fmt(price.partner_fee),
                "international_card_fee_usd": None,
                "fee_taken_from": "partner",
                "min_purchase_warning": warning,
                "breakdown": {
                    "subtotal_usd": fmt(price.listed), "tax_usd": "0.00",
                    "tax_note": "The partner is responsible for tax on this sale.",
                    "processing_fee_usd": "0.00",
                    "processing_fee_note": "Card fees are paid by the partner.",
                    "total_usd": total, "coins": coins, "currency_name": s.home.currency_name,
                    "tax_treatment": "partner_responsible", "tax_rate_pct": "0.00",
                    "tax_jurisdiction": None,
                },
                "if_unacknowledged": {
                    "charge_total_usd": fmt(usd), "processing_fee_usd": "0.00",
                    "coins": coins, "partner_fee_usd": fmt(price.partner_fee),
                    "fee_taken_from": "partner",
                },
            }

    # -- checkout ---------------------------------------------------------------------------

    def create_checkout(self, req: CheckoutRequest) -> CheckoutSession:
        """A single-use hosted-checkout session, open for ``checkout_ttl`` seconds, with its
        bearer ``session_token`` (``ledger(session_id).token``)."""
        s = self.state
        with s.lock:
            warning = None if req.rail == "steam" else self.card_limits(req.usd_amount)
            s.player_for_write(req.player_email)
            now = s.clock.now()
            session = CheckoutSession(
                session_id=new_id("cs"), player_email=req.player_email.lower(),
                usd_amount=req.usd_amount, rail=req.rail, created_at=now,
                expires_at=now + s.config.checkout_ttl, success_url=req.success_url,
                cancel_url=req.cancel_url, metadata=req.metadata,
            )
            s.sessions[session.session_id] = session
            token = f"cst_{secrets.token_urlsafe(24)}"
            item_keys = [k for k in ("item_id", "item_name")
                         if isinstance(req.metadata, dict) and k in req.metadata]
            self.tables.ledgers[session.session_id] = SessionLedger(
                token=token, warning=warning, metadata_warning_fields=item_keys)
            self.tables.tokens[token] = session.session_id
            return session

    def ledger(self, session_id: str) -> SessionLedger:
        """The token, reason and warnings of a session this service created."""
        return self.tables.ledgers[session_id]

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
            order = self._checkout_order(session)
            self._credit(order, extra={"session_id": session.session_id})
            session.state = "paid"
            return self._page_result(session, order)

    def _checkout_order(self, session: CheckoutSession) -> Order:
        order = self._new_order(self.state.player_for_write(session.player_email),
                                session.usd_amount, session.rail, session.metadata, "checkout")
        session.order_id, session.transaction_id = order.order_id, order.transaction_id
        return order

    def _page_result(self, session: CheckoutSession, order: Order) -> dict[str, Any]:
        session.result = {
            "status": "success",
            "session_id": session.session_id,
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "currency_received": order.financial_summary["currency_amount"],
            "currency_name": self.state.home.currency_name,
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
            self.ledger(session_id).reason_code = "PAYMENT_CANCELLED"
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

    # -- what else can happen to a checkout (test-side: the card network's side) -----------

    def decline_checkout(self, session_id: str) -> None:
        """The card was declined: ``refused`` / ``PAYMENT_DECLINED``, nothing charged."""
        s = self.state
        with s.lock:
            session = self.checkout_session(session_id)
            session.state = "refused"
            self.ledger(session_id).reason_code = "PAYMENT_DECLINED"
            player = s.player_for_write(session.player_email)
            s.emit("purchase.failed", {
                "player_email": player.email, "identity_id": player.identity_id,
                "usd_amount": fmt(session.usd_amount), "rail": session.rail,
                "reason": "card_declined", "session_id": session.session_id,
                "metadata": session.metadata if session.metadata is not None else {},
            })

    def charge_checkout(self, session_id: str) -> None:
        """The payment went through but the coins are not in yet: ``paid_pending_credit``."""
        with self.state.lock:
            session = self.checkout_session(session_id)
            order = self._checkout_order(session)
            order.mark("paid_pending_credit", self.state.clock.now())
            session.state = "charged"

    def _charged(self, session_id: str) -> tuple[CheckoutSession, Order]:
        session = self.state.sessions.get(session_id)
        if session is None or session.state != "charged" or session.order_id is None:
            raise DomainError(409, "This checkout is not charged and waiting for its credit",
                              "SESSION_NOT_CHARGED")
        return session, self.state.orders[session.order_id]

    def finish_credit(self, session_id: str) -> dict[str, Any]:
        """Credit a ``paid_pending_credit`` checkout (``credited``, ``purchase.completed``)."""
        with self.state.lock:
            session, order = self._charged(session_id)
            self._credit(order, extra={"session_id": session.session_id})
            session.state = "paid"
            return self._page_result(session, order)

    def refuse_credit(self, session_id: str, reason: str) -> None:
        """INVO refused to credit a charged checkout: ``refused`` / ``CREDIT_REFUSED_<reason>``."""
        if reason not in CREDIT_REFUSAL_REASONS:
            raise ValueError(f"reason must be one of {', '.join(CREDIT_REFUSAL_REASONS)}")
        with self.state.lock:
            session, order = self._charged(session_id)
            order.mark("failed", self.state.clock.now(), note=f"CREDIT_REFUSED_{reason}")
            session.state = "refused"
            self.ledger(session_id).reason_code = f"CREDIT_REFUSED_{reason}"

    def refund_checkout(self, session_id: str, reason: str) -> None:
        """Refund a credited checkout (``REFUNDED``) or lose its chargeback
        (``CHARGEBACK_LOST``): ``refunded``; the coins still held are taken back."""
        if reason not in ("REFUNDED", "CHARGEBACK_LOST"):
            raise ValueError("reason must be REFUNDED or CHARGEBACK_LOST")
        s = self.state
        with s.lock:
            session = s.sessions.get(session_id)
            if session is None or session.state != "paid" or session.order_id is None:
                raise DomainError(409, "Only a credited checkout can be refunded",
                                  "SESSION_NOT_CREDITED")
            order = s.orders[session.order_id]
            player = s.player_for_write(order.player_email)
            gid = s.config.game_id
            debited = min(player.balance(gid), Decimal(order.financial_summary["currency_amount"]))
            player.available[gid] = player.balance(gid) - debited
            order.mark("refunded", s.clock.now(), note=reason)
            session.state = "refunded"
            self.ledger(session_id).reason_code = reason
            common = {"order_id": order.order_id, "transaction_id": order.transaction_id,
                      "currency_debited": fmt(debited), "new_balance": fmt(player.balance(gid))}
            if reason == "REFUNDED":
                s.emit("purchase.refunded", common)
            else:
                s.emit("purchase.disputed", {
                    **common, "player_email": player.email, "identity_id": player.identity_id,
                    "dispute_status": "lost", "payment_intent_id": None, "charge_id": None,
                    "dispute_id": new_id("dp"),
                })
            s.balance_changed(player, gid, "refund", order.transaction_id)

    # -- the status read ---------------------------------------------------------------------

    def status(self, session_id: str, token: Optional[str]) -> dict[str, Any]:
        """The status body a checkout session token may read (401/403/410 otherwise)."""
        s = self.state
        with s.lock:
            if token is None:
                raise DomainError(401, "A checkout session token is required (Bearer)",
                                  "UNAUTHORIZED")
            owner = self.tables.tokens.get(token)
            if owner is None:
                raise DomainError(401, "Invalid checkout session token", "UNAUTHORIZED")
            if owner != session_id:
                raise DomainError(403, "This token belongs to another checkout session",
                                  "SESSION_MISMATCH")
            session = s.sessions[session_id]
            now = s.clock.now()
            if now > session.expires_at + STATUS_READABLE_AFTER_EXPIRY:
                raise DomainError(410, "This checkout session has expired", "SESSION_EXPIRED")
            return self._status_body(session, now)

    def _status_body(self, session: CheckoutSession, now: float) -> dict[str, Any]:
        s = self.state
        ledger = self.ledger(session.session_id)
        word = {"open": "pending", "charged": "paid_pending_credit", "paid": "credited",
                "cancelled": "refused", "refused": "refused",
                "refunded": "refunded"}.get(session.state, "pending")
        if word == "pending" and now >= session.expires_at + PENDING_GRACE_AFTER_EXPIRY:
            word = "expired"
        order = s.orders.get(session.order_id) if session.order_id else None
        player = s.find_player(session.player_email)
        balance = None
        if player is not None and now < session.expires_at:
            balance = fmt(player.balance(s.config.game_id))
        reason = ledger.reason_code if word in ("refused", "refunded") else None
        message = _MESSAGES.get(reason or "") if reason else _MESSAGES.get(word)
        if word == "refused" and message is None:
            message = "Your payment could not be credited; it will be refunded."
        credited = order if word == "credited" else None
        return {
            "success": True,
            "session_id": session.session_id,
            "status": word,
            "terminal": word in TERMINAL_STATUSES,
            "order_id": order.order_id if order is not None else None,
            "coins_credited": (credited.financial_summary["currency_amount"]
                               if credited is not None else None),
            "transaction_id": credited.transaction_id if credited is not None else None,
            "new_balance": balance,
            "reason_code": reason,
            "message": message,
            "amount_charged_usd": fmt(session.usd_amount),
            "listed_usd": fmt(session.usd_amount),
            "currency_name": s.home.currency_name,
        }

    # -- direct purchases -------------------------------------------------------------------

    def purchase(self, req: DirectPurchase) -> PurchaseOutcome:
        """Charge by payment method id; the same reference and body replay the first outcome
        (a refusal tied to the reference, such as ``QUOTE_STALE``, included)."""
        s = self.state
        with s.lock:
            replay = s.replayed("purchase", req.purchase_reference, req.fingerprint)
            if isinstance(replay, DomainError):
                raise replay
            if replay is not None:
                return replay  # type: ignore[no-any-return]
            if req.rail == "steam":
                raise DomainError(
                    400, "Steam purchases use the in-client Steam flow, not this endpoint",
                    "WRONG_RAIL_ENDPOINT",
                )
            warning = self.card_limits(req.usd_amount)
            player = s.player_for_write(req.player_email, req.player_name)
            s.attach_phone(player, req.player_phone)
            method = req.payment_method.lower()
            price = self.price(req.usd_amount, international_card="intl" in method)
            metadata = drop_invo_keys(req.metadata)
            if req.acknowledged_total is not None and req.acknowledged_total < price.total:
                order = self._new_order(player, req.usd_amount, req.rail, metadata, "direct")
                order.details["purchase_reference"] = req.purchase_reference
                order.mark("failed", s.clock.now(), note="QUOTE_STALE")
                stale = DomainError(
                    409, "The acknowledged total is below the current total: quote again",
                    "QUOTE_STALE", expected_total_usd=fmt(price.total),
                    acknowledged_total_usd=fmt(req.acknowledged_total))
                s.remember("purchase", req.purchase_reference, req.fingerprint, stale)
                raise stale
            kind = outcome_for(method, req.rail)
            if kind == "declined":
                self._declined(req, player)
            order = self._new_order(player, req.usd_amount, req.rail, metadata, "direct")
            order.details["purchase_reference"] = req.purchase_reference
            self.tables.prices[order.order_id] = price
            outcome = self._settle(kind, order, player, warning)
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

    def _settle(self, kind: str, order: Order, player: Player,
                warning: Optional[dict[str, Any]]) -> PurchaseOutcome:
        now = self.state.clock.now()
        if kind == "pending_payment":
            order.mark("pending_payment", now)
            url = f"{self.state.public_base()}/pay/{order.order_id}"
            return PurchaseOutcome("pending_payment", order, payment_url=url, warning=warning)
        if kind == "requires_action":
            intent = new_id("pi")
            order.payment_intent_id = intent
            self.state.intents[intent] = order
            order.mark("requires_action", now)
            return PurchaseOutcome("requires_action", order, payment_intent_id=intent,
                                   client_secret=f"{intent}_secret_{secrets.token_hex(8)}",
                                   warning=warning)
        self._credit(order)
        return PurchaseOutcome("success", order, player.balance(self.state.config.game_id),
                               price=self.tables.prices.get(order.order_id), warning=warning)

    def confirm(self, payment_intent_id: str, order_id: Optional[str]) -> PurchaseOutcome:
        """After the 3-D Secure step: credit the order (once)."""
        with self.state.lock:
            order = self.state.intents.get(payment_intent_id)
            if order is None:
                raise DomainError(404, "Payment intent not found", "PAYMENT_INTENT_NOT_FOUND")
            if order_id is not None and order_id != order.order_id:
                raise DomainError(400, "order_id does not belong to this payment intent",
                                  "VALIDATION_ERROR", field="order_id")
            already = order.status == "completed"
            if not already:
                self._credit(order)
            return dataclasses.replace(self._done(order), already_processed=already)

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
        return PurchaseOutcome("success", order, player.balance(self.state.config.game_id),
                               price=self.tables.prices.get(order.order_id))

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
            **self._card_fields(order),
            **(extra or {}),
        })
        s.balance_changed(player, gid, "purchase", order.transaction_id)


    def _card_fields(self, order: Order) -> dict[str, Any]:
        """What ``purchase.completed`` adds for a card purchase (Open partner: no receipt)."""
        price = self.tables.prices.get(order.order_id)
        if price is None:
            usd = Decimal(order.financial_summary["usd_amount"])
            price = self.price(usd, international_card=False)  # checkout: a US test card
            self.tables.prices[order.order_id] = price
        booked = price.booked()
        return {"channel": None, "tax_treatment": "partner_responsible",
                "partner_fee_usd": booked["partner_fee_usd"],
                "international_card_fee_usd": booked["international_card_fee_usd"]}


def drop_invo_keys(metadata: Any) -> Any:
    """``metadata`` without the keys INVO reserves (``_invo_...``); other values as given."""
    if not isinstance(metadata, dict):
        return metadata
    return {k: v for k, v in metadata.items() if not (isinstance(k, str)
                                                       and k.startswith("_invo_"))}


def _fill(url: Optional[str], session_id: str) -> Optional[str]:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id) if url else url
