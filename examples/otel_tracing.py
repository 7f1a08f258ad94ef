"""OpenTelemetry traces and metrics for INVO calls (needs the ``otel`` extra).

The SDK records through whatever providers your application configures; it never configures
exporters itself. Here an in-memory exporter stands in for OTLP so the example can check what
was recorded; in production you would add an ``OTLPSpanExporter`` (see docs/observability.md).
"""

from __future__ import annotations

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from invonetwork import InvoServer

# --8<-- [start:setup]
spans = InMemorySpanExporter()
tracer_provider = TracerProvider()
tracer_provider.add_span_processor(SimpleSpanProcessor(spans))
trace.set_tracer_provider(tracer_provider)

metric_reader = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[metric_reader]))
# --8<-- [end:setup]


# --8<-- [start:call]
def read_balance_traced(invo: InvoServer, email: str) -> list[str]:
    """Read a balance inside an application span; return the names of the spans recorded."""
    tracer = trace.get_tracer("mygame.shop")
    with tracer.start_as_current_span("shop.show_wallet"):
        invo.get_player_balance(player_email=email)
    # shop.show_wallet
    # └── invo.get_player_balance                                   (INTERNAL)
    #     └── GET /api/player-balances/player/by-email/{player_email} (CLIENT)
    return [span.name for span in spans.get_finished_spans()]
# --8<-- [end:call]


def metric_names() -> set[str]:
    """The metric names recorded so far."""
    data = metric_reader.get_metrics_data()
    if data is None:
        return set()
    return {
        metric.name
        for resource in data.resource_metrics
        for scope in resource.scope_metrics
        for metric in scope.metrics
    }
