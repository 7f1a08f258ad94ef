"""Secret-leak canary: a unique game secret and a unique webhook signing secret are driven
through every error path, and must then appear in none of what a user could see or ship:

* every log record of ``invonetwork``, ``urllib3`` and ``requests`` at DEBUG (the message
  and any formatted exception);
* the ``repr`` of every hook payload (``RequestInfo``, ``ResponseInfo``, ``ErrorInfo``);
* the ``repr`` and ``str`` of the client, of every error and of every result;
* every error's ``message``, ``body`` and ``request_id``;
* every traceback, formatted with ``capture_locals=True`` (locals of every frame, through
  every chained cause: what an error tracker would upload).

The server is hostile on purpose: it echoes the request headers (so the secret) back in
JSON and HTML error bodies, in the request-id header, and in 2xx bodies.
"""

from __future__ import annotations

import logging
import secrets
import time
import traceback
from collections.abc import Iterator
from typing import Any, Callable

import faultserver as fs
import pytest
from method_cases import METHODS, new_token

from invonetwork import ErrorInfo, Hooks, InvoError, InvoServer, RequestInfo, ResponseInfo

CANARY = "ivsdk_test_CANARY" + secrets.token_hex(12)
WEBHOOK_CANARY = "whsec_CANARY" + secrets.token_hex(12)
LOGGERS = ("invonetwork", "urllib3", "requests", "")


class Sink(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def sink() -> Iterator[Sink]:
    handler = Sink()
    saved = []
    for name in LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level))
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
    yield handler
    for logger, level in saved:
        logger.removeHandler(handler)
        logger.setLevel(level)


def _drop_test_frames(te: traceback.TracebackException) -> None:
    """Keep the SDK's frames (and the libraries'): this test's own locals hold the canary."""
    seen: set[int] = set()
    todo: list[Any] = [te]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        current.stack = traceback.StackSummary.from_list(
            [f for f in current.stack if "/tests/" not in f.filename])
        todo += [current.__cause__, current.__context__]


class Evidence:
    """Everything a user could see, as text."""

    def add(self, *items: Any) -> None:
        for item in items:
            self.texts.append(item if isinstance(item, str) else repr(item))

    def __init__(self, with_locals: bool = True) -> None:
        self.texts: list[str] = []
        self.with_locals = with_locals

    def add_error(self, err: BaseException) -> None:
        self.add(err, str(err))
        if isinstance(err, InvoError):
            self.add(err.message, err.body, err.request_id)
        self.add("".join(traceback.format_exception(type(err), err, err.__traceback__)))
        if not self.with_locals:
            return
        formatted = traceback.TracebackException.from_exception(err, capture_locals=True)
        _drop_test_frames(formatted)
        self.add("".join(formatted.format()))

    def hooks(self) -> Hooks:
        return Hooks(on_request=self._hook, on_response=self._hook, on_error=self._hook)

    def _hook(self, payload: RequestInfo | ResponseInfo | ErrorInfo) -> None:
        self.add(payload)
        if isinstance(payload, ErrorInfo):
            self.add_error(payload.error)

    def assert_clean(self, *canaries: str) -> None:
        for canary in canaries:
            leaks = [t for t in self.texts if canary in t]
            assert not leaks, f"canary leaked ({len(leaks)}x), first: {leaks[0][:2000]}"


def _echo_success(request: fs.Request) -> dict[str, Any]:
    body = fs.success_body(request)
    body["headers"] = request.headers  # a proxy that reflects what it got
    return body


def _echo_missing_fields(request: fs.Request) -> dict[str, Any]:
    return {"echo": request.token, "headers": request.headers,
            "note": f"got {request.raw.decode('latin-1')}"}


HOSTILE: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("ok", lambda _: fs.ok()),
    ("echo_json_400", lambda _: fs.echo_headers(400)),
    ("echo_json_401", lambda _: fs.echo_headers(401)),
    ("echo_json_409", lambda _: fs.echo_headers(409)),
    ("echo_json_429", lambda _: fs.echo_headers(429)),
    ("echo_json_502", lambda _: fs.echo_headers(502)),
    ("echo_html_500", lambda _: fs.echo_headers(500, as_json=False)),
    ("echo_html_404", lambda _: fs.echo_headers(404, as_json=False)),
    ("echo_200", lambda _: fs.ok(_echo_success)),
    ("echo_200_missing_fields", lambda _: fs.ok(_echo_missing_fields)),
    ("reset_before_read", lambda _: fs.reset_before_read()),
    ("reset_after_read", lambda _: fs.reset_after_read()),
    ("reset_mid_body", lambda _: fs.reset_mid_body()),
    ("short_body", lambda _: fs.short_body()),
    ("stall", lambda _: fs.stall(1.0)),
    ("stall_mid_body", lambda _: fs.stall_mid_body(1.0)),
    ("trickle", lambda _: fs.trickle(0.05, 200)),
    ("gzip_garbage", lambda _: fs.gzip_garbage(200)),
    ("huge", lambda _: fs.huge_chunked()),
    ("truncated_json", lambda _: fs.status(200, b'{"a', "application/json")),
    ("redirect", lambda target: fs.redirect(target)),
    ("garbage_status_line", lambda _: fs.raw(b"HTTP/1.1 abc\r\n\r\n")),
)


SLOW = {"stall", "stall_mid_body", "trickle"}


def test_game_secret_never_leaks(server: fs.FaultServer, listener: fs.CountingListener,
                                 sink: Sink) -> None:
    evidence = Evidence()
    client = InvoServer(CANARY, server.url, timeout=(0.5, 0.1), max_retries=1,
                        retry_base_delay=0.001, hooks=evidence.hooks(),
                        max_response_bytes=256 * 1024)
    evidence.add(client, str(client), vars(client), client.with_options(timeout=3))
    echoed_secret = 0
    for name, make in HOSTILE:
        server.always(make(listener.url))
        # Slow faults take ~a second per call: their error path does not depend on the method.
        methods = METHODS if name not in SLOW else METHODS[:4]
        for method in methods:
            try:
                result = method.call(client, new_token())
            except Exception as exc:  # every path, whatever it raised
                evidence.add_error(exc)
            else:
                evidence.add(result, str(result), getattr(result, "raw", result))
        echoed_secret += sum(CANARY in r.raw.decode("latin-1") for r in server.requests)
        server.reset_log()
    # A request carrying a body large enough that the reset lands while it is being sent.
    server.always(fs.reset_before_read())
    for _ in range(3):
        try:
            client.create_checkout(player_email="a@x.example", usd_amount="1",
                                   metadata={"blob": "x" * 4_000_000})
        except InvoError as exc:
            evidence.add_error(exc)
    client.close()
    try:
        client.get_send_status("t")
    except InvoError as exc:
        evidence.add_error(exc)

    assert echoed_secret > 0, "the test is void: the secret never reached the server"
    evidence.add(*sink.lines)
    assert len(sink.lines) > 100  # DEBUG logging really was on
    evidence.assert_clean(CANARY)


def test_bad_secret_is_refused_without_echoing_it() -> None:
    for bad in (CANARY + "\n", " " + CANARY, CANARY + "\u20ac", CANARY + "\x00"):
        with pytest.raises(ValueError) as info:
            InvoServer(bad, "http://127.0.0.1:9")
        evidence = Evidence()
        evidence.add_error(info.value)
        evidence.assert_clean(CANARY)


@pytest.mark.parametrize("with_locals", [False, True],
                         ids=["messages-logs-reprs", "traceback-locals"])
def test_webhook_signing_secret_never_leaks(sink: Sink, with_locals: bool) -> None:
    from invonetwork.testing import build_webhook_delivery
    from invonetwork.webhooks import verify_webhook

    evidence = Evidence(with_locals)
    other = "whsec_other" + secrets.token_hex(8)
    good = build_webhook_delivery("purchase.completed", secret=WEBHOOK_CANARY)
    evidence.add(good, good.headers)
    header = good.headers["X-Invo-Signature"]
    body = good.body
    now = time.time()
    attempts: list[tuple[Any, Any, Any, dict[str, Any]]] = [
        (body, header, WEBHOOK_CANARY, {}),  # verifies
        (body, header, [other, WEBHOOK_CANARY], {}),  # verifies on the second secret
        (body, None, WEBHOOK_CANARY, {}),
        (body, header, None, {}),
        (body, header, "", {}),
        (body, "t=1", WEBHOOK_CANARY, {}),
        (body, "garbage", WEBHOOK_CANARY, {}),
        (body, header, WEBHOOK_CANARY, {"now": now + 10_000}),
        (body, header, other, {}),
        (body + b" ", header, WEBHOOK_CANARY, {}),
        (b"not json", header, WEBHOOK_CANARY, {}),
        (body, header + ",v1=" + "0" * 64, WEBHOOK_CANARY, {}),
        (body, header.replace("v1=", "v1=zz"), WEBHOOK_CANARY, {}),
        (body, header, WEBHOOK_CANARY, {"content_encoding": "gzip"}),
        (body, header, [WEBHOOK_CANARY, 42], {}),
        (body, header, WEBHOOK_CANARY, {"tolerance_seconds": -1}),
    ]
    for raw_body, signature, secret, options in attempts:
        try:
            event = verify_webhook(raw_body, signature, secret, **options)
        except Exception as exc:  # every path, whatever it raised
            evidence.add_error(exc)
        else:
            evidence.add(event, str(event), event.raw)
    evidence.add(*sink.lines)
    evidence.assert_clean(WEBHOOK_CANARY)
