"""Phone changes: the player confirms a new phone on INVO's page, then every game hears of it.

``request`` opens a change request (HTTP 202, ``pending_confirmation``) and emails the player
a code and a link (kept in ``email_outbox``; the game never sees them). A new request from the
same game replaces its pending one. ``confirm`` (the hosted page, a test-side helper here)
applies it: the phone moves, the identity is re-keyed and ``player.phone_changed`` is sent.
The tables of this area live in ``state.area("players", PlayerTables)``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Optional

from ._fields import new_id, random_digits
from ._model import DomainError, Player, iso
from ._state import State
from ._svc_phone_share import PhoneShare

__all__ = ["ChangeRequest", "PhoneChanges", "PlayerTables", "mask_phone", "pending_to",
           "tables"]

#: How long a change request waits for the player (facts silent: one hour).
CHANGE_REQUEST_TTL = 3600.0
#: Change requests one player may open in 24 hours before 429 ``TOO_MANY_CHANGE_REQUESTS``.
CHANGE_REQUESTS_PER_DAY = 5
DAY = 24 * 3600.0


@dataclass
class ChangeRequest:
    """One phone change request, from one game, for one player."""

    change_request_id: str
    player_email: str
    game_id: int
    old_phone: str
    new_phone: str
    confirmation: str
    code: str
    created_at: float
    expires_at: float
    status: str = "pending_confirmation"
    confirmed_at: Optional[float] = None
    confirmed_via: Optional[str] = None


@dataclass
class PlayerTables:
    """The players area's own tables (gone on reset)."""

    token_identity: dict[str, str] = field(default_factory=dict)
    change_requests: dict[str, ChangeRequest] = field(default_factory=dict)
    email_outbox: list[dict[str, Any]] = field(default_factory=list)
    #: email -> seeded loyalty cards; ``None`` = no loyalty program (409 ``NO_TENANT``).
    loyalty: Optional[dict[str, list[dict[str, Any]]]] = None
    identity_check_down: bool = False
    #: transaction id -> why it expired (``approval_expired``, ``pin_expired``,
    #: ``claim_expired``); transaction id -> when it was claimed.
    expiry_reasons: dict[str, str] = field(default_factory=dict)
    completed_at: dict[str, float] = field(default_factory=dict)
    #: (kind, client_request_id) -> the answer fields of an initiate that re-keyed its sender.
    rekeyed: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


def tables(state: State) -> PlayerTables:
    """The players area's tables."""
    return state.area("players", PlayerTables)


def mask_phone(phone: Optional[str]) -> str:
    """``+15555550100`` -> ``+1******0100``."""
    if not phone:
        return ""
    return phone[:2] + "*" * max(0, len(phone) - 6) + phone[-4:]


def pending_to(state: State, phone: Optional[str], code: str) -> None:
    """409 ``code`` when value waits to be claimed by ``phone``."""
    if phone and any(mv.state == "claim_pending" and mv.receiver_phone == phone
                     for mv in state.movements.values()):
        raise DomainError(409, "Transfers to this phone are waiting to be claimed", code)


class PhoneChanges:
    """Change requests, their confirmation on INVO's page, and ``player.phone_changed``."""

    def __init__(self, state: State, phone_share: PhoneShare) -> None:
        self.state = state
        self.phone_share = phone_share

    def _sweep(self) -> None:
        now = self.state.clock.now()
        for req in tables(self.state).change_requests.values():
            if req.status == "pending_confirmation" and now >= req.expires_at:
                req.status = "expired"

    def request(self, email: str, new_phone: str) -> ChangeRequest:
        """Open a change request and email the player (HTTP 202)."""
        s = self.state
        t = tables(s)
        with s.lock:
            self._sweep()
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            if player.phone is None:
                raise DomainError(409, "The player has no phone yet: use update_player_phone",
                                  "PHONE_NOT_SET")
            if player.phone == new_phone:
                raise DomainError(409, "This is already the player's phone", "PHONE_SAME")
            holder = s.phone_holder(new_phone, player)
            if holder is not None or self.phone_share.owner(new_phone, email) is not None:
                raise DomainError(409, "This phone belongs to another player",
                                  "PHONE_IN_USE_BY_ANOTHER_PLAYER")
            pending_to(s, player.phone, "PENDING_TRANSFERS_TO_OLD_PHONE")
            pending_to(s, new_phone, "PENDING_TRANSFERS_TO_NEW_PHONE")
            now = s.clock.now()
            recent = [r for r in t.change_requests.values()
                      if r.player_email == player.email and now - r.created_at < DAY]
            if len(recent) >= CHANGE_REQUESTS_PER_DAY:
                raise DomainError(429, "Too many phone change requests for this player",
                                  "TOO_MANY_CHANGE_REQUESTS")
            for old in recent:
                if old.status == "pending_confirmation" and old.game_id == s.config.game_id:
                    old.status = "cancelled"  # a new request from the same game replaces it
            req = ChangeRequest(
                change_request_id=new_id("pcr"), player_email=player.email,
                game_id=s.config.game_id, old_phone=player.phone, new_phone=new_phone,
                confirmation="email_code_and_passkey" if player.passkey_enrolled
                else "email_code",
                code=random_digits(6), created_at=now, expires_at=now + CHANGE_REQUEST_TTL,
            )
            t.change_requests[req.change_request_id] = req
            t.email_outbox.append({
                "to": player.email, "change_request_id": req.change_request_id,
                "code": req.code, "link": f"{s.public_base()}/phone-change/{req.change_request_id}",
                "at": iso(now),
            })
            return req

    def get(self, change_request_id: str) -> ChangeRequest:
        """A change request of this game, or 404 ``CHANGE_REQUEST_NOT_FOUND``."""
        s = self.state
        with s.lock:
            self._sweep()
            req = tables(s).change_requests.get(change_request_id)
            if req is None or req.game_id != s.config.game_id:
                raise DomainError(404, "Change request not found", "CHANGE_REQUEST_NOT_FOUND")
            return req

    def confirm(self, change_request_id: str, via: str = "hosted_page",
                code: Optional[str] = None) -> ChangeRequest:
        """The player confirms on INVO's page (a test-side helper): the phone changes."""
        s = self.state
        with s.lock:
            req = self.get(change_request_id)
            if req.status != "pending_confirmation":
                raise DomainError(409, f"The change request is {req.status}",
                                  "CHANGE_REQUEST_NOT_PENDING")
            if code is not None and not secrets.compare_digest(code, req.code):
                raise DomainError(400, "Invalid code", "INVALID_CODE")
            player = s.find_player(req.player_email)
            if player is None or player.phone != req.old_phone:
                req.status = "refused"
                raise DomainError(409, "The player's phone changed meanwhile",
                                  "CHANGE_REQUEST_NOT_PENDING")
            holder = s.phone_holder(req.new_phone, player)
            if holder is not None:
                req.status = "refused"
                raise DomainError(409, "This phone belongs to another player",
                                  "PHONE_IN_USE_BY_ANOTHER_PLAYER")
            req.status, req.confirmed_at, req.confirmed_via = "confirmed", s.clock.now(), via
            self.apply(player, req.new_phone, "player", req.game_id)
            return req

    def decline(self, change_request_id: str) -> ChangeRequest:
        """The player declines on their device: the request ends ``denied``."""
        with self.state.lock:
            req = self.get(change_request_id)
            if req.status != "pending_confirmation":
                raise DomainError(409, f"The change request is {req.status}",
                                  "CHANGE_REQUEST_NOT_PENDING")
            req.status = "denied"
            return req

    def support_change(self, email: str, new_phone: str) -> Player:
        """INVO support changes a player's phone (``source`` ``support``)."""
        s = self.state
        with s.lock:
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            if s.phone_holder(new_phone, player) is not None:
                raise DomainError(409, "This phone belongs to another player",
                                  "PHONE_IN_USE_BY_ANOTHER_PLAYER")
            self.apply(player, new_phone, "support", None)
            return player

    def apply(self, player: Player, new_phone: str, source: str,
              requester: Optional[int]) -> None:
        """Move the phone, re-key the identity, send ``player.phone_changed``."""
        s = self.state
        previous_phone, previous_identity = player.phone, player.identity_id
        player.phone = new_phone
        player.identity_id = secrets.token_hex(16)
        included = requester == s.config.game_id
        data: dict[str, Any] = {
            "player_email": player.email,
            "previous_phone_masked": mask_phone(previous_phone),
            "new_phone_masked": mask_phone(new_phone),
            "new_phone_included": included,
            "changed_at": iso(s.clock.now()),
            "source": source,
            "identity_id": player.identity_id,
            "previous_identity_id": previous_identity,
        }
        if included:
            data["new_phone"] = new_phone
        s.emit("player.phone_changed", data)
