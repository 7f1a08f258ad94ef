"""Platform commerce: orders of a platform tenant, paid from a balance or by card.

Tables live in ``state.area("platform_commerce", CommerceTables)`` (gone on reset). Only a
platform tenant may call it (``WorldConfig.tenant_type``, or :meth:`set_tenant_type`); a game
answers ``403 NOT_A_PLATFORM_TENANT``. Three legs:

* balance: the buyer's balance in the home currency is debited at once (``success``);
* buyer-approved balance: an approval waits (15 minutes) for the buyer on INVO's page, then
  debits (``completed``) or ends without a sale (``declined``, ``expired``, ``cancelled``,
  ``failed``);
* card: a hosted page; paying it makes the order (``pending_payment``), which settles to
  ``completed`` at once unless the test holds it.

Events: ``platform_commerce.purchased`` when a sale settles, ``.refunded`` per refund,
``.declined`` (opt-in) when an approval ends without a sale.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from ._fields import new_id
from ._model import CENT, DomainError, Player, fmt, iso
from ._state import State

__all__ = ["Approval", "CardSession", "CommerceOrder", "CommerceTables", "PlatformCommerce",
           "PlatformPurchase"]

BALANCE_FEE_PERCENT = Decimal("3.5")
CARD_FEE_PERCENT = Decimal("3.5")
CARD_FEE_FIXED = Decimal("0.15")
#: The processor's own fee on a card sale, which stays charged to the partner on a refund.
PROCESSOR_FEE_PERCENT = Decimal("2.9")
PROCESSOR_FEE_FIXED = Decimal("0.30")
CARD_MINIMUM = Decimal("0.50")
FUTURE_CARD_MINIMUM = Decimal("2.99")
FUTURE_MINIMUM_FROM = datetime(2026, 10, 27, tzinfo=timezone.utc)
CARD_MAXIMUM = Decimal("100000.00")
APPROVAL_TTL = 15 * 60.0
CARD_SESSION_TTL = 15 * 60.0
CONFIRM_WINDOW = 120.0
ENDED = ("completed", "declined", "expired", "cancelled", "failed")


@dataclass(frozen=True)
class PlatformPurchase:
    """A purchase body, typed."""

    client_request_id: str
    funding_source: str
    player_email: str
    player_name: str
    item_id: str
    item_name: str
    quantity: int
    unit_price: Decimal
    total_price: Decimal
    player_phone: Optional[str] = None
    success_url: Optional[str] = None
    cancel_url: Optional[str] = None
    metadata: dict[str, Any] = field(default_factory=dict)
    require_approval: bool = False
    return_url: Optional[str] = None


@dataclass
class CommerceOrder:
    """A sale: ``pending_payment`` (card, not settled), ``completed`` or ``refunded``."""

    order_id: str
    transaction_id: str
    purchase: PlatformPurchase
    player: Player
    created_at: float
    status: str = "completed"
    platform_fee: Decimal = Decimal("0")
    approval_id: Optional[str] = None
    new_balance: Optional[Decimal] = None
    previous_balance: Optional[Decimal] = None
    refunded: Decimal = Decimal("0")
    unadopted: Decimal = Decimal("0")  # refunded at the processor, not yet recorded
    last_refund_at: Optional[float] = None

    @property
    def card(self) -> bool:
        return self.purchase.funding_source == "card"

    @property
    def total(self) -> Decimal:
        return self.purchase.total_price

    def breakdown(self) -> dict[str, str]:
        return {"total_paid": fmt(self.total), "platform_fee": fmt(self.platform_fee),
                "developer_revenue": fmt(self.total - self.platform_fee)}


@dataclass
class Approval:
    """A buyer-approved balance purchase waiting for (or past) the buyer's decision."""

    approval_id: str
    purchase: PlatformPurchase
    created_at: float
    expires_at: float
    status: str = "pending"
    reason: Optional[str] = None
    decided_at: Optional[float] = None
    order_id: Optional[str] = None
    transaction_id: Optional[str] = None


@dataclass
class CardSession:
    """The hosted card page of one purchase key."""

    session_id: str
    purchase: PlatformPurchase
    created_at: float
    expires_at: float
    state: str = "open"  # open | paid | cancelled
    order_id: Optional[str] = None


@dataclass
class CommerceTables:
    """The platform commerce area's tables."""

    tenant_type: Optional[str] = None  # overrides WorldConfig.tenant_type until reset
    orders: dict[str, CommerceOrder] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    approvals: dict[str, Approval] = field(default_factory=dict)
    approval_keys: dict[str, str] = field(default_factory=dict)
    sessions: dict[str, CardSession] = field(default_factory=dict)
    session_keys: dict[str, str] = field(default_factory=dict)


def _cut(amount: Decimal, percent: Decimal, fixed: Decimal = Decimal("0")) -> Decimal:
    return (amount * percent / 100 + fixed).quantize(CENT, rounding=ROUND_HALF_UP)


class PlatformCommerce:
    """The rules of platform commerce in the sandbox."""

    def __init__(self, state: State) -> None:
        self.state = state

    @property
    def t(self) -> CommerceTables:
        return self.state.area("platform_commerce", CommerceTables)

    # -- tenant -----------------------------------------------------------------------------

    @property
    def tenant_type(self) -> str:
        return self.t.tenant_type or self.state.config.tenant_type

    def set_tenant_type(self, tenant_type: str) -> None:
        if tenant_type not in ("game", "platform"):
            raise ValueError("tenant_type must be 'game' or 'platform'")
        with self.state.lock:
            self.t.tenant_type = tenant_type

    def check_tenant(self) -> None:
        """403 ``NOT_A_PLATFORM_TENANT`` unless the sandbox's tenant is a platform."""
        if self.tenant_type != "platform":
            raise DomainError(403, "Platform Commerce is for platform tenants; this key "
                              "belongs to a game", "NOT_A_PLATFORM_TENANT")

    # -- purchase ---------------------------------------------------------------------------

    def purchase(self, req: PlatformPurchase) -> dict[str, Any]:
        """The purchase answer of the leg ``req`` asks for."""
        with self.state.lock:
            self.check_tenant()
            if req.funding_source == "card":
                return self._card(req)
            if req.require_approval:
                return self._ask_buyer(req)
            order = self._balance_sale(req, None)
            return {"success": True, "status": "success", "funding_source": "balance",
                    **self._sold(order)}

    def _taken(self, key: str) -> None:
        order = self.t.orders.get(self.t.by_key.get(key, ""))
        if order is not None:
            raise DomainError(409, "Duplicate request: this client_request_id was already "
                              "used", "DUPLICATE_REQUEST", order_id=order.order_id,
                              order_status=order.status)

    def _balance_sale(self, req: PlatformPurchase, approval_id: Optional[str]) -> CommerceOrder:
        s = self.state
        self._taken(req.client_request_id)
        player = s.player_for_write(req.player_email, req.player_name)
        s.attach_phone(player, req.player_phone)
        gid = s.config.game_id
        previous = player.balance(gid)
        if previous < req.total_price:
            raise DomainError(400, "Insufficient balance", "INSUFFICIENT_BALANCE",
                              required_amount=fmt(req.total_price),
                              current_balance=fmt(previous), currency_name=s.home.currency_name)
        player.available[gid] = previous - req.total_price
        order = CommerceOrder(new_id("pco"), new_id("txn"), req, player, s.clock.now(),
                              platform_fee=_cut(req.total_price, BALANCE_FEE_PERCENT),
                              approval_id=approval_id, new_balance=player.balance(gid),
                              previous_balance=previous)
        self._keep(order)
        s.balance_changed(player, gid, "platform_commerce_purchase", order.transaction_id)
        self._announce_sale(order)
        return order

    def _keep(self, order: CommerceOrder) -> None:
        self.t.orders[order.order_id] = order
        self.t.by_key[order.purchase.client_request_id] = order.order_id

    def _sold(self, order: CommerceOrder) -> dict[str, Any]:
        return {"order_id": order.order_id, "transaction_id": order.transaction_id,
                "new_balance": fmt(order.new_balance or Decimal("0")),
                "previous_balance": fmt(order.previous_balance or Decimal("0")),
                "currency_name": self.state.home.currency_name,
                "financial_breakdown": order.breakdown()}

    def _announce_sale(self, order: CommerceOrder) -> None:
        req, player = order.purchase, order.player
        data: dict[str, Any] = {
            "transaction_id": order.transaction_id, "order_id": order.order_id,
            "funding_source": req.funding_source, "player_email": player.email,
            "identity_id": player.identity_id, "item_id": req.item_id,
            "item_name": req.item_name, "item_quantity": req.quantity,
            "fee_breakdown": {**order.breakdown(), "international_card_fee_usd": "0.00"},
            "international_card_fee_usd": "0.00", "metadata": dict(req.metadata),
        }
        if order.card:
            data["total_price_usd"] = fmt(req.total_price)
        else:
            data.update(total_price=fmt(req.total_price), unit_price=fmt(req.unit_price),
                        new_balance=fmt(order.new_balance or Decimal("0")),
                        currency_name=self.state.home.currency_name)
        if order.approval_id is not None:
            data["approval_id"] = order.approval_id
        self.state.emit("platform_commerce.purchased", data)

    # -- buyer approval ---------------------------------------------------------------------

    def _ask_buyer(self, req: PlatformPurchase) -> dict[str, Any]:
        s = self.state
        known = self.t.approvals.get(self.t.approval_keys.get(req.client_request_id, ""))
        if known is not None:
            self._expire(known)
            if known.status == "pending":
                return self._pending(known, replay=True)
            raise DomainError(409, f"Duplicate request: this client_request_id's approval "
                              f"ended ({known.status})", "DUPLICATE_REQUEST",
                              order_id=known.order_id, approval_id=known.approval_id)
        self._taken(req.client_request_id)
        buyer = s.find_player(req.player_email)
        if buyer is None or buyer.balance(s.config.game_id) < req.total_price:
            raise DomainError(400, "The buyer cannot pay this from their balance",
                              "BALANCE_UNAVAILABLE")
        now = s.clock.now()
        approval = Approval(new_id("pca"), req, now, s.expires_at(now + APPROVAL_TTL))
        self.t.approvals[approval.approval_id] = approval
        self.t.approval_keys[req.client_request_id] = approval.approval_id
        return self._pending(approval, replay=False)

    def _pending(self, approval: Approval, *, replay: bool) -> dict[str, Any]:
        url = None if replay else (
            f"{self.state.public_base()}/platform-commerce/approve/{approval.approval_id}")
        return {"success": True, "status": "pending_approval", "funding_source": "balance",
                "approval_id": approval.approval_id, "approval_url": url,
                "expires_at": int(approval.expires_at), "idempotent_replay": replay}

    def approval(self, approval_id: str) -> Approval:
        with self.state.lock:
            found = self.t.approvals.get(approval_id)
            if found is None:
                raise DomainError(404, "No such approval in this store", "APPROVAL_NOT_FOUND")
            self._expire(found)
            return found

    def approval_by_key(self, key: str) -> Approval:
        with self.state.lock:
            return self.approval(self.t.approval_keys.get(key, ""))

    def _expire(self, approval: Approval) -> None:
        if approval.status == "pending" and self.state.clock.now() >= approval.expires_at:
            self._end(approval, "expired", "expired")

    def _end(self, approval: Approval, status: str, reason: str) -> None:
        approval.status, approval.reason = status, reason
        approval.decided_at = self.state.clock.now()
        req = approval.purchase
        self.state.emit("platform_commerce.declined", {
            "approval_id": approval.approval_id, "client_request_id": req.client_request_id,
            "status": status, "reason": reason, "item_id": req.item_id,
            "currency_name": self.state.home.currency_name,
            "total_price": fmt(req.total_price), "item_quantity": req.quantity,
            "metadata": dict(req.metadata),
        })

    def cancel_approval(self, approval_id: str) -> Approval:
        with self.state.lock:
            self.check_tenant()
            approval = self.approval(approval_id)
            if approval.status != "pending":
                raise DomainError(409, f"The approval already ended ({approval.status})",
                                  "APPROVAL_ALREADY_ENDED", approval_status=approval.status)
            self._end(approval, "cancelled", "cancelled")
            return approval

    def decide(self, approval_id: str, approve: bool) -> Approval:
        """The buyer approves (debit, ``completed``) or declines on INVO's page."""
        with self.state.lock:
            approval = self.approval(approval_id)
            if approval.status != "pending":
                raise DomainError(409, f"The approval already ended ({approval.status})",
                                  "APPROVAL_ALREADY_ENDED", approval_status=approval.status)
            if not approve:
                self._end(approval, "declined", "declined")
                return approval
            try:
                order = self._balance_sale(approval.purchase, approval.approval_id)
            except DomainError as refused:
                reason = ("insufficient_balance" if refused.body.get("code") ==
                          "INSUFFICIENT_BALANCE" else "settlement_failed")
                self._end(approval, "failed", reason)
                return approval
            approval.status, approval.decided_at = "completed", self.state.clock.now()
            approval.order_id, approval.transaction_id = order.order_id, order.transaction_id
            return approval

    def approval_answer(self, approval: Approval) -> dict[str, Any]:
        req = approval.purchase
        return {
            "success": True, "approval_id": approval.approval_id,
            "client_request_id": req.client_request_id, "status": approval.status,
            "reason": approval.reason, "item_id": req.item_id, "item_name": req.item_name,
            "item_quantity": req.quantity, "total_price": fmt(req.total_price),
            "currency_name": self.state.home.currency_name, "order_id": approval.order_id,
            "transaction_id": approval.transaction_id, "expires_at": iso(approval.expires_at),
            "decided_at": None if approval.decided_at is None else iso(approval.decided_at),
            "metadata": dict(req.metadata),
        }

    # -- card -------------------------------------------------------------------------------

    def _card(self, req: PlatformPurchase) -> dict[str, Any]:
        s = self.state
        now = s.clock.now()
        order = self.t.orders.get(self.t.by_key.get(req.client_request_id, ""))
        if order is not None:
            raise DomainError(409, "A payment already exists for this client_request_id",
                              "DUPLICATE_CLIENT_REQUEST_ID", order_id=order.order_id,
                              order_status=order.status)
        warning = self._card_limits(req.total_price, now)
        known = self.t.sessions.get(self.t.session_keys.get(req.client_request_id, ""))
        replay = known is not None and known.state == "open" and now < known.expires_at
        session = known if replay and known is not None else CardSession(
            new_id("pcs"), req, now, s.expires_at(now + CARD_SESSION_TTL))
        self.t.sessions[session.session_id] = session
        self.t.session_keys[req.client_request_id] = session.session_id
        body: dict[str, Any] = {
            "success": True, "status": "requires_payment", "funding_source": "card",
            "session_id": session.session_id, "checkout_url": self.checkout_url(session),
            "expires_at": int(session.expires_at), "amount_usd": fmt(req.total_price),
            "idempotent_replay": replay,
        }
        if warning is not None:
            body["min_purchase_warning"] = warning
        return body

    def checkout_url(self, session: CardSession) -> str:
        return f"{self.state.public_base()}/platform-commerce/checkout/{session.session_id}"

    @staticmethod
    def _card_limits(total: Decimal, now: float) -> Optional[dict[str, Any]]:
        enforced = datetime.fromtimestamp(now, timezone.utc) >= FUTURE_MINIMUM_FROM
        minimum = FUTURE_CARD_MINIMUM if enforced else CARD_MINIMUM
        if total < minimum:
            raise DomainError(400, f"Card purchases must be at least ${minimum}",
                              "BELOW_STRIPE_MINIMUM", error_code_public="BELOW_CARD_MINIMUM",
                              min_usd=fmt(minimum),
                              enforced_from=FUTURE_MINIMUM_FROM.date().isoformat())
        if total > CARD_MAXIMUM:
            raise DomainError(400, f"Card purchases must be at most ${fmt(CARD_MAXIMUM)}",
                              "ABOVE_CARD_MAXIMUM", max_usd=fmt(CARD_MAXIMUM))
        if total < FUTURE_CARD_MINIMUM:
            return {"code": "BELOW_FUTURE_CARD_MINIMUM", "min_usd": fmt(FUTURE_CARD_MINIMUM),
                    "enforced_from": FUTURE_MINIMUM_FROM.date().isoformat(),
                    "enforced": False,
                    "message": f"Card purchases under ${FUTURE_CARD_MINIMUM} are refused from "
                               f"{FUTURE_MINIMUM_FROM.date().isoformat()}"}
        return None

    def session(self, session_id: str) -> CardSession:
        """An open, unexpired card page (404 / 409 / 410 otherwise)."""
        with self.state.lock:
            found = self.t.sessions.get(session_id)
            if found is None:
                raise DomainError(404, "No such checkout", "SESSION_NOT_FOUND")
            if found.state != "open":
                raise DomainError(409, f"This checkout is already {found.state}",
                                  "SESSION_ALREADY_CONSUMED")
            if self.state.clock.now() >= found.expires_at:
                raise DomainError(410, "This checkout has expired", "SESSION_EXPIRED")
            return found

    def pay(self, session_id: str, *, settle: bool = True) -> dict[str, Any]:
        """Pay on the hosted page: the order exists (``pending_payment``) and, unless
        ``settle`` is false, settles at once (``completed``, ``purchased`` event)."""
        s = self.state
        with s.lock:
            session = self.session(session_id)
            req = session.purchase
            player = s.player_for_write(req.player_email, req.player_name)
            s.attach_phone(player, req.player_phone)
            order = CommerceOrder(new_id("pco"), new_id("txn"), req, player, s.clock.now(),
                                  status="pending_payment",
                                  platform_fee=_cut(req.total_price, CARD_FEE_PERCENT,
                                                    CARD_FEE_FIXED))
            self._keep(order)
            session.state, session.order_id = "paid", order.order_id
            if settle:
                self.settle(order.order_id)
            return {"status": "success", "order_id": order.order_id,
                    "transaction_id": order.transaction_id, "order_status": order.status,
                    "redirect_url": req.success_url}

    def cancel_checkout(self, session_id: str) -> dict[str, Any]:
        with self.state.lock:
            session = self.session(session_id)
            session.state = "cancelled"
            return {"status": "cancelled", "redirect_url": session.purchase.cancel_url}

    def settle(self, order_id: str) -> CommerceOrder:
        """The card payment is verified: ``pending_payment`` -> ``completed``."""
        with self.state.lock:
            order = self.order(order_id)
            if order.status != "pending_payment":
                raise DomainError(409, f"The order is {order.status}", "ORDER_NOT_PENDING")
            order.status = "completed"
            self._announce_sale(order)
            return order

    # -- reads ------------------------------------------------------------------------------

    def order(self, order_id: str) -> CommerceOrder:
        with self.state.lock:
            found = self.t.orders.get(order_id)
            if found is None:
                raise DomainError(404, "No such order in this store", "ORDER_NOT_FOUND")
            return found

    def status_answer(self, order: CommerceOrder) -> dict[str, Any]:
        settled = order.status != "pending_payment"
        fee = order.platform_fee if order.card and settled else None
        return {
            "success": True, "order_id": order.order_id, "status": order.status,
            "game_currency_amount": None if order.card else fmt(order.total),
            "usd_amount": fmt(order.total) if order.card else None,
            "payment_method": order.purchase.funding_source,
            "created_at": iso(order.created_at),
            "invo_fee_usd": None if fee is None else fmt(fee),
            "partner_share_usd": None if fee is None else fmt(order.total - fee),
        }

    def _cursor_tag(self, email: str) -> str:
        return hashlib.sha256(f"{self.state.config.game_id}:{email}".encode()).hexdigest()[:10]

    def history(self, email: str, limit: int, cursor: Optional[str]) -> dict[str, Any]:
        """A player's orders, newest first, a page at a time."""
        s = self.state
        with s.lock:
            self.check_tenant()
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "No such player", "PLAYER_NOT_FOUND")
            start = 0
            if cursor is not None:
                tag, _, offset = cursor.partition(".")
                if tag != self._cursor_tag(player.email) or not offset.isdigit():
                    raise DomainError(400, "The cursor is not from this player's history",
                                      "INVALID_CURSOR")
                start = int(offset)
            rows = [o for o in reversed(self.t.orders.values()) if o.player is player]
            page = rows[start:start + limit]
            more = start + limit < len(rows)
            return {
                "success": True, "player_email": player.email,
                "game_id": str(s.config.game_id),
                "purchases": [self.status_answer(o) for o in page], "limit": limit,
                "has_more": more,
                "next_cursor": f"{self._cursor_tag(player.email)}.{start + limit}" if more
                else None,
            }

    # -- refunds ----------------------------------------------------------------------------

    def refund_outside_api(self, order_id: str, amount: Decimal) -> None:
        """A partial card refund made at the processor, not through the API."""
        with self.state.lock:
            order = self.order(order_id)
            if not order.card or order.status != "completed":
                raise DomainError(409, "Only a completed card sale can be refunded outside "
                                  "the API", "ORDER_NOT_REFUNDABLE")
            if amount <= 0 or order.refunded + order.unadopted + amount >= order.total:
                raise DomainError(400, "A partial refund must leave something to refund",
                                  "INVALID_INPUT")
            order.unadopted += amount
            order.last_refund_at = self.state.clock.now()

    def refund(self, order_id: Optional[str], key: Optional[str], reason: Optional[str],
               remaining: bool, confirmed: bool) -> dict[str, Any]:
        """Refund a completed order (INVO keeps its fee)."""
        s = self.state
        with s.lock:
            self.check_tenant()
            order = self.order(order_id if order_id is not None else
                               self.t.by_key.get(key or "", ""))
            if order.status == "refunded":
                raise DomainError(409, "This order was already refunded", "ALREADY_REFUNDED")
            if order.status != "completed":
                raise DomainError(409, f"The order is {order.status}: nothing to refund",
                                  "ORDER_NOT_REFUNDABLE")
            now = s.clock.now()
            if order.unadopted > 0:
                amount, adopted = order.unadopted, True
                order.unadopted = Decimal("0")
            else:
                adopted = False
                amount = order.total - order.refunded
                if order.refunded > 0 and not remaining:
                    raise DomainError(
                        409, "The order was partly refunded: pass refund_remaining to refund "
                        "the rest", "REFUND_REMAINING_REQUIRES_CONFIRMATION",
                        refunded_total_usd=fmt(order.refunded),
                        remaining_usd=fmt(order.total - order.refunded))
                recent = order.last_refund_at is not None and \
                    now - order.last_refund_at < CONFIRM_WINDOW
                if order.refunded > 0 and recent and not confirmed:
                    raise DomainError(409, "A refund was issued moments ago: pass "
                                      "confirm_additional_refund to refund again",
                                      "REFUND_RECENTLY_ISSUED")
            return self._refunded(order, amount, adopted, reason, now)

    def _refunded(self, order: CommerceOrder, amount: Decimal, adopted: bool,
                  reason: Optional[str], now: float) -> dict[str, Any]:
        s = self.state
        parts = adopted or order.refunded > 0
        order.refunded += amount
        order.last_refund_at = now
        if not adopted:
            order.status = "refunded"
        body: dict[str, Any] = {
            "success": True, "status": "refunded", "order_id": order.order_id,
            "funding_source": order.purchase.funding_source,
            "transaction_id": new_id("txn"), "fee_retained": True, "adopted": adopted,
            "reason": reason,
        }
        event: dict[str, Any] = {
            "order_id": order.order_id, "funding_source": order.purchase.funding_source,
            "player_email": order.player.email, "identity_id": order.player.identity_id,
            "fee_retained": True, "metadata": dict(order.purchase.metadata),
        }
        if order.card:
            card_fee = _cut(amount, PROCESSOR_FEE_PERCENT, PROCESSOR_FEE_FIXED)
            reversed_share = amount - _cut(amount, CARD_FEE_PERCENT)
            extra = {"refunded_amount": fmt(amount), "amount_unit": "usd",
                     "card_fee_charged_to_partner_usd": fmt(card_fee),
                     "partner_debited_usd": fmt(reversed_share + card_fee)}
            body.update(extra, processor_refund_reference=f"re_sbx_{secrets.token_hex(8)}")
            event.update(extra)
        else:
            # The buyer is made whole minus INVO's fee (the developer's share comes back).
            credit = order.total - order.platform_fee
            gid = s.config.game_id
            order.player.available[gid] = order.player.balance(gid) + credit
            s.balance_changed(order.player, gid, "platform_commerce_refund",
                              body["transaction_id"])
            body.update(refunded_amount=fmt(credit), amount_unit="currency",
                        new_balance=fmt(order.player.balance(gid)))
            event.update(refunded_amount=fmt(credit), amount_unit="currency")
        if parts:
            split = {"partial_refund": order.status != "refunded",
                     "refunded_total_usd": fmt(order.refunded),
                     "charge_total_usd": fmt(order.total)}
            body.update(split, remaining_usd=fmt(order.total - order.refunded))
            event.update(split)
        s.emit("platform_commerce.refunded", event)
        return body
