"""Typed, frozen results of the API methods, built from INVO's JSON answers.

Conventions, the same for every class:

* ``raw`` keeps the whole response body (hidden from ``repr``: it can hold personal data).
* A missing (or ``null``) string field becomes ``""``; a missing optional field ``None``.
* Values keep their wire types: an amount INVO sends as ``"10.00"`` stays that string, an id
  sent as a number stays a number. Nothing is rounded or converted.
* A field the SDK cannot do without (``token``, ``checkout_url`` ...) raises
  ``InvalidResponseError`` (code ``INVALID_RESPONSE``, ``body`` = the answer) when absent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from .errors import InvalidResponseError

__all__ = [
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


# -- field readers ---------------------------------------------------------------------------


def _s(body: Body, key: str) -> Any:
    """A string field: the wire value, or ``""`` when missing or null."""
    value = body.get(key)
    return "" if value is None else value


def _o(body: Body, key: str) -> Any:
    """An optional field: the wire value, or ``None``."""
    return body.get(key)


def _d(body: Body, key: str) -> dict[str, Any]:
    value = body.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def _list(body: Body, key: str) -> list[Any]:
    value = body.get(key)
    return list(value) if isinstance(value, list) else []


def _true(body: Body, key: str) -> bool:
    return body.get(key) is True


def _bool_or_none(body: Body, key: str) -> Optional[bool]:
    value = body.get(key)
    return value if isinstance(value, bool) else None


def _required(body: Body, key: str) -> Any:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidResponseError(
            f"INVO's answer has no {key!r}, which this call needs",
            code="INVALID_RESPONSE",
            body=dict(body),
        )
    return value


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _raw_field() -> Any:
    """``raw``: the whole answer, left out of ``repr`` (personal data) and of ``==``."""
    return field(default_factory=dict, repr=False, compare=False)


# -- part 1 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayerToken:
    """A short-lived, game-scoped token for the browser SDK (``mint_player_token``)."""

    token: str
    expires_at: str = ""
    identity_id: Any = None
    raw: dict[str, Any] = _raw_field()

    def __repr__(self) -> str:  # the token is a bearer credential: keep it out of logs
        return f"PlayerToken(token='***', expires_at={self.expires_at!r})"

    @classmethod
    def from_body(cls, body: Body) -> PlayerToken:
        """Build from INVO's answer; ``token`` is required."""
        return cls(_required(body, "token"), _s(body, "expires_at"), _o(body, "identity_id"),
                   dict(body))


@dataclass(frozen=True)
class InitiateResult:
    """A started send or transfer (``initiate_send`` / ``initiate_transfer``).

    ``verification_method`` is ``"in_app"`` (approve by passkey in the browser), ``"sms"``
    (the sender got a PIN: check it with ``verify_sms_*``) or ``None``. When the answer holds
    ``guardian_approval`` (the HTTP 202 path for a minor) it is always ``None``: wait for the
    guardian instead of showing a PIN screen.
    """

    transaction_id: Any = ""
    verification_method: Optional[str] = None
    guardian_approval: Optional[dict[str, Any]] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> InitiateResult:
        """Build from INVO's answer."""
        if "guardian_approval" in body:
            approval = body.get("guardian_approval")
            return cls(
                _s(body, "transaction_id"),
                None,
                dict(approval) if isinstance(approval, Mapping) else {},
                dict(body),
            )
        method = body.get("verification_method")
        return cls(
            _s(body, "transaction_id"),
            method if method in ("in_app", "sms") else None,
            None,
            dict(body),
        )


@dataclass(frozen=True)
class CreateCheckoutResult:
    """A hosted checkout session: open ``checkout_url`` in an iframe, WebView or redirect."""

    session_id: Any
    checkout_url: str
    expires_at: str = ""
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> CreateCheckoutResult:
        """Build from INVO's answer; ``checkout_url`` is required."""
        return cls(_s(body, "session_id"), _required(body, "checkout_url"),
                   _s(body, "expires_at"), dict(body))


@dataclass(frozen=True)
class PurchaseResult:
    """A direct-rail currency purchase: ``status`` is ``success``, ``requires_action``
    (finish 3-D Secure with ``client_secret`` / ``payment_url``) or ``pending_payment``."""

    status: str = ""
    client_secret: Optional[str] = None
    payment_intent_id: Optional[str] = None
    payment_url: Optional[str] = None
    transaction_id: Any = None
    order_id: Any = None
    new_balance: Any = None
    raw: dict[str, Any] = _raw_field()

    def __repr__(self) -> str:
        secret = None if self.client_secret is None else "***"
        return (f"PurchaseResult(status={self.status!r}, transaction_id={self.transaction_id!r}, "
                f"order_id={self.order_id!r}, client_secret={secret!r})")

    @classmethod
    def from_body(cls, body: Body) -> PurchaseResult:
        """Build from INVO's answer."""
        return cls(_s(body, "status"), _o(body, "client_secret"), _o(body, "payment_intent_id"),
                   _o(body, "payment_url"), _o(body, "transaction_id"), _o(body, "order_id"),
                   _o(body, "new_balance"), dict(body))


@dataclass(frozen=True)
class ConfirmPaymentResult:
    """The outcome of ``confirm_payment`` after the player finished the payment step."""

    status: str = ""
    transaction_id: Any = None
    new_balance: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> ConfirmPaymentResult:
        """Build from INVO's answer."""
        return cls(_s(body, "status"), _o(body, "transaction_id"), _o(body, "new_balance"),
                   dict(body))


@dataclass(frozen=True)
class OrderDetailsResult:
    """An order (currency or item purchase) with its money summary and status timeline."""

    order: dict[str, Any] = field(default_factory=dict)
    financial_summary: dict[str, Any] = field(default_factory=dict)
    status_timeline: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> OrderDetailsResult:
        """Build from INVO's answer."""
        return cls(_d(body, "order"), _d(body, "financial_summary"), _o(body, "status_timeline"),
                   dict(body))


@dataclass(frozen=True)
class PurchaseItemResult:
    """An item bought with game currency. Grant the item off the ``item.purchased`` webhook."""

    status: str
    transaction_id: Any
    order_id: Any
    new_balance: Any = None
    previous_balance: Any = None
    currency_name: str = ""
    financial_breakdown: Optional[dict[str, Any]] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> PurchaseItemResult:
        """Build from INVO's answer; ``transaction_id`` and ``order_id`` are required."""
        breakdown = body.get("financial_breakdown")
        return cls(
            _s(body, "status"),
            _required(body, "transaction_id"),
            _required(body, "order_id"),
            _o(body, "new_balance"),
            _o(body, "previous_balance"),
            _s(body, "currency_name"),
            dict(breakdown) if isinstance(breakdown, Mapping) else None,
            dict(body),
        )


@dataclass(frozen=True)
class ItemHistoryResult:
    """One page of a player's item purchases (``history`` <- ``item_purchase_history``)."""

    history: list[Any] = field(default_factory=list)
    pagination: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> ItemHistoryResult:
        """Build from INVO's answer."""
        return cls(_list(body, "item_purchase_history"), _d(body, "pagination"), dict(body))


@dataclass(frozen=True)
class CurrencyBalance:
    """One currency in a player's wallet."""

    currency_id: Any = None
    currency_name: str = ""
    currency_symbol: str = ""
    available_balance: Any = None
    reserved_balance: Any = None
    total_balance: Any = None
    last_transaction: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> CurrencyBalance:
        """Build from one row of ``balances``."""
        return cls(_o(body, "currency_id"), _s(body, "currency_name"), _s(body, "currency_symbol"),
                   _o(body, "available_balance"), _o(body, "reserved_balance"),
                   _o(body, "total_balance"), _o(body, "last_transaction"), dict(body))


@dataclass(frozen=True)
class PlayerBalanceResult:
    """A player's balances in every currency, with a summary."""

    player: dict[str, Any] = field(default_factory=dict)
    balances: list[CurrencyBalance] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> PlayerBalanceResult:
        """Build from INVO's answer."""
        balances = [CurrencyBalance.from_body(row) for row in _dicts(body.get("balances"))]
        return cls(_d(body, "player"), balances, _d(body, "summary"), dict(body))


@dataclass(frozen=True)
class InboundPendingItem:
    """A send or transfer waiting for this player to claim it."""

    transaction_id: Any = ""
    flow: str = ""
    amount: Any = None
    net_amount: Any = None
    source_game_id: Any = None
    source_game: Any = None
    to_phone: Optional[str] = None
    to_identity_id: Any = None
    created_at: str = ""
    claim_code_expires_at: Optional[str] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> InboundPendingItem:
        """Build from one row of ``inbound_pending``."""
        return cls(_s(body, "transaction_id"), _s(body, "flow"), _o(body, "amount"),
                   _o(body, "net_amount"), _o(body, "source_game_id"), _o(body, "source_game"),
                   _o(body, "to_phone"), _o(body, "to_identity_id"), _s(body, "created_at"),
                   _o(body, "claim_code_expires_at"), dict(body))


@dataclass(frozen=True)
class InboundPendingResult:
    """Everything waiting for a player to claim."""

    inbound_pending: list[InboundPendingItem] = field(default_factory=list)
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> InboundPendingResult:
        """Build from INVO's answer."""
        rows = [InboundPendingItem.from_body(row) for row in _dicts(body.get("inbound_pending"))]
        return cls(rows, dict(body))


@dataclass(frozen=True)
class LinkedIdentityEmail:
    """One email linked to an INVO wallet."""

    email: str = ""
    primary: bool = False
    verified_at: Optional[str] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> LinkedIdentityEmail:
        """Build from one row of ``emails``."""
        return cls(_s(body, "email"), _true(body, "primary"), _o(body, "verified_at"), dict(body))


@dataclass(frozen=True)
class LinkedIdentitiesResult:
    """The INVO wallet behind a phone or email. ``not_found`` is true on a 404 (not an error)."""

    wallet_user_id: Any = ""
    primary_email: str = ""
    primary_phone: str = ""
    is_minor: bool = False
    emails: list[LinkedIdentityEmail] = field(default_factory=list)
    not_found: bool = False
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body, *, not_found: bool = False) -> LinkedIdentitiesResult:
        """Build from INVO's answer (``not_found=True`` for the 404 answer)."""
        if not_found:
            return cls(not_found=True, raw=dict(body))
        emails = [LinkedIdentityEmail.from_body(row) for row in _dicts(body.get("emails"))]
        return cls(_s(body, "wallet_user_id"), _s(body, "primary_email"),
                   _s(body, "primary_phone"), _true(body, "is_minor"), emails, False, dict(body))


# -- part 2 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SmsVerifyResult:
    """The outcome of an SMS PIN check; ``status == "success"`` when the move is done."""

    status: str = ""
    transaction_id: Any = ""
    claim_code: Optional[str] = None
    new_balance: Any = None
    order_id: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> SmsVerifyResult:
        """Build from INVO's answer."""
        return cls(_s(body, "status"), _s(body, "transaction_id"), _o(body, "claim_code"),
                   _o(body, "new_balance"), _o(body, "order_id"), dict(body))


@dataclass(frozen=True)
class ClaimResult:
    """The outcome of redeeming a claim code.

    ``needs_account_selection`` is a normal answer, not an error: the phone maps to several
    of your players. Ask the player to pick one of ``candidates`` and submit the same claim
    again with ``target_player_id`` / ``receiver_player_id``.
    """

    status: str = ""
    transaction_id: Any = ""
    new_balance: Any = None
    currency_name: str = ""
    order_id: Any = None
    needs_account_selection: bool = False
    candidates: Optional[list[Any]] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> ClaimResult:
        """Build from INVO's answer."""
        candidates = body.get("candidates")
        return cls(
            _s(body, "status"),
            _s(body, "transaction_id"),
            _o(body, "new_balance"),
            _s(body, "currency_name"),
            _o(body, "order_id"),
            body.get("status") == "needs_account_selection",
            list(candidates) if isinstance(candidates, list) else None,
            dict(body),
        )


@dataclass(frozen=True)
class TransactionStatusResult:
    """Where a send or transfer stands (``verification_state`` is passed through as sent)."""

    transaction_id: Any = ""
    transaction_type: str = ""
    transaction_status: str = ""
    verification_state: str = ""
    amount: Any = None
    net_amount: Any = None
    currency_id: Any = ""
    order_id: Any = None
    to_phone: Optional[str] = None
    to_identity_id: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> TransactionStatusResult:
        """Build from INVO's answer."""
        return cls(_s(body, "transaction_id"), _s(body, "transaction_type"),
                   _s(body, "transaction_status"), _s(body, "verification_state"),
                   _o(body, "amount"), _o(body, "net_amount"), _s(body, "currency_id"),
                   _o(body, "order_id"), _o(body, "to_phone"), _o(body, "to_identity_id"),
                   dict(body))


@dataclass(frozen=True)
class GuardianApprovalStatusResult:
    """A guardian's decision on a minor's send or transfer (from the nested ``approval``)."""

    state: str = ""
    approval_id: Any = ""
    transaction_id: Any = ""
    expires_at: Optional[str] = None
    decided_at: Optional[str] = None
    decision_source: Optional[str] = None
    action_description: Optional[str] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> GuardianApprovalStatusResult:
        """Build from INVO's answer."""
        approval = body.get("approval")
        a: Body = approval if isinstance(approval, Mapping) else {}
        return cls(_s(a, "state"), _s(a, "approval_id"), _s(a, "transaction_id"),
                   _o(a, "expires_at"), _o(a, "decided_at"), _o(a, "decision_source"),
                   _o(a, "action_description"), dict(body))


_DESTINATION_TEXT_FIELDS = (
    "game_name", "tenant_type", "developer_name", "publisher_name", "genre", "platform",
    "game_status", "game_icon", "game_poster", "game_url", "game_description", "currency_name",
    "currency_symbol", "currency_symbol_url",
)


@dataclass(frozen=True)
class DestinationGame:
    """A game a player may send or transfer currency to."""

    game_id: Any = None
    game_name: str = ""
    tenant_type: str = ""
    developer_name: str = ""
    publisher_name: str = ""
    genre: str = ""
    platform: str = ""
    game_status: str = ""
    game_icon: str = ""
    game_poster: str = ""
    game_url: str = ""
    game_description: str = ""
    currency_name: str = ""
    currency_symbol: str = ""
    currency_symbol_url: str = ""
    minimum_transfer: Any = None
    maximum_transfer: Any = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> DestinationGame:
        """Build from one row of ``available_games``."""
        return cls(
            game_id=_o(body, "game_id"),
            **{key: _s(body, key) for key in _DESTINATION_TEXT_FIELDS},
            minimum_transfer=_o(body, "minimum_transfer"),
            maximum_transfer=_o(body, "maximum_transfer"),
            raw=dict(body),
        )


@dataclass(frozen=True)
class DestinationsResult:
    """The games a player of ``source_game_id`` can send or transfer to."""

    status: str = ""
    source_game_id: Any = None
    source_game_name: str = ""
    source_game_icon: str = ""
    source_currency_name: str = ""
    source_currency_icon: str = ""
    universal_transfers: bool = False
    transfer_mode: str = ""
    available_games: list[DestinationGame] = field(default_factory=list)
    total_destinations: int = 0
    direction: str = ""
    linked_game_ids: Optional[list[Any]] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body, *, requested_direction: str) -> DestinationsResult:
        """Build from INVO's answer; ``direction`` falls back to the one requested."""
        games = [DestinationGame.from_body(row) for row in _dicts(body.get("available_games"))]
        total = body.get("total_destinations")
        if isinstance(total, bool) or not isinstance(total, int):
            total = len(games)
        direction = body.get("direction")
        linked = body.get("linked_game_ids")
        return cls(
            _s(body, "status"),
            _o(body, "source_game_id"),
            _s(body, "source_game_name"),
            _s(body, "source_game_icon"),
            _s(body, "source_currency_name"),
            _s(body, "source_currency_icon"),
            _true(body, "universal_transfers"),
            _s(body, "transfer_mode"),
            games,
            total,
            direction if isinstance(direction, str) and direction else requested_direction,
            list(linked) if isinstance(linked, list) else None,
            dict(body),
        )


@dataclass(frozen=True)
class PhoneShareInitiateResult:
    """A phone-share consent request; the phone's owner got an OTP by SMS."""

    approval_id: Any = ""
    code_sent: Optional[bool] = None
    expires_at: Optional[str] = None
    already_approved: Optional[bool] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> PhoneShareInitiateResult:
        """Build from INVO's answer."""
        return cls(_s(body, "approval_id"), _bool_or_none(body, "code_sent"),
                   _o(body, "expires_at"), _bool_or_none(body, "already_approved"), dict(body))


@dataclass(frozen=True)
class PhoneShareApproveResult:
    """The outcome of submitting the phone owner's OTP."""

    approval_id: Any = ""
    approved: Optional[bool] = None
    already_approved: Optional[bool] = None
    expires_at: Optional[str] = None
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> PhoneShareApproveResult:
        """Build from INVO's answer."""
        return cls(_s(body, "approval_id"), _bool_or_none(body, "approved"),
                   _bool_or_none(body, "already_approved"), _o(body, "expires_at"), dict(body))


@dataclass(frozen=True)
class PhoneShareStatusResult:
    """Whether the phone's owner has approved sharing it with this email."""

    approved: bool = False
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> PhoneShareStatusResult:
        """Build from INVO's answer."""
        return cls(_true(body, "approved"), dict(body))


# -- webhook endpoint management ----------------------------------------------------------------


@dataclass(frozen=True)
class WebhookEndpointResult:
    """The registered webhook endpoint.

    ``signing_secret`` is only present on first creation: store it at once (it cannot be read
    again, only rotated). It is hidden from ``repr``.
    """

    success: bool = False
    created: bool = False
    signing_secret: Optional[str] = field(default=None, repr=False)
    subscription: dict[str, Any] = field(default_factory=dict)
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> WebhookEndpointResult:
        """Build from INVO's answer."""
        secret = body.get("signing_secret")
        return cls(_true(body, "success"), _true(body, "created"),
                   secret if isinstance(secret, str) and secret else None,
                   _d(body, "subscription"), dict(body))


@dataclass(frozen=True)
class RotateSecretResult:
    """A new signing secret (hidden from ``repr``). The old one stays valid for 7 days."""

    signing_secret: str = field(repr=False)
    success: bool = False
    raw: dict[str, Any] = _raw_field()

    @classmethod
    def from_body(cls, body: Body) -> RotateSecretResult:
        """Build from INVO's answer; ``signing_secret`` is required."""
        return cls(_required(body, "signing_secret"), _true(body, "success"), dict(body))
