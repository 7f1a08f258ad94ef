"""Phone-share consent: using a phone number another INVO account owns needs its owner's OTP."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any, Optional

from ._model import E164_RE, BackendError, PhoneShareApproval, bad_request, iso
from ._world_base import Answer, WorldBase
from ._world_fields import check_phone, new_id, random_digits, req_str


class PhoneShare(WorldBase):
    """Foreign phone owners, the phone-share rule, and its OTP approval flow."""

    # -- phone share ------------------------------------------------------------------------

    def set_phone_owner(self, phone: str, owner_email: str) -> None:
        """Declare ``phone`` as owned by another INVO account (``owner_email``)."""
        if not E164_RE.match(phone):
            raise ValueError(f"phone must be E.164, got {phone!r}")
        with self.lock:
            self.foreign_phones[phone] = owner_email.lower()

    def _phone_owner(self, phone: str, email: str) -> Optional[str]:
        """Who else owns ``phone``: a declared foreign owner, or a player of another wallet."""
        owner = self.foreign_phones.get(phone)
        if owner is not None:
            return None if owner == email.strip().lower() else owner
        holder = self.phone_holder(phone, self._player(email, create=False))
        if holder is None or holder.email == email.strip().lower():
            return None
        return holder.email

    def _require_phone_share(self, phone: str, email: str) -> None:
        if self._phone_owner(phone, email) is None:
            return
        if self._approved(phone, email):
            return
        approval = self._pending_approval(phone, email)
        raise BackendError(
            409,
            "This phone number belongs to another INVO account; its owner must approve sharing",
            "PHONE_SHARE_APPROVAL_REQUIRED",
            approval_id=approval.approval_id,
            expires_at=iso(approval.expires_at),
        )

    def _approved(self, phone: str, email: str) -> bool:
        key = email.strip().lower()
        return any(
            a.approved and a.phone == phone and a.email == key
            for a in self.phone_approvals.values()
        )

    def _pending_approval(
        self, phone: str, email: str, *, resend: bool = False
    ) -> PhoneShareApproval:
        now = self.clock.now()
        key = email.strip().lower()
        for approval in self.phone_approvals.values():
            if (
                approval.phone == phone
                and approval.email == key
                and not approval.approved
                and now < approval.expires_at
            ):
                if resend:
                    self.sms_outbox.append(
                        {"to": phone, "otp": approval.otp,
                         "approval_id": approval.approval_id, "at": iso(now)}
                    )
                    self.otps.setdefault(phone, []).append(approval.otp)
                return approval
        approval = PhoneShareApproval(
            approval_id=new_id("psa"),
            phone=phone,
            email=key,
            otp=random_digits(6),
            created_at=now,
            expires_at=now + self.config.otp_ttl,
        )
        self.phone_approvals[approval.approval_id] = approval
        self.otps.setdefault(phone, []).append(approval.otp)
        self.sms_outbox.append(
            {"to": phone, "otp": approval.otp, "approval_id": approval.approval_id, "at": iso(now)}
        )
        return approval

    def phone_share_initiate(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/wallet/phone-share/initiate: (re)send the owner's OTP."""
        with self.lock:
            phone = req_str(body, "phone")
            email = req_str(body, "email")
            check_phone(phone, "phone")
            if self._approved(phone, email):
                approval = next(
                    a for a in self.phone_approvals.values()
                    if a.approved and a.phone == phone and a.email == email.strip().lower()
                )
                return 200, {
                    "success": True,
                    "approval_id": approval.approval_id,
                    "code_sent": False,
                    "already_approved": True,
                    "expires_at": iso(approval.expires_at),
                }
            approval = self._pending_approval(phone, email, resend=True)
            return 200, {
                "success": True,
                "approval_id": approval.approval_id,
                "code_sent": True,
                "already_approved": False,
                "expires_at": iso(approval.expires_at),
            }

    def phone_share_approve(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/wallet/phone-share/approve: check the OTP (attempts counted)."""
        with self.lock:
            approval_id = req_str(body, "approval_id")
            otp = req_str(body, "otp")
            approval = self.phone_approvals.get(approval_id)
            if approval is None:
                raise BackendError(404, "Approval not found", "APPROVAL_NOT_FOUND")
            now = self.clock.now()
            if approval.approved:
                raise BackendError(
                    409, "Phone sharing was already approved", "PHONE_SHARE_ALREADY_APPROVED",
                    approval_id=approval.approval_id, already_approved=True,
                )
            if now >= approval.expires_at:
                raise BackendError(410, "The code has expired; start again", "OTP_EXPIRED")
            if now < approval.blocked_until or approval.attempts_left <= 0:
                approval.blocked_until = max(approval.blocked_until, now + 900)
                raise BackendError(
                    429, "Too many wrong codes", "OTP_ATTEMPTS_EXCEEDED",
                    retry_after=max(1, int(approval.blocked_until - now)),
                )
            if not secrets.compare_digest(otp, approval.otp):
                approval.attempts_left -= 1
                raise BackendError(
                    400, "Invalid code", "INVALID_OTP", attempts_remaining=approval.attempts_left
                )
            approval.approved = True
            approval.approved_at = now
            return 200, {
                "success": True,
                "approval_id": approval.approval_id,
                "approved": True,
                "already_approved": False,
                "expires_at": iso(approval.expires_at),
            }

    def phone_share_status(self, query: Mapping[str, str]) -> Answer:
        """GET /api/wallet/phone-share/status?phone=&email=."""
        with self.lock:
            phone = (query.get("phone") or "").strip()
            email = (query.get("email") or "").strip()
            if not phone or not email:
                raise bad_request("phone and email are required")
            return 200, {"success": True, "approved": self._approved(phone, email)}
