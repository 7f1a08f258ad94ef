"""What OpenTelemetry costs per SDK call: off (not imported), installed but unconfigured, on.

Run by hand: ``python bench/bench_otel.py [calls] [--baseline SRC]``; with ``--baseline`` a
fourth mode runs the "off" case on another source tree (a checkout without telemetry). Each
mode runs in a fresh process against the same loopback server
(``tests/reliability/echo_token_server.py``, one write per answer),
``mint_player_token`` sequentially; medians of 5 interleaved rounds. Results are written in
``docs/performance.md``; nothing in CI asserts a speed.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "reliability" / "echo_token_server.py"

SETUP = {
    "off (opentelemetry not imported)": "",
    "imported, no provider configured": "import opentelemetry.trace, opentelemetry.metrics",
    "on: SDK tracer + meter, in-memory": """
        from opentelemetry import metrics, trace
        from opentelemetry.sdk.metrics import MeterProvider
        from opentelemetry.sdk.metrics.export import InMemoryMetricReader
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import SimpleSpanProcessor
        from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))
    """,
}


def _round(setup: str, url: str, calls: int, src: str = "") -> float:
    code = textwrap.dedent(setup) + textwrap.dedent(f"""
        import time
        from invonetwork import InvoServer
        invo = InvoServer("ivsdk_test_bench", "{url}", max_retries=0)
        invo.mint_player_token(player_email="warm@example.com")
        started = time.perf_counter()
        for i in range({calls}):
            invo.mint_player_token(player_email="p@example.com")
        print({calls} / (time.perf_counter() - started))
    """)
    env = None
    if src:
        import os

        env = dict(os.environ, PYTHONPATH=src)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=600, env=env)
    return float(out.stdout.strip())


def main() -> None:
    """Print calls/s per mode."""
    args = sys.argv[1:]
    baseline = ""
    if "--baseline" in args:
        at = args.index("--baseline")
        baseline = str(Path(args[at + 1]).resolve())
        del args[at : at + 2]
    calls = int(args[0]) if args else 3000
    modes = dict(SETUP)
    if baseline:
        modes["baseline tree, off"] = ""
    server = subprocess.Popen([sys.executable, str(SERVER), "900", "10000000"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{int(server.stdout.readline())}"
        results: dict[str, list[float]] = {mode: [] for mode in modes}
        for _ in range(5):
            for mode, setup in modes.items():
                src = baseline if mode == "baseline tree, off" else ""
                results[mode].append(_round(setup, url, calls, src))
    finally:
        server.terminate()
        server.wait(10)
    base = statistics.median(results[next(iter(SETUP))])
    for mode, values in results.items():
        median = statistics.median(values)
        print(f"{mode:36s} {median:8.0f} calls/s  {1e6 / median:7.1f} us/call  "
              f"{median / base:5.2f}x")


if __name__ == "__main__":
    main()
