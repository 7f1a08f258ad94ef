"""The docs cannot drift from the code: shown snippets come from examples/, names are real.

The code blocks of the pages are copies of examples/ written by ``scripts/sync_docs.py``
between ``<!-- example: ... -->`` markers; ``test_sync_docs.py`` checks the copies are current.
These checks need nothing beyond the standard library and the SDK.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import invonetwork
from invonetwork import InvoError, InvoServer

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
MARKER = re.compile(r"^[ \t]*<!-- example: (?P<sources>[^>]*?) -->[ \t]*$")
MARKER_END = re.compile(r"^[ \t]*<!-- /example -->[ \t]*$")
PAGES = sorted(DOCS.rglob("*.md"))


def _includes() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for line in page.read_text(encoding="utf-8").splitlines():
            marker = MARKER.match(line)
            if marker:
                found += [(str(page.relative_to(ROOT)), source)
                          for source in marker["sources"].split()]
    return found


def test_the_docs_include_code() -> None:
    assert len(_includes()) >= 40


@pytest.mark.parametrize(("page", "target"), _includes())
def test_every_included_snippet_exists_in_an_example(page: str, target: str) -> None:
    path, _, section = target.partition(":")
    assert path.startswith("examples/"), f"{page}: code must come from examples/, not {path}"
    source = (ROOT / path).read_text(encoding="utf-8")
    if section:
        start = f"# --8<-- [start:{section}]"
        end = f"# --8<-- [end:{section}]"
        assert source.count(start) == 1, f"{page}: no single {start} in {path}"
        assert source.count(end) == 1, f"{page}: no single {end} in {path}"
        assert source.index(start) < source.index(end)


FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*?)[ \t]*$")
PYTHON = {"python", "py", "python3", "py3", "pycon", "pyi", "ipython", "ipython3"}
PLAIN = {"", "text", "txt", "plain", "plaintext"}
LOOKS_LIKE_CODE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                   ast.ClassDef, ast.Assign, ast.AnnAssign, ast.With, ast.Call)


def _fenced_blocks(text: str) -> list[tuple[int, str, str, list[str]]]:
    """``(line, language, body, sources)`` of every fenced block, indented ones too.

    ``sources`` are those of the ``<!-- example: ... -->`` marker the block sits in (the
    code was copied from them), or ``[]`` for a block written in the page.
    """
    blocks = []
    lines = text.splitlines()
    sources: list[str] = []
    i = 0
    while i < len(lines):
        marker = MARKER.match(lines[i])
        if marker:
            sources = marker["sources"].split()
        elif MARKER_END.match(lines[i]):
            sources = []
        opener = FENCE.match(lines[i])
        if not opener:
            i += 1
            continue
        fence, indent = opener["fence"], len(opener["indent"].expandtabs(4))
        words = opener["info"].strip("{}").split()
        language = words[0].lstrip(".").lower() if words else ""
        body = []
        j = i + 1
        while j < len(lines):
            closer = FENCE.match(lines[j])
            if (closer and closer["fence"][0] == fence[0]
                    and len(closer["fence"]) >= len(fence) and not closer["info"]):
                break
            body.append(lines[j][indent:] if lines[j][:indent].strip() == "" else lines[j])
            j += 1
        blocks.append((i + 1, language, "\n".join(body), sources))
        i = j + 1
    return blocks


def _hand_written_python(text: str) -> list[str]:
    """Python blocks that are not copies of ``examples/*.py`` made by the sync script."""
    found = []
    for line, language, body, sources in _fenced_blocks(text):
        if language in PYTHON:
            if body.strip() and sources and all(
                    source.startswith("examples/") and source.partition(":")[0].endswith(".py")
                    for source in sources):
                continue
        elif language in PLAIN:
            # An unlabelled block of Python is still hand-written Python.
            try:
                tree = ast.parse(body)
            except (SyntaxError, ValueError):
                continue
            if not any(isinstance(node, LOOKS_LIKE_CODE) for node in ast.walk(tree)):
                continue
        else:
            continue  # shell, SQL copied from examples/, ...: not Python
        found.append(f"line {line} ({language or 'no language'}):\n{body}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(DOCS)))
def test_no_page_has_a_hand_written_python_block(page: Path) -> None:
    """Hand-written Python would not be tested: every page copies it from examples/."""
    found = _hand_written_python(page.read_text(encoding="utf-8"))
    assert not found, (f"{page.relative_to(ROOT)} has Python that does not come from "
                       "examples/:\n\n" + "\n\n".join(found))


def test_the_hand_written_python_check_catches_what_it_should() -> None:
    def copied(sources: str, body: str = "x = 1", language: str = "python",
               indent: str = "") -> str:
        rows = [f"<!-- example: {sources} -->", f"```{language}", *body.splitlines(), "```",
                "<!-- /example -->"]
        return "\n".join(indent + row for row in rows)

    allowed = [
        copied("examples/quickstart.py:run"),
        copied("examples/quickstart.py:run examples/first_call.py"),
        '=== "Tab"\n\n' + copied("examples/quickstart.py:run", indent="    "),
        "```bash\npython -m pip install ./invonetwork-python\n```",
        copied("examples/invo_webhook_claims.sql", "CREATE TABLE t (k TEXT);", "sql"),
        "```\nInvoError\n├── APIError\n```",
        "```text\nbrowser  -->  mint_player_token(...)  -- secret -->\n```",
        "```\npurchase.completed  purchase.failed\n```",
        "```\ninvonetwork sandbox [--port 8787] [--verbose]\n```",
    ]
    for markdown in allowed:
        assert _hand_written_python(markdown) == [], markdown
    refused = [
        "```python\nprint('hi')\n```",
        copied("examples/quickstart.py:run") + "\n\n```python\nprint('hi')\n```",
        "```python\n```",
        copied("docs/other.md"),
        copied("examples/invo_webhook_claims.sql"),
        copied("examples/quickstart.py", body=""),
        "```py\nx = 1\n```",
        '```python title="app.py"\nx = 1\n```',
        "```{.python .annotate}\nx = 1\n```",
        "~~~python\nx = 1\n~~~",
        "````python\n```\nx = 1\n````",
        "```pycon\n>>> invo.close()\n```",
        '!!! note\n\n    ```python\n    invo.close()\n    ```',
        "```\nfrom invonetwork import InvoServer\n```",
        "```text\ninvo = InvoServer.from_env()\n```",
    ]
    for markdown in refused:
        assert len(_hand_written_python(markdown)) == 1, markdown


# -- the TypeScript mapping page ----------------------------------------------------------


def _result_classes() -> dict[str, type]:
    return {name: getattr(invonetwork, name) for name in invonetwork.__all__
            if dataclasses.is_dataclass(getattr(invonetwork, name, None))}


def _methods() -> dict[str, set[str]]:
    methods = {name: set(inspect.signature(getattr(InvoServer, name)).parameters)
               for name in dir(InvoServer) if not name.startswith("_")
               and callable(getattr(InvoServer, name))}
    methods["verify_webhook"] = set(inspect.signature(invonetwork.verify_webhook).parameters)
    return methods


def _known_names() -> set[str]:
    names: set[str] = set(invonetwork.__all__)
    for params in _methods().values():
        names |= params
    names |= set(_methods())
    names |= set(inspect.signature(InvoServer).parameters)
    for cls in _result_classes().values():
        names |= {f.name for f in dataclasses.fields(cls)}
    names |= {n for n in dir(InvoError) if not n.startswith("_")}
    names |= set(vars(InvoError("x")))
    return names


ROW = re.compile(r"^\| `([A-Za-z]+)`(?:, `[A-Za-z]+`)? \| `([A-Za-z_][A-Za-z0-9_]*)`[^|]*\|(.*)$")


def _mapping_rows() -> list[tuple[str, str, str]]:
    text = (DOCS / "from-typescript.md").read_text(encoding="utf-8")
    return [m.groups() for m in map(ROW.match, text.splitlines()) if m]


def test_the_mapping_page_has_every_table() -> None:
    rows = _mapping_rows()
    typescript = {ts for ts, _, _ in rows}
    for name in ("mintPlayerToken", "getItemOrderDetails", "verifyWebhook", "checkoutUrl",
                 "availableBalance", "requestId", "isDuplicateRequest", "willRetry",
                 "retryBaseDelayMs", "itemCategory", "receivingGameId"):
        assert name in typescript
    assert len(rows) > 100


@pytest.mark.parametrize(("typescript", "python", "where"), _mapping_rows())
def test_every_mapped_python_name_exists(typescript: str, python: str, where: str) -> None:
    assert python in _known_names(), f"{typescript} -> {python}: no such Python name"
    methods = _methods()
    classes = _result_classes()
    for used_by in re.findall(r"`([A-Za-z_]+)`", re.sub(r"\(.*?\)", "", where)):
        if used_by in methods and python not in methods:
            assert python in methods[used_by], f"{used_by} has no argument {python}"
        if used_by in classes:
            fields = {f.name for f in dataclasses.fields(classes[used_by])}
            assert python in fields, f"{used_by} has no attribute {python}"


# -- the mkdocs hook that turns links to repository files into repository links ---------------


def test_links_to_repository_files_become_repository_links() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkdocs_hooks", ROOT / "scripts" /
                                                  "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    repo = "https://github.com/invonetwork/invonetwork-python"
    text = ("[a](../../examples/flask_app.py) [b](../webhooks.md) [c](../../nope.py) "
            "[d](../../tests/examples/test_docs_pages.py#L1)")
    out = hooks._rewrite(text, "guides/flask.md", DOCS, repo)
    assert f"[a]({repo}/blob/main/examples/flask_app.py)" in out
    assert "[b](../webhooks.md)" in out  # a docs page: mkdocs resolves it
    assert "[c](../../nope.py)" in out  # missing: left for the strict build to report
    assert f"[d]({repo}/blob/main/tests/examples/test_docs_pages.py#L1)" in out


def test_sphinx_roles_are_tidied_in_rendered_pages() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkdocs_hooks_roles", ROOT / "scripts" /
                                                  "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    html = ("call :meth:<code>close</code>; see :class:<code>~invonetwork.errors.InvoError"
            "</code> and :func:<code>a.b</code>")
    assert hooks._strip_roles(html) == (
        "call <code>close</code>; see <code>InvoError</code> and <code>a.b</code>")


def test_optional_pages_leave_the_nav_until_they_exist() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkdocs_hooks_nav", ROOT / "scripts" /
                                                  "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    nav = [{"Home": "index.md"}, {"Security": "security.md"},
           {"More": [{"Performance": "performance.md"}, {"Errors": "errors.md"}]},
           {"Gone": "missing.md"}]
    assert hooks._prune_nav(nav, lambda page: page == "performance.md") == [
        {"Home": "index.md"},
        {"More": [{"Performance": "performance.md"}, {"Errors": "errors.md"}]},
        {"Gone": "missing.md"},  # not optional: the strict build reports it
    ]


def test_the_reference_shows_default_values_not_constant_names() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("mkdocs_hooks_defaults", ROOT / "scripts" /
                                                  "mkdocs_hooks.py")
    assert spec is not None and spec.loader is not None
    hooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hooks)
    html = ('timeout: Timeout = <span class="n"><autoref identifier="invonetwork._config.'
            'DEFAULT_TIMEOUT" backlink-type="used-by" optional hover>DEFAULT_TIMEOUT</autoref>'
            '</span>, max_bytes: int = <span title="invonetwork.webhooks._gzip.'
            'DEFAULT_MAX_BODY_BYTES">DEFAULT_MAX_BODY_BYTES</span>, x = <autoref identifier='
            '"invonetwork._config.NOT_A_NAME">NOT_A_NAME</autoref>, t: <autoref identifier='
            '"invonetwork._config.Timeout">Timeout</autoref>')
    out = hooks._show_default_values(html)
    assert '<span title="invonetwork._config.DEFAULT_TIMEOUT">30.0</span>' in out
    assert ">5242880 (5 MiB)</span>" in out
    assert "NOT_A_NAME</autoref>" in out  # unknown: left for autorefs to report
    assert ">Timeout</autoref>" in out  # a type, not a constant
    assert "DEFAULT_TIMEOUT<" not in out and "DEFAULT_MAX_BODY_BYTES<" not in out


def test_the_site_styles_wide_code() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert "stylesheets/extra.css" in config
    css = (DOCS / "stylesheets" / "extra.css").read_text(encoding="utf-8")
    assert "overflow-x: auto" in css and ".md-grid" in css
