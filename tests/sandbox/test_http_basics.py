"""Auth, user-agent policy, routing, JSON errors, the path prefix and the request log."""

from __future__ import annotations

import http.client

import requests

from invonetwork.sandbox import Sandbox

from .conftest import UA, Api

BALANCE = "/api/player-balances/player/by-email/ada%40example.com"  # an authenticated GET


def test_missing_or_wrong_secret_is_401(api: Api) -> None:
    for secret in (None, "ivsdk_test_wrong", ""):
        r = api.post("/api/sdk/player-token", {"player_email": "ada@example.com"}, secret=secret)
        assert r.status_code == 401
        assert r.json()["code"] == "INVALID_GAME_SECRET"
        assert r.headers["Content-Type"] == "application/json"
        assert r.headers["X-Invo-Request-Id"].startswith("req_")


def test_phone_share_endpoints_take_no_secret(api: Api) -> None:
    r = api.get("/api/wallet/phone-share/status",
                params={"phone": "+15555550100", "email": "x@example.com"}, secret=None)
    assert r.status_code == 200
    assert r.json()["approved"] is False


def test_blocked_user_agents_are_403(api: Api) -> None:
    for agent in ("sqlmap/1.7", "Python-urllib/3.11", "nikto", "MyBot 1.0", "scanner", ""):
        r = api.post("/api/sdk/player-token", {"player_email": "a@example.com"},
                     headers={"User-Agent": agent})
        assert r.status_code == 403, agent
        assert r.json()["code"] == "USER_AGENT_BLOCKED"


def test_missing_user_agent_is_403(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=5)
    try:
        conn.request("GET", "/api/wallet/identities?player_email=a%40b.co",
                     headers={"X-Game-Secret-Key": sb.game_secret})
        response = conn.getresponse()
        assert response.status == 403
        response.read()
    finally:
        conn.close()


def test_unknown_path_and_wrong_method(api: Api) -> None:
    r = api.get("/api/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "NOT_FOUND"
    r = api.get("/api/checkout/sessions")
    assert r.status_code == 405 and r.headers["Allow"] == "POST"


def test_bad_json_and_non_object_bodies(api: Api) -> None:
    r = api.request("POST", "/api/sdk/player-token", data=b"{nope",
                    headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["code"] == "INVALID_JSON"
    r = api.request("POST", "/api/sdk/player-token", json=[1, 2])
    assert r.status_code == 400 and r.json()["code"] == "INVALID_JSON"
    r = api.post("/api/sdk/player-token", {"player_email": "  "})
    assert r.status_code == 400 and r.json()["field"] == "player_email"


def test_served_under_prefix_and_at_root(sb: Sandbox, api: Api) -> None:
    assert sb.base_url.endswith("/sandbox")
    body = {"player_email": "ada@example.com"}
    assert api.post("/api/sdk/player-token", body).status_code == 200
    assert api.post("/api/sdk/player-token", body, base=sb.root_url).status_code == 200
    assert sb.request_count("/api/sdk/player-token") == 2


def test_no_prefix_option() -> None:
    with Sandbox(path_prefix="") as sb:
        api = Api(sb)
        assert sb.base_url == sb.root_url
        assert api.post("/api/sdk/player-token", {"player_email": "a@example.com",
                                                  "player_phone": "+15555550177"}).ok
        r = api.post("/sandbox/api/sdk/player-token", {"player_email": "a@example.com"})
        assert r.status_code == 404
        api.close()


def test_request_counts_by_path_glob_and_method(sb: Sandbox, api: Api) -> None:
    api.get(BALANCE)
    api.get(BALANCE)
    api.post("/api/sdk/player-token", {"player_email": "ada@example.com"})
    assert sb.request_count("/api/player-balances/player/*") == 2
    assert sb.request_count(method="POST") == 1
    assert sb.request_count() == 3
    assert sb.request_counts()["POST /api/sdk/player-token"] == 1
    requests.get(f"{sb.root_url}/__sandbox__/state", timeout=5)  # admin: not counted
    assert sb.request_count() == 3
    sb.reset_request_counts()
    assert sb.request_count() == 0


def test_keep_alive_connection_is_reused(sb: Sandbox) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", sb.port, timeout=5)
    try:
        for _ in range(3):
            conn.request("GET", "/sandbox" + BALANCE,
                         headers={"User-Agent": UA, "X-Game-Secret-Key": sb.game_secret})
            response = conn.getresponse()
            assert response.status == 200
            response.read()
            assert response.getheader("Connection") != "close"
    finally:
        conn.close()


def test_balance_reads(api: Api) -> None:
    r = api.get(BALANCE)
    assert r.status_code == 200
    body = r.json()
    assert body["player"]["player_email"] == "ada@example.com"
    (row,) = body["balances"]
    assert row["available_balance"] == "500.00" and row["currency_name"] == "Gold Coins"
    assert api.get("/api/player-balances/player/by-email/nobody%40example.com").status_code == 404
    assert api.get("/api/player-balances/player/by-email/nobody%40x.io").status_code == 404


def test_mint_player_token(api: Api) -> None:
    r = api.post("/api/sdk/player-token",
                 {"player_email": "new@example.com", "player_phone": "+15555550999"})
    assert r.status_code == 200
    body = r.json()
    assert body["token"].startswith("ivpt_") and body["identity_id"] and body["expires_at"]
    r = api.post("/api/sdk/player-token",
                 {"player_email": "new@example.com", "player_phone": "555"})
    assert r.status_code == 400


def test_linked_identities(sb: Sandbox, api: Api) -> None:
    sb.add_player("ada.alt@example.com", wallet_of="ada@example.com")
    r = api.get("/api/wallet/identities", params={"player_phone": "+15555550100"})
    assert r.status_code == 200
    body = r.json()
    assert body["primary_email"] == "ada@example.com" and body["is_minor"] is False
    assert {e["email"] for e in body["emails"]} == {"ada@example.com", "ada.alt@example.com"}
    r = api.get("/api/wallet/identities", params={"player_email": "nobody@example.com"})
    assert r.status_code == 404 and r.json()["code"] == "IDENTITY_NOT_FOUND"


def test_destinations(api: Api) -> None:
    r = api.post("/api/transfers/available-destinations", {"source_game_id": 1001})
    body = r.json()
    assert r.status_code == 200 and body["direction"] == "transfer"
    assert body["transfer_mode"] == "universal" and body["universal_transfers"] is True
    assert body["total_destinations"] == len(body["available_games"]) == 2
    assert {g["game_id"] for g in body["available_games"]} == {2002, 3003}
    r = api.post("/api/currency-sends/available-destinations", {"source_game_id": "1001"})
    assert r.json()["direction"] == "send"
    assert api.post("/api/transfers/available-destinations",
                    {"source_game_id": 0}).status_code == 404


def test_snapshot_and_admin_state(sb: Sandbox) -> None:
    state = requests.get(f"{sb.root_url}/__sandbox__/state", timeout=5).json()
    assert state["game_id"] == 1001
    assert {p["player_email"] for p in state["players"]} >= {"ada@example.com"}
