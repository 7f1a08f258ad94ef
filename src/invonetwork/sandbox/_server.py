"""The HTTP/1.1 server under the sandbox: one listening socket on 127.0.0.1.

One daemon thread accepts; one daemon thread per connection reads HTTP/1.1 requests with a
small line reader (keep-alive honoured, chunked bodies read, idle connections closed after
``IDLE_TIMEOUT`` seconds). Each answer leaves in ONE write, on a socket with
``TCP_NODELAY``: written as two small segments (head, then body), Nagle's algorithm would
hold the second until the client's delayed ACK, about 40 ms per answer. The webhook
receiver serves through the same :class:`SandboxHTTPServer`.

:meth:`SandboxHTTPServer.close` wakes the accept loop at once through a socket pair (no
polling interval to wait out), shuts every connection down, and joins the threads with a
deadline, so a test's sandbox never outlives the test.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import sys
import threading
import time
from http import HTTPStatus
from typing import Any, Optional, Protocol

from ._messages import Request, Response, json_response

__all__ = ["SandboxHTTPServer", "nodelay"]

IDLE_TIMEOUT = 30.0
LINGER_SECONDS = 0.05
MAX_BODY = 1024 * 1024


class App(Protocol):
    """What the server serves: one parsed request in, one answer out (never raises)."""

    def handle(self, request: Request) -> Response:
        """Answer ``request``."""
        ...


def nodelay(sock: socket.socket) -> None:
    """Turn Nagle's algorithm off on ``sock`` (best effort)."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def read_chunked(rfile: Any, limit: int) -> Optional[bytes]:
    """A chunked request body, or ``None`` when malformed or over ``limit`` bytes."""
    chunks: list[bytes] = []
    total = 0
    while True:
        size_line = rfile.readline(1024)
        try:
            size = int(size_line.split(b";")[0].strip() or b"0", 16)
        except ValueError:
            return None
        if size == 0:
            while rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                pass
            return b"".join(chunks)
        total += size
        if total > limit:
            return None
        chunks.append(rfile.read(size))
        rfile.readline(1024)


def render(response: Response, *, close: bool, head_only: bool) -> bytes:
    """The whole answer (status line, headers, body) as one byte string.

    204, 304 and 1xx answers carry no body and no ``Content-Length`` (RFC 9110).
    """
    reason = _REASONS.get(response.status, "")
    bodiless = response.status in (204, 304) or 100 <= response.status < 200
    lines = [
        f"HTTP/1.1 {response.status} {reason}",
        "Server: InvoSandbox/1.0",
        f"Date: {time.strftime('%a, %d %b %Y %H:%M:%S GMT', time.gmtime())}",
    ]
    if not bodiless:
        lines.append(f"Content-Type: {response.content_type}")
        lines.append(f"Content-Length: {len(response.body)}")
    lines.extend(f"{name}: {value}" for name, value in response.headers.items())
    if close:
        lines.append("Connection: close")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    return head if head_only or bodiless else head + response.body


_REASONS = {status.value: status.phrase for status in HTTPStatus}
_MAX_LINE = 65536
_MAX_HEADERS = 100


class _BadRequestError(Exception):
    """The bytes on the connection are not an HTTP/1.x request."""


def read_head(rfile: Any) -> Optional[tuple[str, str, str, list[tuple[str, str]]]]:
    """``(method, target, version, headers)`` of the next request; ``None`` at end of stream.

    Header names keep their case; the caller lower-cases them for look-ups.
    """
    line = rfile.readline(_MAX_LINE + 1)
    while line in (b"\r\n", b"\n"):  # tolerate blank lines between requests
        line = rfile.readline(_MAX_LINE + 1)
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3 or not parts[2].startswith("HTTP/1.") or len(line) > _MAX_LINE:
        raise _BadRequestError("malformed request line")
    headers: list[tuple[str, str]] = []
    for _ in range(_MAX_HEADERS + 1):
        raw = rfile.readline(_MAX_LINE + 1)
        if raw in (b"\r\n", b"\n", b""):
            return parts[0].upper(), parts[1], parts[2], headers
        name, sep, value = raw.decode("latin-1").partition(":")
        if not sep or not name.strip() or name != name.strip():
            raise _BadRequestError("malformed header line")
        headers.append((name, value.strip()))
    raise _BadRequestError("too many headers")


def read_body(rfile: Any, headers: dict[str, str]) -> Optional[bytes]:
    """The request body, or ``None`` when malformed or over ``MAX_BODY``."""
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return read_chunked(rfile, MAX_BODY)
    try:
        length = int(headers.get("content-length") or 0)
    except ValueError:
        return None
    if length < 0 or length > MAX_BODY:
        return None
    return rfile.read(length) if length else b""


def keep_alive(version: str, headers: dict[str, str]) -> bool:
    """Whether the client wants the connection kept open after this request."""
    token = headers.get("connection", "").lower()
    if version == "HTTP/1.0":
        return "keep-alive" in token
    return "close" not in token


class Connection:
    """Serves the requests of one accepted socket, one answer per write, until it closes."""

    def __init__(self, sock: socket.socket, app: App, verbose: bool) -> None:
        self.sock = sock
        self.app = app
        self.verbose = verbose
        sock.settimeout(IDLE_TIMEOUT)
        nodelay(sock)
        self.rfile = sock.makefile("rb")

    def serve(self) -> None:
        """Answer requests until the client closes, asks to close, or goes idle."""
        try:
            while self.serve_one():
                pass
            self.linger()
        except (OSError, ValueError):
            pass  # idle timeout, reset by the peer, or close() shut the socket down
        finally:
            self.rfile.close()

    def linger(self) -> None:
        """Send FIN, then read and drop what the client still sends, briefly.

        Closing a socket with unread input makes the kernel answer with a reset, which can
        destroy the answer just sent before the client reads it (a 400 or 413 sent while the
        client is still writing). Bounded: 50 ms and 256 KiB at most.
        """
        self.sock.shutdown(socket.SHUT_WR)
        self.sock.settimeout(LINGER_SECONDS)
        for _ in range(4):
            if not self.sock.recv(65536):
                return

    def serve_one(self) -> bool:
        """Answer one request; False when the connection must end."""
        try:
            head = read_head(self.rfile)
        except _BadRequestError as exc:
            self.send(json_response(400, {"error": str(exc), "code": "BAD_REQUEST"}), True, False)
            return False
        if head is None:
            return False
        method, target, version, raw_headers = head
        headers = {name.lower(): value for name, value in raw_headers}
        body = read_body(self.rfile, headers)
        if body is None:
            problem = {"error": "Request body too large or malformed", "code": "BAD_BODY"}
            self.send(json_response(413, problem), True, False)
            return False
        response = self.app.handle(Request(method, target, headers, body, tuple(raw_headers)))
        if self.verbose:
            sys.stderr.write(f"[invo-sandbox] {method} {target} {response.status}\n")
        if response.disconnect:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)
            return False
        close = not keep_alive(version, headers)
        self.send(response, close, method == "HEAD")
        return not close

    def send(self, response: Response, close: bool, head_only: bool) -> None:
        """Write the whole answer with one ``sendall``."""
        self.sock.sendall(render(response, close=close, head_only=head_only))


class SandboxHTTPServer:
    """Serves an :class:`App` on 127.0.0.1; tracks and bounds its connections."""

    def __init__(self, port: int, app: App, *, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        self._conn_lock = threading.Lock()
        self._conns: dict[threading.Thread, socket.socket] = {}
        self._closing = False
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._listener.bind(("127.0.0.1", port))
            self._listener.listen(128)
        except OSError:
            self._listener.close()
            raise
        self._wake_read, self._wake_write = socket.socketpair()
        self._accept_thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self._listener.getsockname()[1])

    def start(self) -> None:
        """Accept connections from a daemon thread."""
        self._accept_thread = threading.Thread(
            target=self._accept_loop, name="invo-sandbox-http", daemon=True
        )
        self._accept_thread.start()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self._listener, selectors.EVENT_READ)
            selector.register(self._wake_read, selectors.EVENT_READ)
            while not self._closing:
                for key, _ in selector.select():
                    if key.fileobj is self._wake_read or self._closing:
                        return
                    with contextlib.suppress(OSError):
                        conn, address = self._listener.accept()
                        self._spawn(conn, address)

    def _spawn(self, conn: socket.socket, address: Any) -> None:
        thread = threading.Thread(
            target=self._serve_connection, args=(conn, address),
            name="invo-sandbox-conn", daemon=True,
        )
        with self._conn_lock:
            for done in [t for t in self._conns if not t.is_alive()]:
                del self._conns[done]
            if self._closing:
                conn.close()
                return
            self._conns[thread] = conn
        thread.start()

    def _serve_connection(self, conn: socket.socket, address: Any) -> None:
        try:
            Connection(conn, self.app, self.verbose).serve()
        finally:
            with contextlib.suppress(OSError):
                conn.close()

    def close(self, timeout: float = 5.0) -> None:
        """Stop accepting, end every connection, join the threads (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        self._closing = True
        with contextlib.suppress(OSError):
            self._wake_write.send(b"x")
        if self._accept_thread is not None:
            self._accept_thread.join(max(0.0, deadline - time.monotonic()))
        for sock in (self._listener, self._wake_read, self._wake_write):
            sock.close()
        with self._conn_lock:
            conns = list(self._conns.items())
            self._conns.clear()
        for _, sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in conns:
            thread.join(max(0.0, deadline - time.monotonic()))
