"""Regression tests for transport defects found by the reliability work, and the environment
rules (what the SDK takes from the environment, and what it ignores).

Each test names the defect it guards; see docs/reliability.md for the list.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import faultserver as fs
import pytest
from method_cases import new_token
from reliability_config import SECRET

from invonetwork import InvoServer
from invonetwork.errors import InvalidInputError, InvalidResponseError, NetworkError


def _send(client: InvoServer, amount: Any, token: str) -> Any:
    return client.initiate_send(
        client_request_id=token, sender_player_name="Ann", sender_player_email="a@x.example",
        sender_player_phone="+15555550100", receiver_player_email="b@x.example",
        receiver_player_phone="+15555550101", receiving_game_id=1, amount=amount)


@pytest.mark.parametrize("amount", [math.nan, math.inf, -math.inf])
def test_non_finite_forwarded_amount_is_invalid_input_not_bad_json(
        server: fs.FaultServer, make_client: Any, amount: float) -> None:
    """Was: json.dumps wrote ``NaN`` (not JSON) on the wire."""
    client = make_client(server.url)
    with pytest.raises(InvalidInputError) as info:
        _send(client, amount, new_token())
    assert info.value.code == "INVALID_INPUT"
    assert server.count() == 0


def test_nan_inside_metadata_is_invalid_input(server: fs.FaultServer,
                                              make_client: Any) -> None:
    client = make_client(server.url)
    with pytest.raises(InvalidInputError):
        client.create_checkout(player_email="a@x.example", usd_amount="1",
                               metadata={"score": math.nan})
    assert server.count() == 0


def test_absurdly_deep_metadata_is_invalid_input(server: fs.FaultServer,
                                                 make_client: Any) -> None:
    """Was: a bare RecursionError escaped from json.dumps."""
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(50_000):
        node["a"] = {}
        node = node["a"]
    client = make_client(server.url)
    with pytest.raises(InvalidInputError):
        client.create_checkout(player_email="a@x.example", usd_amount="1", metadata=deep)
    assert server.count() == 0


@pytest.mark.parametrize("body", [b"[" * 100_000 + b"]" * 100_000,
                                  b'{"a":' * 50_000 + b"1" + b"}" * 50_000])
@pytest.mark.parametrize("code", [200, 500])
def test_absurdly_deep_json_answer_is_typed(server: fs.FaultServer, make_client: Any,
                                            body: bytes, code: int) -> None:
    """Was: json.loads raised a bare RecursionError."""
    server.always(fs.status(code, body, "application/json"))
    client = make_client(server.url, max_retries=0)
    with pytest.raises(InvalidResponseError if code == 200 else Exception) as info:
        client.get_send_status(new_token())
    assert type(info.value).__module__ == "invonetwork.errors"
    assert info.value.status in (0, 500)


@pytest.mark.parametrize("bad", ["qz7\n", " qz7", "qz7 ", "q\x00z", "q\u20acz", "q\r\nX: y"])
def test_secret_that_cannot_be_a_header_is_refused_at_construction(bad: str) -> None:
    """Was: accepted, then every call failed as a (retried) NETWORK_ERROR, or a NUL was sent."""
    with pytest.raises(ValueError) as info:
        InvoServer(bad, "http://127.0.0.1:9")
    assert bad.strip() not in str(info.value)


def test_linked_identities_404_with_html_is_not_found(server: fs.FaultServer,
                                                      make_client: Any) -> None:
    """A 404 is an answer for this call; a proxy's HTML 404 page must not make it an error."""
    server.always(fs.status(404, b"<html>Not Found</html>"))
    result = make_client(server.url).get_linked_identities(player_email="a@x.example")
    assert result.not_found is True


def test_echoed_secret_is_scrubbed_from_answers(server: fs.FaultServer,
                                                make_client: Any) -> None:
    def echo(request: fs.Request) -> Any:
        body = fs.success_body(request)
        body["seen"] = {"x-game-secret-key": request.headers.get("x-game-secret-key"),
                        request.headers.get("x-game-secret-key", ""): "as a key"}
        return body

    server.always(fs.ok(echo, headers=[("x-invo-request-id", SECRET)]))
    client = make_client(server.url)
    token = new_token()
    result = client.get_transfer_status(token)
    assert SECRET not in json.dumps(result.raw)
    assert result.raw["seen"]["x-game-secret-key"] == "[redacted]"
    assert result.raw["echo"] == token  # the rest of the answer is untouched


def test_netrc_is_ignored(server: fs.FaultServer, make_client: Any, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch) -> None:
    """requests with trust_env would add ``Authorization: Basic`` from a netrc default entry."""
    netrc = tmp_path / ".netrc"
    netrc.write_text("default login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    make_client(server.url).get_send_status(new_token())
    (request,) = server.requests
    assert "authorization" not in request.headers
    assert "cookie" not in request.headers


def test_proxy_variables_are_read_once_per_origin(server: fs.FaultServer, make_client: Any,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set in the environment is used; changing the variable later changes nothing."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                 "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    with fs.CountingListener() as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.setenv("http_proxy", proxy.url)
        client = make_client(server.url, max_retries=0, timeout=(1.0, 0.5))
        with pytest.raises(NetworkError):
            client.get_send_status(new_token())
        monkeypatch.delenv("HTTP_PROXY")
        monkeypatch.delenv("http_proxy")
        with pytest.raises(NetworkError):
            client.get_send_status(new_token())
        assert proxy.connections == 2
    assert server.count() == 0
    # A new client reads the (now empty) environment afresh and goes direct.
    token = new_token()
    assert make_client(server.url).get_send_status(token).raw["echo"] == token


def test_cookies_are_never_kept(server: fs.FaultServer, make_client: Any) -> None:
    server.always(fs.ok(headers=[("Set-Cookie", "session=abc; Path=/")]))
    client = make_client(server.url)
    client.get_send_status(new_token())
    client.get_send_status(new_token())
    assert all("cookie" not in r.headers for r in server.requests)
