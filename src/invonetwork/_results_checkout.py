"""Typed results of one area of the API: checkout status and price quotes.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ._results import (
    FLAG,
    MIN_PURCHASE_WARNING,
    NONEMPTY_TEXT,
    OPTIONAL_TEXT,
    RECEIPT_URL,
    TEXT,
    Body,
    MinPurchaseWarning,
    Reader,
    _MissingFieldError,
    _optional_text,
    _raw_field,
    _Result,
    _text,
    read,
    wire,
)

__all__ = [
    "CurrencyPurchaseQuote",
    "CurrencyPurchaseQuoteBreakdown",
    "PurchaseStatusResult",
    "UnacknowledgedPurchaseOutcome",
]

#: ``reason_code`` values of a ``refused`` checkout that charged nothing.
_NOTHING_CHARGED_REASONS = frozenset({"PAYMENT_DECLINED", "PAYMENT_CANCELLED"})


def _status_word(body: Body, key: str) -> str:
    """``status``: any falsy value (missing, ``null``, ``""``, ``0``, ``false``) is ``""``."""
    value = body.get(key)
    if not value:
        return ""
    return value if isinstance(value, str) else str(value)


def _truthy_text(body: Body, key: str) -> str:
    """A truthy value as text, else ``""`` (the caller fills in what it asked for)."""
    value = body.get(key)
    if not value:
        return ""
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class PurchaseStatusResult(_Result):
    """Where a hosted checkout stands (``get_purchase_status``, ``wait_for_purchase``).

    ``status`` is ``pending`` (no payment seen), ``paid_pending_credit`` (charged, coins not
    in yet), ``credited``, ``refused``, ``refunded`` or ``expired``; INVO may add words, so
    stop polling on :attr:`terminal` (INVO's own verdict), never on ``status``. Grant coins
    from the ``purchase.completed`` webhook; this read is the fallback.
    """

    status: str = wire(Reader(_status_word, str))
    #: INVO's word that the status will not change any more.
    terminal: bool = wire(FLAG)
    order_id: Optional[str] = wire(OPTIONAL_TEXT)
    #: Only on ``credited``.
    coins_credited: Optional[str] = wire(OPTIONAL_TEXT)
    #: Only on ``credited``.
    transaction_id: Optional[str] = wire(OPTIONAL_TEXT)
    #: ``None`` once the session is past its expiry.
    new_balance: Optional[str] = wire(OPTIONAL_TEXT)
    #: On ``refused`` / ``refunded``: ``PAYMENT_DECLINED``, ``PAYMENT_CANCELLED``,
    #: ``CREDIT_REFUSED_*``, ``REFUNDED``, ``CHARGEBACK_LOST``.
    reason_code: Optional[str] = wire(OPTIONAL_TEXT)
    #: One buyer-safe sentence on ``refused`` / ``refunded`` / ``expired``.
    message: Optional[str] = wire(OPTIONAL_TEXT)
    #: What was charged (before the payment: what will be charged).
    amount_charged_usd: Optional[str] = wire(OPTIONAL_TEXT)
    listed_usd: Optional[str] = wire(OPTIONAL_TEXT)
    currency_name: Optional[str] = wire(OPTIONAL_TEXT)
    #: The body's ``session_id`` when truthy, else the id that was asked for.
    session_id: str = wire(Reader(_truthy_text, str))
    #: Merchant of Record card sales only.
    receipt_number: Optional[str] = wire(NONEMPTY_TEXT)
    receipt_url: Optional[str] = wire(RECEIPT_URL)
    raw: dict[str, Any] = _raw_field()

    @property
    def is_credited(self) -> bool:
        """The coins are in the player's balance."""
        return self.status == "credited"

    @property
    def is_refused(self) -> bool:
        """The payment was declined or cancelled, or INVO refused to credit it."""
        return self.status == "refused"

    @property
    def is_refunded(self) -> bool:
        """The charge was refunded (``REFUNDED``) or lost as a chargeback."""
        return self.status == "refunded"

    @property
    def is_expired(self) -> bool:
        """Nobody paid before the session ran out."""
        return self.status == "expired"

    @property
    def nothing_was_charged(self) -> bool:
        """``True`` only when INVO says no money moved: ``expired``, or ``refused`` with
        ``PAYMENT_DECLINED`` / ``PAYMENT_CANCELLED``. Unknown reason codes give ``False``."""
        if self.status == "expired":
            return True
        return self.status == "refused" and self.reason_code in _NOTHING_CHARGED_REASONS


# -- the price quote ---------------------------------------------------------------------------


def _breakdown_of(body: Body) -> Body:
    value = body.get("breakdown")
    return value if isinstance(value, Mapping) else {}


def _top_or_breakdown(body: Body, key: str) -> Any:
    """The top-level value when present (not ``null``), else the breakdown's."""
    value = body.get(key)
    return value if value is not None else _breakdown_of(body).get(key)


def _required_total(body: Body, key: str) -> str:
    """``req``: missing, ``null`` or ``""`` is ``INVALID_RESPONSE``."""
    value = body.get(key)
    if value is None or value == "":
        raise _MissingFieldError(key)
    return value if isinstance(value, str) else str(value)


def _cents(body: Body, key: str) -> int:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text_top_or_breakdown(body: Body, key: str) -> str:
    return _text({key: _top_or_breakdown(body, key)}, key)


def _optional_top_or_breakdown(body: Body, key: str) -> Optional[str]:
    return _optional_text({key: _top_or_breakdown(body, key)}, key)


def _quote_warning(body: Body, key: str) -> Optional[MinPurchaseWarning]:
    """The top-level key when present, else the breakdown's."""
    holder = body if key in body else _breakdown_of(body)
    return MIN_PURCHASE_WARNING.read(holder, key)


@dataclass(frozen=True)
class CurrencyPurchaseQuoteBreakdown(_Result):
    """How a quoted total is made up (the quote's ``breakdown`` object)."""

    subtotal_usd: str = wire(TEXT)
    tax_usd: str = wire(TEXT)
    tax_note: str = wire(TEXT)
    processing_fee_usd: str = wire(TEXT)
    processing_fee_note: str = wire(TEXT)
    total_usd: str = wire(TEXT)
    coins: str = wire(TEXT)
    currency_name: str = wire(TEXT)
    #: ``partner_responsible`` on Open partners (no tax collected by INVO).
    tax_treatment: Optional[str] = wire(OPTIONAL_TEXT)
    tax_rate_pct: Optional[str] = wire(OPTIONAL_TEXT)
    tax_jurisdiction: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


def _read_breakdown(body: Body, key: str) -> CurrencyPurchaseQuoteBreakdown:
    return read(CurrencyPurchaseQuoteBreakdown, _breakdown_of(body))


@dataclass(frozen=True)
class UnacknowledgedPurchaseOutcome:
    """What ``purchase_currency`` charges when called WITHOUT ``acknowledged_total_usd``."""

    charge_total_usd: str = ""
    processing_fee_usd: str = ""
    coins: str = ""
    partner_fee_usd: Optional[str] = None
    #: Who carries the card fee: ``"partner"`` or ``"coins"``.
    fee_taken_from: Optional[str] = None


def _unacknowledged(body: Body, key: str) -> Optional[UnacknowledgedPurchaseOutcome]:
    value = body.get(key)
    if not isinstance(value, Mapping):
        return None
    taken = _optional_text(value, "fee_taken_from")
    if taken is None:
        partner_fee_named = any(
            holder.get("partner_fee_usd") is not None
            for holder in (value, body, _breakdown_of(body))
        )
        taken = "partner" if partner_fee_named else "coins"
    return UnacknowledgedPurchaseOutcome(
        charge_total_usd=_text(value, "charge_total_usd"),
        processing_fee_usd=_text(value, "processing_fee_usd"),
        coins=_text(value, "coins"),
        partner_fee_usd=_optional_text(value, "partner_fee_usd"),
        fee_taken_from=taken,
    )


@dataclass(frozen=True)
class CurrencyPurchaseQuote(_Result):
    """What a card purchase of ``usd_amount`` will charge (``quote_currency_purchase``).

    Pass :attr:`total_usd` to ``purchase_currency(acknowledged_total_usd=...)`` to accept it;
    :attr:`if_unacknowledged` says what happens without that acknowledgement.
    """

    total_usd: str = wire(Reader(_required_total, None))
    amount_cents: int = wire(Reader(_cents, int))
    subtotal_usd: str = wire(TEXT)
    processing_fee_usd: str = wire(Reader(_text_top_or_breakdown, str))
    coins: str = wire(TEXT)
    currency_name: str = wire(TEXT)
    breakdown: CurrencyPurchaseQuoteBreakdown = wire(
        Reader(_read_breakdown, CurrencyPurchaseQuoteBreakdown))
    if_unacknowledged: Optional[UnacknowledgedPurchaseOutcome] = wire(
        Reader(_unacknowledged, lambda: None))
    partner_fee_usd: Optional[str] = wire(Reader(_optional_top_or_breakdown, lambda: None))
    international_card_fee_usd: Optional[str] = wire(
        Reader(_optional_top_or_breakdown, lambda: None))
    min_purchase_warning: Optional[MinPurchaseWarning] = wire(
        Reader(_quote_warning, lambda: None))
    fee_taken_from: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()
