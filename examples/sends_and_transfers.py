"""Moving currency between players: destinations, initiate, verify, follow, claim, consent.

Run it against the built-in local sandbox (no account needed)::

    python examples/sends_and_transfers.py

The docs (``docs/sends-and-transfers.md``) include this file piece by piece, and
``tests/examples/test_doc_recipes.py`` runs every function here against the sandbox.
Every call has a transfer twin (``initiate_transfer``, ``verify_sms_transfer``,
``get_transfer_status``, ``claim_transfer``) with the same shape.
"""

from __future__ import annotations

import uuid
from typing import Callable, Optional

from invonetwork import (
    ClaimResult,
    InitiateResult,
    InvoServer,
    PhoneShareApprovalRequiredError,
    PlayerToken,
)


# --8<-- [start:destinations]
def print_destinations(invo: InvoServer, *, source_game_id: int) -> None:
    """The games a player of ``source_game_id`` can send currency to."""
    dest = invo.get_destinations(source_game_id=source_game_id, direction="send")  # or "transfer"
    for game in dest.available_games:
        print(game.game_id, game.game_name, game.currency_name,
              game.minimum_transfer, game.maximum_transfer)
# --8<-- [end:destinations]


# --8<-- [start:initiate]
def send_fifty_to_bob(invo: InvoServer, *, receiving_game_id: int) -> InitiateResult:
    """Ada sends 50 of your currency to Bob, who plays ``receiving_game_id``."""
    send = invo.initiate_send(
        client_request_id=str(uuid.uuid4()),      # idempotency key: keep it for retries
        sender_player_name="Ada",
        sender_player_email="ada@example.com",
        sender_player_phone="+15555550100",
        receiver_player_email="bob@example.com",
        receiver_player_phone="+15555550111",
        receiving_game_id=receiving_game_id,
        amount="50",
    )
    return send


def transaction_id(move: InitiateResult) -> str:
    """The id to follow the move with (``None`` only if INVO's answer lacked it)."""
    if not isinstance(move.transaction_id, str):
        raise RuntimeError(f"INVO returned no usable transaction_id: {move.transaction_id!r}")
    return move.transaction_id
# --8<-- [end:initiate]


# --8<-- [start:sms]
def check_the_pin(
    invo: InvoServer, send: InitiateResult, pin_from_the_player: str
) -> Optional[str]:
    """Check the PIN INVO texted the sender; the claim code once the send went through."""
    result = invo.verify_sms_send(transaction_id(send), pin_from_the_player)
    if result.status == "success":
        print("sent; claim code for the receiver:", result.claim_code)
    return result.claim_code
# --8<-- [end:sms]


# --8<-- [start:guardian]
def guardian_decision(invo: InvoServer, send: InitiateResult) -> str:
    """Where the guardian's decision on a minor's send stands."""
    status = invo.get_guardian_approval_status(transaction_id(send))
    # status.state: "pending", "approved", "rejected" or "expired"
    return status.state
# --8<-- [end:guardian]


# --8<-- [start:status]
def print_send_status(invo: InvoServer, send: InitiateResult) -> None:
    """One line about where the send stands."""
    s = invo.get_send_status(transaction_id(send))       # or get_transfer_status
    print(s.transaction_status, s.verification_state, s.amount, s.net_amount)
# --8<-- [end:status]


# --8<-- [start:claim]
def bob_claims(invo: InvoServer, claim_code: str) -> ClaimResult:
    """Bob, who has no passkey, redeems the claim code he was given."""
    claim = invo.claim_currency(                    # claim_transfer for transfers
        claim_code=claim_code,
        receiver_player_name="Bob",
        receiver_player_email="bob@example.com",
        receiver_player_phone="+15555550111",
    )
    return claim
# --8<-- [end:claim]


# --8<-- [start:inbound]
def print_inbound_pending(invo: InvoServer, *, player_email: str) -> None:
    """Sends and transfers waiting for this player to claim them."""
    pending = invo.get_inbound_pending(player_email=player_email)
    for item in pending.inbound_pending:
        print(item.transaction_id, item.flow, item.amount, item.claim_code_expires_at)
# --8<-- [end:inbound]


# --8<-- [start:phone-share]
def token_for_bob(invo: InvoServer, otp_from_owner: Callable[[], str]) -> PlayerToken:
    """Mint Bob's token with his phone, relaying the phone owner's consent if INVO asks."""
    try:
        return invo.mint_player_token(player_email="bob@example.com",
                                      player_phone="+15555550111")
    except PhoneShareApprovalRequiredError as err:
        approval_id = err.phone_share_approval_id
        if approval_id is None:  # nothing to approve: let the error stand
            raise
        # ... the phone's owner types the OTP they received ...
        invo.phone_share_approve(approval_id=approval_id, otp=otp_from_owner())
        return invo.mint_player_token(player_email="bob@example.com",
                                      player_phone="+15555550111")
# --8<-- [end:phone-share]


def main() -> None:
    """Send 50 from Ada to Bob on a local sandbox, confirming with the texted PIN."""
    from invonetwork.sandbox import Sandbox

    ada = {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"}
    with Sandbox(players=[ada]) as sandbox, sandbox.client() as invo:
        print_destinations(invo, source_game_id=sandbox.game_id)
        send = send_fifty_to_bob(invo, receiving_game_id=2002)
        print_send_status(invo, send)
        claim_code = check_the_pin(invo, send, sandbox.last_sms_pin(transaction_id(send)) or "")
        print_inbound_pending(invo, player_email="bob@example.com")
        if claim_code:
            print(bob_claims(invo, claim_code))
        print_send_status(invo, send)


if __name__ == "__main__":
    main()
