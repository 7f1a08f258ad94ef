"""The retry decision, as one pure function on a frozen policy object.

:meth:`RetryPolicy.decide` answers "try again, and after how long?" from three things: the
route (may it be retried at all), the outcome of the attempt (an ``InvoError``: no answer
before sending, no answer after sending, or an HTTP status) and the attempt number. It reads
no clock and sleeps nowhere; the transport sleeps with :attr:`RetryPolicy.sleep`. The clock,
the sleep and the random source are injectable, so tests drive every rule directly.

The rules (the wire contract's, all of them):

=====================================================  ==========================================
outcome                                                decision
=====================================================  ==========================================
route not idempotent                                   never retried, whatever happened
no attempts left (``attempt >= max_retries``)          raised
``NotSentError`` (DNS, refused, TLS handshake,         backoff, then again
connect timeout)
``MaybeSentError`` (reset mid-answer, read timeout)    backoff, then again (idempotent routes only)
HTTP 500, 502, 503, 504                                backoff, then again
HTTP 429 with ``retry_after`` (body, else header)      wait that long; raised at once when over
                                                       ``max_retry_after`` (20 s)
HTTP 429 without ``retry_after``                       backoff, then again
any other status, a 2xx INVO cannot use, a bad input   raised
=====================================================  ==========================================

Backoff is exponential with "equal jitter": half of ``base_delay * 2**attempt`` is fixed and
half random, capped at ``max_backoff``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Optional

from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_BASE_DELAY,
    MAX_BACKOFF_DELAY,
    MAX_RETRY_AFTER_WAIT,
)
from .errors import APIError, ConfigurationError, InvoError, MaybeSentError, NotSentError

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "check_count", "check_seconds"]

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def _default_sleep(seconds: float) -> None:
    time.sleep(seconds)  # looked up at call time, so a patched time.sleep is honoured


def check_count(name: str, value: object) -> int:
    """An int >= 0 (not a bool), else ``ConfigurationError`` naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ConfigurationError(f"{name} must be an int >= 0, got {value!r}")
    return value


def check_seconds(name: str, value: object) -> float:
    """A finite number of seconds >= 0 (not a bool), else ``ConfigurationError``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
        0 <= float(value) < float("inf")
    ):
        raise ConfigurationError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class RetryPolicy:
    """When to send an idempotent request again, and how long to wait first.

    Args:
        max_retries: Extra attempts after the first (0 disables retries).
        base_delay: Base of the exponential backoff, in seconds.
        max_backoff: Upper bound of one backoff wait.
        max_retry_after: A 429 asking for a longer wait than this is raised at once.
        random: Returns a float in ``[0, 1)``: the jitter source.
        sleep: Waits the given seconds (the transport calls it between attempts).
        clock: Monotonic seconds, used to time attempts.
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    base_delay: float = DEFAULT_RETRY_BASE_DELAY
    max_backoff: float = MAX_BACKOFF_DELAY
    max_retry_after: float = MAX_RETRY_AFTER_WAIT
    random: Callable[[], float] = field(default=random.random, repr=False, compare=False)
    sleep: Callable[[float], None] = field(default=_default_sleep, repr=False, compare=False)
    clock: Callable[[], float] = field(default=time.perf_counter, repr=False, compare=False)

    def __post_init__(self) -> None:
        check_count("max_retries", self.max_retries)
        for name in ("base_delay", "max_backoff", "max_retry_after"):
            object.__setattr__(self, name, check_seconds(name, getattr(self, name)))

    def replace(self, **changes: Any) -> RetryPolicy:
        """A copy with ``changes``, checked like the constructor's arguments."""
        return replace(self, **changes)

    def backoff(self, attempt: int) -> float:
        """Seconds before retry number ``attempt + 1``: exponential, with equal jitter."""
        ceiling = min(self.max_backoff, self.base_delay * float(2**attempt))
        return ceiling / 2 + self.random() * (ceiling / 2)

    def decide(self, *, idempotent: bool, error: InvoError, attempt: int) -> Optional[float]:
        """Seconds to wait before the next attempt, or ``None``: raise ``error`` now.

        ``attempt`` is the number of the attempt that just failed (0 for the first).
        """
        if not idempotent or attempt >= self.max_retries:
            return None
        if isinstance(error, (NotSentError, MaybeSentError)):
            return self.backoff(attempt)
        if not isinstance(error, APIError) or error.status not in RETRYABLE_STATUSES:
            return None
        if error.status != 429:
            return self.backoff(attempt)
        asked = error.retry_after
        if asked is None:
            return self.backoff(attempt)
        return asked if asked <= self.max_retry_after else None
