"""What a failure tells the caller: sent or not, the answer's headers, the wait INVO asked for.

Against the real recording server on 127.0.0.1 (and a port nothing listens on).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests.adapters

from invonetwork import Hooks, InvoServer
from invonetwork.errors import (
    APIError,
    ConfigurationError,
    InvoError,
    MaybeSentError,
    NetworkError,
    NotSentError,
    RateLimitError,
    ReadTimeoutError,
    RequestTimeoutError,
)

from .conftest import SECRET, Recorder


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


def checkout(invo: InvoServer) -> Any:
    return invo.create_checkout(player_email="p@example.com", usd_amount="5.00")


# -- never sent / maybe sent ----------------------------------------------------------------


def test_refused_connection_is_not_sent_and_names_the_host(closed_port: int) -> None:
    invo = InvoServer(SECRET, f"http://127.0.0.1:{closed_port}", max_retries=0)
    with pytest.raises(NotSentError) as info:
        checkout(invo)
    err = info.value
    assert isinstance(err, NetworkError) and not isinstance(err, MaybeSentError)
    assert err.code == "NETWORK_ERROR" and err.status == 0
    assert f"127.0.0.1:{closed_port}" in err.message and "refused" in err.message
    assert "sandbox" in err.message
    for noise in ("HTTPConnectionPool", "Max retries", "/api/checkout", "object at 0x"):
        assert noise not in err.message


def test_refused_connection_on_a_read_is_retried(closed_port: int) -> None:
    seen: list[bool] = []
    invo = InvoServer(SECRET, f"http://127.0.0.1:{closed_port}", max_retries=2,
                      retry_base_delay=0, hooks=Hooks(on_error=lambda e: seen.append(e.will_retry)))
    with pytest.raises(NotSentError):
        invo.get_send_status("t")
    assert seen == [True, True, False]


def test_connection_dropped_after_the_request_is_maybe_sent(srv: Recorder) -> None:
    srv.reply(drop=True)
    with pytest.raises(MaybeSentError) as info:
        checkout(srv.client())
    assert not isinstance(info.value, NotSentError)
    assert info.value.code == "NETWORK_ERROR"
    assert len(srv.requests) == 1  # it did arrive: a charge may have happened


def test_read_timeout_is_maybe_sent_and_a_timeout(srv: Recorder) -> None:
    srv.reply(200, {"checkout_url": "https://c"}, delay=0.6)
    with pytest.raises(ReadTimeoutError) as info:
        checkout(srv.client(timeout=(2.0, 0.2)))
    assert isinstance(info.value, MaybeSentError) and isinstance(info.value, RequestTimeoutError)
    assert info.value.code == "TIMEOUT"
    assert len(srv.requests) == 1


def test_a_dropped_read_is_retried_and_succeeds(srv: Recorder) -> None:
    srv.reply(drop=True).reply(200, {"status": "success"})
    result = srv.client().get_send_status("t")
    assert result.raw == {"status": "success"} and len(srv.requests) == 2


# -- the transport translates only failures of the exchange ----------------------------------


class _BrokenAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc
        self.calls = 0

    def send(self, *args: Any, **kwargs: Any) -> requests.Response:
        self.calls += 1
        raise self.exc


@pytest.mark.parametrize("exc", [TypeError("a bug"), ValueError("a bare ValueError"),
                                 KeyError("k")], ids=repr)
def test_a_programming_error_is_not_a_network_error(srv: Recorder, exc: Exception) -> None:
    session = requests.Session()
    adapter = _BrokenAdapter(exc)
    session.mount("http://", adapter)
    invo = InvoServer(SECRET, srv.url, session=session, max_retries=3, retry_base_delay=0)
    with pytest.raises(type(exc)) as info:
        invo.get_send_status("t")
    assert not isinstance(info.value, InvoError)
    assert adapter.calls == 1  # not retried


def test_a_broken_hook_neither_fails_nor_repeats_the_call(srv: Recorder) -> None:
    def broken(_info: Any) -> None:
        raise TypeError("hook bug")

    srv.reply(200, {"status": "success"})
    invo = srv.client(hooks=Hooks(on_request=broken, on_response=broken, on_error=broken))
    assert invo.get_send_status("t").raw == {"status": "success"}
    assert len(srv.requests) == 1


# -- headers and Retry-After -----------------------------------------------------------------


def test_429_retry_after_header_without_a_body_value(srv: Recorder) -> None:
    srv.reply(429, {"error": "slow down"}, headers={"Retry-After": "60"})
    with pytest.raises(RateLimitError) as info:
        srv.client().get_send_status("t")
    err = info.value
    assert err.retry_after == 60.0 and err.retry_after_header == "60"
    assert len(srv.requests) == 1  # 60 s is over the 20 s cap: raised at once


def test_429_header_wait_is_honoured_when_short(srv: Recorder) -> None:
    srv.reply(429, b"", headers={"Retry-After": "0"}).reply(200, {"status": "ok"})
    assert srv.client().get_send_status("t").raw == {"status": "ok"}
    assert len(srv.requests) == 2


def test_api_error_keeps_headers_without_secrets(srv: Recorder) -> None:
    srv.reply(404, {"error": "nope"}, headers={
        "X-Invo-Request-Id": "req-9", "Set-Cookie": "session=abc", "X-Echo": f"k={SECRET}",
        "X-Game-Secret-Key": SECRET})
    with pytest.raises(APIError) as info:
        srv.client().get_send_status("t")
    headers = info.value.headers
    assert headers["x-invo-request-id"] == "req-9"
    assert headers["content-type"] == "application/json"
    assert "set-cookie" not in headers and "x-game-secret-key" not in headers
    assert SECRET not in repr(headers) and headers["x-echo"] == "k=[redacted]"
    assert "x-echo" not in repr(info.value)  # repr shows class, status, code, id only


# -- configuration errors are InvoErrors --------------------------------------------------------


@pytest.mark.parametrize(("args", "kwargs"), [
    (("",), {}), ((SECRET, "ftp://x"), {}), ((SECRET, "http://example.com"), {}),
    ((SECRET, "http://127.0.0.1:1"), {"timeout": 0}),
    ((SECRET, "http://127.0.0.1:1"), {"max_retries": -1}),
    ((SECRET, "http://127.0.0.1:1"), {"pool_size": 0}),
    ((SECRET, "http://127.0.0.1:1"), {"hooks": object()}),
    (("bad\nsecret", "http://127.0.0.1:1"), {}),
], ids=repr)
def test_configuration_errors_are_invo_errors_and_value_errors(args: Any, kwargs: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        InvoServer(*args, **kwargs)
    err = info.value
    assert isinstance(err, InvoError) and isinstance(err, ValueError)
    assert err.code == "INVALID_CONFIGURATION" and err.status == 0


def test_from_env_without_secret_is_a_configuration_error(monkeypatch: Any) -> None:
    monkeypatch.delenv("INVO_GAME_SECRET", raising=False)
    with pytest.raises(ConfigurationError):
        InvoServer.from_env()


# -- with_options keeps the class --------------------------------------------------------------


class GameClient(InvoServer):
    def balance_of_ada(self) -> Any:
        return self.get_player_balance(player_email="ada@example.com")


def test_with_options_of_a_subclass_is_the_subclass(srv: Recorder) -> None:
    client = GameClient(SECRET, srv.url, retry_base_delay=0)
    view = client.with_options(timeout=3, max_retries=0)
    assert type(view) is GameClient
    srv.reply(503, b"")
    with pytest.raises(APIError):
        view.balance_of_ada()
    assert len(srv.requests) == 1  # the view's max_retries=0
    srv.reply(200, {"balances": []})
    assert view.balance_of_ada().balances == []
    client.close()
    assert view.closed  # closed with the original
