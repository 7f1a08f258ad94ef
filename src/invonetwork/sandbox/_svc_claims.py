"""Claims and guardians: redeeming a claim code, what awaits a claim, a minor's approvals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

from ._model import DomainError, Movement, Player
from ._state import State
from ._svc_phone_share import PhoneShare
from ._svc_phones import tables
from ._svc_transfers import Transfers


@dataclass(frozen=True)
class Claim:
    """A claim request, parsed. ``currency_id`` is required for transfers only."""

    kind: str
    claim_code: str
    receiver_name: str
    receiver_email: str
    receiver_phone: str
    phone_field: str
    currency_id: Optional[int] = None
    chosen_player_id: Optional[int] = None
    chosen_field: str = "target_player_id"


@dataclass(frozen=True)
class ClaimOutcome:
    """A completed claim (``receiver`` set) or a request to choose (``candidates``)."""

    movement: Movement
    receiver: Optional[Player] = None
    candidates: list[Player] = field(default_factory=list)


class Claims:
    """Claim codes: the receiver claims with the phone the money was sent to."""

    def __init__(self, state: State, transfers: Transfers, phone_share: PhoneShare) -> None:
        self.state = state
        self.transfers = transfers
        self.phone_share = phone_share

    def claim(self, req: Claim) -> ClaimOutcome:
        """Credit the receiver in the destination currency (1:1), emit ``transfer.received``."""
        s = self.state
        with s.lock:
            self.transfers.sweep()
            mv = self._claimable(req)
            if tables(s).identity_check_down:
                raise DomainError(503, "The identity check is unavailable; nothing moved. "
                                  "Send the claim again later", "IDENTITY_CHECK_UNAVAILABLE")
            self.phone_share.require(req.receiver_phone, req.receiver_email)
            chosen = self._receiver(req)
            if isinstance(chosen, list):
                return ClaimOutcome(mv, candidates=chosen)
            gid = mv.target_game_id
            chosen.available[gid] = chosen.balance(gid) + mv.net_amount
            mv.state = "completed"
            mv.receiver_player_id = chosen.player_id
            mv.receiver_identity_id = chosen.identity_id
            tables(s).completed_at[mv.transaction_id] = s.clock.now()
            s.emit("transfer.received", self.transfers.event_data(mv, "inbound"))
            s.balance_changed(chosen, gid, f"{req.kind}_received", mv.transaction_id)
            return ClaimOutcome(mv, receiver=chosen)

    def _claimable(self, req: Claim) -> Movement:
        s = self.state
        txn = s.claim_codes.get(req.claim_code.upper())
        mv = s.movements.get(txn) if txn else None
        if mv is None or mv.kind != req.kind:
            raise DomainError(404, "Claim code not found", "CLAIM_CODE_NOT_FOUND")
        if mv.state == "expired":
            raise DomainError(400, "This claim code has expired", "CLAIM_EXPIRED")
        if mv.state != "claim_pending":
            raise DomainError(400, "This claim code cannot be claimed (already used or not "
                              "claimable)", "NOT_CLAIMABLE")
        if req.receiver_phone != mv.receiver_phone:
            raise DomainError(403, "This phone is not the one the value was sent to; nothing "
                              "moved", "PHONE_MISMATCH", field=req.phone_field)
        currency = s.games[mv.target_game_id].currency_id
        if req.kind == "transfer" and req.currency_id != currency:
            raise DomainError(
                400, "target_currency_id is not the currency of the transfer's target game",
                "NOT_CLAIMABLE", expected_currency_id=currency,
            )
        return mv

    def _receiver(self, req: Claim) -> Union[Player, list[Player]]:
        """The player to credit, or the candidates to choose from."""
        s = self.state
        shared = self.phone_share.owner(req.receiver_phone, req.receiver_email) is not None
        holders = [] if shared else [p for p in s.players.values() if p.phone == req.receiver_phone]
        if req.chosen_player_id is not None:
            chosen = s.players_by_id.get(req.chosen_player_id)
            allowed = {p.player_id for p in holders}
            by_email = s.find_player(req.receiver_email)
            if by_email is not None:
                allowed.add(by_email.player_id)
            if chosen is None or chosen.player_id not in allowed:
                raise DomainError(400, f"{req.chosen_field} is not one of the candidate players",
                                  "INVALID_TARGET_PLAYER")
            return chosen
        if len(holders) > 1:
            return sorted(holders, key=lambda p: p.player_id)
        receiver = s.player_for_write(req.receiver_email, req.receiver_name)
        s.attach_phone(receiver, req.receiver_phone)
        return receiver

    def inbound_pending(self, email: Optional[str], phone: Optional[str]) -> list[Movement]:
        """Claimable movements to this email or phone."""
        key = (email or "").strip().lower()
        with self.state.lock:
            self.transfers.sweep()
            return [
                mv for mv in self.state.movements.values()
                if mv.state == "claim_pending"
                and ((key and mv.receiver_email == key) or (phone and mv.receiver_phone == phone))
            ]


class Guardians:
    """The guardian approval of a minor's send or transfer."""

    def __init__(self, state: State, transfers: Transfers) -> None:
        self.state = state
        self.transfers = transfers

    def approval(self, transaction_id: str) -> Movement:
        """The movement holding the approval, or 404 ``APPROVAL_NOT_FOUND``."""
        with self.state.lock:
            self.transfers.sweep()
            mv = self.transfers.movement(None, transaction_id)
            if mv.guardian_approval_id is None:
                raise DomainError(404, "No guardian approval for this transaction",
                                  "APPROVAL_NOT_FOUND")
            return mv

    def decide(self, transaction_id: str, approve: bool, source: str = "guardian_app") -> Movement:
        """Approve (verify the movement) or reject (release the reserve), once."""
        with self.state.lock:
            mv = self.approval(transaction_id)
            if mv.guardian_state != "pending":
                raise DomainError(409, f"Approval is already {mv.guardian_state}",
                                  "APPROVAL_DECIDED")
            mv.guardian_decided_at = self.state.clock.now()
            mv.guardian_decision_source = source
            if approve:
                mv.guardian_state = "approved"
                self.transfers.approve(mv, "guardian")
            else:
                mv.guardian_state = "rejected"
                self.transfers.release(mv, "failed")
            return mv
