"""Observability hooks: payloads, order, best effort, no secret."""

from __future__ import annotations

import dataclasses
import logging
from typing import Any, List

import pytest
import requests
import responses

from invonetwork import ErrorInfo, Hooks, InvoError, InvoServer, RequestInfo, ResponseInfo

from .recorder import RECORDER_SECRET, Recorder
from .support import SANDBOX, SECRET, make_client

# == over a mocked transport (responses) =======================================================

URL = SANDBOX + "/api/transfers/t-1/status"


class HookLog:
    def __init__(self) -> None:
        self.requests: list[RequestInfo] = []
        self.responses: list[ResponseInfo] = []
        self.errors: list[ErrorInfo] = []

    def hooks(self) -> Hooks:
        return Hooks(on_request=self.requests.append, on_response=self.responses.append,
                     on_error=self.errors.append)

    def everything(self) -> list[Any]:
        return [*self.requests, *self.responses, *self.errors]


def test_payloads_across_retries(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("GET", URL, status=503, json={"error": "busy"}, headers={"x-request-id": "r-0"})
    rsps.add("GET", URL, body=requests.ConnectionError("reset"))
    rsps.add("GET", URL, json={"transaction_id": "t-1"}, headers={"x-invo-request-id": "r-2"})
    assert invo.get_transfer_status("t-1").transaction_id == "t-1"

    assert [(r.method, r.url, r.attempt) for r in seen.requests] == [
        ("GET", URL, 0), ("GET", URL, 1), ("GET", URL, 2)]
    assert [(r.status, r.attempt, r.request_id) for r in seen.responses] == [
        (503, 0, "r-0"), (200, 2, "r-2")]
    for info in seen.responses:
        assert info.method == "GET" and info.url == URL
        assert isinstance(info.duration_ms, float) and info.duration_ms >= 0
    assert [(e.attempt, e.will_retry) for e in seen.errors] == [(0, True), (1, True)]
    first, second = seen.errors
    assert isinstance(first.error, InvoError) and first.error.status == 503
    assert first.error.request_id == "r-0"
    assert isinstance(second.error, InvoError) and second.error.status == 0
    assert first.method == "GET" and first.url == URL


def test_last_error_says_it_will_not_retry(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("GET", URL, status=500)
    with pytest.raises(InvoError) as info:
        invo.get_transfer_status("t-1")
    assert [e.will_retry for e in seen.errors] == [True, True, False]
    assert seen.errors[-1].error is info.value
    assert [r.attempt for r in seen.requests] == [0, 1, 2]


@pytest.mark.parametrize("status", [400, 404, 409])
def test_non_retryable_error_reported_once(status: int, rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("GET", URL, status=status, json={"error": "no"})
    with pytest.raises(InvoError):
        invo.get_transfer_status("t-1")
    assert [(e.will_retry, e.error.status) for e in seen.errors] == [(False, status)]
    assert [r.status for r in seen.responses] == [status]


def test_not_idempotent_call_reports_no_retry(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("POST", SANDBOX + "/api/checkout/sessions", body=requests.ConnectionError("x"))
    with pytest.raises(InvoError):
        invo.create_checkout(player_email="p@x", usd_amount="1")
    assert [e.will_retry for e in seen.errors] == [False]
    assert seen.responses == []


def test_success_reports_no_error(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("GET", URL, json={})
    invo.get_transfer_status("t-1")
    assert len(seen.requests) == 1 and len(seen.responses) == 1 and seen.errors == []
    assert seen.responses[0].request_id is None


def test_raising_hooks_do_not_break_calls(rsps: responses.RequestsMock) -> None:
    def boom(_: Any) -> None:
        raise RuntimeError("metrics exporter is down")

    invo = make_client(hooks=Hooks(on_request=boom, on_response=boom, on_error=boom))
    rsps.add("GET", URL, status=503)
    rsps.add("GET", URL, json={"transaction_id": "t-1"})
    assert invo.get_transfer_status("t-1").transaction_id == "t-1"
    assert len(rsps.calls) == 2
    rsps.replace("GET", URL, status=400, json={"error": "bad"})
    with pytest.raises(InvoError) as info:  # the API error, not the hook's RuntimeError
        invo.get_transfer_status("t-1")
    assert info.value.status == 400


def test_hooks_are_optional(rsps: responses.RequestsMock) -> None:
    invo = make_client(hooks=Hooks(on_error=lambda e: None))
    rsps.add("GET", URL, status=503)
    rsps.add("GET", URL, json={"transaction_status": "pending"})
    assert invo.get_transfer_status("t-1").transaction_status == "pending"
    assert len(rsps.calls) == 2  # the missing on_request / on_response changed nothing


def test_with_options_hooks(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client()
    rsps.add("GET", URL, json={})
    invo.with_options(hooks=seen.hooks()).get_transfer_status("t-1")
    invo.get_transfer_status("t-1")
    assert len(seen.requests) == 1


def _walk(value: Any) -> list[str]:
    """Every string reachable from a payload (dataclass fields, error attributes, bodies)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [s for f in dataclasses.fields(value) for s in _walk(getattr(value, f.name))]
    if isinstance(value, InvoError):
        return [repr(value), str(value), *_walk(value.body), *_walk(value.code),
                *_walk(value.request_id)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (*_walk(k), *_walk(v))]
    if isinstance(value, (list, tuple)):
        return [s for v in value for s in _walk(v)]
    return [str(value)]


def test_no_payload_contains_the_secret(rsps: responses.RequestsMock) -> None:
    seen = HookLog()
    invo = make_client(hooks=seen.hooks())
    rsps.add("GET", URL, status=503, json={"error": f"bad key {SECRET}", "key": SECRET},
             headers={"x-request-id": "r"})
    rsps.add("GET", URL, body=requests.ConnectionError(f"failed for {SECRET}"))
    rsps.add("GET", URL, status=401, body=f"invalid secret {SECRET}")
    with pytest.raises(InvoError):
        invo.get_transfer_status("t-1")
    assert len(seen.everything()) == 3 + 2 + 3
    for payload in seen.everything():
        assert SECRET not in repr(payload)
        for text in _walk(payload):
            assert SECRET not in text


def test_debug_log_lines_carry_the_route_template_not_personal_data(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with responses.RequestsMock() as mock:
        mock.add("GET", "https://invo.example.test/api/player-balances/player/by-email/"
                 "ada%40example.com", json={"balances": []})
        with caplog.at_level(logging.DEBUG, logger="invonetwork"):
            InvoServer("secret", "https://invo.example.test").get_player_balance(
                player_email="ada@example.com")
    lines = [r.getMessage() for r in caplog.records if r.name == "invonetwork"]
    assert any("/api/player-balances/player/by-email/{player_email} -> 200" in line
               for line in lines), lines
    assert not any("ada" in line for line in lines)


# == over the recording server on 127.0.0.1 ====================================================

class Log:
    def __init__(self) -> None:
        self.events: List[Any] = []

    def hooks(self) -> Hooks:
        return Hooks(on_request=self.events.append, on_response=self.events.append,
                     on_error=self.events.append)


def test_success_payloads(srv: Recorder) -> None:
    log = Log()
    srv.reply(200, {"token": "t"}, headers={"x-request-id": "r1"})
    srv.client(hooks=log.hooks()).mint_player_token(player_email="a@b.io")
    req, resp = log.events
    assert isinstance(req, RequestInfo) and isinstance(resp, ResponseInfo)
    url = srv.url + "/api/sdk/player-token"
    assert (req.method, req.url, req.attempt) == ("POST", url, 0)
    assert (resp.method, resp.url, resp.attempt, resp.status) == ("POST", url, 0, 200)
    assert isinstance(resp.duration_ms, float) and resp.duration_ms >= 0
    assert resp.request_id == "r1"


def test_retry_sequence(srv: Recorder) -> None:
    log = Log()
    srv.reply(503, {"error": "down"}, headers={"x-invo-request-id": "r0"})
    srv.reply(200, {})
    srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    kinds = [type(e).__name__ for e in log.events]
    assert kinds == ["RequestInfo", "ResponseInfo", "ErrorInfo", "RequestInfo", "ResponseInfo"]
    r0, resp0, err0, r1, resp1 = log.events
    assert (r0.attempt, resp0.attempt, err0.attempt, r1.attempt, resp1.attempt) == (0, 0, 0, 1, 1)
    assert resp0.status == 503 and resp0.request_id == "r0"
    assert isinstance(err0.error, InvoError) and err0.error.status == 503
    assert err0.will_retry is True and err0.method == "GET"
    assert err0.url.startswith(srv.url + "/api/currency-purchases/order-details")


def test_final_error_will_retry_false(srv: Recorder) -> None:
    log = Log()
    srv.reply(400, {"error": "bad"})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    errors = [e for e in log.events if isinstance(e, ErrorInfo)]
    assert len(errors) == 1 and errors[0].will_retry is False
    assert errors[0].error.status == 400


def test_network_error_hook(srv: Recorder) -> None:
    log = Log()
    srv.reply(drop=True).reply(drop=True)
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks(), max_retries=1).get_order_details(order_id="o")
    errors = [e for e in log.events if isinstance(e, ErrorInfo)]
    assert [e.will_retry for e in errors] == [True, False]
    assert all(e.error.status == 0 for e in errors)
    assert not any(isinstance(e, ResponseInfo) for e in log.events)


def test_non_idempotent_error_will_retry_false(srv: Recorder) -> None:
    log = Log()
    srv.reply(503, {})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).create_checkout(player_email="a@b.io", usd_amount="1")
    errors = [e for e in log.events if isinstance(e, ErrorInfo)]
    assert len(errors) == 1 and errors[0].will_retry is False


def test_hook_exceptions_swallowed(srv: Recorder) -> None:
    def boom(_: Any) -> None:
        raise RuntimeError("hook failed")

    hooks = Hooks(on_request=boom, on_response=boom, on_error=boom)
    srv.reply(503, {}).reply(200, {"token": "t"})
    assert srv.client(hooks=hooks).mint_player_token(player_email="a@b.io").token == "t"
    srv.reply(400, {"error": "bad"})
    with pytest.raises(InvoError) as ei:
        srv.client(hooks=hooks).mint_player_token(player_email="a@b.io")
    assert ei.value.status == 400


def test_hooks_optional() -> None:
    assert (Hooks().on_request, Hooks().on_response, Hooks().on_error) == (None, None, None)
    only = Hooks(on_request=print)
    assert only.on_request is print and only.on_error is None


def test_secret_never_in_payloads(srv: Recorder) -> None:
    log = Log()
    srv.reply(500, {"error": "x"}).reply(401, {"error": "bad"})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    assert log.events
    for e in log.events:
        assert RECORDER_SECRET not in repr(e)
        assert RECORDER_SECRET not in repr(vars(e) if hasattr(e, "__dict__") else e)
        if isinstance(e, ErrorInfo):
            assert RECORDER_SECRET not in repr(e.error.body) and RECORDER_SECRET not in str(e.error)


def test_redirect_and_long_429_hooks(srv: Recorder) -> None:
    log = Log()
    srv.reply(302, b"", headers={"Location": "/x"})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    resp = [e for e in log.events if isinstance(e, ResponseInfo)]
    errs = [e for e in log.events if isinstance(e, ErrorInfo)]
    assert [r.status for r in resp] == [302] and [e.will_retry for e in errs] == [False]
    log.events.clear()
    srv.reply(429, {"retry_after": 60})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    errs = [e for e in log.events if isinstance(e, ErrorInfo)]
    assert [e.will_retry for e in errs] == [False]


def test_error_request_id_in_hook(srv: Recorder) -> None:
    log = Log()
    srv.reply(400, {"error": "bad"}, headers={"x-invo-request-id": "rq"})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    err = next(e for e in log.events if isinstance(e, ErrorInfo))
    assert err.error.request_id == "rq"


def test_phone_share_hooks_no_secret(srv: Recorder) -> None:
    log = Log()
    srv.client(hooks=log.hooks()).phone_share_status(phone="+15551234567", email="a@b.io")
    assert len(log.events) == 2 and all(RECORDER_SECRET not in repr(e) for e in log.events)


def test_payload_constructors_positional() -> None:
    req = RequestInfo("GET", "https://x/y", 0)
    assert (req.method, req.url, req.attempt) == ("GET", "https://x/y", 0)
    resp = ResponseInfo("GET", "https://x/y", 1, 200, 1.5, "rid")
    assert (resp.status, resp.duration_ms, resp.request_id) == (200, 1.5, "rid")
    err = InvoError("e")
    info = ErrorInfo("POST", "https://x/y", 2, err, True)
    assert info.error is err and info.will_retry is True and info.attempt == 2
