"""Claim codes: the receiver claiming a send or transfer, and the inbound-pending list."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from ._model import BackendError, Player, bad_request, fmt, iso
from ._world_base import Answer
from ._world_fields import check_phone, game_id_of, req_str
from ._world_phone_share import PhoneShare
from ._world_transfers import SendsAndTransfers


class TransferClaims(SendsAndTransfers, PhoneShare):
    """Claiming a send or transfer with its claim code, and listing what awaits a claim."""

    # -- claim codes ------------------------------------------------------------------------

    def claim(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST claim-transfer / claim-currency with a claim code."""
        keys = _CLAIM_KEYS[kind]
        with self.lock:
            self.sweep()
            code = req_str(body, "claim_code").upper()
            name = req_str(body, keys["name"])
            email = req_str(body, keys["email"])
            phone = req_str(body, keys["phone"])
            check_phone(phone, keys["phone"])
            txn = self.claim_codes.get(code)
            mv = self.movements.get(txn) if txn else None
            if mv is None or mv.kind != kind:
                raise BackendError(404, "Claim code not found", "CLAIM_CODE_NOT_FOUND")
            if mv.state == "expired":
                raise BackendError(410, "This claim code has expired", "CLAIM_CODE_EXPIRED")
            if mv.state == "completed":
                raise BackendError(
                    409, "This claim code was already used", "CLAIM_ALREADY_COMPLETED"
                )
            if phone != mv.receiver_phone:
                raise BackendError(
                    400,
                    "This phone is not the one the money was sent to",
                    "PHONE_MISMATCH",
                    field=keys["phone"],
                )
            target_game = self.games[mv.target_game_id]
            if kind == "transfer":
                currency = body.get("target_currency_id")
                if currency is None or (isinstance(currency, str) and not currency.strip()):
                    raise bad_request("target_currency_id is required", "target_currency_id")
                if game_id_of(currency, "target_currency_id") != target_game.currency_id:
                    raise BackendError(
                        400,
                        "target_currency_id is not the currency of the transfer's target game",
                        "CURRENCY_MISMATCH",
                        expected_currency_id=target_game.currency_id,
                    )
            self._require_phone_share(phone, email)
            shared = self._phone_owner(phone, email) is not None  # approved above
            candidates = [] if shared else [p for p in self.players.values() if p.phone == phone]
            chosen_id = body.get(keys["player_id"])
            receiver: Optional[Player]
            if chosen_id is not None:
                try:
                    receiver = self.players_by_id.get(int(chosen_id))
                except (TypeError, ValueError):
                    receiver = None
                allowed = {p.player_id for p in candidates}
                by_email = self._player(email, create=False)
                if by_email is not None:
                    allowed.add(by_email.player_id)
                if receiver is None or receiver.player_id not in allowed:
                    raise BackendError(
                        400,
                        f"{keys['player_id']} is not one of the candidate players",
                        "INVALID_TARGET_PLAYER",
                    )
            elif len(candidates) > 1:
                return 200, {
                    "success": True,
                    "status": "needs_account_selection",
                    "transaction_id": mv.transaction_id,
                    "candidates": [
                        {
                            "player_id": p.player_id,
                            "player_name": p.name,
                            "player_email": p.email,
                        }
                        for p in sorted(candidates, key=lambda p: p.player_id)
                    ],
                }
            else:
                receiver = self._player_for_write(email, name)
                if receiver.phone is None:
                    receiver.phone = phone
            gid = target_game.game_id
            receiver.available[gid] = receiver.balance(gid) + mv.net_amount
            mv.state = "completed"
            mv.receiver_player_id = receiver.player_id
            mv.receiver_identity_id = receiver.identity_id
            self.emit(
                "transfer.received",
                {**self._movement_event(mv), "receiver_email": receiver.email},
            )
            self._balance_changed(receiver, gid, f"{kind}_received", mv.transaction_id)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": mv.transaction_id,
                "new_balance": fmt(receiver.balance(gid)),
                "currency_name": target_game.currency_name,
                "order_id": mv.order_id,
                "player_id": receiver.player_id,
            }

    def inbound_pending(self, query: Mapping[str, str]) -> Answer:
        """GET /api/transfers/inbound-pending?player_email=&player_phone=."""
        with self.lock:
            self.sweep()
            email = (query.get("player_email") or "").strip().lower()
            phone = (query.get("player_phone") or "").strip()
            if not email and not phone:
                raise bad_request("player_email or player_phone is required")
            rows = []
            for mv in self.movements.values():
                if mv.state != "claim_pending":
                    continue
                if (email and mv.receiver_email == email) or (phone and mv.receiver_phone == phone):
                    rows.append(
                        {
                            "transaction_id": mv.transaction_id,
                            "flow": mv.kind,
                            "amount": fmt(mv.amount),
                            "net_amount": fmt(mv.net_amount),
                            "source_game_id": mv.source_game_id,
                            "source_game": self.games[mv.source_game_id].name,
                            "to_phone": mv.receiver_phone,
                            "to_identity_id": mv.receiver_identity_id,
                            "created_at": iso(mv.created_at),
                            "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
                        }
                    )
            return 200, {"success": True, "inbound_pending": rows}


_CLAIM_KEYS = {
    "send": {
        "name": "receiver_player_name",
        "email": "receiver_player_email",
        "phone": "receiver_player_phone",
        "player_id": "receiver_player_id",
    },
    "transfer": {
        "name": "target_player_name",
        "email": "target_player_email",
        "phone": "target_player_phone",
        "player_id": "target_player_id",
    },
}
