"""Sends and transfers: reserve, SMS PIN or in-app verification, expiry, status, destinations.

A movement (a send or a transfer) goes ``awaiting_verification`` (or
``pending_guardian_approval`` for a minor) -> ``claim_pending`` -> ``completed``, or ends
``failed`` / ``expired``. Initiating reserves the amount; verification debits it and issues a
claim code; expiry releases (before verification) or refunds (an unclaimed code).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from ._fields import new_id, random_digits
from ._model import DomainError, Game, Movement, Player, bad_request, fmt, iso
from ._state import State
from ._svc_phones import tables

SEND_MAX = Decimal("1000000")
#: The network fee on a send or transfer, taken from the sender's amount (3.5 % each title,
#: 3 % INVO): 100.00 sent -> 90.00 received.
NETWORK_FEE = Decimal("0.10")


def network_fee(amount: Decimal) -> Decimal:
    """The fee on ``amount``, rounded to the cent."""
    return (amount * NETWORK_FEE).quantize(Decimal("0.01"))
CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Initiation:
    """An initiate-send / initiate-transfer request, parsed (``kind``: send or transfer)."""

    kind: str
    client_request_id: str
    fingerprint: str
    sender_name: str
    sender_email: str
    sender_phone: str
    receiver_email: str
    receiver_phone: str
    target_game_id: int
    amount: Decimal
    amount_wire: Any = None


@dataclass(frozen=True)
class Destinations:
    """Where a game's currency may go."""

    source: Game
    games: list[Game]


class Transfers:
    """Initiating, verifying and expiring sends and transfers; their status; destinations."""

    def __init__(self, state: State) -> None:
        self.state = state

    # -- expiry -----------------------------------------------------------------------------

    def sweep(self) -> None:
        """Apply every expiry due at the current sandbox time (cheap when none is due)."""
        s = self.state
        with s.lock:
            now = s.clock.now()
            if now < s.next_expiry:
                return
            s.next_expiry = float("inf")
            for mv in s.movements.values():
                self._expire(mv, now)

    def _expire(self, mv: Movement, now: float) -> None:
        s = self.state
        if mv.state == "awaiting_verification":
            if now >= mv.expires_at:
                self.release(mv, "expired")
                reason = "pin_expired" if mv.verification_method == "sms" else "approval_expired"
                self._expired_events(mv, mv.expires_at, reason)
            else:
                s.expires_at(mv.expires_at)
        elif mv.state == "pending_guardian_approval":
            deadline = mv.guardian_expires_at or 0
            if now >= deadline:
                mv.guardian_state, mv.guardian_decided_at = "expired", deadline
                mv.guardian_decision_source = "timeout"
                self.release(mv, "expired")
                self._expired_events(mv, deadline, "approval_expired")
            else:
                s.expires_at(deadline)
        elif mv.state == "claim_pending":
            deadline = mv.claim_code_expires_at or 0
            if now >= deadline:
                self._refund_unclaimed(mv)
            else:
                s.expires_at(deadline)

    def release(self, mv: Movement, state: str) -> None:
        """End an unverified movement: the reserved amount goes back to available."""
        sender = self.state.find_player(mv.sender_email)
        mv.state = state
        if sender is not None:
            gid = mv.source_game_id
            sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
            sender.available[gid] = sender.balance(gid) + mv.amount

    def _refund_unclaimed(self, mv: Movement) -> None:
        s = self.state
        mv.state = "expired"
        sender = s.find_player(mv.sender_email)
        if sender is not None:
            gid = mv.source_game_id
            sender.available[gid] = sender.balance(gid) + mv.amount
        self._expired_events(mv, mv.claim_code_expires_at or s.clock.now(), "claim_expired")
        if sender is not None:
            s.balance_changed(sender, mv.source_game_id, "refund", mv.transaction_id)

    def _expired_events(self, mv: Movement, when: float, expiry_reason: str) -> None:
        """``transfer.claim_expired`` (both copies), then ``transfer.refunded`` (one)."""
        s = self.state
        tables(s).expiry_reasons[mv.transaction_id] = expiry_reason
        reason = "claim_expired" if expiry_reason == "claim_expired" else "pin_expired"
        common = {
            "transaction_id": mv.transaction_id,
            "from_game_id": str(mv.source_game_id),
            "to_game_id": str(mv.target_game_id),
            "from_player_id": str(self._player_id(mv.sender_email)),
            "amount": fmt(mv.amount),
            "expired_at": iso(when),
            "reason": reason,
            "expiry_reason": expiry_reason,
            "flow": mv.kind,
        }
        for direction in ("outbound", "inbound"):
            s.emit("transfer.claim_expired", {**common, "direction": direction})
        s.emit("transfer.refunded", {**common, "refunded_amount": fmt(mv.amount)})

    def _player_id(self, email: str) -> Any:
        player = self.state.find_player(email)
        return player.player_id if player is not None else ""

    # -- initiate ---------------------------------------------------------------------------

    def initiate(self, req: Initiation) -> Movement:
        """Reserve the amount and choose the verification; a replayed request id replays."""
        s = self.state
        with s.lock:
            replay = s.replayed(req.kind, req.client_request_id, req.fingerprint)
            if replay is not None:
                return replay  # type: ignore[no-any-return]
            self._check_destination(req)
            sender = s.player_for_write(req.sender_email, req.sender_name)
            had_phone = sender.phone is not None
            s.attach_phone(sender, req.sender_phone)
            if not had_phone and sender.phone is not None:
                self._rekey(sender, req)
            gid = s.config.game_id
            if sender.balance(gid) < req.amount:
                raise DomainError(
                    400, "Insufficient balance", "INSUFFICIENT_BALANCE",
                    required_amount=fmt(req.amount), current_balance=fmt(sender.balance(gid)),
                )
            mv = self._reserve(req, sender)
            if sender.is_minor:
                self._await_guardian(mv)
            else:
                self._await_sender(mv, sender)
            s.remember(req.kind, req.client_request_id, req.fingerprint, mv)
            return mv

    def _rekey(self, sender: Player, req: Initiation) -> None:
        """A phone added to an email-only sender re-keys its identity (a fresh token)."""
        s = self.state
        sender.identity_id = secrets.token_hex(16)
        token = f"ivpt_{secrets.token_urlsafe(24)}"
        expires = s.clock.now() + s.config.token_ttl
        s.tokens[token] = (sender.email, expires)
        tables(s).token_identity[token] = sender.identity_id
        tables(s).rekeyed[(req.kind, req.client_request_id)] = {
            "identity_rekeyed": True, "identity_id": sender.identity_id,
            "player_token": token, "player_token_expires_at": iso(expires)}

    def initiate_answer(self, req: Initiation) -> tuple[Movement, Optional[dict[str, Any]]]:
        """:meth:`initiate`, and the re-keyed identity's answer fields (``None``: no re-key)."""
        with self.state.lock:
            mv = self.initiate(req)
            return mv, tables(self.state).rekeyed.get((req.kind, mv.client_request_id))

    def _check_destination(self, req: Initiation) -> None:
        s = self.state
        if req.target_game_id not in s.games:
            raise DomainError(404, f"Game {req.target_game_id} not found", "GAME_NOT_FOUND")
        linked = s.home.linked_game_ids
        if linked is not None and req.target_game_id not in [*linked, s.home.game_id]:
            raise DomainError(403, f"Game {req.target_game_id} is not a linked destination",
                              "DESTINATION_NOT_ALLOWED")
        same = req.sender_email.lower() == req.receiver_email.lower()
        if same and req.target_game_id == s.home.game_id:
            raise bad_request("sender and receiver are the same player in the same game")

    def _reserve(self, req: Initiation, sender: Player) -> Movement:
        s = self.state
        now, gid = s.clock.now(), s.config.game_id
        mv = Movement(
            kind=req.kind, transaction_id=new_id("txn"), client_request_id=req.client_request_id,
            sender_email=sender.email, sender_name=req.sender_name,
            sender_phone=req.sender_phone, receiver_email=req.receiver_email.lower(),
            receiver_phone=req.receiver_phone, source_game_id=gid,
            target_game_id=req.target_game_id, amount=req.amount,
            net_amount=req.amount - network_fee(req.amount),
            amount_wire=req.amount_wire, created_at=now,
            expires_at=s.expires_at(now + s.config.verification_ttl),
            sms_attempts_left=s.config.sms_max_attempts,
        )
        receiver = s.find_player(req.receiver_email)
        if receiver is not None:
            mv.receiver_identity_id = receiver.identity_id
        sender.available[gid] = sender.balance(gid) - req.amount
        sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) + req.amount
        s.movements[mv.transaction_id] = mv
        return mv

    def _await_guardian(self, mv: Movement) -> None:
        s = self.state
        mv.state = "pending_guardian_approval"
        mv.guardian_approval_id = new_id("gap")
        mv.guardian_state = "pending"
        mv.guardian_expires_at = s.expires_at(mv.created_at + s.config.guardian_ttl)

    def _await_sender(self, mv: Movement, sender: Player) -> None:
        mv.verification_method = "in_app" if sender.passkey_enrolled else "sms"
        if mv.verification_method == "sms":
            mv.sms_pin = random_digits(6)
            self.state.sms_outbox.append({
                "to": mv.sender_phone, "transaction_id": mv.transaction_id,
                "pin": mv.sms_pin, "at": iso(mv.created_at),
            })

    # -- verification -----------------------------------------------------------------------

    def movement(self, kind: Optional[str], transaction_id: str) -> Movement:
        """The movement (of ``kind`` unless ``None``), or 404 ``TRANSACTION_NOT_FOUND``."""
        mv = self.state.movements.get(transaction_id)
        if mv is None or (kind is not None and mv.kind != kind):
            label = {"send": "Send", "transfer": "Transfer"}.get(kind or "", "Transaction")
            raise DomainError(404, f"{label} not found", "TRANSACTION_NOT_FOUND")
        return mv

    def verify_sms(self, kind: str, transaction_id: str, pin: str) -> Movement:
        """Check the PIN; the last allowed wrong PIN blocks for ``sms_block_seconds``."""
        s = self.state
        with s.lock:
            self.sweep()
            mv = self.movement(kind, transaction_id)
            now = s.clock.now()
            if mv.state == "expired":
                raise DomainError(410, "The verification window has expired",
                                  "TRANSACTION_EXPIRED")
            if mv.state != "awaiting_verification" or mv.verification_method != "sms":
                raise DomainError(
                    409, f"Transaction is not awaiting SMS verification ({mv.state})",
                    "TRANSACTION_NOT_PENDING",
                )
            if now < mv.sms_blocked_until:
                raise DomainError(
                    429, "sms_verification_blocked", "SMS_VERIFICATION_BLOCKED",
                    retry_after=max(1, int(mv.sms_blocked_until - now + 0.999)),
                )
            self._check_pin(mv, pin, now)
            self.approve(mv, "sms")
            return mv

    def _check_pin(self, mv: Movement, pin: str, now: float) -> None:
        if mv.sms_attempts_left <= 0:  # a block ended: a fresh set of attempts
            mv.sms_attempts_left = self.state.config.sms_max_attempts
        if secrets.compare_digest(pin, mv.sms_pin or ""):
            return
        mv.sms_attempts_left -= 1
        if mv.sms_attempts_left <= 0:
            mv.sms_blocked_until = now + self.state.config.sms_block_seconds
            raise DomainError(
                429, "sms_verification_blocked", "SMS_VERIFICATION_BLOCKED",
                retry_after=int(self.state.config.sms_block_seconds), attempts_remaining=0,
            )
        raise DomainError(400, "Invalid verification code", "INVALID_SMS_PIN",
                          attempts_remaining=mv.sms_attempts_left)

    def approve_in_app(self, transaction_id: str, player_token: Optional[str] = None) -> Movement:
        """The sender's passkey approval (a test-side helper: the browser does this).

        With the ``player_token`` the browser holds: one minted for the sender's identity
        before it was re-keyed is 403 ``PLAYER_TOKEN_STALE``.
        """
        with self.state.lock:
            self.sweep()
            mv = self.movement(None, transaction_id)
            if player_token is not None:
                self._check_token(mv, player_token)
            if mv.state != "awaiting_verification":
                raise DomainError(409, f"Transaction is not awaiting verification ({mv.state})",
                                  "TRANSACTION_NOT_PENDING")
            self.approve(mv, "passkey")
            return mv

    def _check_token(self, mv: Movement, token: str) -> None:
        s = self.state
        holder = s.tokens.get(token)
        if holder is None or holder[0] != mv.sender_email or s.clock.now() >= holder[1]:
            raise DomainError(401, "The player token is not valid for this sender",
                              "INVALID_PLAYER_TOKEN")
        sender = s.find_player(mv.sender_email)
        minted = tables(s).token_identity.get(token)
        if sender is not None and minted is not None and minted != sender.identity_id:
            raise DomainError(403, "This token was minted before the player's identity was "
                              "re-keyed: mint a new one", "PLAYER_TOKEN_STALE")

    def approve(self, mv: Movement, how: str) -> None:
        """Verified: debit the reserve, issue the claim code, emit the sent events."""
        s = self.state
        now = s.clock.now()
        sender = s.player_for_write(mv.sender_email)
        gid = mv.source_game_id
        sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
        mv.state = "claim_pending"
        mv.order_id = new_id("ord")
        mv.claim_code = self._new_claim_code()
        mv.claim_code_expires_at = s.expires_at(now + s.config.claim_code_ttl)
        s.claim_codes[mv.claim_code] = mv.transaction_id
        s.emit("transfer.sent", {**self.event_data(mv, "outbound"), "approved_by": how})
        for direction in ("outbound", "inbound"):
            s.emit("transfer.claim_pending", self.event_data(mv, direction))
        s.balance_changed(sender, gid, mv.kind, mv.transaction_id)

    def _new_claim_code(self) -> str:
        while True:
            code = "".join(secrets.choice(CLAIM_ALPHABET) for _ in range(8))
            if code not in self.state.claim_codes:
                return code

    def event_data(self, mv: Movement, direction: str) -> dict[str, Any]:
        """The ``data`` of a ``transfer.*`` copy about ``mv`` (``outbound``: the sending
        title's; ``inbound``: the destination title's, which alone names the phone)."""
        data: dict[str, Any] = {
            "transaction_id": mv.transaction_id,
            "order_id": mv.order_id,
            "amount": fmt(mv.amount),
            "net_transfer_amount": fmt(mv.net_amount),
            "claim_code_expires_at": None if mv.claim_code_expires_at is None
            else iso(mv.claim_code_expires_at),
            "from_game_id": str(mv.source_game_id),
            "to_game_id": str(mv.target_game_id),
            "from_player_id": str(self._player_id(mv.sender_email)),
            "direction": direction,
            "flow": mv.kind,
        }
        if direction == "inbound":
            data["to_phone"] = mv.receiver_phone
            data["to_identity_id"] = mv.receiver_identity_id
        return data

    # -- reads ------------------------------------------------------------------------------

    def status(self, kind: str, transaction_id: str) -> Movement:
        """A movement for its status endpoint (expiries applied first)."""
        with self.state.lock:
            self.sweep()
            return self.movement(kind, transaction_id)

    def destinations(self, source_game_id: int) -> Destinations:
        """Every other game (universal mode) or the source's ``linked_game_ids``."""
        with self.state.lock:
            source = self.state.games.get(source_game_id)
            if source is None:
                raise DomainError(404, f"Game {source_game_id} not found", "GAME_NOT_FOUND")
            linked = source.linked_game_ids
            games = [
                g for g in self.state.games.values()
                if g.game_id != source_game_id and (linked is None or g.game_id in linked)
            ]
            return Destinations(source, games)
