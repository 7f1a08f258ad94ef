"""scripts/audit.sh decides pass, skip or fail from pip-audit's report (fed canned reports here).

The real pip-audit run needs the vulnerability service; these tests replace the command with a
stand-in (``PIP_AUDIT_CMD``) that writes a given report or fails like an offline machine.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash")

pytestmark = pytest.mark.skipif(BASH is None or os.name == "nt", reason="needs a POSIX bash")

FAKE = """
import json, os, sys
args = sys.argv[1:]
mode = os.environ["FAKE_MODE"]
if mode == "offline":
    sys.stderr.write("requests.exceptions.ConnectionError: Max retries exceeded\\n")
    sys.exit(1)
if mode == "broken":
    sys.stderr.write("pip-audit: error: unrecognized arguments\\n")
    sys.exit(2)
out = args[args.index("--output") + 1]
with open(out, "w") as f:
    f.write(os.environ["FAKE_REPORT"])
sys.exit(1 if "vulns" in os.environ["FAKE_REPORT"] and '"id"' in os.environ["FAKE_REPORT"] else 0)
"""


def _run(tmp_path: Path, mode: str, report: object = None) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "fake_pip_audit.py"
    fake.write_text(FAKE)
    env = {**os.environ, "PYTHON": sys.executable, "FAKE_MODE": mode,
           "FAKE_REPORT": json.dumps(report or {}),
           "PIP_AUDIT_CMD": f"{sys.executable} {fake}"}
    assert BASH is not None
    return subprocess.run([BASH, str(ROOT / "scripts" / "audit.sh")], env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_clean_report_passes(tmp_path: Path) -> None:
    report = {"dependencies": [{"name": "requests", "version": "2.32.3", "vulns": []}]}
    result = _run(tmp_path, "report", report)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "audited 1 packages: no known vulnerabilities" in result.stdout


def test_a_finding_fails_and_is_listed(tmp_path: Path) -> None:
    report = {"dependencies": [
        {"name": "requests", "version": "2.0.0", "vulns": [
            {"id": "PYSEC-0000-1", "fix_versions": ["2.31.0"], "aliases": ["CVE-0000-1"]}]},
        {"name": "private-thing", "skip_reason": "not found"},
    ]}
    result = _run(tmp_path, "report", report)
    assert result.returncode == 1
    assert "AUDIT FAILED: 1 known vulnerability" in result.stdout
    assert "requests 2.0.0: PYSEC-0000-1 (CVE-0000-1); fixed in: 2.31.0" in result.stdout


def test_no_answer_for_any_package_is_a_loud_skip(tmp_path: Path) -> None:
    report = {"dependencies": [{"name": "requests", "skip_reason": "Dependency not found"}]}
    result = _run(tmp_path, "report", report)
    assert result.returncode == 0
    assert "AUDIT SKIPPED" in result.stdout and "Nothing was checked" in result.stdout


def test_an_unreachable_service_is_a_loud_skip(tmp_path: Path) -> None:
    result = _run(tmp_path, "offline")
    assert result.returncode == 0
    assert "AUDIT SKIPPED: the vulnerability service could not be reached" in result.stdout


def test_another_pip_audit_failure_fails(tmp_path: Path) -> None:
    result = _run(tmp_path, "broken")
    assert result.returncode == 1
    assert "AUDIT FAILED: pip-audit exited with 2" in result.stdout
