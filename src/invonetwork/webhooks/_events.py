"""Typed webhook events: the envelope every delivery shares and the payloads worth typing.

The envelope (:class:`WebhookEvent`) is lenient: a string field that is missing or not a
string reads as ``""`` and ``data`` that is not an object reads as ``{}``, because unknown
future event types and fields must never break a receiver. The typed payloads
(:meth:`WebhookEvent.purchase_completed`, :meth:`WebhookEvent.item_purchased`) are strict
about money: an amount that is missing or is not a plain decimal raises
``WEBHOOK_MALFORMED`` instead of inventing a zero.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Optional

from ._common import EVENT_TYPE_MISMATCH, MALFORMED, type_name, webhook_error

__all__ = ["EventType", "ItemPurchasedData", "PurchaseCompletedData", "WebhookEvent"]

# A plain decimal: optional minus sign, ASCII digits, optional fraction. No exponent, no
# whitespace, no underscores (all of which ``Decimal()`` would otherwise accept).
_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_DECIMAL_CHARS = 64
_STRING_FIELDS = ("event_id", "idempotency_key", "schema_version", "created_at", "tenant_id")


class EventType(str, Enum):
    """The event types INVO sends. ``WebhookEvent.event_type`` stays a plain ``str``.

    Being a ``str`` enum, a member compares equal to its wire value
    (``EventType.PURCHASE_COMPLETED == "purchase.completed"``). Types INVO adds later still
    parse; :attr:`WebhookEvent.type` is ``None`` for them.
    """

    PURCHASE_COMPLETED = "purchase.completed"
    PURCHASE_FAILED = "purchase.failed"
    PURCHASE_REFUNDED = "purchase.refunded"
    PURCHASE_DISPUTED = "purchase.disputed"
    PURCHASE_DISPUTE_LOST = "purchase.dispute_lost"
    PURCHASE_FRAUD_WARNING = "purchase.fraud_warning"
    TRANSFER_SENT = "transfer.sent"
    TRANSFER_RECEIVED = "transfer.received"
    TRANSFER_CLAIM_PENDING = "transfer.claim_pending"
    TRANSFER_CLAIM_EXPIRED = "transfer.claim_expired"
    TRANSFER_REFUNDED = "transfer.refunded"
    ITEM_PURCHASED = "item.purchased"
    PAYOUT_STATUS_CHANGED = "payout.status_changed"
    BALANCE_UPDATED = "balance.updated"
    WEBHOOK_TEST = "webhook.test"

    def __str__(self) -> str:
        return str(self.value)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _money(data: dict[str, Any], event_type: str, name: str) -> Decimal:
    """Read a money field as a ``Decimal``; raise ``WEBHOOK_MALFORMED`` when it is unusable.

    Accepted: a decimal string (``"12.50"``, ``"-3"``), an ``int``, or a finite ``float``
    (read through its shortest repr). Not accepted: missing, ``null``, booleans, exponents,
    whitespace, NaN or infinities.
    """
    value = data.get(name)
    text: Optional[str] = None
    if isinstance(value, str):
        text = value
    elif isinstance(value, int) and not isinstance(value, bool):
        text = str(value) if -(10**40) < value < 10**40 else None
    elif isinstance(value, float):
        text = repr(value)
    if text is not None and len(text) <= _MAX_DECIMAL_CHARS:
        if _DECIMAL_RE.fullmatch(text):
            return Decimal(text)
        if isinstance(value, float):
            number = Decimal(text)  # the repr of a float always parses ("1e+22", "nan")
            if number.is_finite():
                return number
    if name not in data:
        problem = "is missing"
    elif value is None:
        problem = "is null"
    else:
        problem = f"is not a decimal amount (got {type_name(value)})"
    raise webhook_error(MALFORMED, f"{event_type} data.{name} {problem}")


def _quantity(data: dict[str, Any], event_type: str, name: str) -> int:
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    problem = "is missing" if name not in data else f"is not an integer (got {type_name(value)})"
    raise webhook_error(MALFORMED, f"{event_type} data.{name} {problem}")


@dataclass(frozen=True)
class PurchaseCompletedData:
    """The ``data`` of a ``purchase.completed`` event.

    Money fields (``usd_amount``, ``currency_amount``, ``new_balance``) are ``Decimal``; when
    one is missing or garbled, :meth:`WebhookEvent.purchase_completed` raises
    ``WEBHOOK_MALFORMED``. String fields read as ``""`` when missing, ``metadata`` as ``{}``.
    ``raw`` is the whole ``data`` object as received.
    """

    transaction_id: str
    order_id: str
    player_email: str
    identity_id: str
    usd_amount: Decimal
    currency_amount: Decimal
    currency_name: str
    new_balance: Decimal
    rail: str
    metadata: dict[str, Any] = field(hash=False)
    raw: dict[str, Any] = field(hash=False, repr=False)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> PurchaseCompletedData:
        """Build from an event's ``data`` object; raise ``WEBHOOK_MALFORMED`` on bad money."""
        kind = EventType.PURCHASE_COMPLETED.value
        return cls(
            transaction_id=_text(data.get("transaction_id")),
            order_id=_text(data.get("order_id")),
            player_email=_text(data.get("player_email")),
            identity_id=_text(data.get("identity_id")),
            usd_amount=_money(data, kind, "usd_amount"),
            currency_amount=_money(data, kind, "currency_amount"),
            currency_name=_text(data.get("currency_name")),
            new_balance=_money(data, kind, "new_balance"),
            rail=_text(data.get("rail")),
            metadata=_object(data.get("metadata")),
            raw=data,
        )


@dataclass(frozen=True)
class ItemPurchasedData:
    """The ``data`` of an ``item.purchased`` event.

    Money fields (``unit_price``, ``total_price``, ``new_balance``) are ``Decimal`` and
    ``item_quantity`` an ``int`` (a digit string is accepted); when one is missing or garbled,
    :meth:`WebhookEvent.item_purchased` raises ``WEBHOOK_MALFORMED``. String fields read as
    ``""`` when missing, ``fee_breakdown`` as ``{}``. ``raw`` is the whole ``data`` object.
    """

    transaction_id: str
    order_id: str
    player_email: str
    identity_id: str
    item_id: str
    item_name: str
    item_quantity: int
    unit_price: Decimal
    total_price: Decimal
    currency_name: str
    new_balance: Decimal
    fee_breakdown: dict[str, Any] = field(hash=False)
    raw: dict[str, Any] = field(hash=False, repr=False)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> ItemPurchasedData:
        """Build from an event's ``data`` object; raise ``WEBHOOK_MALFORMED`` on bad numbers."""
        kind = EventType.ITEM_PURCHASED.value
        return cls(
            transaction_id=_text(data.get("transaction_id")),
            order_id=_text(data.get("order_id")),
            player_email=_text(data.get("player_email")),
            identity_id=_text(data.get("identity_id")),
            item_id=_text(data.get("item_id")),
            item_name=_text(data.get("item_name")),
            item_quantity=_quantity(data, kind, "item_quantity"),
            unit_price=_money(data, kind, "unit_price"),
            total_price=_money(data, kind, "total_price"),
            currency_name=_text(data.get("currency_name")),
            new_balance=_money(data, kind, "new_balance"),
            fee_breakdown=_object(data.get("fee_breakdown")),
            raw=data,
        )


def dedupe_key_for(event: WebhookEvent, idempotency_key: str) -> str:
    """``idempotency_key`` plus ``":" + direction`` when the event's data has a direction."""
    direction = event.data.get("direction")
    if isinstance(direction, str) and direction:
        return f"{idempotency_key}:{direction}"
    return idempotency_key


@dataclass(frozen=True)
class WebhookEvent:
    """A verified webhook delivery.

    The string fields are ``""`` when the body lacks them or holds a non-string there
    (``raw`` keeps the body exactly as parsed). ``data`` is ``{}`` when the body's ``data``
    is not an object. ``event_type`` is the wire string, also for types this SDK does not
    know yet; :attr:`type` gives the :class:`EventType` member when there is one.

    Dedupe on ``idempotency_key`` (stable across retries and replays), never on
    ``event_id`` (new for every delivery). Instances hash and compare on their string
    fields and payload; ``hash()`` ignores ``data`` and ``raw``.
    """

    event_id: str
    idempotency_key: str
    event_type: str
    schema_version: str
    created_at: str
    tenant_id: str
    data: dict[str, Any] = field(hash=False)
    raw: dict[str, Any] = field(hash=False, repr=False)

    @classmethod
    def from_payload(cls, payload: Any) -> WebhookEvent:
        """Build an event from an already-parsed body, WITHOUT verifying anything.

        Meant for a worker that re-reads a delivery it verified and stored earlier, and for
        tests. Raises ``WEBHOOK_MALFORMED`` unless ``payload`` is a ``dict`` with a string
        ``event_type``.
        """
        if not isinstance(payload, dict):
            raise webhook_error(
                MALFORMED, f"the webhook body is not a JSON object (got {type_name(payload)})"
            )
        event_type = payload.get("event_type")
        if not isinstance(event_type, str):
            problem = "has no" if "event_type" not in payload else "has a non-string"
            raise webhook_error(MALFORMED, f"the webhook body {problem} event_type")
        # Built without __init__: the frozen-dataclass __init__ (one object.__setattr__ per
        # field) is a measurable share of a verify call. Same fields, same values.
        event = object.__new__(cls)
        fields = event.__dict__
        get = payload.get
        for name in _STRING_FIELDS:
            value = get(name)
            fields[name] = value if isinstance(value, str) else ""
        fields["event_type"] = event_type if type(event_type) is str else str.__str__(event_type)
        data = get("data")
        fields["data"] = data if isinstance(data, dict) else {}
        fields["raw"] = payload
        return event

    @property
    def type(self) -> Optional[EventType]:
        """The :class:`EventType` of this event, or ``None`` for a type this SDK doesn't know."""
        member = EventType._value2member_map_.get(self.event_type)
        return member if isinstance(member, EventType) else None

    @property
    def dedupe_key(self) -> str:
        """The key to process this event once on (``""`` without an idempotency key).

        ``idempotency_key``, plus ``":" + direction`` when ``data`` has a ``direction``: a
        title that holds both players of a transfer receives two copies (``outbound`` and
        ``inbound``) of ``transfer.claim_pending`` / ``transfer.claim_expired`` under one
        idempotency key, and must process both. Never the event id (new on every retry).
        """
        return dedupe_key_for(self, self.idempotency_key) if self.idempotency_key else ""

    def _require(self, expected: EventType) -> None:
        if self.event_type != expected.value:
            raise webhook_error(
                EVENT_TYPE_MISMATCH,
                f"expected a {expected.value} event, got {self.event_type[:100]!r}",
            )

    def purchase_completed(self) -> PurchaseCompletedData:
        """The typed ``data`` of a ``purchase.completed`` event.

        Raises ``WEBHOOK_EVENT_TYPE_MISMATCH`` for any other event type and
        ``WEBHOOK_MALFORMED`` when a money field is missing or not a decimal.
        """
        self._require(EventType.PURCHASE_COMPLETED)
        return PurchaseCompletedData.from_data(self.data)

    def item_purchased(self) -> ItemPurchasedData:
        """The typed ``data`` of an ``item.purchased`` event.

        Raises ``WEBHOOK_EVENT_TYPE_MISMATCH`` for any other event type and
        ``WEBHOOK_MALFORMED`` when a money field or ``item_quantity`` is unusable.
        """
        self._require(EventType.ITEM_PURCHASED)
        return ItemPurchasedData.from_data(self.data)
