"""Sends and transfers: reserve, SMS PIN or in-app verification, expiry, status, destinations."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Optional

from ._model import BackendError, Movement, bad_request, fmt, iso, parse_money
from ._world_base import Answer, WorldBase
from ._world_fields import (
    check_phone,
    game_id_of,
    new_id,
    random_digits,
    req_str,
    request_fingerprint,
)

SEND_MAX = Decimal("1000000")


class SendsAndTransfers(WorldBase):
    """Initiating, verifying and expiring sends and transfers, their status and destinations."""

    # -- expiry sweep -----------------------------------------------------------------------

    def sweep(self) -> None:
        """Apply every expiry due at the current sandbox time."""
        with self.lock:
            now = self.clock.now()
            for mv in self.movements.values():
                if mv.state == "awaiting_verification" and now >= mv.expires_at:
                    self._release(mv, "expired")
                elif mv.state == "pending_guardian_approval" and now >= (
                    mv.guardian_expires_at or 0
                ):
                    mv.guardian_state = "expired"
                    mv.guardian_decided_at = mv.guardian_expires_at
                    mv.guardian_decision_source = "timeout"
                    self._release(mv, "expired")
                elif mv.state == "claim_pending" and now >= (mv.claim_code_expires_at or 0):
                    self._expire_claim(mv)

    def _release(self, mv: Movement, state: str) -> None:
        sender = self._player(mv.sender_email, create=False)
        mv.state = state
        if sender is not None:
            gid = mv.source_game_id
            sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
            sender.available[gid] = sender.balance(gid) + mv.amount

    def _expire_claim(self, mv: Movement) -> None:
        mv.state = "expired"
        sender = self._player(mv.sender_email, create=False)
        data = self._movement_event(mv)
        self.emit("transfer.claim_expired", data)
        if sender is not None:
            gid = mv.source_game_id
            sender.available[gid] = sender.balance(gid) + mv.amount
            self.emit("transfer.refunded", {**data, "refunded_to": sender.email})
            self._balance_changed(sender, gid, "refund", mv.transaction_id)

    # -- sends and transfers ----------------------------------------------------------------

    def initiate(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST initiate-send / initiate-transfer: reserve the amount and pick a verification."""
        names = _PARTY_KEYS[kind]
        with self.lock:
            request_id = req_str(body, "client_request_id")
            replay = self._replay(kind, request_id, body)
            if replay is not None:
                return replay
            sender_name = req_str(body, names["sender_name"])
            sender_email = req_str(body, names["sender_email"])
            sender_phone = req_str(body, names["sender_phone"])
            receiver_email = req_str(body, names["receiver_email"])
            receiver_phone = req_str(body, names["receiver_phone"])
            for key, phone in (
                (names["sender_phone"], sender_phone),
                (names["receiver_phone"], receiver_phone),
            ):
                check_phone(phone, key)
            game_key = names["game"]
            if body.get(game_key) is None:
                raise bad_request(f"{game_key} is required", game_key)
            target_gid = game_id_of(body.get(game_key), game_key)
            if target_gid not in self.games:
                raise BackendError(404, f"Game {target_gid} not found", "GAME_NOT_FOUND")
            linked = self.home.linked_game_ids
            if linked is not None and target_gid not in linked and target_gid != self.home.game_id:
                raise BackendError(
                    403, f"Game {target_gid} is not a linked destination", "DESTINATION_NOT_ALLOWED"
                )
            raw_amount = body.get("amount")
            amount = parse_money(raw_amount, "amount", SEND_MAX)
            if sender_email.lower() == receiver_email.lower() and target_gid == self.home.game_id:
                raise bad_request("sender and receiver are the same player in the same game")
            sender = self._player_for_write(sender_email, sender_name)
            self.attach_phone(sender, sender_phone)
            gid = self.config.game_id
            if sender.balance(gid) < amount:
                raise BackendError(
                    400,
                    "Insufficient balance",
                    "INSUFFICIENT_BALANCE",
                    required_amount=fmt(amount),
                    current_balance=fmt(sender.balance(gid)),
                )
            now = self.clock.now()
            mv = Movement(
                kind=kind,
                transaction_id=new_id("txn"),
                client_request_id=request_id,
                sender_email=sender.email,
                sender_name=sender_name,
                sender_phone=sender_phone,
                receiver_email=receiver_email.lower(),
                receiver_phone=receiver_phone,
                source_game_id=gid,
                target_game_id=target_gid,
                amount=amount,
                net_amount=amount,
                amount_wire=raw_amount,
                created_at=now,
                expires_at=now + self.config.verification_ttl,
                sms_attempts_left=self.config.sms_max_attempts,
            )
            receiver = self._player(receiver_email, create=False)
            if receiver is not None:
                mv.receiver_identity_id = receiver.identity_id
            sender.available[gid] = sender.balance(gid) - amount
            sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) + amount
            self.movements[mv.transaction_id] = mv
            answer: Answer
            if sender.is_minor:
                mv.state = "pending_guardian_approval"
                mv.guardian_approval_id = new_id("gap")
                mv.guardian_state = "pending"
                mv.guardian_expires_at = now + self.config.guardian_ttl
                answer = 202, {
                    "success": True,
                    "status": "pending_guardian_approval",
                    "transaction_id": mv.transaction_id,
                    "guardian_approval": {
                        "approval_id": mv.guardian_approval_id,
                        "state": "pending",
                        "expires_at": iso(mv.guardian_expires_at),
                    },
                }
            else:
                method = "in_app" if sender.passkey_enrolled else "sms"
                mv.verification_method = method
                body_out: dict[str, Any] = {
                    "success": True,
                    "status": "pending_verification",
                    "transaction_id": mv.transaction_id,
                    "verification_method": method,
                    "expires_at": iso(mv.expires_at),
                }
                if method == "sms":
                    mv.sms_pin = random_digits(6)
                    self.sms_outbox.append(
                        {
                            "to": sender_phone,
                            "transaction_id": mv.transaction_id,
                            "pin": mv.sms_pin,
                            "at": iso(now),
                        }
                    )
                answer = 200, body_out
            self.idempotent[(kind, request_id)] = (request_fingerprint(body), answer)
            return answer

    def _movement(self, kind: Optional[str], transaction_id: str) -> Movement:
        mv = self.movements.get(transaction_id)
        if mv is None or (kind is not None and mv.kind != kind):
            label = {"send": "Send", "transfer": "Transfer", None: "Transaction"}[kind]
            raise BackendError(404, f"{label} not found", "TRANSACTION_NOT_FOUND")
        return mv

    def verify_sms(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST verify-sms: check the PIN, count attempts, block after too many."""
        with self.lock:
            self.sweep()
            mv = self._movement(kind, req_str(body, "transaction_id"))
            pin = req_str(body, "sms_pin")
            now = self.clock.now()
            if mv.state == "expired":
                raise BackendError(
                    410, "The verification window has expired", "TRANSACTION_EXPIRED"
                )
            if mv.state != "awaiting_verification" or mv.verification_method != "sms":
                raise BackendError(
                    409, f"Transaction is not awaiting SMS verification ({mv.state})",
                    "TRANSACTION_NOT_PENDING",
                )
            if now < mv.sms_blocked_until:
                raise BackendError(
                    429,
                    "sms_verification_blocked",
                    "SMS_VERIFICATION_BLOCKED",
                    retry_after=max(1, int(mv.sms_blocked_until - now + 0.999)),
                )
            if mv.sms_attempts_left <= 0:
                mv.sms_attempts_left = self.config.sms_max_attempts
            if not secrets.compare_digest(pin, mv.sms_pin or ""):
                mv.sms_attempts_left -= 1
                if mv.sms_attempts_left <= 0:
                    mv.sms_blocked_until = now + self.config.sms_block_seconds
                    raise BackendError(
                        429,
                        "sms_verification_blocked",
                        "SMS_VERIFICATION_BLOCKED",
                        retry_after=int(self.config.sms_block_seconds),
                        attempts_remaining=0,
                    )
                raise BackendError(
                    400,
                    "Invalid verification code",
                    "INVALID_SMS_PIN",
                    attempts_remaining=mv.sms_attempts_left,
                )
            self._approve(mv, "sms")
            sender = self._player_for_write(mv.sender_email)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": mv.transaction_id,
                "claim_code": mv.claim_code,
                "claim_code_expires_at": iso(mv.claim_code_expires_at or now),
                "new_balance": fmt(sender.balance(mv.source_game_id)),
                "order_id": mv.order_id,
            }

    def approve_in_app(self, transaction_id: str) -> dict[str, Any]:
        """What the sender's passkey approval does in the browser (test-side helper)."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.state != "awaiting_verification":
                raise BackendError(
                    409, f"Transaction is not awaiting verification ({mv.state})",
                    "TRANSACTION_NOT_PENDING",
                )
            self._approve(mv, "passkey")
            return {
                "status": "approved",
                "transaction_id": mv.transaction_id,
                "claim_code": mv.claim_code,
                "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
            }

    def _approve(self, mv: Movement, how: str) -> None:
        now = self.clock.now()
        sender = self._player_for_write(mv.sender_email)
        gid = mv.source_game_id
        sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
        mv.state = "claim_pending"
        mv.order_id = new_id("ord")
        mv.claim_code = self._new_claim_code()
        mv.claim_code_expires_at = now + self.config.claim_code_ttl
        self.claim_codes[mv.claim_code] = mv.transaction_id
        data = self._movement_event(mv)
        self.emit("transfer.sent", {**data, "approved_by": how})
        self.emit("transfer.claim_pending", data)
        self._balance_changed(sender, gid, mv.kind, mv.transaction_id)

    def _new_claim_code(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            code = "".join(secrets.choice(alphabet) for _ in range(8))
            if code not in self.claim_codes:
                return code

    def _movement_event(self, mv: Movement) -> dict[str, Any]:
        source = self.games[mv.source_game_id]
        target = self.games[mv.target_game_id]
        return {
            "transaction_id": mv.transaction_id,
            "flow": mv.kind,
            "order_id": mv.order_id,
            "sender_email": mv.sender_email,
            "receiver_email": mv.receiver_email,
            "to_phone": mv.receiver_phone,
            "amount": fmt(mv.amount),
            "net_amount": fmt(mv.net_amount),
            "source_game_id": source.game_id,
            "target_game_id": target.game_id,
            "currency_name": target.currency_name,
        }

    def movement_status(self, kind: str, transaction_id: str) -> Answer:
        """GET /api/transfers/{id}/status and /api/currency-sends/{id}/status."""
        with self.lock:
            self.sweep()
            mv = self._movement(kind, transaction_id)
            return 200, {
                "success": True,
                "transaction_id": mv.transaction_id,
                "transaction_type": mv.kind,
                "transaction_status": mv.state,
                "verification_state": mv.verification_state(),
                "verification_method": mv.verification_method,
                "amount": fmt(mv.amount),
                "net_amount": fmt(mv.net_amount),
                "currency_id": self.games[mv.target_game_id].currency_id,
                "order_id": mv.order_id,
                "to_phone": mv.receiver_phone,
                "to_identity_id": mv.receiver_identity_id,
                "created_at": iso(mv.created_at),
            }

    def destinations(self, direction: str, body: Mapping[str, Any]) -> Answer:
        """POST available-destinations for transfers or sends."""
        with self.lock:
            if body.get("source_game_id") is None or (
                isinstance(body.get("source_game_id"), str) and not body["source_game_id"].strip()
            ):
                raise bad_request("source_game_id is required", "source_game_id")
            gid = game_id_of(body.get("source_game_id"), "source_game_id")
            source = self.games.get(gid)
            if source is None:
                raise BackendError(404, f"Game {gid} not found", "GAME_NOT_FOUND")
            base = self._public_base()
            linked = source.linked_game_ids
            games = [
                g
                for g in self.games.values()
                if g.game_id != gid and (linked is None or g.game_id in linked)
            ]
            return 200, {
                "status": "success",
                "source_game_id": source.game_id,
                "source_game_name": source.name,
                "source_game_icon": source.icon(base),
                "source_currency_name": source.currency_name,
                "source_currency_icon": f"{base}/assets/games/{gid}/currency.png",
                "universal_transfers": linked is None,
                "transfer_mode": "universal" if linked is None else "linked",
                "available_games": [g.destination(base) for g in games],
                "total_destinations": len(games),
                "direction": direction,
                "linked_game_ids": list(linked) if linked is not None else None,
            }


_PARTY_KEYS = {
    "send": {
        "sender_name": "sender_player_name",
        "sender_email": "sender_player_email",
        "sender_phone": "sender_player_phone",
        "receiver_email": "receiver_player_email",
        "receiver_phone": "receiver_player_phone",
        "game": "receiving_game_id",
    },
    "transfer": {
        "sender_name": "source_player_name",
        "sender_email": "source_player_email",
        "sender_phone": "source_player_phone",
        "receiver_email": "target_player_email",
        "receiver_phone": "target_player_phone",
        "game": "target_game_id",
    },
}
