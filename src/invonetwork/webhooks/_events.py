"""Typed webhook events: the envelope every delivery shares and a typed payload per event type.

The envelope (:class:`WebhookEvent`) is lenient: a string field that is missing or not a
string reads as ``""`` and ``data`` that is not an object reads as ``{}``, because unknown
future event types and fields must never break a receiver.

The typed payloads (:meth:`WebhookEvent.payload`, one frozen dataclass per event type of the
catalogue) are strict about what money and counts depend on: an amount or count that the
API always sends and that is missing or garbled raises ``WEBHOOK_MALFORMED`` instead of
inventing a zero. Amounts are ``Decimal`` (read from decimal strings, never through
``float``), timestamps aware ``datetime`` (``...Z`` and ``...+00:00`` alike), optional keys
``None`` when absent, and every payload keeps the whole ``data`` object on ``raw`` (unknown
keys included). Where INVO's older documents spell a key differently, both spellings are
read (``net_amount`` for ``net_transfer_amount``, ``source_game_id`` for ``from_game_id``,
``amount``/``currency`` on a ``purchase.completed``), and game ids are ``str`` even when
they arrive as numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, ClassVar, Optional, TypeVar, Union

from ._common import EVENT_TYPE_MISMATCH, MALFORMED, type_name, webhook_error

__all__ = [
    "LEGACY_EVENT_TYPES",
    "OPT_IN_EVENT_TYPES",
    "BankAccount",
    "DeviceApprovalApprovedData",
    "EventData",
    "EventType",
    "IdentityPasskeyResetData",
    "ItemFeeBreakdown",
    "ItemPurchasedData",
    "OtherEventData",
    "PayeeStatusChangedData",
    "PayoutStatusChangedData",
    "PlatformCommerceDeclinedData",
    "PlatformCommercePurchasedData",
    "PlatformCommerceRefundedData",
    "PlatformFeeBreakdown",
    "PlayerPhoneChangedData",
    "PurchaseCompletedData",
    "PurchaseDisputedData",
    "PurchaseRefundedData",
    "RevenueShareAttribution",
    "SubscriptionAuthenticationRequiredData",
    "SubscriptionCanceledData",
    "SubscriptionExpiredData",
    "SubscriptionFunding",
    "SubscriptionPastDueData",
    "SubscriptionPaymentFailedData",
    "SubscriptionRefund",
    "SubscriptionRefundApprovedData",
    "SubscriptionRefundRejectedData",
    "SubscriptionRefundRequestedData",
    "SubscriptionRefundedData",
    "SubscriptionRenewedData",
    "SubscriptionSplit",
    "TransferClaimExpiredData",
    "TransferClaimPendingData",
    "TransferRefundedData",
    "WebhookEvent",
    "dedupe_key_for",
]

# A plain decimal: optional minus sign, ASCII digits, optional fraction. No exponent, no
# whitespace, no underscores (all of which ``Decimal()`` would otherwise accept).
_DECIMAL_RE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_MAX_DECIMAL_CHARS = 64
_TIMESTAMP_RE = re.compile(
    r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}:[0-9]{2})(?:\.([0-9]{1,9}))?"
    r"(Z|z|[+-][0-9]{2}:[0-9]{2})?"
)
_STRING_FIELDS = ("event_id", "idempotency_key", "schema_version", "created_at", "tenant_id")


class EventType(str, Enum):
    """Every event type of INVO's catalogue. ``WebhookEvent.event_type`` stays a plain ``str``.

    Being a ``str`` enum, a member compares equal to its wire value
    (``EventType.PURCHASE_COMPLETED == "purchase.completed"``). Types INVO adds later still
    parse; :attr:`WebhookEvent.type` is ``None`` for them. ``PURCHASE_DISPUTE_LOST`` and
    ``BALANCE_UPDATED`` come from an older receiver guide and are not sent by the current
    API (a lost dispute is a ``purchase.disputed`` with ``dispute_status == "lost"``).
    ``PLATFORM_COMMERCE_DECLINED`` and ``PAYEE_STATUS_CHANGED`` are opt-in: a ``["*"]``
    subscription does not receive them (:data:`OPT_IN_EVENT_TYPES`).
    """

    PURCHASE_COMPLETED = "purchase.completed"
    PURCHASE_FAILED = "purchase.failed"
    PURCHASE_REFUNDED = "purchase.refunded"
    PURCHASE_DISPUTED = "purchase.disputed"
    PURCHASE_DISPUTE_LOST = "purchase.dispute_lost"
    PURCHASE_FRAUD_WARNING = "purchase.fraud_warning"
    ITEM_PURCHASED = "item.purchased"
    TRANSFER_SENT = "transfer.sent"
    TRANSFER_RECEIVED = "transfer.received"
    TRANSFER_CLAIM_PENDING = "transfer.claim_pending"
    TRANSFER_CLAIM_EXPIRED = "transfer.claim_expired"
    TRANSFER_REFUNDED = "transfer.refunded"
    SUBSCRIPTION_RENEWED = "subscription.renewed"
    SUBSCRIPTION_PAYMENT_FAILED = "subscription.payment_failed"
    SUBSCRIPTION_PAST_DUE = "subscription.past_due"
    SUBSCRIPTION_AUTHENTICATION_REQUIRED = "subscription.authentication_required"
    SUBSCRIPTION_CANCELED = "subscription.canceled"
    SUBSCRIPTION_EXPIRED = "subscription.expired"
    SUBSCRIPTION_REFUNDED = "subscription.refunded"
    SUBSCRIPTION_REFUND_REQUESTED = "subscription.refund_requested"
    SUBSCRIPTION_REFUND_APPROVED = "subscription.refund_approved"
    SUBSCRIPTION_REFUND_REJECTED = "subscription.refund_rejected"
    PLATFORM_COMMERCE_PURCHASED = "platform_commerce.purchased"
    PLATFORM_COMMERCE_REFUNDED = "platform_commerce.refunded"
    PLATFORM_COMMERCE_DECLINED = "platform_commerce.declined"
    PAYOUT_STATUS_CHANGED = "payout.status_changed"
    PAYEE_STATUS_CHANGED = "payee.status_changed"
    PLAYER_PHONE_CHANGED = "player.phone_changed"
    IDENTITY_PASSKEY_RESET = "identity.passkey_reset"
    DEVICE_APPROVAL_APPROVED = "device_approval.approved"
    BALANCE_UPDATED = "balance.updated"
    WEBHOOK_TEST = "webhook.test"

    def __str__(self) -> str:
        return str(self.value)


#: Sent only to subscriptions that name them (``["*"]`` does not include them).
OPT_IN_EVENT_TYPES = frozenset(
    {EventType.PLATFORM_COMMERCE_DECLINED.value, EventType.PAYEE_STATUS_CHANGED.value}
)
#: Named in an older receiver guide, never sent by the current API.
LEGACY_EVENT_TYPES = frozenset(
    {EventType.PURCHASE_DISPUTE_LOST.value, EventType.BALANCE_UPDATED.value}
)


# -- reading the data object ------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _decimal(value: Any) -> Optional[Decimal]:
    """``value`` as a Decimal, or ``None`` when it is not a plain decimal."""
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
    return None


def _problem(data: dict[str, Any], name: str, value: Any, wanted: str) -> str:
    if name not in data:
        return "is missing"
    if value is None:
        return "is null"
    return f"is not {wanted} (got {type_name(value)})"


def _money(data: dict[str, Any], event_type: str, name: str) -> Decimal:
    """Read a money field as a ``Decimal``; raise ``WEBHOOK_MALFORMED`` when it is unusable.

    Accepted: a decimal string (``"12.50"``, ``"-3"``), an ``int``, or a finite ``float``
    (read through its shortest repr). Not accepted: missing, ``null``, booleans, exponents,
    whitespace, NaN or infinities.
    """
    value = data.get(name)
    number = _decimal(value)
    if number is None:
        problem = _problem(data, name, value, "a decimal amount")
        raise webhook_error(MALFORMED, f"{event_type} data.{name} {problem}")
    return number


def _integer(value: Any) -> Optional[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and 0 < len(value) <= 18 and value.isascii() and value.isdigit():
        return int(value)
    return None


def _timestamp(value: str) -> Optional[datetime]:
    match = _TIMESTAMP_RE.fullmatch(value)
    if match is None:
        return None
    day, clock, fraction, zone = match.groups()
    micros = (fraction or "")[:6].ljust(6, "0")
    offset = "+00:00" if zone in (None, "Z", "z") else zone
    try:
        return datetime.fromisoformat(f"{day}T{clock}.{micros}{offset}").astimezone(timezone.utc)
    except ValueError:
        return None


# Field kinds. A payload class lists its keys with ``_key(kind, *other_spellings)``.
_STR, _STR_OPT, _ID, _ID_OPT = "str", "str?", "id", "id?"
_DEC, _DEC_OPT, _INT, _INT_OPT = "dec", "dec?", "int", "int?"
_BOOL, _BOOL_OPT, _TS_OPT, _OBJ, _OBJ_OPT = "bool", "bool?", "ts?", "obj", "obj?"


def _key(
    kind: str,
    *aliases: str,
    nested: Any = None,
    show: bool = True,
    optional: bool = False,
    compare: bool = True,
) -> Any:
    """A payload field read from the key of the same name (or ``aliases``) as ``kind``.

    ``optional=True`` gives the constructor a ``None`` default (for fields added to a class
    that code may already build by hand).
    """
    unhashable = kind in (_OBJ, _OBJ_OPT)
    extra: dict[str, Any] = {"default": None} if optional else {}
    return field(
        hash=False if unhashable or not compare else None,
        repr=show,
        compare=compare,
        metadata={"kind": kind, "aliases": aliases, "nested": nested},
        **extra,
    )


def _raw() -> Any:
    return field(hash=False, repr=False, compare=False, metadata={"kind": "raw"})


def _read(kind: str, data: dict[str, Any], keys: tuple[str, ...], event_type: str,
          nested: Any) -> Any:
    name = keys[0]
    for key in keys:
        if key in data:
            name = key
            break
    value = data.get(name)
    where = f"{event_type} data.{name}"
    if kind == _STR:
        return _text(value)
    if kind == _STR_OPT:
        return value if isinstance(value, str) else None
    if kind in (_ID, _ID_OPT):
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return "" if kind == _ID else None
    if kind in (_DEC, _DEC_OPT):
        if kind == _DEC_OPT and value is None:
            return None
        number = _decimal(value)
        if number is None:
            raise webhook_error(MALFORMED, f"{where} {_problem(data, name, value, 'a decimal')}")
        return number
    if kind in (_INT, _INT_OPT):
        if kind == _INT_OPT and value is None:
            return None
        count = _integer(value)
        if count is None:
            raise webhook_error(
                MALFORMED, f"{where} {_problem(data, name, value, 'an integer')}"
            )
        return count
    if kind == _BOOL:
        return value is True
    if kind == _BOOL_OPT:
        return value if isinstance(value, bool) else None
    if kind == _TS_OPT:
        if value is None:
            return None
        stamp = _timestamp(value) if isinstance(value, str) else None
        if stamp is None:
            raise webhook_error(MALFORMED, f"{where} is not an ISO 8601 timestamp")
        return stamp
    if kind == _OBJ:
        return _object(value)
    if kind == _OBJ_OPT:
        return value if isinstance(value, dict) else None
    if kind == "nested":
        return nested._parse(value, event_type) if isinstance(value, dict) else None
    raise AssertionError(kind)  # pragma: no cover - a programming error


_P = TypeVar("_P", bound="_Payload")
_FieldPlan = tuple[tuple[str, str, tuple[str, ...], Any], ...]


@dataclass(frozen=True)
class _Payload:
    """Base of the typed payloads: ``raw`` is the whole ``data`` object as received."""

    raw: dict[str, Any] = _raw()

    EVENT_TYPE: ClassVar[str] = ""

    @classmethod
    def _fields_plan(cls) -> _FieldPlan:
        plan = cls.__dict__.get("_plan_cache")
        if plan is None:
            plan = tuple(
                (f.name, f.metadata["kind"], (f.name, *f.metadata.get("aliases", ())),
                 f.metadata.get("nested"))
                for f in fields(cls)
                if f.metadata.get("kind") not in (None, "raw")
            )
            type.__setattr__(cls, "_plan_cache", plan)
        return plan

    @classmethod
    def _parse(cls: type[_P], data: dict[str, Any], event_type: str) -> _P:
        values = {
            name: _read(kind, data, keys, event_type, nested)
            for name, kind, keys, nested in cls._fields_plan()
        }
        return cls(raw=data, **values)

    @classmethod
    def from_data(cls: type[_P], data: dict[str, Any]) -> _P:
        """Build from an event's ``data`` object; raise ``WEBHOOK_MALFORMED`` on bad figures."""
        return cls._parse(data if isinstance(data, dict) else {}, cls.EVENT_TYPE or cls.__name__)

    def get(self, key: str, default: Any = None) -> Any:
        """A key of ``raw`` (for keys newer than this SDK)."""
        return self.raw.get(key, default)


def _nested(cls: Any) -> Any:
    return _key("nested", nested=cls)


# -- nested blocks ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemFeeBreakdown(_Payload):
    """``fee_breakdown`` of an ``item.purchased``: never compute fees yourself, read them."""

    total_paid: Optional[Decimal] = _key(_DEC_OPT)
    developer_revenue: Optional[Decimal] = _key(_DEC_OPT)
    platform_fee: Optional[Decimal] = _key(_DEC_OPT)


@dataclass(frozen=True)
class PlatformFeeBreakdown(_Payload):
    """``fee_breakdown`` of a ``platform_commerce.purchased`` (``platform_fee`` includes the
    international card fee; ``platform_fee + developer_revenue == total_paid``)."""

    total_paid: Optional[Decimal] = _key(_DEC_OPT)
    platform_fee: Optional[Decimal] = _key(_DEC_OPT)
    developer_revenue: Optional[Decimal] = _key(_DEC_OPT)
    international_card_fee_usd: Optional[Decimal] = _key(_DEC_OPT)


@dataclass(frozen=True)
class SubscriptionFunding(_Payload):
    """``funding`` of a ``subscription.renewed``: how the period was paid."""

    rail: str = _key(_STR)
    balance_applied_coins: Optional[Decimal] = _key(_DEC_OPT)
    card_charged_usd: Optional[Decimal] = _key(_DEC_OPT)
    steam_charged_usd: Optional[Decimal] = _key(_DEC_OPT)
    minted_coins: Optional[Decimal] = _key(_DEC_OPT)
    new_balance: Optional[Decimal] = _key(_DEC_OPT)


@dataclass(frozen=True)
class SubscriptionSplit(_Payload):
    """``split`` of a ``subscription.renewed``. ``international_card_fee_usd`` is the same
    charge as ``pass_through_fees_usd``: never add both."""

    basis: str = _key(_STR)
    pass_through_status: str = _key(_STR)
    total_usd: Optional[Decimal] = _key(_DEC_OPT)
    invo_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    partner_revenue_usd: Optional[Decimal] = _key(_DEC_OPT)
    invo_fee_coins: Optional[Decimal] = _key(_DEC_OPT)
    partner_revenue_coins: Optional[Decimal] = _key(_DEC_OPT)
    invo_fee_percent: Optional[Decimal] = _key(_DEC_OPT)
    pass_through_fees_usd: Optional[Decimal] = _key(_DEC_OPT)
    international_card_fee_usd: Optional[Decimal] = _key(_DEC_OPT)


@dataclass(frozen=True)
class RevenueShareAttribution(_Payload):
    """``revenue_share_attribution`` (INVO never settles it: ``settled_by_invo`` is false)."""

    recipient_player_id: Optional[int] = _key(_INT_OPT)
    percent: Optional[Decimal] = _key(_DEC_OPT)
    base_usd: Optional[Decimal] = _key(_DEC_OPT)
    attributed_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    original_attributed_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    refunded_attributed_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    net_attributed_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    settled_by_invo: bool = _key(_BOOL)


@dataclass(frozen=True)
class SubscriptionRefund(_Payload):
    """``refund`` of a ``subscription.refunded``. ``balance_delta_coins`` is signed."""

    funding_shape: str = _key(_STR)
    balance_delta_coins: Optional[Decimal] = _key(_DEC_OPT)
    card_refunded_usd: Optional[Decimal] = _key(_DEC_OPT)
    processor_refund_adopted: bool = _key(_BOOL)
    new_balance: Optional[Decimal] = _key(_DEC_OPT)
    invo_fee_retained: bool = _key(_BOOL)
    partner_revenue_reversed_usd: Optional[Decimal] = _key(_DEC_OPT)
    partner_revenue_reversal_mode: str = _key(_STR)
    processing_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    processing_fee_basis: Optional[str] = _key(_STR_OPT)
    processing_fee_borne_by: Optional[str] = _key(_STR_OPT)
    partner_total_reversed_usd: Optional[Decimal] = _key(_DEC_OPT)
    card_fee_charged_to_partner_usd: Optional[Decimal] = _key(_DEC_OPT)
    partner_debited_usd: Optional[Decimal] = _key(_DEC_OPT)

    @property
    def partner_debit_usd(self) -> Optional[Decimal]:
        """What the partner was debited: the newest of the three figures that is present."""
        for value in (self.partner_debited_usd, self.partner_total_reversed_usd,
                      self.partner_revenue_reversed_usd):
            if value is not None:
                return value
        return None


@dataclass(frozen=True)
class BankAccount(_Payload):
    """``bank_account`` of a payout's creation event (only the last 4 account digits)."""

    bank_name: str = _key(_STR)
    account_holder_name: str = _key(_STR)
    routing_number: str = _key(_STR)
    account_number_last4: str = _key(_STR)
    account_type: str = _key(_STR)


# -- purchases and items ----------------------------------------------------------------------


@dataclass(frozen=True)
class PurchaseCompletedData(_Payload):
    """``purchase.completed``: a currency purchase cleared and the coins were credited.

    Also the coin-mint leg of a paid card subscription renewal: then
    :attr:`is_renewal_mint_leg` is true and it grants nothing (``order_id`` equals the
    renewal's ``mint_order_id``; grant on ``subscription.renewed``). ``usd_amount`` and
    ``currency_amount`` are required (``WEBHOOK_MALFORMED`` otherwise); an older body's
    ``amount``/``currency`` are read as ``currency_amount``/``currency_name``.
    """

    EVENT_TYPE: ClassVar[str] = "purchase.completed"

    transaction_id: str = _key(_STR)
    order_id: str = _key(_STR)
    player_email: str = _key(_STR)
    identity_id: str = _key(_STR)
    usd_amount: Decimal = _key(_DEC)
    currency_amount: Decimal = _key(_DEC, "amount")
    currency_name: str = _key(_STR, "currency")
    new_balance: Optional[Decimal] = _key(_DEC_OPT)
    rail: str = _key(_STR)
    metadata: dict[str, Any] = _key(_OBJ)
    channel: Optional[str] = _key(_STR_OPT, optional=True)
    tax_treatment: Optional[str] = _key(_STR_OPT, optional=True)
    partner_fee_usd: Optional[Decimal] = _key(_DEC_OPT, optional=True)
    international_card_fee_usd: Optional[Decimal] = _key(_DEC_OPT, optional=True)
    receipt_number: Optional[str] = _key(_STR_OPT, optional=True)
    receipt_url: Optional[str] = _key(_STR_OPT, optional=True)

    @property
    def is_renewal_mint_leg(self) -> bool:
        """The coin mint of a subscription renewal: grant nothing for it."""
        return self.metadata.get("source") == "subscription_renewal"


@dataclass(frozen=True)
class PurchaseRefundedData(_Payload):
    """``purchase.refunded``: a coin purchase refunded and the balance debited."""

    EVENT_TYPE: ClassVar[str] = "purchase.refunded"

    order_id: str = _key(_STR)
    transaction_id: str = _key(_STR)
    currency_debited: Decimal = _key(_DEC)
    new_balance: Decimal = _key(_DEC)
    rail: Optional[str] = _key(_STR_OPT)
    steam_transid: Optional[str] = _key(_STR_OPT)
    fully_refunded: Optional[bool] = _key(_BOOL_OPT)
    receipt_number: Optional[str] = _key(_STR_OPT)
    receipt_url: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class PurchaseDisputedData(_Payload):
    """``purchase.disputed``: a chargeback opened, and again at its close.

    :attr:`is_lost` marks a lost dispute (the coins were clawed back). Handle it like a
    refund whatever the rail. An absent figure is ``None``, which is not zero.
    """

    EVENT_TYPE: ClassVar[str] = "purchase.disputed"

    transaction_id: str = _key(_STR)
    order_id: str = _key(_STR)
    player_email: str = _key(_STR)
    identity_id: str = _key(_STR)
    dispute_status: str = _key(_STR)
    payment_intent_id: Optional[str] = _key(_STR_OPT)
    charge_id: Optional[str] = _key(_STR_OPT)
    dispute_id: Optional[str] = _key(_STR_OPT)
    currency_debited: Optional[Decimal] = _key(_DEC_OPT)
    new_balance: Optional[Decimal] = _key(_DEC_OPT)
    rail: Optional[str] = _key(_STR_OPT)
    steam_transid: Optional[str] = _key(_STR_OPT)
    guarantee_covered: Optional[bool] = _key(_BOOL_OPT)
    order_type: Optional[str] = _key(_STR_OPT)
    developer_revenue_reversed_usd: Optional[Decimal] = _key(_DEC_OPT)
    card_fee_charged_to_partner_usd: Optional[Decimal] = _key(_DEC_OPT)
    partner_debited_usd: Optional[Decimal] = _key(_DEC_OPT)
    processing_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    subscription_id: Optional[str] = _key(_STR_OPT)
    period_seq: Optional[int] = _key(_INT_OPT)
    dispute_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    dispute_fee_charged_to_partner: Optional[bool] = _key(_BOOL_OPT)
    spent_coins_charged_usd: Optional[Decimal] = _key(_DEC_OPT)

    @property
    def is_lost(self) -> bool:
        """The dispute was lost."""
        return self.dispute_status == "lost"


@dataclass(frozen=True)
class ItemPurchasedData(_Payload):
    """``item.purchased``: the item purchase succeeded (the grant signal for the item).

    ``unit_price``, ``total_price``, ``new_balance`` and ``item_quantity`` are required.
    ``fee_breakdown`` is the block as received; :attr:`fees` is the same, typed.
    """

    EVENT_TYPE: ClassVar[str] = "item.purchased"

    transaction_id: str = _key(_STR)
    order_id: str = _key(_STR)
    player_email: str = _key(_STR)
    identity_id: str = _key(_STR)
    item_id: str = _key(_STR)
    item_name: str = _key(_STR)
    item_quantity: int = _key(_INT)
    unit_price: Decimal = _key(_DEC)
    total_price: Decimal = _key(_DEC)
    currency_name: str = _key(_STR)
    new_balance: Decimal = _key(_DEC)
    fee_breakdown: dict[str, Any] = _key(_OBJ)
    fees: Optional[ItemFeeBreakdown] = _key(
        "nested", "fee_breakdown", nested=ItemFeeBreakdown, optional=True, compare=False
    )


# -- transfers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TransferClaimPendingData(_Payload):
    """``transfer.claim_pending``: the sender approved; the value waits for collection.

    A title holding both players receives two copies, ``direction`` ``outbound`` and
    ``inbound``, under one idempotency key (the dedupe key adds the direction). Game ids
    are ``str``; ``net_amount``/``source_game_id``/``target_game_id`` are read too.
    """

    EVENT_TYPE: ClassVar[str] = "transfer.claim_pending"

    transaction_id: str = _key(_STR)
    order_id: str = _key(_STR)
    amount: Decimal = _key(_DEC)
    net_transfer_amount: Decimal = _key(_DEC, "net_amount")
    claim_code_expires_at: Optional[datetime] = _key(_TS_OPT)
    from_game_id: str = _key(_ID, "source_game_id")
    to_game_id: str = _key(_ID, "target_game_id")
    from_player_id: str = _key(_ID)
    direction: Optional[str] = _key(_STR_OPT)
    flow: Optional[str] = _key(_STR_OPT)
    to_phone: Optional[str] = _key(_STR_OPT, show=False)
    to_identity_id: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class TransferClaimExpiredData(_Payload):
    """``transfer.claim_expired``: never approved, PIN lapsed, or never collected; the
    sender was refunded. ``expiry_reason`` gives the precise cause when sent."""

    EVENT_TYPE: ClassVar[str] = "transfer.claim_expired"

    transaction_id: str = _key(_STR)
    from_game_id: str = _key(_ID, "source_game_id")
    to_game_id: str = _key(_ID, "target_game_id")
    from_player_id: str = _key(_ID)
    direction: Optional[str] = _key(_STR_OPT)
    flow: Optional[str] = _key(_STR_OPT)
    reason: str = _key(_STR)
    amount: Decimal = _key(_DEC)
    expired_at: Optional[datetime] = _key(_TS_OPT)
    expiry_reason: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class TransferRefundedData(_Payload):
    """``transfer.refunded``: the sending title's player got the value back after an expiry."""

    EVENT_TYPE: ClassVar[str] = "transfer.refunded"

    transaction_id: str = _key(_STR)
    from_game_id: str = _key(_ID, "source_game_id")
    to_game_id: str = _key(_ID, "target_game_id")
    from_player_id: str = _key(_ID)
    flow: Optional[str] = _key(_STR_OPT)
    amount: Decimal = _key(_DEC)
    refunded_amount: Decimal = _key(_DEC)
    expired_at: Optional[datetime] = _key(_TS_OPT)
    reason: str = _key(_STR)
    expiry_reason: Optional[str] = _key(_STR_OPT)


# -- subscriptions ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SubscriptionRenewedData(_Payload):
    """``subscription.renewed``: a period was charged (period 1 included). THE entitlement
    signal: grant access for ``period_start``..``period_end`` once per
    (``subscription_id``, ``period_seq``)."""

    EVENT_TYPE: ClassVar[str] = "subscription.renewed"

    subscription_id: str = _key(_STR)
    item_id: str = _key(_STR)
    transaction_id: str = _key(_STR)
    player_email: str = _key(_STR)
    item_name: Optional[str] = _key(_STR_OPT)
    order_id: Optional[str] = _key(_STR_OPT)
    identity_id: Optional[str] = _key(_STR_OPT)
    mint_order_id: Optional[str] = _key(_STR_OPT)
    period_seq: int = _key(_INT)
    amount_usd: Decimal = _key(_DEC)
    amount_coins: Decimal = _key(_DEC)
    period_start: Optional[datetime] = _key(_TS_OPT)
    period_end: Optional[datetime] = _key(_TS_OPT)
    current_period_start: Optional[datetime] = _key(_TS_OPT)
    current_period_end: Optional[datetime] = _key(_TS_OPT)
    next_charge_at: Optional[datetime] = _key(_TS_OPT)
    funding: Optional[SubscriptionFunding] = _nested(SubscriptionFunding)
    split: Optional[SubscriptionSplit] = _nested(SubscriptionSplit)
    revenue_share_attribution: Optional[RevenueShareAttribution] = _nested(
        RevenueShareAttribution
    )
    metadata: Optional[dict[str, Any]] = _key(_OBJ_OPT)
    is_trial: bool = _key(_BOOL)
    receipt_number: Optional[str] = _key(_STR_OPT)
    receipt_url: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class _SubscriptionState(_Payload):
    """The block shared by ``payment_failed``, ``past_due``, ``authentication_required``,
    ``canceled`` and ``expired``."""

    subscription_id: str = _key(_STR)
    item_id: str = _key(_STR)
    item_name: Optional[str] = _key(_STR_OPT)
    player_email: str = _key(_STR)
    identity_id: Optional[str] = _key(_STR_OPT)
    status: str = _key(_STR)
    amount_usd: Decimal = _key(_DEC)
    interval: str = _key(_STR)
    interval_count: Optional[int] = _key(_INT_OPT)
    period_seq: int = _key(_INT)
    current_period_start: Optional[datetime] = _key(_TS_OPT)
    current_period_end: Optional[datetime] = _key(_TS_OPT)
    next_charge_at: Optional[datetime] = _key(_TS_OPT)
    cancel_at_period_end: bool = _key(_BOOL)
    funding_rail: str = _key(_STR)
    steam_agreement_status: Optional[str] = _key(_STR_OPT)
    metadata: Optional[dict[str, Any]] = _key(_OBJ_OPT)


@dataclass(frozen=True)
class SubscriptionPaymentFailedData(_SubscriptionState):
    """``subscription.payment_failed``: a charge attempt failed; access is kept. On the
    last failure ``retry_at`` and ``grace_period_end`` are ``None`` and ``expired`` follows."""

    EVENT_TYPE: ClassVar[str] = "subscription.payment_failed"

    is_trial: bool = _key(_BOOL)
    trial_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    attempt_no: Optional[int] = _key(_INT_OPT)
    period_start: Optional[datetime] = _key(_TS_OPT)
    period_end: Optional[datetime] = _key(_TS_OPT)
    amount_due_usd: Decimal = _key(_DEC)
    outcome: str = _key(_STR)
    reason: str = _key(_STR)
    failure_code: str = _key(_STR)
    failure_message: str = _key(_STR)
    first_failure: bool = _key(_BOOL)
    retry_at: Optional[datetime] = _key(_TS_OPT)
    retries_remaining: Optional[int] = _key(_INT_OPT)
    grace_period_end: Optional[datetime] = _key(_TS_OPT)
    access_retained: bool = _key(_BOOL)


@dataclass(frozen=True)
class SubscriptionPastDueData(_SubscriptionState):
    """``subscription.past_due``: entered ``past_due`` (once); access is kept."""

    EVENT_TYPE: ClassVar[str] = "subscription.past_due"

    is_trial: bool = _key(_BOOL)
    trial_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    amount_due_usd: Decimal = _key(_DEC)
    grace_period_end: Optional[datetime] = _key(_TS_OPT)
    retry_at: Optional[datetime] = _key(_TS_OPT)
    retries_remaining: Optional[int] = _key(_INT_OPT)
    access_retained: bool = _key(_BOOL)


@dataclass(frozen=True)
class SubscriptionAuthenticationRequiredData(_SubscriptionState):
    """``subscription.authentication_required``: the issuer wants the cardholder to
    authenticate. ``confirmation_url`` works for whoever holds it: pass it to the member
    only, keep it out of logs (it is left out of this object's repr)."""

    EVENT_TYPE: ClassVar[str] = "subscription.authentication_required"

    is_trial: bool = _key(_BOOL)
    trial_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    attempt_no: Optional[int] = _key(_INT_OPT)
    period_start: Optional[datetime] = _key(_TS_OPT)
    period_end: Optional[datetime] = _key(_TS_OPT)
    amount_due_usd: Decimal = _key(_DEC)
    card_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    confirmation_url: str = _key(_STR, show=False)
    expires_at: Optional[datetime] = _key(_TS_OPT)
    reason: str = _key(_STR)
    access_retained: bool = _key(_BOOL)
    retry_consumed: bool = _key(_BOOL)


@dataclass(frozen=True)
class SubscriptionCanceledData(_SubscriptionState):
    """``subscription.canceled``: cancel requested, or a full refund ended it. Access ends
    at ``access_until``."""

    EVENT_TYPE: ClassVar[str] = "subscription.canceled"

    effective_at: Optional[datetime] = _key(_TS_OPT)
    canceled_at: Optional[datetime] = _key(_TS_OPT)
    ended_at: Optional[datetime] = _key(_TS_OPT)
    access_until: Optional[datetime] = _key(_TS_OPT)
    paid_through: Optional[datetime] = _key(_TS_OPT)
    reason: Optional[str] = _key(_STR_OPT)
    canceled_by: str = _key(_STR)
    cancel_cause: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class SubscriptionExpiredData(_SubscriptionState):
    """``subscription.expired``: dunning exhausted, a Steam agreement never authorised, or
    a paid-trial charge refused. Access ends at ``final_period_end``."""

    EVENT_TYPE: ClassVar[str] = "subscription.expired"

    is_trial: bool = _key(_BOOL)
    trial_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    failed_period_start: Optional[datetime] = _key(_TS_OPT)
    failed_period_end: Optional[datetime] = _key(_TS_OPT)
    final_attempt_no: Optional[int] = _key(_INT_OPT)
    attempts_used: Optional[int] = _key(_INT_OPT)
    failure_code: Optional[str] = _key(_STR_OPT)
    failure_message: Optional[str] = _key(_STR_OPT)
    ended_at: Optional[datetime] = _key(_TS_OPT)
    final_period_end: Optional[datetime] = _key(_TS_OPT)
    access_retained: bool = _key(_BOOL)
    expire_cause: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class SubscriptionRefundedData(_Payload):
    """``subscription.refunded``: a subscription refund ran. May arrive before or after the
    ``canceled`` of the same full refund."""

    EVENT_TYPE: ClassVar[str] = "subscription.refunded"

    subscription_id: str = _key(_STR)
    item_id: str = _key(_STR)
    transaction_id: str = _key(_STR)
    client_request_id: str = _key(_STR)
    player_email: str = _key(_STR)
    period_status: str = _key(_STR)
    identity_id: Optional[str] = _key(_STR_OPT)
    reason: Optional[str] = _key(_STR_OPT)
    period_seq: int = _key(_INT)
    amount_usd: Decimal = _key(_DEC)
    total_refunded_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    period_amount_usd: Optional[Decimal] = _key(_DEC_OPT)
    is_full_refund: bool = _key(_BOOL)
    refund: Optional[SubscriptionRefund] = _nested(SubscriptionRefund)
    revenue_share_attribution: Optional[RevenueShareAttribution] = _nested(
        RevenueShareAttribution
    )
    metadata: Optional[dict[str, Any]] = _key(_OBJ_OPT)
    initiation: Optional[str] = _key(_STR_OPT)
    refund_request_id: Optional[str] = _key(_STR_OPT)
    subscription_canceled: Optional[bool] = _key(_BOOL_OPT)
    receipt_number: Optional[str] = _key(_STR_OPT)
    receipt_url: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class SubscriptionRefundRequestedData(_Payload):
    """``subscription.refund_requested``: a refund above the daily self-serve cap became a
    request; nothing moved yet."""

    EVENT_TYPE: ClassVar[str] = "subscription.refund_requested"

    request_id: str = _key(_STR)
    status: str = _key(_STR)
    subscription_id: str = _key(_STR)
    item_id: str = _key(_STR)
    client_request_id: str = _key(_STR)
    period_seq: int = _key(_INT)
    amount_usd: Decimal = _key(_DEC)
    reason: Optional[str] = _key(_STR_OPT)
    requested_at: Optional[datetime] = _key(_TS_OPT)
    daily_cap_usd: Optional[Decimal] = _key(_DEC_OPT)
    executed_today_usd: Optional[Decimal] = _key(_DEC_OPT)
    player_email: Optional[str] = _key(_STR_OPT)
    identity_id: Optional[str] = _key(_STR_OPT)
    metadata: Optional[dict[str, Any]] = _key(_OBJ_OPT)


@dataclass(frozen=True)
class SubscriptionRefundApprovedData(SubscriptionRefundRequestedData):
    """``subscription.refund_approved``: INVO approved the request and the refund ran."""

    EVENT_TYPE: ClassVar[str] = "subscription.refund_approved"

    decided_at: Optional[datetime] = _key(_TS_OPT)
    transaction_id: str = _key(_STR)


@dataclass(frozen=True)
class SubscriptionRefundRejectedData(SubscriptionRefundRequestedData):
    """``subscription.refund_rejected``: INVO rejected the request; nothing moved."""

    EVENT_TYPE: ClassVar[str] = "subscription.refund_rejected"

    decided_at: Optional[datetime] = _key(_TS_OPT)
    decision_reason: Optional[str] = _key(_STR_OPT)


# -- Platform Commerce ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformCommercePurchasedData(_Payload):
    """``platform_commerce.purchased``: the sale is final; fulfil card orders on this event
    only. The balance leg has ``total_price``/``unit_price``/``new_balance``/
    ``currency_name``; the card leg ``total_price_usd``."""

    EVENT_TYPE: ClassVar[str] = "platform_commerce.purchased"

    transaction_id: str = _key(_STR)
    order_id: str = _key(_STR)
    funding_source: str = _key(_STR)
    player_email: str = _key(_STR)
    identity_id: str = _key(_STR)
    item_id: str = _key(_STR)
    item_name: str = _key(_STR)
    item_quantity: int = _key(_INT)
    fee_breakdown: Optional[PlatformFeeBreakdown] = _nested(PlatformFeeBreakdown)
    international_card_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    metadata: dict[str, Any] = _key(_OBJ)
    total_price: Optional[Decimal] = _key(_DEC_OPT)
    unit_price: Optional[Decimal] = _key(_DEC_OPT)
    new_balance: Optional[Decimal] = _key(_DEC_OPT)
    currency_name: Optional[str] = _key(_STR_OPT)
    total_price_usd: Optional[Decimal] = _key(_DEC_OPT)
    approval_id: Optional[str] = _key(_STR_OPT)
    receipt_number: Optional[str] = _key(_STR_OPT)
    receipt_url: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class PlatformCommerceRefundedData(_Payload):
    """``platform_commerce.refunded``: an order (or part of it) was refunded.
    ``amount_unit`` says what ``refunded_amount`` counts: ``usd`` or ``currency``."""

    EVENT_TYPE: ClassVar[str] = "platform_commerce.refunded"

    order_id: str = _key(_STR)
    funding_source: str = _key(_STR)
    player_email: Optional[str] = _key(_STR_OPT)
    identity_id: Optional[str] = _key(_STR_OPT)
    refunded_amount: Decimal = _key(_DEC)
    amount_unit: str = _key(_STR)
    fee_retained: bool = _key(_BOOL)
    metadata: dict[str, Any] = _key(_OBJ)
    card_fee_charged_to_partner_usd: Optional[Decimal] = _key(_DEC_OPT)
    partner_debited_usd: Optional[Decimal] = _key(_DEC_OPT)
    partial_refund: Optional[bool] = _key(_BOOL_OPT)
    refunded_total_usd: Optional[Decimal] = _key(_DEC_OPT)
    charge_total_usd: Optional[Decimal] = _key(_DEC_OPT)
    receipt_number: Optional[str] = _key(_STR_OPT)
    receipt_url: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class PlatformCommerceDeclinedData(_Payload):
    """``platform_commerce.declined`` (opt-in): a buyer-approved balance purchase ended
    without a sale."""

    EVENT_TYPE: ClassVar[str] = "platform_commerce.declined"

    approval_id: str = _key(_STR)
    client_request_id: str = _key(_STR)
    status: str = _key(_STR)
    reason: str = _key(_STR)
    item_id: str = _key(_STR)
    currency_name: str = _key(_STR)
    total_price: Decimal = _key(_DEC)
    item_quantity: int = _key(_INT)
    metadata: dict[str, Any] = _key(_OBJ)


# -- payouts, payees, players -----------------------------------------------------------------


@dataclass(frozen=True)
class PayoutStatusChangedData(_Payload):
    """``payout.status_changed``: a payout was requested, then every status change. Order
    by (``payout_id``, ``status``/``previous_status``), not by arrival."""

    EVENT_TYPE: ClassVar[str] = "payout.status_changed"

    payout_id: int = _key(_INT)
    status: str = _key(_STR)
    previous_status: Optional[str] = _key(_STR_OPT)
    requested_amount_usd: Decimal = _key(_DEC)
    contact_email: str = _key(_STR)
    partner_message: Optional[str] = _key(_STR_OPT)
    reviewed_at: Optional[datetime] = _key(_TS_OPT)
    offboarding_fee_pct: Optional[Decimal] = _key(_DEC_OPT)
    offboarding_fee_usd: Optional[Decimal] = _key(_DEC_OPT)
    offboarding_fee_cap_usd: Optional[Decimal] = _key(_DEC_OPT)
    net_payout_usd: Optional[Decimal] = _key(_DEC_OPT)
    payee_id: Optional[str] = _key(_STR_OPT)
    payout_method: Optional[str] = _key(_STR_OPT)
    owner_confirmation_required: bool = _key(_BOOL)
    owed_balance_at_request_usd: Optional[Decimal] = _key(_DEC_OPT)
    client_request_id: Optional[str] = _key(_STR_OPT)
    initiated_by: Optional[str] = _key(_STR_OPT)
    bank_account: Optional[BankAccount] = _nested(BankAccount)
    returned_at: Optional[datetime] = _key(_TS_OPT)
    return_reason_code: Optional[str] = _key(_STR_OPT)


@dataclass(frozen=True)
class PayeeStatusChangedData(_Payload):
    """``payee.status_changed`` (opt-in): a registered creator was created or changed
    status. Never carries the creator's name or email."""

    EVENT_TYPE: ClassVar[str] = "payee.status_changed"

    payee_id: str = _key(_STR)
    partner_reference: str = _key(_STR)
    status: str = _key(_STR)
    previous_status: Optional[str] = _key(_STR_OPT)
    payee_type: str = _key(_STR)
    country: str = _key(_STR)
    created_via: str = _key(_STR)
    status_changed_at: Optional[datetime] = _key(_TS_OPT)


@dataclass(frozen=True)
class PlayerPhoneChangedData(_Payload):
    """``player.phone_changed``: store the NEW ``identity_id``, re-mint tokens, and never
    push the old number back. ``new_phone`` (only in the requesting title's copy) is left
    out of the repr."""

    EVENT_TYPE: ClassVar[str] = "player.phone_changed"

    player_email: str = _key(_STR)
    previous_phone_masked: str = _key(_STR)
    new_phone_masked: str = _key(_STR)
    source: str = _key(_STR)
    identity_id: str = _key(_STR)
    previous_identity_id: str = _key(_STR)
    new_phone_included: bool = _key(_BOOL)
    changed_at: Optional[datetime] = _key(_TS_OPT)
    new_phone: Optional[str] = _key(_STR_OPT, show=False)


@dataclass(frozen=True)
class IdentityPasskeyResetData(_Payload):
    """``identity.passkey_reset``: money out is paused until ``cooldown_until``."""

    EVENT_TYPE: ClassVar[str] = "identity.passkey_reset"

    identity_id: str = _key(_STR)
    reset_via: str = _key(_STR)
    cooldown_until: Optional[datetime] = _key(_TS_OPT)
    deactivated_count: Optional[int] = _key(_INT_OPT)


@dataclass(frozen=True)
class DeviceApprovalApprovedData(_Payload):
    """``device_approval.approved``: a cue to call ``approve_with_device_code``; moves no
    money (a repeat approve answers "already settled")."""

    EVENT_TYPE: ClassVar[str] = "device_approval.approved"

    method: str = _key(_STR)


@dataclass(frozen=True)
class OtherEventData(_Payload):
    """The ``data`` of an event with no published key list (``purchase.failed``,
    ``purchase.fraud_warning``, ``transfer.sent``, ``transfer.received``,
    ``balance.updated``, ``webhook.test``, the legacy ``purchase.dispute_lost``) or of a
    type newer than this SDK: ``event_type`` and ``raw``, read with :meth:`get`."""

    event_type: str = field(default="", metadata={"kind": None})

    @classmethod
    def of(cls, event_type: str, data: dict[str, Any]) -> OtherEventData:
        """Wrap ``data`` of ``event_type``."""
        return cls(raw=data, event_type=event_type)


EventData = Union[
    PurchaseCompletedData,
    PurchaseRefundedData,
    PurchaseDisputedData,
    ItemPurchasedData,
    TransferClaimPendingData,
    TransferClaimExpiredData,
    TransferRefundedData,
    SubscriptionRenewedData,
    SubscriptionPaymentFailedData,
    SubscriptionPastDueData,
    SubscriptionAuthenticationRequiredData,
    SubscriptionCanceledData,
    SubscriptionExpiredData,
    SubscriptionRefundedData,
    SubscriptionRefundRequestedData,
    SubscriptionRefundApprovedData,
    SubscriptionRefundRejectedData,
    PlatformCommercePurchasedData,
    PlatformCommerceRefundedData,
    PlatformCommerceDeclinedData,
    PayoutStatusChangedData,
    PayeeStatusChangedData,
    PlayerPhoneChangedData,
    IdentityPasskeyResetData,
    DeviceApprovalApprovedData,
    OtherEventData,
]
EventData.__doc__ = (  # a Union keeps its own __doc__ (help() and the reference show it)
    "Every typed payload WebhookEvent.payload() can return: match on it, and mypy --strict "
    "checks that every case is handled (end with assert_never)."
)

_PAYLOAD_TYPES: dict[str, Callable[[dict[str, Any], str], Any]] = {
    cls.EVENT_TYPE: cls._parse
    for cls in (
        PurchaseCompletedData, PurchaseRefundedData, PurchaseDisputedData, ItemPurchasedData,
        TransferClaimPendingData, TransferClaimExpiredData, TransferRefundedData,
        SubscriptionRenewedData, SubscriptionPaymentFailedData, SubscriptionPastDueData,
        SubscriptionAuthenticationRequiredData, SubscriptionCanceledData,
        SubscriptionExpiredData, SubscriptionRefundedData, SubscriptionRefundRequestedData,
        SubscriptionRefundApprovedData, SubscriptionRefundRejectedData,
        PlatformCommercePurchasedData, PlatformCommerceRefundedData,
        PlatformCommerceDeclinedData, PayoutStatusChangedData, PayeeStatusChangedData,
        PlayerPhoneChangedData, IdentityPasskeyResetData, DeviceApprovalApprovedData,
    )
}


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

    def payload(self) -> EventData:
        """The typed ``data`` for this event's type (see :data:`EventData`).

        An event type without a published key list, or newer than this SDK, gives an
        :class:`OtherEventData`. Raises ``WEBHOOK_MALFORMED`` when a figure the type
        always carries is missing or garbled.
        """
        parse = _PAYLOAD_TYPES.get(self.event_type)
        if parse is None:
            return OtherEventData.of(self.event_type, self.data)
        payload: EventData = parse(self.data, self.event_type)
        return payload

    def purchase_completed(self) -> PurchaseCompletedData:
        """The typed ``data`` of a ``purchase.completed`` event.

        Raises ``WEBHOOK_EVENT_TYPE_MISMATCH`` for any other event type and
        ``WEBHOOK_MALFORMED`` when a money field is missing or not a decimal.
        """
        self._require(EventType.PURCHASE_COMPLETED)
        return PurchaseCompletedData._parse(self.data, self.event_type)

    def item_purchased(self) -> ItemPurchasedData:
        """The typed ``data`` of an ``item.purchased`` event.

        Raises ``WEBHOOK_EVENT_TYPE_MISMATCH`` for any other event type and
        ``WEBHOOK_MALFORMED`` when a money field or ``item_quantity`` is unusable.
        """
        self._require(EventType.ITEM_PURCHASED)
        return ItemPurchasedData._parse(self.data, self.event_type)
