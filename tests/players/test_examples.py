"""The players and activity examples (included by their docs pages) against the sandbox."""

from __future__ import annotations

import runpy
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from invonetwork import InvoServer, PlayerPhoneChangedData
from invonetwork.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
sys.path.insert(0, str(EXAMPLES))
import activity_feed as feed  # noqa: E402
import players_and_phones as phones  # noqa: E402


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sb(shared: Sandbox) -> Sandbox:
    shared.reset()
    return shared


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(max_retries=0) as client:
        yield client


def test_sign_up_is_find_or_create(invo: InvoServer) -> None:
    first = phones.sign_up(invo, email="ada@example.com", phone="+15555550100", name="Ada")
    again = phones.sign_up(invo, email="ada@example.com", phone="+15555550100", name="Ada")
    assert first["new"] and not again["new"]
    assert first["identity_id"] == again["identity_id"] and first["browser_token"]


def test_browser_token_reports_a_stale_phone(invo: InvoServer) -> None:
    phones.sign_up(invo, email="ada@example.com", phone="+15555550100", name="Ada")
    assert phones.browser_token(invo, email="ada@example.com", phone="+15555550100")[1] is False
    assert phones.browser_token(invo, email="ada@example.com", phone="+15555550199")[1] is True


def test_add_phone_sets_or_asks(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player("bob@example.com")
    assert phones.add_phone(invo, email="bob@example.com", phone="+15555550122") is None
    request_id = phones.add_phone(invo, email="bob@example.com", phone="+15555550133")
    assert request_id is not None
    assert phones.change_status(invo, request_id) == "pending"


def test_a_confirmed_change_reaches_the_webhook_handler(sb: Sandbox, invo: InvoServer) -> None:
    phones.sign_up(invo, email="ada@example.com", phone="+15555550100", name="Ada")
    request_id = phones.ask_to_change_phone(invo, email="ada@example.com",
                                            new_phone="+15555550177")
    sb.confirm_phone_change(request_id)
    assert phones.change_status(invo, request_id) == "confirmed"
    players: dict[str, dict[str, Any]] = {"ada@example.com": {"browser_token": "old"}}
    [event] = sb.events_of("player.phone_changed")
    phones.on_phone_changed(PlayerPhoneChangedData.from_data(event["data"]), players)
    assert players["ada@example.com"]["phone"] == "+15555550177"
    assert "browser_token" not in players["ada@example.com"]


def test_feed_examples(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player("ada@example.com", phone="+15555550100", balance=500, passkey_enrolled=True)
    for n in range(25):
        txn = invo.initiate_send(
            client_request_id=f"g{n}", sender_player_name="Ada",
            sender_player_email="ada@example.com", sender_player_phone="+15555550100",
            receiver_player_phone="+15555550111", receiving_game_id=2002,
            amount="10.00").transaction_id
        sb.approve_transaction(str(txn))
    lines, cursor = feed.history_page(invo, email="ada@example.com")
    assert len(lines) == 20 and cursor is not None
    assert lines[0].split()[1:4] == ["send", "-10.00", "Gold"]
    rest, end = feed.history_page(invo, email="ada@example.com", cursor=cursor)
    assert len(rest) == 5 and end is None
    sent = feed.money_sent(invo, email="ada@example.com")
    assert len(sent) == 25 and sent[0].startswith("10.00 sent, 9.00 received after 1.00 fees")
    assert feed.reward_lines(invo, email="ada@example.com") == []
    sb.set_loyalty_cards("ada@example.com", [{
        "title": "Weekly", "steps": [{"label": "Send", "complete": True}, {"label": "Buy"}],
        "rewards": [{"reward_id": "hat", "code": "ABCD-9876"}]}])
    assert feed.reward_lines(invo, email="ada@example.com") == [
        "Weekly: 1/2 (in_progress)", "  reward hat: unlocked ****9876"]


@pytest.mark.parametrize("name", ["players_and_phones", "activity_feed"])
def test_the_examples_run_as_scripts(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert capsys.readouterr().out
