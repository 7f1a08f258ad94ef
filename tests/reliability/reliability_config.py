"""Settings shared by the reliability tests (kept out of conftest.py, which is not importable
by name reliably when several test folders each have one)."""

from __future__ import annotations

import os

__all__ = ["LONG_FUZZ", "SECRET"]

# INVO_LONG_FUZZ=1 multiplies the hypothesis example counts and the concurrency load.
LONG_FUZZ = os.environ.get("INVO_LONG_FUZZ") == "1"
SECRET = "ivsdk_test_reliability_suite_secret"
