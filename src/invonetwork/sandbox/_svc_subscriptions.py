"""Subscriptions, saved cards and the subscription clock: the state machine of the emulator.

States of a subscription (``status``)::

    create (card) ── paid ───────────────► active ◄──────────── retry paid (recovery)
         │        ├─ free trial ─────────► trialing ── trial_end charge ──► active
         │        ├─ paid trial ─────────► trialing (period 1 at the trial price)
         │        ├─ issuer challenge ───► awaiting_authentication ── member confirms ─► active
         │        ├─ unresolved ─────────► pending ── settles at the next sweep ──► active
         │        └─ no card / declined ─► past_due
    active ── charge fails ──► past_due ── retries after 2, 3, 2 days ── 4th failure ─► expired
    active ── issuer challenge ──► awaiting_authentication ── deadline lapses ──► past_due
    any live ── cancel now / full refund ──► canceled
    any live ── cancel at period end ──► (live, cancel_at_period_end) ── paid_through ─► canceled
    steam_init ──► pending_steam_authorization ── finalize ──► active
                                                └─ 24 h ──► expired (abandoned)

Time is the sandbox's :class:`~invonetwork.sandbox._model.Clock`: :meth:`Subscriptions.sweep`
bills every row whose ``next_charge_at`` has come (the API sweeps before each request and
``Sandbox.advance_time`` after moving the clock), and the clock endpoints move the clock to
the next due instant and sweep. Rows bill in advance: period ``n`` is charged at its start;
``period_seq`` is the period the window is on (the next one to bill).

Card outcomes come from the saved card's payment method id (see ``docs/sandbox.md``):
``declined`` declines, ``insufficient`` is ``insufficient_funds``, ``3ds`` asks for
authentication, ``error`` is a processing error, ``pending`` settles later, ``unsettled`` is
charged but not settled (the retry settles it); anything else pays.
"""

from __future__ import annotations

import calendar
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any, Optional

from ._fields import new_id, random_digits
from ._model import CENT, DomainError, fmt, iso
from ._state import State
from ._svc_purchases import CurrencyPurchases

__all__ = ["Card", "Sub", "SubscriptionTables", "Subscriptions"]

DAY = 86400.0
RETRY_SCHEDULE_DAYS = (2, 3, 2)
MAX_ATTEMPTS = len(RETRY_SCHEDULE_DAYS) + 1
MAX_AUTH_CHALLENGES = 2
AUTH_WINDOW = 23 * 3600.0
STEAM_AUTH_WINDOW = DAY
PENDING_SETTLE = 300.0
REFUND_WINDOW_DAYS = 30
CHARGE_CEILING = Decimal("25000.00")
DEFAULT_DAILY_CAP = Decimal("25000.00")
FEE_PERCENT = Decimal("3.5")
FEE_FIXED = Decimal("0.15")
CARD_SESSION_TTL = 600.0
LIVE = ("pending", "trialing", "active", "past_due", "awaiting_authentication",
        "pending_steam_authorization")
TERMINAL = ("canceled", "expired")
MATERIAL_TERMS = ("amount_usd", "interval", "interval_count", "wallet_only", "funding_rail",
                  "trial_amount_usd")


def add_months(ts: float, months: int) -> float:
    """``ts`` plus whole calendar months (the day clamped to the month's length)."""
    when = datetime.fromtimestamp(ts, tz=timezone.utc)
    index = when.month - 1 + months
    year, month = when.year + index // 12, index % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day).timestamp()


def parse_iso(text: str) -> Optional[float]:
    """An ISO 8601 instant (``Z`` or an offset) as Unix seconds, else ``None``."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.timestamp()


def _opt_iso(ts: Optional[float]) -> Optional[str]:
    return None if ts is None else iso(ts)


@dataclass
class Card:
    """A saved card: only what INVO keeps (brand, last four, expiry) plus the sandbox's
    payment method id, which picks the outcome of each charge."""

    id: int
    player_email: str
    payment_method_id: str
    brand: str
    last_four: str
    exp_month: int
    exp_year: int
    created_at: float

    def answer(self) -> dict[str, Any]:
        return {"id": self.id, "brand": self.brand, "last_four": self.last_four,
                "exp_month": self.exp_month, "exp_year": self.exp_year,
                "created_at": iso(self.created_at)}


@dataclass
class Period:
    """A billed period: what was charged, when, and how much of it was refunded."""

    seq: int
    start: float
    end: float
    amount: Decimal
    charged_at: float
    transaction_id: str
    order_id: str
    mint_order_id: Optional[str]
    rail: str
    is_trial: bool = False
    refunded: Decimal = Decimal("0")


@dataclass
class Sub:
    """One subscription row."""

    subscription_id: str
    client_request_id: str
    player_email: str
    player_name: str
    item_id: str
    item_name: Optional[str]
    amount: Decimal
    interval: str
    interval_count: int
    funding_rail: str
    created_at: float
    anchor: float  # start of period 1
    status: str = "pending"
    period_seq: int = 1
    wallet_only: bool = False
    card_id: Optional[int] = None
    metadata: Optional[dict[str, Any]] = None
    consent: dict[str, Any] = field(default_factory=dict)
    revenue_share: Optional[dict[str, Any]] = None
    trial_end: Optional[float] = None
    trial_amount: Optional[Decimal] = None
    pending_amount: Optional[Decimal] = None
    pending_from_seq: Optional[int] = None
    last_agreed: Decimal = Decimal("0")
    created_amount: Decimal = Decimal("0")
    created_wallet_only: bool = False
    next_charge_at: Optional[float] = None
    paid_through: Optional[float] = None
    cancel_at_period_end: bool = False
    canceled_at: Optional[float] = None
    ended_at: Optional[float] = None
    updated_at: float = 0.0
    attempts: int = 0  # failed attempts on the current period
    auth_challenges: int = 0
    auth_deadline: Optional[float] = None
    auth_token: Optional[str] = None
    last_failure_code: Optional[str] = None
    last_failure_message: Optional[str] = None
    periods: dict[int, Period] = field(default_factory=dict)
    first_charge: dict[str, Any] = field(default_factory=dict)
    forced_ahead: bool = False
    steam_id: Optional[str] = None
    steam_order_id: Optional[str] = None
    steam_order_ref: Optional[str] = None
    steam_agreement_status: Optional[str] = None
    user_session: Optional[str] = None
    amount_coins: Optional[Decimal] = None
    steam_fingerprint: Optional[tuple[Any, ...]] = None

    @property
    def months(self) -> int:
        return self.interval_count * (12 if self.interval == "year" else 1)

    def period_bounds(self, seq: int) -> tuple[float, float]:
        """Start and end of period ``seq`` (period 1 starts at ``anchor``; with a trial,
        period 1 is the trial and ends at ``trial_end``)."""
        if self.trial_end is not None:
            if seq == 1:
                return self.anchor, self.trial_end
            return (add_months(self.trial_end, (seq - 2) * self.months),
                    add_months(self.trial_end, (seq - 1) * self.months))
        return (add_months(self.anchor, (seq - 1) * self.months),
                add_months(self.anchor, seq * self.months))

    @property
    def live(self) -> bool:
        return self.status in LIVE


@dataclass
class SetupSession:
    """A hosted card-setup page (10 minutes; spent once a card is saved)."""

    session_id: str
    player_email: str
    created_at: float
    expires_at: float
    success_url: Optional[str]
    cancel_url: Optional[str]
    metadata: Any
    card_id: Optional[int] = None


@dataclass
class SetupIntent:
    """A card setup started from the game's own form (``begin_setup``)."""

    setup_intent_id: str
    player_email: str
    reference: str
    payment_method_id: Optional[str]
    status: str
    card_id: Optional[int] = None


@dataclass
class RefundRequest:
    """A refund over the daily cap, waiting for INVO's decision."""

    request_id: str
    subscription_id: str
    client_request_id: str
    period_seq: int
    amount: Decimal
    reason: Optional[str]
    requested_at: float
    daily_cap: Decimal
    executed_today: Decimal
    status: str = "pending"
    decided_at: Optional[float] = None
    decision_reason: Optional[str] = None
    transaction_id: Optional[str] = None


@dataclass
class SubscriptionTables:
    """This area's tables (``state.area("subscriptions", ...)``)."""

    subs: dict[str, Sub] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    steam_keys: dict[str, str] = field(default_factory=dict)
    cards: dict[int, Card] = field(default_factory=dict)
    sessions: dict[str, SetupSession] = field(default_factory=dict)
    intents: dict[str, SetupIntent] = field(default_factory=dict)
    intent_refs: dict[str, str] = field(default_factory=dict)
    receipts: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    requests: dict[str, RefundRequest] = field(default_factory=dict)
    request_keys: dict[tuple[str, str], str] = field(default_factory=dict)
    refunded_on: dict[str, Decimal] = field(default_factory=dict)
    daily_cap: Decimal = DEFAULT_DAILY_CAP
    next_card_id: int = 1


@dataclass(frozen=True)
class CreateRequest:
    """A subscribe (card) request, parsed."""

    client_request_id: str
    player_email: str
    player_name: str
    item_id: str
    amount: Decimal
    item_name: Optional[str] = None
    player_phone: Optional[str] = None
    interval: str = "month"
    interval_count: int = 1
    trial_days: Optional[int] = None
    trial_end: Optional[float] = None
    wallet_only: Optional[bool] = None
    player_card_id: Optional[int] = None
    metadata: Optional[dict[str, Any]] = None
    consent: Optional[dict[str, Any]] = None
    revenue_share: Optional[dict[str, Any]] = None
    trial_amount: Optional[Decimal] = None


@dataclass(frozen=True)
class SteamRequest:
    """A Steam subscription init, parsed."""

    client_request_id: str
    player_email: str
    player_name: str
    item_id: str
    amount: Decimal
    steam_id: str
    user_session: str
    player_ip: Optional[str] = None
    item_name: Optional[str] = None
    interval: str = "month"
    interval_count: int = 1
    player_phone: Optional[str] = None
    metadata: Optional[dict[str, Any]] = None
    consent: Optional[dict[str, Any]] = None
    revenue_share: Optional[dict[str, Any]] = None


class Subscriptions:
    """Every subscription, card and clock rule of the emulator, over ``state.area(...)``."""

    def __init__(self, state: State, purchases: CurrencyPurchases) -> None:
        self.state = state
        self.purchases = purchases
        #: The key ``X-Sandbox-Clock-Key`` must carry (kept across resets).
        self.clock_key = f"ivclk_{secrets.token_hex(16)}"
        self.stats: dict[str, int] = {}

    @property
    def t(self) -> SubscriptionTables:
        return self.state.area("subscriptions", SubscriptionTables)

    def now(self) -> float:
        return self.state.clock.now()

    # -- reads ------------------------------------------------------------------------------

    def find(self, subscription_id: str) -> Sub:
        sub = self.t.subs.get(subscription_id)
        if sub is None:
            raise DomainError(404, "Subscription not found", "SUBSCRIPTION_NOT_FOUND")
        return sub

    def render(self, sub: Sub, include_player: bool = False) -> dict[str, Any]:
        """The ``subscription`` object."""
        s = self.state
        player = s.find_player(sub.player_email)
        rate = s.config.currency_per_usd
        body: dict[str, Any] = {
            "subscription_id": sub.subscription_id,
            "status": sub.status,
            "amount_usd": fmt(sub.amount),
            "pending_amount_usd": None if sub.pending_amount is None else fmt(sub.pending_amount),
            "item_id": sub.item_id,
            "item_name": sub.item_name,
            "client_request_id": sub.client_request_id,
            "game_id": str(s.config.game_id),
            "player_id": player.player_id if player else None,
            "interval": sub.interval,
            "interval_count": sub.interval_count,
            "period_seq": sub.period_seq,
            "current_period_start": iso(sub.period_bounds(sub.period_seq)[0]),
            "current_period_end": iso(sub.period_bounds(sub.period_seq)[1]),
            "next_charge_at": _opt_iso(sub.next_charge_at),
            "paid_through": _opt_iso(sub.paid_through),
            "trial_end": _opt_iso(sub.trial_end),
            "canceled_at": _opt_iso(sub.canceled_at),
            "ended_at": _opt_iso(sub.ended_at),
            "cancel_at_period_end": sub.cancel_at_period_end,
            "wallet_only": sub.wallet_only,
            "has_payment_method": self._card_for(sub) is not None,
            "funding_rail": sub.funding_rail,
            "steam_agreement_status": sub.steam_agreement_status,
            "amount_coins_estimate": fmt(sub.amount_coins if sub.amount_coins is not None
                                         else sub.amount * rate),
            "trial_amount_usd": None if sub.trial_amount is None else fmt(sub.trial_amount),
            "trial_amount_coins_estimate": None if sub.trial_amount is None
            else fmt(sub.trial_amount * rate),
            "metadata": sub.metadata,
            "revenue_share": self._revenue_share_out(sub),
            "consent": dict(sub.consent),
            "created_at": iso(sub.created_at),
            "updated_at": iso(sub.updated_at or sub.created_at),
        }
        if include_player:
            body["player_email"] = sub.player_email
            body["player_name"] = sub.player_name
        return body

    def get(self, subscription_id: str, include_player: bool) -> dict[str, Any]:
        with self.state.lock:
            self.sweep()
            return {"subscription": self.render(self.find(subscription_id), include_player)}

    def list_for_player(self, email: str, statuses: Optional[list[str]], limit: int,
                        offset: int, include_player: bool) -> dict[str, Any]:
        with self.state.lock:
            self.sweep()
            rows = [sub for sub in self.t.subs.values()
                    if sub.player_email == email.strip().lower()
                    and (not statuses or sub.status in statuses)]
            rows.sort(key=lambda sub: sub.created_at, reverse=True)
            page = rows[offset:offset + limit]
            return {
                "player_email": email,
                "subscriptions": [self.render(sub, include_player) for sub in page],
                "pagination": {"total_count": len(rows), "limit": limit, "offset": offset,
                               "has_more": offset + len(page) < len(rows)},
            }

    def _revenue_share_out(self, sub: Sub) -> Optional[dict[str, Any]]:
        share = sub.revenue_share
        if not share:
            return None
        email = share.get("recipient_player_email")
        player = self.state.find_player(email) if isinstance(email, str) else None
        return {"recipient_player_id": player.player_id if player else None,
                "percent": share.get("percent"), "settled_by_invo": False}

    # -- cards ------------------------------------------------------------------------------

    def _new_card(self, email: str, payment_method_id: str) -> Card:
        t = self.t
        lowered = payment_method_id.lower()
        brand = next((b for b in ("mastercard", "amex", "discover") if b in lowered), "visa")
        year = datetime.fromtimestamp(self.now(), tz=timezone.utc).year
        card = Card(t.next_card_id, email.strip().lower(), payment_method_id, brand,
                    "0005" if brand == "amex" else "4242", 12, year + 3, self.now())
        t.cards[card.id] = card
        t.next_card_id += 1
        return card

    def save_card(self, email: str, payment_method_id: str = "pm_card_visa") -> Card:
        """Save a card for a member (created if unknown): the test-side shortcut."""
        with self.state.lock:
            self.state.player_for_write(email)
            return self._new_card(email, payment_method_id)

    def cards_of(self, email: str) -> list[Card]:
        """Unexpired cards, newest first."""
        year = datetime.fromtimestamp(self.now(), tz=timezone.utc).year
        key = email.strip().lower()
        found = [c for c in self.t.cards.values() if c.player_email == key and c.exp_year >= year]
        return sorted(found, key=lambda c: (c.created_at, c.id), reverse=True)

    def list_cards(self, email: str) -> dict[str, Any]:
        with self.state.lock:
            return {"cards": [c.answer() for c in self.cards_of(email)]}

    def _card_for(self, sub: Sub) -> Optional[Card]:
        if sub.funding_rail != "card" or sub.wallet_only:
            return None
        if sub.card_id is not None:
            return self.t.cards.get(sub.card_id)
        cards = self.cards_of(sub.player_email)
        return cards[0] if cards else None

    def create_setup_session(self, email: str, success_url: Optional[str],
                             cancel_url: Optional[str], metadata: Any,
                             player_name: Optional[str], player_phone: Optional[str]
                             ) -> dict[str, Any]:
        s = self.state
        with s.lock:
            if "@" not in email:
                raise DomainError(400, "player_email is not an email address",
                                  "INVALID_PLAYER_EMAIL")
            player = s.find_player(email)
            if player is None:
                if not player_name:
                    raise DomainError(404, f"Player {email} not found", "PLAYER_NOT_FOUND")
                if player_phone and s.phone_holder(player_phone) is not None:
                    raise DomainError(409, "This phone belongs to another INVO account",
                                      "PHONE_SHARE_APPROVAL_REQUIRED")
                player = s.new_player(email, player_name)
                s.attach_phone(player, player_phone)
            now = self.now()
            session = SetupSession(new_id("cset"), player.email, now, now + CARD_SESSION_TTL,
                                   success_url, cancel_url, metadata)
            self.t.sessions[session.session_id] = session
            return {"session_id": session.session_id,
                    "card_setup_url": f"{s.public_base()}/card-setup/{session.session_id}",
                    "expires_at": iso(session.expires_at)}

    def setup_session(self, session_id: str) -> SetupSession:
        with self.state.lock:
            session = self.t.sessions.get(session_id)
            if session is None:
                raise DomainError(404, "Card setup session not found", "SESSION_NOT_FOUND")
            if session.card_id is None and self.now() >= session.expires_at:
                raise DomainError(410, "This card setup session has expired", "SESSION_EXPIRED")
            return session

    def save_from_session(self, session_id: str, payment_method_id: str) -> dict[str, Any]:
        """The hosted page's Save button; a spent session shows the card it saved."""
        with self.state.lock:
            session = self.setup_session(session_id)
            if session.card_id is None:
                session.card_id = self._new_card(session.player_email, payment_method_id).id
            card = self.t.cards[session.card_id]
            return {"status": "saved", "card": card.answer(),
                    "redirect_url": session.success_url}

    def begin_setup(self, email: str, reference: str, payment_method_id: Optional[str]
                    ) -> dict[str, Any]:
        s, t = self.state, self.t
        with s.lock:
            if s.find_player(email) is None:
                raise DomainError(404, f"Player {email} not found", "PLAYER_NOT_FOUND")
            known = t.intent_refs.get(reference)
            if known is not None:
                intent = t.intents[known]
                if (intent.player_email, intent.payment_method_id) != (
                        email.strip().lower(), payment_method_id):
                    raise DomainError(409, "setup_reference was used with other parameters",
                                      "SETUP_REFERENCE_REUSED")
                return self._intent_answer(intent)
            method = (payment_method_id or "").lower()
            if "declined" in method:
                raise DomainError(402, "The card was declined", "CARD_DECLINED")
            if method.startswith("4") and method.isdigit():
                raise DomainError(400, "Raw card numbers are not accepted",
                                  "RAW_CARD_NOT_SUPPORTED")
            if payment_method_id is None:
                status = "requires_payment_method"
            elif "setup_3ds" in method:
                status = "requires_action"
            else:
                status = "succeeded"
            intent = SetupIntent(new_id("seti"), email.strip().lower(), reference,
                                 payment_method_id, status)
            if status == "succeeded":
                intent.card_id = self._new_card(email, str(payment_method_id)).id
            t.intents[intent.setup_intent_id] = intent
            t.intent_refs[reference] = intent.setup_intent_id
            return self._intent_answer(intent)

    def _intent_answer(self, intent: SetupIntent) -> dict[str, Any]:
        card = self.t.cards.get(intent.card_id) if intent.card_id is not None else None
        body: dict[str, Any] = {"status": intent.status,
                                "setup_intent_id": intent.setup_intent_id,
                                "card": card.answer() if card else None,
                                "already_saved": False}
        if intent.status != "succeeded":
            body["client_secret"] = f"{intent.setup_intent_id}_secret_sandbox"
            body["publishable_key"] = "pk_test_sandbox"
        return body

    def complete_setup(self, setup_intent_id: str, payment_method_id: str) -> None:
        """What the member's browser does to finish a setup (the test-side helper)."""
        with self.state.lock:
            intent = self._intent(setup_intent_id)
            intent.payment_method_id = intent.payment_method_id or payment_method_id
            intent.status = "requires_confirmation"

    def _intent(self, setup_intent_id: str) -> SetupIntent:
        intent = self.t.intents.get(setup_intent_id)
        if intent is None:
            raise DomainError(404, "Setup intent not found", "SETUP_INTENT_NOT_FOUND")
        return intent

    def confirm_setup(self, setup_intent_id: str) -> dict[str, Any]:
        with self.state.lock:
            intent = self._intent(setup_intent_id)
            already = intent.card_id is not None
            if not already:
                if intent.status != "requires_confirmation" or not intent.payment_method_id:
                    unfinished = DomainError(400, "The card setup is not finished on the client")
                    unfinished.body["status"] = "still_requires_action"
                    raise unfinished
                intent.card_id = self._new_card(intent.player_email,
                                                intent.payment_method_id).id
                intent.status = "succeeded"
            card = self.t.cards[intent.card_id]  # type: ignore[index]
            return {"status": "success", "setup_intent_id": setup_intent_id,
                    "card": card.answer(), "already_saved": already}

    # -- create -----------------------------------------------------------------------------

    def _check_game_live(self) -> None:
        if self.state.home.game_status == "testing":
            raise DomainError(403, "The game is not live", "GAME_NOT_LIVE")

    def _reserved_key(self, key: str) -> None:
        if key.lower().startswith("sub_"):
            raise DomainError(400, "client_request_id must not start with sub_",
                              "CLIENT_REQUEST_ID_RESERVED")

    def create(self, req: CreateRequest) -> tuple[int, dict[str, Any]]:
        s, t = self.state, self.t
        with s.lock:
            self.sweep()
            self._check_game_live()
            self._reserved_key(req.client_request_id)
            email = req.player_email.strip().lower()
            known = t.keys.get(req.client_request_id)
            if known is not None:
                return 200, self._replay(t.subs[known], req)
            for other in t.subs.values():
                if other.player_email == email and other.item_id == req.item_id and other.live:
                    raise DomainError(409, "The player already has a live subscription to "
                                      "this item", "ACTIVE_SUBSCRIPTION_EXISTS",
                                      subscription_id=other.subscription_id)
            if req.trial_amount is not None and req.trial_amount <= self._fee(req.trial_amount):
                raise DomainError(400, "trial_amount_usd is below INVO's fee floor",
                                  "TRIAL_AMOUNT_BELOW_FEE_FLOOR")
            player = s.player_for_write(email, req.player_name)
            if req.player_phone and s.phone_holder(req.player_phone, player) is not None:
                raise DomainError(409, "This phone belongs to another INVO account",
                                  "PHONE_SHARE_APPROVAL_REQUIRED")
            s.attach_phone(player, req.player_phone)
            if req.player_card_id is not None:
                card = t.cards.get(req.player_card_id)
                if card is None or card.player_email != player.email:
                    raise DomainError(404, "Saved card not found", "PAYMENT_METHOD_NOT_FOUND")
            now = self.now()
            trial_end = req.trial_end
            if trial_end is None and req.trial_days is not None:
                trial_end = now + req.trial_days * DAY
            sub = Sub(
                subscription_id=new_id("sub"), client_request_id=req.client_request_id,
                player_email=player.email, player_name=req.player_name, item_id=req.item_id,
                item_name=req.item_name, amount=req.amount, interval=req.interval,
                interval_count=req.interval_count, funding_rail="card", created_at=now,
                anchor=now, wallet_only=bool(req.wallet_only), card_id=req.player_card_id,
                metadata=req.metadata, consent=dict(req.consent or {}),
                revenue_share=req.revenue_share, trial_end=trial_end,
                trial_amount=req.trial_amount if trial_end is not None else None,
                last_agreed=req.amount, created_amount=req.amount,
                created_wallet_only=bool(req.wallet_only), updated_at=now,
            )
            if sub.trial_amount is not None and self._card_for(sub) is None:
                raise DomainError(400, "A paid trial needs a usable saved card",
                                  "PAYMENT_METHOD_REQUIRED")
            t.subs[sub.subscription_id] = sub
            t.keys[sub.client_request_id] = sub.subscription_id
            card = self._card_for(sub)
            if trial_end is not None and sub.trial_amount is None:
                sub.status, sub.period_seq = "trialing", 2
                sub.next_charge_at = trial_end
                sub.first_charge = {"status": "skipped_trial", "amount_usd": "0.00"}
            else:
                sub.next_charge_at = now
                self._attempt(sub, first=True)
            return 201, self._create_answer(sub, card, replay=False)

    def _create_answer(self, sub: Sub, card: Optional[Card], *, replay: bool) -> dict[str, Any]:
        first = dict(sub.first_charge)
        if replay:
            first.pop("confirmation_url", None)
        return {"status": sub.status, "subscription": self.render(sub), "first_charge": first,
                "card": card.answer() if card else None, "idempotent_replay": replay}

    def _replay(self, sub: Sub, req: CreateRequest) -> dict[str, Any]:
        if sub.player_email != req.player_email.strip().lower() or sub.item_id != req.item_id:
            raise DomainError(409, "client_request_id was used for another player or item",
                              "DUPLICATE_CLIENT_REQUEST_ID")
        asked = {"amount_usd": req.amount, "interval": req.interval,
                 "interval_count": req.interval_count, "wallet_only": bool(req.wallet_only),
                 "funding_rail": "card", "trial_amount_usd": req.trial_amount}
        stored = {"amount_usd": sub.created_amount, "interval": sub.interval,
                  "interval_count": sub.interval_count, "wallet_only": sub.created_wallet_only,
                  "funding_rail": sub.funding_rail, "trial_amount_usd": sub.trial_amount}
        mismatched = [k for k in MATERIAL_TERMS if asked[k] != stored[k]]
        if mismatched:
            raise DomainError(409, "client_request_id was used with other terms",
                              "IDEMPOTENT_REPLAY_MISMATCH", mismatched_fields=mismatched)
        return self._create_answer(sub, self._card_for(sub), replay=True)

    # -- charging ---------------------------------------------------------------------------

    def _outcome(self, sub: Sub, forced: Optional[str]) -> str:
        """``paid``, ``requires_action``, ``pending``, or a failure outcome/code."""
        if forced is not None:
            return forced
        if sub.funding_rail == "steam":
            return "paid"
        if sub.wallet_only:
            return "wallet_only"
        card = self._card_for(sub)
        if card is None:
            return "no_payment_method"
        if self._price_for(sub, sub.period_seq) > CHARGE_CEILING:
            self._count("refused_over_ceiling")
            return "processing_error"
        method = card.payment_method_id.lower()
        if "unsettled" in method:  # charged but not settled: the retry settles it, no charge
            return "settlement_error" if sub.attempts == 0 else "paid"
        for word, outcome in (("declined", "card_declined"),
                              ("insufficient", "insufficient_funds"),
                              ("3ds", "requires_action"), ("error", "processing_error"),
                              ("pending", "pending")):
            if word in method:
                return outcome
        return "paid"

    def _price_for(self, sub: Sub, seq: int) -> Decimal:
        if seq == 1 and sub.trial_amount is not None:
            return sub.trial_amount
        return sub.amount

    def _count(self, name: str) -> None:
        self.stats[name] = self.stats.get(name, 0) + 1

    def _attempt(self, sub: Sub, *, first: bool = False, forced: Optional[str] = None,
                 failure_code: Optional[str] = None, failure_message: Optional[str] = None,
                 challenge_ok: bool = True) -> str:
        """Bill the window's period now; returns what happened."""
        outcome = self._outcome(sub, forced)
        if outcome == "pending" and first:
            sub.status = "pending"
            sub.next_charge_at = self.now() + PENDING_SETTLE
            sub.first_charge = {"status": "pending", "amount_usd": fmt(sub.amount),
                                "message": "The charge is being settled"}
            return "pending"
        if outcome == "pending":
            outcome = "paid"
        if outcome == "requires_action":
            if challenge_ok and sub.auth_challenges < MAX_AUTH_CHALLENGES:
                self._challenge(sub, first=first, mint_link=True)
                return "requires_action"
            outcome = "card_declined"
        if outcome == "paid":
            self._paid(sub, first=first)
            return "paid"
        self._failed(sub, outcome, first=first, failure_code=failure_code,
                     failure_message=failure_message)
        return "failed"

    def _paid(self, sub: Sub, *, first: bool = False) -> None:
        """Period ``period_seq`` is paid: mint, move the window, emit ``renewed``."""
        s = self.state
        seq = sub.period_seq
        if (sub.pending_amount is not None and sub.pending_from_seq is not None
                and seq >= sub.pending_from_seq and sub.pending_amount <= CHARGE_CEILING
                and sub.pending_amount <= 2 * sub.last_agreed):
            sub.amount, sub.last_agreed = sub.pending_amount, sub.pending_amount
            sub.pending_amount = sub.pending_from_seq = None
        price = self._price_for(sub, seq)
        is_trial = seq == 1 and sub.trial_amount is not None
        start, end = sub.period_bounds(seq)
        charged_at = max(min(sub.next_charge_at or self.now(), self.now()), 0.0)
        player = s.player_for_write(sub.player_email)
        metadata = {**(sub.metadata or {}), "source": "subscription_renewal",
                    "subscription_id": sub.subscription_id}
        gid = s.config.game_id
        if sub.funding_rail == "card":
            order = self.purchases._new_order(player, price, "platform", metadata,
                                              "subscription_renewal")
            self.purchases._credit(order)
            mint_order_id: Optional[str] = order.order_id
            coins = Decimal(order.financial_summary["currency_amount"])
        else:
            coins = (sub.amount_coins or Decimal("0")) if not is_trial else Decimal("0")
            player.available[gid] = player.balance(gid) + coins
            mint_order_id = new_id("ord")
            s.balance_changed(player, gid, "subscription_renewal", mint_order_id)
        txn = new_id("txn")
        sub.periods[seq] = Period(seq, start, end, price, charged_at, txn, new_id("ord"),
                                  mint_order_id, sub.funding_rail, is_trial)
        sub.paid_through = end if sub.paid_through is None else max(sub.paid_through, end)
        sub.period_seq = seq + 1
        sub.next_charge_at = sub.period_bounds(sub.period_seq)[0]
        sub.attempts = 0
        sub.auth_challenges = 0
        sub.auth_deadline = sub.auth_token = None
        sub.status = "trialing" if is_trial else "active"
        sub.updated_at = self.now()
        self._count("renewed" if sub.funding_rail == "card" else "steam_charged")
        if first:
            sub.first_charge = {"status": "paid", "amount_usd": fmt(price),
                                "paid_through": iso(end), "paid_period_seq": seq}
        fee = self._fee(price)
        rate = s.config.currency_per_usd
        window_start, window_end = sub.period_bounds(sub.period_seq)
        data: dict[str, Any] = {
            "subscription_id": sub.subscription_id, "item_id": sub.item_id,
            "item_name": sub.item_name, "transaction_id": txn,
            "order_id": sub.periods[seq].order_id, "mint_order_id": mint_order_id,
            "player_email": sub.player_email, "identity_id": player.identity_id,
            "period_seq": seq, "amount_usd": fmt(price), "amount_coins": fmt(coins),
            "period_start": iso(start), "period_end": iso(end),
            "current_period_start": iso(window_start), "current_period_end": iso(window_end),
            "next_charge_at": _opt_iso(sub.next_charge_at),
            "funding": {"balance_applied_coins": "0.00",
                        "card_charged_usd": fmt(price) if sub.funding_rail == "card"
                        else "0.00",
                        "rail": sub.funding_rail,
                        "steam_charged_usd": fmt(price) if sub.funding_rail == "steam"
                        else "0.00",
                        "minted_coins": fmt(coins), "new_balance": fmt(player.balance(gid))},
            "split": {"total_usd": fmt(price),
                      "basis": "price" if sub.funding_rail == "card" else "steam_net",
                      "invo_fee_usd": fmt(fee), "partner_revenue_usd": fmt(price - fee),
                      "invo_fee_coins": fmt(fee * rate),
                      "partner_revenue_coins": fmt((price - fee) * rate),
                      "invo_fee_percent": f"{FEE_PERCENT}", "pass_through_fees_usd": "0.00",
                      "pass_through_status": "none", "international_card_fee_usd": "0.00"},
            "revenue_share_attribution": self._attribution(sub, price),
            "metadata": sub.metadata, "is_trial": is_trial,
        }
        if is_trial:
            data["trial_amount_usd"] = fmt(price)
        s.emit("subscription.renewed", data)

    @staticmethod
    def _fee(price: Decimal) -> Decimal:
        return (price * FEE_PERCENT / 100 + FEE_FIXED).quantize(CENT, rounding=ROUND_HALF_UP)

    def _attribution(self, sub: Sub, price: Decimal) -> Optional[dict[str, Any]]:
        share = self._revenue_share_out(sub)
        if share is None:
            return None
        try:
            percent = Decimal(str(share.get("percent")))
        except ArithmeticError:
            percent = Decimal("0")
        amount = fmt(price * percent / 100)
        return {"recipient_player_id": share["recipient_player_id"], "percent": str(percent),
                "base_usd": fmt(price), "attributed_amount_usd": amount,
                "original_attributed_amount_usd": amount,
                "refunded_attributed_amount_usd": "0.00",
                "net_attributed_amount_usd": amount, "settled_by_invo": False}

    def common(self, sub: Sub) -> dict[str, Any]:
        """The block every state event of a subscription carries."""
        player = self.state.find_player(sub.player_email)
        start, end = sub.period_bounds(sub.period_seq)
        return {
            "subscription_id": sub.subscription_id, "item_id": sub.item_id,
            "item_name": sub.item_name, "player_email": sub.player_email,
            "identity_id": player.identity_id if player else None, "status": sub.status,
            "amount_usd": fmt(sub.amount), "interval": sub.interval,
            "interval_count": sub.interval_count, "period_seq": sub.period_seq,
            "current_period_start": iso(start), "current_period_end": iso(end),
            "next_charge_at": _opt_iso(sub.next_charge_at),
            "cancel_at_period_end": sub.cancel_at_period_end,
            "funding_rail": sub.funding_rail,
            "steam_agreement_status": sub.steam_agreement_status, "metadata": sub.metadata,
        }

    def _trial_keys(self, sub: Sub) -> dict[str, Any]:
        if sub.period_seq == 1 and sub.trial_amount is not None:
            return {"is_trial": True, "trial_amount_usd": fmt(sub.trial_amount)}
        return {}

    def _failed(self, sub: Sub, outcome: str, *, first: bool = False,
                failure_code: Optional[str] = None, failure_message: Optional[str] = None,
                ) -> None:
        """A failed attempt: ``payment_failed``, ``past_due`` once, and the retry schedule;
        the fourth failure (or a refused paid trial) expires the row."""
        s = self.state
        now = self.now()
        trial_refused = sub.period_seq == 1 and sub.trial_amount is not None
        code_of = {"card_declined": "card_declined", "insufficient_funds": "card_declined",
                   "error": "processing_error", "settlement_error": "settlement_error"}
        public_outcome = outcome if outcome in ("card_declined", "insufficient_funds") else (
            "error" if outcome in ("error", "processing_error") else "card_declined")
        code = failure_code or code_of.get(outcome, outcome)
        message = failure_message or {
            "card_declined": "The card was declined",
            "insufficient_funds": "The card has insufficient funds",
            "no_payment_method": "No usable payment method on file",
            "wallet_only": "The subscription is wallet-only and is never charged",
            "settlement_error": "The charge went through but did not settle; the retry "
                                "settles it without charging again",
        }.get(outcome, "The charge could not be processed")
        self._count({"insufficient_funds": "insufficient"}.get(outcome, "declined"))
        sub.attempts += 1
        attempt = sub.attempts
        last = trial_refused or attempt >= MAX_ATTEMPTS
        retry_at = None if last else now + RETRY_SCHEDULE_DAYS[attempt - 1] * DAY
        remaining = 0 if last else MAX_ATTEMPTS - attempt
        grace = None if last else now + sum(RETRY_SCHEDULE_DAYS[attempt - 1:]) * DAY
        sub.last_failure_code, sub.last_failure_message = code, message
        entering = attempt == 1 and not last  # once per run of failures
        sub.status = "expired" if last else "past_due"
        sub.next_charge_at = retry_at
        sub.auth_deadline = sub.auth_token = None
        sub.updated_at = now
        if first:
            sub.first_charge = {"status": "failed", "amount_usd": fmt(self._price_for(
                sub, sub.period_seq)), "failure_code": code, "next_retry_at": _opt_iso(retry_at),
                "message": message}
        start, end = sub.period_bounds(sub.period_seq)
        trial = self._trial_keys(sub)
        due = fmt(self._price_for(sub, sub.period_seq))
        s.emit("subscription.payment_failed", {
            **self.common(sub), **trial, "attempt_no": attempt, "period_start": iso(start),
            "period_end": iso(end), "amount_due_usd": due, "outcome": public_outcome,
            "reason": message, "failure_code": code, "failure_message": message,
            "first_failure": attempt == 1, "retry_at": _opt_iso(retry_at),
            "retries_remaining": remaining, "grace_period_end": _opt_iso(grace),
            "access_retained": not last,
        })
        if entering:
            s.emit("subscription.past_due", {
                **self.common(sub), **trial, "amount_due_usd": due,
                "grace_period_end": _opt_iso(grace), "retry_at": _opt_iso(retry_at),
                "retries_remaining": remaining, "access_retained": True,
            })
        if last:
            self._expire(sub, code, message, attempt,
                         "trial_payment_failed" if trial_refused else None)

    def _expire(self, sub: Sub, code: Optional[str], message: Optional[str], attempts: int,
                cause: Optional[str]) -> None:
        now = self.now()
        start, end = sub.period_bounds(sub.period_seq)
        trial = self._trial_keys(sub)
        sub.status, sub.ended_at, sub.next_charge_at = "expired", now, None
        if sub.steam_agreement_status is not None:
            sub.steam_agreement_status = "canceled"
        sub.updated_at = now
        data = {**self.common(sub), **trial, "failed_period_start": iso(start),
                "failed_period_end": iso(end), "final_attempt_no": attempts,
                "attempts_used": attempts, "failure_code": code, "failure_message": message,
                "ended_at": iso(now), "final_period_end": _opt_iso(sub.paid_through),
                "access_retained": False}
        if cause:
            data["expire_cause"] = cause
        self.state.emit("subscription.expired", data)

    def _challenge(self, sub: Sub, *, first: bool, mint_link: bool,
                   message: Optional[str] = None) -> None:
        """The issuer wants the cardholder: ``awaiting_authentication`` until the deadline."""
        now = self.now()
        sub.auth_challenges += 1
        sub.status = "awaiting_authentication"
        sub.auth_deadline = sub.next_charge_at = now + AUTH_WINDOW
        sub.auth_token = secrets.token_urlsafe(16) if mint_link else None
        sub.updated_at = now
        self._count("auth_required")
        url = (f"{self.state.public_base()}/subscriptions/authenticate/{sub.auth_token}"
               if sub.auth_token else "")
        price = self._price_for(sub, sub.period_seq)
        if first:
            sub.first_charge = {"status": "requires_action", "amount_usd": fmt(price),
                                "confirmation_url": url or None,
                                "expires_at": iso(sub.auth_deadline)}
        start, end = sub.period_bounds(sub.period_seq)
        self.state.emit("subscription.authentication_required", {
            **self.common(sub), **self._trial_keys(sub), "attempt_no": sub.attempts + 1,
            "period_start": iso(start), "period_end": iso(end), "amount_due_usd": fmt(price),
            "card_amount_usd": fmt(price), "confirmation_url": url,
            "expires_at": iso(sub.auth_deadline),
            "reason": message or "The card issuer asked the cardholder to authenticate",
            "access_retained": True, "retry_consumed": False,
        })

    def authenticate(self, token_or_id: str) -> dict[str, Any]:
        """The member completed the issuer's challenge: the charge goes through."""
        with self.state.lock:
            sub = next((x for x in self.t.subs.values()
                        if x.status == "awaiting_authentication"
                        and token_or_id in (x.auth_token, x.subscription_id)), None)
            if sub is None:
                raise DomainError(404, "No authentication is waiting here",
                                  "AUTHENTICATION_NOT_FOUND")
            first = sub.first_charge.get("status") == "requires_action"
            self._paid(sub, first=first)
            return {"status": "authenticated", "subscription": self.render(sub)}

    # -- the clock --------------------------------------------------------------------------

    def _due_at(self, sub: Sub) -> Optional[float]:
        """When this row next needs the engine, else ``None``."""
        if not sub.live:
            return None
        if sub.status == "pending_steam_authorization":
            return sub.created_at + STEAM_AUTH_WINDOW
        if sub.cancel_at_period_end and sub.paid_through is not None:
            return sub.paid_through  # nothing is charged again, not even a pending retry
        return sub.next_charge_at

    def _run_due(self, sub: Sub) -> Optional[str]:
        """Do what is due for ``sub`` now; returns the action, or ``None``."""
        due = self._due_at(sub)
        if due is None or due > self.now():
            return None
        if sub.status == "pending_steam_authorization":
            sub.steam_agreement_status = "abandoned"
            self._expire(sub, "steam_authorization_abandoned",
                         "The member never authorised the Steam agreement", 0, None)
            return "expired"
        if sub.cancel_at_period_end and sub.paid_through is not None and due == sub.paid_through:
            self._retire(sub)
            return "retired-at-period-end"
        if sub.status == "awaiting_authentication":
            sub.status = "past_due" if sub.attempts else "active"
            self._failed(sub, "card_declined",
                         failure_message="The cardholder did not complete authentication")
            return "failed"
        return self._attempt(sub)

    def _retire(self, sub: Sub) -> None:
        sub.status, sub.ended_at = "canceled", sub.paid_through
        sub.next_charge_at = None
        sub.updated_at = self.now()

    def sweep(self) -> dict[str, int]:
        """Bill and retire every row that is due, oldest due first, until none is."""
        before = dict(self.stats)
        with self.state.lock:
            for _ in range(100000):
                due = [(self._due_at(x), x.subscription_id) for x in self.t.subs.values()]
                ready = sorted((at, sid) for at, sid in due if at is not None
                               and at <= self.now())
                if not ready:
                    break
                self._run_due(self.t.subs[ready[0][1]])
        return {k: v - before.get(k, 0) for k, v in self.stats.items() if v != before.get(k, 0)}

    def check_clock_key(self, given: str) -> None:
        if not given or not hmac.compare_digest(given.encode(), self.clock_key.encode()):
            raise DomainError(401, "Invalid or missing X-Sandbox-Clock-Key",
                              "SANDBOX_CLOCK_UNAUTHORIZED")

    def _window(self, sub: Sub) -> dict[str, Any]:
        start, end = sub.period_bounds(sub.period_seq)
        return {"status": sub.status, "period_seq": sub.period_seq,
                "current_period_start": iso(start), "current_period_end": iso(end),
                "next_charge_at": _opt_iso(sub.next_charge_at), "trial_end": _opt_iso(
                    sub.trial_end), "cancel_at_period_end": sub.cancel_at_period_end,
                "wallet_only": sub.wallet_only,
                "has_payment_method": self._card_for(sub) is not None,
                "amount_usd": fmt(sub.amount)}

    def _clock_answer(self, sub: Sub, action: str, before: dict[str, Any],
                      stats: dict[str, int], **extra: Any) -> dict[str, Any]:
        after = self._window(sub)
        return {"status": "ok", "action": action, "engine_stats": stats,
                "subscription": self.render(sub), "before": before, "after": after,
                "period_seq": sub.period_seq, "amount_usd": fmt(sub.amount),
                "amount_coins": fmt(sub.amount * self.state.config.currency_per_usd),
                "retired": action == "retired-at-period-end", **extra}

    def _move_clock_to(self, when: float) -> None:
        gap = when - self.now()
        if gap > 0:
            self.state.clock.advance(gap)

    def advance_clock(self, subscription_id: str, intervals: int) -> dict[str, Any]:
        """Move sandbox time to the row's next due instant ``intervals`` times (at least
        once), sweeping after each move: each step bills one period or fires one retry."""
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            before, seq_before = self._window(sub), sub.period_seq
            if not sub.live:
                raise DomainError(409, f"The subscription is {sub.status}",
                                  "SUBSCRIPTION_TERMINAL")
            start = dict(self.stats)
            action = "advance-clock"
            for _ in range(max(intervals, 1)):
                due = self._due_at(sub)
                if due is None:
                    break
                retiring = sub.cancel_at_period_end and due == sub.paid_through
                self._move_clock_to(due)
                self.sweep()
                if retiring:
                    action = "retired-at-period-end"
                    break
                if not sub.live:
                    break
            stats = {k: v - start.get(k, 0) for k, v in self.stats.items()
                     if v != start.get(k, 0)}
            return self._clock_answer(sub, action, before, stats, intervals=intervals,
                                      intervals_applied_to_window=sub.period_seq - seq_before,
                                      window_moved=sub.period_seq != seq_before)

    def force_renewal(self, subscription_id: str) -> dict[str, Any]:
        """Bill the window's period now on the test card, ahead of time (once)."""
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            before = self._window(sub)
            if not sub.live:
                raise DomainError(409, f"The subscription is {sub.status}",
                                  "SUBSCRIPTION_TERMINAL")
            if sub.cancel_at_period_end:
                self._retire(sub)
                return self._clock_answer(sub, "retired-at-period-end", before, {})
            if sub.paid_through is not None and sub.paid_through > add_months(
                    self.now(), sub.months):
                raise DomainError(409, "The next period is already paid ahead; advance the "
                                  "clock first", "PERIOD_TOO_FAR_AHEAD")
            start = dict(self.stats)
            sub.status = "active" if sub.status != "trialing" else sub.status
            self._paid(sub)
            self._count("sandbox_synthetic")
            stats = {k: v - start.get(k, 0) for k, v in self.stats.items()
                     if v != start.get(k, 0)}
            return self._clock_answer(sub, "force-renewal", before, stats)

    def force_failure(self, subscription_id: str, outcome: str,
                      failure_code: Optional[str], failure_message: Optional[str]
                      ) -> dict[str, Any]:
        """One synthetic failed attempt on the window's period, through the real dunning."""
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            before = self._window(sub)
            if not sub.live:
                raise DomainError(409, f"The subscription is {sub.status}",
                                  "SUBSCRIPTION_TERMINAL")
            start = dict(self.stats)
            self._failed(sub, outcome, failure_code=failure_code,
                         failure_message=failure_message)
            self._count("sandbox_synthetic")
            stats = {k: v - start.get(k, 0) for k, v in self.stats.items()
                     if v != start.get(k, 0)}
            return self._clock_answer(
                sub, "force-failure", before, stats, attempt_no=sub.attempts,
                retry_budget_used=sub.attempts,
                retries_remaining=max(MAX_ATTEMPTS - sub.attempts, 0),
                retry_schedule_days=list(RETRY_SCHEDULE_DAYS))

    def force_auth_challenge(self, subscription_id: str, message: Optional[str]
                             ) -> dict[str, Any]:
        """The issuer challenges the window's charge (no link is minted); the third
        challenge of a period is a decline instead."""
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            before = self._window(sub)
            if not sub.live:
                raise DomainError(409, f"The subscription is {sub.status}",
                                  "SUBSCRIPTION_TERMINAL")
            start = dict(self.stats)
            downgraded = sub.auth_challenges >= MAX_AUTH_CHALLENGES
            if downgraded:
                self._failed(sub, "card_declined", failure_message=message)
            else:
                self._challenge(sub, first=False, mint_link=False, message=message)
            stats = {k: v - start.get(k, 0) for k, v in self.stats.items()
                     if v != start.get(k, 0)}
            return self._clock_answer(sub, "force-auth-challenge", before, stats,
                                      auth_challenges_used=sub.auth_challenges,
                                      max_auth_challenges=MAX_AUTH_CHALLENGES,
                                      downgraded_to_decline=downgraded)

    # -- changes ----------------------------------------------------------------------------

    def _live(self, subscription_id: str) -> Sub:
        self.sweep()
        sub = self.find(subscription_id)
        if not sub.live:
            raise DomainError(409, f"The subscription is {sub.status}", "SUBSCRIPTION_TERMINAL",
                              subscription_status=sub.status)
        return sub

    def cancel(self, subscription_id: str, at_period_end: bool, reason: Optional[str],
               by: str = "partner") -> dict[str, Any]:
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            if not sub.live:
                return {"status": sub.status, "already_canceled": True,
                        "final_status": sub.status,
                        "cancel_at_period_end": sub.cancel_at_period_end,
                        "paid_through": _opt_iso(sub.paid_through),
                        "subscription": self.render(sub)}
            now = self.now()
            body: dict[str, Any] = {}
            if sub.cancel_at_period_end and at_period_end:
                return {"status": sub.status, "already_canceled": True,
                        "final_status": sub.status, "cancel_at_period_end": True,
                        "access_until": _opt_iso(sub.paid_through),
                        "effective_at": _opt_iso(sub.paid_through),
                        "subscription": self.render(sub)}
            # An earlier at-period-end request already sent this subscription's one
            # ``subscription.canceled`` (the catalogue: once per cancel request, either mode).
            announced = sub.cancel_at_period_end
            paid_ahead = sub.paid_through is not None and sub.paid_through > now
            if at_period_end and paid_ahead:
                sub.cancel_at_period_end = True
                sub.canceled_at = now
                effective = sub.paid_through
                body = {"status": sub.status, "cancel_at_period_end": True}
            else:
                terminated = at_period_end
                sub.status, sub.canceled_at, sub.ended_at = "canceled", now, now
                sub.next_charge_at = None
                effective = now
                body = {"status": "canceled", "cancel_at_period_end": False,
                        "terminated_immediately": terminated}
                if terminated:
                    body["downgrade_reason"] = "NO_PAID_PERIOD"
            access_until = sub.paid_through if paid_ahead else now
            if sub.funding_rail == "steam":
                sub.steam_agreement_status = "canceled"
                body["steam_agreement_canceled"] = True
            sub.updated_at = now
            if not announced:
                self._emit_canceled(sub, effective, access_until, reason, by)
            return {**body, "effective_at": _opt_iso(effective),
                    "access_until": _opt_iso(access_until),
                    "paid_through": _opt_iso(sub.paid_through),
                    "current_period_end": iso(sub.period_bounds(sub.period_seq)[1]),
                    "steam_agreement_status": sub.steam_agreement_status,
                    "already_canceled": False, "subscription": self.render(sub)}

    def _emit_canceled(self, sub: Sub, effective: Optional[float], access_until: Optional[float],
                       reason: Optional[str], by: str, cause: Optional[str] = None) -> None:
        data: dict[str, Any] = {
            **self.common(sub), "effective_at": _opt_iso(effective),
            "canceled_at": _opt_iso(sub.canceled_at), "ended_at": _opt_iso(sub.ended_at),
            "access_until": _opt_iso(access_until), "paid_through": _opt_iso(sub.paid_through),
            "reason": reason, "canceled_by": by,
        }
        if cause:
            data["cancel_cause"] = cause
        self.state.emit("subscription.canceled", data)

    def change_amount(self, subscription_id: str, amount: Decimal) -> dict[str, Any]:
        with self.state.lock:
            sub = self._live(subscription_id)
            old = sub.amount
            if sub.funding_rail == "steam" and amount > old:
                raise DomainError(409, "A higher Steam price needs a new authorisation",
                                  "STEAM_REAUTHORIZATION_REQUIRED",
                                  current_amount_usd=fmt(old), requested_amount_usd=fmt(amount))
            if amount == old:
                sub.pending_amount = sub.pending_from_seq = None
                queued = False
            else:
                sub.pending_amount = amount
                sub.pending_from_seq = sub.period_seq + 1 if sub.paid_through else None
                queued = True
            sub.updated_at = self.now()
            applies = sub.pending_from_seq
            return {
                "status": "queued" if queued else "unchanged",
                "old_amount_usd": fmt(old), "new_amount_usd": fmt(amount),
                "pending_amount_usd": None if sub.pending_amount is None
                else fmt(sub.pending_amount),
                "applies_from": iso(sub.period_bounds(applies)[0]) if applies else None,
                "applies_from_period_seq": applies,
                "paid_through": _opt_iso(sub.paid_through),
                "current_period_end": iso(sub.period_bounds(sub.period_seq)[1]),
                "change_queued": queued, "prorated": False, "subscription": self.render(sub),
            }

    def set_payment_method(self, subscription_id: str, card_id: Optional[int],
                           wallet_only: Optional[bool]) -> dict[str, Any]:
        with self.state.lock:
            sub = self._live(subscription_id)
            if sub.funding_rail != "card":
                raise DomainError(409, "Only card subscriptions take a payment method",
                                  "NOT_A_CARD_SUBSCRIPTION")
            card: Optional[Card] = None
            if card_id is not None:
                card = self.t.cards.get(card_id)
                if card is None or card.player_email != sub.player_email:
                    raise DomainError(404, "Saved card not found", "PAYMENT_METHOD_NOT_FOUND")
            elif wallet_only is False and not self.cards_of(sub.player_email):
                raise DomainError(400, "The member has no saved card",
                                  "PAYMENT_METHOD_REQUIRED")
            replaced = card is not None and card.id != sub.card_id
            if card is not None:
                sub.card_id = card.id
            if wallet_only is not None:  # a card counts on a wallet-only row only with False
                sub.wallet_only = wallet_only
            sub.updated_at = self.now()
            shown = self._card_for(sub)
            return {"status": "updated", "replaced": replaced, "wallet_only": sub.wallet_only,
                    "card": shown.answer() if shown else None, "subscription": self.render(sub)}

    # -- refunds ----------------------------------------------------------------------------

    def _day(self) -> str:
        return datetime.fromtimestamp(self.now(), tz=timezone.utc).strftime("%Y-%m-%d")

    def refund(self, subscription_id: str, key: str, period_seq: Optional[int],
               amount: Optional[Decimal], reason: Optional[str]) -> tuple[int, dict[str, Any]]:
        t = self.t
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            stored = t.receipts.get((subscription_id, key))
            if stored is not None:
                replay = {k: v for k, v in stored.items()
                          if k not in ("new_balance", "revenue_share_attribution")}
                return 200, {**replay, "idempotent_replay": True}
            request_id = t.request_keys.get((subscription_id, key))
            if request_id is not None:
                request = t.requests[request_id]
                if request.status == "rejected":
                    raise DomainError(409, "This refund request was rejected",
                                      "REFUND_REQUEST_REJECTED", request_id=request_id,
                                      decision_reason=request.decision_reason)
                return 202, self._pending_answer(request)
            if not sub.periods:
                raise DomainError(409, "Nothing was paid on this subscription",
                                  "NO_PAID_PERIOD")
            seq = period_seq if period_seq is not None else max(sub.periods)
            period = sub.periods.get(seq)
            if period is None:
                raise DomainError(409, f"Period {seq} was not paid", "PERIOD_NOT_REFUNDABLE")
            if period.rail == "steam":
                raise DomainError(409, "Steam-charged periods are refunded through Steam",
                                  "STEAM_REFUND_NOT_SUPPORTED")
            for other in t.requests.values():
                if (other.subscription_id == subscription_id and other.period_seq == seq
                        and other.status == "pending"):
                    raise DomainError(409, "A refund request for this period is pending",
                                      "REFUND_REQUEST_PENDING", request_id=other.request_id)
            closes = period.charged_at + REFUND_WINDOW_DAYS * DAY
            if self.now() > closes:
                raise DomainError(409, "The refund window has closed", "REFUND_WINDOW_CLOSED",
                                  period_charged_at=iso(period.charged_at),
                                  refund_window_days=REFUND_WINDOW_DAYS,
                                  window_closed_at=iso(closes))
            remaining = period.amount - period.refunded
            if remaining <= 0:
                raise DomainError(409, "This period is already refunded", "ALREADY_REFUNDED")
            wanted = remaining if amount is None else amount
            if wanted > remaining:
                raise DomainError(400, "The amount exceeds what remains refundable",
                                  "AMOUNT_EXCEEDS_REMAINING",
                                  remaining_refundable_usd=fmt(remaining))
            today = t.refunded_on.get(self._day(), Decimal("0"))
            if today + wanted > t.daily_cap:
                request = RefundRequest(f"SRR{random_digits(10)}", subscription_id, key, seq,
                                        wanted, reason, self.now(), t.daily_cap, today)
                t.requests[request.request_id] = request
                t.request_keys[(subscription_id, key)] = request.request_id
                self.state.emit("subscription.refund_requested", self._request_event(request))
                return 202, self._pending_answer(request)
            receipt = self._run_refund(sub, period, wanted, key, reason, "self_serve", None)
            return 200, receipt

    def _pending_answer(self, request: RefundRequest) -> dict[str, Any]:
        return {"status": "pending_approval", "request_id": request.request_id,
                "refund_request_id": request.request_id, "request_status": request.status,
                "client_request_id": request.client_request_id,
                "subscription_id": request.subscription_id, "period_seq": request.period_seq,
                "requested_amount_usd": fmt(request.amount),
                "requested_at": iso(request.requested_at),
                "daily_cap_usd": fmt(request.daily_cap),
                "executed_today_usd": fmt(request.executed_today),
                "message": "Over the daily self-serve refund cap: INVO will review it"}

    def _request_event(self, request: RefundRequest) -> dict[str, Any]:
        sub = self.t.subs[request.subscription_id]
        player = self.state.find_player(sub.player_email)
        data: dict[str, Any] = {
            "request_id": request.request_id, "status": request.status,
            "subscription_id": sub.subscription_id, "item_id": sub.item_id,
            "client_request_id": request.client_request_id, "period_seq": request.period_seq,
            "amount_usd": fmt(request.amount), "reason": request.reason,
            "requested_at": iso(request.requested_at),
            "daily_cap_usd": fmt(request.daily_cap),
            "executed_today_usd": fmt(request.executed_today),
            "player_email": sub.player_email,
            "identity_id": player.identity_id if player else None, "metadata": sub.metadata,
        }
        if request.decided_at is not None:
            data["decided_at"] = iso(request.decided_at)
        if request.status == "approved":
            data["transaction_id"] = request.transaction_id
        if request.status == "rejected":
            data["decision_reason"] = request.decision_reason
        return data

    def decide_refund_request(self, request_id: str, approve: bool,
                              reason: Optional[str] = None) -> dict[str, Any]:
        """INVO's decision on a refund request (the test-side helper)."""
        t = self.t
        with self.state.lock:
            request = t.requests.get(request_id)
            if request is None:
                raise DomainError(404, "Refund request not found", "REFUND_REQUEST_NOT_FOUND")
            if request.status != "pending":
                raise DomainError(409, f"The request is already {request.status}",
                                  "REFUND_REQUEST_DECIDED")
            request.decided_at = self.now()
            if not approve:
                request.status, request.decision_reason = "rejected", reason
                self.state.emit("subscription.refund_rejected", self._request_event(request))
                return self._pending_answer(request)
            sub = t.subs[request.subscription_id]
            period = sub.periods[request.period_seq]
            wanted = min(request.amount, period.amount - period.refunded)
            request.status = "approved"
            receipt = self._run_refund(sub, period, wanted, request.client_request_id,
                                       request.reason, "approved_request", request)
            request.transaction_id = receipt["transaction_id"]
            self.state.emit("subscription.refund_approved", self._request_event(request))
            return receipt

    def _run_refund(self, sub: Sub, period: Period, amount: Decimal, key: str,
                    reason: Optional[str], initiation: str,
                    request: Optional[RefundRequest]) -> dict[str, Any]:
        s, t = self.state, self.t
        now = self.now()
        warnings = []
        if not reason:
            warnings.append({"code": "REASON_RECOMMENDED",
                             "message": "Give a reason: INVO shows it to the member"})
        elif len(reason) > 500:
            reason = reason[:500]
            warnings.append({"code": "REASON_TRUNCATED", "message": "reason was cut to 500"})
        period.refunded += amount
        full = period.refunded >= period.amount
        t.refunded_on[self._day()] = t.refunded_on.get(self._day(), Decimal("0")) + amount
        fee = self._fee(period.amount)
        share = amount / period.amount
        fee_part = (fee * share).quantize(CENT, rounding=ROUND_DOWN)
        revenue_part = amount - fee_part
        player = s.player_for_write(sub.player_email)
        gid = s.config.game_id
        txn = new_id("txn")
        was_live = sub.live
        canceled = False
        if full:
            earlier = [p.end for q, p in sub.periods.items()
                       if q != period.seq and p.refunded < p.amount]
            sub.paid_through = max(earlier) if earlier else None
            if was_live:
                sub.status, sub.canceled_at, sub.ended_at = "canceled", now, now
                sub.next_charge_at = None
                canceled = True
        sub.updated_at = now
        refund_block = {
            "funding_shape": "card", "balance_delta_coins": "0.00",
            "card_refunded_usd": fmt(amount), "processor_refund_adopted": False,
            "new_balance": fmt(player.balance(gid)), "invo_fee_retained": True,
            "partner_revenue_reversed_usd": fmt(revenue_part),
            "partner_revenue_reversal_mode": "full" if full and period.refunded == amount
            else "prorata",
            "processing_fee_usd": "0.00", "processing_fee_basis": "none",
            "processing_fee_borne_by": "partner", "partner_total_reversed_usd": fmt(amount),
            "card_fee_charged_to_partner_usd": fmt(fee_part), "partner_debited_usd": fmt(amount),
        }
        attribution = self._attribution(sub, amount)
        receipt: dict[str, Any] = {
            "status": "refunded", "refund_key": key, "client_request_id": key,
            "subscription_id": sub.subscription_id, "transaction_id": txn,
            "period_seq": period.seq, "refunded_amount_usd": fmt(amount),
            "total_refunded_amount_usd": fmt(period.refunded),
            "remaining_refundable_usd": fmt(period.amount - period.refunded),
            "is_full_refund": full, "reason": reason, "refunded_at": iso(now),
            "subscription_status": sub.status, "initiation": initiation,
            "refund_request_id": request.request_id if request else None,
            "subscription_canceled": canceled, "processing_fee_transaction_id": None,
            "processor_refund_reference": f"re_{secrets.token_hex(8)}",
            "revenue_share_attribution": attribution, "warnings": warnings,
            "idempotent_replay": False, **refund_block,
        }
        t.receipts[(sub.subscription_id, key)] = dict(receipt)
        s.emit("subscription.refunded", {
            "subscription_id": sub.subscription_id, "item_id": sub.item_id,
            "transaction_id": txn, "client_request_id": key, "player_email": sub.player_email,
            "period_status": "refunded" if full else "partially_refunded",
            "identity_id": player.identity_id, "reason": reason, "period_seq": period.seq,
            "amount_usd": fmt(amount), "total_refunded_amount_usd": fmt(period.refunded),
            "period_amount_usd": fmt(period.amount), "is_full_refund": full,
            "refund": refund_block, "revenue_share_attribution": attribution,
            "metadata": sub.metadata, "initiation": initiation,
            "refund_request_id": request.request_id if request else None,
            "subscription_canceled": canceled,
        })
        if canceled:
            self._emit_canceled(sub, now, now, reason, "partner", "full_refund")
        return receipt

    # -- Steam ------------------------------------------------------------------------------

    def steam_init(self, req: SteamRequest) -> tuple[int, dict[str, Any]]:
        s, t = self.state, self.t
        with s.lock:
            self.sweep()
            self._check_game_live()
            self._reserved_key(req.client_request_id)
            email = req.player_email.strip().lower()
            terms = (email, req.item_id, req.amount, req.interval, req.interval_count,
                     req.steam_id)
            known = t.steam_keys.get(req.client_request_id)
            if known is not None:
                return 200, self._steam_answer(t.subs[known], replay=True)
            for other in t.subs.values():
                if other.player_email != email or other.item_id != req.item_id:
                    continue
                if other.status == "pending_steam_authorization":
                    if other.steam_fingerprint == terms:
                        t.steam_keys[req.client_request_id] = other.subscription_id
                        return 200, self._steam_answer(other, reuse=True)
                    raise DomainError(409, "A Steam authorisation is pending for this item",
                                      "STEAM_AUTHORIZATION_PENDING",
                                      subscription_id=other.subscription_id)
                if other.live:
                    raise DomainError(409, "The player already has a live subscription to "
                                      "this item", "ACTIVE_SUBSCRIPTION_EXISTS",
                                      subscription_id=other.subscription_id)
            player = s.player_for_write(email, req.player_name)
            s.attach_phone(player, req.player_phone)
            now = self.now()
            coins = (req.amount * Decimal("0.7") * s.config.currency_per_usd).quantize(
                Decimal("1"), rounding=ROUND_DOWN)
            sub = Sub(
                subscription_id=new_id("sub"), client_request_id=req.client_request_id,
                player_email=email, player_name=req.player_name, item_id=req.item_id,
                item_name=req.item_name, amount=req.amount, interval=req.interval,
                interval_count=req.interval_count, funding_rail="steam", created_at=now,
                anchor=now, status="pending_steam_authorization",
                metadata=req.metadata, consent=dict(req.consent or {}),
                revenue_share=req.revenue_share, last_agreed=req.amount, updated_at=now,
                steam_id=req.steam_id, steam_order_id=str(secrets.randbits(63)),
                steam_order_ref=new_id("ord"), steam_agreement_status="pending_authorization",
                user_session=req.user_session, amount_coins=coins, steam_fingerprint=terms,
            )
            sub.first_charge = {"status": "pending_authorization", "amount_usd": fmt(req.amount)}
            t.subs[sub.subscription_id] = sub
            t.steam_keys[req.client_request_id] = sub.subscription_id
            return 201, self._steam_answer(sub)

    def _steam_answer(self, sub: Sub, *, replay: bool = False, reuse: bool = False
                      ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "status": "pending_authorization" if sub.status == "pending_steam_authorization"
            else sub.status,
            "steam_order_id": sub.steam_order_id, "order_id": sub.steam_order_ref,
            "subscription_id": sub.subscription_id, "subscription_status": sub.status,
            "subscription": self.render(sub), "amount_usd": fmt(sub.amount),
            "amount_coins": fmt(sub.amount_coins or Decimal("0")),
            "steam_charge_usd": fmt(sub.amount), "recurring_amount_usd": fmt(sub.amount),
            "pending_reuse": reuse, "idempotent_replay": replay,
            "first_charge": dict(sub.first_charge),
            "message": "Ask the member to approve the agreement in Steam",
        }
        if sub.user_session == "web":
            body["steam_checkout_url"] = (f"{self.state.public_base()}/steam/checkout/"
                                          f"{sub.steam_order_id}")
        return body

    def steam_finalize(self, subscription_id: str) -> dict[str, Any]:
        with self.state.lock:
            self.sweep()
            sub = self.find(subscription_id)
            if sub.funding_rail != "steam":
                raise DomainError(409, "Not a Steam subscription", "NOT_A_STEAM_SUBSCRIPTION")
            if sub.status != "pending_steam_authorization":
                if not sub.live:
                    raise DomainError(409, f"The subscription is {sub.status}",
                                      "SUBSCRIPTION_TERMINAL", subscription_status=sub.status)
                return {"status": sub.status, "already_processed": True,
                        "subscription": self.render(sub), "first_charge": dict(sub.first_charge),
                        "steam_agreement_status": sub.steam_agreement_status}
            sub.steam_agreement_status = "active"
            sub.anchor = self.now()
            sub.next_charge_at = sub.anchor
            self._paid(sub, first=True)
            return {"status": sub.status, "subscription": self.render(sub),
                    "first_charge": dict(sub.first_charge), "already_processed": False,
                    "sandbox_auto_approved": True,
                    "steam_agreement_status": sub.steam_agreement_status}

    def steam_cancel(self, subscription_id: str) -> None:
        """The member canceled the agreement in Steam (the test-side helper)."""
        with self.state.lock:
            sub = self._live(subscription_id)
            now = self.now()
            access = sub.paid_through if sub.paid_through and sub.paid_through > now else now
            sub.status, sub.canceled_at, sub.ended_at = "canceled", now, now
            sub.next_charge_at, sub.steam_agreement_status = None, "canceled"
            self._emit_canceled(sub, now, access, None, "steam")
