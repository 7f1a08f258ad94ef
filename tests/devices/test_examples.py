"""Run examples/consoles_and_steam.py (the code docs/consoles-and-steam.md shows) against the
sandbox, function by function."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
example = importlib.import_module("consoles_and_steam")

PLAYERS = [{"email": "ada@example.com", "phone": "+15555550100", "balance": "100"},
           {"email": "bob@example.com", "phone": "+15555550111"}]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=PLAYERS) as sandbox:
        yield sandbox


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client() as client:
        yield client


def _transfer(invo: InvoServer, ref: str = "x-1") -> str:
    move = invo.initiate_transfer(
        client_request_id=ref, source_player_name="Ada", source_player_email="ada@example.com",
        source_player_phone="+15555550100", target_player_email="bob@example.com",
        target_player_phone="+15555550111", target_game_id=2002, amount="10")
    return str(move.transaction_id)


def test_device_approval_with_a_first_time_phone(sb: Sandbox, invo: InvoServer) -> None:
    txn = _transfer(invo)
    token = invo.mint_player_token(player_email="bob@example.com").token  # wrong player
    with pytest.raises(InvoError):
        example.show_approval_code(invo, player_token=token, transaction_id=txn)
    token = invo.mint_player_token(player_email="ada@example.com").token
    grant = example.show_approval_code(invo, player_token=token, transaction_id=txn)
    screen: list[str] = []
    sb.enroll_device(grant.user_code, "iPhone")  # Ada's first phone on INVO asks to enroll
    approved: list[bool] = []

    def sleep(seconds: float) -> None:  # the player confirmed on the screen: the phone approves
        if screen and screen[-1].startswith("Is this your iPhone?") and not approved:
            approved.append(bool(sb.approve_device_code(grant.user_code)))
        sb.advance_time(seconds)

    done = example.wait_for_the_phone(invo, player_token=token, transaction_id=txn, grant=grant,
                                      show_on_screen=screen.append, sleep=sleep)
    assert done.status == "approved"
    assert screen[0].startswith("Is this your iPhone? Code ") and screen[-1] == ""
    assert example.settle_after_a_lost_answer(invo, player_token=token, transaction_id=txn,
                                              device_code=grant.device_code) is True


def test_a_declined_approval(sb: Sandbox, invo: InvoServer) -> None:
    txn = _transfer(invo)
    token = invo.mint_player_token(player_email="ada@example.com").token
    grant = example.show_approval_code(invo, player_token=token, transaction_id=txn)
    sb.deny_device_code(grant.user_code)
    done = example.wait_for_the_phone(invo, player_token=token, transaction_id=txn, grant=grant,
                                      sleep=sb.advance_time)
    assert (done.status, done.settlement) == ("denied", None)


def test_steam_purchase(sb: Sandbox, invo: InvoServer) -> None:
    packs = example.steam_store(invo, steamid="76561198000000001")
    assert [p.pack_id for p in packs] == ["steam_small", "steam_medium", "steam_large"]
    order = example.buy_on_steam(invo, email="bob@example.com", steamid="76561198000000001",
                                 pack_id="steam_medium", purchase_reference="ref-1")
    with pytest.raises(InvoError) as dup:
        example.buy_on_steam(invo, email="bob@example.com", steamid="76561198000000001",
                             pack_id="steam_medium", purchase_reference="ref-1")
    assert dup.value.is_duplicate_request
    assert example.finish_steam_purchase(invo, order_id=order.order_id) is None
    sb.steam_authorize(order.order_id)
    done = example.finish_steam_purchase(invo, order_id=order.order_id)
    assert done is not None and done.credited is True
    again = example.finish_steam_purchase(invo, order_id=order.order_id)
    assert again is not None and again.already_processed
    assert sb.balance("bob@example.com") == Decimal("69")
    dead = example.buy_on_steam(invo, email="bob@example.com", steamid="76561198000000001",
                                pack_id="steam_small", purchase_reference="ref-2")
    sb.steam_kill(dead.order_id, "Failed")
    assert example.finish_steam_purchase(invo, order_id=dead.order_id) is None


def test_passkey_recovery(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player("ada@example.com", passkey_enrolled=True)  # the lost phone's passkey
    token = invo.mint_player_token(player_email="ada@example.com").token
    answers = iter(["000000x", None])

    def ask() -> str:
        given = next(answers)
        return given if given is not None else str(sb.last_recovery_code("ada@example.com"))

    done = example.recover_passkey(invo, player_token=token, ask_player_for_code=ask)
    assert (done.status, done.deactivated_count) == ("recovered", 1)
    assert sb.events_of("identity.passkey_reset")


def test_main_runs() -> None:
    example.main()
