"""The ``invonetwork`` command and the pytest plugin."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from invonetwork._cli import main, parse_player
from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.webhooks import verify_webhook


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["--version"], capsys)
    assert code == 0 and out.startswith("invonetwork ")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INVO_WEBHOOK_SECRET", raising=False)
    body = tmp_path / "body.json"
    body.write_text('{"event_type":"x"}')
    for argv in ([], ["nope"], ["webhooks"], ["webhooks", "sign", "--file", str(body)],
                 ["webhooks", "sign", "--secret", "s", "--file", str(tmp_path / "missing")],
                 ["webhooks", "verify", "--secret", "s", "--file", str(body)],
                 ["webhooks", "send", "--secret", "s", "--url", "ftp://x"],
                 ["webhooks", "send", "--secret", "s", "--url", "http://127.0.0.1:9",
                  "--data", "[1]"],
                 ["sandbox", "--player", "balance=5"],
                 ["sandbox", "--phone-owner", "nope"],
                 ["sandbox", "--port", "99999"]):
        code, _, err = _run(argv, capsys)
        assert code == 2, argv
        assert err.strip(), argv


def test_sign_then_verify_round_trip(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    body = tmp_path / "body.json"
    body.write_bytes(b'{"event_type":"purchase.completed","data":{}}')
    code, header, _ = _run(["webhooks", "sign", "--secret", "whsec_a", "--file", str(body)],
                           capsys)
    header = header.strip()
    assert code == 0 and header.startswith("t=") and ",v1=" in header
    assert verify_webhook(body.read_bytes(), header, "whsec_a").event_type == "purchase.completed"
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_a")
    code, out, _ = _run(["webhooks", "verify", "--signature", header, "--file", str(body)],
                        capsys)
    assert code == 0 and out.startswith("valid: purchase.completed")
    code, _, err = _run(["webhooks", "verify", "--signature", header, "--secret", "whsec_b",
                         "--file", str(body)], capsys)
    assert code == 1 and "WEBHOOK_SIGNATURE_INVALID" in err
    old = _run(["webhooks", "sign", "--file", str(body), "--timestamp", "1000"], capsys)[1]
    code, _, err = _run(["webhooks", "verify", "--signature", old.strip(), "--file", str(body)],
                        capsys)
    assert code == 1 and "WEBHOOK_TIMESTAMP_EXPIRED" in err
    assert "whsec_a" not in old  # secrets are never printed


def test_sign_reads_standard_input(capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin(io.StringIO):
        def isatty(self) -> bool:
            return False

    monkeypatch.setattr(sys, "stdin", FakeStdin('{"event_type":"x"}'))
    code, out, _ = _run(["webhooks", "sign", "--secret", "s", "--timestamp", "5"], capsys)
    assert code == 0 and out.startswith("t=5,v1=")


def test_send_posts_a_signed_event(capsys: pytest.CaptureFixture[str]) -> None:
    with WebhookReceiver(statuses=[200, 500]) as rx:
        code, out, _ = _run(["webhooks", "send", "--url", rx.url, "--secret", "whsec_s",
                             "--type", "item.purchased", "--gzip"], capsys)
        assert code == 0 and "HTTP 200" in out
        (hook,) = rx.received
        event = verify_webhook(hook.raw_body, hook.signature, "whsec_s",
                               content_encoding=hook.header("Content-Encoding"))
        assert event.event_type == "item.purchased" and event.data["item_id"]
        assert hook.idempotency_key == event.idempotency_key
        code, _, err = _run(["webhooks", "send", "--url", rx.url, "--secret", "whsec_s",
                             "--type", "custom.thing", "--data", '{"a": 1}'], capsys)
        assert code == 1 and "HTTP 500" in err
        assert json.loads(rx.received[1].body)["data"] == {"a": 1}


def test_parse_player() -> None:
    assert parse_player("email=a@b.co,balance=5,passkey=yes,minor=no,phone=+15555550100") == {
        "email": "a@b.co", "balance": "5", "passkey_enrolled": True, "is_minor": False,
        "phone": "+15555550100"}


def test_sandbox_command_serves_until_stopped() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "invonetwork", "sandbox", "--port", "0",
         "--player", "email=ada@example.com,balance=42", "--exit-after", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    try:
        assert proc.stdout is not None
        lines = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if line.startswith("Press Ctrl-C"):
                break
        text = "".join(lines)
        base = next(x.split()[-1] for x in lines if "base URL:" in x)
        secret = next(x.split()[-1] for x in lines if "game secret:" in x)
        assert "webhook secret:  whsec_" in text
        from invonetwork import InvoServer

        with InvoServer(secret, base) as invo:
            balance = invo.get_player_balance(player_email="ada@example.com")
            assert balance.balances[0].available_balance == "42.00"
        proc.terminate()
        out, _ = proc.communicate(timeout=10)
        assert proc.returncode == 0 and "stopped" in out
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def test_pytest_plugin_fixtures_and_marker(tmp_path: Path) -> None:
    test_file = tmp_path / "test_uses_plugin.py"
    test_file.write_text(
        "import pytest\n"
        "@pytest.mark.invo_sandbox(players=[{'email': 'p@example.com', 'balance': '9'}])\n"
        "def test_it(invo_sandbox, invo_client, invo_webhook_receiver):\n"
        "    assert invo_client.get_player_balance(player_email='p@example.com')"
        ".balances[0].available_balance == '9.00'\n"
        "    invo_sandbox.emit_event('webhook.test')\n"
        "    assert invo_webhook_receiver.wait_for(1)[0].event_type == 'webhook.test'\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test_file)],
        capture_output=True, text=True, timeout=60, cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_plugin_import_is_cheap() -> None:
    code = (
        "import sys, invonetwork.sandbox.pytest_plugin\n"
        "heavy = [m for m in ('invonetwork.sandbox._server', 'invonetwork.sandbox._state', "
        "'http.server', 'requests') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_sandbox_client_helper(tmp_path: Path) -> None:
    with Sandbox() as sb, sb.client() as invo:
        assert invo.base_url == sb.base_url
