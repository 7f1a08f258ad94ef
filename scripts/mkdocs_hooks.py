"""MkDocs hook: links from docs/ to files of the repository outside docs/ become repo links.

Pages under docs/ link to sources the way they read on GitHub, for example
``[the recipe](../examples/claim_with_account_selection.py)``. On the built site such a file
does not exist, and ``mkdocs build --strict`` would fail on the link. This hook rewrites a
relative link whose target is a file of this repository outside ``docs/`` into a link to that
file on the repository's web page (``repo_url`` in mkdocs.yml). A link to a file that does not
exist is left alone, so the strict build still fails on it.
"""

from __future__ import annotations

import posixpath
import re
from html import escape as html_escape
from pathlib import Path
from typing import Any

_LINK = re.compile(r"(\]\()(\.\./[^)\s#]+)(#[^)\s]*)?(\))")


def _rewrite(markdown: str, page_path: str, docs_dir: Path, repo_url: str) -> str:
    root = docs_dir.parent
    page_dir = posixpath.dirname(page_path)

    def replace(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join("docs", page_dir, match.group(2)))
        if target.startswith("../") or target.startswith("docs/"):
            return match.group(0)  # outside the repository, or a real docs page
        if not (root / target).is_file():
            return match.group(0)  # let mkdocs report the broken link
        anchor = match.group(3) or ""
        return f"{match.group(1)}{repo_url}/blob/main/{target}{anchor}{match.group(4)}"

    return _LINK.sub(replace, markdown)


def on_page_markdown(markdown: str, *, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: rewrite repository-relative links before the page is rendered."""
    repo_url = str(config.get("repo_url") or "").rstrip("/")
    if not repo_url:
        return markdown
    return _rewrite(markdown, page.file.src_uri, Path(config["docs_dir"]), repo_url)


# Docstrings use Sphinx roles (:meth:`close`, :class:`~invonetwork.Hooks`), which Markdown
# renders as the role name followed by code. Keep the code, drop the role, and shorten
# ``~a.b.Name`` to ``Name`` the way Sphinx would.
_ROLE = re.compile(r":(?:meth|class|func|attr|exc|data|mod|obj):<code>(~?)([^<]*)</code>")


def _strip_roles(html: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(2).rsplit(".", 1)[-1] if match.group(1) else match.group(2)
        return f"<code>{name}</code>"

    return _ROLE.sub(replace, html)


# Signatures show a default that is a module constant by its name (``timeout=DEFAULT_TIMEOUT``),
# which tells a reader nothing. mkdocstrings wraps such a name in a cross-reference
# (``<autoref identifier="invonetwork._config.DEFAULT_TIMEOUT" ...>``, later a titled span);
# show the constant's value instead, and keep its dotted name as the hover title.
_CONSTANT = re.compile(
    r'<(?P<tag>autoref identifier|span title)="'
    r'(?P<path>invonetwork(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\.(?P<name>[A-Z][A-Z0-9_]*)"[^>]*>'
    r"(?P=name)</(?:autoref|span)>"
)


def _constant_value(module_path: str, name: str) -> Any:
    """The value of ``module_path.name`` when it is a plain number, text or flag, else None."""
    import importlib

    try:
        value = getattr(importlib.import_module(module_path), name)
    except (ImportError, AttributeError):
        return None
    return value if isinstance(value, (bool, int, float, str)) else None


def _show_default_values(html: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = _constant_value(match["path"], match["name"])
        if value is None:
            return match.group(0)
        shown = html_escape(repr(value))
        if isinstance(value, int) and not isinstance(value, bool) and value >= 1024 and (
                value % 1024 == 0):
            unit, size = ("MiB", value // 1024**2) if value % 1024**2 == 0 else (
                "KiB", value // 1024)
            shown = f"{value} ({size} {unit})"
        return f'<span title="{match["path"]}.{match["name"]}">{shown}</span>'

    return _CONSTANT.sub(replace, html)


def on_page_content(html: str, *, page: Any, config: Any, files: Any) -> str:
    """MkDocs event: tidy Sphinx roles and show default values in the rendered reference."""
    return _show_default_values(_strip_roles(html))


# Pages other parts of the project write; the nav lists them, and they appear once they exist.
# Any other missing page still fails the strict build.
OPTIONAL_PAGES = frozenset({"security.md", "reliability.md", "performance.md"})


def _prune_nav(nav: Any, exists: Any) -> Any:
    """``nav`` without the entries of optional pages that do not exist (``exists(path)``)."""
    if isinstance(nav, list):
        kept = [_prune_nav(item, exists) for item in nav]
        return [item for item in kept if item is not None]
    if isinstance(nav, dict):
        pruned = {title: _prune_nav(value, exists) for title, value in nav.items()}
        pruned = {title: value for title, value in pruned.items() if value is not None}
        return pruned or None
    if isinstance(nav, str) and nav in OPTIONAL_PAGES and not exists(nav):
        return None
    return nav


def on_config(config: Any) -> Any:
    """MkDocs event: drop optional pages that are not written yet from the nav."""
    docs = Path(config["docs_dir"])
    if config.get("nav"):
        config["nav"] = _prune_nav(config["nav"], lambda page: (docs / page).is_file())
    return config
