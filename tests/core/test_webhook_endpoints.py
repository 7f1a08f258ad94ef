"""Webhook endpoint management: rules, wire, results."""

from __future__ import annotations

from typing import Any, Optional

import pytest
import responses

from invonetwork import (
    InvalidInputError,
    InvoError,
    InvoServer,
    RotateSecretResult,
    WebhookEndpointResult,
)
from invonetwork.errors import ServerError

from .recorder import RECORDER_SECRET, Recorder
from .support import (
    CUSTOM_SECRET,
    LIVE_SECRET,
    MANAGEMENT,
    SANDBOX,
    SECRET,
    add_any,
    make_client,
    sent_json,
)

# == over a mocked transport (responses) =======================================================

SIGNING = "whsec_0123456789abcdef"


@pytest.mark.parametrize(
    ("secret", "base_url", "management", "expected"),
    [(LIVE_SECRET, None, None, MANAGEMENT),
     (LIVE_SECRET, "https://invo.network/", None, MANAGEMENT),
     (SECRET, None, None, SANDBOX),
     (SECRET, "http://127.0.0.1:8080", None, "http://127.0.0.1:8080"),
     (CUSTOM_SECRET, "https://proxy.example.com/p", None, "https://proxy.example.com/p"),
     (CUSTOM_SECRET, "https://proxy.example.com", "https://mgmt.example.com/",
      "https://mgmt.example.com"),
     (LIVE_SECRET, None, "https://api.invo.network", MANAGEMENT)],
)
def test_management_host(secret: str, base_url: Optional[str], management: Optional[str],
                         expected: str, rsps: responses.RequestsMock) -> None:
    invo = InvoServer(secret, base_url, management_base_url=management)
    add_any(rsps, "PUT", json={"success": True})
    add_any(rsps, "POST", json={"signing_secret": SIGNING})
    invo.register_webhook_endpoint(game_id=3, target_url="https://hooks.example.com/invo")
    invo.rotate_webhook_secret(game_id=3)
    assert [(c.request.method, c.request.url) for c in rsps.calls] == [
        ("PUT", expected + "/api/dev/webhooks/games/3"),
        ("POST", expected + "/api/dev/webhooks/games/3/rotate-secret")]
    for call in rsps.calls:
        assert call.request.headers["X-Game-Secret-Key"] == secret
        assert "python-sdk" in call.request.headers["User-Agent"]


def test_register_wire_and_result(client: InvoServer, rsps: responses.RequestsMock) -> None:
    body = {"success": True, "created": True, "signing_secret": SIGNING,
            "subscription": {"target_url": "https://h.example.com/x", "events": ["*"]}}
    add_any(rsps, "PUT", json=body)
    result = client.register_webhook_endpoint(
        game_id="g 1", target_url="https://h.example.com/x",
        subscribed_events=["purchase.completed", "item.purchased"])
    request = rsps.calls[0].request
    assert request.url == SANDBOX + "/api/dev/webhooks/games/g%201"
    assert request.headers["Content-Type"] == "application/json"
    assert sent_json(request) == {"target_url": "https://h.example.com/x",
                                  "subscribed_events": ["purchase.completed", "item.purchased"]}
    assert isinstance(result, WebhookEndpointResult)
    assert result.success is True and result.created is True
    assert result.signing_secret == SIGNING
    assert result.subscription == body["subscription"]
    assert result.raw == body
    assert SIGNING not in repr(result) and SIGNING not in str(result)


def test_register_update_has_no_secret(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "PUT", json={"success": True, "created": False, "subscription": {}})
    result = client.register_webhook_endpoint(game_id=1, target_url="https://h.example.com")
    assert result.created is False and result.signing_secret is None


def test_rotate_wire_and_result(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"success": True, "signing_secret": SIGNING})
    result = client.rotate_webhook_secret(game_id=9)
    request = rsps.calls[0].request
    assert request.url == SANDBOX + "/api/dev/webhooks/games/9/rotate-secret"
    assert not request.body and "Content-Type" not in request.headers
    assert isinstance(result, RotateSecretResult)
    assert result.signing_secret == SIGNING
    assert result.raw == {"success": True, "signing_secret": SIGNING}
    assert SIGNING not in repr(result)


@pytest.mark.parametrize("method", ["PUT", "POST"])
def test_management_calls_are_sent_once(method: str, client: InvoServer,
                                        rsps: responses.RequestsMock) -> None:
    add_any(rsps, method, status=503)
    with pytest.raises(ServerError):
        if method == "PUT":
            client.register_webhook_endpoint(game_id=1, target_url="https://h.example.com")
        else:
            client.rotate_webhook_secret(game_id=1)
    assert len(rsps.calls) == 1


BAD_TARGETS = [
    "http://hooks.example.com/x", "ftp://hooks.example.com", "hooks.example.com/x", "",
    "   ", None, "https://", "https://localhost/x", "https://127.0.0.1/x",
    "https://127.1.2.3:8443/x", "https://[::1]/x", "https://10.0.0.8/x", "https://172.16.5.4/x",
    "https://192.168.1.10/x", "https://169.254.169.254/latest/meta-data",
    "https://[fe80::1]/x", "https://[fd00::1]/x", "https://0.0.0.0/x",
    "https://metadata.google.internal/x", "http://127.0.0.1:9000/hook",
    "http://localhost:9000/hook",
    # the same hosts, spelled the ways resolvers also accept
    "https://127.1/x", "https://2130706433/x", "https://0x7f.0.0.1/x", "https://0177.0.0.1/x",
    "https://10.1/x", "https://169.254.169.254./x", "https://localhost./x",
    "https://[::ffff:127.0.0.1]/x", "https://[::ffff:169.254.169.254]/x", "https://LOCALHOST/x",
]


@pytest.mark.parametrize("target", BAD_TARGETS, ids=repr)
def test_target_url_must_be_public_https(target: Any, client: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    with pytest.raises(InvalidInputError) as info:
        client.register_webhook_endpoint(game_id=1, target_url=target)
    assert info.value.code == "INVALID_INPUT" and info.value.status == 0
    assert "target_url" in info.value.message
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("target", ["https://hooks.example.com/invo", "https://8.8.8.8/x",
                                    "https://hooks.example.com:8443/invo?x=1",
                                    "https://bad.cafe/x", "https://1e100.net/hook"])
def test_public_https_targets_accepted(target: str, client: InvoServer,
                                       rsps: responses.RequestsMock) -> None:
    add_any(rsps, "PUT", json={})
    client.register_webhook_endpoint(game_id=1, target_url=target)
    assert sent_json(rsps.calls[0].request)["target_url"] == target


@pytest.mark.parametrize("base", ["http://127.0.0.1:8080", "http://localhost:8080"])
@pytest.mark.parametrize("target", ["http://127.0.0.1:9000/hook", "http://localhost:9000/hook",
                                    "https://hooks.example.com/x"])
def test_loopback_client_may_register_a_loopback_receiver(
    base: str, target: str, rsps: responses.RequestsMock
) -> None:
    invo = make_client(secret=CUSTOM_SECRET, base_url=base)
    add_any(rsps, "PUT", json={})
    invo.register_webhook_endpoint(game_id=1, target_url=target)
    assert rsps.calls[0].request.url == base + "/api/dev/webhooks/games/1"
    assert sent_json(rsps.calls[0].request)["target_url"] == target


@pytest.mark.parametrize("target", ["http://hooks.example.com/x", "http://10.0.0.8/x",
                                    "https://169.254.169.254/x"])
def test_loopback_client_still_refuses_other_targets(target: str,
                                                     rsps: responses.RequestsMock) -> None:
    invo = make_client(secret=CUSTOM_SECRET, base_url="http://127.0.0.1:8080")
    with pytest.raises(InvalidInputError):
        invo.register_webhook_endpoint(game_id=1, target_url=target)
    assert len(rsps.calls) == 0


@pytest.mark.parametrize("game_id", [None, "", "  "])
def test_game_id_required(game_id: Any, client: InvoServer,
                          rsps: responses.RequestsMock) -> None:
    with pytest.raises(InvalidInputError):
        client.rotate_webhook_secret(game_id=game_id)
    with pytest.raises(InvalidInputError):
        client.register_webhook_endpoint(game_id=game_id, target_url="https://h.example.com")
    assert len(rsps.calls) == 0


# == over the recording server on 127.0.0.1 ====================================================

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
    assert req.header("X-Game-Secret-Key") == RECORDER_SECRET
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
    invo = InvoServer(RECORDER_SECRET, "https://invo.network", max_retries=0, timeout=0.5)
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
    assert req.header("X-Game-Secret-Key") == RECORDER_SECRET
    assert res.signing_secret == "whsec_2"


def test_production_management_host() -> None:
    invo: Any = InvoServer(RECORDER_SECRET, "https://invo.network")
    assert invo.management_base_url.rstrip("/") == "https://api.invo.network"
