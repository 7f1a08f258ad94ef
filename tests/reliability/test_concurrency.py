"""32 threads share one InvoServer for a few thousand calls while the server injects faults.

Each call picks a fault at random (or none) and registers it under its own token; the server
applies it to the first arrival of that token only. So every call's fate is known in
advance: an idempotent call survives a retryable fault on its second attempt, a
non-idempotent one reports it. The test then checks, per call, the result or the error,
that the echoed token is the call's own, and the server's attempt count; and, for the
pool, that the number of TCP connections stays near the pool size.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Optional

import faultserver as fs
from method_cases import METHODS, new_token
from reliability_config import LONG_FUZZ

from invonetwork import InvoError
from invonetwork.errors import (
    BadRequestError,
    InvalidResponseError,
    NetworkError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)

THREADS = 32
CALLS_PER_THREAD = 400 if LONG_FUZZ else 100
FAULT_RATE = 0.2


@dataclass(frozen=True)
class Injected:
    name: str
    make: Callable[[], Callable[..., bool]]
    error: type[InvoError]
    retryable: bool
    kills_connection: bool
    stalls: bool = False


INJECTED = (
    Injected("reset_before_read", fs.reset_before_read, NetworkError, True, True),
    Injected("reset_after_read", fs.reset_after_read, NetworkError, True, True),
    Injected("close_after_read", fs.close_after_read, NetworkError, True, True),
    Injected("reset_mid_body", fs.reset_mid_body, NetworkError, True, True),
    Injected("html_502", lambda: fs.status(502, b"<html>bad gateway</html>"), ServerError,
             True, False),
    Injected("paused_503", lambda: fs.json_body(503, {"error": "flow_paused"}), ServerError,
             True, False),
    Injected("429", lambda: fs.json_body(429, {"error": "slow", "retry_after": 0.01}),
             RateLimitError, True, False),
    Injected("400", lambda: fs.json_body(400, {"error": "bad", "code": "INVALID_INPUT"}),
             BadRequestError, False, False),
    Injected("truncated_200", lambda: fs.status(200, b'{"tok', "application/json"),
             InvalidResponseError, False, False),
    Injected("stall", lambda: fs.stall(3.0), RequestTimeoutError, True, True, stalls=True),
)


@dataclass
class Outcome:
    method: str
    token: str
    injected: Optional[Injected]
    echoed: Any = None
    error: Optional[BaseException] = None


def test_32_threads_with_random_faults(server: fs.FaultServer, make_client: Any) -> None:
    planned: dict[str, Callable[..., bool]] = {}
    # The first arrival of a token takes its planned fault (dict.pop is atomic).
    server.set_plan(lambda request: planned.pop(request.token or "", None) or fs.ok())
    client = make_client(server.url, timeout=(5.0, 5.0), retry_base_delay=0.005)
    stalled = client.with_options(timeout=(5.0, 1.0))  # same pool, a short read timeout
    outcomes: list[Outcome] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(seed: int) -> None:
        rng = random.Random(seed)
        mine: list[Outcome] = []
        start.wait()
        for _ in range(CALLS_PER_THREAD):
            method = rng.choice(METHODS)
            token = new_token()
            injected = rng.choice(INJECTED) if rng.random() < FAULT_RATE else None
            if injected is not None and injected.stalls and rng.random() > 0.1:
                injected = None  # stalls cost a second each: keep them rare
            outcome = Outcome(method.name, token, injected)
            if injected is not None:
                planned[token] = injected.make()
            via = stalled if injected is not None and injected.stalls else client
            try:
                outcome.echoed = method.echo_of(method.call(via, token))
            except BaseException as exc:  # judged below, per call
                outcome.error = exc
            mine.append(outcome)
        with lock:
            outcomes.extend(mine)

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    idempotent = {m.name: m.idempotent for m in METHODS}
    unexpected: list[str] = []
    for o in outcomes:
        retried = o.injected is not None and o.injected.retryable and idempotent[o.method]
        fails = o.injected is not None and not retried
        attempts = server.settled_count(o.token, 1)
        want_attempts = 2 if retried else 1
        if attempts != want_attempts:
            unexpected.append(f"{o.method}/{o.injected and o.injected.name}: "
                              f"{attempts} attempts, expected {want_attempts}")
        if fails:
            assert o.injected is not None
            if not isinstance(o.error, o.injected.error):
                unexpected.append(f"{o.method}/{o.injected.name}: got {o.error!r}")
        elif o.error is not None:
            unexpected.append(f"{o.method}/{o.injected and o.injected.name}: {o.error!r}")
        elif o.echoed != o.token:
            unexpected.append(f"{o.method}: answer {o.echoed!r} is not for {o.token}")
    assert unexpected == [], "\n".join(unexpected[:20])
    assert len(outcomes) == THREADS * CALLS_PER_THREAD

    kinds = Counter(o.injected.name for o in outcomes if o.injected is not None)
    killed = sum(n for name, n in kinds.items()
                 if next(i for i in INJECTED if i.name == name).kills_connection)
    pool_size = 32  # InvoServer's default pool_size
    slack = 8
    # A connection ends only when a fault kills it; otherwise the pool keeps reusing it.
    assert server.connections_accepted <= pool_size + killed + slack, (
        server.connections_accepted, killed)
    assert server.peak_open_connections <= pool_size + slack
    print(f"\nconcurrency: {len(outcomes)} calls, {sum(kinds.values())} faults injected "
          f"({dict(kinds)}), {server.count()} requests arrived, "
          f"{server.connections_accepted} connections accepted ({killed} killed by faults), "
          f"peak {server.peak_open_connections} open")
