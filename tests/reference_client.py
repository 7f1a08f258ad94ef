"""Shared by the tests that compare this SDK with INVO's own client (3.30.1).

``INVO_REFERENCE_CLIENT`` names a folder holding INVO's ``invonetwork`` package (an unpacked
wheel); without it those tests are skipped. Each area runs its own driver script in a
subprocess (both packages are called ``invonetwork``, so they never meet in one process).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

REFERENCE = os.environ.get("INVO_REFERENCE_CLIENT", "")


def needs_reference(module: str) -> pytest.MarkDecorator:
    """Skip unless the reference package (with ``invonetwork/<module>``) is at hand."""
    return pytest.mark.skipif(
        not (REFERENCE and (Path(REFERENCE) / "invonetwork" / module).is_file()),
        reason="INVO_REFERENCE_CLIENT does not name a folder with INVO's invonetwork package",
    )


def run_driver(driver: Path, reference: bool, *args: str) -> tuple[list[Any], str]:
    """Run ``driver`` on INVO's client (``reference``) or this SDK; its JSON lines, stderr."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if reference:
        env["PYTHONPATH"] = REFERENCE
    done = subprocess.run([sys.executable, str(driver), *args], env=env, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()], done.stderr


def assert_same_attributes(ours: Any, theirs: Any, where: str,
                           decided: Mapping[str, tuple[Any, Any]] = {}) -> None:
    """Every attribute INVO's result has, with the same value, on ours.

    ``decided`` names the places where this SDK reads a value differently on purpose:
    ``where -> (ours, theirs)``. A view that is only a mapping (``{"__mapping__": ...}``)
    must be the same mapping.
    """
    if where in decided:
        assert (ours, theirs) == decided[where], where
        return
    if isinstance(theirs, dict) and "__mapping__" in theirs and len(theirs) == 1:
        assert isinstance(ours, dict) and ours.get("__mapping__") == theirs["__mapping__"], where
        return
    if isinstance(theirs, dict):
        for name, value in theirs.items():
            assert isinstance(ours, dict) and name in ours, f"{where}: no {name}"
            assert_same_attributes(ours[name], value, f"{where}.{name}", decided)
    elif isinstance(theirs, list):
        assert isinstance(ours, list) and len(ours) == len(theirs), where
        for index, (mine, its) in enumerate(zip(ours, theirs)):
            assert_same_attributes(mine, its, f"{where}[{index}]", decided)
    else:
        assert ours == theirs, f"{where}: {ours!r} != INVO's {theirs!r}"
