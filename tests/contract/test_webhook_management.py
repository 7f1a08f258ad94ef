"""Webhook endpoint management (the contract names paths, not Python methods; the SDK's are
``register_webhook_endpoint`` and ``rotate_webhook_secret``)."""

from __future__ import annotations

from typing import Any

import pytest

from invonetwork import InvoError, InvoServer

from .conftest import SECRET, Recorder


def test_register_wire(srv: Recorder, invo: InvoServer) -> None:
    body = {"success": True, "created": True, "signing_secret": "whsec_1",
            "subscription": {"id": 1}}
    srv.reply(200, body)
    res = invo.register_webhook_endpoint(game_id="g/1", target_url="https://hooks.example.com/x",
                                         subscribed_events=["purchase.completed"])
    req = srv.last
    assert req.method == "PUT" and req.path == "/api/dev/webhooks/games/g%2F1"
    assert req.json == {"target_url": "https://hooks.example.com/x",
                        "subscribed_events": ["purchase.completed"]}
    assert req.header("X-Game-Secret-Key") == SECRET
    assert (res.success, res.created, res.signing_secret, res.subscription) == (
        True, True, "whsec_1", {"id": 1})
    assert res.raw == body


def test_register_default_all_events_and_loopback_target(srv: Recorder,
                                                         invo: InvoServer) -> None:
    invo.register_webhook_endpoint(game_id=7, target_url="http://127.0.0.1:9999/hook")
    assert srv.last.json["subscribed_events"] == ["*"]
    invo.register_webhook_endpoint(game_id=7, target_url="http://localhost:9999/hook",
                                   subscribed_events=["*"])
    assert srv.last.json["target_url"] == "http://localhost:9999/hook"


def test_register_update_without_secret(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"success": True, "created": False, "subscription": {}})
    res = invo.register_webhook_endpoint(game_id=7, target_url="https://h.example.com")
    assert res.created is False and res.signing_secret is None


@pytest.mark.parametrize("url", ["http://hooks.example.com", "https://127.0.0.1/x",
                                 "https://localhost/x", "https://10.0.0.5/x",
                                 "https://192.168.0.1/", "https://169.254.169.254/latest",
                                 "https://[::1]/", "http://127.0.0.1/x", "", "not a url"])
def test_register_refuses_non_public_from_production(url: str) -> None:
    invo = InvoServer(SECRET, "https://invo.network", max_retries=0, timeout=0.5)
    with pytest.raises(InvoError) as ei:
        invo.register_webhook_endpoint(game_id=1, target_url=url)
    assert ei.value.code == "INVALID_INPUT" and ei.value.status == 0


def test_register_never_retried(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(503, {})
    with pytest.raises(InvoError):
        invo.register_webhook_endpoint(game_id=1, target_url="https://h.example.com")
    assert len(srv.requests) == 1


def test_rotate(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"success": True, "signing_secret": "whsec_2"})
    res = invo.rotate_webhook_secret(game_id="a b")
    req = srv.last
    assert req.method == "POST" and req.path == "/api/dev/webhooks/games/a%20b/rotate-secret"
    assert req.header("X-Game-Secret-Key") == SECRET
    assert res.signing_secret == "whsec_2"


def test_production_management_host() -> None:
    invo: Any = InvoServer(SECRET, "https://invo.network")
    assert invo.management_base_url.rstrip("/") == "https://api.invo.network"
