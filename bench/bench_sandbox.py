"""The local sandbox's speed through the SDK, next to the same calls mocked (run by hand).

    python bench/bench_sandbox.py            # about 30 s
    python bench/bench_sandbox.py --quick    # fewer rounds, for a smoke run

Prints medians over interleaved rounds of:

- ``get_player_balance`` and ``purchase_item`` calls per second through one ``InvoServer``
  against a running ``Sandbox`` (real HTTP on 127.0.0.1, one keep-alive connection), next to
  the same calls answered by ``responses`` (no socket at all: the ceiling of the client);
- ``Sandbox()`` + ``start()`` + ``stop()`` wall time (median of many);
- signed webhook deliveries per second from the sandbox's delivery worker to a
  ``WebhookReceiver`` on 127.0.0.1.

Client and server share one process, so on this machine everything runs on one core's worth
of GIL: the figures are what a test suite sees.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable

import requests
import responses

from invonetwork import InvoServer
from invonetwork.sandbox import Sandbox, WebhookReceiver

SECRET = "ivsdk_test_" + "0" * 32
MOCK_BASE = "http://127.0.0.1:9/sandbox"
BALANCE_PATH = "/api/player-balances/player/by-email/ada%40example.com"
ITEM_PATH = "/api/item-purchases/purchase-item"
PLAYER = {"email": "ada@example.com", "name": "Ada", "balance": "100000000"}


def _balance_call(invo: InvoServer, i: int) -> None:
    invo.get_player_balance(player_email="ada@example.com")


def _purchase_call(invo: InvoServer, i: int) -> None:
    invo.purchase_item(
        client_request_id=f"bench-{time.perf_counter_ns()}-{i}", player_email="ada@example.com",
        player_name="Ada", item_id="sword", item_name="Sword", item_quantity=1,
        unit_price="1.00", total_price="1.00",
    )


def _rate(call: Callable[[InvoServer, int], None], invo: InvoServer, n: int) -> tuple[float, float]:
    """``(calls per wall second, calls per CPU second of this process)``."""
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        call(invo, i)
    return n / (time.perf_counter() - started), n / (time.process_time() - cpu)


def _captured_bodies(sb: Sandbox) -> tuple[dict[str, object], dict[str, object]]:
    """A real balance answer and a real item-purchase answer from the sandbox."""
    headers = {"X-Game-Secret-Key": sb.game_secret, "User-Agent": "bench"}
    balance = requests.get(sb.base_url + BALANCE_PATH, headers=headers, timeout=5).json()
    item = requests.post(sb.base_url + ITEM_PATH, headers=headers, timeout=5, json={
        "client_request_id": "capture", "player_email": "ada@example.com",
        "player_name": "Ada", "item_id": "sword", "item_name": "Sword",
        "item_quantity": 1, "unit_price": "1.00", "total_price": "1.00",
    }).json()
    return balance, item


@contextmanager
def _mocked(balance: dict[str, object], item: dict[str, object]) -> Iterator[InvoServer]:
    """An InvoServer whose answers come from ``responses`` (no socket)."""
    invo = InvoServer(SECRET, MOCK_BASE)
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.add(responses.GET, MOCK_BASE + BALANCE_PATH, json=balance)
        mock.add(responses.POST, MOCK_BASE + ITEM_PATH, json=item)
        yield invo
    invo.close()


def _round(label: str, live: InvoServer, bodies: tuple[dict[str, object], dict[str, object]],
           n: int, results: dict[str, list[tuple[float, float]]]) -> None:
    for name, call in (("balance", _balance_call), ("purchase", _purchase_call)):
        if label == "sandbox":
            rate = _rate(call, live, n)
        else:
            with _mocked(*bodies) as mocked:
                call(mocked, -1)
                rate = _rate(call, mocked, n)
        results.setdefault(f"{name} {label}", []).append(rate)


def bench_calls(rounds: int, n: int) -> dict[str, tuple[float, float]]:
    """Median calls/s (wall, CPU) of each (call, backend) pair over interleaved rounds."""
    results: dict[str, list[tuple[float, float]]] = {}
    with Sandbox(players=[PLAYER]) as sb:
        bodies = _captured_bodies(sb)
        live = sb.client()
        _balance_call(live, -1)
        _purchase_call(live, -1)
        for r in range(rounds):
            order = ["sandbox", "responses"] if r % 2 == 0 else ["responses", "sandbox"]
            for label in order:
                _round(label, live, bodies, n, results)
        live.close()
    return {
        key: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
        for key, values in results.items()
    }


def bench_start_stop(n: int) -> dict[str, float]:
    """Median, p90 and max milliseconds of Sandbox() + start() + stop()."""
    times = []
    for _ in range(n):
        started = time.perf_counter()
        sb = Sandbox()
        sb.start()
        sb.stop()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"median": statistics.median(times), "p90": times[int(len(times) * 0.9)],
            "max": times[-1]}


def bench_deliveries(rounds: int, n: int) -> float:
    """Median deliveries/s from the sandbox's worker to a local receiver."""
    rates = []
    with WebhookReceiver() as rx, Sandbox() as sb:
        sb.set_webhook_url(rx.url, ["webhook.test"])
        for _ in range(rounds):
            before = len(rx.received)
            started = time.perf_counter()
            for _ in range(n):
                sb.emit_event("webhook.test", {"message": "bench"})
            rx.wait_for(before + n, timeout=120)
            rates.append(n / (time.perf_counter() - started))
    return statistics.median(rates)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    rounds, n = (3, 300) if quick else (7, 1000)
    print(f"python {sys.version.split()[0]}; {rounds} rounds of {n} calls, medians; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    calls = bench_calls(rounds, n)
    print("calls/s per wall second (per CPU second of the process, i.e. on one core)")
    for name in ("balance", "purchase"):
        (live, live_cpu), (mocked, mocked_cpu) = calls[f"{name} sandbox"], calls[
            f"{name} responses"]
        print(f"{name:9} sandbox {live:6.0f} ({live_cpu:6.0f})   responses {mocked:6.0f} "
              f"({mocked_cpu:6.0f})   ratio {live / mocked:.2f} ({live_cpu / mocked_cpu:.2f})")
    stops = bench_start_stop(30 if quick else 200)
    print("Sandbox() start+stop ms: " + ", ".join(f"{k} {v:.2f}" for k, v in stops.items()))
    print(f"deliveries/s to a WebhookReceiver: {bench_deliveries(rounds, n):.0f}")


if __name__ == "__main__":
    main(sys.argv[1:])
