"""The HTTP layer without sockets: SandboxApp.handle on Request objects."""

from __future__ import annotations

import json
import threading
from typing import Any, Optional

import pytest

from invonetwork.sandbox import FaultRule, Sandbox
from invonetwork.sandbox._http import SandboxApp
from invonetwork.sandbox._messages import Request, Response

BALANCE = "/api/player-balances/player/by-email/ada%40example.com"  # an authenticated GET

UA = "invonetwork-python-sdk/test"


class App:
    """A sandbox and its app, driven in-process."""

    def __init__(self, **knobs: Any) -> None:
        self.sb = Sandbox(players=[{"email": "ada@example.com", "balance": "500",
                                    "phone": "+15555550100"}], **knobs)
        self.stop = threading.Event()
        self.app = SandboxApp(self.sb, self.stop)

    def call(self, method: str, target: str, body: Any = None, *, secret: bool = True,
             headers: Optional[dict[str, str]] = None, raw: Optional[bytes] = None) -> Response:
        sent = {"user-agent": UA, "content-type": "application/json"}
        if secret:
            sent["x-game-secret-key"] = self.sb.game_secret
        sent.update({k.lower(): v for k, v in (headers or {}).items()})
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        return self.app.handle(Request(method, target, sent, data))

    def json(self, *args: Any, **kwargs: Any) -> Any:
        return json.loads(self.call(*args, **kwargs).body)


@pytest.fixture
def app() -> App:
    return App()


def item(request_id: str, total: str = "10.00") -> dict[str, Any]:
    return {"client_request_id": request_id, "player_email": "ada@example.com",
            "player_name": "Ada", "item_id": "i", "item_name": "I", "item_quantity": 1,
            "unit_price": total, "total_price": total}


def test_the_api_is_served_with_and_without_the_prefix(app: App) -> None:
    for base in ("", "/sandbox"):
        r = app.call("GET", f"{base}/api/player-balances/player/by-email/ada%40example.com")
        assert r.status == 200 and r.headers["X-Invo-Request-Id"].startswith("req_")
        assert r.headers["Cache-Control"] == "no-store"
    assert app.sb.request_count("/api/player-balances/player/by-email/*") == 2


@pytest.mark.parametrize("agent", ["", "sqlmap/1.0", "Python-urllib/3.11", "MyBot"])
def test_blocked_user_agents(app: App, agent: str) -> None:
    r = app.call("GET", BALANCE, headers={"User-Agent": agent})
    assert r.status == 403 and json.loads(r.body)["code"] == "USER_AGENT_BLOCKED"


def test_secret_json_and_field_errors(app: App) -> None:
    assert app.call("GET", BALANCE, secret=False).status == 401
    bad = app.call("POST", "/api/item-purchases/purchase-item", raw=b"{not json")
    assert bad.status == 400 and json.loads(bad.body)["code"] == "INVALID_JSON"
    array = app.call("POST", "/api/item-purchases/purchase-item", raw=b"[1]")
    assert json.loads(array.body)["code"] == "INVALID_JSON"
    missing = app.json("POST", "/api/item-purchases/purchase-item", {"client_request_id": "x"})
    assert missing["code"] == "VALIDATION_ERROR" and missing["field"] == "player_email"
    quantity = app.json("POST", "/api/item-purchases/purchase-item",
                        {**item("q"), "item_quantity": True})
    assert quantity["field"] == "item_quantity"
    money = app.json("POST", "/api/item-purchases/purchase-item",
                     {**item("m"), "unit_price": "1.234", "total_price": "1.234"})
    assert money["field"] == "unit_price"


def test_typed_reads_of_every_kind(app: App) -> None:
    assert app.call("GET", "/api/player-balances/player/abc").status == 404
    assert app.call("GET", BALANCE).status == 200
    assert app.json("GET", "/api/wallet/identities")["code"] == "VALIDATION_ERROR"
    wallet = app.json("GET", "/api/wallet/identities?player_phone=%2B15555550100")
    assert wallet["primary_email"] == "ada@example.com"
    history = app.json("GET", "/api/item-purchases/player-purchase-history?player_email=x"
                              "&limit=101")
    assert history["field"] == "limit"
    both = app.json("GET", "/api/item-purchases/order-details?order_id=a&transaction_id=b")
    assert both["code"] == "VALIDATION_ERROR"
    assert app.json("GET", "/api/currency-purchases/order-details")["code"] == (
        "VALIDATION_ERROR")
    assert app.json("GET", "/api/transfers/inbound-pending")["code"] == "VALIDATION_ERROR"
    assert app.json("GET", "/api/wallet/phone-share/status?phone=x", secret=False)[
        "code"] == "VALIDATION_ERROR"


def test_an_item_purchase_round_trip(app: App) -> None:
    body = app.json("POST", "/api/item-purchases/purchase-item", item("r1", "10.00"))
    assert body["new_balance"] == "490.00" and body["financial_breakdown"]["platform_fee"] == "1.00"
    again = app.call("POST", "/api/item-purchases/purchase-item", item("r1", "10.00"))
    assert again.status == 409
    order = app.json("GET", "/api/item-purchases/order-details?client_request_id=r1")
    assert order["order"]["order_id"] == body["order_id"]


def test_initiate_replays_the_first_answer_even_after_verification(app: App) -> None:
    send = {"client_request_id": "s1", "sender_player_name": "Ada",
            "sender_player_email": "ada@example.com", "sender_player_phone": "+15555550100",
            "receiver_player_email": "zed@example.com",
            "receiver_player_phone": "+15555550199", "receiving_game_id": "2002",
            "amount": 5}
    first = app.json("POST", "/api/currency-sends/initiate-send", send)
    pin = app.sb.last_sms_pin(first["transaction_id"])
    app.json("POST", "/api/currency-sends/verify-sms",
             {"transaction_id": first["transaction_id"], "sms_pin": pin})
    assert app.json("POST", "/api/currency-sends/initiate-send", send) == first
    changed = app.call("POST", "/api/currency-sends/initiate-send", {**send, "amount": 6})
    assert changed.status == 409
    game = app.json("POST", "/api/currency-sends/initiate-send",
                    {**send, "client_request_id": "s2", "receiving_game_id": "abc"})
    assert game["field"] == "receiving_game_id"


def test_faults_status_stall_and_disconnect(app: App) -> None:
    app.sb.add_fault(FaultRule.from_dict({"retry_after": 2.5, "path": "/api/transfers/*"}))
    throttled = app.call("GET", "/api/transfers/txn_1/status")
    assert throttled.status == 429 and throttled.headers["Retry-After"] == "3"
    assert json.loads(throttled.body)["retry_after"] == 2.5
    assert app.call("GET", "/api/transfers/txn_1/status").status == 404  # used up
    app.sb.disconnect_next(1, method="POST")
    assert app.call("POST", "/api/item-purchases/purchase-item", item("d")).disconnect
    app.sb.stall_next(1, seconds=0.0)
    assert app.call("GET", BALANCE).status == 200
    app.stop.set()  # a stall while the sandbox stops ends in a disconnect
    app.sb.stall_next(1, seconds=30)
    assert app.call("GET", BALANCE).disconnect
    faulted = [r.faulted for r in app.sb.requests]
    assert faulted.count("status") == 1 and faulted.count("stall") == 2


def test_fault_rules_are_checked() -> None:
    for bad in ({"kind": "explode"}, {"count": 0}, {"status": 42}, {"kind": "stall",
                                                                   "seconds": -1}):
        with pytest.raises(ValueError):
            FaultRule.from_dict(bad)
    rule = FaultRule.from_dict({"status": 418, "count": None, "method": "get",
                                "body": {"error": "flow_paused"}})
    assert rule.method == "GET" and rule.count is None and rule.matches("get", "/x")
    assert rule.response_body() == {"error": "flow_paused"}


def test_the_admin_api_skips_policy_faults_and_counting(app: App) -> None:
    app.sb.fail_next(5)
    state = app.call("GET", "/__sandbox__/state", secret=False, headers={"User-Agent": ""})
    assert state.status == 200 and json.loads(state.body)["base_url"] is None
    created = app.json("POST", "/__sandbox__/players",
                       {"email": "new@example.com", "balance": 3}, secret=False)
    assert created["player_id"] == 2
    assert app.call("POST", "/__sandbox__/players", {"email": "x@example.com", "pet": 1},
                    secret=False).status == 400
    assert app.call("POST", "/__sandbox__/clock/advance", {"seconds": -1}).status == 400
    assert app.json("POST", "/__sandbox__/clock/advance", {"seconds": 5})["clock_offset"] == 5
    fault = app.json("POST", "/__sandbox__/faults", {"status": 502, "count": 2})
    assert fault["fault"]["status"] == 502
    assert len(app.json("GET", "/__sandbox__/faults")["faults"]) == 2
    assert app.call("DELETE", "/__sandbox__/faults").status == 200
    assert app.sb.faults == [] and app.sb.request_counts() == {}
    missing = app.call("POST", "/__sandbox__/checkout/cs_nope/pay")
    assert missing.status == 404  # a SandboxError keeps its status over HTTP
    assert app.call("GET", "/__sandbox__/nothing").status == 404
    assert app.call("PUT", "/__sandbox__/state").status == 405


def test_the_checkout_page_and_its_buttons(app: App) -> None:
    session = app.json("POST", "/api/checkout/sessions",
                       {"player_email": "ada@example.com", "usd_amount": "2.50",
                        "cancel_url": "https://g.example/c"})
    sid = session["session_id"]
    page = app.call("GET", f"/checkout/{sid}")
    assert page.status == 200 and b"25.00 Gold Coins" in page.body
    assert b"INVO_CHECKOUT_COMPLETE" in page.body and b"font-family" in page.body  # assets
    assert f'action="/sandbox/checkout/{sid}/pay"'.encode() in page.body
    form = {"content-type": "application/x-www-form-urlencoded"}
    cancelled = app.call("POST", f"/checkout/{sid}/cancel", raw=b"x=1", headers=form)
    assert cancelled.status == 303 and cancelled.headers["Location"] == "https://g.example/c"
    used = app.call("POST", f"/checkout/{sid}/pay", raw=b"", headers=form)
    assert used.status == 409 and b"SESSION_ALREADY_CONSUMED" in used.body
    assert app.call("POST", f"/checkout/{sid}/pay").status == 409  # JSON for a JSON post
    assert app.call("GET", "/checkout/cs_nope").status == 404
    bad_url = app.json("POST", "/api/checkout/sessions",
                       {"player_email": "a@b.co", "usd_amount": "1", "success_url": "ftp://x"})
    assert bad_url["field"] == "success_url"


def test_the_pending_payment_page(app: App) -> None:
    pending = app.json("POST", "/api/currency-purchases/purchase-currency",
                       {"purchase_reference": "p1", "player_email": "ada@example.com",
                        "usd_amount": "1.00", "payment_method_id": "pm_pending"})
    order_id = pending["order_id"]
    assert b"invo-complete" in app.call("GET", f"/pay/{order_id}").body
    done = app.call("POST", f"/pay/{order_id}/complete", raw=b"",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert done.status == 200 and b"510.00" in done.body
    assert app.call("GET", f"/pay/{order_id}").status == 404  # no longer pending
    missing = app.json("POST", "/api/currency-purchases/purchase-currency",
                       {"player_email": "ada@example.com", "usd_amount": "1.00"})
    assert missing["code"] == "MISSING_PURCHASE_REFERENCE"


def test_webhook_endpoint_registration_over_the_layer(app: App) -> None:
    first = app.json("PUT", "/api/dev/webhooks/games/1001",
                     {"target_url": "http://127.0.0.1:9/h", "compression": "gzip"})
    assert first["created"] is True and first["signing_secret"].startswith("whsec_")
    assert first["subscription"]["compression"] == "gzip"
    again = app.json("PUT", "/api/dev/webhooks/games/1001", {"target_url": "http://127.0.0.1:9/h"})
    assert again["created"] is False and "signing_secret" not in again
    rotated = app.json("POST", "/api/dev/webhooks/games/1001/rotate-secret")
    assert rotated["secret_version"] == 2 and app.sb.webhook_secrets[0] == rotated[
        "signing_secret"]
    events = app.json("PUT", "/api/dev/webhooks/games/1001",
                      {"target_url": "http://127.0.0.1:9/h", "subscribed_events": []})
    assert events["field"] == "subscribed_events"
    sent = app.json("POST", "/api/dev/webhooks/games/1001/test", {"message": "hi"})
    assert app.sb.events_of("webhook.test")[0]["data"] == {"message": "hi"}
    assert sent["idempotency_key"] == app.sb.events_of("webhook.test")[0]["idempotency_key"]


def test_admin_views_of_texts_events_and_deliveries(app: App) -> None:
    app.sb.set_phone_owner("+15555550150", "owner@example.com")
    ask = app.json("POST", "/api/sdk/player-token",
                   {"player_email": "me@example.com", "player_phone": "+15555550150"})
    assert ask["code"] == "PHONE_SHARE_APPROVAL_REQUIRED"
    otp = app.json("GET", "/__sandbox__/otp?phone=%2B15555550150")
    assert otp["otp"] and otp["phone"] == "+15555550150"
    sms = app.json("GET", "/__sandbox__/sms")["messages"]
    assert sms[-1]["otp"] == otp["otp"] and sms[-1]["approval_id"] == ask["approval_id"]
    app.json("POST", "/api/item-purchases/purchase-item", item("e1", "1.00"))
    events = app.json("GET", "/__sandbox__/events")["events"]
    assert [e["event_type"] for e in events] == ["item.purchased", "balance.updated"]
    deliveries = app.json("GET", "/__sandbox__/webhooks/deliveries")
    assert deliveries == {"deliveries": [], "pending": 0}  # nothing subscribed
    assert app.json("GET", "/__sandbox__/webhooks/dead-letters") == {"dead_letters": []}
    assert app.json("POST", "/__sandbox__/webhooks/replay")["replayed"] == 0
    missing = app.call("POST", "/__sandbox__/webhooks/replay", {"idempotency_key": "nope"})
    assert missing.status == 400  # an unknown key is a KeyError: a 400 over HTTP
    key = events[0]["idempotency_key"]
    assert app.json("POST", "/__sandbox__/webhooks/replay", {"idempotency_key": key})[
        "replayed"] == 1


def test_admin_phone_owners_and_reset(app: App) -> None:
    bad = app.call("POST", "/__sandbox__/phone-owners", {"phone": "+15555550160"})
    assert bad.status == 400
    ok = app.call("POST", "/__sandbox__/phone-owners",
                  {"phone": "+15555550160", "owner_email": "o@example.com"})
    assert ok.status == 200
    app.json("POST", "/api/item-purchases/purchase-item", item("z1", "1.00"))
    assert app.call("POST", "/__sandbox__/reset").status == 200
    snapshot = app.json("GET", "/__sandbox__/state")
    assert snapshot["orders"] == 0 and snapshot["players"][0]["balances"]["1001"] == "500"
    assert app.sb._world.state.foreign_phones == {}  # only the seeds come back


def test_movement_ids_belong_to_their_own_path(app: App) -> None:
    send = app.json("POST", "/api/currency-sends/initiate-send", {
        "client_request_id": "p1", "sender_player_name": "Ada",
        "sender_player_email": "ada@example.com", "sender_player_phone": "+15555550100",
        "receiver_player_email": "zed@example.com", "receiver_player_phone": "+15555550199",
        "receiving_game_id": 2002, "amount": "5"})
    txn = send["transaction_id"]
    assert app.json("GET", f"/api/currency-sends/{txn}/status")["transaction_type"] == "send"
    wrong = app.call("GET", f"/api/transfers/{txn}/status")
    assert wrong.status == 404 and json.loads(wrong.body)["code"] == "TRANSACTION_NOT_FOUND"
    assert app.call("GET", f"/api/transactions/{txn}/approval-status").status == 404


def test_balances_by_email_are_case_blind_and_unknown_ones_404(app: App) -> None:
    found = app.json("GET", "/api/player-balances/player/by-email/ADA%40Example.com")
    assert found["player"]["player_email"] == "ada@example.com"
    missing = app.call("GET", "/api/player-balances/player/by-email/nobody%40example.com")
    assert missing.status == 404 and json.loads(missing.body)["code"] == "PLAYER_NOT_FOUND"


def test_webhook_endpoint_errors_over_the_layer(app: App) -> None:
    other = app.call("PUT", "/api/dev/webhooks/games/2002", {"target_url": "https://h.example"})
    assert other.status == 403 and json.loads(other.body)["code"] == "GAME_MISMATCH"
    private = app.call("PUT", "/api/dev/webhooks/games/1001", {"target_url": "https://10.1.2.3/h"})
    assert json.loads(private.body)["code"] == "INVALID_TARGET_URL"
    plain = app.call("PUT", "/api/dev/webhooks/games/1001", {"target_url": "http://h.example/x"})
    assert json.loads(plain.body)["code"] == "INVALID_TARGET_URL"
    rotate = app.call("POST", "/api/dev/webhooks/games/1001/rotate-secret")
    assert rotate.status == 404 and json.loads(rotate.body)["code"] == "WEBHOOK_NOT_FOUND"
    assert app.call("PUT", "/api/dev/webhooks/games/1001", {"target_url": "x"},
                    secret=False).status == 401


def test_destinations_echo_the_direction_and_check_the_source(app: App) -> None:
    sends = app.json("POST", "/api/currency-sends/available-destinations",
                     {"source_game_id": 1001})
    transfers = app.json("POST", "/api/transfers/available-destinations",
                         {"source_game_id": "1001"})
    assert (sends["direction"], transfers["direction"]) == ("send", "transfer")
    assert sends["total_destinations"] == 2 and sends["transfer_mode"] == "universal"
    unknown = app.call("POST", "/api/transfers/available-destinations", {"source_game_id": 5})
    assert unknown.status == 404 and json.loads(unknown.body)["code"] == "GAME_NOT_FOUND"
    assert app.json("POST", "/api/transfers/available-destinations", {})["field"] == (
        "source_game_id")


def test_the_prefix_is_stripped_only_at_a_path_boundary(app: App) -> None:
    assert app.call("GET", "/sandboxed" + BALANCE).status == 404
    assert app.call("GET", "/sandbox").status == 404  # the prefix alone is no API path
    assert app.call("GET", "/sandbox" + BALANCE).status == 200


def test_expired_sessions_get_an_error_page(app: App) -> None:
    session = app.json("POST", "/api/checkout/sessions",
                       {"player_email": "ada@example.com", "usd_amount": "1.00"})
    app.sb.advance_time(15 * 60)
    page = app.call("GET", f"/checkout/{session['session_id']}")
    assert page.status == 410 and b"SESSION_EXPIRED" in page.body
    assert page.content_type.startswith("text/html")


def test_admin_actions_on_orders_movements_and_guardians(app: App) -> None:
    app.sb.add_player("kid@example.com", phone="+15555550133", balance=20, is_minor=True)
    base = {"sender_player_name": "K", "receiver_player_email": "zed@example.com",
            "receiver_player_phone": "+15555550199", "receiving_game_id": 2002, "amount": "1"}
    kid = {**base, "sender_player_email": "kid@example.com",
           "sender_player_phone": "+15555550133"}
    initiate = "/api/currency-sends/initiate-send"
    first = app.json("POST", initiate, {**kid, "client_request_id": "a"})
    second = app.json("POST", initiate, {**kid, "client_request_id": "b"})
    approved = app.json("POST", f"/__sandbox__/guardian/{first['transaction_id']}/approve")
    rejected = app.json("POST", f"/__sandbox__/guardian/{second['transaction_id']}/reject")
    assert (approved["state"], rejected["state"]) == ("approved", "rejected")
    app.sb.add_player("pk@example.com", phone="+15555550144", balance=5, passkey_enrolled=True)
    own = app.json("POST", "/api/currency-sends/initiate-send", {
        **base, "client_request_id": "c", "sender_player_email": "pk@example.com",
        "sender_player_phone": "+15555550144"})
    done = app.json("POST", f"/__sandbox__/transactions/{own['transaction_id']}/approve")
    assert done["status"] == "approved" and len(done["claim_code"]) == 8
    pending = app.json("POST", "/api/currency-purchases/purchase-currency",
                       {"purchase_reference": "q1", "player_email": "ada@example.com",
                        "usd_amount": "2.00", "payment_method_id": "pm_pending"})
    paid = app.json("POST", f"/__sandbox__/orders/{pending['order_id']}/complete")
    assert paid["new_balance"] == "520.00"
    json_done = app.call("POST", f"/pay/{pending['order_id']}/complete")
    assert json_done.status == 409  # already completed: JSON error for a JSON post
