"""``usage_subscriptions.py`` (a user's calls to every namespace method) passes mypy --strict."""

from __future__ import annotations

import importlib.util
import pathlib
import subprocess
import sys

import pytest

USAGE = pathlib.Path(__file__).resolve().parent / "usage_subscriptions.py"


@pytest.mark.skipif(importlib.util.find_spec("mypy") is None, reason="mypy is not installed")
def test_namespace_usage_type_checks_strictly() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", str(USAGE)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
