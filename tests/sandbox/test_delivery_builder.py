"""One delivery builder: testing, the sandbox's worker and the CLI send the same bytes."""

from __future__ import annotations

import gzip
import json
import time
import uuid
from typing import Any

import pytest

from invonetwork import _cli
from invonetwork.sandbox import ReceivedWebhook, Sandbox, WebhookReceiver
from invonetwork.testing import WebhookDelivery, build_webhook_delivery, sample_event_data
from invonetwork.webhooks import verify_webhook
from invonetwork.webhooks._delivery import build_delivery, event_body, format_created_at

SECRET = "whsec_same_for_all_three"
T = 1_700_000_000
KEY = uuid.UUID("12345678-1234-5678-1234-567812345678")
DATA: dict[str, Any] = {"item_id": "sword", "note": "caf\u00e9", "fee": {"platform_fee": "1.00"}}
TRANSPORT_HEADERS = {"user-agent", "host", "content-length", "accept-encoding", "connection"}


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every id is KEY and the clock says T, so the three builders get the same input."""
    monkeypatch.setattr(uuid, "uuid4", lambda: KEY)
    monkeypatch.setattr(time, "time", lambda: float(T))


def _headers(hook: ReceivedWebhook) -> dict[str, str]:
    return {k: v for k, v in hook.headers.items() if k.lower() not in TRANSPORT_HEADERS}


def _from_cli(rx: WebhookReceiver, gzip_on: bool) -> ReceivedWebhook:
    argv = ["webhooks", "send", "--url", rx.url, "--secret", SECRET, "--type",
            "item.purchased", "--data", json.dumps(DATA), "--tenant-id", "1001"]
    assert _cli.main([*argv, "--gzip"] if gzip_on else argv) == 0
    return rx.wait_for(1)[-1]


def _from_sandbox(rx: WebhookReceiver, gzip_on: bool) -> ReceivedWebhook:
    with Sandbox(game_id=1001, webhook_secret=SECRET) as sb:
        sb.set_webhook_url(rx.url, ["item.purchased"], gzip=gzip_on)
        sb.emit_event("item.purchased", DATA)
        sb.wait_for_webhook("item.purchased")
    return rx.received[-1]


def _from_testing(gzip_on: bool) -> WebhookDelivery:
    return build_webhook_delivery("item.purchased", secret=SECRET, data=DATA, timestamp=T,
                                  tenant_id="1001", gzip=gzip_on)


@pytest.mark.parametrize("gzip_on", [False, True])
def test_testing_sandbox_and_cli_send_identical_deliveries(frozen: None, gzip_on: bool) -> None:
    expected = _from_testing(gzip_on)
    with WebhookReceiver() as rx:
        cli = _from_cli(rx, gzip_on)
    with WebhookReceiver() as rx:
        sandboxed = _from_sandbox(rx, gzip_on)
    assert cli.raw_body == sandboxed.raw_body == expected.body
    assert _headers(cli) == _headers(sandboxed) == expected.headers
    event = verify_webhook(expected.signed_body, expected.signature_header, SECRET, now=T)
    assert event.idempotency_key == event.event_id == str(KEY)
    assert event.created_at == format_created_at(T) == "2023-11-14T22:13:20.000000+00:00"


def test_the_transport_headers_are_only_the_user_agent_and_http_framing(frozen: None) -> None:
    with WebhookReceiver() as rx:
        cli = _from_cli(rx, False)
    with WebhookReceiver() as rx:
        sandboxed = _from_sandbox(rx, False)
    assert cli.header("User-Agent") != sandboxed.header("User-Agent")
    assert {k.lower() for k in cli.headers} - {k.lower() for k in _headers(cli)} <= (
        TRANSPORT_HEADERS
    )


def test_build_delivery_is_deterministic_and_gzip_has_no_timestamp() -> None:
    envelope = event_body("webhook.test", {"message": "hi"}, event_id="e", idempotency_key="k",
                          tenant_id="7", created_at="2024-01-01T00:00:00.000000+00:00")
    first = build_delivery(envelope, secrets=["a", "b"], timestamp=5, gzip=True, attempt=3)
    second = build_delivery(envelope, secrets=["a", "b"], timestamp=5, gzip=True, attempt=3)
    assert first == second
    assert gzip.decompress(first.body) == first.signed_body
    assert first.body[4:8] == b"\0\0\0\0"  # gzip mtime field zeroed
    assert first.headers["X-Invo-Delivery-Attempt"] == "3"
    assert first.headers["X-Invo-Signature"].count("v1=") == 2
    assert json.loads(first.signed_body) == envelope


def test_raw_bytes_get_fresh_ids_and_no_event_type() -> None:
    delivery = build_delivery(b"[1]", secrets=["s"], timestamp=1)
    assert delivery.payload is None and delivery.signed_body == b"[1]"
    assert delivery.headers["X-Invo-Event-Type"] == ""
    assert delivery.headers["X-Invo-Event-Id"] != delivery.headers["X-Invo-Idempotency-Key"]


@pytest.mark.parametrize("event_type", [
    "purchase.completed", "purchase.refunded", "item.purchased", "transfer.sent",
    "transfer.received", "balance.updated", "payout.status_changed", "webhook.test",
    "something.else",
])
def test_one_sample_event_data_for_every_caller(event_type: str) -> None:
    data = sample_event_data(event_type)
    assert data and json.loads(json.dumps(data)) == data
    assert sample_event_data(event_type) != data or event_type in (
        "webhook.test", "payout.status_changed"
    )  # fresh ids per call where there are ids
    assert _cli.__dict__.get("sample_data") is None  # the CLI has no copy of its own


def test_sample_item_fee_breakdown_has_the_api_keys() -> None:
    fee = sample_event_data("item.purchased")["fee_breakdown"]
    assert set(fee) == {"total_paid", "developer_revenue", "platform_fee"}
    assert float(fee["developer_revenue"]) + float(fee["platform_fee"]) == float(
        fee["total_paid"]
    )
    payout = sample_event_data("payout.status_changed")
    assert isinstance(payout["payout_id"], int) and payout["status"] == "requested"
