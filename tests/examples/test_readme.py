"""The README's code must run: its sandbox tests are executed by pytest, the rest compiled."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)


def _section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_python_block_compiles() -> None:
    assert len(BLOCKS) >= 5
    for number, block in enumerate(BLOCKS):
        compile(block, f"README block {number}", "exec")


def test_testing_section_runs_as_a_pytest_suite(tmp_path: Path) -> None:
    blocks = re.findall(r"```python\n(.*?)```", _section("Testing your integration"), re.DOTALL)
    assert blocks, "the Testing your integration section lost its examples"
    suite = tmp_path / "test_from_readme.py"
    suite.write_text("import pytest\n\n" + "\n\n".join(blocks), encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=tmp_path, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    tests = sum(block.count("def test_") for block in blocks)
    assert f"{tests} passed" in run.stdout


# -- the blocks copied from examples/ run as they are ------------------------------------------


def test_the_quickstart_runs_against_the_local_sandbox() -> None:
    """What the README says: sandbox with a funded player, its exports, then the script."""
    from invonetwork.sandbox import Sandbox

    with Sandbox(players=[{"email": "player@example.com", "balance": "500"}]) as sandbox:
        env = {**os.environ, "INVO_BASE_URL": sandbox.base_url,
               "INVO_GAME_SECRET": sandbox.game_secret}
        run = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "readme_quickstart.py")],
            env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        assert run.returncode == 0, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert lines[0].startswith(sandbox.base_url) and "/checkout/" in lines[0]
        assert lines[1] == "success 350.00"
        assert lines[2].endswith(" 350.00")
        assert str(sandbox.balance("player@example.com")) == "350.00"


def test_the_webhook_receiver_answers_as_the_guides_do(monkeypatch: pytest.MonkeyPatch) -> None:
    from invonetwork.testing import build_webhook_delivery

    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import readme_webhook

    client = readme_webhook.app.test_client()
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_readme")
    monkeypatch.delenv("INVO_WEBHOOK_SECRET_PREVIOUS", raising=False)

    def post(delivery: Any) -> tuple[int, str]:
        answer = client.post("/invo/webhooks", data=delivery.body, headers=delivery.headers)
        return answer.status_code, answer.get_data(as_text=True)

    delivery = build_webhook_delivery("purchase.completed", secret="whsec_readme", gzip=True)
    assert post(delivery) == (200, "ok")
    assert post(delivery) == (200, "duplicate")
    assert post(build_webhook_delivery("item.purchased", secret="whsec_other")) == (
        400, "invalid webhook")
    monkeypatch.setenv("INVO_WEBHOOK_SECRET_PREVIOUS", "whsec_other")  # a rotation
    assert post(build_webhook_delivery("item.purchased", secret="whsec_other")) == (200, "ok")
    monkeypatch.delenv("INVO_WEBHOOK_SECRET")
    monkeypatch.delenv("INVO_WEBHOOK_SECRET_PREVIOUS")
    assert post(build_webhook_delivery("item.purchased", secret="whsec_readme")) == (
        500, "receiver not configured")


def test_the_error_and_hook_snippets_run(monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    from invonetwork.sandbox import Sandbox

    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    import readme_snippets

    players = [{"email": "ada@example.com", "balance": "200"},
               {"email": "bob@example.com", "balance": "10"}]
    with Sandbox(players=players) as sandbox, sandbox.client() as invo:
        assert readme_snippets.buy_sword(invo, "ada@example.com", "r1") == "bought"
        assert readme_snippets.buy_sword(invo, "ada@example.com", "r1") == "already bought"
        assert readme_snippets.buy_sword(invo, "bob@example.com", "r2") == (
            "not enough currency: 150.00 needed")
        sandbox.fail_next(1, status=429, path="/api/item-purchases/purchase-item",
                          body={"error": "slow down", "retry_after": 7})
        assert readme_snippets.buy_sword(invo.with_options(max_retries=0), "ada@example.com",
                                         "r3") == "busy: try again in 7 s"
        caplog.set_level(logging.DEBUG, logger="mygame.invo")
        with readme_snippets.client_with_hooks(sandbox.game_secret, sandbox.base_url) as hooked:
            hooked.get_player_balance(player_email="ada@example.com")
            assert readme_snippets.buy_sword(hooked, "bob@example.com", "r4").startswith("not")
    messages = [record.getMessage() for record in caplog.records
                if record.name == "mygame.invo"]
    assert any(m.startswith("attempt 0: GET ") for m in messages)
    assert any(" -> 200 in " in m for m in messages)
    assert any("failed: INSUFFICIENT_BALANCE (retrying: False)" in m for m in messages)
    assert not any(sandbox.game_secret in m for m in messages)
