"""Redeem a claim code, letting the player choose an account when their phone maps to several.

A claim answers ``status == "needs_account_selection"`` (HTTP 200, not an error) when the
receiver's phone belongs to more than one of your players. Show ``candidates`` to the player,
then submit the same claim again with the chosen ``target_player_id``.

Run against the local sandbox: ``python examples/claim_with_account_selection.py``.
"""

from __future__ import annotations

from typing import Any, Callable

from invonetwork import ClaimResult, InvoServer


# --8<-- [start:claim-interactively]
def claim_transfer_interactively(
    invo: InvoServer,
    *,
    claim_code: str,
    player_name: str,
    player_email: str,
    player_phone: str,
    currency_id: int,
    choose: Callable[[list[Any]], Any],
) -> ClaimResult:
    """Claim a transfer; if INVO asks which account, ask ``choose`` and claim again."""
    result = invo.claim_transfer(
        claim_code=claim_code,
        target_player_name=player_name,
        target_player_email=player_email,
        target_player_phone=player_phone,
        target_currency_id=currency_id,
    )
    if result.needs_account_selection:
        chosen = choose(result.candidates or [])
        result = invo.claim_transfer(
            claim_code=claim_code,
            target_player_name=player_name,
            target_player_email=player_email,
            target_player_phone=player_phone,
            target_currency_id=currency_id,
            target_player_id=chosen["player_id"] if isinstance(chosen, dict) else chosen,
        )
    return result
# --8<-- [end:claim-interactively]


def pick_first(candidates: list[Any]) -> Any:
    """A stand-in for your UI: print the accounts and pick the first."""
    for number, candidate in enumerate(candidates, 1):
        print(f"  {number}. {candidate}")
    return candidates[0]
