"""Players and their phones: register, set a phone, ask the player to confirm a new one.

Run it against the built-in local sandbox (no account needed)::

    python examples/players_and_phones.py

The docs (``docs/players-and-phones.md``) include this file piece by piece, and
``tests/players/test_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from typing import Any, Optional

from invonetwork import InvoError, InvoServer


# --8<-- [start:register]
def sign_up(invo: InvoServer, *, email: str, phone: str, name: str) -> dict[str, Any]:
    """Create the player in your game when they sign up (safe to call again: find-or-create)."""
    made = invo.register_player(player_email=email, player_phone=phone, player_name=name)
    return {
        "new": made.status == "created",
        "identity_id": made.identity_id,      # store it: INVO's stable id of this person
        "browser_token": made.player_token,   # hand it to the browser SDK, never log it
    }
# --8<-- [end:register]


# --8<-- [start:mint]
def browser_token(invo: InvoServer, *, email: str, phone: str) -> tuple[str, bool]:
    """A player token for the browser, and whether the phone you hold is stale.

    INVO never changes an existing player's phone from a mint: ``phone_mismatch`` says the
    phone on file differs from yours. Do not push yours: ask the player (see below).
    """
    token = invo.mint_player_token(player_email=email, player_phone=phone)
    return token.token, token.phone_mismatch
# --8<-- [end:mint]


# --8<-- [start:set_phone]
def add_phone(invo: InvoServer, *, email: str, phone: str) -> Optional[str]:
    """Give a player who has no phone yet one. Returns a change request id when the player
    already has another phone and must confirm the change instead."""
    try:
        done = invo.update_player_phone(player_email=email, new_phone=phone)
    except InvoError as err:
        if err.is_phone_change_requires_verification:
            return invo.request_phone_change(player_email=email,
                                             new_phone=phone).change_request_id
        raise
    if done.identity_rekeyed:
        print("new identity:", done.identity_id)  # store it; older tokens are stale
    return None
# --8<-- [end:set_phone]


# --8<-- [start:change]
def ask_to_change_phone(invo: InvoServer, *, email: str, new_phone: str) -> str:
    """Start a phone change; INVO emails the player, who confirms on INVO's own page."""
    asked = invo.request_phone_change(player_email=email, new_phone=new_phone)
    return asked.change_request_id  # keep it to show "waiting for confirmation"


def change_status(invo: InvoServer, change_request_id: str) -> str:
    """``pending``, ``confirmed``, ``expired``, ``cancelled``, ``refused`` or ``denied``."""
    return invo.get_phone_change(change_request_id).status
# --8<-- [end:change]


# --8<-- [start:webhook]
def on_phone_changed(data: Any, players: dict[str, dict[str, Any]]) -> None:
    """Handle ``player.phone_changed`` (a ``PlayerPhoneChangedData``): store the new identity,
    forget cached tokens, and never push the old number back."""
    player = players.setdefault(data.player_email, {})
    player["identity_id"] = data.identity_id
    player["phone_masked"] = data.new_phone_masked
    if data.new_phone is not None:  # only in the copy of the game that asked
        player["phone"] = data.new_phone
    player.pop("browser_token", None)
# --8<-- [end:webhook]


def main() -> None:
    from invonetwork import PlayerPhoneChangedData
    from invonetwork.sandbox import Sandbox

    with Sandbox() as sb, sb.client() as invo:
        print(sign_up(invo, email="ada@example.com", phone="+15555550100", name="Ada"))
        print(browser_token(invo, email="ada@example.com", phone="+15555550199")[1])
        request_id = add_phone(invo, email="ada@example.com", phone="+15555550177")
        assert request_id is not None
        sb.confirm_phone_change(request_id)  # what the player does on INVO's page
        print(change_status(invo, request_id))
        players: dict[str, dict[str, Any]] = {}
        for event in sb.events_of("player.phone_changed"):
            on_phone_changed(PlayerPhoneChangedData.from_data(event["data"]), players)
        print(players)


if __name__ == "__main__":
    main()
