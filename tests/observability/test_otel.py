"""OpenTelemetry: the spans, attributes, metrics and trace propagation of SDK calls.

Calls go over real HTTP to a scripted server on 127.0.0.1, and the SDK's telemetry is read
back through the OpenTelemetry SDK's in-memory exporter and metric reader.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("opentelemetry.sdk", reason="the otel tests need opentelemetry-sdk (dev)")

from opentelemetry.trace import SpanKind, StatusCode
from otel_support import Otel, ScriptServer, make_otel, script_server

from invonetwork import InsufficientBalanceError, InvoError, InvoServer, Telemetry

SECRET = "ivsdk_test_otel_suite"


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with script_server() as srv:
        yield srv


@pytest.fixture
def otel() -> Otel:
    return make_otel()


def _client(server: ScriptServer, otel: Otel, **options: Any) -> InvoServer:
    options.setdefault("retry_base_delay", 0.001)
    return InvoServer(SECRET, server.url, telemetry=otel.telemetry, **options)


def _by_name(otel: Otel) -> dict[str, list[Any]]:
    spans: dict[str, list[Any]] = {}
    for span in otel.finished():
        spans.setdefault(span.name, []).append(span)
    return spans


def test_one_call_span_with_one_client_span_per_attempt(server: ScriptServer, otel: Otel) -> None:
    server.then(200, {"token": "pt_1"}, {"x-invo-request-id": "req_42"})
    with _client(server, otel) as invo:
        invo.mint_player_token(player_email="ann@example.com")
    spans = _by_name(otel)
    (call,) = spans["invo.mint_player_token"]
    (attempt,) = spans["POST /api/sdk/player-token"]
    assert call.kind is SpanKind.INTERNAL and attempt.kind is SpanKind.CLIENT
    assert attempt.parent is not None and attempt.parent.span_id == call.context.span_id
    assert attempt.attributes is not None and call.attributes is not None
    assert dict(attempt.attributes) == {
        "http.request.method": "POST",
        "server.address": "127.0.0.1",
        "server.port": server.port,
        "url.scheme": "http",
        "url.template": "/api/sdk/player-token",
        "http.response.status_code": 200,
        "invo.request_id": "req_42",
    }
    assert call.attributes["invo.operation"] == "mint_player_token"
    assert call.attributes["invo.retry_count"] == 0
    assert call.attributes["invo.request_id"] == "req_42"
    assert call.attributes["invo.idempotent"] is True
    assert call.status.status_code is StatusCode.UNSET


def test_traceparent_of_the_attempt_span_reaches_invo(server: ScriptServer, otel: Otel) -> None:
    with _client(server, otel) as invo:
        invo.mint_player_token(player_email="ann@example.com")
    (attempt,) = _by_name(otel)["POST /api/sdk/player-token"]
    traceparent = server.received[0].headers["traceparent"]
    version, trace_id, span_id, flags = traceparent.split("-")
    assert version == "00" and int(flags, 16) & 1  # sampled
    assert int(trace_id, 16) == attempt.context.trace_id
    assert int(span_id, 16) == attempt.context.span_id


def test_retries_are_attempt_spans_with_resend_count(server: ScriptServer, otel: Otel) -> None:
    server.then(503, {"error": "busy"}).then(502, {"error": "busy"})
    with _client(server, otel) as invo:
        invo.get_transfer_status("txn_1")
    spans = _by_name(otel)
    attempts = sorted(spans["GET /api/transfers/{transaction_id}/status"],
                      key=lambda s: s.start_time)
    assert [a.attributes.get("http.response.status_code") for a in attempts] == [503, 502, 200]
    assert [a.attributes.get("http.request.resend_count") for a in attempts] == [None, 1, 2]
    assert [a.attributes.get("invo.will_retry") for a in attempts] == [True, True, None]
    assert attempts[0].status.status_code is StatusCode.ERROR
    assert attempts[0].attributes["error.type"] == "503"
    (call,) = spans["invo.get_transfer_status"]
    assert call.attributes["invo.retry_count"] == 2
    assert call.status.status_code is StatusCode.UNSET
    # Each attempt carried its own span's traceparent.
    sent = [r.headers["traceparent"].split("-")[2] for r in server.received]
    assert sent == [format(a.context.span_id, "016x") for a in attempts]


def test_a_failed_call_sets_error_status_type_and_code(server: ScriptServer, otel: Otel) -> None:
    server.then(400, {"error": "Insufficient balance for ann@example.com",
                      "code": "INSUFFICIENT_BALANCE"})
    with _client(server, otel) as invo, pytest.raises(InsufficientBalanceError):
        invo.purchase_item(
            client_request_id="r1", player_email="ann@example.com", player_name="Ann",
            item_id="sword", item_name="Sword", item_quantity=1, unit_price="5.00",
            total_price="5.00",
        )
    (call,) = _by_name(otel)["invo.purchase_item"]
    assert call.status.status_code is StatusCode.ERROR
    assert call.status.description == "400"
    assert call.attributes["error.type"] == "400"
    assert call.attributes["invo.error_code"] == "INSUFFICIENT_BALANCE"
    assert not call.events  # no exception event: messages can quote personal data


def test_a_network_failure_is_typed_by_class(otel: Otel) -> None:
    with InvoServer(SECRET, "http://127.0.0.1:9", telemetry=otel.telemetry, max_retries=0,
                    timeout=2) as invo, pytest.raises(InvoError) as caught:
        invo.get_send_status("txn_1")
    (call,) = _by_name(otel)["invo.get_send_status"]
    assert call.attributes["error.type"] == type(caught.value).__name__
    (attempt,) = _by_name(otel)["GET /api/currency-sends/{transaction_id}/status"]
    assert "http.response.status_code" not in attempt.attributes
    assert attempt.status.status_code is StatusCode.ERROR


def test_the_url_template_never_the_email_in_the_path(server: ScriptServer, otel: Otel) -> None:
    server.then(200, {"player": {}, "balances": [], "summary": {}})
    with _client(server, otel) as invo:
        invo.get_player_balance(player_email="secret.player@example.com")
    assert "secret.player" in server.received[0].path  # it did travel in the path
    for span in otel.finished():
        assert "secret.player" not in span.name
        assert all("secret.player" not in str(v) for v in span.attributes.values())
    (attempt,) = _by_name(otel)["GET /api/player-balances/player/by-email/{player_email}"]
    assert attempt.attributes["url.template"] == (
        "/api/player-balances/player/by-email/{player_email}"
    )


def test_metrics_duration_per_attempt_and_call_and_retries(
    server: ScriptServer, otel: Otel
) -> None:
    server.then(503, {"error": "busy"})
    with _client(server, otel) as invo:
        invo.get_transfer_status("txn_1")
        invo.mint_player_token(player_email="ann@example.com")
    points = otel.metric_points()
    http = points["http.client.request.duration"]
    statuses = sorted(
        (dict(p.attributes)["url.template"], dict(p.attributes)["http.response.status_code"],
         p.count) for p in http
    )
    assert statuses == [
        ("/api/sdk/player-token", 200, 1),
        ("/api/transfers/{transaction_id}/status", 200, 1),
        ("/api/transfers/{transaction_id}/status", 503, 1),
    ]
    failing = [p for p in http if dict(p.attributes)["http.response.status_code"] == 503]
    assert dict(failing[0].attributes)["error.type"] == "503"
    calls = {dict(p.attributes)["invo.operation"]: p for p in
             points["invo.client.operation.duration"]}
    assert set(calls) == {"get_transfer_status", "mint_player_token"}
    assert all(dict(p.attributes)["invo.outcome"] == "success" for p in calls.values())
    (retries,) = points["invo.client.retries"]
    assert dict(retries.attributes) == {"invo.operation": "get_transfer_status",
                                        "invo.outcome": "success"}
    assert retries.value == 1


def test_metrics_outcome_error_has_error_type(server: ScriptServer, otel: Otel) -> None:
    server.then(404, {"error": "no such order"})
    with _client(server, otel) as invo, pytest.raises(InvoError):
        invo.get_order_details(order_id="ord_x")
    (point,) = otel.metric_points()["invo.client.operation.duration"]
    assert dict(point.attributes) == {"invo.operation": "get_order_details",
                                      "invo.outcome": "error", "error.type": "404"}


def test_disabled_telemetry_records_nothing(server: ScriptServer, otel: Otel) -> None:
    off = Telemetry(tracer_provider=otel.telemetry._tracer_provider, enabled=False)
    with InvoServer(SECRET, server.url, telemetry=off) as invo:
        invo.mint_player_token(player_email="ann@example.com")
    assert otel.finished() == []
    assert "traceparent" not in server.received[0].headers


def test_a_broken_provider_never_breaks_a_call(server: ScriptServer) -> None:
    class Broken:
        def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
            raise RuntimeError("exporter misconfigured")

    with InvoServer(SECRET, server.url, telemetry=Telemetry(tracer_provider=Broken())) as invo:
        assert invo.mint_player_token(player_email="ann@example.com").token == "pt_1"


def test_telemetry_must_be_a_telemetry_instance() -> None:
    with pytest.raises(ValueError, match="telemetry"):
        InvoServer(SECRET, "http://127.0.0.1:9", telemetry=True)  # type: ignore[arg-type]


def _run_isolated(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=60, check=True,
    )
    return result.stdout.strip()


def test_without_opentelemetry_in_use_nothing_is_imported(server: ScriptServer) -> None:
    out = _run_isolated(f"""
        import sys
        from invonetwork import InvoServer
        with InvoServer("{SECRET}", "{server.url}") as invo:
            invo.mint_player_token(player_email="ann@example.com")
        print(any(name.startswith("opentelemetry") for name in sys.modules))
    """)
    assert out == "False"
    assert "traceparent" not in server.received[0].headers


def test_global_providers_are_used_once_the_app_configures_them(server: ScriptServer) -> None:
    out = _run_isolated(f"""
        from opentelemetry import trace
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
            InMemorySpanExporter,
        )
        from invonetwork import InvoServer
        invo = InvoServer("{SECRET}", "{server.url}")
        invo.mint_player_token(player_email="before@example.com")   # placeholder provider
        exporter = InMemorySpanExporter()
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(exporter))
        trace.set_tracer_provider(provider)
        invo.mint_player_token(player_email="after@example.com")
        print(sorted(s.name for s in exporter.get_finished_spans()))
    """)
    assert out == "['POST /api/sdk/player-token', 'invo.mint_player_token']"
    assert "traceparent" not in server.received[0].headers
    assert "traceparent" in server.received[1].headers
