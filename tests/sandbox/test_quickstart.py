"""examples/quickstart.py runs start to finish, against the sandbox it starts or a given one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from invonetwork.sandbox import Sandbox

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart.py"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("INVO_GAME_SECRET", "INVO_BASE_URL", "INVO_PLAYER_EMAIL")}
    env.update(extra)
    return env


def test_quickstart_runs_against_its_own_sandbox() -> None:
    result = subprocess.run([sys.executable, str(QUICKSTART)], capture_output=True, text=True,
                            timeout=60, env=_env())
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for line in ("starting the local INVO sandbox",
                 "[2] Open a hosted checkout",
                 "status             success",
                 "verified           purchase.completed",
                 "item.purchased (grant the item now)",
                 "Gold Coins         30.00",
                 "Flaming Sword x1 for 20.00",
                 "Done."):
        assert line in out, line


def test_quickstart_uses_the_environment_when_a_secret_is_set() -> None:
    players = [{"email": "remote@example.com", "balance": "100"}]
    with Sandbox(players=players) as sb:
        result = subprocess.run(
            [sys.executable, str(QUICKSTART)], capture_output=True, text=True, timeout=60,
            env=_env(INVO_GAME_SECRET=sb.game_secret, INVO_BASE_URL=sb.base_url,
                     INVO_PLAYER_EMAIL="remote@example.com"),
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert f"Using INVO at {sb.base_url}" in result.stdout
        assert "Open the checkout URL above in a browser" in result.stdout
        assert "100.00 -> 80.00" in result.stdout
        assert sb.request_count("/api/checkout/sessions") == 1
        assert sb.request_count("/checkout/*") == 0  # nothing paid in this mode
        assert sb.game_secret not in result.stdout
