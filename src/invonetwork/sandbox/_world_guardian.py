"""Guardian approvals: a minor's send or transfer waits for a guardian's decision."""

from __future__ import annotations

from typing import Any

from ._model import BackendError, Movement, fmt, iso
from ._world_base import Answer
from ._world_transfers import SendsAndTransfers


class GuardianApprovals(SendsAndTransfers):
    """The guardian approval of a minor's send or transfer: its status and the decision."""

    # -- guardian approvals -----------------------------------------------------------------

    def guardian_status(self, transaction_id: str) -> Answer:
        """GET /api/transactions/{id}/approval-status."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.guardian_approval_id is None:
                raise BackendError(
                    404, "No guardian approval for this transaction", "APPROVAL_NOT_FOUND"
                )
            return 200, {"success": True, "approval": self._approval_body(mv)}

    def _approval_body(self, mv: Movement) -> dict[str, Any]:
        target = self.games[mv.target_game_id]
        verb = "send" if mv.kind == "send" else "transfer"
        return {
            "approval_id": mv.guardian_approval_id,
            "transaction_id": mv.transaction_id,
            "state": mv.guardian_state,
            "expires_at": iso(mv.guardian_expires_at or 0),
            "decided_at": iso(mv.guardian_decided_at) if mv.guardian_decided_at else None,
            "decision_source": mv.guardian_decision_source,
            "action_description": (
                f"{mv.sender_name} wants to {verb} {fmt(mv.amount)} {self.home.currency_name} "
                f"to {mv.receiver_email} in {target.name}"
            ),
        }

    def guardian_decide(
        self, transaction_id: str, approve: bool, source: str = "guardian_app"
    ) -> dict[str, Any]:
        """The guardian approves or rejects a minor's send/transfer (test-side helper)."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.guardian_approval_id is None:
                raise BackendError(
                    404, "No guardian approval for this transaction", "APPROVAL_NOT_FOUND"
                )
            if mv.guardian_state != "pending":
                raise BackendError(
                    409, f"Approval is already {mv.guardian_state}", "APPROVAL_DECIDED"
                )
            mv.guardian_decided_at = self.clock.now()
            mv.guardian_decision_source = source
            if approve:
                mv.guardian_state = "approved"
                self._approve(mv, "guardian")
            else:
                mv.guardian_state = "rejected"
                self._release(mv, "failed")
            return self._approval_body(mv)
