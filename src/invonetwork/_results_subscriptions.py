"""Typed results of one area of the API: subscriptions, saved cards, the sandbox clock.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.

Readers of this area, besides the shared ones: *int?* (an ``int``, or a string of ASCII digits
read as an ``int``, else the default: ``None`` or the value named), ``interval`` (``"month"``
when empty), ``funding_rail`` (``"card"`` when empty).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Callable, Optional

from ._results import (
    BOOL_OR_NONE,
    FLAG,
    NONEMPTY_TEXT,
    OBJECT,
    OPTIONAL_OBJECT,
    OPTIONAL_TEXT,
    RECEIPT_URL,
    REQUIRED_TEXT,
    TEXT,
    Body,
    Reader,
    _raw_field,
    _Result,
    read,
    rows,
    wire,
)

__all__ = [
    "AmountChangeResult",
    "CancelResult",
    "CardSetupBegin",
    "CardSetupConfirm",
    "CardSetupSession",
    "FirstCharge",
    "PaymentMethodResult",
    "PlayerCard",
    "PlayerCardsResult",
    "RefundPendingApproval",
    "RefundReceipt",
    "RefundResult",
    "RefundWarning",
    "SandboxClockResult",
    "SteamInitResult",
    "Subscription",
    "SubscriptionListResult",
    "SubscriptionResult",
]


def _int_or_none(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


def int_or(default: Optional[int]) -> Reader[Any]:
    """*int?*: an int, or a digit string as an int; else ``default``."""

    def reader(body: Body, key: str) -> Optional[int]:
        value = _int_or_none(body.get(key))
        return default if value is None else value

    return Reader(reader, lambda: default)


INT_OR_NONE: Reader[Optional[int]] = int_or(None)


def text_or(default: str) -> Reader[str]:
    """*str* with ``default`` when missing, ``null`` or ``""``."""

    def reader(body: Body, key: str) -> str:
        value = body.get(key)
        if value is None or value == "":
            return default
        return value if isinstance(value, str) else str(value)

    return Reader(reader, lambda: default)


def nested(cls: type[Any], *fallback_keys: str) -> Reader[Any]:
    """A nested result read from the object at the key (else at ``fallback_keys``), or
    ``None`` when none of them holds an object."""

    def reader(body: Body, key: str) -> Any:
        for name in (key, *fallback_keys):
            value = body.get(name)
            if isinstance(value, Mapping):
                return read(cls, value)
        return None

    return Reader(reader, lambda: None)


def _from_subscription(body: Body, key: str, top: Callable[[Body, str], Any]) -> Any:
    value = top(body, key)
    if value not in (None, ""):
        return value
    inner = body.get("subscription")
    return top(inner, key) if isinstance(inner, Mapping) else value


def _opt_or_subscription(body: Body, key: str) -> Optional[str]:
    """The top-level *opt* value, else the nested ``subscription``'s."""
    result: Optional[str] = _from_subscription(body, key, OPTIONAL_TEXT.read)
    return result


def _text_or_subscription(body: Body, key: str, inner_key: str) -> str:
    value = TEXT.read(body, key)
    if value:
        return value
    inner = body.get("subscription")
    return TEXT.read(inner, inner_key) if isinstance(inner, Mapping) else ""


# -- the subscription --------------------------------------------------------------------------


@dataclass(frozen=True)
class Subscription(_Result):
    """One subscription: its terms, its period window and its state.

    ``status`` is one of ``pending``, ``trialing``, ``active``, ``past_due``,
    ``awaiting_authentication``, ``pending_steam_authorization``, ``canceled``, ``expired``
    (new values may appear). ``period_seq`` is the period the window is on (the next one to
    be billed); ``paid_through`` is the end of the last paid period. Grant access off the
    ``subscription.renewed`` webhook, never off this object.
    """

    subscription_id: str = wire(TEXT)
    status: str = wire(TEXT)
    amount_usd: str = wire(TEXT)
    item_id: str = wire(TEXT)
    client_request_id: str = wire(TEXT)
    game_id: str = wire(TEXT)
    pending_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    item_name: Optional[str] = wire(OPTIONAL_TEXT)
    current_period_start: Optional[str] = wire(OPTIONAL_TEXT)
    current_period_end: Optional[str] = wire(OPTIONAL_TEXT)
    next_charge_at: Optional[str] = wire(OPTIONAL_TEXT)
    paid_through: Optional[str] = wire(OPTIONAL_TEXT)
    trial_end: Optional[str] = wire(OPTIONAL_TEXT)
    canceled_at: Optional[str] = wire(OPTIONAL_TEXT)
    ended_at: Optional[str] = wire(OPTIONAL_TEXT)
    steam_agreement_status: Optional[str] = wire(OPTIONAL_TEXT)
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    updated_at: Optional[str] = wire(OPTIONAL_TEXT)
    amount_coins_estimate: Optional[str] = wire(OPTIONAL_TEXT)
    player_email: Optional[str] = wire(OPTIONAL_TEXT)
    player_name: Optional[str] = wire(OPTIONAL_TEXT)
    trial_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    trial_amount_coins_estimate: Optional[str] = wire(OPTIONAL_TEXT)
    interval: str = wire(text_or("month"))
    interval_count: int = wire(int_or(1))
    period_seq: int = wire(int_or(0))
    player_id: Optional[int] = wire(INT_OR_NONE)
    cancel_at_period_end: bool = wire(FLAG)
    wallet_only: bool = wire(FLAG)
    has_payment_method: bool = wire(FLAG)
    funding_rail: str = wire(text_or("card"))
    metadata: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    revenue_share: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    consent: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


SUBSCRIPTION: Reader[Optional[Subscription]] = nested(Subscription)


@dataclass(frozen=True)
class SubscriptionEnvelope(_Result):
    """What ``GET /api/subscriptions/{id}`` answers; ``subscriptions.get`` returns the
    :class:`Subscription` inside (the body itself when it has no ``subscription`` object)."""

    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    raw: dict[str, Any] = _raw_field()

    def unwrap(self) -> Subscription:
        """The subscription, with this answer's ``request_id``."""
        inner = self.subscription if self.subscription is not None else read(
            Subscription, self.raw)
        object.__setattr__(inner, "request_id", self.request_id)
        return inner


@dataclass(frozen=True)
class FirstCharge(_Result):
    """The outcome of the first charge of a new subscription (body ``first_charge``).

    ``status``: ``paid``, ``requires_action`` (send the member to ``confirmation_url`` before
    ``expires_at``), ``skipped_trial``, ``failed`` (``failure_code``, ``next_retry_at``),
    ``pending`` or ``pending_authorization`` (Steam).
    """

    status: str = wire(TEXT)
    amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    paid_through: Optional[str] = wire(OPTIONAL_TEXT)
    failure_code: Optional[str] = wire(OPTIONAL_TEXT)
    next_retry_at: Optional[str] = wire(OPTIONAL_TEXT)
    #: A single-use link for whoever holds it: hidden from ``repr``.
    confirmation_url: Optional[str] = wire(OPTIONAL_TEXT, repr=False)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    message: Optional[str] = wire(OPTIONAL_TEXT)
    paid_period_seq: Optional[int] = wire(INT_OR_NONE)
    receipt_number: Optional[str] = wire(NONEMPTY_TEXT)
    receipt_url: Optional[str] = wire(RECEIPT_URL)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlayerCard(_Result):
    """A saved card (never the number: brand, last four, expiry)."""

    id: int = wire(int_or(0))
    exp_month: int = wire(int_or(0))
    exp_year: int = wire(int_or(0))
    last_four: str = wire(TEXT)
    brand: str = wire(TEXT)
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


CARD: Reader[Optional[PlayerCard]] = nested(PlayerCard)
FIRST_CHARGE: Reader[Optional[FirstCharge]] = nested(FirstCharge)


@dataclass(frozen=True)
class SubscriptionResult(_Result):
    """A created (``create``) or finalised (``steam_finalize``) subscription.

    ``idempotent_replay`` is true when the same ``client_request_id`` was seen before (the
    first charge is re-derived, never repeated); ``already_processed`` on a repeated finalize.
    """

    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    first_charge: Optional[FirstCharge] = wire(FIRST_CHARGE)
    card: Optional[PlayerCard] = wire(CARD)
    idempotent_replay: bool = wire(FLAG)
    already_processed: bool = wire(FLAG)
    sandbox_auto_approved: bool = wire(FLAG)
    steam_agreement_status: Optional[str] = wire(Reader(_opt_or_subscription, lambda: None))
    warning: Optional[str] = wire(OPTIONAL_TEXT)
    status: str = wire(TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class SubscriptionListResult(_Result):
    """One page of a player's subscriptions. ``pagination`` holds ``total_count``,
    ``limit``, ``offset`` and ``has_more``."""

    player_email: str = wire(TEXT)
    subscriptions: list[Subscription] = wire(rows(Subscription))
    pagination: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


def _subscription_text(inner_key: str) -> Reader[str]:
    return Reader(lambda body, key: _text_or_subscription(body, key, inner_key), str)


@dataclass(frozen=True)
class SteamInitResult(_Result):
    """A Steam subscription waiting for the member's authorisation in Steam.

    Call ``steam_finalize(subscription_id)`` once Steam's callback came back; on the web
    (``user_session="web"``) send the member to ``steam_checkout_url``.
    """

    status: str = wire(TEXT)
    steam_order_id: str = wire(TEXT)
    subscription_status: str = wire(_subscription_text("status"))
    subscription_id: str = wire(_subscription_text("subscription_id"))
    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    order_id: Optional[str] = wire(OPTIONAL_TEXT)
    steam_transid: Optional[str] = wire(OPTIONAL_TEXT)
    steam_checkout_url: Optional[str] = wire(OPTIONAL_TEXT)
    amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    amount_coins: Optional[str] = wire(OPTIONAL_TEXT)
    steam_charge_usd: Optional[str] = wire(OPTIONAL_TEXT)
    recurring_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    message: Optional[str] = wire(OPTIONAL_TEXT)
    pending_reuse: bool = wire(FLAG)
    idempotent_replay: bool = wire(FLAG)
    first_charge: Optional[FirstCharge] = wire(FIRST_CHARGE)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CancelResult(_Result):
    """A cancellation: at period end (stays live until ``access_until``) or now.

    ``already_canceled`` (with ``final_status``) when the subscription had already ended;
    ``terminated_immediately`` when an at-period-end cancel ended it at once because nothing
    was ever paid (``downgrade_reason == "NO_PAID_PERIOD"``).
    """

    status: str = wire(TEXT)
    already_canceled: bool = wire(FLAG)
    cancel_at_period_end: bool = wire(FLAG)
    terminated_immediately: bool = wire(FLAG)
    effective_at: Optional[str] = wire(OPTIONAL_TEXT)
    access_until: Optional[str] = wire(OPTIONAL_TEXT)
    paid_through: Optional[str] = wire(OPTIONAL_TEXT)
    current_period_end: Optional[str] = wire(OPTIONAL_TEXT)
    downgrade_reason: Optional[str] = wire(OPTIONAL_TEXT)
    final_status: Optional[str] = wire(OPTIONAL_TEXT)
    steam_agreement_status: Optional[str] = wire(OPTIONAL_TEXT)
    message: Optional[str] = wire(OPTIONAL_TEXT)
    steam_agreement_canceled: Optional[bool] = wire(BOOL_OR_NONE)
    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class AmountChangeResult(_Result):
    """A price change, staged for a later period (never prorated).

    The next renewal still bills the old price; ``applies_from`` / ``applies_from_period_seq``
    say from which period the new one applies (``None`` before any payment).
    ``change_queued`` is false when the new price equals the current one (the staged change
    is cleared).
    """

    status: str = wire(TEXT)
    old_amount_usd: str = wire(TEXT)
    new_amount_usd: str = wire(TEXT)
    pending_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    applies_from: Optional[str] = wire(OPTIONAL_TEXT)
    paid_through: Optional[str] = wire(OPTIONAL_TEXT)
    current_period_end: Optional[str] = wire(OPTIONAL_TEXT)
    applies_from_period_seq: Optional[int] = wire(INT_OR_NONE)
    change_queued: bool = wire(FLAG)
    prorated: bool = wire(FLAG)
    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PaymentMethodResult(_Result):
    """The card a subscription bills from the next charge on (``replaced`` is false when it
    was already that card)."""

    status: str = wire(TEXT)
    replaced: bool = wire(FLAG)
    wallet_only: bool = wire(FLAG)
    card: Optional[PlayerCard] = wire(CARD)
    subscription: Optional[Subscription] = wire(SUBSCRIPTION)
    raw: dict[str, Any] = _raw_field()


# -- refunds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RefundWarning:
    """A non-fatal remark on a refund (``REASON_RECOMMENDED``, ``REASON_TRUNCATED``)."""

    code: str = ""
    message: str = ""


def _refund_warnings(body: Body, key: str) -> list[RefundWarning]:
    value = body.get(key)
    if not isinstance(value, list):
        return []
    return [RefundWarning(TEXT.read(item, "code"), TEXT.read(item, "message"))
            for item in value if isinstance(item, Mapping)]


def _flag_if_present(body: Body, key: str) -> Optional[bool]:
    return body.get(key) is True if key in body else None


def _request_id_of(body: Body, key: str) -> Optional[str]:
    value = OPTIONAL_TEXT.read(body, key)
    return value if value is not None else OPTIONAL_TEXT.read(body, "refund_request_id")


@dataclass(frozen=True, eq=False)
class RefundResult(_Result):
    """What ``subscriptions.refund`` returns: always a :class:`RefundReceipt` (the refund
    ran) or a :class:`RefundPendingApproval` (over the daily self-serve cap: a request INVO
    decides; nothing moved). Test ``is_pending_approval`` or ``isinstance``.

    Two refund results are equal when their fields are (whatever the subclass); they are
    unhashable.
    """

    status: str = wire(TEXT)
    idempotent_replay: bool = wire(FLAG)
    is_full_refund: bool = wire(FLAG)
    processor_refund_adopted: bool = wire(FLAG)
    invo_fee_retained: bool = wire(FLAG)
    period_seq: Optional[int] = wire(INT_OR_NONE)
    refund_key: Optional[str] = wire(OPTIONAL_TEXT)
    client_request_id: Optional[str] = wire(OPTIONAL_TEXT)
    subscription_id: Optional[str] = wire(OPTIONAL_TEXT)
    transaction_id: Optional[str] = wire(OPTIONAL_TEXT)
    refunded_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    total_refunded_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    remaining_refundable_usd: Optional[str] = wire(OPTIONAL_TEXT)
    funding_shape: Optional[str] = wire(OPTIONAL_TEXT)
    balance_delta_coins: Optional[str] = wire(OPTIONAL_TEXT)
    card_refunded_usd: Optional[str] = wire(OPTIONAL_TEXT)
    processor_refund_reference: Optional[str] = wire(OPTIONAL_TEXT)
    partner_revenue_reversed_usd: Optional[str] = wire(OPTIONAL_TEXT)
    partner_revenue_reversal_mode: Optional[str] = wire(OPTIONAL_TEXT)
    reason: Optional[str] = wire(OPTIONAL_TEXT)
    refunded_at: Optional[str] = wire(OPTIONAL_TEXT)
    new_balance: Optional[str] = wire(OPTIONAL_TEXT)
    note: Optional[str] = wire(OPTIONAL_TEXT)
    subscription_status: Optional[str] = wire(OPTIONAL_TEXT)
    processing_fee_usd: Optional[str] = wire(OPTIONAL_TEXT)
    processing_fee_basis: Optional[str] = wire(OPTIONAL_TEXT)
    processing_fee_borne_by: Optional[str] = wire(OPTIONAL_TEXT)
    processing_fee_transaction_id: Optional[str] = wire(OPTIONAL_TEXT)
    partner_total_reversed_usd: Optional[str] = wire(OPTIONAL_TEXT)
    initiation: Optional[str] = wire(OPTIONAL_TEXT)
    refund_request_id: Optional[str] = wire(OPTIONAL_TEXT)
    card_fee_charged_to_partner_usd: Optional[str] = wire(OPTIONAL_TEXT)
    partner_debited_usd: Optional[str] = wire(OPTIONAL_TEXT)
    revenue_share_attribution: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    warnings: list[RefundWarning] = wire(Reader(_refund_warnings, list))
    subscription_canceled: Optional[bool] = wire(Reader(_flag_if_present, lambda: None))
    raw: dict[str, Any] = _raw_field()

    __hash__ = None  # type: ignore[assignment]

    def _compared(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.compare}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RefundResult):
            return NotImplemented
        return self._compared() == other._compared()

    @property
    def is_pending_approval(self) -> bool:
        """True when the refund became a request INVO must approve (HTTP 202)."""
        return self.status == "pending_approval"

    @staticmethod
    def of(body: Body) -> RefundResult:
        """The right subclass for an answer: pending when body ``status`` is
        ``"pending_approval"``, else a receipt."""
        cls = RefundPendingApproval if body.get("status") == "pending_approval" else RefundReceipt
        return read(cls, body)


@dataclass(frozen=True, eq=False)
class RefundReceipt(RefundResult):
    """A refund that ran (HTTP 200, ``status`` ``"refunded"``), or its replay."""


@dataclass(frozen=True, eq=False)
class RefundPendingApproval(RefundResult):
    """A refund over the daily self-serve cap: filed as request ``request_id`` (``SRR...``)
    for INVO to approve; nothing moved. The same ``client_request_id`` answers this again
    while pending, the receipt once approved, 409 ``REFUND_REQUEST_REJECTED`` once rejected.
    """

    request_id: Optional[str] = wire(Reader(_request_id_of, lambda: None))
    request_status: str = wire(TEXT)
    requested_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    requested_at: Optional[str] = wire(OPTIONAL_TEXT)
    daily_cap_usd: Optional[str] = wire(OPTIONAL_TEXT)
    executed_today_usd: Optional[str] = wire(OPTIONAL_TEXT)
    message: Optional[str] = wire(OPTIONAL_TEXT)


# -- cards -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardSetupSession(_Result):
    """A hosted page where the member saves a card (10 minutes; charges nothing).

    No webhook follows a save: ``cards.list`` is the signal.
    """

    session_id: str = wire(TEXT, default=False)
    card_setup_url: str = wire(REQUIRED_TEXT)
    expires_at: str = wire(TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CardSetupBegin(_Result):
    """A started card setup: ``succeeded`` (with ``card``), ``requires_action``,
    ``requires_confirmation`` or ``requires_payment_method`` (finish it on the client with
    ``client_secret`` and ``publishable_key``, then ``confirm_setup``)."""

    status: str = wire(TEXT)
    setup_intent_id: str = wire(TEXT)
    client_secret: Optional[str] = wire(OPTIONAL_TEXT, repr=False)
    publishable_key: Optional[str] = wire(OPTIONAL_TEXT)
    card: Optional[PlayerCard] = wire(CARD)
    already_saved: bool = wire(FLAG)
    message: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CardSetupConfirm(_Result):
    """A confirmed card setup: ``status`` ``"success"`` and the saved ``card``
    (``already_saved`` on a repeat)."""

    status: str = wire(TEXT)
    setup_intent_id: str = wire(TEXT)
    card: Optional[PlayerCard] = wire(CARD)
    already_saved: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlayerCardsResult(_Result):
    """A member's unexpired saved cards, newest first (``[]`` for an unknown member)."""

    cards: list[PlayerCard] = wire(rows(PlayerCard))
    raw: dict[str, Any] = _raw_field()


# -- the sandbox clock -------------------------------------------------------------------------


def _subscription_or_after(body: Body, key: str) -> Optional[dict[str, Any]]:
    for name in (key, "after"):
        value = body.get(name)
        if isinstance(value, Mapping):
            return dict(value)
    return None


def _int_list(body: Body, key: str) -> Optional[list[int]]:
    value = body.get(key)
    if not isinstance(value, list):
        return None
    return [n for n in (_int_or_none(item) for item in value) if n is not None]


@dataclass(frozen=True)
class SandboxClockResult(_Result):
    """What a sandbox clock action did. ``action``: ``advance-clock``, ``force-renewal``,
    ``force-failure``, ``force-auth-challenge`` or ``retired-at-period-end``.

    ``subscription`` is the body's ``subscription``, else its ``after`` block.
    """

    status: str = wire(TEXT)
    action: str = wire(TEXT)
    engine_stats: dict[str, Any] = wire(OBJECT)
    subscription: Optional[dict[str, Any]] = wire(Reader(_subscription_or_after, lambda: None))
    before: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    after: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    period_seq: Optional[int] = wire(INT_OR_NONE)
    attempt_no: Optional[int] = wire(INT_OR_NONE)
    intervals: Optional[int] = wire(INT_OR_NONE)
    intervals_applied_to_window: Optional[int] = wire(INT_OR_NONE)
    retry_budget_used: Optional[int] = wire(INT_OR_NONE)
    retries_remaining: Optional[int] = wire(INT_OR_NONE)
    auth_challenges_used: Optional[int] = wire(INT_OR_NONE)
    max_auth_challenges: Optional[int] = wire(INT_OR_NONE)
    amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    amount_coins: Optional[str] = wire(OPTIONAL_TEXT)
    note: Optional[str] = wire(OPTIONAL_TEXT)
    retired: bool = wire(FLAG)
    window_moved: Optional[bool] = wire(BOOL_OR_NONE)
    downgraded_to_decline: Optional[bool] = wire(BOOL_OR_NONE)
    retry_schedule_days: Optional[list[int]] = wire(Reader(_int_list, lambda: None))
    raw: dict[str, Any] = _raw_field()

