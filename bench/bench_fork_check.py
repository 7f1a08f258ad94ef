"""What the per-call fork check costs: ``ProcessLocal.get()`` against a bare attribute read.

Run by hand: ``python bench/bench_fork_check.py``. The result is written in
``docs/performance.md``; nothing in CI asserts a speed.
"""

from __future__ import annotations

import statistics
import timeit

from invonetwork._fork import ProcessLocal


class _Holder:
    def __init__(self) -> None:
        self.value = object()


def _per_call_ns(stmt: str, namespace: dict[str, object], number: int = 1_000_000) -> float:
    rounds = timeit.repeat(stmt, globals=namespace, number=number, repeat=7)
    return statistics.median(rounds) / number * 1e9


def main() -> None:
    """Print the median cost per call of each way to reach the session."""
    local = ProcessLocal(object)
    holder = _Holder()
    bare = _per_call_ns("holder.value", {"holder": holder})
    checked = _per_call_ns("local.get()", {"local": local})
    print(f"bare attribute read     : {bare:7.1f} ns")
    print(f"ProcessLocal.get()      : {checked:7.1f} ns")
    print(f"cost of the fork check  : {checked - bare:7.1f} ns per call")


if __name__ == "__main__":
    main()
