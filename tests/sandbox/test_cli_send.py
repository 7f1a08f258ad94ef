"""`invonetwork webhooks send` through the shared builder and delivery client."""

from __future__ import annotations

import json

import pytest

from invonetwork import _cli
from invonetwork._version import __version__
from invonetwork.sandbox import WebhookReceiver
from invonetwork.webhooks import verify_webhook


def _send(rx: WebhookReceiver, *extra: str) -> int:
    return _cli.main(["webhooks", "send", "--url", rx.url, "--secret", "whsec_cli", *extra])


def test_the_cli_sends_a_shared_sample_with_its_own_user_agent(
    capsys: pytest.CaptureFixture[str]
) -> None:
    with WebhookReceiver() as rx:
        assert _send(rx, "--type", "transfer.sent", "--tenant-id", "77") == 0
        (hook,) = rx.received
    event = verify_webhook(hook.body, hook.signature, "whsec_cli")
    assert event.tenant_id == "77" and event.event_type == "transfer.sent"
    assert event.data["flow"] == "transfer" and event.data["amount"] == "25.00"
    assert hook.header("User-Agent") == f"invonetwork-cli/{__version__}"
    assert hook.header("X-Invo-Event-Type") == "transfer.sent"
    assert hook.header("X-Invo-Delivery-Attempt") == "1"
    assert event.idempotency_key == event.event_id
    assert "sent transfer.sent" in capsys.readouterr().out


def test_the_secret_can_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_env")
    with WebhookReceiver() as rx:
        assert _cli.main(["webhooks", "send", "--url", rx.url]) == 0
        (hook,) = rx.received
    assert verify_webhook(hook.body, hook.signature, "whsec_env").event_type == "webhook.test"
    assert json.loads(hook.body)["data"] == {"message": "Test event"}


@pytest.mark.parametrize("args,message", [
    (["--data", "[1]"], "JSON object"),
    (["--data", "{oops"], "not valid JSON"),
    (["--type", " "], "--type"),
])
def test_usage_errors_exit_2(args: list[str], message: str,
                             capsys: pytest.CaptureFixture[str]) -> None:
    with WebhookReceiver() as rx:
        assert _send(rx, *args) == 2
        assert rx.received == []
    assert message in capsys.readouterr().err


def test_an_unreachable_receiver_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    rx = WebhookReceiver().start()
    url = rx.url
    rx.stop()
    assert _cli.main(["webhooks", "send", "--url", url, "--secret", "s", "--timeout", "2"]) == 1
    assert "not accepted" in capsys.readouterr().err
