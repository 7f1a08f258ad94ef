"""WebhookReceiver: records what arrives exactly, answers scripted statuses in one write."""

from __future__ import annotations

import gzip
import http.client
import socket

import pytest

from invonetwork.sandbox import WebhookReceiver


def _post(rx: WebhookReceiver, body: bytes, headers: dict[str, str]) -> int:
    port = int(rx.url.split(":")[2].split("/")[0])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("POST", "/invo/webhooks?x=1", body=body, headers=headers)
        response = conn.getresponse()
        expected = b"" if response.status == 204 else b'{"received":true}'
        assert response.read() == expected
        return response.status
    finally:
        conn.close()


def test_statuses_in_order_then_the_default() -> None:
    with WebhookReceiver(statuses=[500, 429], default_status=204) as rx:
        rx.respond_with(201)
        got = [_post(rx, b"{}", {"X-Invo-Event-Type": "t"}) for _ in range(4)]  # 204: no body
        assert got == [500, 429, 201, 204]
        assert [r.status for r in rx.received] == got
        assert len(rx.of_type("t")) == 4 and rx.of_type("other") == []


def test_headers_keep_their_case_and_gzip_is_opened() -> None:
    raw = gzip.compress(b'{"a":1}')
    with WebhookReceiver() as rx:
        _post(rx, raw, {"Content-Encoding": "gzip", "X-Invo-Idempotency-Key": "k",
                        "x-invo-signature": "t=1,v1=ab"})
        (hook,) = rx.wait_for(1)
    assert hook.raw_body == raw and hook.body == b'{"a":1}'
    assert "X-Invo-Idempotency-Key" in hook.headers and "x-invo-signature" in hook.headers
    assert hook.idempotency_key == "k" and hook.signature == "t=1,v1=ab"
    assert hook.path == "/invo/webhooks?x=1" and hook.header("missing") is None


def test_a_body_that_is_not_gzip_is_recorded_as_empty() -> None:
    with WebhookReceiver() as rx:
        _post(rx, b"plain", {"Content-Encoding": "gzip"})
        assert rx.received[0].body == b"" and rx.received[0].raw_body == b"plain"


def test_wait_for_times_out_and_stop_closes_the_port() -> None:
    rx = WebhookReceiver().start()
    port = int(rx.url.split(":")[2].split("/")[0])
    with pytest.raises(TimeoutError, match="0 of 1"):
        rx.wait_for(1, timeout=0.05)
    rx.stop()
    rx.stop()  # idempotent
    with pytest.raises(RuntimeError):
        _ = rx.url
    with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
        pass
