"""How long building a result from an answer takes (run by hand; numbers in docs/performance.md).

    .venv/bin/python bench/bench_results.py

Every result is built by one generic reader from its field descriptions
(``invonetwork._results.read``); this times it on a small answer and on one with nested rows.
"""

from __future__ import annotations

import timeit

from invonetwork import DestinationsResult, PurchaseItemResult

ITEM = {"status": "success", "transaction_id": "t", "order_id": "o", "new_balance": "5.00",
        "financial_breakdown": {"fee": "0.1"}}
GAMES = [{"game_id": i, "game_name": "G", "currency_name": "C", "minimum_transfer": "1.00"}
         for i in range(10)]
DESTINATIONS = {"status": "success", "available_games": GAMES, "total_destinations": 10}


def per_call(fn: object, number: int = 20000) -> float:
    """Microseconds per call, best of five rounds."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6  # type: ignore[arg-type]


def main() -> None:
    item = per_call(lambda: PurchaseItemResult.from_body(ITEM))
    destinations = per_call(lambda: DestinationsResult.from_body(DESTINATIONS, direction="send"))
    print(f"PurchaseItemResult (7 fields): {item:.1f} us")
    print(f"DestinationsResult (12 fields, 10 nested games of 17): {destinations:.1f} us")


if __name__ == "__main__":
    main()
