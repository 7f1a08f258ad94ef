"""INVO quickstart: the whole story in one script.

    python -m pip install . && python examples/quickstart.py

With no ``INVO_GAME_SECRET`` in the environment it starts the local INVO sandbox (offline,
nothing leaves this machine) and walks through: mint a player token, open a checkout, pay it
(by POSTing what the hosted page's Pay button posts), receive and verify the signed
``purchase.completed`` webhook in a small local receiver, buy an item, and show the balance
and the purchase history.

With ``INVO_GAME_SECRET`` and ``INVO_BASE_URL`` set it makes the same SDK calls against that
environment instead, skipping the sandbox-only steps (paying the checkout, the local webhook
receiver). ``INVO_PLAYER_EMAIL`` picks the player (default ``player@example.com``).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

import requests

from invonetwork import InvoError, InvoServer, WebhookEvent, verify_webhook


def step(number: int, text: str) -> None:
    print(f"\n[{number}] {text}")


def show(label: str, value: Any) -> None:
    print(f"    {label:<18} {value}")


class WebhookInbox:
    """A tiny webhook receiver on 127.0.0.1: verify, de-duplicate, hand events over."""

    def __init__(self) -> None:
        self.secret: Optional[str] = None
        self.events: queue.Queue[WebhookEvent] = queue.Queue()
        self._seen: set[str] = set()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = verify_webhook(  # the RAW bytes, never re-serialized JSON
                        raw, self.headers.get("X-Invo-Signature"), inbox.secret or "",
                        content_encoding=self.headers.get("Content-Encoding"),
                    )
                except InvoError as exc:
                    print(f"    webhook rejected: {exc.code}")
                    self.send_response(400)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if event.idempotency_key not in inbox._seen:  # at-least-once: dedupe
                    inbox._seen.add(event.idempotency_key)
                    inbox.events.put(event)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/invo/webhooks"

    def wait_for(self, event_type: str, timeout: float = 10.0) -> WebhookEvent:
        while True:
            event = self.events.get(timeout=timeout)
            if event.event_type == event_type:
                return event

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


def run(invo: InvoServer, player_email: str, sandbox: Any = None) -> None:
    inbox: Optional[WebhookInbox] = None
    try:
        if sandbox is not None:
            step(0, "Register a webhook receiver (a local one; INVO itself needs https)")
            inbox = WebhookInbox()
            endpoint = invo.register_webhook_endpoint(
                game_id=sandbox.game_id, target_url=inbox.url,
                subscribed_events=["purchase.completed", "item.purchased"],
            )
            inbox.secret = endpoint.signing_secret  # returned once: store it safely
            show("receiver", inbox.url)
            show("created", endpoint.created)

        step(1, "Mint a short-lived player token for the browser SDK")
        token = invo.mint_player_token(player_email=player_email)
        show("token", token.token[:12] + "...")
        show("expires at", token.expires_at)

        step(2, "Open a hosted checkout for $5.00")
        checkout = invo.create_checkout(
            player_email=player_email, usd_amount="5.00",
            metadata={"source": "quickstart"},
        )
        show("session", checkout.session_id)
        show("checkout URL", checkout.checkout_url)

        if sandbox is not None:
            step(3, "Pay it, as the page's Pay button does (POST <checkout page>/pay)")
            page = checkout.checkout_url.split("?")[0]  # the URL without its ?session=<token>
            paid = requests.post(
                page + "/pay", json={}, timeout=10,
                headers={"User-Agent": "invonetwork-quickstart"},
            ).json()
            show("status", paid["status"])
            show("received", f"{paid['currency_received']} {paid['currency_name']}")

            step(4, "Receive the signed purchase.completed webhook (the source of truth)")
            assert inbox is not None
            event = inbox.wait_for("purchase.completed")
            show("verified", event.event_type)
            show("idempotency key", event.idempotency_key)
            show("new balance", event.data.get("new_balance"))
        else:
            step(3, "Open the checkout URL above in a browser to pay (not done here)")
            step(4, "purchase.completed then arrives at your registered https webhook URL")

        step(5, "Spend currency on an item")
        try:
            item = invo.purchase_item(
                client_request_id=f"quickstart-{uuid.uuid4().hex}",  # idempotency key
                player_email=player_email, player_name="Quickstart Player",
                item_id="sword_001", item_name="Flaming Sword", item_quantity=1,
                unit_price="20.00", total_price="20.00",
            )
            show("status", item.status)
            show("balance", f"{item.previous_balance} -> {item.new_balance}")
            show("split", item.financial_breakdown)
            if inbox is not None:
                granted = inbox.wait_for("item.purchased")
                show("webhook", f"{granted.event_type} (grant the item now)")
        except InvoError as exc:
            if not exc.is_insufficient_balance:
                raise
            show("not bought", f"insufficient balance ({exc.body})")

        step(6, "Read the balance and the purchase history")
        balance = invo.get_player_balance(player_email=player_email)
        for row in balance.balances:
            show(row.currency_name, row.available_balance)
        history = invo.get_item_purchase_history(player_email=player_email, limit=5)
        show("purchases", history.pagination.get("total"))
        for row in history.history:
            show("-", f"{row.get('item_name')} x{row.get('item_quantity')} "
                      f"for {row.get('total_price')}")
    finally:
        if inbox is not None:
            inbox.close()


def main() -> int:
    secret = os.environ.get("INVO_GAME_SECRET", "").strip()
    player_email = os.environ.get("INVO_PLAYER_EMAIL", "player@example.com")
    try:
        if secret:
            base_url = os.environ.get("INVO_BASE_URL") or None
            print(f"Using INVO at {base_url or '(chosen from the key prefix)'}")
            with InvoServer(secret, base_url) as invo:
                run(invo, player_email)
        else:
            from invonetwork.sandbox import Sandbox

            print("No INVO_GAME_SECRET set: starting the local INVO sandbox (offline).")
            seed = [{"email": player_email, "name": "Quickstart Player", "balance": "0"}]
            with Sandbox(players=seed) as sandbox, sandbox.client() as invo:
                show("sandbox", sandbox.base_url)
                run(invo, player_email, sandbox)
    except InvoError as exc:
        print(f"\nINVO error: {exc} (code={exc.code}, status={exc.status})", file=sys.stderr)
        return 1
    except (queue.Empty, requests.RequestException) as exc:
        print(f"\nQuickstart failed: {exc!r}", file=sys.stderr)
        return 1
    print("\nDone.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
