"""The device approval grant (RFC 8628 style) and the passkey recovery relay.

A console begins a grant for one transaction and flow; the player opens the verification page
on their phone (the sandbox serves it) and approves or denies; the game server polls and then
settles with the device code, which moves the money. A first-time phone can ask to enroll:
the game screen shows a match code and the player confirms (or denies) there.

Recovery sends a one-time code to the player's email, and a correct code turns off the stale
passkeys, allows one new enrollment and starts a 24-hour money-out cooldown.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Optional

from ._fields import random_digits
from ._model import DomainError, Movement, Player, fmt, iso
from ._state import State
from ._svc_phones import tables as player_tables
from ._svc_transfers import CLAIM_ALPHABET, Transfers

__all__ = [
    "CHANNELS", "DEVICE_LABELS", "FLOWS", "DeviceApprovals", "DeviceTables", "Grant",
    "Recovery", "RecoveryCode",
]

FLOWS = ("transfer", "send", "send_receipt", "transfer_receipt")
SENDER_FLOWS = ("transfer", "send")
CHANNELS = ("qr", "app_browser", "popup")
DEVICE_LABELS = ("iPhone", "iPad", "Android phone", "Android device", "Mac", "Windows PC",
                 "Chromebook", "Linux device", "phone")
GRANT_TTL = 600.0  # the grant's lifetime (expires_in)
GRANT_INTERVAL = 5  # seconds between polls
SLOW_DOWN_STEP = 5
COOLDOWN = 24 * 3600.0
RECOVERY_CODE_TTL = 10 * 60.0
RECOVERY_ATTEMPTS = 5
RECOVERY_RATE = (5, 10 * 60.0)  # codes per window, window seconds

# Internal movement state -> the status vocabulary the settle gates on.
WIRE_STATUS = {
    "awaiting_verification": "pending_verification",
    "pending_guardian_approval": "pending_guardian_approval",
    "claim_pending": "pending_claim",
    "completed": "completed",
    "expired": "expired",
    "failed": "failed",
}


@dataclass
class Grant:
    """One device approval grant."""

    device_code: str
    user_code: str
    email: str
    transaction_id: str
    flow: str
    channel: str
    created_at: float
    expires_at: float
    interval: int = GRANT_INTERVAL
    state: str = "pending"  # pending | approved | denied | superseded | settled
    last_poll_at: Optional[float] = None
    approved_at: Optional[float] = None
    enrollment: Optional[dict[str, Any]] = None
    enrollment_via: Optional[str] = None  # who decided the enrollment (screen / email)


@dataclass
class RecoveryCode:
    """A recovery code sent to a player."""

    code: str
    email: str
    sent_at: float
    expires_at: float
    channel: str
    attempts_left: int = RECOVERY_ATTEMPTS


@dataclass
class DeviceTables:
    """The device area's tables."""

    grants: dict[str, Grant] = field(default_factory=dict)  # device_code -> grant
    by_user_code: dict[str, str] = field(default_factory=dict)
    live: dict[tuple[str, str], str] = field(default_factory=dict)  # (txn, flow) -> code
    recovery_codes: dict[str, RecoveryCode] = field(default_factory=dict)  # email -> code
    recovery_sent: dict[str, list[float]] = field(default_factory=dict)  # email -> times
    recovery_outbox: list[dict[str, Any]] = field(default_factory=list)
    enrollment_allowed: set[str] = field(default_factory=set)  # emails after a recovery
    cooldown_until: dict[str, float] = field(default_factory=dict)  # email -> time
    no_contact: set[str] = field(default_factory=set)  # emails with no contact on file


def _invalid_grant() -> DomainError:
    return DomainError(400, "invalid_grant")


def _grant_error(token: str, **extra: Any) -> DomainError:
    refusal = DomainError(400, token)
    refusal.body.update(extra)
    return refusal


class DeviceApprovals:
    """Grants: begin, the phone's page, poll, the enrollment decision, and the settle."""

    def __init__(self, state: State, transfers: Transfers) -> None:
        self.state = state
        self.transfers = transfers

    @property
    def tables(self) -> DeviceTables:
        return self.state.area("devices", DeviceTables)

    # -- auth -------------------------------------------------------------------------------------

    def player_for_token(self, token: Optional[str]) -> Player:
        """The player a Bearer token was minted for; 401 when missing, unknown or expired."""
        s = self.state
        entry = s.tokens.get(token) if token else None
        if entry is None or s.clock.now() >= entry[1]:
            raise DomainError(401, "Invalid or expired player token", "INVALID_PLAYER_TOKEN")
        player = s.find_player(entry[0])
        if player is None:
            raise DomainError(401, "Invalid or expired player token", "INVALID_PLAYER_TOKEN")
        return player

    # -- begin ------------------------------------------------------------------------------------

    def _movement_for(self, player: Player, transaction_id: str, flow: str) -> Movement:
        mv = self.state.movements.get(transaction_id)
        kind = flow.split("_", 1)[0]
        if mv is None or mv.kind != kind:
            raise DomainError(404, "Transaction not found", "TRANSACTION_NOT_FOUND")
        if flow in SENDER_FLOWS:
            if mv.sender_email != player.email:
                raise DomainError(404, "Transaction not found", "TRANSACTION_NOT_FOUND")
        elif not self._is_receiver(player, mv):
            raise DomainError(403, "not_intended_receiver")
        return mv

    @staticmethod
    def _is_receiver(player: Player, mv: Movement) -> bool:
        by_email = bool(mv.receiver_email) and mv.receiver_email == player.email
        by_phone = player.phone is not None and player.phone == mv.receiver_phone
        return by_email or by_phone

    def begin(self, token: Optional[str], body: dict[str, Any], origin: str) -> dict[str, Any]:
        """A new grant; a pending one for the same transaction and flow is superseded."""
        s = self.state
        with s.lock:
            player = self.player_for_token(token)
            txn = body.get("transaction_id")
            if isinstance(txn, int) and not isinstance(txn, bool):
                txn = str(txn)
            if not isinstance(txn, str) or not txn.strip():
                raise DomainError(400, "transaction_id is required", "VALIDATION_ERROR",
                                  field="transaction_id")
            flow, channel = body.get("flow"), body.get("channel", "qr")
            if flow not in FLOWS:
                raise DomainError(400, "flow must be one of " + ", ".join(FLOWS),
                                  "VALIDATION_ERROR", field="flow")
            if channel not in CHANNELS:
                raise DomainError(400, "channel must be one of " + ", ".join(CHANNELS),
                                  "VALIDATION_ERROR", field="channel")
            if channel == "popup" and not origin.lower().startswith("https://"):
                raise DomainError(400, "A popup grant must be begun by the browser page "
                                  "(an https Origin)", "VALIDATION_ERROR", field="channel")
            mv = self._movement_for(player, txn, str(flow))
            now = s.clock.now()
            t = self.tables
            current = t.grants.get(t.live.get((txn, str(flow)), ""))
            if current is not None and current.state == "approved" and now < current.expires_at:
                raise DomainError(
                    409, "An approved device grant for this transaction is still open",
                    "DEVICE_APPROVAL_ALREADY_PENDING", expires_at=iso(current.expires_at),
                )
            if current is not None and current.state == "pending":
                current.state = "superseded"
            grant = Grant(
                device_code=f"dc_{secrets.token_urlsafe(24)}", user_code=self._user_code(),
                email=player.email, transaction_id=txn, flow=str(flow), channel=str(channel),
                created_at=now, expires_at=now + GRANT_TTL,
            )
            t.grants[grant.device_code] = grant
            t.by_user_code[grant.user_code] = grant.device_code
            t.live[(txn, grant.flow)] = grant.device_code
            if grant.flow in SENDER_FLOWS and mv.state == "awaiting_verification":
                # a late approval must not land on an already-refunded transaction
                mv.expires_at = s.expires_at(max(mv.expires_at, grant.expires_at + 60))
            base = f"{s.public_base()}/device"
            return {
                "device_code": grant.device_code,
                "user_code": grant.user_code,
                "verification_uri": base,
                "verification_uri_complete": f"{base}?user_code={grant.user_code}",
                "expires_in": int(GRANT_TTL),
                "interval": grant.interval,
                "channel": grant.channel,
            }

    def _user_code(self) -> str:
        while True:
            raw = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(8))
            code = f"{raw[:4]}-{raw[4:]}"
            if code not in self.tables.by_user_code:
                return code

    # -- the phone's side (the verification page) --------------------------------------------------

    def by_user_code(self, user_code: str) -> Grant:
        """The grant behind a user code (any state), or 404."""
        code = self.tables.by_user_code.get(user_code.strip().upper())
        grant = self.tables.grants.get(code or "")
        if grant is None:
            raise DomainError(404, "Unknown code: check the code on the screen",
                              "DEVICE_CODE_NOT_FOUND")
        return grant

    def page_state(self, grant: Grant) -> str:
        """What the page shows: ``pending``, ``approved``, ``denied``, ``expired``,
        ``superseded`` (scan again) or ``settled``."""
        if grant.state == "pending" and self.state.clock.now() >= grant.expires_at:
            return "expired"
        return grant.state

    def _open_grant(self, user_code: str) -> Grant:
        grant = self.by_user_code(user_code)
        shown = self.page_state(grant)
        if shown == "superseded":
            raise DomainError(409, "This code was replaced: scan the new code on the screen",
                              "DEVICE_CODE_SUPERSEDED")
        if shown != "pending":
            raise DomainError(409, f"This approval is {shown}", "DEVICE_APPROVAL_NOT_PENDING")
        return grant

    def movement_summary(self, grant: Grant) -> dict[str, Any]:
        """What the page says about the transaction."""
        mv = self.state.movements.get(grant.transaction_id)
        if mv is None:
            return {"amount": "", "currency_name": ""}
        game = self.state.games.get(mv.source_game_id)
        return {"amount": fmt(mv.amount), "currency_name": game.currency_name if game else ""}

    def approve(self, user_code: str) -> Grant:
        """The player approves on the phone (after a pending enrollment was confirmed)."""
        s = self.state
        with s.lock:
            grant = self._open_grant(user_code)
            enrollment = grant.enrollment
            if enrollment is not None and enrollment["state"] != "confirmed":
                raise DomainError(409, "Confirm this phone on the game screen first",
                                  "ENROLLMENT_NOT_CONFIRMED")
            player = s.find_player(grant.email)
            if enrollment is not None and player is not None:
                player.passkey_enrolled = True  # the phone created its passkey
            grant.state, grant.approved_at = "approved", s.clock.now()
            data: dict[str, Any] = {
                "method": "device_grant_webauthn",
                "transaction_id": grant.transaction_id,
                "flow": grant.flow,
                "approved_at": iso(grant.approved_at),
            }
            if player is not None:
                data["identity_id"] = player.identity_id
            s.emit("device_approval.approved", data)
            return grant

    def deny(self, user_code: str) -> Grant:
        """The player declines on the phone."""
        with self.state.lock:
            grant = self._open_grant(user_code)
            grant.state = "denied"
            return grant

    def enroll(self, user_code: str, device_label: str = "phone") -> Grant:
        """A first-time phone asks to enroll: the game screen shows the match code."""
        s = self.state
        with s.lock:
            grant = self._open_grant(user_code)
            if device_label not in DEVICE_LABELS:
                device_label = "phone"
            player = s.find_player(grant.email)
            recovery = grant.email in self.tables.enrollment_allowed
            if player is not None and player.passkey_enrolled and not recovery:
                raise DomainError(409, "This identity already has an approver: prove it is "
                                  "you first", "ENROLLMENT_REQUIRES_PROOF")
            if recovery:
                self.tables.enrollment_allowed.discard(grant.email)
            auto = grant.channel == "app_browser"
            grant.enrollment = {
                "state": "confirmed" if auto else "awaiting_screen",
                "device_label": device_label,
                "match_code": f"{random_digits(2)}-{random_digits(2)}",
                "recovery": recovery,
                "requested_at": iso(s.clock.now()),
            }
            grant.enrollment_via = "auto" if auto else None
            return grant

    def decide_by_email(self, user_code: str, approve: bool) -> Grant:
        """The backup email to the player decides the enrollment first."""
        with self.state.lock:
            grant = self.by_user_code(user_code)
            self._decide(grant, approve, "email")
            return grant

    def _decide(self, grant: Grant, approve: bool, via: str) -> str:
        enrollment = grant.enrollment
        if enrollment is None:
            raise DomainError(409, "No phone is waiting to enroll",
                              "DEVICE_APPROVAL_NO_ENROLLMENT_PENDING")
        if grant.enrollment_via is not None:
            raise DomainError(409, "This enrollment was already decided",
                              "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED",
                              decided=enrollment["state"], via=grant.enrollment_via)
        grant.enrollment_via = via
        if approve:
            enrollment["state"] = "confirmed"
            return "confirmed"
        enrollment["state"] = "denied"
        grant.state = "denied"
        return "denied"

    # -- the game server's side --------------------------------------------------------------------

    def _own_grant(self, token: Optional[str], device_code: Any) -> Grant:
        player = self.player_for_token(token)
        if not isinstance(device_code, str) or not device_code:
            raise DomainError(400, "device_code is required", "VALIDATION_ERROR",
                              field="device_code")
        grant = self.tables.grants.get(device_code)
        if grant is None or grant.email != player.email or grant.state == "superseded":
            raise _invalid_grant()
        return grant

    def poll(self, token: Optional[str], device_code: Any) -> dict[str, Any]:
        """The grant's state: 200 when approved, else the RFC 8628 error tokens (400)."""
        s = self.state
        with s.lock:
            grant = self._own_grant(token, device_code)
            now = s.clock.now()
            if grant.state == "denied":
                raise _grant_error("access_denied")
            if now >= grant.expires_at:
                raise _grant_error("expired_token")
            if grant.state in ("approved", "settled"):
                return {"transaction_id": grant.transaction_id, "flow": grant.flow,
                        "approved_at": iso(grant.approved_at or now)}
            previous, grant.last_poll_at = grant.last_poll_at, now
            if previous is not None and now - previous < grant.interval:
                grant.interval += SLOW_DOWN_STEP
                raise _grant_error("slow_down", interval=grant.interval)
            extra: dict[str, Any] = {"interval": grant.interval}
            if grant.enrollment is not None and grant.enrollment["state"] != "denied":
                extra["enrollment"] = dict(grant.enrollment)
            raise _grant_error("authorization_pending", **extra)

    def confirm_enrollment(self, token: Optional[str], device_code: Any,
                           decision: Any) -> dict[str, Any]:
        """The game screen's decision on a phone's enrollment."""
        s = self.state
        with s.lock:
            grant = self._own_grant(token, device_code)
            if decision not in ("approve", "deny"):
                raise DomainError(400, "decision must be approve or deny", "VALIDATION_ERROR",
                                  field="decision")
            if s.clock.now() >= grant.expires_at:
                raise _grant_error("expired_token")
            if grant.state == "denied" and grant.enrollment_via is None:
                raise _grant_error("access_denied")
            return {"status": self._decide(grant, decision == "approve", "screen")}

    # -- settle ---------------------------------------------------------------------------------

    def settle(self, token: Optional[str], flow: str, transaction_id: str,
               device_code: Any) -> tuple[int, dict[str, Any]]:
        """Move the transaction with an approved grant (the money step)."""
        s = self.state
        with s.lock:
            self.transfers.sweep()
            player = self.player_for_token(token)
            grant = self.tables.grants.get(device_code) if isinstance(device_code, str) else None
            valid = (
                grant is not None and grant.email == player.email
                and grant.transaction_id == transaction_id and grant.flow == flow
                and (grant.state == "settled"
                     or (grant.state == "approved" and s.clock.now() < grant.expires_at))
            )
            if grant is None or not valid:
                raise DomainError(400, "The device approval is not approved for this "
                                  "transaction", "DEVICE_APPROVAL_NOT_APPROVED")
            mv = s.movements[transaction_id]
            status = WIRE_STATUS.get(mv.state, mv.state)
            if flow in SENDER_FLOWS:
                return self._settle_sender(grant, mv, status)
            return self._settle_receipt(grant, mv, status, player)

    def _not_pending(self, status: str) -> DomainError:
        return DomainError(400, f"Transaction not pending (current status: {status})",
                           "TRANSACTION_NOT_PENDING", current_status=status)

    def _settle_sender(self, grant: Grant, mv: Movement,
                       status: str) -> tuple[int, dict[str, Any]]:
        s = self.state
        now = s.clock.now()
        if mv.state == "pending_guardian_approval":
            return 202, {
                "status": "pending_guardian_approval",
                "transaction_id": mv.transaction_id,
                "error_code": "GUARDIAN_APPROVAL_PENDING",
                "guardian_approval": {"approval_id": mv.guardian_approval_id,
                                      "status": mv.guardian_state,
                                      "expires_at": iso(mv.guardian_expires_at or now)},
                "poll_endpoint": f"/api/transactions/{mv.transaction_id}/approval-status",
            }
        if status not in ("pending_verification", "pending_pin_verification"):
            raise self._not_pending(status)
        until = self.tables.cooldown_until.get(grant.email, 0.0)
        if now < until:
            raise DomainError(
                403, "Sending is paused for 24 hours after a passkey recovery",
                "PASSKEY_RECOVERY_COOLDOWN", retry_after=iso(until),
                retry_after_seconds=max(1, int(until - now + 0.999)),
            )
        self.transfers.approve(mv, "device_grant")
        grant.state = "settled"
        answer: dict[str, Any] = {"status": "approved", "transaction_id": mv.transaction_id,
                                  "next": "pending_claim"}
        if mv.kind == "transfer":
            answer["claim_code"] = mv.claim_code
            answer["claim_code_expires_at"] = iso(mv.claim_code_expires_at or now)
        return 200, answer

    def _settle_receipt(self, grant: Grant, mv: Movement, status: str,
                        player: Player) -> tuple[int, dict[str, Any]]:
        s = self.state
        if status not in ("pending_claim", "verified"):
            raise self._not_pending(status)
        gid = mv.target_game_id
        player.available[gid] = player.balance(gid) + mv.net_amount
        mv.state = "completed"
        mv.receiver_player_id = player.player_id
        mv.receiver_identity_id = player.identity_id
        grant.state = "settled"
        player_tables(s).completed_at[mv.transaction_id] = s.clock.now()  # the activity feed
        s.emit("transfer.received", self.transfers.event_data(mv, "inbound"))
        s.balance_changed(player, gid, f"{mv.kind}_received", mv.transaction_id)
        return 200, {"status": "completed", "transaction_id": mv.transaction_id,
                     "amount_received": fmt(mv.net_amount)}


class Recovery:
    """The passkey recovery relay: a code by email (SMS without one), then the reset."""

    def __init__(self, state: State, devices: DeviceApprovals) -> None:
        self.state = state
        self.devices = devices

    @property
    def tables(self) -> DeviceTables:
        return self.state.area("devices", DeviceTables)

    def begin(self, token: Optional[str]) -> dict[str, Any]:
        """Send a code (rate limited: 5 per 10 minutes)."""
        s, t = self.state, self.tables
        with s.lock:
            player = self.devices.player_for_token(token)
            now = s.clock.now()
            limit, window = RECOVERY_RATE
            sent = [at for at in t.recovery_sent.get(player.email, []) if now - at < window]
            if len(sent) >= limit:
                refusal = DomainError(429, "rate_limited")
                refusal.body["retry_after"] = max(1, int(sent[0] + window - now + 0.999))
                raise refusal
            if player.email in t.no_contact:
                raise DomainError(422, "no_channel_on_file")
            channel = "email"
            code = RecoveryCode(random_digits(6), player.email, now, now + RECOVERY_CODE_TTL,
                                channel)
            t.recovery_codes[player.email] = code
            t.recovery_sent[player.email] = [*sent, now]
            t.recovery_outbox.append({"to": player.email, "channel": channel,
                                      "code": code.code, "at": iso(now)})
            return {"status": "sent", "channels": [channel]}

    def complete(self, token: Optional[str], code: Any) -> dict[str, Any]:
        """Check the code; reset the passkeys, allow one enrollment, start the cooldown."""
        s, t = self.state, self.tables
        with s.lock:
            player = self.devices.player_for_token(token)
            if isinstance(code, int) and not isinstance(code, bool):
                code = str(code)
            if not isinstance(code, str) or not code.strip():
                raise DomainError(400, "code is required", "VALIDATION_ERROR", field="code")
            now = s.clock.now()
            stored = t.recovery_codes.get(player.email)
            usable = stored is not None and stored.attempts_left > 0 and now < stored.expires_at
            if stored is None or not usable or not secrets.compare_digest(
                    code.strip(), stored.code):
                if stored is not None and usable:
                    stored.attempts_left -= 1
                raise DomainError(400, "The recovery code is wrong or expired",
                                  "ENROLLMENT_CODE_INVALID")
            del t.recovery_codes[player.email]
            deactivated = 1 if player.passkey_enrolled else 0
            player.passkey_enrolled = False
            t.enrollment_allowed.add(player.email)
            until = now + COOLDOWN
            t.cooldown_until[player.email] = until
            t.recovery_outbox.append({"to": player.email, "channel": "email",
                                      "notice": "your passkey was reset", "at": iso(now)})
            s.emit("identity.passkey_reset", {
                "identity_id": player.identity_id,
                "reset_via": "sdk",
                "cooldown_until": iso(until),
                "deactivated_count": deactivated,
            })
            return {"status": "recovered", "deactivated_count": deactivated,
                    "next": "enroll_passkey"}

    def last_code(self, email: str) -> Optional[str]:
        """The last recovery code sent to ``email``."""
        with self.state.lock:
            for message in reversed(self.tables.recovery_outbox):
                if message["to"] == email.strip().lower() and "code" in message:
                    return str(message["code"])
            return None

