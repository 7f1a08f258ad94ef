"""OpenTelemetry traces and metrics for SDK calls (the optional ``otel`` extra).

Off, and free, unless OpenTelemetry is in use: nothing of ``opentelemetry`` is imported by the
SDK unless the application imported it already (it must have, to configure a provider) or
passed a provider explicitly; and even then a call records nothing while the global providers
are still the API's placeholders. The SDK never configures an exporter.

What one SDK call records (``docs/observability.md`` has the full table):

- a span ``invo.<operation>`` (kind ``INTERNAL``) around the whole call, with
  ``invo.operation``, ``invo.idempotent``, ``invo.retry_count``, ``invo.request_id`` and,
  on failure, ``error.type`` and ``invo.error_code``; status ``ERROR`` on failure;
- a child span per attempt, kind ``CLIENT``, named ``<METHOD> <url.template>`` as the HTTP
  semantic conventions name client spans, with ``http.request.method``, ``server.address``,
  ``server.port``, ``url.scheme``, ``url.template``, ``http.request.resend_count``,
  ``http.response.status_code``, ``error.type`` and ``invo.request_id``; the W3C
  ``traceparent`` of that span travels to INVO in the request headers;
- metrics: ``http.client.request.duration`` (seconds, per attempt, HTTP semantic-convention
  attributes), ``invo.client.operation.duration`` (seconds, per call, by ``invo.operation``
  and ``invo.outcome``) and ``invo.client.retries`` (per call that retried, same labels).

Never recorded: the full URL (``get_player_balance`` carries the player's email in its path),
query strings, bodies, headers, error messages (INVO's can quote an email) and exception
stack traces. Values that come from the network (request ids, error codes) are recorded only
when they look like identifiers.
"""

from __future__ import annotations

import functools
import re
import sys
import time
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from ._routes import Route
    from .errors import InvoError

__all__ = ["CallRecord", "Telemetry"]

_INSTRUMENTATION = "invonetwork"
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_.:-]{1,128}")
_DEFAULT_PORTS = {"https": 443, "http": 80}
_PLACEHOLDER_METER_PROVIDERS = frozenset({"_ProxyMeterProvider", "NoOpMeterProvider"})


_F = TypeVar("_F", bound=Callable[..., Any])


def _best_effort(fallback_arg: Optional[int] = None) -> Callable[[_F], _F]:
    """Telemetry must never break a payment: a failure inside it is swallowed.

    With ``fallback_arg``, the wrapped method returns that positional argument on failure
    (``begin_attempt`` then sends the headers unchanged).
    """

    def wrap(method: _F) -> _F:
        @functools.wraps(method)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return method(*args, **kwargs)
            except Exception:
                return None if fallback_arg is None else args[fallback_arg]

        return guarded  # type: ignore[return-value]

    return wrap


def _safe(value: Optional[str]) -> Optional[str]:
    """``value`` when it looks like an identifier (a code, a request id), else ``None``."""
    if value and _SAFE_TOKEN.fullmatch(value):
        return value
    return None


def error_type(error: BaseException) -> str:
    """The ``error.type`` of the semantic conventions: the HTTP status, else the class name."""
    status = getattr(error, "status", 0)
    if isinstance(status, int) and status > 0:
        return str(status)
    return type(error).__name__


class _Instruments:
    """The tracer and the three instruments of one pair of providers."""

    def __init__(self, tracer: Any, meter: Any) -> None:
        self.tracer = tracer
        self.attempt_duration = self.operation_duration = self.retries = None
        if meter is not None:
            self.attempt_duration = meter.create_histogram(
                "http.client.request.duration", unit="s",
                description="Duration of HTTP client requests (one per attempt).",
            )
            self.operation_duration = meter.create_histogram(
                "invo.client.operation.duration", unit="s",
                description="Duration of INVO SDK calls, retries and waits included.",
            )
            self.retries = meter.create_counter(
                "invo.client.retries", unit="{retry}",
                description="Attempts repeated by the SDK's retry policy.",
            )


class Telemetry:
    """Where the transport reports its calls; records only while OpenTelemetry is in use.

    Args:
        tracer_provider: Use this provider instead of the global one.
        meter_provider: Use this provider instead of the global one.
        enabled: ``False`` records nothing, whatever is configured.
    """

    def __init__(
        self,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        enabled: bool = True,
    ) -> None:
        self._tracer_provider = tracer_provider
        self._meter_provider = meter_provider
        self.enabled = enabled
        self._explicit = tracer_provider is not None or meter_provider is not None
        self._cache: dict[tuple[int, int], _Instruments] = {}

    def __repr__(self) -> str:
        return f"<Telemetry enabled={self.enabled} explicit_providers={self._explicit}>"

    def start(self, route: Route[Any], operation: str, url: str) -> Optional[CallRecord]:
        """Begin recording a call, or ``None`` (the common, free case) when nothing records."""
        if not self.enabled:
            return None
        if not self._explicit and "opentelemetry.trace" not in sys.modules:
            return None
        instruments = self._instruments()
        if instruments is None:
            return None
        try:
            return CallRecord(instruments, route, operation, url)
        except Exception:  # never let telemetry break a call
            return None

    def _instruments(self) -> Optional[_Instruments]:
        try:
            return self._find_instruments()
        except Exception:  # a broken provider: record nothing rather than fail the call
            return None

    def _find_instruments(self) -> Optional[_Instruments]:
        from opentelemetry import metrics, trace

        tracer_provider = self._tracer_provider or trace.get_tracer_provider()
        if isinstance(tracer_provider, (trace.ProxyTracerProvider, trace.NoOpTracerProvider)):
            tracer_provider = None
        meter_provider = self._meter_provider or metrics.get_meter_provider()
        if type(meter_provider).__name__ in _PLACEHOLDER_METER_PROVIDERS:
            meter_provider = None
        if tracer_provider is None and meter_provider is None:
            return None
        key = (id(tracer_provider), id(meter_provider))
        cached = self._cache.get(key)
        if cached is None:
            from ._version import __version__

            tracer = meter = None
            if tracer_provider is not None:
                tracer = tracer_provider.get_tracer(_INSTRUMENTATION, __version__)
            if meter_provider is not None:
                meter = meter_provider.get_meter(_INSTRUMENTATION, __version__)
            cached = self._cache.setdefault(key, _Instruments(tracer, meter))
        return cached


class CallRecord:
    """The spans and measurements of one SDK call, fed by the transport as it goes."""

    def __init__(self, instruments: _Instruments, route: Route[Any], operation: str, url: str):
        from opentelemetry import trace

        self._trace = trace
        self._instruments = instruments
        self._operation = operation
        parts = urlsplit(url)
        scheme = parts.scheme or "https"
        self._http_attributes: dict[str, Any] = {
            "http.request.method": route.method,
            "server.address": parts.hostname or "",
            "server.port": parts.port or _DEFAULT_PORTS.get(scheme, 443),
            "url.scheme": scheme,
            "url.template": route.path,
        }
        self._span_name = f"{route.method} {route.path}"
        self._started = time.perf_counter()
        self._attempt_started = self._started
        self._attempt_span: Any = None
        self._request_id: Optional[str] = None
        self._retries = 0
        self._call_span: Any = None
        if instruments.tracer is not None:
            self._call_span = instruments.tracer.start_span(
                f"invo.{operation}",
                kind=trace.SpanKind.INTERNAL,
                attributes={
                    "invo.operation": operation,
                    "invo.idempotent": route.idempotent,
                    **{k: v for k, v in self._http_attributes.items() if k != "url.scheme"},
                },
            )

    @_best_effort(fallback_arg=2)
    def begin_attempt(self, attempt: int, headers: dict[str, str]) -> dict[str, str]:
        """Open the attempt's span and return the headers to send (with ``traceparent``)."""
        self._attempt_started = time.perf_counter()
        if attempt > 0:
            self._retries = attempt
        if self._call_span is None:
            return headers
        trace = self._trace
        attributes = dict(self._http_attributes)
        if attempt > 0:
            attributes["http.request.resend_count"] = attempt
        parent = trace.set_span_in_context(self._call_span)
        self._attempt_span = self._instruments.tracer.start_span(
            self._span_name, context=parent, kind=trace.SpanKind.CLIENT, attributes=attributes
        )
        from opentelemetry import propagate

        carrier = dict(headers)
        propagate.inject(carrier, context=trace.set_span_in_context(self._attempt_span))
        return carrier

    @_best_effort()
    def end_attempt(
        self,
        *,
        status: Optional[int],
        request_id: Optional[str],
        error: Optional[InvoError],
        will_retry: bool,
    ) -> None:
        """Close the attempt: its status or error, its request id, whether a retry follows."""
        safe_id = _safe(request_id)
        if safe_id:
            self._request_id = safe_id
        attributes = dict(self._http_attributes)
        if status:
            attributes["http.response.status_code"] = status
        if error is not None:
            attributes["error.type"] = error_type(error)
        span = self._attempt_span
        if span is not None:
            self._attempt_span = None
            keys = ("http.response.status_code", "error.type")
            extra: dict[str, Any] = {k: attributes[k] for k in keys if k in attributes}
            if safe_id:
                extra["invo.request_id"] = safe_id
            if will_retry:
                extra["invo.will_retry"] = True
            span.set_attributes(extra)
            if error is not None:
                span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, error_type(error)))
            span.end()
        histogram = self._instruments.attempt_duration
        if histogram is not None:
            histogram.record(time.perf_counter() - self._attempt_started, attributes)

    @_best_effort()
    def end(self, error: Optional[BaseException]) -> None:
        """Close the call with its outcome (``None``: success)."""
        outcome = "success" if error is None else "error"
        labels: dict[str, Any] = {"invo.operation": self._operation, "invo.outcome": outcome}
        if error is not None:
            labels["error.type"] = error_type(error)
        instruments = self._instruments
        if instruments.operation_duration is not None:
            instruments.operation_duration.record(time.perf_counter() - self._started, labels)
        if instruments.retries is not None and self._retries:
            instruments.retries.add(self._retries, labels)
        span = self._call_span
        if span is None:
            return
        attributes: dict[str, Any] = {"invo.retry_count": self._retries}
        if self._request_id:
            attributes["invo.request_id"] = self._request_id
        if error is not None:
            attributes["error.type"] = labels["error.type"]
            code = _safe(getattr(error, "code", None))
            if code:
                attributes["invo.error_code"] = code
            span.set_status(self._trace.Status(self._trace.StatusCode.ERROR, labels["error.type"]))
        span.set_attributes(attributes)
        span.end()
