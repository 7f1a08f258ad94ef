"""Typed results of one area of the API: device approval, Steam purchases, passkey recovery.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from ._results import (
    AS_SENT,
    BOOL_OR_NONE,
    FLAG,
    REQUIRED_TEXT,
    TEXT,
    Body,
    Reader,
    _raw_field,
    _Result,
    read,
    wire,
)

__all__ = [
    "CompleteDeviceApprovalResult",
    "ConfirmDeviceEnrollmentResult",
    "DeviceApprovalEnrollment",
    "DeviceApprovalGrant",
    "DeviceApprovalPollResult",
    "DeviceApprovalSettleResult",
    "RecoveryBeginResult",
    "RecoveryCompleteResult",
    "SteamFinalizeResult",
    "SteamInitPurchaseResult",
    "SteamPack",
    "SteamPacksResult",
]


def _finite(value: object) -> Optional[float]:
    """A JSON number (never a bool) that is finite, else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) else None


def _string_or_none(body: Body, key: str) -> Optional[str]:
    value = body.get(key)
    return value if isinstance(value, str) else None


def _int_or_zero(body: Body, key: str) -> int:
    value = _finite(body.get(key))
    return int(value) if value is not None else 0


STRING_OR_NONE: Reader[Optional[str]] = Reader(_string_or_none, lambda: None)
INT_OR_ZERO: Reader[int] = Reader(_int_or_zero, int)


# -- Steam ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SteamPack:
    """One currency pack of INVO's Steam catalogue (each field the wire value as a string).

    A missing or ``null`` field reads ``""`` (never ``"None"``).
    """

    pack_id: str = ""
    label: str = ""
    #: The pack's price in USD, VAT included, the same for every player.
    price_usd: str = ""
    #: The currency this player gets for it (after VAT and Steam's share), a decimal string.
    currency_amount: str = ""


def _text_of(item: Mapping[str, Any], key: str) -> str:
    value = item.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _packs(body: Body, key: str) -> list[SteamPack]:
    value = body.get(key)
    items = value if isinstance(value, list) else []
    return [
        SteamPack(*(_text_of(item, name) for name in
                    ("pack_id", "label", "price_usd", "currency_amount")))
        for item in items if isinstance(item, Mapping)
    ]


def _vat_rate(body: Body, key: str) -> str:
    value = body.get(key)
    if value is None:
        return "0"
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class SteamPacksResult(_Result):
    """INVO's Steam currency packs (``steam_packs``), priced for one player when a
    ``steamid`` was given (else with no VAT deducted: the most any pack yields)."""

    packs: list[SteamPack] = wire(Reader(_packs, list))
    #: The player's country (as sent), ``None`` without a ``steamid``.
    country: Any = wire(AS_SENT)
    #: The VAT rate applied, as a string (``"0"`` when absent).
    vat_rate_pct: str = wire(Reader(_vat_rate, lambda: "0"))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class SteamInitPurchaseResult(_Result):
    """An opened Steam order (``steam_init_purchase``): keep ``order_id`` for the finalize."""

    status: str = wire(TEXT)
    order_id: str = wire(TEXT)
    steam_transid: Any = wire(AS_SENT)
    #: Steam's checkout page (web sessions only): open it in a top-level tab.
    steam_checkout_url: Any = wire(AS_SENT)
    pack_id: Any = wire(AS_SENT)
    charged_usd: Any = wire(AS_SENT)
    currency_amount: Any = wire(AS_SENT)
    raw: dict[str, Any] = _raw_field()


def _reason_code(body: Body, key: str) -> Optional[str]:
    if body.get("credited") is not False:
        return None
    value = body.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class SteamFinalizeResult(_Result):
    """A finalized Steam order (``steam_finalize_purchase``).

    ``credited`` ``False`` with a ``reason_code`` means the money was taken but no coins
    were credited (``CREDIT_REFUSED_*``; never ask the player to pay again) or the money went
    back (``REFUNDED``, ``CHARGEBACK_LOST``); ``False`` without one: still being finished.
    ``already_processed`` is ``True`` when the call added nothing (then no ``new_balance``).
    """

    status: str = wire(TEXT)
    order_id: Any = wire(AS_SENT)
    transaction_id: Any = wire(AS_SENT)
    new_balance: Any = wire(AS_SENT)
    already_processed: bool = wire(FLAG)
    credited: Optional[bool] = wire(BOOL_OR_NONE)
    reason_code: Optional[str] = wire(Reader(_reason_code, lambda: None))
    raw: dict[str, Any] = _raw_field()


# -- device approval grant ----------------------------------------------------------------------


def _expires_in(body: Body, key: str) -> int:
    value = _finite(body.get(key))
    return int(value) if value is not None else 0


def _grant_interval(body: Body, key: str) -> int:
    value = _finite(body.get(key))
    return max(1, int(value)) if value is not None else 5


def _channel(body: Body, key: str) -> str:
    value = body.get(key)
    if value is None:
        return "qr"
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class DeviceApprovalGrant(_Result):
    """A device approval grant (``begin_device_approval``).

    Show ``verification_uri_complete`` as a QR code (or ``user_code`` with
    ``verification_uri`` on a screen with no camera nearby); keep ``device_code`` on the
    game server (it is the secret the polls and the settle use) and poll every ``interval``
    seconds until ``expires_in`` runs out.
    """

    device_code: str = wire(REQUIRED_TEXT, repr=False)
    verification_uri_complete: str = wire(REQUIRED_TEXT)
    user_code: str = wire(TEXT)
    verification_uri: str = wire(TEXT)
    expires_in: int = wire(Reader(_expires_in, int))
    interval: int = wire(Reader(_grant_interval, lambda: 5))
    channel: str = wire(Reader(_channel, lambda: "qr"))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class DeviceApprovalEnrollment(_Result):
    """A first-time phone asking to enroll during a grant: show ``match_code`` and
    ``device_label`` on the screen and let the player confirm or deny."""

    state: str = wire(TEXT)
    device_label: str = wire(TEXT)
    match_code: str = wire(TEXT)
    #: ``True`` when the phone replaces a lost INVO passkey.
    recovery: bool = wire(FLAG)
    requested_at: Optional[str] = wire(STRING_OR_NONE)
    raw: dict[str, Any] = _raw_field()


def _enrollment(body: Body, key: str) -> Optional[DeviceApprovalEnrollment]:
    value = body.get(key)
    return read(DeviceApprovalEnrollment, value) if isinstance(value, Mapping) else None


def _poll_interval(body: Body, key: str) -> Optional[int]:
    value = _finite(body.get(key))
    return max(1, int(value)) if value is not None and value > 0 else None


@dataclass(frozen=True)
class DeviceApprovalPollResult(_Result):
    """One poll of a grant (``poll_device_approval``).

    ``status``: ``approved`` (settle now), ``authorization_pending`` (poll again),
    ``slow_down`` (poll again, 5 s slower), ``expired_token`` or ``access_denied`` (the grant
    is over). ``transaction_id``, ``flow`` and ``approved_at`` are set on ``approved`` only.
    """

    status: str = wire(TEXT)
    interval: Optional[int] = wire(Reader(_poll_interval, lambda: None))
    enrollment: Optional[DeviceApprovalEnrollment] = wire(Reader(_enrollment, lambda: None))
    transaction_id: Optional[str] = field(default=None)
    flow: Optional[str] = field(default=None)
    approved_at: Optional[str] = field(default=None)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class ConfirmDeviceEnrollmentResult(_Result):
    """The player's decision on a phone's enrollment: ``status`` ``confirmed`` or
    ``denied``."""

    status: str = wire(TEXT)
    raw: dict[str, Any] = _raw_field()


def _hold_reason(body: Body, key: str) -> Optional[str]:
    for name in ("error_code", "code"):
        value = body.get(name)
        if isinstance(value, str):
            return value
    return None


def _amount_text(body: Body, key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else str(value)


def _object_or_none(body: Body, key: str) -> Optional[dict[str, Any]]:
    value = body.get(key)
    return dict(value) if isinstance(value, Mapping) else None


@dataclass(frozen=True)
class DeviceApprovalSettleResult(_Result):
    """The settle of an approved grant (``approve_with_device_code``).

    ``status``: ``approved`` (sender flows: ``next`` ``"pending_claim"``, and on ``transfer``
    the ``claim_code``), ``completed`` (receipt flows: ``amount_received``), a hold status
    (HTTP 202: ``hold_reason`` says why; the money is held), or ``not_pending``: the
    transaction was not at this step (``current_status``; ``already_settled`` is ``True``
    when it is already past it, which is how a lost answer is recognised).
    """

    status: str = wire(TEXT)
    transaction_id: Any = wire(AS_SENT)
    flow: str = field(default="")
    already_settled: bool = field(default=False)
    current_status: Optional[str] = field(default=None)
    next: Optional[str] = wire(STRING_OR_NONE)
    claim_code: Optional[str] = wire(STRING_OR_NONE, repr=False)
    claim_code_expires_at: Optional[str] = wire(STRING_OR_NONE)
    amount_received: Optional[str] = wire(Reader(_amount_text, lambda: None))
    hold_reason: Optional[str] = wire(Reader(_hold_reason, lambda: None))
    risk: Optional[dict[str, Any]] = wire(Reader(_object_or_none, lambda: None))
    guardian_approval: Any = wire(AS_SENT)
    poll_endpoint: Optional[str] = wire(STRING_OR_NONE)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class CompleteDeviceApprovalResult:
    """How ``complete_device_approval`` ended.

    ``status``: ``approved`` (``settlement`` holds the settle's result), ``denied``,
    ``expired`` or ``stopped`` (``should_stop`` said so). ``last_poll`` is the last
    successful poll, or ``None``.
    """

    status: str
    settlement: Optional[DeviceApprovalSettleResult] = None
    last_poll: Optional[DeviceApprovalPollResult] = None


# -- passkey recovery ---------------------------------------------------------------------------


def _channels(body: Body, key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


@dataclass(frozen=True)
class RecoveryBeginResult(_Result):
    """A recovery code was sent (``recovery_begin``): ``status`` ``"sent"`` and the
    ``channels`` it went to (``["email"]``, ``["sms"]`` ...)."""

    status: str = wire(TEXT)
    channels: list[str] = wire(Reader(_channels, list))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class RecoveryCompleteResult(_Result):
    """The recovery code was accepted (``recovery_complete``): ``status`` ``"recovered"``,
    the stale passkeys turned off (``deactivated_count``) and a ``next`` hint."""

    status: str = wire(TEXT)
    deactivated_count: int = wire(INT_OR_ZERO)
    next: Optional[str] = wire(STRING_OR_NONE)
    raw: dict[str, Any] = _raw_field()
