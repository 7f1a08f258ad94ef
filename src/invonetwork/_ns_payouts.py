"""``server.payouts``: creator and partner payouts."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Optional, TypeVar, Union

from . import _routes_payouts as routes
from ._caller import Namespace
from ._results import _Result
from ._results_payouts import (
    Payee,
    PayeeInvite,
    PayeeList,
    PayeeRegistration,
    Payout,
    PayoutList,
    PayoutRequestResult,
)
from ._validation import invalid

__all__ = ["Payouts"]

_PAYEE_TYPES = ("individual", "business")
# ASCII digits only (``\d`` would accept other scripts' digits).
_AMOUNT = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")

_R = TypeVar("_R", bound=_Result)


def _trimmed(name: str, value: object) -> str:
    """A required text argument, trimmed (the trimmed text is what is sent)."""
    if not isinstance(value, str) or not value.strip():
        shown = "missing" if value is None else f"blank or not a str (got {value!r})"
        raise invalid(f"{name} is required: {shown}")
    return value.strip()


def _payout_amount(value: object) -> str:
    """``amount_usd``: a plain positive decimal with at most 2 places, no maximum; sent as
    its trimmed string (a float as its repr, a ``Decimal`` as its str)."""
    if isinstance(value, float):
        text = repr(value) if math.isfinite(value) else ""
    elif isinstance(value, (str, int, Decimal)) and not isinstance(value, bool):
        text = str(value).strip()
    else:
        text = ""
    if not _AMOUNT.fullmatch(text) or Decimal(text) <= 0:
        raise invalid(
            "amount_usd must be a positive amount with at most two decimal places "
            f"(like '250' or '99.50'), got {value!r}"
        )
    return text


def _payout_id(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise invalid(f"payout_id must be a positive int, got {value!r}")
    return value


def _page_value(name: str, value: object, minimum: int) -> Optional[Union[int, str]]:
    """An optional paging number: ``None`` (or ``""``, INVO's client leaves it out too), an
    ``int`` (not a ``bool``) >= ``minimum``, or a string of ASCII digits (as a query string
    gives it; sent as is, like INVO's client does)."""
    if value is None or value == "":
        return None
    number = value if isinstance(value, int) and not isinstance(value, bool) else (
        int(value) if isinstance(value, str) and value.isascii() and value.isdigit()
        and len(value) <= 9 else None)
    if number is None or number < minimum:
        raise invalid(f"{name} must be an int >= {minimum}, got {value!r}")
    return value if isinstance(value, str) else number


def _filter_text(name: str, value: object) -> Optional[str]:
    """An optional filter: ``None`` or ``""`` leave it out; else a ``str`` sent as given."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a str, got {type(value).__name__}")
    return value


def _inner(outer: _Result, inner: _R) -> _R:
    """The object inside an answer, carrying the answer's request id."""
    object.__setattr__(inner, "request_id", outer.request_id)
    return inner


class Payouts(Namespace):
    """Payees and their payouts: ``server.payouts``.

    A platform partner asks INVO to pay out what INVO owes the game, either to the game's
    own verified bank account (``bank_account_id``) or to a creator INVO verified and pays
    directly (a payee, ``payee_id``). Creators are INVO's customers: you register them and
    see their status, never their documents, tax id or bank details.

    Results are typed and are also read-only mappings over the dict INVO's own client
    returns, so ``payout["status"]`` works as well as ``payout.status`` (see
    :class:`~invonetwork.Payee`).

    Decisions where INVO's documents are silent (SDK side):

    * ``limit`` / ``offset`` must be an ``int`` or a string of digits (``offset`` >= 0,
      ``limit`` >= 1) and ``status`` a ``str``; ``None`` and ``""`` leave them out of the
      query, as INVO's client does.
    * ``get_payee``, ``remove_payee``, ``get_payout``, ``cancel_payout`` and
      ``resend_payee_invite`` raise ``INVALID_RESPONSE`` when the answer lacks the object
      they return (INVO's client would return ``None``).
    * ``request_payout`` with neither ``payee_id`` nor ``bank_account_id`` is sent as is:
      INVO decides (the game's default bank account, or a refusal).
    """

    # -- payees -----------------------------------------------------------------------------

    def register_payee(
        self,
        *,
        partner_reference: str,
        legal_name: str,
        email: str,
        country: str,
        payee_type: str,
    ) -> PayeeRegistration:
        """Register a creator (``POST /api/partner-payees``); INVO emails them an invitation.

        The invitation links to INVO's own page, where the creator gives INVO their
        identity, tax and bank details. ``invite.sent`` is ``False`` (with
        ``invite.error_code``) when INVO could not send it; the creator is registered either
        way, and :meth:`resend_payee_invite` sends a new link. ``partner_reference`` is your
        own id for the creator (no personal data). Registering the same reference again with
        the same details answers ``duplicate=True`` (so the call is retried safely); with
        other details, ``409 PARTNER_REFERENCE_CONFLICT``.

        Args:
            partner_reference: Your id for the payee; required text, sent trimmed.
            legal_name: Required text, sent trimmed.
            email: Required text, sent trimmed.
            country: Required text, sent trimmed.
            payee_type: ``"individual"`` or ``"business"`` (checked first).

        Raises:
            InvalidInputError: a bad ``payee_type`` or a blank text argument.
            InvoError: ``409 PARTNER_REFERENCE_CONFLICT``, ``400 COUNTRY_NOT_SUPPORTED``,
                ``400 GAME_HAS_NO_OWNER``, ``400 INVALID_INPUT``.
        """
        if not isinstance(payee_type, str) or payee_type not in _PAYEE_TYPES:
            raise invalid(f"payee_type must be 'individual' or 'business', got {payee_type!r}")
        return self._client._call(
            routes.REGISTER_PAYEE,
            partner_reference=_trimmed("partner_reference", partner_reference),
            legal_name=_trimmed("legal_name", legal_name),
            email=_trimmed("email", email),
            country=_trimmed("country", country),
            payee_type=payee_type,
        )

    def list_payees(
        self,
        *,
        limit: Optional[Union[int, str]] = None,
        offset: Optional[Union[int, str]] = None,
        status: Optional[str] = None,
    ) -> PayeeList:
        """This game's creators, newest first (``GET /api/partner-payees``).

        ``status`` filters by one of :data:`~invonetwork.payouts.PAYEE_STATUSES`. Returns
        ``total``, ``limit``, ``offset`` (ints) and ``items`` (:class:`Payee` rows).
        """
        return self._client._call(
            routes.LIST_PAYEES,
            limit=_page_value("limit", limit, 1),
            offset=_page_value("offset", offset, 0),
            status=_filter_text("status", status),
        )

    def get_payee(self, payee_id: str) -> Payee:
        """One creator (``GET /api/partner-payees/{payee_id}``); ``404 NOT_FOUND`` when it is
        not this game's. ``payee_id`` is sent trimmed."""
        answer = self._client._call(routes.GET_PAYEE, payee_id=_trimmed("payee_id", payee_id))
        return _inner(answer, answer.payee)

    def resend_payee_invite(self, payee_id: str) -> PayeeInvite:
        """Email the creator a new link (the old one stops working). Never retried.

        Allowed while the creator is ``invited``, ``rejected`` or ``expired``; otherwise
        ``409 INVITE_NOT_NEEDED``. Also ``409 PAYEE_ERASED`` and ``429 INVITE_RATE_LIMITED``
        (body ``retry_after_seconds``).
        """
        answer = self._client._call(
            routes.RESEND_PAYEE_INVITE, payee_id=_trimmed("payee_id", payee_id))
        return _inner(answer, answer.invite)

    def remove_payee(self, payee_id: str) -> Payee:
        """Remove a creator from your program: the status becomes ``closed``. Never retried.

        ``409 PAYEE_HAS_PAYOUTS_IN_FLIGHT`` (body ``payouts_in_flight_by_status``) while a
        payout to them is under way, ``409 ALREADY_CLOSED``, ``409 PAYEE_NOT_CLOSABLE``. The
        same person may be registered again under a new reference.
        """
        answer = self._client._call(routes.REMOVE_PAYEE, payee_id=_trimmed("payee_id", payee_id))
        return _inner(answer, answer.payee)

    # -- payouts ----------------------------------------------------------------------------

    def request_payout(
        self,
        *,
        amount_usd: Union[str, int, float, Decimal],
        contact_email: str,
        payee_id: Optional[str] = None,
        bank_account_id: Optional[int] = None,
        client_request_id: Optional[str] = None,
        partner_note: Optional[str] = None,
        additional_emails: Optional[Sequence[str]] = None,
    ) -> PayoutRequestResult:
        """Ask INVO to pay out (``POST /api/partner-payouts/request``).

        Name ``payee_id`` (INVO pays that verified creator) or ``bank_account_id`` (your own
        verified bank account), not both. The money comes from what INVO owes the game; the
        payout fee is deducted (``net_payout_usd``). The first payout to a creator registered
        with the game secret has ``owner_confirmation_required``: the account owner confirms
        it in INVO's console before INVO approves it.

        **Retried only with a** ``client_request_id``: INVO answers a repeated key with the
        first payout (``duplicate=True``), so a lost answer is recovered by the retry. Without
        one, a second attempt could ask for a second payout, so the call is sent once.

        Args:
            amount_usd: A plain positive decimal with at most 2 places (no maximum here;
                INVO checks what it owes). Sent as its trimmed string.
            contact_email: Required, sent trimmed.
            payee_id: Optional text, sent trimmed when given.
            client_request_id: Optional text, sent trimmed when given (the call is then
                retried safely).
            bank_account_id: Forwarded as given.
            partner_note: Forwarded as given.
            additional_emails: Forwarded as given.

        Raises:
            InvalidInputError: both ``payee_id`` and ``bank_account_id``; a bad amount; a
                blank ``contact_email``, ``payee_id`` or ``client_request_id``.
            InvoError: ``404 PAYEE_NOT_FOUND``; 409 ``PAYEE_NOT_VERIFIED``,
                ``PAYEE_VERIFICATION_EXPIRED``, ``PAYEE_BANK_NOT_VERIFIED``, ``PAYEE_CLOSED``,
                ``PAYEE_TERMS_NOT_ACCEPTED``, ``PAYEE_NOT_PAYABLE``,
                ``IDEMPOTENCY_KEY_REUSED``; ``INSUFFICIENT_OWED_BALANCE``.
        """
        if payee_id is not None and bank_account_id is not None:
            raise invalid("pass payee_id or bank_account_id, not both")
        amount = _payout_amount(amount_usd)
        email = _trimmed("contact_email", contact_email)
        payee = None if payee_id is None else _trimmed("payee_id", payee_id)
        key = None if client_request_id is None else _trimmed(
            "client_request_id", client_request_id)
        return self._client._call(
            routes.REQUEST_PAYOUT if key is None else routes.REQUEST_PAYOUT_KEYED,
            amount_usd=amount,
            contact_email=email,
            payee_id=payee,
            bank_account_id=bank_account_id,
            client_request_id=key,
            partner_note=partner_note,
            additional_emails=None if additional_emails is None else list(additional_emails),
        )

    def get_payout(self, payout_id: int) -> Payout:
        """One payout (``GET /api/partner-payouts/{payout_id}``); ``payout_id`` is an int."""
        answer = self._client._call(routes.GET_PAYOUT, payout_id=_payout_id(payout_id))
        return _inner(answer, answer.payout)

    def list_payouts(
        self,
        *,
        limit: Optional[Union[int, str]] = None,
        offset: Optional[Union[int, str]] = None,
        status: Optional[str] = None,
        payee_id: Optional[str] = None,
    ) -> PayoutList:
        """Your payouts, newest first (``GET /api/partner-payouts``), optionally one
        creator's (``payee_id``) or of one status. Returns ``total`` and ``items``."""
        return self._client._call(
            routes.LIST_PAYOUTS,
            limit=_page_value("limit", limit, 1),
            offset=_page_value("offset", offset, 0),
            status=_filter_text("status", status),
            payee_id=_filter_text("payee_id", payee_id),
        )

    def cancel_payout(self, payout_id: int) -> Payout:
        """Cancel a creator payout that is still ``requested``. Never retried.

        Anything past ``requested`` is ``409 PAYOUT_NOT_CANCELLABLE``; a payout to your own
        bank account is ``404 NOT_FOUND`` (it cannot be cancelled here).
        """
        answer = self._client._call(routes.CANCEL_PAYOUT, payout_id=_payout_id(payout_id))
        return _inner(answer, answer.payout)
