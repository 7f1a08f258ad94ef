"""Typed, frozen results of the API methods, described once and built by one function.

Each result class lists its fields with :func:`wire`: the reader (what the wire value becomes,
and what a missing one becomes) and, when it differs from the attribute name, the wire key
(``"approval.state"`` reads ``state`` inside the ``approval`` object). :func:`read` builds any
result from a JSON answer, by keyword. The rules, the same for every class, live in the
readers below and nowhere else:

* ``raw`` keeps the whole response body (hidden from ``repr``: it can hold personal data).
* A missing (or ``null``) string field becomes ``""``; a missing id, amount or other optional
  field becomes ``None``.
* Ids and amounts keep their wire types: ``"10.00"`` stays that string, an id sent as a
  number stays a number. Nothing is rounded or converted. A string field sent as another
  scalar is given as its ``str``.
* A field the SDK cannot do without (``token``, ``checkout_url`` ...) raises
  ``InvalidResponseError`` (code ``INVALID_RESPONSE``, ``body`` = the answer) when absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Generic, Optional, TypeVar, Union
from urllib.parse import parse_qs, urlsplit

from .errors import InvalidResponseError

__all__ = [
    "CheckoutWarning",
    "ClaimResult",
    "ConfirmPaymentResult",
    "CreateCheckoutResult",
    "CurrencyBalance",
    "DestinationGame",
    "DestinationsResult",
    "GuardianApprovalStatusResult",
    "InboundPendingItem",
    "InboundPendingResult",
    "InitiateResult",
    "ItemHistoryResult",
    "LinkedIdentitiesResult",
    "LinkedIdentityEmail",
    "MinPurchaseWarning",
    "OrderDetailsResult",
    "PhoneShareApproveResult",
    "PhoneShareInitiateResult",
    "PhoneShareStatusResult",
    "PlayerBalanceResult",
    "PlayerToken",
    "PurchaseItemResult",
    "PurchaseResult",
    "RotateSecretResult",
    "SmsVerifyResult",
    "TransactionStatusResult",
    "WebhookEndpointResult",
]

Body = Mapping[str, Any]
#: An id as INVO sends it: a string or an integer.
Id = Union[str, int]
#: An amount as INVO sends it: a decimal string (usually) or a JSON number.
Amount = Union[str, int, float]

T = TypeVar("T")
R = TypeVar("R")


class _MissingFieldError(Exception):
    """A required field is absent; :func:`read` turns it into ``InvalidResponseError``."""


@dataclass(frozen=True)
class Reader(Generic[T]):
    """How one kind of field is read: ``read(container, key)``, and its value when absent."""

    read: Callable[[Body, str], T]
    missing: Optional[Callable[[], T]]  # None: required, no default


def _text(body: Body, key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _optional_text(body: Body, key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _id(body: Body, key: str) -> Optional[Id]:
    value = body.get(key)
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


def _amount(body: Body, key: str) -> Optional[Amount]:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return None
    return value


def _as_sent(body: Body, key: str) -> Any:
    return body.get(key)


def _flag(body: Body, key: str) -> bool:
    return body.get(key) is True


def _bool_or_none(body: Body, key: str) -> Optional[bool]:
    value = body.get(key)
    return value if isinstance(value, bool) else None


def _object(body: Body, key: str) -> dict[str, Any]:
    value = body.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def _optional_object(body: Body, key: str) -> Optional[dict[str, Any]]:
    value = body.get(key)
    return dict(value) if isinstance(value, Mapping) else None


def _list(body: Body, key: str) -> list[Any]:
    value = body.get(key)
    return list(value) if isinstance(value, list) else []


def _optional_list(body: Body, key: str) -> Optional[list[Any]]:
    value = body.get(key)
    return list(value) if isinstance(value, list) else None


def _required_text(body: Body, key: str) -> str:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _MissingFieldError(key)
    return value if isinstance(value, str) else str(value)


def _required_id(body: Body, key: str) -> Id:
    value = _id(body, key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise _MissingFieldError(key)
    return value


TEXT: Reader[str] = Reader(_text, str)
OPTIONAL_TEXT: Reader[Optional[str]] = Reader(_optional_text, lambda: None)
ID: Reader[Optional[Id]] = Reader(_id, lambda: None)
AMOUNT: Reader[Optional[Amount]] = Reader(_amount, lambda: None)
AS_SENT: Reader[Any] = Reader(_as_sent, lambda: None)
FLAG: Reader[bool] = Reader(_flag, bool)
BOOL_OR_NONE: Reader[Optional[bool]] = Reader(_bool_or_none, lambda: None)
OBJECT: Reader[dict[str, Any]] = Reader(_object, dict)
OPTIONAL_OBJECT: Reader[Optional[dict[str, Any]]] = Reader(_optional_object, lambda: None)
LIST: Reader[list[Any]] = Reader(_list, list)
OPTIONAL_LIST: Reader[Optional[list[Any]]] = Reader(_optional_list, lambda: None)
REQUIRED_TEXT: Reader[str] = Reader(_required_text, None)
REQUIRED_ID: Reader[Id] = Reader(_required_id, None)


def rows(cls: type[R]) -> Reader[list[R]]:
    """A list of nested results: every JSON object in the list, read as ``cls``."""

    def read_rows(body: Body, key: str) -> list[R]:
        value = body.get(key)
        items = value if isinstance(value, list) else []
        return [read(cls, item) for item in items if isinstance(item, Mapping)]

    return Reader(read_rows, list)


@dataclass(frozen=True)
class _Wire:
    reader: Reader[Any]
    key: str


def wire(
    reader: Reader[T], key: str = "", *, repr: bool = True, default: bool = True
) -> T:
    """Describe one result field: its reader and (when not the attribute name) its wire key.

    A required reader, or ``default=False``, leaves the constructor argument without default.
    """
    spec = {"wire": _Wire(reader, key)}
    if reader.missing is None or not default:
        made: T = field(repr=repr, metadata=spec)
        return made
    return field(default_factory=reader.missing, repr=repr, metadata=spec)


def _raw_field() -> Any:
    """``raw``: the whole answer, left out of ``repr`` (personal data) and of ``==``."""
    return field(default_factory=dict, repr=False, compare=False)


# Per class: (attribute, reader function, wire key, path of the objects it is nested in).
_Plan = tuple[tuple[str, Callable[[Body, str], Any], str, tuple[str, ...]], ...]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    plan = _PLANS.get(cls)
    if plan is None:
        steps = []
        for f in fields(cls):
            spec = f.metadata.get("wire")
            if spec is not None:
                *outer, key = (spec.key or f.name).split(".")
                steps.append((f.name, spec.reader.read, key, tuple(outer)))
        plan = _PLANS[cls] = tuple(steps)
    return plan


def _container(body: Body, path: tuple[str, ...]) -> Body:
    for part in path:
        inner = body.get(part)
        body = inner if isinstance(inner, Mapping) else {}
    return body


def read(
    cls: type[R], body: Body, fallbacks: Mapping[str, Any] = {}, *,
    request_id: Optional[str] = None,
) -> R:
    """Build ``cls`` from a JSON answer, by keyword, following its field descriptions.

    ``fallbacks`` gives the value of a field that the answer left empty (``""`` or ``None``).
    ``request_id`` (INVO's id of the answer) is set on the result's ``request_id``.
    """
    values: dict[str, Any] = {}
    try:
        for name, reader, key, outer in _plan(cls):
            values[name] = reader(_container(body, outer) if outer else body, key)
        for name, value in fallbacks.items():
            if values.get(name) in ("", None):
                values[name] = value
    except _MissingFieldError as missing:
        raise InvalidResponseError(
            f"INVO's answer has no {missing.args[0]!r}, which this call needs",
            code="INVALID_RESPONSE",
            body=dict(body),
        ) from None
    result = cls(**values, raw=dict(body))  # type: ignore[call-arg]  # every result has raw
    if request_id is not None:
        # Not a dataclass field (so ==, repr and asdict are as before); the instance is frozen.
        object.__setattr__(result, "request_id", request_id)
    return result


class _Result:
    """What every result class has besides its fields."""

    #: INVO's request id of the answer this result was read from (the ``x-invo-request-id``
    #: header, else ``x-request-id``): quote it to INVO support. ``None`` when the answer had
    #: none, or for a result built by hand or nested in another.
    request_id: Optional[str] = None

    @classmethod
    def from_body(cls: type[R], body: Body, **fallbacks: Any) -> R:
        """Build from an INVO answer, as the SDK does (see :func:`read`)."""
        return read(cls, body, fallbacks)


def _nonempty_text(body: Body, key: str) -> Optional[str]:
    value = body.get(key)
    return value if isinstance(value, str) and value else None


NONEMPTY_TEXT: Reader[Optional[str]] = Reader(_nonempty_text, lambda: None)


def _token_expiry(body: Body, key: str) -> Optional[str]:
    """``player_token_expires_at``: a string only beside a non-empty ``player_token``."""
    if _nonempty_text(body, "player_token") is None:
        return None
    value = body.get(key)
    return value if isinstance(value, str) else None


def _receipt_url(body: Body, key: str) -> Optional[str]:
    """``receipt_url`` (``ne``), and ``None`` unless ``receipt_number`` is set."""
    if _nonempty_text(body, "receipt_number") is None:
        return None
    return _nonempty_text(body, key)


def _reason_code(body: Body, key: str) -> Optional[str]:
    """``reason_code`` (``s?``) only when ``credited`` is JSON ``false``."""
    return _optional_text(body, key) if body.get("credited") is False else None


TOKEN_EXPIRY: Reader[Optional[str]] = Reader(_token_expiry, lambda: None)
RECEIPT_URL: Reader[Optional[str]] = Reader(_receipt_url, lambda: None)


# -- part 1 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayerToken(_Result):
    """A short-lived, game-scoped token for the browser SDK (``mint_player_token``)."""

    token: str = wire(REQUIRED_TEXT)
    expires_at: str = wire(TEXT)
    identity_id: Optional[Id] = wire(ID)
    #: ``True`` when this call created the player (an unknown email with a phone).
    created: bool = wire(FLAG)
    #: ``True`` when the phone given differs from the existing player's (it is not changed).
    phone_mismatch: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()

    def __repr__(self) -> str:  # the token is a bearer credential: keep it out of logs
        return f"PlayerToken(token='***', expires_at={self.expires_at!r})"


def _verification_method(body: Body, key: str) -> Optional[str]:
    # The minor's path (HTTP 202) is keyed on the presence of ``guardian_approval``.
    if "guardian_approval" in body:
        return None
    value = body.get(key)
    return value if value in ("in_app", "sms") else None


def _guardian_approval(body: Body, key: str) -> Optional[dict[str, Any]]:
    if key not in body:
        return None
    value = body.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


@dataclass(frozen=True)
class InitiateResult(_Result):
    """A started send or transfer (``initiate_send`` / ``initiate_transfer``).

    ``verification_method`` is ``"in_app"`` (approve by passkey in the browser), ``"sms"``
    (the sender got a PIN: check it with ``verify_sms_*``) or ``None``. When the answer holds
    ``guardian_approval`` (the HTTP 202 path for a minor) it is always ``None``: wait for the
    guardian instead of showing a PIN screen.
    """

    transaction_id: Optional[Id] = wire(ID)
    verification_method: Optional[str] = wire(Reader(_verification_method, lambda: None))
    guardian_approval: Optional[dict[str, Any]] = wire(Reader(_guardian_approval, lambda: None))
    #: ``True`` when a phone added to an email-only sender re-keyed the identity: use the
    #: fresh ``player_token`` (an older token's approve answers ``PLAYER_TOKEN_STALE``).
    identity_rekeyed: bool = wire(FLAG)
    player_token: Optional[str] = wire(NONEMPTY_TEXT, repr=False)  # a bearer credential
    player_token_expires_at: Optional[str] = wire(TOKEN_EXPIRY)
    identity_id: Optional[str] = wire(NONEMPTY_TEXT)
    #: How the claim will be delivered: ``"email"``, ``"none"`` or legacy ``"sms"``.
    claim_delivery_planned: Optional[str] = wire(NONEMPTY_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CheckoutWarning:
    """A non-fatal remark on a new checkout (e.g. ``ITEM_METADATA_ON_CURRENCY_SESSION``)."""

    code: str = ""
    message: str = ""
    fields: list[str] = field(default_factory=list)


def _checkout_warnings(body: Body, key: str) -> list[CheckoutWarning]:
    value = body.get(key)
    if not isinstance(value, list):
        return []
    made = []
    for item in value:
        if isinstance(item, Mapping):
            names = item.get("fields")
            made.append(CheckoutWarning(
                code=_text(item, "code"), message=_text(item, "message"),
                fields=[n for n in names if isinstance(n, str)] if isinstance(names, list)
                else []))
    return made


@dataclass(frozen=True)
class MinPurchaseWarning(_Result):
    """A sale under the card minimum that still went through, before the minimum is enforced."""

    code: str = wire(TEXT)
    min_usd: str = wire(TEXT)
    enforced_from: str = wire(TEXT)
    message: Optional[str] = wire(NONEMPTY_TEXT)
    enforced: Optional[bool] = wire(BOOL_OR_NONE)
    raw: dict[str, Any] = _raw_field()


def _min_purchase_warning(body: Body, key: str) -> Optional[MinPurchaseWarning]:
    value = body.get(key)
    return read(MinPurchaseWarning, value) if isinstance(value, Mapping) else None


def _whole_seconds(body: Body, key: str) -> int:
    value = body.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return int(value) if math.isfinite(value) else 0


def _session_token(body: Body, key: str) -> Optional[str]:
    """``session_token`` when not blank, else the first non-blank ``session`` query value of
    ``checkout_url`` (``None`` also for a URL that does not parse)."""
    value = body.get(key)
    if isinstance(value, str) and value.strip():
        return value
    url = body.get("checkout_url")
    if not isinstance(url, str):
        return None
    try:
        values = parse_qs(urlsplit(url).query).get("session", [])
    except ValueError:
        return None
    return next((v for v in values if v.strip()), None)


MIN_PURCHASE_WARNING: Reader[Optional[MinPurchaseWarning]] = Reader(
    _min_purchase_warning, lambda: None)


@dataclass(frozen=True)
class CreateCheckoutResult(_Result):
    """A hosted checkout session: open ``checkout_url`` in an iframe, WebView or redirect.

    ``session_token`` (the checkout's bearer token, kept out of ``repr``) reads the session
    status; ``warnings`` are non-fatal remarks; ``min_purchase_warning`` is set when the amount
    is under the card minimum INVO will enforce from ``enforced_from``.
    """

    session_id: Optional[Id] = wire(ID, default=False)
    checkout_url: str = wire(REQUIRED_TEXT)
    expires_at: str = wire(TEXT)
    expires_in_seconds: int = wire(Reader(_whole_seconds, int))
    session_token: Optional[str] = wire(Reader(_session_token, lambda: None), repr=False)
    warnings: list[CheckoutWarning] = wire(Reader(_checkout_warnings, list))
    min_purchase_warning: Optional[MinPurchaseWarning] = wire(MIN_PURCHASE_WARNING)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PurchaseResult(_Result):
    """A direct-rail currency purchase: ``status`` is ``success``, ``requires_action``
    (finish 3-D Secure with ``client_secret`` / ``payment_url``) or ``pending_payment``."""

    status: str = wire(TEXT)
    client_secret: Optional[str] = wire(OPTIONAL_TEXT)
    payment_intent_id: Optional[str] = wire(OPTIONAL_TEXT)
    payment_url: Optional[str] = wire(OPTIONAL_TEXT)
    transaction_id: Optional[Id] = wire(ID)
    order_id: Optional[Id] = wire(ID)
    new_balance: Optional[Amount] = wire(AMOUNT)
    processing_fee_usd: Optional[str] = wire(OPTIONAL_TEXT)
    fee_taken_from: Optional[str] = wire(OPTIONAL_TEXT)
    coins_credited: Optional[str] = wire(OPTIONAL_TEXT)
    charge_total_usd: Optional[str] = wire(OPTIONAL_TEXT)
    partner_fee_usd: Optional[str] = wire(OPTIONAL_TEXT)
    international_card_fee_usd: Optional[str] = wire(OPTIONAL_TEXT)
    #: Merchant of Record card sales only (``IR-YYYY-NNNNNNNN``).
    receipt_number: Optional[str] = wire(NONEMPTY_TEXT)
    receipt_url: Optional[str] = wire(RECEIPT_URL)
    min_purchase_warning: Optional[MinPurchaseWarning] = wire(MIN_PURCHASE_WARNING)
    raw: dict[str, Any] = _raw_field()

    def __repr__(self) -> str:
        secret = None if self.client_secret is None else "***"
        return (f"PurchaseResult(status={self.status!r}, transaction_id={self.transaction_id!r}, "
                f"order_id={self.order_id!r}, client_secret={secret!r})")


@dataclass(frozen=True)
class ConfirmPaymentResult(_Result):
    """The outcome of ``confirm_payment`` after the player finished the payment step."""

    status: str = wire(TEXT)
    transaction_id: Optional[Id] = wire(ID)
    new_balance: Optional[Amount] = wire(AMOUNT)
    #: ``True`` once the coins are in; ``False`` with a ``reason_code`` (``CREDIT_REFUSED_*``,
    #: ``REFUNDED``, ``CHARGEBACK_LOST``) or with none while INVO is finishing; ``None`` absent.
    credited: Optional[bool] = wire(BOOL_OR_NONE)
    reason_code: Optional[str] = wire(Reader(_reason_code, lambda: None))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class OrderDetailsResult(_Result):
    """An order (currency or item purchase) with its money summary and status timeline.

    The receipt pair exists only on Merchant of Record card sales (always ``None`` for item
    orders).
    """

    order: dict[str, Any] = wire(OBJECT)
    financial_summary: dict[str, Any] = wire(OBJECT)
    status_timeline: Any = wire(AS_SENT)
    receipt_number: Optional[str] = wire(NONEMPTY_TEXT)
    receipt_url: Optional[str] = wire(RECEIPT_URL)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PurchaseItemResult(_Result):
    """An item bought with game currency. Grant the item off the ``item.purchased`` webhook."""

    status: str = wire(TEXT, default=False)
    transaction_id: Id = wire(REQUIRED_ID)
    order_id: Id = wire(REQUIRED_ID)
    new_balance: Optional[Amount] = wire(AMOUNT)
    previous_balance: Optional[Amount] = wire(AMOUNT)
    currency_name: str = wire(TEXT)
    financial_breakdown: Optional[dict[str, Any]] = wire(OPTIONAL_OBJECT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class ItemHistoryResult(_Result):
    """One page of a player's item purchases (``history`` <- ``item_purchase_history``)."""

    history: list[Any] = wire(LIST, "item_purchase_history")
    pagination: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CurrencyBalance(_Result):
    """One currency in a player's wallet."""

    currency_id: Optional[Id] = wire(ID)
    currency_name: str = wire(TEXT)
    currency_symbol: str = wire(TEXT)
    available_balance: Optional[Amount] = wire(AMOUNT)
    reserved_balance: Optional[Amount] = wire(AMOUNT)
    total_balance: Optional[Amount] = wire(AMOUNT)
    last_transaction: Any = wire(AS_SENT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PlayerBalanceResult(_Result):
    """A player's balances in every currency, with a summary."""

    player: dict[str, Any] = wire(OBJECT)
    balances: list[CurrencyBalance] = wire(rows(CurrencyBalance))
    summary: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class InboundPendingItem(_Result):
    """A send or transfer waiting for this player to claim it."""

    transaction_id: Optional[Id] = wire(ID)
    flow: str = wire(TEXT)
    amount: Optional[Amount] = wire(AMOUNT)
    net_amount: Optional[Amount] = wire(AMOUNT)
    source_game_id: Optional[Id] = wire(ID)
    source_game: Any = wire(AS_SENT)
    to_phone: Optional[str] = wire(OPTIONAL_TEXT)
    to_identity_id: Optional[Id] = wire(ID)
    created_at: str = wire(TEXT)
    claim_code_expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class InboundPendingResult(_Result):
    """Everything waiting for a player to claim."""

    inbound_pending: list[InboundPendingItem] = wire(rows(InboundPendingItem))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class LinkedIdentityEmail(_Result):
    """One email linked to an INVO wallet."""

    email: str = wire(TEXT)
    primary: bool = wire(FLAG)
    verified_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class LinkedIdentitiesResult(_Result):
    """The INVO wallet behind a phone or email. ``not_found`` is true on a 404 (not an error)."""

    wallet_user_id: Optional[Id] = wire(ID)
    primary_email: str = wire(TEXT)
    primary_phone: str = wire(TEXT)
    is_minor: bool = wire(FLAG)
    emails: list[LinkedIdentityEmail] = wire(rows(LinkedIdentityEmail))
    not_found: bool = False
    raw: dict[str, Any] = _raw_field()


# -- part 2 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsVerifyResult(_Result):
    """The outcome of an SMS PIN check; ``status == "success"`` when the move is done."""

    status: str = wire(TEXT)
    transaction_id: Optional[Id] = wire(ID)
    claim_code: Optional[str] = wire(OPTIONAL_TEXT)
    new_balance: Optional[Amount] = wire(AMOUNT)
    order_id: Optional[Id] = wire(ID)
    raw: dict[str, Any] = _raw_field()


def _needs_account_selection(body: Body, key: str) -> bool:
    return body.get(key) == "needs_account_selection"


@dataclass(frozen=True)
class ClaimResult(_Result):
    """The outcome of redeeming a claim code.

    ``needs_account_selection`` is a normal answer, not an error: the phone maps to several
    of your players. Ask the player to pick one of ``candidates`` and submit the same claim
    again with ``target_player_id`` / ``receiver_player_id``.
    """

    status: str = wire(TEXT)
    transaction_id: Optional[Id] = wire(ID)
    new_balance: Optional[Amount] = wire(AMOUNT)
    currency_name: str = wire(TEXT)
    order_id: Optional[Id] = wire(ID)
    needs_account_selection: bool = wire(Reader(_needs_account_selection, bool), "status")
    candidates: Optional[list[Any]] = wire(OPTIONAL_LIST)
    raw: dict[str, Any] = _raw_field()


def _id_or_text(body: Body, key: str) -> Id:
    value = _id(body, key)
    return "" if value is None else value


@dataclass(frozen=True)
class TransactionStatusResult(_Result):
    """Where a send or transfer stands (``verification_state`` is passed through as sent).

    ``currency_id`` is ``""`` when missing (the wire contract says so for this field).
    """

    transaction_id: Optional[Id] = wire(ID)
    transaction_type: str = wire(TEXT)
    transaction_status: str = wire(TEXT)
    verification_state: str = wire(TEXT)
    amount: Optional[Amount] = wire(AMOUNT)
    net_amount: Optional[Amount] = wire(AMOUNT)
    currency_id: Id = wire(Reader(_id_or_text, str))
    order_id: Optional[Id] = wire(ID)
    to_phone: Optional[str] = wire(OPTIONAL_TEXT)
    to_identity_id: Optional[Id] = wire(ID)
    #: Why it expired: ``approval_expired``, ``pin_expired``, ``claim_expired`` (others pass).
    expiry_reason: Optional[str] = wire(NONEMPTY_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class GuardianApprovalStatusResult(_Result):
    """A guardian's decision on a minor's send or transfer (from the nested ``approval``)."""

    state: str = wire(TEXT, "approval.state")
    approval_id: Optional[Id] = wire(ID, "approval.approval_id")
    transaction_id: Optional[Id] = wire(ID, "approval.transaction_id")
    expires_at: Optional[str] = wire(OPTIONAL_TEXT, "approval.expires_at")
    decided_at: Optional[str] = wire(OPTIONAL_TEXT, "approval.decided_at")
    #: ``guardian_app``, ``timeout`` ... and ``email_link`` on the current API (as sent).
    decision_source: Optional[str] = wire(OPTIONAL_TEXT, "approval.decision_source")
    action_description: Optional[str] = wire(OPTIONAL_TEXT, "approval.action_description")
    #: How the guardian was asked: ``"email"`` or ``"sms"`` (``None`` when not sent).
    consent_channel: Optional[str] = wire(OPTIONAL_TEXT, "approval.consent_channel")
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class DestinationGame(_Result):
    """A game a player may send or transfer currency to."""

    game_id: Optional[Id] = wire(ID)
    game_name: str = wire(TEXT)
    tenant_type: str = wire(TEXT)
    developer_name: str = wire(TEXT)
    publisher_name: str = wire(TEXT)
    genre: str = wire(TEXT)
    platform: str = wire(TEXT)
    game_status: str = wire(TEXT)
    game_icon: str = wire(TEXT)
    game_poster: str = wire(TEXT)
    game_url: str = wire(TEXT)
    game_description: str = wire(TEXT)
    currency_name: str = wire(TEXT)
    currency_symbol: str = wire(TEXT)
    currency_symbol_url: str = wire(TEXT)
    minimum_transfer: Optional[Amount] = wire(AMOUNT)
    maximum_transfer: Optional[Amount] = wire(AMOUNT)
    accepts_steam_origin_value: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()


def _total_destinations(body: Body, key: str) -> int:
    """The body's integer, else the number of games listed."""
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    games = body.get("available_games")
    return sum(isinstance(row, Mapping) for row in games) if isinstance(games, list) else 0


@dataclass(frozen=True)
class DestinationsResult(_Result):
    """The games a player of ``source_game_id`` can send or transfer to.

    ``direction`` is the body's, else the one requested (the route's ``result_fallbacks``).
    """

    status: str = wire(TEXT)
    source_game_id: Optional[Id] = wire(ID)
    source_game_name: str = wire(TEXT)
    source_game_icon: str = wire(TEXT)
    source_currency_name: str = wire(TEXT)
    source_currency_icon: str = wire(TEXT)
    universal_transfers: bool = wire(FLAG)
    transfer_mode: str = wire(TEXT)
    available_games: list[DestinationGame] = wire(rows(DestinationGame))
    total_destinations: int = wire(Reader(_total_destinations, int))
    direction: str = wire(TEXT)
    linked_game_ids: Optional[list[Any]] = wire(OPTIONAL_LIST)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PhoneShareInitiateResult(_Result):
    """A phone-share consent request; the phone's owner got an OTP by SMS."""

    approval_id: Optional[Id] = wire(ID)
    code_sent: Optional[bool] = wire(BOOL_OR_NONE)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    already_approved: Optional[bool] = wire(BOOL_OR_NONE)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PhoneShareApproveResult(_Result):
    """The outcome of submitting the phone owner's OTP."""

    approval_id: Optional[Id] = wire(ID)
    approved: Optional[bool] = wire(BOOL_OR_NONE)
    already_approved: Optional[bool] = wire(BOOL_OR_NONE)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PhoneShareStatusResult(_Result):
    """Whether the phone's owner has approved sharing it with this email."""

    approved: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()


# -- webhook endpoint management ----------------------------------------------------------------


@dataclass(frozen=True)
class WebhookEndpointResult(_Result):
    """The registered webhook endpoint.

    ``signing_secret`` is only present on first creation: store it at once (it cannot be read
    again, only rotated). It is hidden from ``repr``.
    """

    success: bool = wire(FLAG)
    created: bool = wire(FLAG)
    signing_secret: Optional[str] = wire(NONEMPTY_TEXT, repr=False)
    subscription: dict[str, Any] = wire(OBJECT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class RotateSecretResult(_Result):
    """A new signing secret (hidden from ``repr``). The old one stays valid for 7 days."""

    signing_secret: str = wire(REQUIRED_TEXT, repr=False)
    success: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()
