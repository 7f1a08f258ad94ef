"""The HTTP/1.1 server under the sandbox: stdlib ``ThreadingHTTPServer`` on 127.0.0.1.

One daemon thread per connection (keep-alive honoured, idle connections closed after
``IDLE_TIMEOUT`` seconds). :meth:`SandboxHTTPServer.close` stops accepting, wakes every
connection thread by shutting its socket down, and joins them with a deadline, so a test's
sandbox never outlives the test.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from ._routes import Request, Response, SandboxApp, json_response

__all__ = ["SandboxHTTPServer"]

IDLE_TIMEOUT = 30.0
MAX_BODY = 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "InvoSandbox/1.0"
    sys_version = ""
    timeout = IDLE_TIMEOUT
    server: SandboxHTTPServer

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def do_OPTIONS(self) -> None:
        self._dispatch()

    def _read_body(self) -> Optional[bytes]:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            chunks: list[bytes] = []
            total = 0
            while True:
                size_line = self.rfile.readline(1024)
                try:
                    size = int(size_line.split(b";")[0].strip() or b"0", 16)
                except ValueError:
                    return None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    return None
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return None
        if length < 0 or length > MAX_BODY:
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self) -> None:
        body = self._read_body()
        if body is None:
            self.close_connection = True
            self._write(
                json_response(
                    413, {"error": "Request body too large or malformed", "code": "BAD_BODY"}
                )
            )
            return
        request = Request(
            method=self.command,
            target=self.path,
            headers=_CaseInsensitive(self.headers.items()),
            body=body,
        )
        response = self.server.app.handle(request)
        if response.disconnect:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
            return
        self._write(response)

    def _write(self, response: Response) -> None:
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"[invo-sandbox] {self.address_string()} {format % args}\n")


class _CaseInsensitive(dict[str, str]):
    """A read-only header mapping with case-insensitive ``get``."""

    def __init__(self, items: Any) -> None:
        super().__init__()
        for key, value in items:
            self[key.lower()] = value

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


class SandboxHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server bound to 127.0.0.1 that tracks and bounds its connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, app: SandboxApp, *, verbose: bool = False) -> None:
        self.app = app
        self.verbose = verbose
        self._conn_lock = threading.Lock()
        self._conns: dict[threading.Thread, socket.socket] = {}
        self._closing = False
        super().__init__(("127.0.0.1", port), _Handler)
        self._serve_thread: Optional[threading.Thread] = None

    @property
    def port(self) -> int:
        """The bound port."""
        return int(self.server_address[1])

    def start(self) -> None:
        """Serve from a daemon thread."""
        self._serve_thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.03},
            name="invo-sandbox-http", daemon=True,
        )
        self._serve_thread.start()

    def process_request(self, request: Any, client_address: Any) -> None:
        """One daemon thread per connection, remembered so :meth:`close` can end it."""
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="invo-sandbox-conn",
            daemon=True,
        )
        with self._conn_lock:
            for done in [t for t in self._conns if not t.is_alive()]:
                del self._conns[done]
            if self._closing:
                self.shutdown_request(request)
                return
            self._conns[thread] = request
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connection errors while closing are expected; others go to stderr if verbose."""
        if self._closing or not self.verbose:
            return
        super().handle_error(request, client_address)

    def close(self, timeout: float = 5.0) -> None:
        """Stop serving, end every connection, join the threads (bounded by ``timeout``)."""
        deadline = time.monotonic() + timeout
        self._closing = True
        if self._serve_thread is not None:
            self.shutdown()
            self._serve_thread.join(max(0.0, deadline - time.monotonic()))
        self.server_close()
        with self._conn_lock:
            conns = list(self._conns.items())
            self._conns.clear()
        for _, sock in conns:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        for thread, _ in conns:
            thread.join(max(0.0, deadline - time.monotonic()))
