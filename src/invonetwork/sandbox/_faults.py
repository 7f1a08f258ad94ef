"""Fault injection and request accounting for the sandbox.

A :class:`FaultRule` makes the next ``count`` matching requests misbehave:

* ``"status"``: answer at once with ``status`` (429 carries ``retry_after``) and a JSON body;
* ``"stall"``: wait ``seconds`` and then handle the request normally, the way a slow backend
  does the work after the client already gave up;
* ``"disconnect"``: close the connection without answering (a network error for the client).

Rules match on the path without the sandbox prefix and without the query string: an exact
path (``/api/checkout/sessions``), a glob (``/api/transfers/*``) or ``None`` for every API
request. Admin requests (``/__sandbox__/...``) are never faulted.
"""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Optional

from ._messages import Response, json_response

__all__ = ["FaultRule", "Faults", "RequestRecord"]

_KINDS = ("status", "stall", "disconnect")


@dataclass
class FaultRule:
    """One fault: what to do, to which requests, how many more times.

    Attributes:
        kind: ``"status"``, ``"stall"`` or ``"disconnect"``.
        count: How many more matching requests it applies to (``None`` = until cleared).
        path: Exact path, glob pattern, or ``None`` for every API path.
        method: HTTP method to match (``None`` = any).
        status: Status for ``"status"`` faults (default 503).
        retry_after: ``retry_after`` seconds placed in a 429 body (and ``Retry-After`` header).
        seconds: How long a ``"stall"`` waits before handling the request.
        body: JSON body to answer with instead of the default one.
    """

    kind: str = "status"
    count: Optional[int] = 1
    path: Optional[str] = None
    method: Optional[str] = None
    status: int = 503
    retry_after: Optional[float] = None
    seconds: float = 0.0
    body: Optional[dict[str, Any]] = None
    hits: int = 0

    def __post_init__(self) -> None:
        if self.kind not in _KINDS:
            raise ValueError(f"fault kind must be one of {_KINDS}, got {self.kind!r}")
        if self.count is not None and (isinstance(self.count, bool) or self.count < 1):
            raise ValueError("fault count must be a positive integer or None")
        if self.kind == "status" and not 100 <= int(self.status) <= 599:
            raise ValueError("fault status must be an HTTP status code")
        if self.seconds < 0:
            raise ValueError("stall seconds must be >= 0")
        if self.method is not None:
            self.method = self.method.upper()

    def matches(self, method: str, path: str) -> bool:
        """True when this rule applies to ``method`` ``path``."""
        if self.method is not None and self.method != method.upper():
            return False
        if self.path is None:
            return True
        if any(ch in self.path for ch in "*?["):
            return fnmatch.fnmatchcase(path, self.path)
        return path == self.path.rstrip("/") or path == self.path

    def response_body(self) -> dict[str, Any]:
        """The JSON body a ``"status"`` fault answers with."""
        if self.body is not None:
            return dict(self.body)
        if self.status == 429:
            return {
                "error": "Too many requests (sandbox fault injection)",
                "code": "RATE_LIMITED",
                "retry_after": self.retry_after if self.retry_after is not None else 1,
            }
        if self.status >= 500:
            return {
                "error": "Service unavailable (sandbox fault injection)",
                "code": "SANDBOX_FAULT",
            }
        return {"error": f"Sandbox fault injection (HTTP {self.status})", "code": "SANDBOX_FAULT"}

    @classmethod
    def from_dict(cls, body: dict[str, Any]) -> FaultRule:
        """A rule from the admin API's JSON (``status`` defaults to 429 with ``retry_after``)."""
        count = body.get("count", 1)
        retry_after = body.get("retry_after")
        return cls(
            kind=str(body.get("kind", "status")),
            count=None if count is None else int(count),
            path=body.get("path"),
            method=body.get("method"),
            status=int(body.get("status", 429 if retry_after is not None else 503)),
            retry_after=None if retry_after is None else float(retry_after),
            seconds=float(body.get("seconds", 0.0)),
            body=body.get("body") if isinstance(body.get("body"), dict) else None,
        )

    def apply(self, stop: threading.Event) -> Optional[Response]:
        """The answer this fault gives; ``None`` after a stall (then handle normally)."""
        if self.kind == "disconnect":
            return Response(0, disconnect=True)
        if self.kind == "stall":
            if stop.wait(self.seconds):
                return Response(0, disconnect=True)  # the sandbox is stopping
            return None
        headers: dict[str, str] = {}
        if self.status == 429:
            retry = self.retry_after if self.retry_after is not None else 1
            headers["Retry-After"] = str(max(0, int(float(retry) + 0.999)))
        return json_response(self.status, self.response_body(), headers)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description (for the admin endpoint)."""
        return {
            "kind": self.kind,
            "count": self.count,
            "path": self.path,
            "method": self.method,
            "status": self.status,
            "retry_after": self.retry_after,
            "seconds": self.seconds,
            "hits": self.hits,
        }


@dataclass(frozen=True)
class RequestRecord:
    """One request the sandbox saw: method, path (no prefix, no query), answer status."""

    method: str
    path: str
    status: int
    faulted: Optional[str] = None
    at: float = field(default=0.0, compare=False)


class Faults:
    """Thread-safe fault rules plus the log of requests seen."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._records: list[RequestRecord] = []
        self._counts: Counter[tuple[str, str]] = Counter()

    def add(self, rule: FaultRule) -> FaultRule:
        """Install ``rule`` (evaluated after the rules already installed)."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A copy of the active rules."""
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> Optional[FaultRule]:
        """Consume one use of the first rule matching the request, if any."""
        if not self._rules:  # the common case, without the lock
            return None
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    rule.hits += 1
                    if rule.count is not None:
                        rule.count -= 1
                        if rule.count <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def arrive(self, method: str, path: str) -> None:
        """Count a request as soon as it arrives (a stalled one counts while it waits)."""
        with self._lock:
            self._counts[(method, path)] += 1

    def record(self, record: RequestRecord) -> None:
        """Log a request once it was answered."""
        with self._lock:
            self._records.append(record)

    def count(self, path: Optional[str] = None, method: Optional[str] = None) -> int:
        """How many requests were seen for ``path`` (exact or glob) and ``method``."""
        with self._lock:
            items = list(self._counts.items())
        total = 0
        probe = FaultRule(kind="status", count=None, path=path, method=method)
        for (m, p), n in items:
            if probe.matches(m, p):
                total += n
        return total

    def counts(self) -> dict[str, int]:
        """``{"POST /api/checkout/sessions": 2, ...}`` for every request seen."""
        with self._lock:
            return {f"{m} {p}": n for (m, p), n in sorted(self._counts.items())}

    @property
    def records(self) -> list[RequestRecord]:
        """A copy of the request log, oldest first."""
        with self._lock:
            return list(self._records)

    def reset_counts(self) -> None:
        """Forget the request log and counts."""
        with self._lock:
            self._records.clear()
            self._counts.clear()
