"""The README's code must run: its sandbox tests are executed by pytest, the rest compiled."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_python_block_compiles() -> None:
    assert len(BLOCKS) >= 5
    for number, block in enumerate(BLOCKS):
        compile(block, f"README block {number}", "exec")


def test_testing_section_runs_as_a_pytest_suite(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", _section("Testing your integration"), re.DOTALL)
    assert blocks, "the Testing your integration section lost its examples"
    suite = tmp_path / "test_from_readme.py"
    suite.write_text("import pytest\n\n" + "\n\n".join(blocks), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    tests = sum(block.count("def test_") for block in blocks)
    assert f"{tests} passed" in run.stdout
