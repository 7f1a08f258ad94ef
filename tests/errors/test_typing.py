"""Every classifier is visible to ``mypy --strict`` with its exact type, and read-only to it.

The rule-A properties are descriptors, not ``@property`` functions; this checks that a type
checker still sees each one as a plain ``bool`` attribute (and an editor, which reads the
same types). Runs mypy once on a generated file (a few seconds).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .support import _BASES, CHANGED, OTHER_48, RULE_A_NAMES

mypy_api = pytest.importorskip("mypy.api")

NOT_BOOL = {
    "min_usd": "str | None", "enforced_from": "str | None", "phone_share_last4": "str | None",
    "change_request_endpoint": "str | None", "expected_total_usd": "str | None",
    "acknowledged_total_usd": "str | None", "untaxed_total_usd": "str | None",
    "minimum_amount": "str | None", "maximum_amount": "str | None",
    "limit_currency_name": "str | None", "game_status": "str | None",
    "retry_after_at": "str | None", "steam_transferable_max": "str | None",
    "steam_origin_amount": "str | None", "current_transaction_status": "str | None",
    "device_approval_expires_at": "str | None", "error_ref": "str | None",
    "existing_subscription_id": "str | None", "refund_request_id": "str | None",
    "decision_reason": "str | None", "period_charged_at": "str | None",
    "refund_window_closed_at": "str | None", "mismatched_fields": "list[str]",
    "refund_window_days": "int | None", "retry_after": "float | None",
}


def _normalise(revealed: str) -> str:
    text = revealed.replace("builtins.", "")
    return re.sub(r"Union\[(\w+), None\]", r"\1 | None", text).replace("Optional[", "")


def test_mypy_sees_every_classifier_with_its_type(tmp_path: Path) -> None:
    names = RULE_A_NAMES + OTHER_48 + CHANGED
    lines = [
        "from invonetwork import InvoError",
        "from invonetwork._classifiers import ErrorClassifiers",
        # the classes a user sees once InvoError inherits the mixin, else the test subclass
        f"class E({', '.join(cls.__name__ for cls in _BASES)}): ...",
        "def use(err: E) -> None:",
    ]
    lines += [f"    reveal_type(err.{name})" for name in names]
    lines += ["    err.is_phone_same = True", "    err.min_usd = None"]
    source = tmp_path / "use_classifiers.py"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, _, _ = mypy_api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), "--no-error-summary", str(source)]
    )
    revealed = re.findall(r":(\d+): note: Revealed type is \"([^\"]+)\"", out)
    got = {names[int(line) - 5]: _normalise(kind) for line, kind in revealed}
    expected = {name: NOT_BOOL.get(name, "bool") for name in names}
    assert got == expected
    # both assignments refused: a descriptor's (rule A) and a property's
    assert re.findall(r":(\d+): error:", out) == [str(len(lines) - 1), str(len(lines))]
