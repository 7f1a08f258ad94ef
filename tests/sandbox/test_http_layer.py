"""The thin HTTP layer: every client route is served, the router, the one-write server."""

from __future__ import annotations

import io
import re
import socket
import threading

import pytest

from invonetwork import _routes
from invonetwork._routes import ALL_ROUTES
from invonetwork.sandbox import Sandbox
from invonetwork.sandbox._http import Endpoint, Router, SandboxApp
from invonetwork.sandbox._messages import Request, Response
from invonetwork.sandbox._server import (
    _BadRequestError,
    keep_alive,
    read_body,
    read_head,
    render,
)

BALANCE = "/api/player-balances/player/by-email/ada%40example.com"  # an authenticated GET


def _filled(path: str) -> str:
    return re.sub(r"\{[a-z_]+\}", "x1", path)


@pytest.fixture(scope="module")
def app() -> SandboxApp:
    return SandboxApp(Sandbox(), threading.Event())


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_every_client_route_has_a_sandbox_handler(app: SandboxApp, route: _routes.Route) -> None:
    found = app.api.match(route.method, _filled(route.path))
    assert not isinstance(found, Response), f"{route.method} {route.path} is not served"
    endpoint, _ = found
    assert endpoint.kind == "api"
    phone_owner_call = route in (_routes.PHONE_SHARE_INITIATE, _routes.PHONE_SHARE_APPROVE,
                                 _routes.PHONE_SHARE_STATUS)
    assert endpoint.authenticated is not phone_owner_call or not route.authenticated
    assert endpoint.authenticated is route.authenticated  # Bearer routes: the handler checks


def test_the_route_list_is_not_empty_and_has_the_named_constants() -> None:
    assert len(ALL_ROUTES) >= 27
    assert _routes.PURCHASE_ITEM in ALL_ROUTES


def test_the_router_answers_404_and_405_with_allow() -> None:
    router = Router()
    ep = Endpoint(lambda request, call: Response(200), "api")
    router.add("GET", "/a/{id}/b", ep)
    router.add("POST", "/a/{id}/b", ep)
    router.add("PUT", "/plain", ep)
    matched = router.match("GET", "/a/x%40y/b")
    assert not isinstance(matched, Response) and matched[1] == ("x@y",)
    missing = router.match("GET", "/nowhere")
    assert isinstance(missing, Response) and missing.status == 404
    wrong = router.match("DELETE", "/a/1/b")
    assert isinstance(wrong, Response) and wrong.status == 405
    assert wrong.headers["Allow"] == "GET, POST"
    assert not isinstance(router.match("PUT", "/plain"), Response)


def test_unauthenticated_routes_need_no_secret(app: SandboxApp) -> None:
    request = Request("GET", "/api/wallet/phone-share/status?phone=%2B15555550100&email=a%40b.c",
                      {"user-agent": "test"})
    assert app.handle(request).status == 200
    secret_route = Request("GET", BALANCE, {"user-agent": "test"})
    assert app.handle(secret_route).status == 401


def test_render_is_one_buffer_with_head_and_body() -> None:
    data = render(Response(201, b'{"a":1}', headers={"X-A": "b"}), close=True, head_only=False)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 201 Created\r\n")
    assert b"Content-Length: 7" in head and b"X-A: b" in head and b"Connection: close" in head
    assert body == b'{"a":1}'
    assert render(Response(200, b"xyz"), close=False, head_only=True).endswith(b"\r\n\r\n")
    empty = render(Response(204, b"ignored"), close=False, head_only=False)
    assert empty.endswith(b"\r\n\r\n") and b"Content-Length" not in empty


def test_read_head_and_body() -> None:
    raw = io.BytesIO(b"\r\nPOST /p?q=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                     b"X-Case: V\r\n\r\nabcrest")
    method, target, version, headers = read_head(raw) or ("", "", "", [])
    assert (method, target, version) == ("POST", "/p?q=1", "HTTP/1.1")
    assert ("X-Case", "V") in headers
    lowered = {k.lower(): v for k, v in headers}
    assert read_body(raw, lowered) == b"abc"
    chunked = io.BytesIO(b"3\r\nabc\r\n2;ext\r\nde\r\n0\r\n\r\n")
    assert read_body(chunked, {"transfer-encoding": "chunked"}) == b"abcde"
    assert read_body(io.BytesIO(b""), {"content-length": "-1"}) is None
    assert read_head(io.BytesIO(b"")) is None


@pytest.mark.parametrize("version,header,expected", [
    ("HTTP/1.1", "", True), ("HTTP/1.1", "close", False),
    ("HTTP/1.0", "", False), ("HTTP/1.0", "keep-alive", True),
])
def test_keep_alive(version: str, header: str, expected: bool) -> None:
    assert keep_alive(version, {"connection": header} if header else {}) is expected


def _exchange(port: int, payload: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(payload)
        chunks = []
        while True:
            data = sock.recv(65536)
            if not data:
                return b"".join(chunks)
            chunks.append(data)


def test_a_garbage_request_line_gets_a_400_and_a_close() -> None:
    with Sandbox() as sb:
        answer = _exchange(sb.port, b"NONSENSE\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in answer


def test_accepted_connections_have_nagle_off() -> None:
    with Sandbox() as sb, socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        sock.sendall(b"GET /__sandbox__/health HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        server = sb._server
        assert server is not None
        accepted = list(server._conns.values())
        assert accepted
        assert all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) for c in accepted)


def test_http_1_0_without_keep_alive_is_closed_after_the_answer() -> None:
    with Sandbox() as sb:
        answer = _exchange(sb.port, b"GET /__sandbox__/health HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"ok": true' in answer


def test_head_answers_carry_no_body() -> None:
    with Sandbox() as sb:
        answer = _exchange(sb.port, b"HEAD /__sandbox__/state HTTP/1.1\r\nHost: x\r\n"
                                    b"Connection: close\r\n\r\n")
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 405") or head.startswith(b"HTTP/1.1 404")
    assert body == b""


def test_a_chunked_request_body_is_read() -> None:
    with Sandbox() as sb:
        body = b'{"seconds": 5}'
        chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
        answer = _exchange(sb.port, b"POST /__sandbox__/clock/advance HTTP/1.1\r\nHost: x\r\n"
                                    b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                    + chunked)
        assert answer.startswith(b"HTTP/1.1 200") and sb.clock_offset == 5


def test_too_large_a_body_is_refused_and_the_connection_closed() -> None:
    with Sandbox() as sb:
        answer = _exchange(sb.port, b"POST /api/x HTTP/1.1\r\nHost: x\r\n"
                                    b"Content-Length: 99999999\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413") and b"Connection: close" in answer


def test_stop_ends_idle_keep_alive_connections_and_joins_their_threads() -> None:
    sb = Sandbox().start()
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as sock:
        sock.sendall(b"GET /__sandbox__/state HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(65536).startswith(b"HTTP/1.1 200")
        server = sb._server
        assert server is not None
        threads = list(server._conns)
        sb.stop()
        assert all(not t.is_alive() for t in threads)
        assert sock.recv(65536) == b""  # the server side is gone


@pytest.mark.parametrize("payload", [
    b"GET / HTTP/2.0\r\n\r\n",
    b"GET /\r\n\r\n",
    b"GET / HTTP/1.1\r\nno colon here\r\n\r\n",
    b"GET / HTTP/1.1\r\n bad: leading space\r\n\r\n",
])
def test_malformed_requests_get_a_400_and_a_close(payload: bytes) -> None:
    with Sandbox() as sb:
        answer = _exchange(sb.port, payload)
    assert answer.startswith(b"HTTP/1.1 400 ") and b"Connection: close" in answer


@pytest.mark.parametrize("payload", [
    b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(120)) + b"\r\n",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
])
def test_oversized_heads_are_refused_by_the_reader(payload: bytes) -> None:
    with pytest.raises(_BadRequestError):
        read_head(io.BytesIO(payload))


def test_stop_interrupts_a_stalled_request() -> None:
    import requests

    sb = Sandbox().start()
    sb.stall_next(1, seconds=30)
    outcome: list[object] = []

    def call() -> None:
        try:
            outcome.append(requests.get(sb.base_url + BALANCE,
                                        headers={"User-Agent": "t"}, timeout=20))
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    assert sb.wait_until(lambda: sb.request_count() == 1, timeout=5)
    sb.stop()
    thread.join(10)
    assert not thread.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], requests.ConnectionError)


def test_answers_carry_a_date_and_the_server_name() -> None:
    data = render(Response(200, b"{}"), close=False, head_only=False).decode("latin-1")
    head = dict(line.split(": ", 1) for line in data.split("\r\n")[1:] if ": " in line)
    assert head["Server"] == "InvoSandbox/1.0" and head["Date"].endswith(" GMT")
    assert re.fullmatch(r"\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT", head["Date"])
    assert "Connection" not in head


def test_header_values_are_trimmed_and_repeated_names_keep_the_last() -> None:
    raw = io.BytesIO(b"GET / HTTP/1.1\r\nX-A:   one  \r\nx-a: two\r\n\r\n")
    _, _, _, headers = read_head(raw) or ("", "", "", [])
    assert headers == [("X-A", "one"), ("x-a", "two")]
    assert {k.lower(): v for k, v in headers} == {"x-a": "two"}


def test_nagle_can_be_turned_off_on_any_socket_without_raising() -> None:
    from invonetwork.sandbox._server import nodelay

    with socket.socket() as sock:
        nodelay(sock)
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    nodelay(sock)  # closed: ignored


@pytest.mark.parametrize("token,expected", [
    ("keep-alive, Upgrade", True), ("Close", False), ("upgrade", True),
])
def test_connection_tokens_are_read_case_blind(token: str, expected: bool) -> None:
    assert keep_alive("HTTP/1.1", {"connection": token}) is expected
