"""The migration page's signature table is INVO's own client's, and the SDK accepts each.

Every row of ``docs/migrating-from-invo-sdk.md`` gives a call as INVO's current Python
client spells it. For each, the SDK's method must take every documented parameter, of the
same kind (positional or keyword-only) and with the same default; parameters the SDK adds
must be optional.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path
from typing import Any

import pytest

from invonetwork import InvoServer

PAGE = Path(__file__).resolve().parents[2] / "docs" / "migrating-from-invo-sdk.md"
ROW = re.compile(r"^\| `([a-z_.]+)` \| `([a-z_]+\(.*\))` \|$")
NOTHING = object()


def _rows() -> list[tuple[str, str]]:
    rows = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        found = ROW.match(line)
        if found:
            rows.append((found.group(1), found.group(2)))
    return rows


ROWS = _rows()


def _documented(signature: str) -> list[tuple[str, str, Any]]:
    """``(name, kind, default)`` per parameter of a documented signature."""
    tree = ast.parse(f"def {signature}: pass")
    fn = tree.body[0]
    assert isinstance(fn, ast.FunctionDef)
    args = fn.args
    found: list[tuple[str, str, Any]] = []
    positional = args.args
    defaults = [NOTHING] * (len(positional) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults
    ]
    for arg, default in zip(positional, defaults):
        found.append((arg.arg, "positional", default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        default = NOTHING if kw_default is None else ast.literal_eval(kw_default)
        found.append((arg.arg, "keyword", default))
    return found


def _method(client: InvoServer, dotted: str) -> Any:
    target: Any = client
    for part in dotted.split("."):
        target = getattr(target, part)
    return target


def test_the_page_lists_every_call() -> None:
    assert len(ROWS) >= 70
    assert len({name for name, _ in ROWS}) == len(ROWS)


def test_every_public_method_of_the_client_is_on_the_page() -> None:
    listed = {name for name, _ in ROWS}
    own = {
        name for name in dir(InvoServer)
        if not name.startswith("_") and callable(getattr(InvoServer, name))
    } - {"close", "with_options", "from_env", "register_webhook_endpoint",
         "rotate_webhook_secret"}  # the last two come from INVO's webhook guide (K13)
    assert own <= listed, sorted(own - listed)


@pytest.mark.parametrize(("dotted", "signature"), ROWS, ids=[name for name, _ in ROWS])
def test_the_sdk_takes_the_documented_signature(dotted: str, signature: str) -> None:
    assert signature.startswith(dotted.rsplit(".", 1)[-1] + "(")
    with InvoServer("ivsdk_test_migration", "http://127.0.0.1:9") as client:
        method = _method(client, dotted)
    ours = inspect.signature(method).parameters
    documented = _documented(signature)
    for name, kind, default in documented:
        assert name in ours, f"{dotted} has no parameter {name!r}"
        param = ours[name]
        if kind == "keyword":
            assert param.kind is inspect.Parameter.KEYWORD_ONLY, f"{dotted}: {name} kind"
        else:
            assert param.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD, f"{dotted}: {name}"
        if default is NOTHING:
            assert param.default is inspect.Parameter.empty, f"{dotted}: {name} is required"
        else:
            assert param.default == default, f"{dotted}: {name} defaults to {param.default!r}"
    names = [name for name, _, _ in documented]
    positional = [n for n, p in ours.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional[: len([k for _, k, _ in documented if k == "positional"])] == [
        n for n, k, _ in documented if k == "positional"
    ], f"{dotted}: positional order"
    for name, param in ours.items():
        if name not in names and param.kind not in (param.VAR_KEYWORD, param.VAR_POSITIONAL):
            assert param.default is not inspect.Parameter.empty, f"{dotted}: extra {name}"
