"""Plain data of the sandbox world: games, players, orders, sends/transfers, approvals.

Everything here is mutated only by the services (``_svc_*.py``) while they hold the one
lock of :class:`~invonetwork.sandbox._state.State`. Values are kept as
:class:`~decimal.Decimal` and rendered as 2-place decimal strings on the wire.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Optional

from ..webhooks._events import OPT_IN_EVENT_TYPES

__all__ = [
    "CheckoutSession",
    "Clock",
    "DomainError",
    "Game",
    "Movement",
    "Order",
    "PhoneShareApproval",
    "Player",
    "WebhookSubscription",
    "fmt",
    "iso",
    "parse_money",
]

CENT = Decimal("0.01")
_MONEY_RE = re.compile(r"^\d+(\.\d{1,2})?$")
E164_RE = re.compile(r"^\+[1-9]\d{1,14}$")


class DomainError(Exception):
    """A rule refused the request: the HTTP ``status`` and JSON ``body`` it answers with
    (``error``, ``code``, extras). Raised by services; the HTTP layer serialises it."""

    def __init__(self, status: int, error: str, code: Optional[str] = None, **extra: Any) -> None:
        super().__init__(error)
        self.status = status
        self.body: dict[str, Any] = {"error": error}
        if code is not None:
            self.body["code"] = code
        self.body.update(extra)


def bad_request(message: str, field_name: Optional[str] = None) -> DomainError:
    """A 400 ``VALIDATION_ERROR`` naming the offending field."""
    if field_name is None:
        return DomainError(400, message, "VALIDATION_ERROR")
    return DomainError(400, message, "VALIDATION_ERROR", field=field_name)


class Clock:
    """Wall-clock time plus an offset the tests can move forward."""

    def __init__(self) -> None:
        self._offset = 0.0
        self._lock = threading.Lock()

    def now(self) -> float:
        """Sandbox time, in Unix seconds."""
        with self._lock:
            return time.time() + self._offset

    def advance(self, seconds: float) -> float:
        """Move sandbox time forward; returns the new offset."""
        if seconds < 0:
            raise ValueError("time only moves forward: seconds must be >= 0")
        with self._lock:
            self._offset += float(seconds)
            return self._offset

    @property
    def offset(self) -> float:
        """How far sandbox time is ahead of the wall clock, in seconds."""
        with self._lock:
            return self._offset

    def reset(self) -> None:
        """Back to the wall clock."""
        with self._lock:
            self._offset = 0.0


def iso(ts: float) -> str:
    """ISO 8601 UTC with a ``Z``: ``2026-01-02T03:04:05Z``."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def fmt(value: Decimal) -> str:
    """A 2-place decimal string: ``Decimal("5")`` -> ``"5.00"``."""
    return f"{value.quantize(CENT, rounding=ROUND_HALF_UP):f}"


def to_decimal(value: Any, field_name: str) -> Decimal:
    """Seed values: numbers or numeric strings, >= 0."""
    if isinstance(value, bool):
        raise ValueError(f"{field_name} must be a number, not a bool")
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{field_name} must be a decimal number, got {value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{field_name} must be a finite number >= 0, got {value!r}")
    return number


def parse_money(value: Any, field_name: str, maximum: Decimal) -> Decimal:
    """A positive amount with at most 2 decimal places, at most ``maximum``; else a 400."""
    if isinstance(value, bool) or value is None:
        raise bad_request(f"{field_name} must be a positive decimal amount", field_name)
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        text = repr(value)
    elif isinstance(value, str):
        text = value
    else:
        raise bad_request(f"{field_name} must be a positive decimal amount", field_name)
    if not _MONEY_RE.match(text):
        raise bad_request(
            f"{field_name} must be a plain decimal with at most 2 places", field_name
        )
    number = Decimal(text)
    if number <= 0 or number > maximum:
        raise bad_request(f"{field_name} must be > 0 and <= {maximum}", field_name)
    return number


@dataclass
class Game:
    """A game on the sandbox network; its currency shares its id (``currency_id == game_id``)."""

    game_id: int
    name: str
    currency_name: str
    currency_symbol: str
    developer_name: str = "Sandbox Studio"
    publisher_name: str = "Sandbox Publishing"
    genre: str = "Adventure"
    platform: str = "web"
    tenant_type: str = "game"
    game_status: str = "live"
    description: str = ""
    minimum_transfer: Decimal = Decimal("1")
    maximum_transfer: Decimal = Decimal("10000")
    linked_game_ids: Optional[list[int]] = None

    @property
    def currency_id(self) -> int:
        """The id of the game's currency."""
        return self.game_id

    def icon(self, base: str) -> str:
        """A placeholder asset URL."""
        return f"{base}/assets/games/{self.game_id}/icon.png"

    def destination(self, base: str) -> dict[str, Any]:
        """The ``available_games`` row for this game."""
        return {
            "game_id": self.game_id,
            "game_name": self.name,
            "tenant_type": self.tenant_type,
            "developer_name": self.developer_name,
            "publisher_name": self.publisher_name,
            "genre": self.genre,
            "platform": self.platform,
            "game_status": self.game_status,
            "game_icon": self.icon(base),
            "game_poster": f"{base}/assets/games/{self.game_id}/poster.png",
            "game_url": f"{base}/games/{self.game_id}",
            "game_description": self.description or f"{self.name} (sandbox game)",
            "currency_name": self.currency_name,
            "currency_symbol": self.currency_symbol,
            "currency_symbol_url": f"{base}/assets/games/{self.game_id}/currency.png",
            "minimum_transfer": fmt(self.minimum_transfer),
            "maximum_transfer": fmt(self.maximum_transfer),
        }


@dataclass
class Player:
    """A player identity: email (the key), optional phone, per-game balances."""

    player_id: int
    email: str
    name: str
    identity_id: str
    wallet_user_id: str
    created_at: float
    phone: Optional[str] = None
    passkey_enrolled: bool = False
    is_minor: bool = False
    linked_emails: list[str] = field(default_factory=list)
    available: dict[int, Decimal] = field(default_factory=dict)
    reserved: dict[int, Decimal] = field(default_factory=dict)
    last_transaction: dict[int, str] = field(default_factory=dict)

    def balance(self, game_id: int) -> Decimal:
        """Available balance in the game's currency."""
        return self.available.get(game_id, Decimal("0"))

    def summary(self) -> dict[str, Any]:
        """The ``player`` object of balance answers."""
        return {
            "player_id": self.player_id,
            "player_email": self.email,
            "player_name": self.name,
            "player_phone": self.phone,
            "identity_id": self.identity_id,
            "is_minor": self.is_minor,
            "created_at": iso(self.created_at),
        }


@dataclass
class CheckoutSession:
    """A hosted-checkout session: single use, ``expires_at`` 15 minutes after creation."""

    session_id: str
    player_email: str
    usd_amount: Decimal
    rail: str
    created_at: float
    expires_at: float
    success_url: Optional[str] = None
    cancel_url: Optional[str] = None
    metadata: Any = None
    state: str = "open"  # open | paid | cancelled
    order_id: Optional[str] = None
    transaction_id: Optional[str] = None
    result: Optional[dict[str, Any]] = None


@dataclass
class Order:
    """A currency purchase or an item purchase, with its status timeline."""

    kind: str  # currency_purchase | item_purchase
    order_id: str
    transaction_id: str
    player_email: str
    status: str
    created_at: float
    details: dict[str, Any] = field(default_factory=dict)
    financial_summary: dict[str, Any] = field(default_factory=dict)
    timeline: list[dict[str, Any]] = field(default_factory=list)
    client_request_id: Optional[str] = None
    payment_intent_id: Optional[str] = None

    def mark(self, status: str, at: float, note: str = "") -> None:
        """Move to ``status`` and record it on the timeline."""
        self.status = status
        entry: dict[str, Any] = {"status": status, "at": iso(at)}
        if note:
            entry["note"] = note
        self.timeline.append(entry)

    def answer(self) -> dict[str, Any]:
        """The order-details body."""
        order = {
            "order_id": self.order_id,
            "transaction_id": self.transaction_id,
            "type": self.kind,
            "status": self.status,
            "player_email": self.player_email,
            "created_at": iso(self.created_at),
            **self.details,
        }
        if self.client_request_id is not None:
            order["client_request_id"] = self.client_request_id
        return {
            "success": True,
            "order": order,
            "financial_summary": dict(self.financial_summary),
            "status_timeline": [dict(entry) for entry in self.timeline],
        }


@dataclass
class Movement:
    """A send or a transfer from one player to another, through its states.

    ``state``: ``awaiting_verification`` -> ``claim_pending`` -> ``completed``; or
    ``pending_guardian_approval`` first for a minor; or ``failed`` / ``expired``.
    """

    kind: str  # "send" | "transfer"
    transaction_id: str
    client_request_id: str
    sender_email: str
    sender_name: str
    sender_phone: str
    receiver_email: str
    receiver_phone: str
    source_game_id: int
    target_game_id: int
    amount: Decimal
    net_amount: Decimal
    amount_wire: Any
    created_at: float
    expires_at: float
    state: str = "awaiting_verification"
    verification_method: Optional[str] = None
    sms_pin: Optional[str] = None
    sms_attempts_left: int = 5
    sms_blocked_until: float = 0.0
    claim_code: Optional[str] = None
    claim_code_expires_at: Optional[float] = None
    order_id: Optional[str] = None
    guardian_approval_id: Optional[str] = None
    guardian_state: Optional[str] = None
    guardian_expires_at: Optional[float] = None
    guardian_decided_at: Optional[float] = None
    guardian_decision_source: Optional[str] = None
    receiver_identity_id: Optional[str] = None
    receiver_player_id: Optional[int] = None

    def verification_state(self) -> str:
        """The ``verification_state`` the status endpoint reports."""
        return {
            "awaiting_verification": "awaiting",
            "pending_guardian_approval": "awaiting",
            "claim_pending": "approved",
            "completed": "completed",
            "expired": "expired",
            "failed": "failed",
        }.get(self.state, "unknown")


@dataclass
class PhoneShareApproval:
    """Consent from a phone's owner to let another account use the phone."""

    approval_id: str
    phone: str
    email: str
    otp: str
    created_at: float
    expires_at: float
    attempts_left: int = 5
    blocked_until: float = 0.0
    approved: bool = False
    approved_at: Optional[float] = None


@dataclass
class WebhookSubscription:
    """The registered receiver: URL, event filter, signing secrets (newest first)."""

    game_id: int
    target_url: str
    subscribed_events: list[str]
    created_at: float
    updated_at: float
    compression: Optional[str] = None

    def wants(self, event_type: str) -> bool:
        """True when the subscription covers ``event_type``. An opt-in type
        (``payee.status_changed``, ``platform_commerce.declined``) must be named: ``*``
        does not cover it."""
        if event_type in self.subscribed_events:
            return True
        return "*" in self.subscribed_events and event_type not in OPT_IN_EVENT_TYPES
