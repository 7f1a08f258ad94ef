"""How a request travels: one pooled ``requests.Session``, timeouts, retries, hooks, errors.

This is the only module that talks to ``requests``. Every ``requests``/``urllib3``/``OSError``
failure is translated here into the ``InvoError`` hierarchy, chained with ``raise ... from``.

Whether and when an attempt is repeated is decided by ``_retry.RetryPolicy.decide`` (the
route, the outcome, the attempt): this module only carries it out. A failure before the
request left (DNS, refused, TLS handshake, connect timeout) is a ``NotSentError``; one after
(reset, read timeout, a broken answer) a ``MaybeSentError``. Only failures of the exchange
itself are translated: a programming error (a ``TypeError``, a bare ``ValueError``) propagates
as it is. Redirects are never followed (the secret header would travel to the ``Location``).

Processes: the pooled session this module builds belongs to the process that built it. A
forked child (gunicorn ``--preload``, Celery prefork, ``multiprocessing``) gets a new pool on
its first call and leaves the inherited sockets alone (see ``_fork``), so no answer can reach
another process. A session the caller passed in is the caller's: it is used as given, with a
one-time ``RuntimeWarning`` when a process other than the one that handed it over uses it.

Time per attempt: ``timeout`` bounds the connect and every wait for data, as in requests, and
the whole answer must also be in within ``connect + read`` seconds of the attempt's start
(``2 * timeout`` for a single number), so a server that drips its body byte by byte cannot
hold a worker past that. A body that cannot be decoded (``Content-Encoding: gzip`` over
garbage) or that is larger than ``max_response_bytes`` is not a network failure: on a 2xx it is
``INVALID_RESPONSE``; on any other status the error keeps its status (and its retry rule) and
has no body. The oversized body is never read to its end: the connection is dropped.
"""

from __future__ import annotations

import http.client
import json
import logging
import os
import platform
import socket
import ssl
import threading
import traceback
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from http.cookiejar import DefaultCookiePolicy
from typing import Any, Callable, NamedTuple, Optional, Union
from urllib.parse import urlsplit

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from ._config import Timeout, is_loopback_host
from ._fork import ProcessLocal, call_in_child_after_fork
from ._hooks import ErrorInfo, Hooks, RequestInfo, ResponseInfo, call_hook
from ._retry import RetryPolicy
from ._routes import OPERATIONS, Auth, Route
from ._telemetry import CallRecord, Telemetry
from ._version import __version__
from .errors import (
    ConfigurationError,
    ConnectTimeoutError,
    InvalidInputError,
    InvalidResponseError,
    InvoError,
    MaybeSentError,
    NetworkError,
    NotSentError,
    ReadTimeoutError,
    error_from_response,
)

__all__ = ["Answer", "CallOptions", "Transport"]

# Everything the HTTP stack raises for a failed exchange, and the subset that is a timeout.
# Nothing else is caught: a TypeError or a bare ValueError is a bug, not a network failure.
_TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError)
_NETWORK_FAILURES = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
)
# Failures that prove the request never left: no connection, no name, no TLS session.
_NOT_SENT = (
    requests.exceptions.ConnectTimeout,
    requests.exceptions.SSLError,
    requests.exceptions.ProxyError,
    urllib3.exceptions.NewConnectionError,
    urllib3.exceptions.ConnectTimeoutError,
    urllib3.exceptions.SSLError,
    urllib3.exceptions.ProxyError,
    socket.gaierror,
    ConnectionRefusedError,
    ssl.SSLError,
)
# Response headers an error never keeps: they can carry credentials or session state.
_DROPPED_HEADERS = frozenset(
    {"set-cookie", "set-cookie2", "authorization", "proxy-authorization", "x-game-secret-key"}
)


class Answer(NamedTuple):
    """A 2xx answer: its JSON object and INVO's request id (``None`` when none was sent)."""

    body: dict[str, Any]
    request_id: Optional[str]


@dataclass(frozen=True)
class CallOptions:
    """The per-call settings a client (or a ``with_options`` view) sends each request with."""

    timeout: Timeout
    retry: RetryPolicy
    hooks: Hooks

    def replace(self, **changes: Any) -> CallOptions:
        """A copy with ``changes``."""
        return replace(self, **changes)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it wraps (cause, context, ``reason``, exception args), bounded."""
    queue: list[BaseException] = [exc]
    seen: set[int] = set()
    while queue and len(seen) < 16:
        current = queue.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        nested = [current.__cause__, current.__context__, getattr(current, "reason", None),
                  *getattr(current, "args", ())]
        queue.extend(item for item in nested if isinstance(item, BaseException))


def _forget_locals(exc: BaseException) -> None:
    """Clear the local variables of the finished frames in ``exc``'s traceback and chain.

    http.client's frames keep the encoded request head (the secret in clear bytes) and ours
    keep the raw answer; a traceback formatted with ``capture_locals=True`` or an error
    tracker's frame capture would show them. Frames still running are left alone.
    """
    seen: set[int] = set()
    current: Optional[BaseException] = exc
    while current is not None and id(current) not in seen and len(seen) < 16:
        seen.add(id(current))
        traceback.clear_frames(current.__traceback__)
        current = current.__cause__ or current.__context__


def _is_read_timeout(exc: BaseException) -> bool:
    """requests reports a read timeout *during the body* as a ConnectionError; unwrap it."""
    return any(isinstance(item, _TIMEOUTS) for item in _chain(exc))


def _never_sent(exc: BaseException) -> bool:
    return any(isinstance(item, _NOT_SENT) for item in _chain(exc))


def _root_cause(exc: BaseException) -> str:
    """A short description of the innermost OS-level failure, without urllib3's pool text."""
    for item in reversed(list(_chain(exc))):
        if isinstance(item, OSError) and item.strerror:
            return f"{type(item).__name__}: {item.strerror}"
        if isinstance(item, ssl.SSLError):
            return f"{type(item).__name__}: {item.reason or item}"
    return type(exc).__name__


def _host_port(url: str) -> str:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.hostname}:{port}"


def _refused_hint(url: str) -> str:
    host = urlsplit(url).hostname or ""
    if is_loopback_host(host):
        return ("nothing is listening there: is the sandbox running? Start it with "
                "`invonetwork sandbox`, or check base_url")
    return "check base_url, your network and your proxy settings"


_log = logging.getLogger("invonetwork")

# An answer larger than this is refused instead of being held in memory.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024
_REDACTED = "[redacted]"


def _request_id(headers: Mapping[str, str]) -> Optional[str]:
    return headers.get("x-invo-request-id") or headers.get("x-request-id") or None


def _json_default(value: Any) -> Any:
    from decimal import Decimal

    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_json(body: Mapping[str, Any]) -> bytes:
    """Serialise a request body; a value JSON cannot hold is an ``INVALID_INPUT`` error.

    NaN and the infinities are refused (``json.dumps`` would write ``NaN``, which is not JSON),
    and so is nesting too deep to encode.
    """
    try:
        return json.dumps(
            body, separators=(",", ":"), default=_json_default, allow_nan=False
        ).encode("utf-8")
    except RecursionError:
        raise InvalidInputError(
            "request body is nested too deeply to send", code="INVALID_INPUT"
        ) from None
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(
            f"request body is not JSON serialisable: {exc}", code="INVALID_INPUT"
        ) from None


def _check_secret_header(secret: str) -> None:
    """The secret travels as a header value: refuse what HTTP cannot carry, at construction.

    Without this a secret with a stray newline, a leading space or a non-ASCII character
    would only fail at the first call, as a misleading (and retried) network error. The
    message never repeats the secret.
    """
    if not (secret.isascii() and secret.isprintable() and secret == secret.strip()):
        raise ConfigurationError(
            "game_secret must be printable ASCII with no leading or trailing whitespace "
            "(check for a stray newline or quote when it was copied or read from a file)"
        )


def _attempt_budget(timeout: Timeout) -> float:
    """Seconds an attempt may take in all, connect included: ``connect + read``."""
    if isinstance(timeout, tuple):
        return float(timeout[0]) + float(timeout[1])
    return 2.0 * float(timeout)


class _UndecodableBodyError(Exception):
    """The answer's bytes could not be decoded (its ``Content-Encoding`` lied)."""


class _TooLargeError(Exception):
    """The answer is larger than ``max_response_bytes`` (declared, or once read that far)."""


class _AttemptTooSlowError(Exception):
    """The answer was still arriving when the attempt's time budget ran out."""


class _NoCookies(DefaultCookiePolicy):
    """An API client has no business carrying cookies between calls (or between threads)."""

    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False


def build_session(pool_size: int) -> requests.Session:
    """A session that reads the environment once, keeps no cookies, and pools connections.

    ``trust_env`` is switched off so that requests neither re-reads proxy variables on every
    call nor adds ``Authorization`` from ``~/.netrc``; the proxy variables and the CA bundle
    variables are read here, once, instead.
    """
    session = requests.Session()
    session.trust_env = False
    session.cookies.set_policy(_NoCookies())
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=4, pool_maxsize=pool_size, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _warn_foreign_session(creator_pid: int, pid: int) -> None:
    message = (
        f"invonetwork: the requests.Session passed to InvoServer in process {creator_pid} is "
        f"now used in process {pid} (after a fork). Its pooled connections may be shared "
        "with the parent, so answers can cross between processes: create the InvoServer "
        "and its session in each worker process, or let the SDK own the session."
    )
    _log.debug("%s", message)
    warnings.warn(message, RuntimeWarning, stacklevel=4)


def _environment_settings(url: str) -> dict[str, Any]:
    """Proxies and CA bundle from the environment, as requests would read them, for ``url``."""
    import os

    settings: dict[str, Any] = {}
    proxies = requests.utils.get_environ_proxies(url)
    if proxies:
        settings["proxies"] = proxies
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if bundle:
        settings["verify"] = bundle
    return settings


@dataclass(frozen=True)
class _Exchange:
    """What every attempt of one call sends."""

    route: Route[Any]
    url: str
    headers: dict[str, str]
    data: Optional[bytes]
    settings: dict[str, Any]
    options: CallOptions


class Transport:
    """Sends one logical call to INVO, attempt after attempt, and returns the JSON object."""

    def __init__(
        self,
        *,
        game_secret: str,
        session: Optional[requests.Session],
        pool_size: int,
        user_agent: Optional[str],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        telemetry: Optional[Telemetry] = None,
    ) -> None:
        _check_secret_header(game_secret)
        self._secret = game_secret
        self.telemetry = telemetry if telemetry is not None else Telemetry()
        # Answers are searched for the secret as bytes (fast); a secret JSON would escape
        # cannot be found that way, so for such a secret every answer is walked instead.
        # (No unmasked bytes copy is kept on the instance: it is encoded when needed.)
        self._secret_is_plain = all(c.isalnum() or c in "-_.~+=:" for c in game_secret)
        self.max_response_bytes = max_response_bytes
        self._owns_session = session is None
        self._user_session = session
        self._pool: Optional[ProcessLocal[requests.Session]] = None
        if session is None:
            self._pool = ProcessLocal(lambda: build_session(pool_size))
        self._creator_pid = os.getpid()
        self._warned_pid = self._creator_pid
        self._env_cache: dict[str, dict[str, Any]] = {}
        self._env_lock = threading.Lock()
        call_in_child_after_fork(self, Transport._after_fork)
        agent = f"invonetwork-python-sdk/{__version__} (Python {platform.python_version()})"
        if user_agent:
            agent = f"{agent} {user_agent}"
        self._base_headers = {
            "X-Game-Secret-Key": game_secret,
            "Accept": "application/json",
            "User-Agent": agent,
        }
        self._anonymous_headers = {
            k: v for k, v in self._base_headers.items() if k != "X-Game-Secret-Key"
        }
        self.closed = False

    def __repr__(self) -> str:
        return f"<Transport closed={getattr(self, 'closed', None)!r}>"

    def close(self) -> None:
        """Release pooled connections (only of a session this transport created).

        In a forked child that never made a call, the inherited pool is dropped unclosed.
        """
        self.closed = True
        if self._pool is not None:
            self._pool.close(requests.Session.close)

    def _after_fork(self) -> None:
        # Another thread of the parent may have held this lock at the moment of the fork.
        self._env_lock = threading.Lock()

    @property
    def _session(self) -> requests.Session:
        """The session for this process: the SDK's own pool, rebuilt after a fork."""
        if self._pool is not None:
            return self._pool.get()
        session = self._user_session
        assert session is not None
        pid = os.getpid()
        if pid != self._warned_pid:
            self._warned_pid = pid
            _warn_foreign_session(self._creator_pid, pid)
        return session

    # -- one call ------------------------------------------------------------------------------

    def request(
        self,
        route: Route[Any],
        url: str,
        *,
        body: Optional[Mapping[str, Any]] = None,
        credential: Optional[str] = None,
        options: CallOptions,
    ) -> Answer:
        """Send ``route`` to ``url`` and return its 2xx answer (JSON object and request id).

        ``credential`` is the token of a route that authenticates with one (``Auth``).
        Raises an ``InvoError`` subclass for everything else.
        """
        record = self.telemetry.start(route, OPERATIONS.get(route, route.path), url)
        try:
            result = self._request(route, url, body, credential, options, record)
        except BaseException as error:
            if isinstance(error, InvoError):
                # The frames below hold the raw answer (which a hostile proxy can fill with
                # the echoed secret) and requests' frames hold the encoded header block: drop
                # their locals, so error trackers and capture_locals tracebacks cannot show
                # them.
                _forget_locals(error)
            if record is not None:
                record.end(error)
            raise
        if record is not None:
            record.end(None)
        return result

    def _request(
        self,
        route: Route[Any],
        url: str,
        body: Optional[Mapping[str, Any]],
        credential: Optional[str],
        options: CallOptions,
        record: Optional[CallRecord] = None,
    ) -> Answer:
        if self.closed:
            raise InvoError(
                "this InvoServer is closed; create a new one", code="CLIENT_CLOSED"
            )
        data = encode_json(body) if body is not None else None
        exchange = _Exchange(route, url, self._headers_for(route, credential, data is not None),
                             data, self._settings_for(url), options)
        attempt = 0
        while True:
            outcome = self._attempt(exchange, attempt, record)
            if not isinstance(outcome, InvoError):
                return outcome
            wait = options.retry.decide(idempotent=route.idempotent, error=outcome,
                                        attempt=attempt)
            if record is not None:
                record.end_attempt(status=outcome.status or None, request_id=outcome.request_id,
                                   error=outcome, will_retry=wait is not None)
            call_hook(options.hooks.on_error,
                      ErrorInfo(route.method, url, attempt, outcome, wait is not None))
            if wait is None:
                raise outcome
            options.retry.sleep(wait)
            attempt += 1

    def probe(self, route: Route[Any], url: str, timeout: float) -> tuple[int, Any]:
        """One bare GET of ``url`` for ``route``: ``(status, parsed JSON body or None)``.

        For the key-environment lookup: the game secret, ``Accept`` and the SDK's
        ``User-Agent``; one attempt, no hooks, no telemetry, no redirects followed, the same
        size cap. A network failure raises ``NetworkError`` (status 0).
        """
        if self.closed:
            raise InvoError(
                "this InvoServer is closed; create a new one", code="CLIENT_CLOSED"
            )
        options = CallOptions(timeout=timeout, retry=RetryPolicy(max_retries=0), hooks=Hooks())
        exchange = _Exchange(route, url, self._headers_for(route, None, False), None,
                             self._settings_for(url), options)
        clock = options.retry.clock
        try:
            status, _, raw = self._send(exchange, clock() + _attempt_budget(timeout))
        except InvalidResponseError:
            return 200, None  # a 2xx body that could not be read: claims nothing
        try:
            return status, self._loads(raw) if raw.strip() else None
        except ValueError:
            return status, None

    def _headers_for(self, route: Route[Any], credential: Optional[str],
                     has_body: bool) -> dict[str, str]:
        """The request headers, in the order they go on the wire, for the route's auth."""
        headers = dict(self._base_headers if route.authenticated else self._anonymous_headers)
        if route.auth in (Auth.PLAYER_TOKEN, Auth.SESSION_TOKEN, Auth.SANDBOX_CLOCK):
            if not credential or not (credential.isascii() and credential.isprintable()):
                raise InvalidInputError(
                    f"this call needs a {route.auth.value.replace('_', ' ')} (printable ASCII)",
                    code="INVALID_INPUT",
                )
            if route.auth is Auth.SANDBOX_CLOCK:
                headers["X-Sandbox-Clock-Key"] = credential
            else:
                headers["Authorization"] = f"Bearer {credential}"
        if has_body:
            headers["Content-Type"] = "application/json"
        return headers

    def _attempt(self, exchange: _Exchange, attempt: int,
                 record: Optional[CallRecord] = None) -> Union[Answer, InvoError]:
        """One attempt: the 2xx body, or the error to decide on (network or HTTP status).

        A 2xx answer the SDK cannot use raises ``InvalidResponseError`` at once (never retried).
        """
        route, url, options = exchange.route, exchange.url, exchange.options
        path = route.path  # the template: no email or id from the URL reaches a log line
        call_hook(options.hooks.on_request, RequestInfo(route.method, url, attempt))
        clock = options.retry.clock
        started = clock()
        if record is not None:  # this attempt's span, and its traceparent header
            exchange = replace(exchange, headers=record.begin_attempt(attempt, exchange.headers))
        try:
            status, resp_headers, raw = self._send(exchange, started + _attempt_budget(
                options.timeout))
        except NetworkError as error:
            _log.debug("%s %s -> %s (attempt %d, %.1f ms)", route.method, path, error.code,
                       attempt, (clock() - started) * 1000)
            return error
        elapsed = (clock() - started) * 1000
        request_id = self._scrub_id(_request_id(resp_headers))
        _log.debug("%s %s -> %d (attempt %d, %.1f ms, request_id=%s)", route.method, path,
                   status, attempt, elapsed, request_id)
        call_hook(options.hooks.on_response, ResponseInfo(route.method, url, attempt, status,
                                                          elapsed, request_id))
        if status in route.success:
            if record is not None:
                record.end_attempt(status=status, request_id=request_id, error=None,
                                   will_retry=False)
            return Answer(self._parse_success(status, raw, request_id), request_id)
        return self._error_for(status, raw, request_id, resp_headers)

    # -- pieces ---------------------------------------------------------------------------------

    def _settings_for(self, url: str) -> dict[str, Any]:
        if not self._owns_session:
            return {}  # a caller's own session keeps its own environment handling
        origin = url.split("/", 3)
        key = "/".join(origin[:3])
        cached = self._env_cache.get(key)
        if cached is None:
            with self._env_lock:
                cached = self._env_cache.setdefault(key, _environment_settings(key))
        return cached

    def _send(
        self, exchange: _Exchange, deadline: float
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One HTTP exchange: ``(status, headers, body bytes)``; failures as ``InvoError``."""
        try:
            response = self._open(exchange)
        except _NETWORK_FAILURES as exc:
            _forget_locals(exc)
            raise self._network_error(exc, exchange.url, reading=False) from exc
        try:
            raw = self._receive(response, deadline, exchange.options.retry.clock)
        finally:
            response.close()
        return response.status_code, response.headers, raw

    def _receive(
        self, response: requests.Response, deadline: float, clock: Callable[[], float]
    ) -> bytes:
        """The answer's body; an unusable one is ``b""`` on an error status, else raised."""
        status = response.status_code
        request_id = self._scrub_id(_request_id(response.headers))
        try:
            return self._read_body(response, deadline, clock)
        except (_UndecodableBodyError, _TooLargeError) as exc:
            if not 200 <= status < 300:
                return b""  # the error keeps its status; the unusable body is dropped
            if isinstance(exc, _TooLargeError):
                problem = f"is larger than {self.max_response_bytes} bytes; refused"
            else:
                encoding = response.headers.get("Content-Encoding", "")
                problem = f"could not be decoded (Content-Encoding {encoding!r})"
            raise InvalidResponseError(
                f"INVO's HTTP {status} answer {problem}", code="INVALID_RESPONSE",
                status=0, request_id=request_id,
            ) from exc.__cause__
        except _AttemptTooSlowError:
            raise ReadTimeoutError(
                "INVO request timed out (the answer was still arriving when the attempt's "
                "time ran out)", code="TIMEOUT"
            ) from None
        except _NETWORK_FAILURES as exc:
            _forget_locals(exc)
            raise self._network_error(exc, response.url or "", reading=True) from exc

    def _open(self, exchange: _Exchange) -> requests.Response:
        """Send the request and return the response with its body still unread.

        This is ``Session.request`` without ``Session.send``: the request is prepared and the
        environment merged by the session (so a caller's own session keeps its settings), then
        handed straight to the session's adapter. ``Session.send``, even with
        ``allow_redirects=False``, reads the whole body of any 3xx carrying a ``Location`` to
        pre-build ``response.next``: with no size limit (a hostile 302 could fill memory) and
        before the SDK could refuse it. Redirects are never followed here either way.
        """
        session = self._session
        url, settings = exchange.url, exchange.settings
        prepared = session.prepare_request(
            requests.Request(exchange.route.method, url, headers=exchange.headers,
                             data=exchange.data)
        )
        target = prepared.url or url
        merged = session.merge_environment_settings(
            target, settings.get("proxies", {}), True, settings.get("verify"), None
        )
        adapter = session.get_adapter(target)
        verify = merged["verify"]
        return adapter.send(
            prepared, stream=True, timeout=exchange.options.timeout,
            verify=True if verify is None else verify,
            cert=merged["cert"], proxies=merged["proxies"],
        )

    def _read_body(
        self, response: requests.Response, deadline: float, clock: Callable[[], float]
    ) -> bytes:
        """The whole (decoded) body, refusing more than ``max_response_bytes``.

        Reads with ``read1`` (one socket read per call) where urllib3 has it, so the
        per-attempt deadline is checked between reads even when the server drips its bytes.
        """
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_response_bytes:
            raise _TooLargeError
        read1 = getattr(response.raw, "read1", None)
        # urllib3 1.x has no read1: fall back to requests' chunked iteration.
        pieces = (
            self._read1_pieces(read1) if read1 is not None else response.iter_content(_CHUNK)
        )
        chunks: list[bytes] = []
        size = 0
        try:
            for chunk in pieces:
                size += len(chunk)
                if size > self.max_response_bytes:
                    raise _TooLargeError
                chunks.append(chunk)
                if clock() > deadline:
                    raise _AttemptTooSlowError
        except (urllib3.exceptions.DecodeError, requests.exceptions.ContentDecodingError) as exc:
            raise _UndecodableBodyError from exc
        if read1 is not None:
            # Every byte was read, so the connection can go back to the pool. (setattr: the
            # attribute is private to requests and absent from some of its type stubs.)
            setattr(response, "_content_consumed", True)  # noqa: B010
        return b"".join(chunks)

    @staticmethod
    def _read1_pieces(read1: Callable[..., bytes]) -> Any:
        while True:
            chunk = read1(_CHUNK, decode_content=True)
            if not chunk:
                return
            yield chunk


    def _network_error(self, exc: BaseException, url: str, *, reading: bool) -> NetworkError:
        """The ``NotSentError`` / ``MaybeSentError`` for a failed exchange.

        ``reading``: the failure came while the answer was being read (so the request was
        sent). Messages name the host and port, never urllib3's pool text or the path.
        """
        where = _host_port(url)
        # (urllib3 2 makes NewConnectionError a ConnectTimeoutError: only requests' own
        # Timeout says that connecting timed out.)
        timed_out = _is_read_timeout(exc) if reading else isinstance(exc, _TIMEOUTS)
        if not reading and _never_sent(exc):
            if timed_out:
                return ConnectTimeoutError(
                    f"INVO request timed out connecting to {where} (nothing was sent)",
                    code="TIMEOUT")
            if any(isinstance(item, ConnectionRefusedError) for item in _chain(exc)):
                return NotSentError(
                    f"could not connect to INVO at {where}: connection refused; "
                    f"{_refused_hint(url)}", code="NETWORK_ERROR")
            return NotSentError(self._scrub(
                f"could not reach INVO at {where} ({_root_cause(exc)}); nothing was sent"),
                code="NETWORK_ERROR")
        if timed_out:
            return ReadTimeoutError(
                f"INVO request timed out waiting for {where} (the request may have arrived)",
                code="TIMEOUT")
        return MaybeSentError(self._scrub(
            f"the connection to INVO at {where} failed after the request was sent "
            f"({_root_cause(exc)}); INVO may have acted on it"), code="NETWORK_ERROR")

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, _REDACTED) if self._secret in text else text

    def _scrub_id(self, request_id: Optional[str]) -> Optional[str]:
        return None if request_id is None else self._scrub(request_id)

    def _scrub_value(self, value: Any) -> Any:
        """``value`` with the game secret replaced in every string (keys included)."""
        try:
            return self._scrub_tree(value)
        except RecursionError:
            # Too deep to walk: keep it only if the secret is nowhere in its text.
            text = repr(value)
            return value if self._secret not in text else _REDACTED

    def _scrub_tree(self, value: Any) -> Any:
        if isinstance(value, str):
            return self._scrub(value)
        if isinstance(value, dict):
            return {self._scrub_tree(k): self._scrub_tree(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._scrub_tree(v) for v in value]
        return value

    def _may_hold_secret(self, raw: bytes) -> bool:
        return not self._secret_is_plain or self._secret.encode("ascii") in raw

    @staticmethod
    def _loads(raw: bytes) -> Any:
        """``json.loads`` whose every failure (too deep included) is a ``ValueError``."""
        try:
            return json.loads(raw)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None

    def _parse_success(self, status: int, raw: bytes, request_id: Optional[str]) -> dict[str, Any]:
        if not raw.strip():
            return {}
        try:
            parsed = self._loads(raw)
        except ValueError:
            parsed = None
            ok = False
        else:
            ok = isinstance(parsed, dict)
        if not ok:
            shown = parsed if parsed is not None else raw.decode("utf-8", "replace")[:2000]
            raise InvalidResponseError(
                f"INVO answered HTTP {status} with a body that is not a JSON object",
                code="INVALID_RESPONSE",
                status=0,
                body=self._scrub_value(shown),
                request_id=request_id,
            )
        assert isinstance(parsed, dict)
        if self._may_hold_secret(raw):
            # INVO never needs to send the game secret back; if an answer holds it (a proxy
            # echoing headers), it must not reach results, errors built from them, or logs.
            scrubbed: dict[str, Any] = self._scrub_value(parsed)
            return scrubbed
        return parsed

    def _error_for(self, status: int, raw: bytes, request_id: Optional[str],
                   headers: Mapping[str, str]) -> InvoError:
        body: Any
        try:
            body = self._loads(raw) if raw.strip() else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        kept = {name.lower(): self._scrub(value) for name, value in headers.items()
                if name.lower() not in _DROPPED_HEADERS}
        return error_from_response(status, self._scrub_value(body), request_id, headers=kept)
