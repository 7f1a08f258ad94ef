"""``InvoServer`` methods for players added by INVO's current API.

Player registration and phone changes, the activity feed and loyalty rewards. Each method
checks its own rules, then sends its route from ``_routes_players``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Optional

from . import _routes_players as routes
from ._caller import Caller
from ._results_players import (
    LoyaltyCardsResult,
    PhoneChangeRequest,
    PhoneChangeRequestResult,
    PlayerActivityEntry,
    PlayerActivityResult,
    RegisterPlayerResult,
    UpdatePlayerPhoneResult,
)
from ._validation import check_e164, invalid, optional_text, require_text

__all__ = ["PlayerCalls"]

#: The activity feed's largest page (INVO's maximum ``limit``).
ACTIVITY_MAX_LIMIT = 100


def _page_size(name: str, value: object) -> Optional[int]:
    """``None``, or an ``int`` (not ``bool``) from 1 to 100."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not (
        1 <= value <= ACTIVITY_MAX_LIMIT
    ):
        raise invalid(f"{name} must be an int from 1 to {ACTIVITY_MAX_LIMIT}, got {value!r}")
    return value


def _cursor(value: object) -> Optional[str]:
    """``None``, or a non-blank ``str`` (sent as given)."""
    if value is None:
        return None
    return require_text("cursor", value)


def _types(value: object) -> Optional[str]:
    """``None``, or a non-empty list/tuple of non-blank names: trimmed, joined by ``,``."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)):
        raise invalid(
            f"types must be a list or tuple of activity type names, got {type(value).__name__}"
        )
    if not value:
        raise invalid("types must not be empty (leave it out for every type)")
    names = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise invalid(f"types must hold non-blank strings, got {item!r}")
        names.append(item.strip())
    return ",".join(names)


class PlayerCalls(Caller):
    """Players, phones, the activity feed and rewards (an ``InvoServer`` mixin)."""

    # -- players and phones -------------------------------------------------------------------

    def register_player(
        self,
        *,
        player_email: str,
        player_phone: str,
        player_name: Optional[str] = None,
    ) -> RegisterPlayerResult:
        """Create the player in your game, or find it (``status`` ``"created"`` / ``"exists"``).

        Safe to retry: registering is find-or-create. Nobody is messaged. An existing player
        keeps the phone on file: a different phone is ``PHONE_MISMATCH`` (409), and a phone
        of another email is ``PHONE_SHARE_APPROVAL_REQUIRED`` (409).

        Raises:
            InvalidInputError: blank email, a phone that is not E.164, or a ``player_name``
                that is not a ``str`` (checked in that order, before any request).
        """
        email = require_text("player_email", player_email)
        phone = check_e164("player_phone", player_phone)
        name = optional_text("player_name", player_name)
        return self._call(routes.REGISTER_PLAYER, player_email=email, player_phone=phone,
                          player_name=name)

    def update_player_phone(self, *, player_email: str, new_phone: str) -> UpdatePlayerPhoneResult:
        """Set the phone of a player who has none yet, or the same one (``"updated"`` /
        ``"unchanged"``).

        Sent once, never retried: a retry after a change that landed answers ``"unchanged"``
        and would hide ``identity_rekeyed``. Replacing a phone on file needs the player's
        confirmation: INVO answers 409 ``PHONE_CHANGE_REQUIRES_VERIFICATION`` (see
        ``err.change_request_endpoint``); use :meth:`request_phone_change`.
        """
        email = require_text("player_email", player_email)
        phone = check_e164("new_phone", new_phone)
        return self._call(routes.UPDATE_PLAYER_PHONE, player_email=email, new_phone=phone)

    def request_phone_change(
        self, *, player_email: str, new_phone: str
    ) -> PhoneChangeRequestResult:
        """Ask the player to confirm a new phone (HTTP 202: ``pending_confirmation``).

        INVO emails the player a code and a link to its own page; the game never sees them.
        Sent once, never retried (it emails the player and replaces this game's pending
        request). Follow it with :meth:`get_phone_change` or the ``player.phone_changed``
        webhook.
        """
        email = require_text("player_email", player_email)
        phone = check_e164("new_phone", new_phone)
        return self._call(routes.REQUEST_PHONE_CHANGE, player_email=email, new_phone=phone)

    def get_phone_change(self, change_request_id: str) -> PhoneChangeRequest:
        """Where a phone change request of this game stands."""
        return self._call(routes.GET_PHONE_CHANGE,
                          change_request_id=require_text("change_request_id", change_request_id))

    # -- activity feed ------------------------------------------------------------------------

    def get_player_activity(
        self,
        *,
        player_email: str,
        limit: Optional[int] = None,
        cursor: Optional[str] = None,
        types: Optional[Sequence[str]] = None,
    ) -> PlayerActivityResult:
        """One page of the player's activity in your game, newest first.

        Args:
            player_email: The player's email (trimmed).
            limit: 1 to 100 rows (INVO's default: 50).
            cursor: ``next_cursor`` of the previous page (only valid for the same player and
                ``types``).
            types: Only these activity types (e.g. ``["currency_purchase", "transfer"]``), a
                list or tuple; INVO judges the names (an unknown one is 400 ``INVALID_INPUT``).
        """
        email = require_text("player_email", player_email).strip()
        size = _page_size("limit", limit)
        after = _cursor(cursor)
        kinds = _types(types)
        page = self._call(routes.PLAYER_ACTIVITY, player_email=email, limit=size, cursor=after,
                          types=kinds)
        if not page.player_email:
            object.__setattr__(page, "player_email", email)  # frozen: set once, as read does
        return page

    def iterate_player_activity(
        self,
        *,
        player_email: str,
        types: Optional[Sequence[str]] = None,
        page_size: Optional[int] = None,
    ) -> Iterator[PlayerActivityEntry]:
        """Yield every activity row of the player, newest first, page after page.

        Follows ``next_cursor``; stops when it is ``None`` or repeats the cursor that produced
        the page (so a server that ignores the cursor cannot loop forever). Arguments are
        checked now, before the first request; ``page_size`` is ``limit``.
        """
        email = require_text("player_email", player_email).strip()
        size = _page_size("page_size", page_size)
        _types(types)
        kinds = None if types is None else list(types)
        return self._activity_pages(email, kinds, size)

    def _activity_pages(
        self, email: str, types: Optional[list[str]], size: Optional[int]
    ) -> Iterator[PlayerActivityEntry]:
        cursor: Optional[str] = None
        while True:
            page = self.get_player_activity(player_email=email, limit=size, cursor=cursor,
                                            types=types)
            yield from page.activity
            if page.next_cursor is None or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    # -- rewards ------------------------------------------------------------------------------

    def get_player_rewards(self, player_email: str) -> LoyaltyCardsResult:
        """The player's loyalty cards and unlocked rewards (409 ``NO_TENANT`` when your game
        has no loyalty program set up)."""
        email = require_text("player_email", player_email).strip()
        return self._call(routes.PLAYER_REWARDS, player_email=email)
