"""Payout constants: the statuses of payees and payouts, and the return reason codes.

``server.payouts`` (class :class:`~invonetwork.Payouts`) registers creators (payees) and asks
INVO to pay them, or the game's own bank account, out of what INVO owes the game. These
tuples list the values INVO sends today; treat an unknown one as "not final yet" rather than
failing, because INVO may add statuses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._ns_payouts import Payouts as Payouts

__all__ = ["PAYEE_STATUSES", "PAYOUT_STATUSES", "RETURN_REASON_CODES"]


def __getattr__(name: str) -> Any:
    # INVO's own client also exports the class from this module: ``from invonetwork.payouts
    # import Payouts`` keeps working, without importing the HTTP stack for the constants.
    if name == "Payouts":
        from ._ns_payouts import Payouts

        return Payouts
    raise AttributeError(f"module 'invonetwork.payouts' has no attribute {name!r}")

#: A creator's statuses: ``invited`` -> ``details_submitted`` -> ``verified`` or ``rejected``;
#: ``verified`` -> ``suspended`` or ``expired``; any of them -> ``closed`` (removed).
PAYEE_STATUSES: tuple[str, ...] = (
    "invited", "details_submitted", "verified", "rejected", "suspended", "expired", "closed",
)

#: A payout's statuses: ``requested`` -> ``approved`` -> ``processing`` -> ``completed``
#: (-> ``returned``); ``requested`` -> ``rejected`` or ``cancelled``; ``processing`` ->
#: ``failed``.
PAYOUT_STATUSES: tuple[str, ...] = (
    "requested", "approved", "processing", "completed", "rejected", "failed", "cancelled",
    "returned",
)

#: Why a completed payout came back (``return_reason_code``). A creator payout always says
#: ``returned``; a payout to the game's own bank says which of the others.
RETURN_REASON_CODES: tuple[str, ...] = (
    "account_closed", "no_account", "invalid_account", "refused", "other", "returned",
)
