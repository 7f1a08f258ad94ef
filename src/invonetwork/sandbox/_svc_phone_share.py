"""Phone-share consent: using a phone another INVO account owns needs its owner's OTP.

A phone is "owned by another account" when ``phone_owners`` declares it so, or when a player
of another wallet holds it (two players share a phone only inside one wallet).
"""

from __future__ import annotations

import secrets
from typing import Optional

from ._fields import new_id, random_digits
from ._model import E164_RE, DomainError, PhoneShareApproval, iso
from ._state import State

OTP_BLOCK_SECONDS = 900


class PhoneShare:
    """Foreign phone owners, the consent rule, and its OTP approval flow."""

    def __init__(self, state: State) -> None:
        self.state = state

    def set_phone_owner(self, phone: str, owner_email: str) -> None:
        """Declare ``phone`` as owned by another INVO account (``owner_email``)."""
        if not E164_RE.match(phone):
            raise ValueError(f"phone must be E.164, got {phone!r}")
        with self.state.lock:
            self.state.foreign_phones[phone] = owner_email.lower()

    def owner(self, phone: str, email: str) -> Optional[str]:
        """Who else owns ``phone``: a declared foreign owner, or a player of another wallet."""
        s = self.state
        key = email.strip().lower()
        declared = s.foreign_phones.get(phone)
        if declared is not None:
            return None if declared == key else declared
        holder = s.phone_holder(phone, s.find_player(email))
        if holder is None or holder.email == key:
            return None
        return holder.email

    def require(self, phone: str, email: str) -> None:
        """409 ``PHONE_SHARE_APPROVAL_REQUIRED`` (and an OTP to the owner) unless allowed."""
        if self.owner(phone, email) is None or self.approved(phone, email) is not None:
            return
        approval = self._pending(phone, email)
        raise DomainError(
            409,
            "This phone number belongs to another INVO account; its owner must approve sharing",
            "PHONE_SHARE_APPROVAL_REQUIRED",
            approval_id=approval.approval_id,
            expires_at=iso(approval.expires_at),
            phone_last4=phone[-4:],
            consent_channel="sms",
        )

    def approved(self, phone: str, email: str) -> Optional[PhoneShareApproval]:
        """The approval that lets ``email`` use ``phone``, if one was granted."""
        key = email.strip().lower()
        for approval in self.state.phone_approvals.values():
            if approval.approved and approval.phone == phone and approval.email == key:
                return approval
        return None

    def _text_otp(self, approval: PhoneShareApproval) -> None:
        s = self.state
        s.otps.setdefault(approval.phone, []).append(approval.otp)
        s.sms_outbox.append({"to": approval.phone, "otp": approval.otp,
                             "approval_id": approval.approval_id, "at": iso(s.clock.now())})

    def _pending(self, phone: str, email: str, *, resend: bool = False) -> PhoneShareApproval:
        s = self.state
        now = s.clock.now()
        key = email.strip().lower()
        for approval in s.phone_approvals.values():
            live = not approval.approved and now < approval.expires_at
            if live and approval.phone == phone and approval.email == key:
                if resend:
                    self._text_otp(approval)
                return approval
        approval = PhoneShareApproval(
            approval_id=new_id("psa"), phone=phone, email=key, otp=random_digits(6),
            created_at=now, expires_at=now + s.config.otp_ttl,
        )
        s.phone_approvals[approval.approval_id] = approval
        self._text_otp(approval)
        return approval

    def initiate(self, phone: str, email: str) -> tuple[PhoneShareApproval, bool]:
        """(Re)send the owner's OTP; returns the approval and whether it was already granted."""
        with self.state.lock:
            done = self.approved(phone, email)
            if done is not None:
                return done, True
            return self._pending(phone, email, resend=True), False

    def approve(self, approval_id: str, otp: str) -> PhoneShareApproval:
        """Check the owner's OTP: 5 wrong codes block for 15 minutes; codes expire."""
        with self.state.lock:
            approval = self.state.phone_approvals.get(approval_id)
            if approval is None:
                raise DomainError(404, "Approval not found", "APPROVAL_NOT_FOUND")
            now = self.state.clock.now()
            if approval.approved:
                raise DomainError(
                    409, "Phone sharing was already approved", "PHONE_SHARE_ALREADY_APPROVED",
                    approval_id=approval.approval_id, already_approved=True,
                )
            if now >= approval.expires_at:
                raise DomainError(410, "The code has expired; start again", "OTP_EXPIRED")
            if now < approval.blocked_until or approval.attempts_left <= 0:
                approval.blocked_until = max(approval.blocked_until, now + OTP_BLOCK_SECONDS)
                raise DomainError(
                    429, "Too many wrong codes", "OTP_ATTEMPTS_EXCEEDED",
                    retry_after=max(1, int(approval.blocked_until - now)),
                )
            if not secrets.compare_digest(otp, approval.otp):
                approval.attempts_left -= 1
                raise DomainError(
                    400, "Invalid code", "INVALID_OTP", attempts_remaining=approval.attempts_left
                )
            approval.approved = True
            approval.approved_at = now
            return approval

    def status(self, phone: str, email: str) -> bool:
        """Whether ``email`` may use ``phone``."""
        with self.state.lock:
            return self.approved(phone, email) is not None
