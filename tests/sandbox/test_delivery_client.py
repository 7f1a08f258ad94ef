"""The delivery side: kept-alive connections with Nagle off, and a stale one replaced."""

from __future__ import annotations

import http.client
import socket
import threading

from invonetwork.sandbox import WebhookReceiver
from invonetwork.webhooks._delivery import DeliveryClient, build_delivery, event_body


def _delivery() -> object:
    return build_delivery(event_body("webhook.test", {"message": "hi"}), secrets=["s"],
                          timestamp=1)


def test_posts_to_one_receiver_share_one_nodelay_connection() -> None:
    client = DeliveryClient(user_agent="test/1")
    with WebhookReceiver() as rx:
        for _ in range(3):
            status, error = client.post(rx.url, _delivery())  # type: ignore[arg-type]
            assert (status, error) == (200, None)
        assert len(client._conns) == 1
        (conn,) = client._conns.values()
        assert conn.sock is not None
        assert conn.sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
        server = rx._server
        assert server is not None and len(server._conns) == 1  # one accepted connection
        assert all(c.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
                   for c in server._conns.values())
        assert {r.header("User-Agent") for r in rx.received} == {"test/1"}
    client.close()
    assert client._conns == {}


def _read_request(conn: socket.socket) -> bytes:
    """One whole request (head and Content-Length body), or b"" when the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return b""
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += conn.recv(65536)
    return data


def _one_answer_per_connection(listener: socket.socket, connections: int) -> None:
    """Answer one request on each connection, then hang up without saying so."""
    for _ in range(connections):
        conn, _ = listener.accept()
        with conn:
            _read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")


def test_a_connection_the_receiver_dropped_is_replaced_once() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    server = threading.Thread(target=_one_answer_per_connection, args=(listener, 2), daemon=True)
    server.start()
    client = DeliveryClient(user_agent="test/1", timeout=5)
    try:
        url = f"http://127.0.0.1:{port}/hooks"
        assert client.post(url, _delivery()) == (200, None)  # type: ignore[arg-type]
        assert client.post(url, _delivery()) == (200, None)  # type: ignore[arg-type]
    finally:
        client.close()
        server.join(10)
        listener.close()
    assert not server.is_alive()


def test_failures_are_reported_not_raised() -> None:
    client = DeliveryClient(user_agent="test/1", timeout=2)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    status, error = client.post(f"http://127.0.0.1:{port}/x", _delivery())  # type: ignore[arg-type]
    assert status is None and error and "Refused" in error
    assert client.post("http://127.0.0.1:notaport/x", _delivery())[0] is None  # type: ignore[arg-type]
    with WebhookReceiver(statuses=[503]) as rx:
        assert client.post(rx.url, _delivery()) == (503, "HTTP 503")  # type: ignore[arg-type]
    client.close()


def _scripted_server(answers: list[bytes]) -> tuple[socket.socket, threading.Thread, list[int]]:
    """A server answering each request with the next raw answer; counts connections."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(10)
    connections: list[int] = []

    def serve() -> None:
        pending = list(answers)
        while pending:
            conn, _ = listener.accept()
            connections.append(1)
            with conn:
                while pending:
                    if not _read_request(conn):
                        break
                    answer = pending.pop(0)
                    conn.sendall(answer)
                    if b"Connection: close" in answer or len(answer) > 65536:
                        break

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    return listener, thread, connections


def test_a_receiver_that_says_close_gets_a_new_connection_next_time() -> None:
    ok_close = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ok_keep = b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n"
    listener, thread, connections = _scripted_server([ok_close, ok_keep, ok_keep])
    client = DeliveryClient(user_agent="t", timeout=5)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/h"
    try:
        assert client.post(url, _delivery())[0] == 200  # type: ignore[arg-type]
        assert client._conns == {}  # closed as asked
        assert client.post(url, _delivery())[0] == 202  # type: ignore[arg-type]
        assert client.post(url, _delivery())[0] == 202  # type: ignore[arg-type]
        assert len(client._conns) == 1
    finally:
        client.close()
        thread.join(10)
        listener.close()
    assert len(connections) == 2


def test_an_oversized_answer_is_read_partly_and_its_connection_dropped() -> None:
    big = b"x" * 100_000
    answer = b"HTTP/1.1 500 Oops\r\nContent-Length: %d\r\n\r\n%s" % (len(big), big)
    listener, thread, _ = _scripted_server([answer])
    client = DeliveryClient(user_agent="t", timeout=5)
    try:
        status, error = client.post(  # type: ignore[arg-type]
            f"http://127.0.0.1:{listener.getsockname()[1]}/h", _delivery())
        assert (status, error) == (500, "HTTP 500") and client._conns == {}
    finally:
        client.close()
        thread.join(10)
        listener.close()


def test_a_request_leaves_in_one_write() -> None:
    from invonetwork.webhooks._delivery import _HTTP

    class Recorder:
        def __init__(self) -> None:
            self.writes: list[bytes] = []

        def sendall(self, data: bytes) -> None:
            self.writes.append(bytes(data))

    conn = _HTTP("127.0.0.1", 9)
    recorder = Recorder()
    conn.sock = recorder  # type: ignore[assignment]
    conn.request_in_one_write("POST", "/hooks", b'{"a":1}', {"X-Test": "1"})
    (write,) = recorder.writes
    assert write.startswith(b"POST /hooks HTTP/1.1\r\n") and write.endswith(b'\r\n\r\n{"a":1}')
    assert b"X-Test: 1" in write and b"Content-Length: 7" in write
    plain = http.client.HTTPConnection("127.0.0.1", 9)
    plain.sock = Recorder()  # type: ignore[assignment]
    plain.request("POST", "/hooks", body=b'{"a":1}')
    assert len(plain.sock.writes) == 2  # type: ignore[attr-defined]  # why the subclass exists
