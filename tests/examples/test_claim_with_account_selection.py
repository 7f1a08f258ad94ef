"""The account-selection recipe in examples/ re-submits the claim with the chosen player."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import responses

from invonetwork import InvoServer

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "claim_with_account_selection.py"
URL = "https://invo.example.test/api/transfers/claim-transfer"


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("claim_example", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["claim_example"] = module
    spec.loader.exec_module(module)
    return module


@responses.activate
def test_claim_resubmits_with_the_chosen_account() -> None:
    example = _load()
    candidates = [{"player_id": 0, "player_name": "Bob (main)"}, {"player_id": 7}]
    responses.add("POST", URL, json={"status": "needs_account_selection",
                                     "candidates": candidates})
    responses.add("POST", URL, json={"status": "success", "transaction_id": "t-1",
                                     "new_balance": "150"})
    invo = InvoServer("secret", "https://invo.example.test")
    chosen: list[list[Any]] = []

    def choose(options: list[Any]) -> Any:
        chosen.append(options)
        return options[0]

    result = example.claim_transfer_interactively(
        invo, claim_code="K7Q", player_name="Bob", player_email="bob@example.com",
        player_phone="+15555550111", currency_id=3, choose=choose,
    )
    assert chosen == [candidates]
    assert result.status == "success" and result.needs_account_selection is False
    first = json.loads(responses.calls[0].request.body)
    second = json.loads(responses.calls[1].request.body)
    assert "target_player_id" not in first
    assert second["target_player_id"] == 0  # 0 is a real choice and is sent
    assert {k: v for k, v in second.items() if k != "target_player_id"} == first


@responses.activate
def test_claim_without_selection_is_sent_once() -> None:
    example = _load()
    responses.add("POST", URL, json={"status": "success", "transaction_id": "t-2"})
    invo = InvoServer("secret", "https://invo.example.test")
    result = example.claim_transfer_interactively(
        invo, claim_code="K7Q", player_name="Bob", player_email="bob@example.com",
        player_phone="+15555550111", currency_id=3, choose=lambda options: 1 / 0,
    )
    assert result.transaction_id == "t-2"
    assert len(responses.calls) == 1
