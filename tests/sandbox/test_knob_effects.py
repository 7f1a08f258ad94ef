"""Knobs seen over HTTP: linked games, no auto-created players, verbose logs without secrets."""

from __future__ import annotations

import pytest
import requests

from invonetwork.sandbox import Sandbox

from .conftest import UA, Api, item_body, transfer_body

BALANCE = "/api/player-balances/player/by-email/ada%40example.com"  # an authenticated GET


def _api(sb: Sandbox) -> Api:
    return Api(sb)


def test_a_linked_home_game_only_sends_to_its_links() -> None:
    games = [{"game_id": 2002, "name": "Racers", "currency_name": "SC", "currency_symbol": "SC"},
             {"game_id": 3003, "name": "Depths", "currency_name": "G", "currency_symbol": "G"}]
    with Sandbox(games=games, players=[{"email": "ada@example.com", "balance": 100,
                                        "phone": "+15555550100"}]) as sb:
        sb._world.state.home.linked_game_ids = [3003]
        api = _api(sb)
        blocked = api.post("/api/transfers/initiate-transfer", transfer_body("l1"))
        assert blocked.status_code == 403
        assert blocked.json()["code"] == "DESTINATION_NOT_ALLOWED"
        ok = api.post("/api/transfers/initiate-transfer",
                      transfer_body("l2", target_game_id=3003))
        assert ok.status_code == 200
        found = api.post("/api/transfers/available-destinations", {"source_game_id": 1001})
        assert [g["game_id"] for g in found.json()["available_games"]] == [3003]
        api.close()


def test_without_auto_created_players_unknown_writers_are_404() -> None:
    with Sandbox(auto_create_players=False,
                 players=[{"email": "ada@example.com", "balance": 500}]) as sb:
        api = _api(sb)
        unknown = api.post("/api/item-purchases/purchase-item",
                           item_body("u1", player_email="ghost@example.com"))
        assert unknown.status_code == 404 and unknown.json()["code"] == "PLAYER_NOT_FOUND"
        assert api.post("/api/item-purchases/purchase-item", item_body("u2")).status_code == 200
        api.close()


def test_verbose_logs_one_line_per_request_and_never_a_secret(
    capfd: pytest.CaptureFixture[str]
) -> None:
    with Sandbox(verbose=True, game_secret="ivsdk_test_do_not_log_me") as sb:
        requests.get(sb.base_url + BALANCE, timeout=5,
                     headers={"User-Agent": UA, "X-Game-Secret-Key": "ivsdk_test_do_not_log_me"})
        requests.post(sb.base_url + "/api/item-purchases/purchase-item", timeout=5,
                      json=item_body("v1"), headers={"User-Agent": UA,
                                                     "X-Game-Secret-Key": "wrong-secret"})
    err = capfd.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("[invo-sandbox]")]
    assert len(lines) == 2
    assert "404" in lines[0] and "401" in lines[1]
    assert "do_not_log_me" not in err and "wrong-secret" not in err and "Sword" not in err


def test_answers_never_echo_the_secret_and_request_ids_are_unique(sb: Sandbox) -> None:
    api = _api(sb)
    answers = [api.get(BALANCE, secret="ivsdk_test_guess")
               for _ in range(3)]
    assert all(r.status_code == 401 for r in answers)
    assert all("ivsdk_test_guess" not in r.text for r in answers)
    assert len({r.headers["X-Invo-Request-Id"] for r in answers}) == 3
    api.close()
