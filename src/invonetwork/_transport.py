"""How a request travels: one pooled ``requests.Session``, timeouts, retries, hooks, errors.

This is the only module that talks to ``requests``. Every ``requests``/``urllib3``/``OSError``
failure is translated here into the ``InvoError`` hierarchy, chained with ``raise ... from``.

Retry rule (the whole of it): an attempt is repeated only when the route is idempotent
(see ``_routes``), retries remain, and the attempt ended in a network error, a timeout, or
HTTP 429/500/502/503/504. A 429 waits ``retry_after`` (body), else ``Retry-After`` (header),
else the backoff; a wait over ``MAX_RETRY_AFTER_WAIT`` is not waited out: the 429 is raised.
Redirects are never followed (the secret header would travel to the ``Location``).

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
import random
import threading
import time
import traceback
import warnings
from collections.abc import Mapping
from http.cookiejar import DefaultCookiePolicy
from typing import Any, Callable, Optional

import requests
import requests.adapters
import requests.utils
import urllib3.exceptions

from ._config import MAX_BACKOFF_DELAY, MAX_RETRY_AFTER_WAIT, Timeout
from ._fork import ProcessLocal, call_in_child_after_fork
from ._hooks import ErrorInfo, Hooks, RequestInfo, ResponseInfo, call_hook
from ._routes import OPERATIONS, Route
from ._telemetry import CallRecord, Telemetry
from ._version import __version__
from .errors import (
    InvalidInputError,
    InvalidResponseError,
    InvoError,
    NetworkError,
    RequestTimeoutError,
    error_from_response,
    parse_retry_after,
)

__all__ = ["RETRYABLE_STATUSES", "Transport", "backoff_delay"]

# Everything the HTTP stack can raise for a failed exchange, and the subset that is a timeout.
_TIMEOUTS = (requests.Timeout, urllib3.exceptions.TimeoutError)
_NETWORK_FAILURES = (
    requests.RequestException,
    urllib3.exceptions.HTTPError,
    http.client.HTTPException,
    OSError,
    ValueError,
)


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
    seen = 0
    current: Optional[BaseException] = exc
    while current is not None and seen < 8:
        if isinstance(current, _TIMEOUTS):
            return True
        if any(isinstance(arg, _TIMEOUTS) for arg in getattr(current, "args", ())):
            return True
        current = current.__cause__ or current.__context__
        seen += 1
    return False

_log = logging.getLogger("invonetwork")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
# An answer larger than this is refused instead of being held in memory.
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024
_REDACTED = "[redacted]"


def backoff_delay(attempt: int, base: float) -> float:
    """Seconds to sleep before retry number ``attempt + 1``: exponential, with jitter.

    Half of ``base * 2**attempt`` is fixed and half random ("equal jitter"), so concurrent
    clients spread out while each still backs off; capped at ``MAX_BACKOFF_DELAY``.
    """
    ceiling = min(MAX_BACKOFF_DELAY, base * float(2**attempt))
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not crypto


def _header_retry_after(value: Optional[str]) -> Optional[float]:
    if value is None:
        return None
    return parse_retry_after(value)


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
        raise ValueError(
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


class Transport:
    """Sends one logical call to INVO, with retries, and returns the parsed JSON object."""

    def __init__(
        self,
        *,
        game_secret: str,
        timeout: Timeout,
        max_retries: int,
        retry_base_delay: float,
        hooks: Optional[Hooks],
        session: Optional[requests.Session],
        pool_size: int,
        user_agent: Optional[str],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        telemetry: Optional[Telemetry] = None,
    ) -> None:
        _check_secret_header(game_secret)
        self.telemetry = telemetry if telemetry is not None else Telemetry()
        self._secret = game_secret
        # Answers are searched for the secret as bytes (fast); a secret JSON would escape
        # cannot be found that way, so for such a secret every answer is walked instead.
        # (No unmasked bytes copy is kept on the instance: it is encoded when needed.)
        self._secret_is_plain = all(c.isalnum() or c in "-_.~+=:" for c in game_secret)
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.hooks = hooks or Hooks()
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
        self._sleep: Callable[[float], None] = time.sleep

    def __repr__(self) -> str:
        # getattr: a half-built instance (its __init__ raised) is shown by tracebacks too
        timeout = getattr(self, "timeout", None)
        return f"<Transport timeout={timeout!r} max_retries={getattr(self, 'max_retries', None)}>"

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
        route: Route,
        url: str,
        *,
        body: Optional[Mapping[str, Any]] = None,
        ok_statuses: frozenset[int] = frozenset(),
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        hooks: Optional[Hooks] = None,
    ) -> tuple[int, dict[str, Any]]:
        """Send ``route`` to ``url`` and return ``(status, JSON object)``.

        Statuses in ``ok_statuses`` are returned instead of raised (``get_linked_identities``
        treats 404 as an answer). Raises an ``InvoError`` subclass for everything else.
        """
        record = self.telemetry.start(route, OPERATIONS.get(route, route.path), url)
        try:
            result = self._request(
                route, url, body, ok_statuses, timeout, max_retries, hooks, record
            )
        except InvoError as error:
            # The frames below hold the raw answer (which a hostile proxy can fill with the
            # echoed secret) and requests' frames hold the encoded header block: drop their
            # locals, so error trackers and capture_locals tracebacks cannot show them.
            _forget_locals(error)
            if record is not None:
                record.end(error)
            raise
        except BaseException as error:
            if record is not None:
                record.end(error)
            raise
        if record is not None:
            record.end(None)
        return result

    def _request(
        self,
        route: Route,
        url: str,
        body: Optional[Mapping[str, Any]],
        ok_statuses: frozenset[int],
        timeout: Optional[Timeout],
        max_retries: Optional[int],
        hooks: Optional[Hooks],
        record: Optional[CallRecord] = None,
    ) -> tuple[int, dict[str, Any]]:
        if self.closed:
            raise InvoError(
                "this InvoServer is closed; create a new one", code="CLIENT_CLOSED"
            )
        data = encode_json(body) if body is not None else None
        headers = dict(self._base_headers if route.authenticated else self._anonymous_headers)
        if data is not None:
            headers["Content-Type"] = "application/json"
        send_settings = self._settings_for(url)
        timeout = self.timeout if timeout is None else timeout
        retries = self.max_retries if max_retries is None else max_retries
        hooks = self.hooks if hooks is None else hooks
        path = route.path  # the template: no email or id from the URL reaches a log line

        attempt = 0
        while True:
            call_hook(hooks.on_request, RequestInfo(route.method, url, attempt))
            started = time.perf_counter()
            can_retry = route.idempotent and attempt < retries
            sent_headers = headers if record is None else record.begin_attempt(attempt, headers)
            try:
                status, resp_headers, raw = self._send(
                    route.method, url, sent_headers, data, timeout, send_settings,
                    started + _attempt_budget(timeout),
                )
            except NetworkError as error:
                elapsed = (time.perf_counter() - started) * 1000
                _log.debug("%s %s -> %s (attempt %d, %.1f ms)", route.method, path,
                           error.code, attempt, elapsed)
                if record is not None:
                    record.end_attempt(status=None, request_id=None, error=error,
                                       will_retry=can_retry)
                call_hook(hooks.on_error, ErrorInfo(route.method, url, attempt, error, can_retry))
                if not can_retry:
                    raise
                self._sleep(backoff_delay(attempt, self.retry_base_delay))
                attempt += 1
                continue

            elapsed = (time.perf_counter() - started) * 1000
            request_id = self._scrub_id(_request_id(resp_headers))
            _log.debug("%s %s -> %d (attempt %d, %.1f ms, request_id=%s)", route.method, path,
                       status, attempt, elapsed, request_id)
            call_hook(hooks.on_response, ResponseInfo(route.method, url, attempt, status,
                                                      elapsed, request_id))
            if 200 <= status < 300 or status in ok_statuses:
                if record is not None:
                    record.end_attempt(status=status, request_id=request_id, error=None,
                                       will_retry=False)
                if status in ok_statuses and not 200 <= status < 300:
                    return status, self._parse_lenient(raw)
                return status, self._parse_success(status, raw, request_id)

            api_error = self._error_for(status, raw, request_id)
            wait: Optional[float] = None
            if can_retry and status in RETRYABLE_STATUSES:
                wait = self._wait_before_retry(status, api_error, resp_headers, attempt)
            if record is not None:
                record.end_attempt(status=status, request_id=request_id, error=api_error,
                                   will_retry=wait is not None)
            call_hook(hooks.on_error, ErrorInfo(route.method, url, attempt, api_error,
                                                wait is not None))
            if wait is None:
                raise api_error
            self._sleep(wait)
            attempt += 1

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
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: Optional[bytes],
        timeout: Timeout,
        settings: dict[str, Any],
        deadline: float,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """One HTTP exchange: ``(status, headers, body bytes)``; failures as ``InvoError``."""
        try:
            response = self._open(method, url, headers, data, timeout, settings)
        except _TIMEOUTS as exc:
            _forget_locals(exc)
            raise self._network_error(exc, timed_out=True) from exc
        except _NETWORK_FAILURES as exc:
            _forget_locals(exc)
            raise self._network_error(exc, timed_out=False) from exc
        status = response.status_code
        try:
            raw = self._read_body(response, deadline)
        except _UndecodableBodyError as exc:
            if 200 <= status < 300:
                raise InvalidResponseError(
                    f"INVO answered HTTP {status} with a body that could not be decoded "
                    f"(Content-Encoding {response.headers.get('Content-Encoding', '')!r})",
                    code="INVALID_RESPONSE",
                    status=0,
                    request_id=self._scrub_id(_request_id(response.headers)),
                ) from exc.__cause__
            raw = b""  # the error keeps its status; the unreadable body is dropped
        except _TooLargeError:
            if 200 <= status < 300:
                raise InvalidResponseError(
                    f"INVO's answer is larger than {self.max_response_bytes} bytes; refused",
                    code="INVALID_RESPONSE",
                    status=0,
                    request_id=self._scrub_id(_request_id(response.headers)),
                ) from None
            raw = b""  # an error page too large to keep: the status still says what happened
        except _AttemptTooSlowError:
            raise RequestTimeoutError(
                "INVO request timed out (the answer was still arriving when the attempt's "
                "time ran out)", code="TIMEOUT"
            ) from None
        except _TIMEOUTS as exc:
            _forget_locals(exc)
            raise self._network_error(exc, timed_out=True) from exc
        except _NETWORK_FAILURES as exc:
            _forget_locals(exc)
            raise self._network_error(exc, timed_out=_is_read_timeout(exc)) from exc
        finally:
            response.close()
        return status, response.headers, raw

    def _open(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        data: Optional[bytes],
        timeout: Timeout,
        settings: dict[str, Any],
    ) -> requests.Response:
        """Send the request and return the response with its body still unread.

        This is ``Session.request`` without ``Session.send``: the request is prepared and the
        environment merged by the session (so a caller's own session keeps its settings), then
        handed straight to the session's adapter. ``Session.send``, even with
        ``allow_redirects=False``, reads the whole body of any 3xx carrying a ``Location`` to
        pre-build ``response.next``: with no size limit (a hostile 302 could fill memory) and
        before the SDK could refuse it. Redirects are never followed here either way.
        """
        session = self._session
        prepared = session.prepare_request(
            requests.Request(method, url, headers=headers, data=data)
        )
        target = prepared.url or url
        merged = session.merge_environment_settings(
            target, settings.get("proxies", {}), True, settings.get("verify"), None
        )
        adapter = session.get_adapter(target)
        verify = merged["verify"]
        return adapter.send(
            prepared, stream=True, timeout=timeout, verify=True if verify is None else verify,
            cert=merged["cert"], proxies=merged["proxies"],
        )

    def _read_body(self, response: requests.Response, deadline: float) -> bytes:
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
                if time.perf_counter() > deadline:
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


    def _network_error(self, exc: BaseException, *, timed_out: bool) -> NetworkError:
        if timed_out:
            return RequestTimeoutError(
                self._scrub(f"INVO request timed out ({type(exc).__name__})"), code="TIMEOUT"
            )
        detail = str(exc).split("(Caused by", 1)[0].strip() or type(exc).__name__
        return NetworkError(
            self._scrub(f"could not reach INVO: {type(exc).__name__}: {detail[:300]}"),
            code="NETWORK_ERROR",
        )

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

    def _parse_lenient(self, raw: bytes) -> dict[str, Any]:
        """The body of a non-2xx status the caller treats as an answer: a dict, else ``{}``."""
        try:
            parsed = self._loads(raw) if raw.strip() else {}
        except ValueError:
            return {}
        if not isinstance(parsed, dict):
            return {}
        if self._may_hold_secret(raw):
            scrubbed: dict[str, Any] = self._scrub_value(parsed)
            return scrubbed
        return parsed

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

    def _error_for(self, status: int, raw: bytes, request_id: Optional[str]) -> InvoError:
        body: Any
        try:
            body = self._loads(raw) if raw.strip() else None
        except ValueError:
            body = raw.decode("utf-8", "replace")
        error = error_from_response(status, self._scrub_value(body), request_id)
        return error

    def _wait_before_retry(
        self, status: int, error: InvoError, headers: Mapping[str, str], attempt: int
    ) -> Optional[float]:
        """Seconds to wait before retrying, or ``None`` when the error must be raised now."""
        if status != 429:
            return backoff_delay(attempt, self.retry_base_delay)
        asked = error.retry_after
        if asked is None:
            asked = _header_retry_after(headers.get("Retry-After"))
        if asked is None:
            return backoff_delay(attempt, self.retry_base_delay)
        return asked if asked <= MAX_RETRY_AFTER_WAIT else None
