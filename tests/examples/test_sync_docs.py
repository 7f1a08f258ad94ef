"""scripts/sync_docs.py: the pages hold current copies of examples/, and the script works.

The first test is the drift check CI relies on: it fails when an example changed and
``python scripts/sync_docs.py`` was not run, or when a page still has an old
``--8<-- "examples/..."`` include that only MkDocs would fill in (GitHub shows the marker).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "sync_docs.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("sync_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync = _load()


def test_every_page_holds_the_current_code_of_examples() -> None:
    run = subprocess.run([sys.executable, str(SCRIPT), "--check"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, (
        "the docs are out of date with examples/: run `python scripts/sync_docs.py`\n"
        + run.stdout + run.stderr
    )
    assert "docs in sync" in run.stdout


def test_no_page_needs_mkdocs_to_show_its_code() -> None:
    for page in sync.pages(ROOT):
        text = page.read_text(encoding="utf-8")
        assert sync.leftovers(text) == [], f"{page.relative_to(ROOT)} has a --8<-- include"


EXAMPLE = '''"""An example."""

import os

# --8<-- [start:outer]
def outer() -> str:
    # --8<-- [start:inner]
    value = os.sep
    # --8<-- [end:inner]
    return value
# --8<-- [end:outer]
'''


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    (tmp_path / "examples").mkdir()
    (tmp_path / "docs" / "guides").mkdir(parents=True)
    (tmp_path / "examples" / "demo.py").write_text(EXAMPLE, encoding="utf-8")
    (tmp_path / "examples" / "table.sql").write_text("CREATE TABLE t (k TEXT);\n",
                                                     encoding="utf-8")
    return tmp_path


def _run(root: Path, *args: str) -> int:
    result: int = sync.main(["--root", str(root), *args])
    return result


def test_old_includes_become_filled_marker_blocks(repo: Path) -> None:
    page = repo / "docs" / "guides" / "page.md"
    page.write_text('# Page\n\n```python\n--8<-- "examples/demo.py:inner"\n```\n\nText.\n\n'
                    '```sql\n--8<-- "examples/table.sql"\n```\n', encoding="utf-8")
    assert _run(repo, "--check") == 1
    assert "--8<--" in page.read_text(encoding="utf-8")  # --check writes nothing
    assert _run(repo) == 0
    assert page.read_text(encoding="utf-8") == (
        "# Page\n\n"
        "<!-- example: examples/demo.py:inner -->\n```python\nimport os\n\nvalue = os.sep\n```\n"
        "<!-- /example -->\n\nText.\n\n"
        "<!-- example: examples/table.sql -->\n```sql\nCREATE TABLE t (k TEXT);\n```\n"
        "<!-- /example -->\n"
    )
    assert _run(repo, "--check") == 0


def test_a_region_drops_nested_markers_and_the_whole_file_drops_all(repo: Path) -> None:
    assert sync.read_source(repo, "examples/demo.py:outer") == (
        "import os\n\n\ndef outer() -> str:\n    value = os.sep\n    return value")
    whole = sync.read_source(repo, "examples/demo.py")
    assert whole.startswith('"""An example."""')
    assert "--8<--" not in whole


def test_a_changed_example_makes_the_page_stale_until_synced(repo: Path) -> None:
    page = repo / "README.md"
    page.write_text("<!-- example: examples/demo.py:inner -->\n```python\nimport os\n\n"
                    "value = os.sep\n```\n<!-- /example -->\n", encoding="utf-8")
    assert _run(repo, "--check") == 0
    example = repo / "examples" / "demo.py"
    example.write_text(EXAMPLE.replace("value = os.sep", "value = os.linesep"),
                       encoding="utf-8")
    assert _run(repo, "--check") == 1
    assert _run(repo) == 0
    assert "value = os.linesep" in page.read_text(encoding="utf-8")
    assert _run(repo, "--check") == 0


def test_a_hand_edit_between_markers_is_drift(repo: Path) -> None:
    page = repo / "docs" / "page.md"
    page.write_text("<!-- example: examples/demo.py:inner -->\n```python\nvalue = 1\n```\n"
                    "<!-- /example -->\n", encoding="utf-8")
    assert _run(repo, "--check") == 1


def test_the_fence_language_and_indent_are_kept(repo: Path) -> None:
    page = repo / "docs" / "page.md"
    page.write_text('=== "Tab"\n\n    ```py\n    --8<-- "examples/demo.py:inner"\n    ```\n',
                    encoding="utf-8")
    assert _run(repo) == 0
    assert page.read_text(encoding="utf-8") == (
        '=== "Tab"\n\n    <!-- example: examples/demo.py:inner -->\n    ```py\n'
        "    import os\n\n    value = os.sep\n    ```\n    <!-- /example -->\n")


def test_the_fence_outgrows_backticks_in_the_code(repo: Path) -> None:
    (repo / "examples" / "ticks.py").write_text('DOC = """\n```\nx\n```\n"""\n',
                                                encoding="utf-8")
    page = repo / "docs" / "page.md"
    page.write_text("<!-- example: examples/ticks.py -->\n<!-- /example -->\n", encoding="utf-8")
    assert _run(repo) == 0
    text = page.read_text(encoding="utf-8")
    assert "\n````python\n" in text and text.endswith("\n````\n<!-- /example -->\n")


@pytest.mark.parametrize(("markdown", "problem"), [
    ("<!-- example: examples/demo.py:missing -->\n<!-- /example -->\n", "[start:missing]"),
    ("<!-- example: examples/nope.py -->\n<!-- /example -->\n", "no such file"),
    ("<!-- example: docs/other.md -->\n<!-- /example -->\n", "under examples/"),
    ("<!-- example: examples/demo.py -->\ntext\n", "no '<!-- /example -->'"),
    ('Text.\n--8<-- "examples/demo.py:inner"\n', "an include outside a fenced block"),
])
def test_problems_fail_with_a_message(
    repo: Path, markdown: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (repo / "docs" / "page.md").write_text(markdown, encoding="utf-8")
    assert _run(repo, "--check") == 1
    assert problem in capsys.readouterr().err
    assert _run(repo) == 1


def test_a_region_brings_the_imports_and_constants_it_uses() -> None:
    module = (
        "from __future__ import annotations\n"
        "import json, logging\n"
        "import os.path as osp\n"
        "from typing import Any, Optional\n"
        "from invonetwork import InvoServer\n"
        "from flask import Flask\n"
        "log = logging.getLogger('x')\n"
        "LIMIT = compute()\n"
        "# --8<-- [start:r]\n"
        "from typing import Optional\n"
        "def f(invo: InvoServer, x: Optional[int]) -> Any:\n"
        "    log.info(json.dumps(osp.sep))\n"
        "    return LIMIT\n"
        "# --8<-- [end:r]\n"
    )
    code = module.split("[start:r]\n")[1].split("# --8<--")[0]
    assert sync.imports_needed(module, code) == [
        "import json",
        "import logging",
        "import os.path as osp",
        "from typing import Any",
        "from invonetwork import InvoServer",
        "",
        "log = logging.getLogger('x')",
    ]  # not Optional (imported by the region), not LIMIT (needs the file), not Flask
    assert sync.imports_needed(module, "def broken(:") == []


def test_every_copied_region_has_the_imports_its_file_gives_it() -> None:
    """Paste any block alone: no name its example file imports is missing from it."""
    import ast
    import re

    marker = re.compile(r"^[ \t]*<!-- example: (?P<sources>[^>]*?) -->")
    checked = 0
    for page in sync.pages(ROOT):
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            found = marker.match(line)
            if not found or not all(s.partition(":")[0].endswith(".py") and ":" in s
                                    for s in found["sources"].split()):
                continue
            end = next(i for i in range(number + 2, len(lines))
                       if lines[i].strip().startswith(("```", "~~~")))
            block = "\n".join(lines[number + 2:end])
            tree = ast.parse(block)
            bound = {alias.asname or alias.name.split(".")[0] for node in ast.walk(tree)
                     if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
            for source in found["sources"].split():
                example = ast.parse((ROOT / source.partition(":")[0]).read_text(
                    encoding="utf-8"))
                imported = {alias.asname or alias.name.split(".")[0] for node in example.body
                            if isinstance(node, (ast.Import, ast.ImportFrom))
                            and getattr(node, "module", "") != "__future__"
                            for alias in node.names}
                used = {node.id for node in ast.walk(tree)
                        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
                missing = (used & imported) - bound
                assert not missing, f"{page.name}:{number + 1} ({source}) lacks {missing}"
            checked += 1
    assert checked >= 60
