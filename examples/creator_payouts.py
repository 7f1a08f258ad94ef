"""Paying creators: register a creator, wait until INVO verified them, pay them, follow it.

Run the whole story against the built-in local sandbox (no account needed)::

    python examples/creator_payouts.py

The docs (``docs/payouts.md``) include this file piece by piece, and
``tests/payouts/test_payouts_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from typing import Optional

from invonetwork import InvoError, InvoServer, Payee, PayeeRegistration, Payout, WebhookEvent


# --8<-- [start:register]
def invite_creator(invo: InvoServer, *, creator_ref: str, name: str, email: str,
                   country: str) -> Payee:
    """Register a creator; INVO emails them a link to give INVO their details."""
    made = invo.payouts.register_payee(
        partner_reference=creator_ref,  # your own id for the creator: no personal data
        legal_name=name, email=email, country=country, payee_type="individual",
    )
    if made.invite is not None and not made.invite.sent:
        # Registered anyway; INVO could not email the link. Try again later.
        print(f"invitation not sent ({made.invite.error_code}): resend it later")
    assert made.payee is not None
    return made.payee
# --8<-- [end:register]


# --8<-- [start:both-styles]
def show_registration(made: PayeeRegistration) -> str:
    """Typed attributes, and INVO's own dict shape for code written against INVO's client."""
    assert made.payee is not None
    typed = made.payee.status  # a typed attribute
    as_dict = made["payee"]["status"]  # INVO's dict, unchanged
    return f"{typed}={as_dict} duplicate={made['duplicate']} keys={sorted(made)}"
# --8<-- [end:both-styles]


# --8<-- [start:pay]
def pay_creator(invo: InvoServer, *, payee_id: str, amount_usd: str,
                payout_ref: str) -> Optional[Payout]:
    """Ask INVO to pay a verified creator; ``None`` when they cannot be paid yet."""
    if not invo.payouts.get_payee(payee_id).payable:
        return None  # payable_blockers says why (not_verified, bank_not_verified, ...)
    try:
        asked = invo.payouts.request_payout(
            amount_usd=amount_usd, contact_email="payouts@studio.example",
            payee_id=payee_id,
            client_request_id=payout_ref,  # makes the call safe to retry
        )
    except InvoError as err:
        if err.code in ("PAYEE_NOT_VERIFIED", "PAYEE_NOT_PAYABLE", "PAYEE_BANK_NOT_VERIFIED"):
            return None
        raise
    return asked.payout  # asked["payout"] is the same object as a dict
# --8<-- [end:pay]


# --8<-- [start:webhook]
def on_payout_event(event: WebhookEvent) -> str:
    """Handle ``payout.status_changed``: order by status, not by arrival."""
    data = event.data
    if data["status"] == "completed":
        return f"payout {data['payout_id']} paid: {data['net_payout_usd']} USD net"
    if data["status"] in ("rejected", "failed", "cancelled", "returned"):
        return f"payout {data['payout_id']} ended {data['status']}: money back to the balance"
    return f"payout {data['payout_id']} is {data['status']}"
# --8<-- [end:webhook]


def main() -> None:
    from invonetwork.sandbox import Sandbox

    with Sandbox() as sb, sb.client() as invo:
        creator = invite_creator(invo, creator_ref="creator-42", name="Ada Lovelace",
                                 email="ada@creators.example", country="GB")
        print("before verification:", pay_creator(invo, payee_id=creator.payee_id,
                                                  amount_usd="250.00", payout_ref="june-42"))
        sb.verify_payee(creator.payee_id)  # what the creator and INVO's review do
        payout = pay_creator(invo, payee_id=creator.payee_id, amount_usd="250.00",
                             payout_ref="june-42")
        assert payout is not None and payout.payout_id is not None
        sb.complete_payout(payout.payout_id)  # INVO approves, the bank pays
        print(invo.payouts.get_payout(payout.payout_id).status)


if __name__ == "__main__":
    main()
