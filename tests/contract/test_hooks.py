"""Observability hooks: payloads, attempts, will_retry, swallowed exceptions, no secret."""

from __future__ import annotations

from typing import Any, List

import pytest

from invonetwork import ErrorInfo, Hooks, InvoError, RequestInfo, ResponseInfo

from .conftest import SECRET, Recorder


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
    Hooks()
    Hooks(on_request=lambda i: None)


def test_secret_never_in_payloads(srv: Recorder) -> None:
    log = Log()
    srv.reply(500, {"error": "x"}).reply(401, {"error": "bad"})
    with pytest.raises(InvoError):
        srv.client(hooks=log.hooks()).get_order_details(order_id="o")
    assert log.events
    for e in log.events:
        assert SECRET not in repr(e)
        assert SECRET not in repr(vars(e) if hasattr(e, "__dict__") else e)
        if isinstance(e, ErrorInfo):
            assert SECRET not in repr(e.error.body) and SECRET not in str(e.error)


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
    assert len(log.events) == 2 and all(SECRET not in repr(e) for e in log.events)


def test_payload_constructors_positional() -> None:
    req = RequestInfo("GET", "https://x/y", 0)
    assert (req.method, req.url, req.attempt) == ("GET", "https://x/y", 0)
    resp = ResponseInfo("GET", "https://x/y", 1, 200, 1.5, "rid")
    assert (resp.status, resp.duration_ms, resp.request_id) == (200, 1.5, "rid")
    err = InvoError("e")
    info = ErrorInfo("POST", "https://x/y", 2, err, True)
    assert info.error is err and info.will_retry is True and info.attempt == 2
