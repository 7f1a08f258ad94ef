"""The checkout status read, wait_for_purchase and the key lookup, timed (run by hand).

    python bench/bench_checkout.py            # about 15 s
    python bench/bench_checkout.py --quick    # fewer rounds, for a smoke run

Prints medians over rounds of:

- ``get_purchase_status`` reads per second through one ``InvoServer`` against a running
  ``Sandbox`` (real HTTP on 127.0.0.1, one keep-alive connection), next to
  ``get_player_balance`` (a game-secret read of similar size) as the reference;
- ``wait_for_purchase`` with ``interval=0``: reads per second while a session stays
  ``paid_pending_credit`` (the loop's own cost on top of the reads);
- the first request of a client built from an unprefixed key (the key-environment lookup:
  two asks, production answering 404, then the sandbox claiming it), against the same
  request once the answer is cached.

Client and server share one process: the figures are what a test suite sees.
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Callable

from invonetwork import InvoServer
from invonetwork import _environment as environment
from invonetwork.sandbox import Sandbox

QUICK = "--quick" in sys.argv
ROUNDS = 3 if QUICK else 7
CALLS = 200 if QUICK else 1000


def per_second(fn: Callable[[], object], calls: int = CALLS) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        fn()
    return calls / (time.perf_counter() - start)


def median_of(fn: Callable[[], float]) -> float:
    return statistics.median(fn() for _ in range(ROUNDS))


def main() -> None:
    with Sandbox(players=[{"email": "ada@example.com", "balance": "10"}],
                 game_secret="legacybenchkey0123456789") as sb:  # an older, unprefixed key
        with sb.client(max_retries=0) as invo:
            checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="5.00")
            sid, token = str(checkout.session_id), str(checkout.session_token)
            status = median_of(lambda: per_second(
                lambda: invo.get_purchase_status(session_id=sid, session_token=token)))
            balance = median_of(lambda: per_second(
                lambda: invo.get_player_balance(player_email="ada@example.com")))
            sb.charge_checkout(sid)
            waited = median_of(lambda: CALLS / _timed(lambda: invo.wait_for_purchase(
                session_id=sid, session_token=token, interval=0, max_attempts=CALLS)))
        # The lookup: "production" is a path of the same sandbox that answers 404.
        environment.BASES = {"production": sb.base_url + "/nowhere", "sandbox": sb.base_url}
        key = sb.game_secret
        first: list[float] = []
        cached: list[float] = []
        for _ in range(ROUNDS * 5):
            environment.forget_lookups()
            with InvoServer(key, max_retries=0) as unprefixed:
                read = unprefixed.get_player_balance
                first.append(_timed(read, player_email="ada@example.com"))
                cached.append(_timed(read, player_email="ada@example.com"))
    print(f"get_purchase_status        {status:8.0f} reads/s")
    print(f"get_player_balance (ref)   {balance:8.0f} reads/s")
    print(f"wait_for_purchase loop     {waited:8.0f} reads/s")
    print(f"first request with lookup  {statistics.median(first) * 1000:8.2f} ms")
    print(f"same request, cached       {statistics.median(cached) * 1000:8.2f} ms")


def _timed(fn: Callable[..., object], **kwargs: object) -> float:
    start = time.perf_counter()
    fn(**kwargs)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
