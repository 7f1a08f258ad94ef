"""The issue's "done when": a year of renewals, a failed payment, past due, recovery and a
cancellation, driven by the sandbox clock over real HTTP, each webhook asserted.

The test lives in ``examples/subscription_billing.py`` (``docs/subscriptions.md`` includes it) and
runs here. Its wall time is measured by ``bench/subscriptions_year.py``, never asserted.
"""

from __future__ import annotations

import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))

from subscription_billing import test_a_year_of_renewals  # noqa: E402, F401  (collected and run here)
