"""Write the code of examples/ into the Markdown pages, so every page reads whole anywhere.

``examples/`` is the single source of the code the docs show: the test suite runs those files.
Each page holds a copy of that code between two HTML comments, which GitHub, MkDocs and
editors all hide::

    <!-- example: examples/first_call.py:first-call -->
    ```python
    ...the code between "# --8<-- [start:first-call]" and "# --8<-- [end:first-call]"...
    ```
    <!-- /example -->

A source is ``examples/FILE`` (the whole file) or ``examples/FILE:NAME`` (one named region).
Several sources, separated by spaces, are joined with a blank line. In the example files a
region is marked by comment lines holding ``--8<-- [start:NAME]`` and ``--8<-- [end:NAME]``;
marker lines never appear in a page, and a region is dedented. A region of a Python file is
preceded by the file's own imports of the names it uses, so a block pasted alone still
finds them.

Running the script rewrites the code between every pair of markers from the current
examples. It also converts the older include form, a fence whose only lines are
``--8<-- "examples/FILE[:NAME]"``, into the form above, so branches that still add such
lines are fixed by running it once after a merge.

    python scripts/sync_docs.py            # rewrite the pages
    python scripts/sync_docs.py --check    # exit 1 if a page is stale or has an old include

Standard library only. The pages are README.md and every ``*.md`` under docs/.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import textwrap
from pathlib import Path
from typing import NamedTuple, Optional

ROOT = Path(__file__).resolve().parents[1]

OPEN = re.compile(r"^(?P<indent>[ \t]*)<!-- example: (?P<sources>[^>]*?) -->[ \t]*$")
CLOSE = re.compile(r"^[ \t]*<!-- /example -->[ \t]*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
OLD_INCLUDE = re.compile(r'^[ \t]*--8<-- "(?P<source>[^"]+)"[ \t]*$')
REGION_MARK = re.compile(r"--8<-- \[(?P<kind>start|end):(?P<name>[^\]]+)\]")
# What a page must never contain once synced: an include only MkDocs would fill in.
LEFTOVER = re.compile(r'--8<-- "|--8<-- \[(?:start|end):')

LANGUAGES = {".py": "python", ".sql": "sql", ".sh": "bash", ".toml": "toml", ".json": "json",
             ".yml": "yaml", ".yaml": "yaml", ".ini": "ini", ".txt": "text"}


class SyncError(Exception):
    """A marker or a source that cannot be resolved."""


class Result(NamedTuple):
    """What syncing one page did."""

    text: str
    blocks: int
    converted: int


def pages(root: Path) -> list[Path]:
    """The Markdown files this script keeps in sync."""
    found = [root / "README.md"] if (root / "README.md").is_file() else []
    docs = root / "docs"
    if docs.is_dir():
        found += sorted(docs.rglob("*.md"))
    return found


def read_source(root: Path, source: str) -> str:
    """The code one source names: a whole example file, or one region of it, dedented."""
    path_text, _, region = source.partition(":")
    if not path_text.startswith("examples/") or ".." in Path(path_text).parts:
        raise SyncError(f"{source}: code must come from a file under examples/")
    path = root / path_text
    if not path.is_file():
        raise SyncError(f"{source}: no such file")
    lines = path.read_text(encoding="utf-8").splitlines()
    if region:
        starts = [i for i, line in enumerate(lines) if _mark(line) == ("start", region)]
        ends = [i for i, line in enumerate(lines) if _mark(line) == ("end", region)]
        if len(starts) != 1 or len(ends) != 1 or ends[0] < starts[0]:
            raise SyncError(
                f"{source}: {path_text} needs exactly one '--8<-- [start:{region}]' line "
                f"followed by one '--8<-- [end:{region}]' line"
            )
        lines = lines[starts[0] + 1:ends[0]]
    kept = [line for line in lines if _mark(line) is None]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    if not kept:
        raise SyncError(f"{source}: the code is empty")
    code = textwrap.dedent("\n".join(kept))
    if region and path.suffix == ".py":
        imports = imports_needed(path.read_text(encoding="utf-8"), code)
        if imports:
            gap = "\n\n\n" if code.startswith(("def ", "async def ", "class ", "@")) else "\n\n"
            code = "\n".join(imports) + gap + code
    return code


def imports_needed(module_source: str, code: str) -> list[str]:
    """The example file's module-level imports that ``code`` (one region) uses but lacks.

    A region copied alone should run when pasted, so its imports come along: each name the
    region reads, that the file imports at its top level and the region does not import
    itself, gives one import line (``from __future__`` never does). Returns ``[]`` when
    either text does not parse.
    """
    try:
        module = ast.parse(module_source)
        region = ast.parse(code)
    except SyntaxError:
        return []
    # bound name -> (index of its import statement, module, name, as-name)
    provided: dict[str, tuple[int, str, str, str]] = {}
    statements: list[ast.stmt] = []
    for node in module.body:
        if isinstance(node, ast.Import):
            statements.append(node)
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                provided[bound] = (len(statements) - 1, "", alias.name, alias.asname or "")
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__" and node.level == 0:
            statements.append(node)
            for alias in node.names:
                if alias.name != "*":
                    provided[alias.asname or alias.name] = (
                        len(statements) - 1, node.module or "", alias.name, alias.asname or "")
    # One-line module constants such as ``log = logging.getLogger(...)`` come along too.
    lines_of = module_source.splitlines()
    constants: dict[str, tuple[str, set[str]]] = {}
    for node in module.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name) and node.lineno == node.end_lineno):
            reads = {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)}
            if reads <= set(provided):  # only imported names: it runs on its own
                constants[node.targets[0].id] = (lines_of[node.lineno - 1], reads)
    bound_here: set[str] = set()
    for node in ast.walk(region):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound_here |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound_here.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound_here.add(node.name)
    used = {node.id for node in ast.walk(region)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}
    extra = sorted(name for name in used & set(constants) if name not in bound_here)
    for name in extra:
        used |= constants[name][1]
    wanted = sorted(name for name in used & set(provided) if name not in bound_here)
    # One line per import statement of the file that provides something, in the file's order,
    # with a blank line where the file has one (its standard library / third party / own groups).
    names_of: dict[int, list[str]] = {}
    for name in wanted:
        index, _, imported, asname = provided[name]
        names_of.setdefault(index, []).append(f"{imported} as {asname}" if asname else imported)
    lines: list[str] = []
    previous: Optional[ast.stmt] = None
    for index in sorted(names_of):
        node = statements[index]
        if previous is not None and any(
                not lines_of[row].strip()
                for row in range(previous.end_lineno or previous.lineno, node.lineno - 1)):
            lines.append("")
        shown = names_of[index]
        if isinstance(node, ast.ImportFrom):
            lines.append(f"from {node.module} import {', '.join(shown)}")
        else:
            lines += [f"import {name}" for name in shown]
        previous = node
    if extra:
        lines += [""] + [constants[name][0] for name in extra]
    return lines


def _mark(line: str) -> Optional[tuple[str, str]]:
    """``(kind, name)`` when ``line`` is a region marker line of an example file."""
    match = REGION_MARK.search(line)
    if match is None:
        return None
    return match["kind"], match["name"]


def _language(sources: list[str]) -> str:
    suffix = Path(sources[0].partition(":")[0]).suffix.lower()
    return LANGUAGES.get(suffix, "")


def _fence_for(code: str, char: str, at_least: int) -> str:
    """A fence of ``char`` longer than any run of it that starts a line of ``code``."""
    longest = 0
    for line in code.splitlines():
        stripped = line.lstrip()
        run = len(stripped) - len(stripped.lstrip(char))
        longest = max(longest, run)
    return char * max(at_least, 3, longest + 1)


def render(root: Path, indent: str, sources: list[str], info: Optional[str],
           fence_char: str = "`", fence_length: int = 3) -> list[str]:
    """The marker block: open comment, fenced code, close comment (each line indented)."""
    code = "\n\n".join(read_source(root, source) for source in sources)
    fence = _fence_for(code, fence_char, fence_length)
    language = _language(sources) if info is None else info
    body = [indent + line if line.strip() else "" for line in code.splitlines()]
    return [
        f"{indent}<!-- example: {' '.join(sources)} -->",
        f"{indent}{fence}{language}",
        *body,
        f"{indent}{fence}",
        f"{indent}<!-- /example -->",
    ]


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the fence opened at ``start`` (``len(lines)`` if none)."""
    for j in range(start + 1, len(lines)):
        closer = FENCE.match(lines[j])
        if (closer and closer["fence"][0] == fence[0] and len(closer["fence"]) >= len(fence)
                and not closer["info"].strip()):
            return j
    return len(lines)


def sync_text(root: Path, text: str, where: str = "<page>") -> Result:
    """The page with every marker block refilled and every old include converted."""
    lines = text.splitlines()
    out: list[str] = []
    blocks = converted = 0
    i = 0
    while i < len(lines):
        line = lines[i]
        opened = OPEN.match(line)
        if opened:
            sources = opened["sources"].split()
            if not sources:
                raise SyncError(f"{where}:{i + 1}: an example marker names no source")
            close = next((j for j in range(i + 1, len(lines)) if CLOSE.match(lines[j])), None)
            if close is None:
                raise SyncError(f"{where}:{i + 1}: '<!-- example: ... -->' has no "
                                "'<!-- /example -->' after it")
            inner = [j for j in range(i + 1, close) if OPEN.match(lines[j])]
            if inner:
                raise SyncError(f"{where}:{inner[0] + 1}: example markers cannot nest")
            # Keep the fence's language and style as the author wrote them.
            info, char, length = None, "`", 3
            for j in range(i + 1, close):
                fence = FENCE.match(lines[j])
                if fence:
                    info = fence["info"].strip() or None
                    char, length = fence["fence"][0], len(fence["fence"])
                    break
            try:
                out += render(root, opened["indent"], sources, info, char, length)
            except SyncError as exc:
                raise SyncError(f"{where}:{i + 1}: {exc}") from None
            blocks += 1
            i = close + 1
            continue
        fence = FENCE.match(line)
        if fence:
            end = _fence_end(lines, i, fence["fence"])
            body = [row for row in lines[i + 1:end] if row.strip()]
            includes = [OLD_INCLUDE.match(row) for row in body]
            if body and all(includes):
                sources = [m["source"] for m in includes if m is not None]
                try:
                    out += render(root, fence["indent"], sources, fence["info"].strip(),
                                  fence["fence"][0], len(fence["fence"]))
                except SyncError as exc:
                    raise SyncError(f"{where}:{i + 1}: {exc}") from None
                blocks += 1
                converted += 1
            else:
                out += lines[i:end + 1]
            i = end + 1
            continue
        out.append(line)
        i += 1
    new = "\n".join(out)
    if text.endswith("\n") or not text:
        new += "\n"
    return Result(new, blocks, converted)


def leftovers(text: str) -> list[int]:
    """Line numbers still holding an include that only MkDocs would fill in."""
    return [n for n, line in enumerate(text.splitlines(), 1) if LEFTOVER.search(line)]


def main(argv: Optional[list[str]] = None) -> int:
    """Sync (or with ``--check`` only compare) every page; the exit code says the outcome."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a page differs from what sync writes")
    parser.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    root: Path = args.root
    stale: list[str] = []
    problems: list[str] = []
    total = 0
    for page in pages(root):
        name = page.relative_to(root).as_posix()
        text = page.read_text(encoding="utf-8")
        try:
            result = sync_text(root, text, name)
        except SyncError as exc:
            problems.append(str(exc))
            continue
        total += result.blocks
        for number in leftovers(result.text):
            problems.append(f"{name}:{number}: an include outside a fenced block: write it "
                            "as '<!-- example: examples/FILE[:NAME] -->' ... "
                            "'<!-- /example -->'")
        if result.text != text:
            stale.append(name)
            if not args.check:
                page.write_text(result.text, encoding="utf-8")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if args.check:
        for name in stale:
            print(f"stale: {name} (run: python scripts/sync_docs.py)", file=sys.stderr)
        if stale or problems:
            return 1
        print(f"docs in sync: {total} code blocks from examples/")
        return 0
    for name in stale:
        print(f"updated {name}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
