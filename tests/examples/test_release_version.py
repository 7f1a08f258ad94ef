"""scripts/check_release_version.py: a release must sort above every version users may have."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_release_version", ROOT / "scripts" / "check_release_version.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


check = _load()


@pytest.mark.parametrize("version", ["4.0.0", "3.30.2", "3.31", "4.0.0rc1", "v4.0.0",
                                     "10.0.0", "4.0.0.post1"])
def test_versions_above_the_floor_may_ship(version: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([version]) == 0
    assert "fine to release" in capsys.readouterr().out


@pytest.mark.parametrize("version", ["0.1.0", "1.2.3", "3.30.1", "3.30.0", "3.30.1rc1",
                                     "3.9.99", "3.30.1.dev4", "not-a-version"])
def test_versions_at_or_below_the_floor_are_refused(version: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert check.main([version]) == 1
    assert "error:" in capsys.readouterr().err


def test_the_ordering_is_pep_440s_for_our_forms() -> None:
    ordered = ["3.30.1", "3.30.2.dev1", "3.30.2a1", "3.30.2b2", "3.30.2rc1", "3.30.2",
               "3.30.2.post1", "3.31", "4.0.0"]
    assert sorted(ordered, key=check.sort_key) == ordered
    assert check.sort_key("4") == check.sort_key("4.0.0")


def test_it_reads_the_version_of_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\n\n[project]\nname = "x"\nversion = "4.1.0"\n'
        '\n[tool.x]\nversion = "0.0.1"\n', encoding="utf-8")
    assert check.project_version(tmp_path) == "4.1.0"
    assert check.project_version() == check.project_version(ROOT)
