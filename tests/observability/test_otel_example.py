"""examples/otel_tracing.py, run as the docs show it, in its own process.

It sets the global OpenTelemetry providers, which can be set once per process and would make
every later SDK call in the test process record spans: so it runs in a subprocess, against
the sandbox.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("opentelemetry.sdk", reason="the otel tests need opentelemetry-sdk (dev)")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_the_example_records_nested_spans_and_metrics() -> None:
    code = textwrap.dedent(f"""
        import json, sys
        sys.path.insert(0, {str(EXAMPLES)!r})
        from invonetwork.sandbox import Sandbox
        import otel_tracing
        with Sandbox(players=[{{"email": "ada@example.com", "balance": "500"}}]) as sandbox:
            with sandbox.client() as invo:
                names = otel_tracing.read_balance_traced(invo, "ada@example.com")
        print(json.dumps({{"spans": names, "metrics": sorted(otel_tracing.metric_names())}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["spans"] == [
        "GET /api/player-balances/player/by-email/{player_email}",
        "invo.get_player_balance",
        "shop.show_wallet",
    ]
    assert result["metrics"] == [
        "http.client.request.duration",
        "invo.client.operation.duration",
    ]
