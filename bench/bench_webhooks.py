"""Verify cost next to a bare HMAC + json.loads of the same body (run by hand).

    python bench/bench_webhooks.py

Prints, for 1 KB and 64 KB bodies, the median per-call time of ``verify_webhook`` and of the
bare baseline (``hmac.new`` over prefix and body, ``compare_digest``, ``json.loads``),
measured with ``timeit`` in interleaved, back-to-back repetitions (alternating which goes
first) so that drift and noise hit both alike; the ratio reported is the median of the
per-repetition ratios.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import statistics
import time
import timeit
from typing import Any, Callable

from invonetwork.testing import WebhookDelivery, build_webhook_delivery
from invonetwork.webhooks import verify_webhook

SECRET = "whsec_bench_secret_value_0123456789"


def _delivery(size: int) -> WebhookDelivery:
    """A signed, realistic ``purchase.completed`` delivery whose body is about ``size`` bytes."""
    data: dict[str, Any] = {
        "transaction_id": "txn_0123456789",
        "order_id": "ord_0123456789",
        "player_email": "player@example.com",
        "identity_id": "idn_0123456789",
        "usd_amount": "9.99",
        "currency_amount": "1000",
        "currency_name": "Gold",
        "new_balance": "4200.00",
        "rail": "platform",
        "metadata": {},
    }
    index = 0
    while True:
        delivery = build_webhook_delivery("purchase.completed", secret=SECRET, data=data)
        if len(delivery.body) >= size:
            return delivery
        data["metadata"][f"k{index:04d}"] = f"value-{index:06d}"
        index += 1


def _bench(size: int, number: int, repeat: int) -> tuple[float, float, float, int]:
    delivery = _delivery(size)
    body = delivery.body
    header = delivery.headers["X-Invo-Signature"]
    now = float(delivery.timestamp)
    key = SECRET.encode()
    timestamp = header.split(",")[0][2:]
    expected = bytes.fromhex(header.split("v1=")[1])

    def verify() -> None:
        verify_webhook(body, header, SECRET, now=now)

    def bare() -> None:
        mac = hmac.new(key, timestamp.encode() + b".", hashlib.sha256)
        mac.update(body)
        if not hmac.compare_digest(mac.digest(), expected):
            raise AssertionError
        json.loads(body)

    verify()
    bare()
    verify_times: list[float] = []
    bare_times: list[float] = []
    ratios: list[float] = []
    for rep in range(repeat):
        # Back to back, alternating which goes first, so drift and order hit both alike.
        pair: list[tuple[str, Callable[[], None]]] = [("verify", verify), ("bare", bare)]
        if rep % 2:
            pair.reverse()
        took = {name: timeit.timeit(func, number=number, timer=time.perf_counter) / number
                for name, func in pair}
        verify_times.append(took["verify"])
        bare_times.append(took["bare"])
        ratios.append(took["verify"] / took["bare"])
    return (statistics.median(verify_times), statistics.median(bare_times),
            statistics.median(ratios), len(body))


def main() -> None:
    """Run the benchmark and print one line per body size."""
    for size, number, repeat in ((1024, 2_000, 201), (64 * 1024, 50, 101)):
        verify, bare, ratio, length = _bench(size, number, repeat)
        print(
            f"{length:>6} B body: verify_webhook {verify * 1e6:8.2f} us  "
            f"bare hmac+json.loads {bare * 1e6:8.2f} us  "
            f"median ratio {ratio:.3f} (ratio of medians {verify / bare:.3f})"
        )


if __name__ == "__main__":
    main()
