"""The webhook delivery worker: signed POSTs, retries on a schedule, a dead-letter list.

One daemon thread delivers queued events in due order. A delivery is a success on any 2xx;
anything else (another status, a timeout, a refused connection) is retried after the next
delay of :data:`RETRY_SCHEDULE` (multiplied by ``retry_scale``), and after the last retry the
event is dead-lettered. Due times follow the sandbox clock, so ``Sandbox.advance_time`` also
brings retries forward.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..webhooks._delivery import DeliveryClient, WebhookDelivery, build_delivery
from ._model import Clock

__all__ = ["RETRY_SCHEDULE", "DeadLetter", "DeliveryAttempt", "DeliveryTarget", "DeliveryWorker"]

#: Seconds between attempts: 30 s, 2 min, 10 min, 1 h, 6 h, 24 h; then dead-letter.
RETRY_SCHEDULE: tuple[float, ...] = (30, 120, 600, 3600, 6 * 3600, 24 * 3600)
USER_AGENT = "INVO-Webhooks/1.0 (invonetwork sandbox)"


@dataclass(frozen=True)
class DeliveryTarget:
    """Where and how to deliver right now: URL, secrets (newest first), version, gzip."""

    url: str
    secrets: Sequence[str]
    secret_version: int
    gzip: bool = False


@dataclass(frozen=True)
class DeliveryAttempt:
    """One HTTP delivery attempt of one event.

    Attributes:
        event_type: The event's type.
        idempotency_key: Stable for the logical event (``X-Invo-Idempotency-Key``).
        event_id: Unique to this attempt (``X-Invo-Event-Id`` and the body's ``event_id``).
        attempt: 1 for the first try, 2 for the first retry, ...
        url: Where it was posted.
        status: The receiver's HTTP status, or ``None`` when no answer came.
        error: Why it failed (``"HTTP 500"``, ``"timed out"``, ...) or ``None``.
        delivered: True on a 2xx.
        dead_lettered: True when this failure was the last try.
        next_attempt_in: Seconds (sandbox time) until the retry, when one is scheduled.
        headers: The request headers sent.
        body: The exact JSON bytes that were signed (before any gzip).
        at: Wall-clock time of the attempt.
    """

    event_type: str
    idempotency_key: str
    event_id: str
    attempt: int
    url: str
    status: Optional[int]
    error: Optional[str]
    delivered: bool
    dead_lettered: bool
    next_attempt_in: Optional[float]
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass(frozen=True)
class DeadLetter:
    """An event whose every attempt failed."""

    event: dict[str, Any]
    attempts: int
    last_error: str


@dataclass
class _Job:
    event: dict[str, Any]
    attempts: int = 0


class DeliveryWorker:
    """Delivers events to the current :class:`DeliveryTarget` from a background thread."""

    def __init__(
        self,
        clock: Clock,
        target: Callable[[str], Optional[DeliveryTarget]],
        *,
        retry_scale: float = 1.0,
        timeout: float = 10.0,
        schedule: Sequence[float] = RETRY_SCHEDULE,
    ) -> None:
        if retry_scale < 0:
            raise ValueError("webhook retry scale must be >= 0")
        self._clock = clock
        self._target = target
        self.retry_scale = float(retry_scale)
        self.timeout = float(timeout)
        self.schedule = tuple(float(s) for s in schedule)
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Job]] = []
        self._seq = itertools.count()
        self._inflight = 0
        self._stopping = False
        self._attempts: list[DeliveryAttempt] = []
        self._dead: list[DeadLetter] = []
        self._thread: Optional[threading.Thread] = None
        self._client = DeliveryClient(user_agent=USER_AGENT, timeout=self.timeout)

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Start the delivery thread (a daemon)."""
        with self._cond:
            if self._thread is not None:
                return
            self._stopping = False
            self._thread = threading.Thread(
                target=self._run, name="invo-sandbox-webhooks", daemon=True
            )
            self._thread.start()

    def stop(self, timeout: Optional[float] = None) -> None:
        """Stop delivering; pending deliveries are dropped. Joins the thread."""
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
            thread = self._thread
            self._thread = None
        if thread is not None:
            thread.join(self.timeout + 2.0 if timeout is None else timeout)

    # -- queue ------------------------------------------------------------------------------

    def enqueue(self, event: dict[str, Any], *, delay: float = 0.0) -> None:
        """Queue ``event`` for delivery after ``delay`` sandbox seconds."""
        with self._cond:
            due = self._clock.now() + delay
            heapq.heappush(self._heap, (due, next(self._seq), _Job(dict(event))))
            self._cond.notify_all()

    def poke(self) -> None:
        """Re-check due times (call after the sandbox clock moved)."""
        with self._cond:
            self._cond.notify_all()

    def clear(self) -> None:
        """Drop pending deliveries and forget the logs."""
        with self._cond:
            self._heap.clear()
            self._attempts.clear()
            self._dead.clear()
            self._cond.notify_all()

    @property
    def pending(self) -> int:
        """Deliveries queued or in flight (including retries scheduled for later)."""
        with self._cond:
            return len(self._heap) + self._inflight

    @property
    def attempts(self) -> list[DeliveryAttempt]:
        """Every attempt so far, oldest first."""
        with self._cond:
            return list(self._attempts)

    @property
    def dead_letters(self) -> list[DeadLetter]:
        """Events that exhausted the schedule."""
        with self._cond:
            return list(self._dead)

    def take_dead_letters(self) -> list[DeadLetter]:
        """Remove and return the dead letters (to replay them)."""
        with self._cond:
            dead, self._dead = self._dead, []
            return dead

    def wait_idle(self, timeout: float) -> bool:
        """Wait until nothing is in flight or due now; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                due_now = bool(self._heap) and self._heap[0][0] <= self._clock.now()
                if not due_now and self._inflight == 0:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(min(remaining, 0.05))

    def wait_for(
        self, predicate: Callable[[DeliveryAttempt], bool], timeout: float
    ) -> Optional[DeliveryAttempt]:
        """Wait for an attempt matching ``predicate``; ``None`` on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for attempt in self._attempts:
                    if predicate(attempt):
                        return attempt
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(min(remaining, 0.05))

    # -- the thread -------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        finally:
            self._client.close()

    def _loop(self) -> None:
        while True:
            with self._cond:
                while not self._stopping:
                    if self._heap:
                        wait = self._heap[0][0] - self._clock.now()
                        if wait <= 0:
                            break
                        self._cond.wait(min(wait, 0.5))
                    else:
                        self._cond.wait(0.5)
                if self._stopping:
                    return
                _, _, job = heapq.heappop(self._heap)
                self._inflight += 1
            try:
                self._deliver(job)
            except Exception:  # noqa: S110  (a broken delivery must not kill the worker)
                pass
            finally:
                with self._cond:
                    self._inflight -= 1
                    self._cond.notify_all()

    def _deliver(self, job: _Job) -> None:
        event_type = str(job.event.get("event_type", ""))
        target = self._target(event_type)
        if target is None:
            return  # unsubscribed (or the endpoint was removed) since it was queued
        job.attempts += 1
        first = job.attempts == 1 and "event_id" in job.event
        event_id = str(job.event["event_id"]) if first else str(uuid.uuid4())
        delivery = build_delivery(
            {**job.event, "event_id": event_id},
            secrets=target.secrets,
            timestamp=int(time.time()),
            secret_version=target.secret_version,
            gzip=target.gzip,
            attempt=job.attempts,
        )
        status, error = self._client.post(target.url, delivery)
        self._settle(job, target, delivery, status, error)

    def _settle(
        self,
        job: _Job,
        target: DeliveryTarget,
        delivery: WebhookDelivery,
        status: Optional[int],
        error: Optional[str],
    ) -> None:
        """Log the attempt, then schedule the retry or dead-letter the event."""
        delivered = status is not None and 200 <= status < 300
        retries_done = job.attempts - 1
        dead = not delivered and retries_done >= len(self.schedule)
        delay: Optional[float] = None
        if not delivered and not dead:
            delay = self.schedule[retries_done] * self.retry_scale
        record = DeliveryAttempt(
            event_type=delivery.headers["X-Invo-Event-Type"],
            idempotency_key=delivery.idempotency_key,
            event_id=delivery.headers["X-Invo-Event-Id"],
            attempt=job.attempts,
            url=target.url,
            status=status,
            error=error,
            delivered=delivered,
            dead_lettered=dead,
            next_attempt_in=delay,
            headers={**delivery.headers, "User-Agent": USER_AGENT},
            body=delivery.signed_body,
            at=time.time(),
        )
        with self._cond:
            self._attempts.append(record)
            if dead:
                self._dead.append(DeadLetter(dict(job.event), job.attempts, error or ""))
            elif delay is not None and not self._stopping:
                due = self._clock.now() + delay
                heapq.heappush(self._heap, (due, next(self._seq), job))
            self._cond.notify_all()
