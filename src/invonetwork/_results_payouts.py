"""Typed results of one area of the API: creator payouts and platform commerce.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.

**Payout results are also read-only mappings.** INVO's own Python client returns plain dicts
from ``server.payouts``; code written against it indexes them (``payout["status"]``,
``res.get("duplicate")``, ``"payee" in res``, ``for key in res``, ``len(res)``, ``dict(res)``).
Every payout result here implements :class:`collections.abc.Mapping` over exactly the dict
that client returns (for an object such as :class:`Payee`, the object INVO sent; for an
envelope such as :class:`PayeeRegistration`, the same keys and values as that client's dict),
so such code runs unchanged, while the attributes give typed values. The mapping's values
are the plain JSON values (``res["payee"]`` is a ``dict``), so ``json.dumps(dict(res))``
works. Two remarks:

* On :class:`PayeeList` and :class:`PayoutList` the attribute ``items`` is the typed list of
  rows (as INVO's key is named), so the Mapping method ``items()`` is not available there;
  use ``res["items"]``, ``res.keys()`` or ``dict(res).items()``.
* A payout result equals another of its class field by field, and equals a plain mapping
  with the same keys and values (``res == {"payee": ..., ...}``).

Platform commerce results are typed results like every other in the SDK (INVO's own client
returns dataclasses there too).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any, Optional

from ._results import (
    AS_SENT,
    BOOL_OR_NONE,
    FLAG,
    MIN_PURCHASE_WARNING,
    NONEMPTY_TEXT,
    OBJECT,
    OPTIONAL_LIST,
    OPTIONAL_OBJECT,
    OPTIONAL_TEXT,
    RECEIPT_URL,
    TEXT,
    Body,
    MinPurchaseWarning,
    Reader,
    _MissingFieldError,
    _raw_field,
    _Result,
    read,
    rows,
    wire,
)

__all__ = [
    "Payee",
    "PayeeInvite",
    "PayeeList",
    "PayeeRegistration",
    "Payout",
    "PayoutList",
    "PayoutRequestResult",
    "PlatformApprovalResult",
    "PlatformOrderStatusResult",
    "PlatformPurchaseHistoryResult",
    "PlatformPurchaseResult",
    "PlatformRefundResult",
]


# -- readers ------------------------------------------------------------------------------------


def _int_or_none(value: Any) -> Optional[int]:
    """*int?*: an int (never a bool) or a string of ASCII digits, else ``None``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        if 0 < len(text) <= 18 and text.isascii() and text.isdigit():
            return int(text)
    return None


def _int_or_zero(body: Body, key: str) -> int:
    found = _int_or_none(body.get(key))
    return 0 if found is None else found


def _opt_int(body: Body, key: str) -> Optional[int]:
    return _int_or_none(body.get(key))


def _payout_id(body: Body, key: str) -> Optional[int]:
    """``payout_id`` (an int; INVO's webhooks say so), else the object's ``id``."""
    found = _int_or_none(body.get(key))
    return found if found is not None else _int_or_none(body.get("id"))


def _payee_id(body: Body, key: str) -> str:
    """``payee_id`` (``cp_...``), else the object's ``id``; ``""`` when neither is a string."""
    for name in (key, "id"):
        value = body.get(name)
        if isinstance(value, str) and value:
            return value
    return ""


def _text_list(body: Body, key: str) -> list[str]:
    value = body.get(key)
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _nested(cls: type[Any], required: bool = False) -> Reader[Any]:
    """A nested object read as ``cls`` (its ``raw`` is that object); ``None`` when absent,
    or ``INVALID_RESPONSE`` when ``required``."""

    def read_nested(body: Body, key: str) -> Any:
        value = body.get(key)
        if isinstance(value, Mapping):
            return read(cls, value)
        if required:
            raise _MissingFieldError(key)
        return None

    return Reader(read_nested, None if required else (lambda: None))


INT_OR_ZERO: Reader[int] = Reader(_int_or_zero, int)
INT_OR_NONE: Reader[Optional[int]] = Reader(_opt_int, lambda: None)
TEXT_LIST: Reader[list[str]] = Reader(_text_list, list)


# -- the mapping view ---------------------------------------------------------------------------


class _MappingResult(_Result, Mapping[str, Any]):
    """A result that is also a read-only mapping over the dict INVO's own client returns.

    Subclasses are ``@dataclass(frozen=True, eq=False)``: equality is defined here.
    """

    raw: dict[str, Any]

    def _view(self) -> Mapping[str, Any]:
        """The dict INVO's client returns for this call (default: the object as sent)."""
        return self.raw

    def __getitem__(self, key: str) -> Any:
        return self._view()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._view())

    def __len__(self) -> int:
        return len(self._view())

    def __contains__(self, key: object) -> bool:
        return key in self._view()

    def __eq__(self, other: object) -> bool:
        if type(other) is type(self):
            return all(
                getattr(self, f.name) == getattr(other, f.name) for f in fields(self)  # type: ignore[arg-type]
                if f.compare
            )
        if isinstance(other, _MappingResult):
            return False
        if isinstance(other, Mapping):
            return dict(self._view()) == dict(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # a mapping with dict values: unhashable


# -- payees -------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class PayeeInvite(_MappingResult):
    """The email INVO sent the creator (``invite``). ``sent`` is ``False`` with an
    ``error_code`` when INVO could not send it; the creator is registered either way."""

    sent: bool = wire(FLAG)
    error_code: Optional[str] = wire(OPTIONAL_TEXT)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    sent_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True, eq=False)
class Payee(_MappingResult):
    """A creator INVO verifies and pays (a mapping over the ``payee`` object INVO sent).

    ``status`` is one of :data:`~invonetwork.payouts.PAYEE_STATUSES`. ``payable`` is true
    only when a payout can be requested now; otherwise ``payable_blockers`` says why
    (``erased``, ``closed``, ``not_verified``, ``verification_expired``,
    ``terms_not_accepted``, ``bank_not_verified``, ``not_payable_now``). You never see the
    creator's documents, tax id or bank details.
    """

    payee_id: str = wire(Reader(_payee_id, str))
    status: str = wire(TEXT)
    partner_reference: str = wire(TEXT)
    legal_name: str = wire(TEXT, repr=False)  # personal data: kept out of logs
    email: str = wire(TEXT, repr=False)
    country: str = wire(TEXT)
    payee_type: str = wire(TEXT)
    payable: bool = wire(FLAG)
    payable_blockers: list[str] = wire(TEXT_LIST)
    created_via: Optional[str] = wire(OPTIONAL_TEXT)
    status_changed_at: Optional[str] = wire(OPTIONAL_TEXT)
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    updated_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True, eq=False)
class PayeeRegistration(_MappingResult):
    """``register_payee``: as a mapping ``{"payee", "invite", "duplicate"}`` like INVO's client.

    ``duplicate`` is true when this ``partner_reference`` was already registered with the
    same details: the existing creator is returned and no second invite is sent.
    """

    payee: Optional[Payee] = wire(_nested(Payee))
    invite: Optional[PayeeInvite] = wire(_nested(PayeeInvite))
    duplicate: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()

    def _view(self) -> Mapping[str, Any]:
        return {"payee": self.raw.get("payee"), "invite": self.raw.get("invite"),
                "duplicate": self.duplicate}


@dataclass(frozen=True, eq=False)
class PayeeList(_MappingResult):
    """``list_payees``: as a mapping ``{"total", "limit", "offset", "items"}`` (ints, and the
    rows as sent); ``items`` the typed :class:`Payee` rows, newest first."""

    total: int = wire(INT_OR_ZERO)
    limit: int = wire(INT_OR_ZERO)
    offset: int = wire(INT_OR_ZERO)
    items: list[Payee] = wire(rows(Payee))  # type: ignore[assignment]  # INVO's key name
    raw: dict[str, Any] = _raw_field()

    def _view(self) -> Mapping[str, Any]:
        found = self.raw.get("items")
        return {"total": self.total, "limit": self.limit, "offset": self.offset,
                "items": list(found) if isinstance(found, list) else []}


@dataclass(frozen=True)
class _PayeeAnswer(_Result):
    """The body of ``get_payee`` / ``remove_payee``: the ``payee`` object is required."""

    payee: Payee = wire(_nested(Payee, required=True))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class _InviteAnswer(_Result):
    """The body of ``resend_payee_invite``: the ``invite`` object is required."""

    invite: PayeeInvite = wire(_nested(PayeeInvite, required=True))
    raw: dict[str, Any] = _raw_field()


# -- payouts ------------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Payout(_MappingResult):
    """A payout (a mapping over the ``payout_request`` object INVO sent).

    ``status`` is one of :data:`~invonetwork.payouts.PAYOUT_STATUSES`. Amounts are the
    decimal strings INVO sends: ``net_payout_usd = requested_amount_usd -
    offboarding_fee_usd`` (the payout fee, 1 % capped at $500 with a $10 minimum by
    default). ``owner_confirmation_required`` marks the first payout to a creator registered
    with the game secret: INVO approves it only after the account owner confirms it in the
    console. ``payee_id`` is ``None`` on a payout to the game's own bank account.
    """

    payout_id: Optional[int] = wire(Reader(_payout_id, lambda: None))
    status: str = wire(TEXT)
    requested_amount_usd: Optional[str] = wire(OPTIONAL_TEXT)
    offboarding_fee_pct: Optional[str] = wire(OPTIONAL_TEXT)
    offboarding_fee_usd: Optional[str] = wire(OPTIONAL_TEXT)
    offboarding_fee_cap_usd: Optional[str] = wire(OPTIONAL_TEXT)
    net_payout_usd: Optional[str] = wire(OPTIONAL_TEXT)
    contact_email: str = wire(TEXT, repr=False)  # personal data: kept out of logs
    additional_emails: Optional[list[Any]] = wire(OPTIONAL_LIST, repr=False)
    payee_id: Optional[str] = wire(OPTIONAL_TEXT)
    bank_account_id: Optional[int] = wire(INT_OR_NONE)
    bank_account: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT, repr=False)
    payout_method: Optional[str] = wire(OPTIONAL_TEXT)
    client_request_id: Optional[str] = wire(OPTIONAL_TEXT)
    partner_note: Optional[str] = wire(OPTIONAL_TEXT)
    partner_message: Optional[str] = wire(OPTIONAL_TEXT)
    owner_confirmation_required: bool = wire(FLAG)
    initiated_by: Optional[str] = wire(OPTIONAL_TEXT)
    owed_balance_at_request_usd: Optional[str] = wire(OPTIONAL_TEXT)
    reviewed_at: Optional[str] = wire(OPTIONAL_TEXT)
    returned_at: Optional[str] = wire(OPTIONAL_TEXT)
    return_reason_code: Optional[str] = wire(OPTIONAL_TEXT)
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    updated_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True, eq=False)
class PayoutRequestResult(_MappingResult):
    """``request_payout``: as a mapping ``{"payout", "duplicate"}`` like INVO's client
    (``payout`` is the body's ``payout_request``). ``duplicate`` is true when a repeated
    ``client_request_id`` returned the first payout instead of asking for a second."""

    payout: Optional[Payout] = wire(_nested(Payout), "payout_request")
    duplicate: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()

    def _view(self) -> Mapping[str, Any]:
        return {"payout": self.raw.get("payout_request"), "duplicate": self.duplicate}


@dataclass(frozen=True, eq=False)
class PayoutList(_MappingResult):
    """``list_payouts``: as a mapping ``{"total", "items"}``; ``items`` the typed rows."""

    total: int = wire(INT_OR_ZERO)
    items: list[Payout] = wire(rows(Payout))  # type: ignore[assignment]  # INVO's key name
    raw: dict[str, Any] = _raw_field()

    def _view(self) -> Mapping[str, Any]:
        found = self.raw.get("items")
        return {"total": self.total, "items": list(found) if isinstance(found, list) else []}


@dataclass(frozen=True)
class _PayoutAnswer(_Result):
    """The body of ``get_payout`` / ``cancel_payout``: ``payout_request`` is required."""

    payout: Payout = wire(_nested(Payout, required=True), "payout_request")
    raw: dict[str, Any] = _raw_field()


# -- platform commerce --------------------------------------------------------------------------


def _present(value: Any) -> bool:
    """A load-bearing value: not missing, ``null`` or ``""`` (its string form)."""
    return value is not None and str(value) != ""


def _purchase_status(body: Body, key: str) -> str:
    """``status``, after checking the field this status needs (else ``INVALID_RESPONSE``):
    ``approval_id`` when ``pending_approval``, ``checkout_url`` when ``requires_payment``,
    ``order_id`` otherwise."""
    status = body.get(key)
    text = "" if status is None else str(status)
    needed = {"pending_approval": "approval_id",
              "requires_payment": "checkout_url"}.get(text, "order_id")
    if not _present(body.get(needed)):
        raise _MissingFieldError(needed)
    return text


def _unix_seconds(body: Body, key: str) -> Optional[int]:
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _usd_text(body: Body, key: str) -> Optional[str]:
    """A USD figure: a string as sent, a finite number to 2 places, else ``None``."""
    value = body.get(key)
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return f"{value:.2f}" if math.isfinite(value) else None


def _refunded_amount(body: Body, key: str) -> Any:
    found = body.get(key)
    return body.get("refunded_amount_usd") if found is None else found


def _amount_unit(body: Body, key: str) -> Optional[str]:
    found = body.get(key)
    if found is not None:
        return str(found)
    return "usd" if body.get("funding_source") == "card" else None


def _processor_refund_id(body: Body, key: str) -> Any:
    return body.get(key) or body.get("stripe_refund_id") or None


@dataclass(frozen=True)
class PlatformPurchaseResult(_Result):
    """``platform_commerce.purchase``: what happens next depends on ``status``.

    * ``success`` (balance leg): settled now; ``order_id``, ``new_balance``,
      ``previous_balance``, ``financial_breakdown``.
    * ``pending_approval`` (balance leg with ``require_player_approval``): nothing debited
      yet; send the buyer to ``approval_url`` (``None`` on a replay of a waiting purchase:
      keep the first answer's). The sale is final on ``platform_commerce.purchased``.
    * ``requires_payment`` (card leg): send the buyer to ``checkout_url`` (expires at
      ``expires_at``, Unix seconds). Fulfil on the ``platform_commerce.purchased`` webhook.

    ``funding_source`` is the body's, else the one requested.
    """

    status: str = wire(Reader(_purchase_status, str))
    funding_source: str = wire(TEXT)
    order_id: Any = wire(AS_SENT)
    transaction_id: Any = wire(AS_SENT)
    new_balance: Any = wire(AS_SENT)
    previous_balance: Any = wire(AS_SENT)
    currency_name: Any = wire(AS_SENT)
    financial_breakdown: Any = wire(AS_SENT)
    session_id: Any = wire(AS_SENT)
    checkout_url: Any = wire(AS_SENT)
    expires_at: Optional[int] = wire(Reader(_unix_seconds, lambda: None))
    amount_usd: Any = wire(AS_SENT)
    idempotent_replay: bool = wire(FLAG)
    min_purchase_warning: Optional[MinPurchaseWarning] = wire(MIN_PURCHASE_WARNING)
    approval_id: Any = wire(AS_SENT)
    approval_url: Any = wire(AS_SENT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlatformApprovalResult(_Result):
    """A buyer-approved purchase: ``status`` ``pending``, ``completed`` (with ``order_id``),
    or ``declined`` / ``expired`` / ``cancelled`` / ``failed`` with a ``reason``."""

    approval_id: str = wire(TEXT)
    client_request_id: str = wire(TEXT)
    status: str = wire(TEXT)
    reason: Any = wire(AS_SENT)
    total_price: Any = wire(AS_SENT)
    order_id: Any = wire(AS_SENT)
    transaction_id: Any = wire(AS_SENT)
    expires_at: Any = wire(AS_SENT)
    decided_at: Any = wire(AS_SENT)
    metadata: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlatformOrderStatusResult(_Result):
    """An order: ``status`` ``completed``, ``pending_payment`` (card, not settled yet) or
    ``refunded``. ``order_id`` is the body's, else the one asked for. ``invo_fee_usd`` /
    ``partner_share_usd`` (once settled) say what INVO kept and what you earned."""

    order_id: Any = wire(Reader(lambda b, k: "" if b.get(k) is None else b.get(k), str))
    status: str = wire(TEXT)
    game_currency_amount: Any = wire(AS_SENT)
    usd_amount: Any = wire(AS_SENT)
    payment_method: Any = wire(AS_SENT)
    created_at: Any = wire(AS_SENT)
    receipt_number: Optional[str] = wire(NONEMPTY_TEXT)
    receipt_url: Optional[str] = wire(RECEIPT_URL)
    invo_fee_usd: Optional[str] = wire(Reader(_usd_text, lambda: None))
    partner_share_usd: Optional[str] = wire(Reader(_usd_text, lambda: None))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlatformPurchaseHistoryResult(_Result):
    """One page of a player's orders in your store, newest first. Pass ``next_cursor`` as
    ``cursor`` for the next page (``None`` on the last)."""

    player_email: str = wire(TEXT)
    game_id: str = wire(TEXT)
    purchases: list[PlatformOrderStatusResult] = wire(rows(PlatformOrderStatusResult))
    limit: Optional[int] = wire(INT_OR_NONE)
    has_more: bool = wire(FLAG)
    next_cursor: Optional[str] = wire(NONEMPTY_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlatformRefundResult(_Result):
    """A refund of a completed order. INVO keeps its fee (``fee_retained``); on a card sale
    the card fee stays charged to you. ``refunded_amount`` is in ``amount_unit`` (``usd``
    for a card sale; the game's currency for a balance sale). ``adopted`` with
    ``partial_refund`` means a refund made outside the API was recorded, and the order stays
    ``completed``: refund the rest with ``refund_remaining=True``."""

    status: str = wire(TEXT)
    order_id: Any = wire(AS_SENT)
    funding_source: Any = wire(AS_SENT)
    transaction_id: Any = wire(AS_SENT)
    refunded_amount: Any = wire(Reader(_refunded_amount, lambda: None))
    amount_unit: Optional[str] = wire(Reader(_amount_unit, lambda: None))
    new_balance: Any = wire(AS_SENT)
    processor_refund_id: Any = wire(
        Reader(_processor_refund_id, lambda: None), "processor_refund_reference")
    fee_retained: bool = wire(FLAG)
    partial_refund: Optional[bool] = wire(BOOL_OR_NONE)
    adopted: bool = wire(FLAG)
    refunded_total_usd: Optional[str] = wire(OPTIONAL_TEXT)
    charge_total_usd: Optional[str] = wire(OPTIONAL_TEXT)
    remaining_usd: Optional[str] = wire(OPTIONAL_TEXT)
    card_fee_charged_to_partner_usd: Optional[str] = wire(OPTIONAL_TEXT)
    partner_debited_usd: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()
