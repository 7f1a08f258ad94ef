"""Observability hooks: what the transport reports before and after every attempt.

Hooks are best-effort. An exception raised inside a hook is logged at DEBUG and swallowed, so
a broken metrics exporter can never break a payment. Payloads carry the method, the URL and
timings, never a header, so the game secret cannot reach them. URLs of some reads embed a
player email (balance by email): redact them before shipping hook payloads to a third party.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Callable, Optional

from .errors import InvoError

__all__ = ["ErrorInfo", "Hooks", "RequestInfo", "ResponseInfo"]

_log = logging.getLogger("invonetwork")


@dataclass(frozen=True)
class RequestInfo:
    """Sent to ``on_request`` before each attempt. ``attempt`` 0 is the first try."""

    method: str
    url: str
    attempt: int


@dataclass(frozen=True)
class ResponseInfo:
    """Sent to ``on_response`` for every HTTP answer, 2xx or not."""

    method: str
    url: str
    attempt: int
    status: int
    duration_ms: float
    request_id: Optional[str]


@dataclass(frozen=True)
class ErrorInfo:
    """Sent to ``on_error`` for each network failure or non-2xx answer.

    ``will_retry`` tells whether the SDK is about to try again.
    """

    method: str
    url: str
    attempt: int
    error: InvoError
    will_retry: bool


@dataclass(frozen=True)
class Hooks:
    """Optional callbacks for tracing and metrics; pass to ``InvoServer(hooks=...)``."""

    on_request: Optional[Callable[[RequestInfo], Any]] = None
    on_response: Optional[Callable[[ResponseInfo], Any]] = None
    on_error: Optional[Callable[[ErrorInfo], Any]] = None


def call_hook(hook: Optional[Callable[[Any], Any]], payload: Any) -> None:
    """Run one hook, swallowing (and logging the type of) anything it raises."""
    if hook is None:
        return
    try:
        hook(payload)
    except Exception as exc:  # a hook must never break a request
        _log.debug("invonetwork hook %r raised %s; ignored", hook, type(exc).__name__)
