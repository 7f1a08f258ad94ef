"""This SDK against INVO's own Python client (3.30.1), where that client is available.

Point ``INVO_REFERENCE_CLIENT`` at a folder holding INVO's ``invonetwork`` package (an
unpacked wheel: ``pip download invonetwork==3.30.1 --no-deps`` then unzip it); without it
these tests are skipped. Both clients run the same driver (``invo_client_driver.py``) in a
subprocess, so the two packages, both named ``invonetwork``, never meet in one process.

* Every call of ``payouts`` and ``platform_commerce``, made the same way on both clients
  against a recording server, sends the same request (method, path, query, JSON body, and
  whether it carries a body at all), and this SDK's result has every attribute INVO's has,
  with the same value (for INVO's dicts: the same mapping).
* INVO's client completes a payout and a buyer-approved purchase against the sandbox.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from tests.reference_client import assert_same_attributes, needs_reference, run_driver

from invonetwork.sandbox import Sandbox

DRIVER = Path(__file__).with_name("invo_client_driver.py")
DRIVER_SECRET = "ivsdk_test_driver0123456789"  # the driver's game secret
pytestmark = needs_reference("payouts.py")

PAYEE = {"payee_id": "cp_1", "status": "verified", "payable": True, "payable_blockers": [],
         "partner_reference": "ref-1", "country": "GB"}
PAYOUT = {"payout_id": 7, "status": "requested", "requested_amount_usd": "250.50",
          "net_payout_usd": "240.50", "payee_id": "cp_1"}
ORDER = {"order_id": "pco_1", "status": "completed", "usd_amount": "5.00",
         "payment_method": "card", "invo_fee_usd": 0.33, "partner_share_usd": "4.67",
         "receipt_number": "IR-2026-00000001", "receipt_url": "https://r.test/1"}
APPROVAL = {"approval_id": "pca_1", "client_request_id": "o-1", "status": "pending",
            "total_price": "100.00", "expires_at": "2026-12-01T12:00:00Z",
            "metadata": {"cart": 1}}
ANSWERS: dict[tuple[str, str], Any] = {
    ("POST", "/api/partner-payees"): {"payee": PAYEE, "invite": {"sent": True},
                                      "duplicate": True, "success": True},
    ("GET", "/api/partner-payees"): {"total": 3, "limit": 10, "offset": 0, "items": [PAYEE]},
    ("GET", "/api/partner-payees/cp%2F1"): {"payee": PAYEE},
    ("POST", "/api/partner-payees/cp_1/resend-invite"): {"invite": {"sent": False,
                                                                    "error_code": "BOUNCE"}},
    ("POST", "/api/partner-payees/cp_1/remove"): {"payee": {**PAYEE, "status": "closed"}},
    ("POST", "/api/partner-payouts/request"): {"payout_request": PAYOUT, "duplicate": False},
    ("GET", "/api/partner-payouts/7"): {"payout_request": PAYOUT},
    ("GET", "/api/partner-payouts"): {"total": "1", "items": [PAYOUT]},
    ("POST", "/api/partner-payouts/7/cancel"): {"payout_request": {**PAYOUT,
                                                                   "status": "cancelled"}},
    ("POST", "/api/platform-commerce/purchase"): {
        "status": "pending_approval", "approval_id": "pca_1", "approval_url": "https://a.test",
        "checkout_url": "https://c.test", "expires_at": 1_800_000_000, "amount_usd": "100.00",
        "min_purchase_warning": {"code": "W", "min_usd": "2.99",
                                 "enforced_from": "2026-10-27", "enforced": False}},
    ("GET", "/api/platform-commerce/approvals/pca%2F1"): APPROVAL,
    ("GET", "/api/platform-commerce/approvals"): APPROVAL,
    ("POST", "/api/platform-commerce/approvals/pca_1/cancel"): {**APPROVAL,
                                                              "status": "cancelled"},
    ("GET", "/api/platform-commerce/purchase-status/42"): {**ORDER, "order_id": None},
    ("GET", "/api/platform-commerce/purchase-history"): {
        "player_email": "ada@example.com", "game_id": 1001, "purchases": [ORDER, ORDER],
        "limit": "2", "next_cursor": None},
    ("POST", "/api/platform-commerce/refund"): {
        "status": "refunded", "order_id": "pco_1", "funding_source": "card",
        "refunded_amount_usd": "5.00", "processor_refund_reference": "pr_1",
        "fee_retained": True, "partial_refund": False, "remaining_usd": "0.00"},
}


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, Any]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path, _, query = self.path.partition("?")
        self.seen.append({"method": self.command, "path": path, "query": query,
                          "body": json.loads(body) if body else None,
                          "json_header": "Content-Type" in self.headers,
                          "secret": bool(self.headers.get("X-Game-Secret-Key"))})
        reply = json.dumps(ANSWERS.get((self.command, path), {})).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    do_GET = do_POST = _answer  # noqa: N815 - http.server's names

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_call_sends_the_same_request_and_returns_every_attribute(
    recorder: str,
) -> None:
    _Recorder.seen.clear()
    theirs, _ = run_driver(DRIVER, True, "calls", recorder)
    their_requests = list(_Recorder.seen)
    _Recorder.seen.clear()
    ours, _ = run_driver(DRIVER, False, "calls", recorder)
    assert [r["call"] for r in ours] == [r["call"] for r in theirs]
    assert _Recorder.seen == their_requests
    for mine, other in zip(ours, theirs):
        assert_same_attributes(mine["result"], other["result"], mine["call"])


def test_invos_client_completes_a_payout_and_an_approved_purchase() -> None:
    with Sandbox(players=[{"email": "ada@example.com", "balance": "100"}],
                 tenant_type="platform", game_secret=DRIVER_SECRET) as sb:
        (outcome,), _ = run_driver(DRIVER, True, "flow", sb.base_url, sb.root_url + "/__sandbox__")
        assert sb.balance("ada@example.com") == 80
    assert outcome == {"payout_status": "completed", "net": "240.00", "payees": 1,
                       "purchase_status": "pending_approval", "approval_status": "completed",
                       "order_status": "completed"}
