"""Creator payouts: payees with their invitation and statuses, payouts with their status machine.

Tables live in ``state.area("payouts", PayoutTables)`` (gone on reset). Events:
``payee.status_changed`` (opt-in) on registration and every change, ``payout.status_changed``
on the request and every change. Test-side actions (what the creator, INVO's review and the
bank do) are the ``submit_details`` / ``set_payee_status`` / ``confirm_owner`` /
``set_payout_status`` methods, reached from :class:`~invonetwork.sandbox.Sandbox`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional

from ._model import CENT, DomainError, fmt, iso
from ._state import State

__all__ = ["PayeeRow", "PayoutRequest", "PayoutRow", "PayoutTables", "Payouts"]

#: What INVO owes a new sandbox game (what payouts are paid from), in USD.
DEFAULT_OWED_USD = Decimal("10000.00")
FEE_PERCENT = Decimal("1")
FEE_MINIMUM = Decimal("10.00")
FEE_CAP = Decimal("500.00")
INVITE_TTL = 14 * 24 * 3600.0
INVITES_PER_HOUR = 5
#: Countries INVO does not pay creators in (the sandbox's stand-in list).
UNSUPPORTED_COUNTRIES = frozenset({"CU", "IR", "KP", "SY"})
#: Emails on this domain make the invitation fail (``invite.sent false``).
UNDELIVERABLE_DOMAIN = ".invalid"

PAYEE_MOVES: dict[str, tuple[str, ...]] = {
    "invited": ("details_submitted", "closed"),
    "details_submitted": ("verified", "rejected", "closed"),
    "verified": ("suspended", "expired", "closed"),
    "rejected": ("details_submitted", "closed"),
    "suspended": ("verified", "closed"),
    "expired": ("details_submitted", "closed"),
    "closed": (),
}
PAYOUT_MOVES: dict[str, tuple[str, ...]] = {
    "requested": ("approved", "rejected", "cancelled"),
    "approved": ("processing",),
    "processing": ("completed", "failed"),
    "completed": ("returned",),
}
IN_FLIGHT = ("requested", "approved", "processing")
#: Payout endings that give the money back to what INVO owes the game.
GIVES_BACK = ("rejected", "cancelled", "failed", "returned")
BANK_RETURN_CODES = ("account_closed", "no_account", "invalid_account", "refused", "other")


@dataclass
class PayeeRow:
    """A registered creator."""

    payee_id: str
    partner_reference: str
    legal_name: str
    email: str
    country: str
    payee_type: str
    created_at: float
    status: str = "invited"
    status_changed_at: float = 0.0
    updated_at: float = 0.0
    invite_token: str = ""
    invite_sent: bool = True
    invite_error: Optional[str] = None
    invite_sent_at: float = 0.0
    invites: list[float] = field(default_factory=list)
    terms_accepted: bool = False
    bank_verified: bool = False
    paid_before: bool = False

    def blockers(self) -> list[str]:
        """Why a payout cannot be requested now (empty when payable)."""
        if self.status == "closed":
            return ["closed"]
        found = []
        if self.status == "expired":
            found.append("verification_expired")
        elif self.status not in ("verified", "suspended"):
            found.append("not_verified")
        if not self.terms_accepted:
            found.append("terms_not_accepted")
        if not self.bank_verified:
            found.append("bank_not_verified")
        if self.status == "suspended":
            found.append("not_payable_now")
        return found

    def invite(self) -> dict[str, Any]:
        """The ``invite`` object."""
        body: dict[str, Any] = {"sent": self.invite_sent,
                                "expires_at": iso(self.invite_sent_at + INVITE_TTL),
                                "sent_at": iso(self.invite_sent_at)}
        if self.invite_error is not None:
            body["error_code"] = self.invite_error
        return body

    def answer(self) -> dict[str, Any]:
        """The ``payee`` object (``id`` repeats ``payee_id``)."""
        blockers = self.blockers()
        return {
            "payee_id": self.payee_id, "id": self.payee_id,
            "partner_reference": self.partner_reference, "legal_name": self.legal_name,
            "email": self.email, "country": self.country, "payee_type": self.payee_type,
            "status": self.status, "payable": not blockers, "payable_blockers": blockers,
            "created_via": "api", "status_changed_at": iso(self.status_changed_at),
            "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
        }


@dataclass
class PayoutRow:
    """A payout to a creator (``payee_id``) or to the game's own bank (``bank_account_id``)."""

    payout_id: int
    amount: Decimal
    fee: Decimal
    contact_email: str
    created_at: float
    owed_at_request: Decimal
    payee_id: Optional[str] = None
    bank_account_id: Optional[int] = None
    client_request_id: Optional[str] = None
    partner_note: Optional[str] = None
    additional_emails: Optional[list[Any]] = None
    status: str = "requested"
    owner_confirmation_required: bool = False
    owner_confirmed: bool = False
    partner_message: Optional[str] = None
    reviewed_at: Optional[float] = None
    returned_at: Optional[float] = None
    return_reason_code: Optional[str] = None
    updated_at: float = 0.0

    def common(self) -> dict[str, Any]:
        """The keys every ``payout.status_changed`` and the payout object share."""
        return {
            "payout_id": self.payout_id, "status": self.status,
            "requested_amount_usd": fmt(self.amount), "contact_email": self.contact_email,
            "partner_message": self.partner_message,
            "reviewed_at": None if self.reviewed_at is None else iso(self.reviewed_at),
            "offboarding_fee_pct": fmt(FEE_PERCENT).rstrip("0").rstrip("."),
            "offboarding_fee_usd": fmt(self.fee), "offboarding_fee_cap_usd": fmt(FEE_CAP),
            "net_payout_usd": fmt(self.amount - self.fee), "payee_id": self.payee_id,
            "payout_method": "standard",
            "owner_confirmation_required": self.owner_confirmation_required,
        }

    def returned(self) -> dict[str, Any]:
        return {"returned_at": None if self.returned_at is None else iso(self.returned_at),
                "return_reason_code": self.return_reason_code}


@dataclass(frozen=True)
class PayoutRequest:
    """A request-payout body, typed."""

    amount: Decimal
    contact_email: str
    payee_id: Optional[str]
    bank_account_id: Optional[int]
    client_request_id: Optional[str]
    partner_note: Optional[str]
    additional_emails: Optional[list[Any]]
    fingerprint: str


@dataclass
class PayoutTables:
    """The payouts area's tables."""

    payees: dict[str, PayeeRow] = field(default_factory=dict)
    by_reference: dict[str, str] = field(default_factory=dict)
    payouts: dict[int, PayoutRow] = field(default_factory=dict)
    keys: dict[str, tuple[str, int]] = field(default_factory=dict)
    next_payout_id: int = 1
    owed: Decimal = DEFAULT_OWED_USD
    bank_accounts: dict[int, dict[str, str]] = field(default_factory=lambda: {
        1: {"bank_name": "Sandbox Bank", "account_holder_name": "Sandbox Studio LLC",
            "routing_number": "110000000", "account_number_last4": "6789",
            "account_type": "checking"},
    })


def payout_fee(amount: Decimal) -> Decimal:
    """1 % of the amount, at least $10, at most $500 (half-up to the cent)."""
    fee = (amount * FEE_PERCENT / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(max(fee, FEE_MINIMUM), FEE_CAP)


class Payouts:
    """Payees and payouts of the sandbox game."""

    def __init__(self, state: State) -> None:
        self.state = state

    @property
    def t(self) -> PayoutTables:
        return self.state.area("payouts", PayoutTables)

    # -- payees -----------------------------------------------------------------------------

    def register(self, reference: str, legal_name: str, email: str, country: str,
                 payee_type: str) -> tuple[PayeeRow, bool]:
        """A new creator (invited, invitation emailed), or the same one again (duplicate)."""
        if payee_type not in ("individual", "business"):
            raise DomainError(400, "payee_type must be individual or business", "INVALID_INPUT")
        if "@" not in email:
            raise DomainError(400, "email is not an email address", "INVALID_INPUT")
        code = country.upper()
        if len(code) != 2 or not code.isalpha():
            raise DomainError(400, "country must be an ISO 3166-1 alpha-2 code", "INVALID_INPUT")
        if code in UNSUPPORTED_COUNTRIES:
            raise DomainError(400, f"INVO does not pay creators in {code}",
                              "COUNTRY_NOT_SUPPORTED")
        s = self.state
        with s.lock:
            known = self.t.payees.get(self.t.by_reference.get(reference, ""))
            if known is not None:
                same = (known.legal_name, known.email, known.country, known.payee_type) == (
                    legal_name, email, code, payee_type)
                if same and known.status != "closed":
                    return known, True
                raise DomainError(409, "partner_reference is already registered with other "
                                  "details", "PARTNER_REFERENCE_CONFLICT",
                                  payee_id=known.payee_id)
            now = s.clock.now()
            payee = PayeeRow(f"cp_{secrets.token_hex(10)}", reference, legal_name, email, code,
                             payee_type, now, status_changed_at=now, updated_at=now)
            self._send_invite(payee, now)
            self.t.payees[payee.payee_id] = payee
            self.t.by_reference[reference] = payee.payee_id
            self._announce_payee(payee, None)
            return payee, False

    def _send_invite(self, payee: PayeeRow, now: float) -> None:
        payee.invite_token = secrets.token_urlsafe(16)
        payee.invite_sent_at = now
        payee.invites.append(now)
        undeliverable = payee.email.lower().endswith(UNDELIVERABLE_DOMAIN)
        payee.invite_sent = not undeliverable
        payee.invite_error = "EMAIL_UNDELIVERABLE" if undeliverable else None

    def payee(self, payee_id: str) -> PayeeRow:
        with self.state.lock:
            found = self.t.payees.get(payee_id.strip())
            if found is None:
                raise DomainError(404, "No such payee for this game", "NOT_FOUND")
            return found

    def list_payees(self, limit: int, offset: int, status: Optional[str]) -> tuple[
            list[PayeeRow], int]:
        with self.state.lock:
            rows = [p for p in reversed(self.t.payees.values())
                    if status is None or p.status == status]
            return rows[offset:offset + limit], len(rows)

    def resend_invite(self, payee_id: str) -> PayeeRow:
        """A new link (the old one dies); only while invited, rejected or expired."""
        s = self.state
        with s.lock:
            payee = self.payee(payee_id)
            if payee.status not in ("invited", "rejected", "expired"):
                raise DomainError(409, f"The payee is {payee.status}: no invitation needed",
                                  "INVITE_NOT_NEEDED")
            now = s.clock.now()
            recent = [t for t in payee.invites if now - t < 3600]
            if len(recent) >= INVITES_PER_HOUR:
                wait = int(3600 - (now - recent[0])) + 1
                raise DomainError(429, "Too many invitations for this payee; try later",
                                  "INVITE_RATE_LIMITED", retry_after_seconds=wait)
            self._send_invite(payee, now)
            payee.updated_at = now
            return payee

    def remove(self, payee_id: str) -> PayeeRow:
        """Close the creator (no payout may be under way)."""
        with self.state.lock:
            payee = self.payee(payee_id)
            if payee.status == "closed":
                raise DomainError(409, "The payee is already closed", "ALREADY_CLOSED")
            flying: dict[str, int] = {}
            for row in self.t.payouts.values():
                if row.payee_id == payee.payee_id and row.status in IN_FLIGHT:
                    flying[row.status] = flying.get(row.status, 0) + 1
            if flying:
                raise DomainError(409, "A payout to this payee is in progress",
                                  "PAYEE_HAS_PAYOUTS_IN_FLIGHT",
                                  payouts_in_flight_by_status=flying)
            self._move_payee(payee, "closed")
            return payee

    def submit_details(self, payee_id: str, token: Optional[str] = None) -> PayeeRow:
        """The creator gives INVO their details on the invitation page (with its token)."""
        with self.state.lock:
            payee = self.payee(payee_id)
            if token is not None and not secrets.compare_digest(token, payee.invite_token):
                raise DomainError(410, "This invitation link is no longer valid",
                                  "INVITE_LINK_EXPIRED")
            payee.terms_accepted = True
            self._move_payee(payee, "details_submitted")
            return payee

    def set_payee_status(self, payee_id: str, status: str) -> PayeeRow:
        """INVO's review (``verified``, ``rejected``, ``suspended``, ``expired``...)."""
        with self.state.lock:
            payee = self.payee(payee_id)
            if status == "verified":
                payee.bank_verified = payee.terms_accepted = True
            self._move_payee(payee, status)
            return payee

    def _move_payee(self, payee: PayeeRow, status: str) -> None:
        if status not in PAYEE_MOVES.get(payee.status, ()):
            raise DomainError(409, f"A payee cannot go from {payee.status} to {status}",
                              "INVALID_TRANSITION")
        previous, payee.status = payee.status, status
        payee.status_changed_at = payee.updated_at = self.state.clock.now()
        self._announce_payee(payee, previous)

    def _announce_payee(self, payee: PayeeRow, previous: Optional[str]) -> None:
        self.state.emit("payee.status_changed", {
            "payee_id": payee.payee_id, "partner_reference": payee.partner_reference,
            "status": payee.status, "previous_status": previous,
            "payee_type": payee.payee_type, "country": payee.country, "created_via": "api",
            "status_changed_at": iso(payee.status_changed_at),
        })

    # -- payouts ----------------------------------------------------------------------------

    def request(self, req: PayoutRequest) -> tuple[PayoutRow, bool]:
        """A new payout (``requested``), or the first one again for a repeated key."""
        s, t = self.state, self.state.area("payouts", PayoutTables)
        with s.lock:
            if req.client_request_id is not None and req.client_request_id in t.keys:
                fingerprint, payout_id = t.keys[req.client_request_id]
                if fingerprint != req.fingerprint:
                    raise DomainError(409, "client_request_id was used for another payout",
                                      "IDEMPOTENCY_KEY_REUSED", payout_id=payout_id)
                return t.payouts[payout_id], True
            payee = self._payable(req.payee_id) if req.payee_id is not None else None
            bank_id = None
            if payee is None:
                bank_id = req.bank_account_id if req.bank_account_id is not None else min(
                    t.bank_accounts)
                if bank_id not in t.bank_accounts:
                    raise DomainError(404, "No such verified bank account for this game",
                                      "BANK_ACCOUNT_NOT_FOUND")
            fee = payout_fee(req.amount)
            if req.amount <= fee:
                raise DomainError(400, f"amount_usd must be more than the payout fee "
                                  f"({fmt(fee)})", "INVALID_INPUT")
            if req.amount > t.owed:
                raise DomainError(409, "INVO owes the game less than that",
                                  "INSUFFICIENT_OWED_BALANCE", owed_balance_usd=fmt(t.owed))
            now = s.clock.now()
            row = PayoutRow(t.next_payout_id, req.amount, fee, req.contact_email, now, t.owed,
                            payee_id=None if payee is None else payee.payee_id,
                            bank_account_id=bank_id, client_request_id=req.client_request_id,
                            partner_note=req.partner_note,
                            additional_emails=req.additional_emails, updated_at=now)
            if payee is not None:
                row.owner_confirmation_required = not payee.paid_before
                payee.paid_before = True
            t.next_payout_id += 1
            t.owed -= req.amount
            t.payouts[row.payout_id] = row
            if req.client_request_id is not None:
                t.keys[req.client_request_id] = (req.fingerprint, row.payout_id)
            s.emit("payout.status_changed", {
                **row.common(), "previous_status": None,
                "owed_balance_at_request_usd": fmt(row.owed_at_request),
                "client_request_id": row.client_request_id, "initiated_by": "api",
                "bank_account": self._bank(row),
            })
            return row, False

    def _payable(self, payee_id: str) -> PayeeRow:
        payee = self.t.payees.get(payee_id)
        if payee is None:
            raise DomainError(404, "No such payee for this game", "PAYEE_NOT_FOUND")
        refusals = [
            (payee.status == "closed", "PAYEE_CLOSED"),
            (payee.status == "expired", "PAYEE_VERIFICATION_EXPIRED"),
            (payee.status not in ("verified", "suspended"), "PAYEE_NOT_VERIFIED"),
            (not payee.terms_accepted, "PAYEE_TERMS_NOT_ACCEPTED"),
            (not payee.bank_verified, "PAYEE_BANK_NOT_VERIFIED"),
            (payee.status == "suspended", "PAYEE_NOT_PAYABLE"),
        ]
        for refused, code in refusals:
            if refused:
                raise DomainError(409, f"The payee cannot be paid now ({code})", code,
                                  payable_blockers=payee.blockers())
        return payee

    def _bank(self, row: PayoutRow) -> Optional[dict[str, str]]:
        if row.bank_account_id is None:
            return None
        return dict(self.t.bank_accounts[row.bank_account_id])

    def payout(self, payout_id: str) -> PayoutRow:
        with self.state.lock:
            try:
                found = self.t.payouts.get(int(payout_id))
            except ValueError:
                found = None
            if found is None:
                raise DomainError(404, "No such payout for this game", "NOT_FOUND")
            return found

    def list_payouts(self, limit: int, offset: int, status: Optional[str],
                     payee_id: Optional[str]) -> tuple[list[PayoutRow], int]:
        with self.state.lock:
            rows = [p for p in reversed(self.t.payouts.values())
                    if (status is None or p.status == status)
                    and (payee_id is None or p.payee_id == payee_id)]
            return rows[offset:offset + limit], len(rows)

    def cancel(self, payout_id: str) -> PayoutRow:
        """Cancel a creator payout that is still ``requested``."""
        with self.state.lock:
            row = self.payout(payout_id)
            if row.payee_id is None:
                raise DomainError(404, "No such creator payout", "NOT_FOUND")
            if row.status != "requested":
                raise DomainError(409, f"The payout is {row.status}: it cannot be cancelled",
                                  "PAYOUT_NOT_CANCELLABLE")
            self._move_payout(row, "cancelled")
            return row

    def confirm_owner(self, payout_id: str) -> PayoutRow:
        """The account owner confirms a first creator payout in INVO's console."""
        with self.state.lock:
            row = self.payout(payout_id)
            row.owner_confirmed = True
            return row

    def set_status(self, payout_id: str, status: str, *, return_reason_code: Optional[str] = None,
                   partner_message: Optional[str] = None) -> PayoutRow:
        """INVO's review and the bank move the payout on (one step of the status machine)."""
        with self.state.lock:
            row = self.payout(payout_id)
            if status == "approved" and row.owner_confirmation_required and \
                    not row.owner_confirmed:
                raise DomainError(409, "The account owner has not confirmed this first "
                                  "creator payout", "OWNER_CONFIRMATION_PENDING")
            if status == "returned":
                code = return_reason_code or ("returned" if row.payee_id else "other")
                allowed = ("returned",) if row.payee_id else BANK_RETURN_CODES
                if code not in allowed:
                    raise DomainError(400, f"return_reason_code must be one of {allowed}",
                                      "INVALID_INPUT")
                row.return_reason_code = code
                row.returned_at = self.state.clock.now()
            if partner_message is not None:
                row.partner_message = partner_message
            self._move_payout(row, status)
            return row

    def _move_payout(self, row: PayoutRow, status: str) -> None:
        if status not in PAYOUT_MOVES.get(row.status, ()):
            raise DomainError(409, f"A payout cannot go from {row.status} to {status}",
                              "INVALID_TRANSITION")
        now = self.state.clock.now()
        previous, row.status, row.updated_at = row.status, status, now
        if status in ("approved", "rejected"):
            row.reviewed_at = now
        if status in GIVES_BACK:
            self.t.owed += row.amount
        data = {**row.common(), "previous_status": previous}
        if status == "returned":
            data.update(row.returned())
        self.state.emit("payout.status_changed", data)

    def answer(self, row: PayoutRow) -> dict[str, Any]:
        """The ``payout_request`` object (``id`` repeats ``payout_id``)."""
        return {
            **row.common(), "id": row.payout_id, "bank_account_id": row.bank_account_id,
            "bank_account": self._bank(row), "client_request_id": row.client_request_id,
            "partner_note": row.partner_note, "additional_emails": row.additional_emails,
            "initiated_by": "api", "owed_balance_at_request_usd": fmt(row.owed_at_request),
            **row.returned(), "created_at": iso(row.created_at),
            "updated_at": iso(row.updated_at),
        }
