"""Reading state: balances, currency waiting to be claimed, linked identities, orders.

Run it against the built-in local sandbox (no account needed)::

    python examples/balances_and_reads.py

The docs (``docs/balances-and-reads.md``) include this file piece by piece, and
``tests/examples/test_flow_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from invonetwork import InvoServer


# --8<-- [start:balance]
def wallet_lines(invo: InvoServer, *, player_email: str) -> list[str]:
    """One line per currency the player holds, for a wallet screen."""
    balance = invo.get_player_balance(player_email=player_email)  # by email only
    lines = []
    for row in balance.balances:
        lines.append(f"{row.currency_name}: {row.available_balance} available, "
                     f"{row.reserved_balance} reserved")
    return lines
# --8<-- [end:balance]


# --8<-- [start:available]
def available(invo: InvoServer, *, player_email: str, currency_name: str) -> Decimal:
    """The spendable amount of one currency, as an exact ``Decimal``."""
    balance = invo.get_player_balance(player_email=player_email)
    for row in balance.balances:
        if row.currency_name == currency_name:
            return Decimal(str(row.available_balance))  # amounts keep their wire type
    return Decimal(0)
# --8<-- [end:available]


# --8<-- [start:pending]
def waiting_to_claim(
    invo: InvoServer, *, player_email: Optional[str] = None, player_phone: Optional[str] = None
) -> list[dict[str, Any]]:
    """Sends and transfers addressed to this player that still need a claim."""
    pending = invo.get_inbound_pending(player_email=player_email, player_phone=player_phone)
    return [
        {"transaction_id": item.transaction_id, "amount": item.amount,
         "from_game": item.source_game, "expires": item.claim_code_expires_at}
        for item in pending.inbound_pending
    ]
# --8<-- [end:pending]


# --8<-- [start:identities]
def wallet_emails(invo: InvoServer, *, player_phone: str) -> Optional[list[str]]:
    """The emails of the INVO wallet behind a phone, or ``None`` when there is none."""
    wallet = invo.get_linked_identities(player_phone=player_phone)
    if wallet.not_found:  # a 404 is an answer here, not an exception
        return None
    return [entry.email for entry in wallet.emails]
# --8<-- [end:identities]


def main() -> None:
    """Print a few reads against a local sandbox."""
    from invonetwork.sandbox import Sandbox

    with Sandbox(players=[{"email": "ada@example.com", "phone": "+15555550100",
                           "balance": "250"}]) as sandbox:
        invo = sandbox.client()
        print(wallet_lines(invo, player_email="ada@example.com"))
        print(waiting_to_claim(invo, player_email="ada@example.com"))
        print(wallet_emails(invo, player_phone="+15555550100"))
        print(wallet_emails(invo, player_phone="+15555550199"))


if __name__ == "__main__":
    main()
