"""Your first real call: mint a player token and read a balance in INVO's sandbox.

    export INVO_GAME_SECRET=ivsdk_test_...        # sandbox key from the INVO developer console
    python examples/first_call.py player@example.com +15555550100

``INVO_BASE_URL`` is optional: an ``ivsdk_test_`` key goes to the sandbox. The docs
(``docs/getting-started.md``) include this file, and ``tests/examples/test_flow_examples.py``
runs it against the local sandbox.
"""

from __future__ import annotations

import sys
from typing import Optional

# --8<-- [start:first-call]
from invonetwork import InvoError, InvoServer, NotFoundError


def first_call(invo: InvoServer, player_email: str, player_phone: Optional[str] = None) -> None:
    """Mint a token for the browser, then read the player's balances.

    An unknown email needs its E.164 phone: INVO then creates the player.
    """
    token = invo.mint_player_token(player_email=player_email, player_phone=player_phone)
    print("player token:", token.token[:12] + "...", "expires at", token.expires_at)
    try:
        balance = invo.get_player_balance(player_email=player_email)
    except NotFoundError:
        print("no balance yet: this player has never bought or received currency")
        return
    for row in balance.balances:
        print(f"{row.currency_name}: {row.available_balance}")


def main(argv: list[str]) -> int:
    """Build the client from the environment and make the calls."""
    player_email = argv[1] if len(argv) > 1 else "player@example.com"
    player_phone = argv[2] if len(argv) > 2 else None
    with InvoServer.from_env() as invo:  # INVO_GAME_SECRET, and INVO_BASE_URL if set
        try:
            first_call(invo, player_email, player_phone)
        except InvoError as err:
            print(f"INVO refused: {err} (code={err.code}, HTTP {err.status}, "
                  f"request id {err.request_id})")
            return 1
    return 0
# --8<-- [end:first-call]


if __name__ == "__main__":
    sys.exit(main(sys.argv))
