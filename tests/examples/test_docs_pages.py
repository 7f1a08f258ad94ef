"""The docs cannot drift from the code: included snippets exist, mapped names are real.

``mkdocs build --strict`` checks the same snippet includes, but it is not part of the test
run; these checks are, and they need nothing beyond the standard library and the SDK.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

import pytest

import invonetwork
from invonetwork import InvoError, InvoServer

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
INCLUDE = re.compile(r'^\s*--8<-- "([^"]+)"\s*$', re.MULTILINE)
PAGES = sorted(DOCS.rglob("*.md"))


def _includes() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for target in INCLUDE.findall(page.read_text(encoding="utf-8")):
            found.append((str(page.relative_to(ROOT)), target))
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


def test_every_python_block_in_the_flow_pages_is_included() -> None:
    """Hand-written Python blocks would not be tested: the pages include them from files."""
    owned = ["index.md", "from-typescript.md", "getting-started.md", "configuration.md",
             "currency-purchase.md", "item-purchase.md", "balances-and-reads.md",
             "testing.md", "observability.md",
             "guides/django.md", "guides/flask.md", "guides/fastapi.md"]
    for name in owned:
        text = (DOCS / name).read_text(encoding="utf-8")
        for block in re.findall(r"```python\n(.*?)```", text, re.DOTALL):
            lines = [line for line in block.splitlines() if line.strip()]
            assert lines and all(INCLUDE.fullmatch(line) for line in lines), (
                f"{name} has a Python block that is not included from examples/:\n{block}")


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
