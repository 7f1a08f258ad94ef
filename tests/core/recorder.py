"""A tiny recording HTTP/1.1 server for black-box contract tests.

Every request is recorded (method, path, raw query, headers, raw body) and answered from a
scripted queue of responses; when the queue is empty the answer is ``200 {}``.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union
from urllib.parse import parse_qs

import pytest

from invonetwork import InvoServer

RECORDER_SECRET = "gs_contract_secret_123"


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: Dict[str, str]
    header_items: List[Tuple[str, str]]
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))

    @property
    def params(self) -> Dict[str, List[str]]:
        return parse_qs(self.query, keep_blank_values=True)

    def header(self, name: str) -> Optional[str]:
        return self.headers.get(name.lower())


@dataclass
class Reply:
    status: int = 200
    body: Union[bytes, str, Any] = b"{}"
    headers: Dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drop: bool = False  # close the connection without answering

    def raw_body(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args: Any) -> None:  # silence
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        items = [(k, v) for k, v in self.headers.items()]
        rec = Recorded(
            method=self.command,
            path=path,
            query=query,
            headers={k.lower(): v for k, v in items},
            header_items=items,
            body=body,
        )
        with self.server.lock:
            self.server.requests.append(rec)
            reply = self.server.replies.pop(0) if self.server.replies else Reply()
        if callable(reply):
            reply = reply(rec)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)
            return
        data = reply.raw_body()
        self.send_response(reply.status)
        headers = {"Content-Type": "application/json"}
        headers.update(reply.headers)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _handle  # noqa: N815


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.requests: List[Recorded] = []
        self.replies: List[Union[Reply, Callable[[Recorded], Reply]]] = []


class Recorder:
    def __init__(self, server: _Server) -> None:
        self._server = server
        host, port = server.server_address[:2]
        self.url = f"http://{host}:{port}"

    @property
    def requests(self) -> List[Recorded]:
        return self._server.requests

    @property
    def last(self) -> Recorded:
        assert self._server.requests, "no request reached the server"
        return self._server.requests[-1]

    def reply(self, status: int = 200, body: Any = b"{}", **kw: Any) -> Recorder:
        self._server.replies.append(Reply(status=status, body=body, **kw))
        return self

    def reply_fn(self, fn: Callable[[Recorded], Reply]) -> Recorder:
        self._server.replies.append(fn)
        return self

    def client(self, **kw: Any) -> InvoServer:
        kw.setdefault("retry_base_delay", 0.0)
        kw.setdefault("timeout", 5.0)
        return InvoServer(RECORDER_SECRET, self.url, **kw)


@pytest.fixture(scope="session")
def _server() -> Iterator[_Server]:
    server = _Server()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def srv(_server: _Server) -> Iterator[Recorder]:
    with _server.lock:
        _server.requests.clear()
        _server.replies.clear()
    yield Recorder(_server)
    with _server.lock:
        _server.replies.clear()


@pytest.fixture
def invo(srv: Recorder) -> InvoServer:
    return srv.client()
