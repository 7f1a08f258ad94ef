"""Every InvoServer method against every fault the local server can inject.

Evidence comes from the server's own log: how many times each call's request *arrived*
(a request reset before it was read counts too: the server peeked at it). The rules:

* a call the contract marks non-idempotent arrives exactly once, whatever happened;
* an idempotent call arrives ``max_retries + 1`` times on a retryable fault, once otherwise;
* the caller always gets an ``InvoError`` of the expected subclass, with the status, code and
  request id the answer carried, and never a requests/urllib3/json/OSError exception;
* the call ends within a bound computed from timeout, retries and backoff (generous: this is a
  guard against hangs, not a speed test);
* the ``on_error`` hook says ``will_retry`` exactly when another attempt followed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any, Callable, Optional

import faultserver as fs
import pytest
import requests
import urllib3
from method_cases import LOOPS, METHODS, MethodCase, new_token

from invonetwork import ErrorInfo, Hooks, InvoError, RequestInfo
from invonetwork.errors import (
    AuthenticationError,
    BadRequestError,
    DuplicateRequestError,
    InvalidResponseError,
    MaybeSentError,
    RateLimitError,
    ReadTimeoutError,
    ServerError,
    UnexpectedRedirectError,
)

MAX_RETRIES = 2
BACKOFF = 0.01
NORMAL_TIMEOUT = (2.0, 2.0)  # nothing on loopback should come near this unless stalled
STALL_TIMEOUT = (2.0, 0.1)  # read timeout the stall faults are built to exceed
MAX_BACKOFF_DELAY = 8.0  # the SDK's documented cap on one backoff sleep
SLACK = 2.0  # seconds added to every bound: scheduling noise on a busy CI machine

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body>Bad gateway</body></html>"


@dataclass(frozen=True)
class Outcome:
    error: Optional[type[InvoError]]  # None: the call succeeds
    status: int = 0
    code: Optional[str] = None
    request_id: bool = False  # the error carries the answer's request id
    retryable: bool = False  # an idempotent call is attempted max_retries + 1 times
    wait: float = 0.0  # seconds the SDK must wait before each retry (a 429's retry_after)
    check: Optional[Callable[[InvoError], None]] = None
    # on_error fires for network errors and non-2xx answers (the contract's list), not for
    # a 2xx whose body is unusable
    hooked: bool = True


@dataclass(frozen=True)
class FaultCase:
    name: str
    make: Callable[[str], Callable[..., bool]]  # redirect-target URL -> fault
    outcome: Outcome
    stalls: bool = False

    def __str__(self) -> str:
        return self.name


def _text_body(err: InvoError) -> None:
    assert isinstance(err.body, str) and "Bad gateway" in err.body
    assert "Bad gateway" in err.message


def _no_body(err: InvoError) -> None:
    assert err.body is None


def _retry_after(value: float) -> Callable[[InvoError], None]:
    def check(err: InvoError) -> None:
        assert err.retry_after == value

    return check


# The fault server has accepted the connection in every fault below: the request may have
# reached it, so each is a MaybeSentError (a refused connection is a NotSentError: see
# tests/core/test_errors.py).
NET = Outcome(MaybeSentError, code="NETWORK_ERROR", retryable=True)
TIMEOUT = Outcome(ReadTimeoutError, code="TIMEOUT", retryable=True)
BAD_2XX = Outcome(InvalidResponseError, code="INVALID_RESPONSE", request_id=True, hooked=False)
TOO_BIG = Outcome(InvalidResponseError, code="INVALID_RESPONSE", request_id=True, hooked=False)
REDIRECT = Outcome(UnexpectedRedirectError, request_id=True)

FAULTS: tuple[FaultCase, ...] = (
    FaultCase("ok", lambda _: fs.ok(), Outcome(None)),
    FaultCase("reset_before_read", lambda _: fs.reset_before_read(), NET),
    FaultCase("reset_after_read", lambda _: fs.reset_after_read(), NET),
    FaultCase("close_after_read", lambda _: fs.close_after_read(), NET),
    FaultCase("reset_mid_body", lambda _: fs.reset_mid_body(), NET),
    FaultCase("short_body", lambda _: fs.short_body(), NET),
    FaultCase("stall", lambda _: fs.stall(1.0), TIMEOUT, stalls=True),
    FaultCase("stall_mid_body", lambda _: fs.stall_mid_body(1.0), TIMEOUT, stalls=True),
    FaultCase("html_502", lambda _: fs.status(502, HTML_502),
              Outcome(ServerError, 502, None, True, True, check=_text_body)),
    FaultCase("json_500", lambda _: fs.json_body(500, {"error": "boom", "code": "INTERNAL"}),
              Outcome(ServerError, 500, "INTERNAL", True, True)),
    FaultCase("flow_paused_503", lambda _: fs.json_body(503, {"error": "flow_paused"}),
              Outcome(ServerError, 503, "flow_paused", True, True)),
    FaultCase("empty_504", lambda _: fs.status(504, b""),
              Outcome(ServerError, 504, None, True, True, check=_no_body)),
    FaultCase("truncated_json_200", lambda _: fs.status(200, b'{"token": "pt_ab',
                                                        "application/json"), BAD_2XX),
    FaultCase("text_200", lambda _: fs.status(200, b"OK", "text/plain"), BAD_2XX),
    FaultCase("array_200", lambda _: fs.status(200, b"[1, 2]", "application/json"), BAD_2XX),
    FaultCase("null_200", lambda _: fs.status(200, b"null", "application/json"), BAD_2XX),
    FaultCase("gzip_garbage_200", lambda _: fs.gzip_garbage(200), BAD_2XX),
    FaultCase("gzip_garbage_502", lambda _: fs.gzip_garbage(502),
              Outcome(ServerError, 502, None, True, True, check=_no_body)),
    FaultCase("huge_declared", lambda _: fs.huge_declared(), TOO_BIG),
    FaultCase("huge_chunked", lambda _: fs.huge_chunked(), TOO_BIG),
    FaultCase("gzip_bomb", lambda _: fs.gzip_bomb(16 * 1024 * 1024),
              Outcome(InvalidResponseError, code="INVALID_RESPONSE", hooked=False)),
    # An error page too big to keep: the status still decides (and the retry rule with it).
    FaultCase("huge_declared_502", lambda _: fs.huge_declared(code=502),
              Outcome(ServerError, 502, None, True, True, check=_no_body)),
    FaultCase("huge_chunked_503", lambda _: fs.huge_chunked(code=503),
              Outcome(ServerError, 503, None, True, True, check=_no_body)),
    # requests' Session.send reads a 3xx body in full (to pre-build response.next): the SDK
    # must not go through it, or a hostile redirect would fill memory.
    FaultCase("huge_chunked_302", lambda target: fs.huge_chunked(
        code=302, headers=[("Location", target + "/x")]),
        Outcome(UnexpectedRedirectError, 302, request_id=True, check=_no_body)),
    FaultCase("absurd_length_301_gzip", lambda target: fs.huge_declared(
        declared=10**20, code=301,
        headers=[("Location", target + "/x"), ("Content-Encoding", "gzip")]),
        Outcome(UnexpectedRedirectError, 301, request_id=True, check=_no_body)),
    FaultCase("redirect_301", lambda target: fs.redirect(target, 301),
              Outcome(UnexpectedRedirectError, 301, request_id=True)),
    FaultCase("redirect_302", lambda target: fs.redirect(target, 302),
              Outcome(UnexpectedRedirectError, 302, request_id=True)),
    FaultCase("redirect_307", lambda target: fs.redirect(target, 307),
              Outcome(UnexpectedRedirectError, 307, request_id=True)),
    FaultCase("redirect_308", lambda target: fs.redirect(target, 308),
              Outcome(UnexpectedRedirectError, 308, request_id=True)),
    FaultCase("429_retry_after_body",
              lambda _: fs.json_body(429, {"error": "slow down", "retry_after": 0.05}),
              Outcome(RateLimitError, 429, None, True, True, 0.05, _retry_after(0.05))),
    FaultCase("429_retry_after_string",
              lambda _: fs.json_body(429, {"error": "slow down", "retry_after": "0.05"}),
              Outcome(RateLimitError, 429, None, True, True, 0.05, _retry_after(0.05))),
    FaultCase("429_retry_after_header",
              lambda _: fs.status(429, b"slow down", "text/plain", [("Retry-After", "0")]),
              Outcome(RateLimitError, 429, None, True, True)),
    FaultCase("429_bare", lambda _: fs.status(429, b""),
              Outcome(RateLimitError, 429, None, True, True)),
    FaultCase("429_retry_after_60",
              lambda _: fs.json_body(429, {"error": "slow down", "retry_after": 60}),
              Outcome(RateLimitError, 429, None, True, False, check=_retry_after(60.0))),
    FaultCase("429_header_3600",
              lambda _: fs.status(429, b"", headers=[("Retry-After", "3600")]),
              Outcome(RateLimitError, 429, None, True, False)),
    FaultCase("429_sms_blocked",
              lambda _: fs.json_body(429, {"error": "sms_verification_blocked",
                                           "retry_after": 900}),
              Outcome(RateLimitError, 429, None, True, False)),
    FaultCase("400_insufficient",
              lambda _: fs.json_body(400, {"error": "Insufficient balance",
                                           "code": "INSUFFICIENT_BALANCE",
                                           "required_amount": "10.00"}),
              Outcome(BadRequestError, 400, "INSUFFICIENT_BALANCE", True)),
    FaultCase("401_bad_secret",
              lambda _: fs.json_body(401, {"error": "bad key", "code": "INVALID_GAME_SECRET"}),
              Outcome(AuthenticationError, 401, "INVALID_GAME_SECRET", True)),
    FaultCase("409_duplicate",
              lambda _: fs.json_body(409, {"error": "duplicate", "code": "DUPLICATE_REQUEST"}),
              Outcome(DuplicateRequestError, 409, "DUPLICATE_REQUEST", True)),
    FaultCase("418_text", lambda _: fs.status(418, b"I'm a teapot", "text/plain"),
              Outcome(InvoError, 418, None, True)),
)

# Exceptions that must never reach the caller.
FOREIGN = (requests.RequestException, urllib3.exceptions.HTTPError, OSError,
           json.JSONDecodeError, UnicodeError)


def expected_attempts(method: MethodCase, outcome: Outcome, max_retries: int) -> int:
    return max_retries + 1 if (method.idempotent and outcome.retryable) else 1


def time_bound(attempts: int, timeout: tuple[float, float], wait: float) -> float:
    """Worst case of one call: every attempt uses its whole budget, plus every sleep between.

    An attempt may last ``connect + read`` (the SDK's per-attempt deadline); before retry
    ``i`` the SDK sleeps at most ``min(MAX_BACKOFF_DELAY, base * 2**i)``, or the 429's wait.
    """
    budget = attempts * (timeout[0] + timeout[1])
    sleeps = sum(max(wait, min(MAX_BACKOFF_DELAY, BACKOFF * 2**i)) for i in range(attempts - 1))
    return budget + sleeps + SLACK


class Recorder:
    def __init__(self) -> None:
        self.requests: list[RequestInfo] = []
        self.errors: list[ErrorInfo] = []

    def hooks(self) -> Hooks:
        return Hooks(on_request=self.requests.append, on_error=self.errors.append)


def run_case(server: fs.FaultServer, listener: fs.CountingListener, make_client: Any,
             method: MethodCase, fault: FaultCase, max_retries: int = MAX_RETRIES) -> None:
    timeout = STALL_TIMEOUT if fault.stalls else NORMAL_TIMEOUT
    recorder = Recorder()
    client = make_client(server.url, timeout=timeout, max_retries=max_retries,
                         retry_base_delay=BACKOFF, hooks=recorder.hooks(),
                         max_response_bytes=1024 * 1024)
    server.always(fault.make(listener.url))
    token = new_token()
    outcome = fault.outcome

    started = time.monotonic()
    result: Any = None
    error: Optional[BaseException] = None
    try:
        result = method.call(client, token)
    except BaseException as exc:
        error = exc
    elapsed = time.monotonic() - started

    attempts = expected_attempts(method, outcome, max_retries)
    arrived = server.settled_count(token, attempts)
    assert arrived == attempts, (
        f"{method} under {fault}: the server received {arrived} attempts, expected {attempts}"
    )
    assert len(recorder.requests) == attempts
    assert elapsed <= time_bound(attempts, timeout, outcome.wait), f"took {elapsed:.2f}s"

    if outcome.error is None:
        assert error is None, f"{method} under {fault}: unexpected {error!r}"
        assert method.echo_of(result) == token
        return

    assert error is not None, f"{method} under {fault}: no error raised"
    assert isinstance(error, InvoError), f"{method} under {fault}: raw {error!r} escaped"
    assert not isinstance(error, FOREIGN), f"{method} under {fault}: {type(error).__mro__}"
    assert isinstance(error, outcome.error), f"{method} under {fault}: got {error!r}"
    if outcome.error is InvoError:  # "any API error": a bare APIError for an unnamed status
        assert type(error).__name__ == "APIError"
    assert error.status == outcome.status
    if outcome.code is not None:
        assert error.code == outcome.code
    assert str(error) == error.message
    if outcome.request_id:
        assert error.request_id == f"req_{token}"
    else:
        assert error.request_id is None
    if outcome.check is not None:
        outcome.check(error)
    # The hook saw every failed attempt, and said "will retry" on all but the last.
    if outcome.hooked:
        assert [e.will_retry for e in recorder.errors] == [True] * (attempts - 1) + [False]
        assert all(e.error.status == outcome.status for e in recorder.errors)
        assert recorder.errors[-1].error is error
    else:
        assert recorder.errors == []
    # The redirect target never heard from us.
    assert listener.connections == 0 and listener.received == b""


@pytest.mark.parametrize("fault", FAULTS, ids=str)
@pytest.mark.parametrize("method", METHODS, ids=str)
def test_fault_matrix(server: fs.FaultServer, listener: fs.CountingListener, make_client: Any,
                      method: MethodCase, fault: FaultCase) -> None:
    run_case(server, listener, make_client, method, fault)


@pytest.mark.parametrize("max_retries", [0, 1, 4])
@pytest.mark.parametrize("fault_name", ["reset_after_read", "html_502", "429_bare"])
@pytest.mark.parametrize("method_name", ["get_transfer_status", "create_checkout",
                                         "purchase_item", "claim_currency"])
def test_retry_count_follows_max_retries(server: fs.FaultServer,
                                         listener: fs.CountingListener, make_client: Any,
                                         method_name: str, fault_name: str,
                                         max_retries: int) -> None:
    method = next(m for m in METHODS if m.name == method_name)
    fault = next(f for f in FAULTS if f.name == fault_name)
    run_case(server, listener, make_client, method, fault, max_retries=max_retries)


def test_every_public_method_is_in_the_matrix() -> None:
    from invonetwork import InvoServer

    public = {name for name in dir(InvoServer)
              if not name.startswith("_") and callable(getattr(InvoServer, name))}
    public -= {"close", "from_env", "with_options"}
    covered = {m.name.split("(")[0] for m in METHODS} | LOOPS
    assert public == covered, f"not covered: {public - covered}; unknown: {covered - public}"


def test_one_failure_then_success_is_retried_transparently(server: fs.FaultServer,
                                                           make_client: Any) -> None:
    """A single dropped connection, then a good answer: idempotent calls just succeed."""
    for method in METHODS:
        if not method.idempotent:
            continue
        server.script(fs.reset_after_read())
        client = make_client(server.url, retry_base_delay=BACKOFF)
        token = new_token()
        assert method.echo_of(method.call(client, token)) == token
        assert server.settled_count(token, 2) == 2


def test_huge_body_is_refused_without_buffering_it(server: fs.FaultServer,
                                                   make_client: Any) -> None:
    """The server would stream 512 MiB; the client hangs up soon after its 1 MiB limit."""
    for fault in (fs.huge_declared(declared=10**12), fs.huge_chunked(),
                  fs.huge_chunked(code=302, headers=[("Location", "http://127.0.0.1:9/x")]),
                  fs.huge_chunked(code=502)):
        server.streamed_bytes.clear()
        server.always(fault)
        client = make_client(server.url, max_response_bytes=1024 * 1024, max_retries=0)
        with pytest.raises(InvoError):
            client.get_transfer_status(new_token())
        client.close()
        deadline = time.monotonic() + 10
        while not server.streamed_bytes and time.monotonic() < deadline:
            time.sleep(0.01)
        # What the server managed to write before the refusal: the client's limit plus what
        # the two kernels' socket buffers absorb, nowhere near the 512 MiB on offer.
        assert server.streamed_bytes and server.streamed_bytes[0] < 64 * 1024 * 1024


def test_trickled_answer_is_bounded_by_the_attempt_budget(server: fs.FaultServer,
                                                          make_client: Any) -> None:
    """A server dripping one byte every 50 ms never trips the read timeout (0.3 s per read),
    yet an attempt ends once ``connect + read`` seconds have passed."""
    server.always(fs.trickle(0.05, 4000))
    timeout = (0.5, 0.3)
    for method_name in ("get_send_status", "create_checkout"):
        method = next(m for m in METHODS if m.name == method_name)
        client = make_client(server.url, timeout=timeout, retry_base_delay=BACKOFF)
        token = new_token()
        started = time.monotonic()
        with pytest.raises(ReadTimeoutError):
            method.call(client, token)
        elapsed = time.monotonic() - started
        attempts = expected_attempts(method, TIMEOUT, MAX_RETRIES)
        assert server.settled_count(token, attempts) == attempts
        assert elapsed <= time_bound(attempts, timeout, 0.0)


def test_redirect_to_another_host_sends_it_nothing(server: fs.FaultServer,
                                                   listener: fs.CountingListener,
                                                   make_client: Any) -> None:
    """Also with a client-supplied requests.Session (whose default is to follow)."""
    server.always(fs.redirect(listener.url, 307))
    own = requests.Session()
    try:
        for client in (make_client(server.url), make_client(server.url, session=own)):
            for method in METHODS:
                with pytest.raises(UnexpectedRedirectError) as info:
                    method.call(client, new_token())
                assert info.value.status == 307
    finally:
        own.close()
    time.sleep(0.2)
    assert listener.connections == 0 and listener.received == b""
