"""What ``invonetwork`` prints is enough to go on: exports, a port in use, a refused delivery.

The first test is the guides' "try it by hand" loop: start the sandbox from the command line,
export exactly the lines it prints, build a guide app from that environment, and check that
the app accepts the sandbox's signed webhook.
"""

from __future__ import annotations

import importlib
import json
import os
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests

from invonetwork._cli import main
from invonetwork.sandbox import WebhookReceiver

EMAIL = "ada@example.com"


@contextmanager
def cli_sandbox(*args: str, env: dict[str, str] | None = None) -> Iterator[list[str]]:
    """Run ``invonetwork sandbox --port 0 ARGS``; yield its banner lines; stop it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "invonetwork", "sandbox", "--port", "0", "--exit-after", "60",
         *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})},
    )
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if line.startswith("Press Ctrl-C"):
                break
        assert lines and lines[-1].startswith("Press Ctrl-C"), "\n".join(lines)
        yield lines
    finally:
        proc.terminate()
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate(timeout=5)


def _exports(lines: list[str]) -> dict[str, str]:
    found = {}
    for line in lines:
        words = shlex.split(line)
        if words[:1] == ["export"]:
            name, _, value = words[1].partition("=")
            found[name] = value
    return found


@pytest.mark.skipif(os.name == "nt", reason="the banner prints PowerShell lines on Windows")
def test_the_printed_exports_are_all_a_guide_app_needs(monkeypatch: pytest.MonkeyPatch) -> None:
    with WebhookReceiver() as receiver, cli_sandbox(
        "--player", f"email={EMAIL},balance=0", "--webhook-url", receiver.url
    ) as lines:
        exports = _exports(lines)
        assert set(exports) == {"INVO_BASE_URL", "INVO_GAME_SECRET", "INVO_WEBHOOK_SECRET"}
        for name in ("INVO_GAME_SECRET", "INVO_WEBHOOK_SECRET_PREVIOUS", "INVO_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in exports.items():
            monkeypatch.setenv(name, value)

        flask_app = importlib.import_module("flask_app")
        fulfilment = flask_app.Fulfilment()
        app = flask_app.create_app(fulfilment=fulfilment)  # everything from the environment
        client = app.test_client()
        with client.session_transaction() as session:
            session["player_email"] = EMAIL
        try:
            assert client.post("/invo/token").status_code == 200
            checkout = client.post("/store/checkout", json={"pack": "gold_550"}).get_json()
            page_url = checkout["checkout_url"].split("?")[0]  # without ?session=<token>
            paid = requests.post(page_url + "/pay", json={}, timeout=10)
            assert paid.status_code == 200
            [hook] = receiver.wait_for(1, event_type="purchase.completed", timeout=10)
            headers = {k: v for k, v in hook.headers.items()
                       if k.lower() in ("x-invo-signature", "x-invo-idempotency-key",
                                        "content-encoding", "content-type")}
            answer = client.post("/invo/webhooks", data=hook.raw_body, headers=headers)
            assert answer.status_code == 200, answer.get_data(as_text=True)
            [purchase] = fulfilment.purchases
            assert purchase.player_email == EMAIL
            assert purchase.metadata == {"pack": "gold_550"}
        finally:
            app.extensions["invo"].close()


def test_secrets_you_gave_are_not_printed() -> None:
    given = {"INVO_SANDBOX_GAME_SECRET": "ivsdk_test_mine_0001",
             "INVO_SANDBOX_WEBHOOK_SECRET": "whsec_mine_0001"}
    with cli_sandbox(env=given) as lines:
        text = "\n".join(lines)
        assert "ivsdk_test_mine_0001" not in text and "whsec_mine_0001" not in text
        assert "(the one you gave)" in text
        assert "restart with --webhook-url" in text  # no receiver yet: how to add one
        names = {line.split()[1].split("=")[0].replace("$env:", "") for line in lines
                 if line.strip().startswith(("export ", "$env:"))}
        assert names == {"INVO_BASE_URL"}


@pytest.mark.skipif(os.name == "nt", reason="on Windows SO_REUSEADDR lets a second bind succeed")
def test_a_port_in_use_says_what_to_do(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = main(["sandbox", "--port", str(port), "--exit-after", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"127.0.0.1:{port}" in err
    assert "--port 0" in err and f"--port {port + 1}" in err


# -- webhooks send -------------------------------------------------------------------------


@contextmanager
def answering(status: int, body: bytes) -> Iterator[str]:
    """A receiver on 127.0.0.1 that answers every POST with ``status`` and ``body``."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/invo/webhooks"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.mark.parametrize(("status", "body", "hint"), [
    (400, b"invalid webhook", "same signing secret"),
    (500, b"receiver not configured", "see its log"),
    (404, b"<h1>Not Found</h1>", "Check the path in --url"),
])
def test_a_refused_delivery_shows_the_answer_and_a_next_step(
    status: int, body: bytes, hint: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with answering(status, body) as url:
        code = main(["webhooks", "send", "--url", url, "--secret", "whsec_cli"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"not accepted: HTTP {status} from {url}" in err
    assert body.decode() in err
    assert hint in err
    assert "whsec_cli" not in err


def test_a_long_or_binary_answer_is_cut_and_made_printable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with answering(502, b"\x1b[31mX" + b"y" * 5000) as url:
        assert main(["webhooks", "send", "--url", url, "--secret", "whsec_cli"]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "y" * 490 in err and "y" * 501 not in err


def test_a_refused_connection_names_the_host_and_port(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again before the send: nothing listens there
    code = main(["webhooks", "send", "--url", f"http://127.0.0.1:{port}/invo/webhooks",
                 "--secret", "whsec_cli"])
    err = capsys.readouterr().err
    assert code == 1
    assert "connection refused" in err and f"127.0.0.1:{port}" in err
    assert "is your app running" in err


def test_send_says_that_data_replaces_the_sample(capsys: pytest.CaptureFixture[str]) -> None:
    with WebhookReceiver() as receiver:
        code = main(["webhooks", "send", "--url", receiver.url, "--secret", "whsec_cli",
                     "--type", "item.purchased", "--data", '{"item_id": "sword_9"}'])
        out = capsys.readouterr().out
        assert code == 0
        assert "replaces the whole sample data of item.purchased" in out
        [hook] = receiver.received
        assert json.loads(hook.body)["data"] == {"item_id": "sword_9"}  # exactly what was given
        code = main(["webhooks", "send", "--url", receiver.url, "--secret", "whsec_cli",
                     "--type", "item.purchased"])
        assert code == 0 and "replaces" not in capsys.readouterr().out
