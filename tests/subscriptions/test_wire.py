"""Each call sends exactly INVO's request, retries only where it may, and covers every method."""

from __future__ import annotations

import inspect
import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

import pytest
import responses

from invonetwork import Cards, InvoServer, SandboxSubscriptions, Subscriptions

from .conftest import BASE, CLOCK_KEY, SECRET

SUB = {"subscription": {"subscription_id": "sub_1", "status": "active"}}


@dataclass
class Case:
    name: str  # namespace.method
    call: Callable[[InvoServer], Any]
    method: str
    path: str
    body: Optional[dict[str, Any]]
    query: list[tuple[str, str]] = field(default_factory=list)
    idempotent: bool = True
    clock: bool = False
    answer: dict[str, Any] = field(default_factory=lambda: dict(SUB))


CASES = [
    Case("subscriptions.create",
         lambda c: c.subscriptions.create(
             client_request_id="k1", player_email="ada@example.com", player_name="Ada",
             item_id="vip", amount_usd="9.9", player_phone="+15555550100", item_name="VIP",
             trial_days=7, trial_amount_usd="1", player_card_id=3, metadata={"a": 1},
             consent={"terms_version": "1"}, revenue_share={"percent": "5"}),
         "POST", "/api/subscriptions/subscribe",
         {"client_request_id": "k1", "player_email": "ada@example.com", "player_name": "Ada",
          "item_id": "vip", "amount_usd": "9.90", "interval": "month", "interval_count": 1,
          "player_phone": "+15555550100", "item_name": "VIP", "trial_days": 7,
          "player_card_id": 3, "metadata": {"a": 1}, "consent": {"terms_version": "1"},
          "revenue_share": {"percent": "5"}, "trial_amount_usd": "1.00"}),
    Case("subscriptions.get", lambda c: c.subscriptions.get("sub/1", include_player=True),
         "GET", "/api/subscriptions/sub%2F1", None, [("include_player", "true")]),
    Case("subscriptions.list_for_player",
         lambda c: c.subscriptions.list_for_player(
             "ada@example.com", status=["active", "past_due"], limit=5, offset=0,
             include_player=True),
         "GET", "/api/subscriptions/player", None,
         [("player_email", "ada@example.com"), ("status", "active,past_due"), ("limit", "5"),
          ("offset", "0"), ("include_player", "true")]),
    Case("subscriptions.cancel", lambda c: c.subscriptions.cancel("sub_1"),
         "POST", "/api/subscriptions/sub_1/cancel", {"at_period_end": True}),
    Case("subscriptions.change_amount", lambda c: c.subscriptions.change_amount("sub_1", 12),
         "POST", "/api/subscriptions/sub_1/amount", {"amount_usd": "12.00"}),
    Case("subscriptions.set_payment_method",
         lambda c: c.subscriptions.set_payment_method("sub_1", player_card_id=4),
         "POST", "/api/subscriptions/sub_1/payment-method", {"player_card_id": 4}),
    Case("subscriptions.refund",
         lambda c: c.subscriptions.refund("sub_1", client_request_id="r1", period_seq=2,
                                          amount_usd="5", reason="asked"),
         "POST", "/api/subscriptions/sub_1/refund",
         {"client_request_id": "r1", "period_seq": 2, "amount_usd": "5.00", "reason": "asked"},
         answer={"status": "refunded"}),
    Case("subscriptions.steam_init",
         lambda c: c.subscriptions.steam_init(
             client_request_id="s1", player_email="ada@example.com", player_name="Ada",
             item_id="vip", amount_usd="9.99", steam_id="76561198000000000",
             user_session="web", player_ip="203.0.113.9", item_name=""),
         "POST", "/api/subscriptions/steam/init",
         {"client_request_id": "s1", "player_email": "ada@example.com", "player_name": "Ada",
          "item_id": "vip", "amount_usd": "9.99", "steamid": "76561198000000000",
          "usersession": "web", "interval": "month", "interval_count": 1,
          "player_ip": "203.0.113.9"}),
    Case("subscriptions.steam_finalize", lambda c: c.subscriptions.steam_finalize("sub_1"),
         "POST", "/api/subscriptions/steam/finalize", {"subscription_id": "sub_1"}),
    Case("cards.create_setup_session",
         lambda c: c.cards.create_setup_session(
             player_email="ada@example.com", success_url="https://game.example/ok",
             metadata={}, cancel_url=None, player_phone="+15555550100"),
         "POST", "/api/checkout/card-setup-sessions",
         {"player_email": "ada@example.com", "success_url": "https://game.example/ok",
          "metadata": {}, "player_phone": "+15555550100"}, idempotent=False,
         answer={"session_id": "cset_1", "card_setup_url": "https://x.example/c"}),
    Case("cards.begin_setup",
         lambda c: c.cards.begin_setup(player_email="ada@example.com", setup_reference="ref-1",
                                       payment_method_id="pm_1"),
         "POST", "/api/currency-purchases/setup-intent",
         {"player_email": "ada@example.com", "setup_reference": "ref-1",
          "payment_method_id": "pm_1"}),
    Case("cards.confirm_setup", lambda c: c.cards.confirm_setup(setup_intent_id="seti_1"),
         "POST", "/api/currency-purchases/setup-intent/confirm", {"setup_intent_id": "seti_1"}),
    Case("cards.list", lambda c: c.cards.list("ada@example.com"),
         "GET", "/api/currency-purchases/player-cards", None,
         [("player_email", "ada@example.com")]),
    Case("sandbox.subscriptions.advance_clock",
         lambda c: c.sandbox.subscriptions.advance_clock("sub_1", 3),
         "POST", "/subscriptions/sub_1/advance-clock", {"intervals": 3}, idempotent=False,
         clock=True),
    Case("sandbox.subscriptions.force_renewal",
         lambda c: c.sandbox.subscriptions.force_renewal("sub_1"),
         "POST", "/subscriptions/sub_1/force-renewal", {}, idempotent=False, clock=True),
    Case("sandbox.subscriptions.force_failure",
         lambda c: c.sandbox.subscriptions.force_failure("sub_1", "error", failure_code="",
                                                         failure_message="boom"),
         "POST", "/subscriptions/sub_1/force-failure",
         {"outcome": "error", "failure_message": "boom"}, idempotent=False, clock=True),
    Case("sandbox.subscriptions.force_auth_challenge",
         lambda c: c.sandbox.subscriptions.force_auth_challenge("sub_1"),
         "POST", "/subscriptions/sub_1/force-auth-challenge", {}, idempotent=False,
         clock=True),
]
IDS = [case.name for case in CASES]


def _url(case: Case) -> str:
    return BASE + case.path


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_each_call_sends_exactly_invos_request(
    case: Case, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    rsps.add(case.method, _url(case), json=case.answer)
    case.call(client)
    assert len(rsps.calls) == 1
    sent = rsps.calls[0].request
    parts = urlsplit(sent.url)
    assert sent.method == case.method
    assert parts.path == urlsplit(_url(case)).path
    assert parse_qsl(parts.query) == case.query
    assert sent.headers["X-Game-Secret-Key"] == SECRET
    assert "python-sdk" in sent.headers["User-Agent"]
    if case.clock:
        assert sent.headers["X-Sandbox-Clock-Key"] == CLOCK_KEY
    else:
        assert "X-Sandbox-Clock-Key" not in sent.headers
    assert "Authorization" not in sent.headers
    if case.body is None:
        assert sent.body is None
        assert "Content-Type" not in sent.headers
    else:
        assert json.loads(sent.body) == case.body
        assert sent.headers["Content-Type"] == "application/json"


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_only_idempotent_calls_are_retried(
    case: Case, client: InvoServer, rsps: responses.RequestsMock
) -> None:
    rsps.add(case.method, _url(case), status=503, json={"error": "busy"})
    rsps.add(case.method, _url(case), json=case.answer)
    try:
        case.call(client)
    except Exception as exc:
        assert not case.idempotent, exc
        assert getattr(exc, "status", None) == 503
    assert len(rsps.calls) == (2 if case.idempotent else 1)


@pytest.mark.parametrize("case", [c for c in CASES if c.idempotent], ids=lambda c: c.name)
def test_no_retry_on_a_409(case: Case, client: InvoServer,
                           rsps: responses.RequestsMock) -> None:
    rsps.add(case.method, _url(case), status=409, json={"code": "CONCURRENT_REQUEST"})
    with pytest.raises(Exception) as caught:
        case.call(client)
    assert caught.value.is_concurrent_request  # type: ignore[attr-defined]
    assert len(rsps.calls) == 1


def _public_methods(cls: type) -> set[str]:
    return {name for name, member in inspect.getmembers(cls, inspect.isfunction)
            if not name.startswith("_")}


def test_every_namespace_method_is_in_the_catalogue() -> None:
    covered = {case.name for case in CASES}
    wanted = {f"subscriptions.{m}" for m in _public_methods(Subscriptions)}
    wanted |= {f"cards.{m}" for m in _public_methods(Cards)}
    wanted |= {f"sandbox.subscriptions.{m}" for m in _public_methods(SandboxSubscriptions)}
    assert wanted == covered


def test_catalogue_names_are_the_telemetry_operations() -> None:
    from invonetwork._routes_subscriptions import OPERATIONS

    assert set(OPERATIONS.values()) == {case.name for case in CASES}


def test_namespaces_hang_off_the_client(client: InvoServer) -> None:
    assert isinstance(client.subscriptions, Subscriptions)
    assert isinstance(client.cards, Cards)
    assert isinstance(client.sandbox.subscriptions, SandboxSubscriptions)


def test_optional_create_keys_are_left_out(client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    rsps.add("POST", BASE + "/api/subscriptions/subscribe", json=SUB)
    client.subscriptions.create(client_request_id="k", player_email="a@example.com",
                                player_name="A", item_id="i", amount_usd=5, player_phone=None,
                                item_name="", wallet_only=False, interval="year",
                                interval_count=2)
    assert json.loads(rsps.calls[0].request.body) == {
        "client_request_id": "k", "player_email": "a@example.com", "player_name": "A",
        "item_id": "i", "amount_usd": "5.00", "interval": "year", "interval_count": 2,
        "wallet_only": False}


def test_cancel_now_sends_the_reason(client: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("POST", BASE + "/api/subscriptions/s/cancel", json={"status": "canceled"})
    client.subscriptions.cancel("s", at_period_end=False, reason="moved on")
    assert json.loads(rsps.calls[0].request.body) == {"at_period_end": False,
                                                      "reason": "moved on"}


def test_steam_init_always_sends_usersession(client: InvoServer,
                                             rsps: responses.RequestsMock) -> None:
    rsps.add("POST", BASE + "/api/subscriptions/steam/init", json={})
    client.subscriptions.steam_init(client_request_id="k", player_email="a@example.com",
                                    player_name="A", item_id="i", amount_usd="1.5",
                                    steam_id="7656")
    body = json.loads(rsps.calls[0].request.body)
    assert body["usersession"] == "client" and body["steamid"] == "7656"
    assert "player_ip" not in body and "user_session" not in body and "steam_id" not in body


def test_clock_key_is_masked_on_the_client() -> None:
    made = InvoServer(SECRET, BASE, sandbox_clock_key=CLOCK_KEY)
    assert CLOCK_KEY not in repr(made._sandbox_clock_key)
    assert CLOCK_KEY not in repr(made)


def test_refund_results_by_answer(client: InvoServer, rsps: responses.RequestsMock) -> None:
    from invonetwork import RefundPendingApproval, RefundReceipt

    url = BASE + "/api/subscriptions/s/refund"
    rsps.add("POST", url, status=202, headers={"x-invo-request-id": "req_1"},
             json={"status": "pending_approval", "request_id": "SRR1"})
    rsps.add("POST", url, headers={"x-invo-request-id": "req_2"},
             json={"status": "refunded", "transaction_id": "t"})
    pending = client.subscriptions.refund("s", client_request_id="k")
    assert isinstance(pending, RefundPendingApproval) and pending.request_id == "SRR1"
    receipt = client.subscriptions.refund("s", client_request_id="k")
    assert isinstance(receipt, RefundReceipt) and receipt.request_id == "req_2"


def test_get_unwraps_and_keeps_the_request_id(client: InvoServer,
                                              rsps: responses.RequestsMock) -> None:
    rsps.add("GET", BASE + "/api/subscriptions/s", headers={"x-invo-request-id": "req_9"},
             json={"subscription": {"subscription_id": "s", "status": "active"}})
    rsps.add("GET", BASE + "/api/subscriptions/s", json={"subscription_id": "bare"})
    got = client.subscriptions.get("s")
    assert got.subscription_id == "s" and got.request_id == "req_9"
    assert got.raw == {"subscription_id": "s", "status": "active"}
    assert client.subscriptions.get("s").subscription_id == "bare"


def test_list_falls_back_to_the_email_asked(client: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    rsps.add("GET", BASE + "/api/subscriptions/player", json={"subscriptions": [{}, 3]})
    page = client.subscriptions.list_for_player("ada@example.com")
    assert page.player_email == "ada@example.com" and len(page.subscriptions) == 1
    assert page.pagination == {}
