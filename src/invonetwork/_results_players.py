"""Typed results of one area of the API: player registration, phones, activity, rewards.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Optional

from ._results import (
    AS_SENT,
    FLAG,
    NONEMPTY_TEXT,
    OBJECT,
    OPTIONAL_TEXT,
    REQUIRED_TEXT,
    TEXT,
    TOKEN_EXPIRY,
    Body,
    Reader,
    _MissingFieldError,
    _raw_field,
    _Result,
    _text,
    rows,
    wire,
)

__all__ = [
    "LoyaltyCard",
    "LoyaltyCardReward",
    "LoyaltyCardStep",
    "LoyaltyCardsResult",
    "LoyaltyStepProgress",
    "PhoneChangeRequest",
    "PhoneChangeRequestResult",
    "PlayerActivityCounterpartyGame",
    "PlayerActivityCurrency",
    "PlayerActivityEntry",
    "PlayerActivityResult",
    "RegisterPlayerResult",
    "UpdatePlayerPhoneResult",
]


def _status_of(wanted: str, other: str) -> Reader[str]:
    """A required ``status``: ``wanted`` when the body says so, any other value ``other``."""

    def read_status(body: Body, key: str) -> str:
        value = body.get(key)
        if value is None or value == "":
            raise _MissingFieldError(key)
        return wanted if value == wanted else other

    return Reader(read_status, None)


def _wire_int(body: Body, key: str) -> Optional[int]:
    """``w?``: a JSON integer (not a boolean), else ``None``."""
    value = body.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


WIRE_INT: Reader[Optional[int]] = Reader(_wire_int, lambda: None)


# -- players and phones -------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterPlayerResult(_Result):
    """A registered player (``register_player``): ``status`` is ``"created"`` or ``"exists"``.

    A retry after a lost answer reads ``"exists"``: registering is find-or-create. The token
    (a bearer credential, kept out of ``repr``) is the same kind ``mint_player_token`` gives.
    """

    status: str = wire(_status_of("created", "exists"))
    identity_id: str = wire(TEXT)
    player_token: Optional[str] = wire(NONEMPTY_TEXT, repr=False)
    player_token_expires_at: Optional[str] = wire(TOKEN_EXPIRY)
    raw: dict[str, Any] = _raw_field()

    @property
    def created(self) -> bool:
        """Whether this call created the player."""
        return self.status == "created"


@dataclass(frozen=True)
class UpdatePlayerPhoneResult(_Result):
    """A phone set by the game (``update_player_phone``): ``"updated"`` or ``"unchanged"``.

    ``identity_rekeyed`` means the player's INVO identity changed with the phone: store
    ``identity_id`` and use the fresh ``player_token`` (older tokens are stale).
    """

    status: str = wire(_status_of("updated", "unchanged"))
    identity_rekeyed: bool = wire(FLAG)
    identity_id: str = wire(TEXT)
    player_token: Optional[str] = wire(NONEMPTY_TEXT, repr=False)
    player_token_expires_at: Optional[str] = wire(TOKEN_EXPIRY)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PhoneChangeRequestResult(_Result):
    """A phone change waiting for the player's confirmation (``request_phone_change``, 202).

    The player confirms on INVO's own page (the code and link are emailed to them, never to
    the game); follow it with ``get_phone_change`` or the ``player.phone_changed`` webhook.
    """

    change_request_id: str = wire(REQUIRED_TEXT)
    status: str = wire(TEXT)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    delivery: Optional[str] = wire(OPTIONAL_TEXT)
    confirmation: Optional[str] = wire(OPTIONAL_TEXT)
    message: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class PhoneChangeRequest(_Result):
    """Where a phone change request stands (``get_phone_change``).

    ``status``: ``pending``, then ``confirmed`` (``confirmed_via`` ``hosted_page`` or
    ``hosted_page_device``), ``expired``, ``cancelled``, ``refused`` or ``denied``.
    """

    change_request_id: str = wire(REQUIRED_TEXT)
    status: str = wire(TEXT)
    confirmation: Optional[str] = wire(OPTIONAL_TEXT)
    delivery: Optional[str] = wire(OPTIONAL_TEXT)
    new_phone_masked: Optional[str] = wire(OPTIONAL_TEXT)
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    expires_at: Optional[str] = wire(OPTIONAL_TEXT)
    confirmed_at: Optional[str] = wire(OPTIONAL_TEXT)
    confirmed_via: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


# -- activity feed -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlayerActivityCurrency:
    """The currency of an activity row (from its ``currency`` object)."""

    currency_id: Any = None
    currency_name: Optional[str] = None


@dataclass(frozen=True)
class PlayerActivityCounterpartyGame:
    """The other game of a send or transfer."""

    game_id: str = ""
    game_name: Optional[str] = None


def _currency(body: Body, key: str) -> PlayerActivityCurrency:
    value = body.get(key)
    inner: Body = value if isinstance(value, Mapping) else {}
    name = inner.get("currency_name")
    return PlayerActivityCurrency(
        currency_id=inner.get("currency_id"),
        currency_name=None if name is None else (name if isinstance(name, str) else str(name)),
    )


def _counterparty(body: Body, key: str) -> Optional[PlayerActivityCounterpartyGame]:
    value = body.get(key)
    if not isinstance(value, Mapping):
        return None
    name = value.get("game_name")
    return PlayerActivityCounterpartyGame(
        game_id=_text(value, "game_id"),
        game_name=None if name is None else (name if isinstance(name, str) else str(name)),
    )


def _amount_unit(body: Body, key: str) -> str:
    value = body.get(key)
    if not value:
        return "currency"
    return value if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class PlayerActivityEntry(_Result):
    """One row of a player's activity feed (purchases, sends, transfers, claims, refunds).

    ``direction`` is ``in``, ``out`` or ``self``; ``amount_unit`` is ``"currency"`` unless the
    row is a Platform Commerce card leg (``"usd"``). Fee fields are ``None`` on purchases and
    on moves that ended uncollected.
    """

    id: str = wire(TEXT)
    type: str = wire(TEXT)
    direction: str = wire(TEXT)
    amount: Optional[str] = wire(OPTIONAL_TEXT)
    amount_unit: str = wire(Reader(_amount_unit, lambda: "currency"))
    currency: PlayerActivityCurrency = wire(Reader(_currency, PlayerActivityCurrency))
    status: str = wire(TEXT)
    status_detail: Optional[str] = wire(OPTIONAL_TEXT)
    expiry_reason: Optional[str] = wire(NONEMPTY_TEXT)
    counterparty_game: Optional[PlayerActivityCounterpartyGame] = wire(
        Reader(_counterparty, lambda: None))
    created_at: Optional[str] = wire(OPTIONAL_TEXT)
    completed_at: Optional[str] = wire(OPTIONAL_TEXT)
    order_id: Optional[str] = wire(OPTIONAL_TEXT)
    fee_amount: Optional[str] = wire(OPTIONAL_TEXT)
    net_amount: Optional[str] = wire(OPTIONAL_TEXT)
    gross_amount: Optional[str] = wire(OPTIONAL_TEXT)
    raw: dict[str, Any] = _raw_field()


def _string_list(body: Body, key: str) -> list[str]:
    value = body.get(key)
    if not isinstance(value, list):
        return []
    return [item if isinstance(item, str) else str(item) for item in value]


def _truthy_text(body: Body, key: str) -> str:
    value = body.get(key)
    if not value:
        return ""
    return value if isinstance(value, str) else str(value)


def _limit(body: Body, key: str) -> Optional[int]:
    value = body.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit() and value.isascii():
        return int(value)
    return None


@dataclass(frozen=True)
class PlayerActivityResult(_Result):
    """One page of a player's activity feed, newest first.

    ``next_cursor`` is ``None`` on the last page; pass it back as ``cursor`` (with the same
    ``types``) for the next one, or use ``iterate_player_activity``.
    """

    player_email: str = wire(Reader(_truthy_text, str))
    game_id: str = wire(TEXT)
    types: list[str] = wire(Reader(_string_list, list))
    activity: list[PlayerActivityEntry] = wire(rows(PlayerActivityEntry))
    limit: Optional[int] = wire(Reader(_limit, lambda: None))
    has_more: bool = wire(FLAG)
    next_cursor: Optional[str] = wire(NONEMPTY_TEXT)
    raw: dict[str, Any] = _raw_field()


# -- loyalty rewards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LoyaltyStepProgress:
    """How far a step is: ``current`` of ``target`` (both JSON integers)."""

    current: int
    target: int


def _progress(body: Body, key: str) -> Optional[LoyaltyStepProgress]:
    value = body.get(key)
    if not isinstance(value, Mapping):
        return None
    current, target = _wire_int(value, "current"), _wire_int(value, "target")
    if current is None or target is None:
        return None
    return LoyaltyStepProgress(current, target)


def _index(body: Body, key: str) -> int:
    value = _wire_int(body, key)
    return 0 if value is None else value


@dataclass(frozen=True)
class LoyaltyCardStep(_Result):
    """One step of a loyalty card: ``state`` is ``complete``, ``open`` or ``locked``."""

    step_id: Optional[str] = wire(OPTIONAL_TEXT)
    index: int = wire(Reader(_index, int))
    action: str = wire(TEXT)
    label: str = wire(TEXT)
    summary: str = wire(TEXT)
    state: str = wire(TEXT)
    window_hours: Optional[int] = wire(WIRE_INT)
    progress: Optional[LoyaltyStepProgress] = wire(Reader(_progress, lambda: None))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class LoyaltyCardReward(_Result):
    """A reward a card unlocked. Only ``code_masked`` is ever given, never the code."""

    vault_entry_id: str = wire(TEXT)
    reward_id: str = wire(TEXT)
    state: str = wire(TEXT)
    unlocked_at: str = wire(TEXT)
    expires_at: str = wire(TEXT)
    redeemed_at: Optional[str] = wire(OPTIONAL_TEXT)
    code_masked: Optional[str] = wire(OPTIONAL_TEXT)
    reveal_until: Optional[str] = wire(OPTIONAL_TEXT)
    can_redeem: bool = wire(FLAG)
    can_reveal_again: bool = wire(FLAG)
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class LoyaltyCard(_Result):
    """One loyalty card (a program's quest) and the player's progress on it.

    ``steps_required`` and ``steps_complete`` are given as INVO sent them, never recounted
    from ``steps``.
    """

    card_version: Any = wire(AS_SENT)
    steps_required: Any = wire(AS_SENT)
    steps_complete: Any = wire(AS_SENT)
    mode: str = wire(TEXT)
    title: str = wire(TEXT)
    description: str = wire(TEXT)
    order_mode: str = wire(TEXT)
    status: str = wire(TEXT)
    program_id: Optional[str] = wire(OPTIONAL_TEXT)
    quest_id: Optional[str] = wire(OPTIONAL_TEXT)
    campaign_id: Optional[str] = wire(OPTIONAL_TEXT)
    art_url: Optional[str] = wire(OPTIONAL_TEXT)
    starts_at: Optional[str] = wire(OPTIONAL_TEXT)
    ends_at: Optional[str] = wire(OPTIONAL_TEXT)
    completion_note: Optional[str] = wire(OPTIONAL_TEXT)
    window_ends_at: Optional[str] = wire(OPTIONAL_TEXT)
    completed_at: Optional[str] = wire(OPTIONAL_TEXT)
    quest_version: Optional[int] = wire(WIRE_INT)
    completion_hours: Optional[int] = wire(WIRE_INT)
    brand: dict[str, Any] = wire(OBJECT)
    reward: dict[str, Any] = wire(OBJECT)
    steps: list[LoyaltyCardStep] = wire(rows(LoyaltyCardStep))
    rewards: list[LoyaltyCardReward] = wire(rows(LoyaltyCardReward))
    raw: dict[str, Any] = _raw_field()


@dataclass(frozen=True)
class LoyaltyCardsResult(_Result):
    """A player's loyalty cards (``get_player_rewards``)."""

    card_version: Any = wire(AS_SENT)
    cards: list[LoyaltyCard] = wire(rows(LoyaltyCard))
    raw: dict[str, Any] = _raw_field()

