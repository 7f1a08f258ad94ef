"""A local HTTP/1.1 server that misbehaves on command, for the reliability tests.

It speaks just enough HTTP/1.1 by hand (over ``socketserver``) to control every byte and every
way a connection can end: a clean answer, a reset before the request is read, a reset or a
stall half-way through an answer, a body far larger than promised, a redirect, a 429 storm.

Ground rules it keeps:

* binds ``127.0.0.1`` on an ephemeral port; every thread is a daemon;
* every loop is bounded (requests per connection, idle time, stall time, bytes streamed);
* :meth:`FaultServer.stop` ends it: it wakes stalled handlers, shuts every client socket
  and joins the threads, so a test never leaves a thread behind.

What the server saw is the evidence: every request that *arrived* is recorded (for a
request that is reset before being read, what the server peeked at), with the TCP
connection it came on, so tests count attempts from the server's side.

A *fault* is any callable ``fault(conn, request) -> bool``: it answers (or not) on
``conn`` and returns whether the connection may carry another request. Ready-made ones are
built by the functions below (``ok()``, ``reset_before_read()``, ``status(502, ...)`` ...).
The server asks its *plan* (``request -> fault``) which one to use for each request.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import json
import os
import re
import select
import socket
import socketserver
import struct
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = [
    "TOKEN_RE",
    "Conn",
    "CountingListener",
    "FaultServer",
    "Request",
    "body_of",
    "close_after_read",
    "gzip_garbage",
    "huge_chunked",
    "huge_declared",
    "json_body",
    "ok",
    "raw",
    "redirect",
    "reset_after_read",
    "reset_before_read",
    "reset_mid_body",
    "short_body",
    "stall",
    "stall_mid_body",
    "status",
    "success_body",
    "trickle",
]

# Tests put a token like ``tok0123456789abcdef`` in each call; the server finds it anywhere
# in the request (path, query or body) and echoes it back.
TOKEN_RE = re.compile(rb"tok[0-9a-f]{16}")

MAX_REQUEST_BYTES = 256 * 1024
MAX_REQUESTS_PER_CONNECTION = 100_000
IDLE_SECONDS = 20.0
SEND_TIMEOUT = 5.0
STREAM_CAP = 512 * 1024 * 1024  # a "huge" body never streams more than this


@dataclass
class Request:
    """One request as the server saw it."""

    conn_id: int
    method: str
    target: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    token: Optional[str]
    raw: bytes
    read: bool = True  # False when the fault reset the connection before reading it

    @property
    def path(self) -> str:
        return unquote(urlsplit(self.target).path)

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.target).query, keep_blank_values=True))

    def json(self) -> Any:
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class Conn:
    """The server side of one TCP connection, with the primitives faults are made of."""

    def __init__(self, sock: socket.socket, server: FaultServer, conn_id: int) -> None:
        self.sock = sock
        self.server = server
        self.conn_id = conn_id
        self.closed = False
        self.bytes_sent = 0

    def send(self, data: bytes) -> bool:
        """Send bytes; False when the peer is gone (reset, closed, or not reading)."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        self.bytes_sent += len(data)
        return True

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        if self.closed:
            return
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()
        self.closed = True

    def close(self) -> None:
        """End the connection gracefully (FIN)."""
        if self.closed:
            return
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        self.closed = True

    def wait(self, seconds: float) -> None:
        """Sleep up to ``seconds``, or less if the server is stopping."""
        self.server.stopping.wait(seconds)

    def consume(self, nbytes: int) -> None:
        remaining = nbytes
        while remaining > 0:
            chunk = self.sock.recv(min(remaining, 65536))
            if not chunk:
                return
            remaining -= len(chunk)


def _parse(data: bytes) -> Optional[tuple[str, str, dict[str, str], int]]:
    """(method, target, headers, total length) of a complete request in ``data``, else None."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = data[:end].decode("latin-1")
    lines = head.split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        raise ValueError(f"bad request line {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    total = end + 4 + length
    if len(data) < total:
        return None
    return parts[0], parts[1], headers, total


class _Handler(socketserver.BaseRequestHandler):
    server: _TCPServer

    def handle(self) -> None:
        owner = self.server.owner
        sock: socket.socket = self.request
        sock.settimeout(SEND_TIMEOUT)
        conn_id = owner._connection_opened(sock)
        conn = Conn(sock, owner, conn_id)
        try:
            for _ in range(MAX_REQUESTS_PER_CONNECTION):
                request = self._next_request(conn)
                if request is None:
                    return
                fault = owner._fault_for(request)
                if getattr(fault, "before_read", False):
                    request.read = False
                    owner._record(request)
                    fault(conn, request)
                    return
                conn.consume(len(request.raw))
                owner._record(request)
                if not fault(conn, request) or conn.closed:
                    return
        except OSError:
            return
        finally:
            owner._connection_closed(sock)
            if not conn.closed:
                conn.close()

    def _next_request(self, conn: Conn) -> Optional[Request]:
        """Peek (without consuming) until one whole request is buffered; None on EOF/idle."""
        owner = self.server.owner
        deadline = time.monotonic() + IDLE_SECONDS
        while not owner.stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([conn.sock], [], [], 0.2)
            if not readable:
                continue
            data = conn.sock.recv(MAX_REQUEST_BYTES, socket.MSG_PEEK)
            if not data:
                return None
            parsed = _parse(data)
            if parsed is None:
                if len(data) >= MAX_REQUEST_BYTES:
                    return None
                time.sleep(0.001)  # the rest of the request is still on its way
                continue
            method, target, headers, total = parsed
            raw_request = data[:total]
            body = raw_request[total - int(headers.get("content-length", "0") or 0):]
            found = TOKEN_RE.search(raw_request)
            return Request(conn.conn_id, method, target, headers, body,
                           found.group().decode() if found else None, raw_request)
        return None


class _TCPServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256
    owner: FaultServer


Plan = Callable[[Request], Callable[[Conn, Request], bool]]


class FaultServer:
    """A threaded local server; see the module docstring. Use as a context manager."""

    def __init__(self, plan: Optional[Plan] = None) -> None:
        self.plan: Plan = plan or (lambda request: ok())
        self.stopping = threading.Event()
        self.requests: list[Request] = []
        self.connections_accepted = 0
        self.open_connections = 0
        self.peak_open_connections = 0
        self.streamed_bytes: list[int] = []  # per "huge" answer: bytes written before refusal
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._tcp = _TCPServer(("127.0.0.1", 0), _Handler)
        self._tcp.owner = self
        self.port: int = self._tcp.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._tcp.serve_forever, kwargs={"poll_interval": 0.01},
            name=f"faultserver-{self.port}", daemon=True,
        )
        self._thread.start()

    # -- control -----------------------------------------------------------------------------

    def set_plan(self, plan: Plan) -> None:
        self.plan = plan

    def always(self, fault: Callable[[Conn, Request], bool]) -> None:
        """Every request gets ``fault``."""
        self.plan = lambda request: fault

    def script(self, *faults: Callable[[Conn, Request], bool]) -> None:
        """The n-th request gets the n-th fault; later requests get ``ok()``."""
        queue = list(faults)
        lock = threading.Lock()

        def plan(request: Request) -> Callable[[Conn, Request], bool]:
            with lock:
                return queue.pop(0) if queue else ok()

        self.plan = plan

    def reset_log(self) -> None:
        with self._lock:
            self.requests.clear()
            self.connections_accepted = 0
            self.peak_open_connections = self.open_connections

    def count(self, token: Optional[str] = None, path: Optional[str] = None) -> int:
        with self._lock:
            return sum(1 for r in self.requests
                       if (token is None or r.token == token) and (path is None or r.path == path))

    def settled_count(self, token: Optional[str], at_least: int, timeout: float = 5.0) -> int:
        """``count(token)`` once it reaches ``at_least`` (or ``timeout`` passed).

        The client can give up (a timeout) before a starved server thread has even looked at
        the request; every attempt was sent before the call returned, so waiting for the
        count to catch up is safe, and a count above ``at_least`` still shows.
        """
        deadline = time.monotonic() + timeout
        while self.count(token) < at_least and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.count(token)

    def stop(self) -> None:
        self.stopping.set()
        self._tcp.shutdown()
        with self._lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._tcp.server_close()  # joins the handler threads (block_on_close)
        self._thread.join(5)

    def __enter__(self) -> FaultServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- called by handlers -----------------------------------------------------------------

    def _fault_for(self, request: Request) -> Callable[[Conn, Request], bool]:
        return self.plan(request)

    def _record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    def _streamed(self, nbytes: int) -> None:
        with self._lock:
            self.streamed_bytes.append(nbytes)

    def _connection_opened(self, sock: socket.socket) -> int:
        with self._lock:
            self.connections_accepted += 1
            self.open_connections += 1
            self.peak_open_connections = max(self.peak_open_connections, self.open_connections)
            self._sockets.add(sock)
            return self.connections_accepted

    def _connection_closed(self, sock: socket.socket) -> None:
        with self._lock:
            self.open_connections -= 1
            self._sockets.discard(sock)


class CountingListener:
    """A socket that only counts connections and bytes, answering nothing (a redirect target).

    Anything it receives is evidence that something went where it must not.
    """

    def __init__(self) -> None:
        self.stopping = threading.Event()
        self.connections = 0
        self.received = b""
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.01)
        self.port: int = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name=f"listener-{self.port}")
        self._thread.start()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            client.settimeout(0.5)
            try:
                self.received += client.recv(65536)
            except OSError:
                pass
            finally:
                client.close()

    def settled_count(self, token: Optional[str], at_least: int, timeout: float = 5.0) -> int:
        """``count(token)`` once it reaches ``at_least`` (or ``timeout`` passed).

        The client can give up (a timeout) before a starved server thread has even looked at
        the request; every attempt was sent before the call returned, so waiting for the
        count to catch up is safe, and a count above ``at_least`` still shows.
        """
        deadline = time.monotonic() + timeout
        while self.count(token) < at_least and time.monotonic() < deadline:
            time.sleep(0.01)
        return self.count(token)

    def stop(self) -> None:
        self.stopping.set()
        self._thread.join(5)
        self._sock.close()

    def __enter__(self) -> CountingListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# -- building answers ------------------------------------------------------------------------

_REASONS = {200: "OK", 201: "Created", 202: "Accepted", 204: "No Content", 301: "Moved",
            302: "Found", 307: "Temporary Redirect", 308: "Permanent Redirect",
            400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict",
            429: "Too Many Requests", 500: "Internal Server Error", 502: "Bad Gateway",
            503: "Service Unavailable", 504: "Gateway Timeout"}


def head(code: int, headers: Iterable[tuple[str, str]] = ()) -> bytes:
    lines = [f"HTTP/1.1 {code} {_REASONS.get(code, 'Whatever')}"]
    lines += [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def success_body(request: Request) -> dict[str, Any]:
    """A 200 body that satisfies every result class and echoes the request's token."""
    token = request.token or "none"
    return {
        "echo": token,
        "token": f"pt_{token}",
        "checkout_url": f"https://checkout.invo.network/{token}",
        "session_id": f"cs_{token}",
        "transaction_id": f"txn_{token}",
        "order_id": f"ord_{token}",
        "signing_secret": f"whsec_{token}",
        "status": "success",
        "item_purchase_history": [{"echo": token}],
        "change_request_id": f"pcr_{token}",
        "activity": [{"echo": token}],
        "pagination": {"total": 1},
        "device_code": f"dc_{token}",
        "verification_uri_complete": f"https://invo.network/device?user_code={token}",
        "total_usd": "1.00",  # quote_currency_purchase
    }


def body_of(payload: Any) -> bytes:
    return json.dumps(payload).encode()


def _answer(conn: Conn, code: int, body: bytes, headers: Iterable[tuple[str, str]],
            keep_alive: bool = True) -> bool:
    all_headers = [("Content-Length", str(len(body))), *headers]
    if not keep_alive:
        all_headers.append(("Connection", "close"))
    sent = conn.send(head(code, all_headers) + body)
    return sent and keep_alive


Fault = Callable[[Conn, Request], bool]


def ok(body: Optional[Callable[[Request], Any]] = None,
       headers: Iterable[tuple[str, str]] = ()) -> Fault:
    """A 200 JSON answer (by default :func:`success_body`)."""
    make = body or success_body
    extra = list(headers)

    def fault(conn: Conn, request: Request) -> bool:
        return _answer(conn, 200, body_of(make(request)),
                       [("Content-Type", "application/json"),
                        ("x-invo-request-id", f"req_{request.token}"), *extra])

    return fault


def json_body(code: int, payload: Any, headers: Iterable[tuple[str, str]] = ()) -> Fault:
    """Any status with a JSON body (the same for every request)."""
    extra = list(headers)

    def fault(conn: Conn, request: Request) -> bool:
        return _answer(conn, code, body_of(payload),
                       [("Content-Type", "application/json"),
                        ("x-invo-request-id", f"req_{request.token}"), *extra])

    return fault


def status(code: int, body: bytes = b"", content_type: str = "text/html",
           headers: Iterable[tuple[str, str]] = (), request_id: bool = True) -> Fault:
    """Any status with raw body bytes."""
    extra = list(headers)

    def fault(conn: Conn, request: Request) -> bool:
        hs = [("Content-Type", content_type), *extra]
        if request_id:
            hs.append(("x-request-id", f"req_{request.token}"))
        return _answer(conn, code, body, hs)

    return fault


def raw(data: bytes, then_close: bool = True) -> Fault:
    """Write ``data`` verbatim (any bytes at all), then close."""

    def fault(conn: Conn, request: Request) -> bool:
        conn.send(data)
        if then_close:
            conn.close()
        return not then_close

    return fault


def reset_before_read() -> Fault:
    """RST the connection with the request still unread in the socket."""

    def fault(conn: Conn, request: Request) -> bool:
        conn.reset()
        return False

    fault.before_read = True  # type: ignore[attr-defined]
    return fault


def reset_after_read() -> Fault:
    """Read the request, then RST without a byte of answer."""

    def fault(conn: Conn, request: Request) -> bool:
        conn.reset()
        return False

    return fault


def close_after_read() -> Fault:
    """Read the request, then close cleanly (FIN) without answering."""

    def fault(conn: Conn, request: Request) -> bool:
        conn.close()
        return False

    return fault


def _half_answer(conn: Conn, request: Request) -> None:
    body = body_of(success_body(request)) + b" " * 4096
    conn.send(head(200, [("Content-Type", "application/json"),
                         ("Content-Length", str(len(body)))]) + body[: len(body) // 2])


def reset_mid_body() -> Fault:
    """Send the headers and half of the body, then RST."""

    def fault(conn: Conn, request: Request) -> bool:
        _half_answer(conn, request)
        time.sleep(0.01)
        conn.reset()
        return False

    return fault


def short_body() -> Fault:
    """Promise more body than is sent, then close cleanly (an incomplete read)."""

    def fault(conn: Conn, request: Request) -> bool:
        _half_answer(conn, request)
        conn.close()
        return False

    return fault


def stall(seconds: float) -> Fault:
    """Read the request and say nothing for ``seconds``, then close."""

    def fault(conn: Conn, request: Request) -> bool:
        conn.wait(seconds)
        conn.close()
        return False

    return fault


def stall_mid_body(seconds: float) -> Fault:
    """Send the headers and half the body, then say nothing for ``seconds``, then close."""

    def fault(conn: Conn, request: Request) -> bool:
        _half_answer(conn, request)
        conn.wait(seconds)
        conn.close()
        return False

    return fault


def trickle(interval: float, nbytes: int) -> Fault:
    """Answer 200 with a body sent one byte per ``interval`` (at most ``nbytes`` of it)."""

    def fault(conn: Conn, request: Request) -> bool:
        body = body_of(success_body(request)).ljust(nbytes, b" ")
        if not conn.send(head(200, [("Content-Length", str(len(body)))])):
            return False
        for i in range(min(nbytes, len(body))):
            if conn.server.stopping.is_set() or not conn.send(body[i:i + 1]):
                return False
            conn.wait(interval)
        return True

    return fault


def gzip_garbage(code: int = 200) -> Fault:
    """A body declared ``Content-Encoding: gzip`` that is not gzip."""

    def fault(conn: Conn, request: Request) -> bool:
        junk = b"\x1f\x8b\x08\x00garbage" + os.urandom(200)
        return _answer(conn, code, junk, [("Content-Type", "application/json"),
                                          ("Content-Encoding", "gzip"),
                                          ("x-request-id", f"req_{request.token}")])

    return fault


@functools.lru_cache(maxsize=4)
def _bomb(decompressed: int) -> bytes:
    return gzip.compress(b"{" + b" " * decompressed + b"}", compresslevel=9)


def gzip_bomb(decompressed: int) -> Fault:
    """A small gzip body that inflates to ``decompressed`` bytes of JSON-ish whitespace."""
    payload = _bomb(decompressed)

    def fault(conn: Conn, request: Request) -> bool:
        return _answer(conn, 200, payload, [("Content-Type", "application/json"),
                                            ("Content-Encoding", "gzip")])

    return fault


def _stream_until_refused(conn: Conn, chunk: bytes, framing: Callable[[bytes], bytes]) -> None:
    sent = 0
    while sent < STREAM_CAP and not conn.server.stopping.is_set():
        if not conn.send(framing(chunk)):
            break
        sent += len(chunk)
    conn.server._streamed(sent)


def huge_declared(declared: int = 10 * 1024**3, code: int = 200,
                  headers: Iterable[tuple[str, str]] = ()) -> Fault:
    """Declare a ``Content-Length`` of ``declared`` bytes and stream until the client hangs up."""
    extra = list(headers)

    def fault(conn: Conn, request: Request) -> bool:
        conn.send(head(code, [("Content-Type", "application/json"),
                              ("Content-Length", str(declared)),
                              ("x-request-id", f"req_{request.token}"), *extra]))
        _stream_until_refused(conn, b" " * 65536, lambda c: c)
        conn.close()
        return False

    return fault


def huge_chunked(code: int = 200, headers: Iterable[tuple[str, str]] = ()) -> Fault:
    """A chunked body with no declared size that never ends (until the client hangs up)."""
    extra = list(headers)

    def fault(conn: Conn, request: Request) -> bool:
        conn.send(head(code, [("Content-Type", "application/json"),
                              ("Transfer-Encoding", "chunked"),
                              ("x-request-id", f"req_{request.token}"), *extra]))
        _stream_until_refused(conn, b" " * 65536, lambda c: b"%x\r\n%s\r\n" % (len(c), c))
        conn.close()
        return False

    return fault


def redirect(location: str, code: int = 302) -> Fault:
    """A 3xx pointing at ``location`` (plus the request's path)."""

    def fault(conn: Conn, request: Request) -> bool:
        return _answer(conn, code, b"", [("Location", location + request.target),
                                         ("x-invo-request-id", f"req_{request.token}")])

    return fault


def echo_headers(code: int, as_json: bool = True) -> Fault:
    """An error answer whose body (and request id) repeats every request header back."""

    def fault(conn: Conn, request: Request) -> bool:
        if as_json:
            payload: Mapping[str, Any] = {"error": f"denied; you sent {request.headers}",
                                          "headers": request.headers,
                                          "raw": request.raw.decode("latin-1")}
            return _answer(conn, code, body_of(payload),
                           [("Content-Type", "application/json"),
                            ("x-request-id", request.headers.get("x-game-secret-key", "-"))])
        text = f"<html>denied: {request.raw.decode('latin-1')}</html>".encode()
        return _answer(conn, code, text, [("Content-Type", "text/html")])

    return fault
