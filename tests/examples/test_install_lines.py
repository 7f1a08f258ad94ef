"""Every install command the docs give installs this code, never the index's `invonetwork`.

The package index serves a different project under the name ``invonetwork``; until this SDK is
released there, a command that names the package (``pip install invonetwork``, ``-U``, a
version pin) would replace it with that code. Commands are read from the fenced blocks of the
Markdown files and from every line of the Python files (docstrings show commands too).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
INSTALL = re.compile(r"\bpip3?\s+install\s+(?P<rest>[^\n`]*)")
BY_NAME = re.compile(r"^invonetwork(?:\[[^\]]*\])?(?:[=<>!~]=?.*)?$", re.IGNORECASE)


def _markdown_code(text: str) -> list[str]:
    lines, inside, fence = [], False, ""
    for line in text.splitlines():
        match = FENCE.match(line)
        if match and (not inside or match.group(1)[0] == fence[0]):
            inside, fence = (not inside), match.group(1)
            continue
        if inside:
            lines.append(line)
    return lines


def _sources() -> list[tuple[str, list[str]]]:
    found = []
    for path in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob(
            "*.md"))]:
        found.append((path.relative_to(ROOT).as_posix(),
                      _markdown_code(path.read_text(encoding="utf-8"))))
    for folder in ("examples", "src", "scripts", "bench"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            found.append((path.relative_to(ROOT).as_posix(),
                          path.read_text(encoding="utf-8").splitlines()))
    return found


def installs_by_name(line: str) -> bool:
    """Whether a shell line installs the package by its index name."""
    for match in INSTALL.finditer(line):
        command = re.split(r"&&|\|\||;|\|| #", match["rest"])[0]
        try:
            words = shlex.split(command)
        except ValueError:
            words = command.split()
        if any(BY_NAME.match(word) for word in words if not word.startswith("-")):
            return True
    return False


def test_the_check_tells_names_from_paths() -> None:
    for bad in ("python -m pip install invonetwork", "pip install -U invonetwork flask",
                "pip install 'invonetwork[dev]'", "pip install invonetwork==0.1.0 && x",
                "py -m pip install invonetwork"):
        assert installs_by_name(bad), bad
    for good in ("python -m pip install . && python examples/quickstart.py",
                 "python -m pip install ./invonetwork-python flask",
                 'python -m pip install -e ".[dev,docs]"',
                 "python -m pip install dist/invonetwork-*.whl",
                 "pip install atheris", "pip install invonetwork-python/"):
        assert not installs_by_name(good), good


@pytest.mark.parametrize(("name", "lines"), _sources(), ids=lambda value: str(value)[:60])
def test_no_install_command_names_the_package(name: str, lines: list[str]) -> None:
    bad = [line.strip() for line in lines if installs_by_name(line)]
    assert not bad, f"{name} installs the index's invonetwork, not this code: {bad}"


def test_the_install_pages_say_why() -> None:
    for page in ("README.md", "docs/getting-started.md", "docs/index.md",
                 "docs/guides/flask.md", "docs/guides/django.md", "docs/guides/fastapi.md"):
        text = (ROOT / page).read_text(encoding="utf-8")
        assert "different project" in text, page
        assert "git clone https://github.com/invonetwork/invonetwork-python" in text, page
