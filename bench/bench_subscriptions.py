"""Wall time of a year of subscription billing in the local sandbox (run by hand).

Drives the same flow as ``examples/subscription_billing.py::test_a_year_of_renewals`` (12
renewals by the sandbox clock, a failed payment, past due, recovery, cancellation, retirement)
over real HTTP, with every webhook delivered to a local receiver, and prints the median of
several rounds. Results go in ``docs/performance.md``; no test asserts a time.

    python bench/bench_subscriptions.py [rounds]
"""

from __future__ import annotations

import statistics
import sys
import time

from invonetwork.sandbox import Sandbox, WebhookReceiver


def one_year(rx: WebhookReceiver) -> float:
    """Seconds for the whole flow, sandbox start and stop included."""
    started = time.perf_counter()
    with Sandbox(players=[{"email": "ada@example.com"}], webhook_url=rx.url) as sb:
        invo = sb.client()
        sb.save_card("ada@example.com")
        sid = invo.subscriptions.create(
            client_request_id="bench", player_email="ada@example.com", player_name="Ada",
            item_id="vip", amount_usd="9.99").subscription.subscription_id  # type: ignore[union-attr]
        clock = invo.sandbox.subscriptions
        for _ in range(12):
            clock.advance_clock(sid)
        clock.force_failure(sid)
        clock.advance_clock(sid, 0)
        invo.subscriptions.cancel(sid)
        clock.advance_clock(sid)
        assert sb.flush_webhooks(10.0)
        invo.close()
    return time.perf_counter() - started


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 9
    with WebhookReceiver() as rx:
        one_year(rx)  # warm-up: imports, first connections
        times = [one_year(rx) for _ in range(rounds)]
    print(f"year of renewals, {rounds} rounds: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
