"""Helpers for the sandbox's HTTP-level tests (plain requests, no SDK)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

import pytest
import requests

from invonetwork.sandbox import Sandbox

UA = "invonetwork-python-sdk/test"


class Api:
    """A thin requests wrapper that speaks to one sandbox like the SDK would."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.session = requests.Session()
        self.session.trust_env = False

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Optional[dict[str, Any]] = None,
        secret: Optional[str] = "default",
        headers: Optional[dict[str, str]] = None,
        base: Optional[str] = None,
        **kwargs: Any,
    ) -> requests.Response:
        sent = {"User-Agent": UA, "Accept": "application/json"}
        if secret == "default":
            sent["X-Game-Secret-Key"] = self.sb.game_secret
        elif secret is not None:
            sent["X-Game-Secret-Key"] = secret
        sent.update(headers or {})
        url = (base or self.sb.base_url) + path
        return self.session.request(
            method, url, json=json, params=params, headers=sent, timeout=10,
            allow_redirects=False, **kwargs,
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, json={} if json is None else json, **kwargs)

    def put(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json=json, **kwargs)

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    players = [
        {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"},
        {"email": "bob@example.com", "name": "Bob", "phone": "+15555550111", "balance": "20"},
        {"email": "kim@example.com", "name": "Kim", "phone": "+15555550122", "balance": "300",
         "passkey_enrolled": True},
        {"email": "tim@example.com", "name": "Tim", "phone": "+15555550133", "balance": "100",
         "is_minor": True},
    ]
    with Sandbox(players=players, webhook_retry_scale=0.001) as sandbox:
        yield sandbox


@pytest.fixture
def api(sb: Sandbox) -> Iterator[Api]:
    client = Api(sb)
    yield client
    client.close()


def item_body(request_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "client_request_id": request_id,
        "player_email": "ada@example.com",
        "player_name": "Ada",
        "item_id": "sword_001",
        "item_name": "Flaming Sword",
        "item_quantity": 1,
        "unit_price": "150.00",
        "total_price": "150.00",
    }
    body.update(overrides)
    return body


def send_body(request_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "client_request_id": request_id,
        "sender_player_name": "Ada",
        "sender_player_email": "ada@example.com",
        "sender_player_phone": "+15555550100",
        "receiver_player_email": "zed@example.com",
        "receiver_player_phone": "+15555550199",
        "receiving_game_id": 2002,
        "amount": "50",
    }
    body.update(overrides)
    return body


def transfer_body(request_id: str, **overrides: Any) -> dict[str, Any]:
    body = {
        "client_request_id": request_id,
        "source_player_name": "Ada",
        "source_player_email": "ada@example.com",
        "source_player_phone": "+15555550100",
        "target_player_email": "zed@example.com",
        "target_player_phone": "+15555550199",
        "target_game_id": 2002,
        "amount": "40",
    }
    body.update(overrides)
    return body
