"""Seeing what the SDK does: the ``invonetwork`` logger, and hooks for metrics and traces.

The docs (``docs/observability.md``) include this file piece by piece, and
``tests/examples/test_flow_examples.py`` runs it against the local sandbox.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter, defaultdict
from urllib.parse import urlsplit

from invonetwork import ErrorInfo, Hooks, InvoServer, RequestInfo, ResponseInfo


# --8<-- [start:logging]
def enable_sdk_debug_logging() -> None:
    """One DEBUG line per attempt: method, URL path, status, attempt, duration, request id.

    Never a header or a body, so never the game secret.
    """
    logging.basicConfig(format="%(asctime)s %(name)s %(levelname)s %(message)s")
    logging.getLogger("invonetwork").setLevel(logging.DEBUG)
# --8<-- [end:logging]


# --8<-- [start:redact]
_EMAIL = re.compile(r"[^/@?&=]+(@|%40)[^/?&]+")


def route_of(url: str) -> str:
    """A low-cardinality, personal-data-free name for a URL: no query, no emails.

    ``.../player-balances/player/by-email/ada%40example.com`` becomes
    ``/api/player-balances/player/by-email/{email}``.
    """
    path = urlsplit(url).path
    path = path.split("/api/", 1)[-1]
    return "/api/" + _EMAIL.sub("{email}", path)
# --8<-- [end:redact]


# --8<-- [start:metrics]
class InvoMetrics:
    """Counters and latencies per route, fed by hooks (a stand-in for your metrics client)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # hooks run on whichever thread made the call
        self.attempts: Counter[str] = Counter()
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.latency_ms: defaultdict[str, list[float]] = defaultdict(list)
        self.retries: Counter[str] = Counter()

    def on_request(self, info: RequestInfo) -> None:
        """Called before every attempt (``attempt`` 0 is the first)."""
        with self._lock:
            self.attempts[route_of(info.url)] += 1

    def on_response(self, info: ResponseInfo) -> None:
        """Called for every HTTP answer, 2xx or not."""
        route = route_of(info.url)
        with self._lock:
            self.statuses[(route, info.status)] += 1
            self.latency_ms[route].append(info.duration_ms)

    def on_error(self, info: ErrorInfo) -> None:
        """Called for every network failure or non-2xx answer."""
        if info.will_retry:
            with self._lock:
                self.retries[route_of(info.url)] += 1

    def hooks(self) -> Hooks:
        """The ``Hooks`` to give to ``InvoServer(hooks=...)``."""
        return Hooks(on_request=self.on_request, on_response=self.on_response,
                     on_error=self.on_error)
# --8<-- [end:metrics]


# --8<-- [start:errors-log]
log = logging.getLogger("mygame.invo")


def log_failures(info: ErrorInfo) -> None:
    """A structured warning per failed attempt, with INVO's request id for support."""
    log.warning(
        "INVO %s %s failed: status=%s code=%s request_id=%s retrying=%s",
        info.method, route_of(info.url), info.error.status, info.error.code,
        info.error.request_id, info.will_retry,
    )
# --8<-- [end:errors-log]


# --8<-- [start:wire]
def instrumented_client(game_secret: str, base_url: str, metrics: InvoMetrics) -> InvoServer:
    """A client that reports to ``metrics``; hooks are best-effort and never break a call."""
    return InvoServer(game_secret, base_url, hooks=metrics.hooks())


def audited_call(invo: InvoServer, player_email: str) -> object:
    """Different hooks for one call (they replace the client's), on the same pool."""
    return invo.with_options(hooks=Hooks(on_error=log_failures)).get_player_balance(
        player_email=player_email
    )
# --8<-- [end:wire]
