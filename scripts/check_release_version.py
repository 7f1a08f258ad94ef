"""Refuse to release a version that sorts at or below one users may already have installed.

The package index already serves releases named ``invonetwork`` from a different project, up
to 3.30.1. pip picks the highest version it can see, so a release of this SDK numbered below
that would never be installed by ``pip install -U``, and users who have the other project
would keep it. Every release must therefore sort above ``FLOOR`` (and above every earlier
release of ours, which the tag history enforces).

    python scripts/check_release_version.py            # checks pyproject.toml's version
    python scripts/check_release_version.py 4.0.0     # checks the given version

Exit 0 when the version is above the floor, 1 otherwise. Standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parents[1]
#: Highest version under this name on the package index that is not ours (2026-12).
FLOOR = "3.30.1"

_VERSION = re.compile(
    r"^v?(?P<release>[0-9]+(?:\.[0-9]+)*)"
    r"(?:(?P<pre>a|b|rc)(?P<pre_n>[0-9]+))?"
    r"(?:\.post(?P<post>[0-9]+))?"
    r"(?:\.dev(?P<dev>[0-9]+))?$"
)
_PRE_ORDER = {"a": 0, "b": 1, "rc": 2}


def sort_key(version: str) -> tuple[tuple[int, ...], tuple[int, int], int, tuple[int, int]]:
    """A key that orders PEP 440 versions of the forms this project uses (no epochs, no local)."""
    match = _VERSION.match(version.strip())
    if match is None:
        raise ValueError(f"not a release version: {version!r}")
    release = tuple(int(part) for part in match["release"].split("."))
    release = release + (0,) * (8 - len(release))
    # Pre-releases sort below the release; dev releases below everything else of the release.
    if match["pre"]:
        pre = (_PRE_ORDER[match["pre"]], int(match["pre_n"]))
    elif match["dev"] and not match["post"]:
        pre = (-1, 0)
    else:
        pre = (3, 0)
    post = int(match["post"]) if match["post"] else -1
    dev = (0, int(match["dev"])) if match["dev"] else (1, 0)
    return release, pre, post, dev


def project_version(root: Path = ROOT) -> str:
    """``version`` of the ``[project]`` table of pyproject.toml (no TOML parser needed)."""
    text = (root / "pyproject.toml").read_text(encoding="utf-8")
    project = text.split("[project]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', project, re.MULTILINE)
    if match is None:
        raise ValueError("pyproject.toml has no [project] version")
    return match.group(1)


def main(argv: Optional[list[str]] = None) -> int:
    """Check the version given, or pyproject.toml's; print why it may or may not ship."""
    args = sys.argv[1:] if argv is None else argv
    version = args[0] if args else project_version()
    try:
        ok = sort_key(version) > sort_key(FLOOR)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print(f"error: version {version} does not sort above {FLOOR}, the highest release "
              "of the other project named invonetwork on the package index; pip would keep "
              "or pick that one. Release 4.0.0 or higher (see CONTRIBUTING.md, Releasing).",
              file=sys.stderr)
        return 1
    print(f"version {version} sorts above {FLOOR}: fine to release")
    return 0


if __name__ == "__main__":
    sys.exit(main())
