"""A scripted local INVO stand-in and in-memory OpenTelemetry providers, for the otel tests.

The server binds 127.0.0.1 on a free port, answers each request in one write (with
``TCP_NODELAY``), records what it received (method, path, headers), and stops when the test's
``with`` block ends; its request loop is bounded by ``max_requests``.
"""

from __future__ import annotations

import json
import socket
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from invonetwork import Telemetry

SUCCESS_BODY: dict[str, Any] = {
    "token": "pt_1",
    "checkout_url": "https://checkout.invo.network/cs_1",
    "session_id": "cs_1",
    "transaction_id": "txn_1",
    "order_id": "ord_1",
    "signing_secret": "whsec_1",
    "status": "success",
    "item_purchase_history": [{"id": 1}],
    "change_request_id": "pcr_1",
    "pagination": {"total": 1},
    "device_code": "dc_1",
    "verification_uri_complete": "https://invo.network/device?user_code=ABCD",
    "total_usd": "1.00",  # quote_currency_purchase
}


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class ScriptServer:
    """Answers from a script (status, body, headers), then 200 with ``SUCCESS_BODY``."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    script: deque[tuple[int, Any, dict[str, str]]] = field(default_factory=deque)
    max_requests: int = 5000

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def then(self, status: int, body: Any = None, headers: Optional[dict[str, str]] = None
             ) -> ScriptServer:
        self.script.append((status, SUCCESS_BODY if body is None else body, headers or {}))
        return self


def _handler(server: ScriptServer, lock: threading.Lock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def setup(self) -> None:
            super().setup()
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            with lock:
                if len(server.received) >= server.max_requests:
                    self.close_connection = True
                    return
                server.received.append(Received(self.command, self.path, dict(self.headers)))
                status, body, headers = (
                    server.script.popleft() if server.script else (200, SUCCESS_BODY, {})
                )
            payload = json.dumps(body).encode() if not isinstance(body, bytes) else body
            head = [f"HTTP/1.1 {status} X", "Content-Type: application/json",
                    f"Content-Length: {len(payload)}"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload)

        do_GET = do_POST = do_PUT = _serve  # noqa: N815

    return Handler


@contextmanager
def script_server() -> Iterator[ScriptServer]:
    state = ScriptServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state, threading.Lock()))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@dataclass
class Otel:
    telemetry: Telemetry
    spans: InMemorySpanExporter
    metrics: InMemoryMetricReader

    def finished(self) -> list[ReadableSpan]:
        return list(self.spans.get_finished_spans())

    def metric_points(self) -> dict[str, list[Any]]:
        """Metric name -> its data points (each with ``.attributes``)."""
        data = self.metrics.get_metrics_data()
        points: dict[str, list[Any]] = {}
        if data is None:
            return points
        for resource in data.resource_metrics:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    points.setdefault(metric.name, []).extend(metric.data.data_points)
        return points


def make_otel() -> Otel:
    exporter = InMemorySpanExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(exporter))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    telemetry = Telemetry(tracer_provider=tracer_provider, meter_provider=meter_provider)
    return Otel(telemetry, exporter, reader)
