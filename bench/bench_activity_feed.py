"""What reading the sandbox's activity feed costs as a player's history grows.

The sandbox builds the feed from its orders and movements on every read (nothing is stored
twice), so one page costs O(rows of the player). This measures one ``get_player_activity``
page and a whole ``iterate_player_activity`` walk over HTTP on 127.0.0.1, for players with
100, 1000 and 5000 rows. Run by hand: ``python bench/bench_activity_feed.py``. The result is
written in ``docs/performance.md``; nothing in CI asserts a speed.
"""

from __future__ import annotations

import statistics
import time

from invonetwork.sandbox import Sandbox


def _median_ms(fn: object, repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    """Print the median time of one page (limit 100) and of a full walk, per history size."""
    for rows in (100, 1000, 5000):
        with Sandbox(players=[{"email": "ada@example.com", "balance": rows}]) as sb, \
                sb.client() as invo:
            for n in range(rows):
                invo.purchase_item(client_request_id=f"r{n}", player_email="ada@example.com",
                                   player_name="Ada", item_id="gem", item_name="Gem",
                                   item_quantity=1, unit_price="1.00", total_price="1.00")
            page = _median_ms(lambda: invo.get_player_activity(player_email="ada@example.com",
                                                               limit=100))
            walk = _median_ms(lambda: sum(1 for _ in invo.iterate_player_activity(
                player_email="ada@example.com", page_size=100)), repeat=3)
            print(f"{rows:>5} rows: one page of 100 {page:7.1f} ms, "
                  f"whole walk {walk:8.1f} ms")


if __name__ == "__main__":
    main()
