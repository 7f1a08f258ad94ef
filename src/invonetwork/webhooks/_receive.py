"""One call for a whole webhook receiver: verify, pick the key, dedupe, handle, reply.

:func:`receive_webhook` is what every framework recipe would otherwise repeat. It knows
nothing about any framework: give it the raw body and the headers, and turn the
:class:`WebhookReply` it returns into your framework's response.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Optional, Protocol, Union, cast

from ..errors import InvoError
from ._common import SECRET_MISSING
from ._events import WebhookEvent, dedupe_key_for
from ._gzip import DEFAULT_MAX_BODY_BYTES
from ._idempotency import ClaimStatus, IdempotencyStore, LeaseStore, deduplicate, leased
from ._verify import DEFAULT_TOLERANCE_SECONDS, RawBody, Secrets, _Sealed, verify_webhook

__all__ = ["HeadersLike", "WebhookReply", "receive_webhook"]

_SIGNATURE = "X-Invo-Signature"
_IDEMPOTENCY_KEY = "X-Invo-Idempotency-Key"
_CONTENT_ENCODING = "Content-Encoding"
# Codes that mean the receiver itself is misconfigured, not that the delivery is bad.
_CONFIGURATION_CODES = frozenset({SECRET_MISSING, "INVALID_INPUT"})


class HeadersLike(Protocol):
    """Request headers as any framework hands them over.

    A ``dict``, any ``Mapping[str, str]`` (Starlette's and Django's ``request.headers``)
    or Werkzeug's ``Headers`` (Flask's ``request.headers``). Names may be in any case.
    """

    def get(self, key: str, /) -> Optional[str]:
        """The value of header ``key``, or ``None``."""
        ...

    def items(self) -> Iterable[tuple[str, str]]:
        """Every ``(name, value)`` pair."""
        ...


@dataclass(frozen=True)
class WebhookReply:
    """What to answer INVO, as decided by :func:`receive_webhook`.

    Attributes:
        status: The HTTP status to answer: ``200``, ``400`` (a delivery that must not be
            processed), ``409`` (another worker is processing the same event right now:
            INVO retries later) or ``500`` (the receiver is misconfigured; INVO retries).
        text: A short plain-text body: ``"ok"``, ``"duplicate"``, ``"in progress"``,
            ``"invalid webhook"``, ``"no idempotency key"`` or ``"receiver not configured"``.
        event: The verified event (also for a duplicate); ``None`` when verification failed.
        duplicate: ``True`` when the event was already processed, so the handler was not
            called.
        error_code: For a ``400`` or ``500`` from verification, the error's code (for
            example ``WEBHOOK_SIGNATURE_INVALID``), for your logs; otherwise ``None``.
        in_progress: ``True`` for the ``409``: another worker holds the event's lease.
    """

    status: int
    text: str
    event: Optional[WebhookEvent] = None
    duplicate: bool = False
    error_code: Optional[str] = None
    in_progress: bool = False


def _header(headers: HeadersLike, name: str) -> Optional[str]:
    """The first value of header ``name``, looked up case-insensitively."""
    value = headers.get(name)
    if value is not None:
        return value
    wanted = name.lower()
    for key, candidate in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return candidate
    return None


def receive_webhook(
    raw_body: RawBody,
    headers: HeadersLike,
    secret_or_secrets: Optional[Secrets],
    *,
    store: Union[LeaseStore, IdempotencyStore],
    handler: Callable[[WebhookEvent], object],
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Optional[float] = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> WebhookReply:
    """Handle one INVO delivery: verify it, process it once, and say what to answer.

    The steps, each of which you could write yourself with :func:`verify_webhook` and
    :func:`deduplicate`:

    1. Verify ``raw_body`` against the ``X-Invo-Signature`` header and your secret(s),
       inflating it first when ``Content-Encoding`` is gzip. A delivery that fails is
       answered ``400 "invalid webhook"``; a missing secret (or an invalid option of your
       own) is answered ``500 "receiver not configured"``, since the fault is yours.
    2. Take the idempotency key from the signed body, falling back to the
       ``X-Invo-Idempotency-Key`` header only when the body has none (neither:
       ``400 "no idempotency key"``), and add ``":" + direction`` when the event's data has
       a ``direction`` (the two copies of a transfer event that one title can receive).
    3. Take the lease on that key in ``store`` (see :class:`LeaseStore`). Done before:
       ``200 "duplicate"``. Another worker holds a live lease: ``409 "in progress"`` (INVO
       retries later; by then the other worker has finished, or died and lost the lease).
    4. Call ``handler(event)`` while the lease is renewed in the background, mark the key
       done, and answer ``200 "ok"``. If the handler raises, the lease is dropped and the
       exception propagates: let your framework answer ``500`` so that INVO retries, and
       the retry is processed. An error of the store itself (Redis or PostgreSQL down)
       propagates the same way.

    ``handler`` may be a :class:`WebhookRouter`. A store with only ``claim``/``release``
    (:class:`IdempotencyStore`) still works, without leases: its duplicates are always
    ``200 "duplicate"``.

    Header names are matched in any case. The SDK logs nothing: log from
    :attr:`WebhookReply.error_code` if you want to.

    In an async framework (FastAPI, Starlette), the store and the handler may block: call
    this in a worker thread, for example
    ``await run_in_threadpool(receive_webhook, raw, request.headers, secrets, store=...,
    handler=...)``.

    Args:
        raw_body: The request body exactly as received (never re-serialized JSON).
        headers: The request headers: a ``dict``, a ``Mapping`` or Werkzeug ``Headers``.
        secret_or_secrets: The signing secret, or a list of them during a rotation.
        store: Where the keys' leases are kept (see :class:`LeaseStore`).
        handler: Called with the event once per dedupe key (a function or a
            :class:`WebhookRouter`); its result is ignored.
        tolerance_seconds: The replay window, as for :func:`verify_webhook`.
        now: The current time in unix seconds (default ``time.time()``); for tests.
        max_body_bytes: Largest body accepted, after decompression (default 5 MiB).

    Returns:
        The :class:`WebhookReply` to turn into your framework's response.

    Raises:
        Exception: Whatever ``handler`` or ``store`` raises, after the key was released.
    """
    sealed = _Sealed(secret_or_secrets)
    del secret_or_secrets  # no frame a handler's error passes through holds the secret
    try:
        event = verify_webhook(
            raw_body,
            _header(headers, _SIGNATURE),
            sealed.value,
            tolerance_seconds=tolerance_seconds,
            now=now,
            content_encoding=_header(headers, _CONTENT_ENCODING),
            max_body_bytes=max_body_bytes,
        )
    except InvoError as err:
        if err.code in _CONFIGURATION_CODES:
            return WebhookReply(500, "receiver not configured", error_code=err.code)
        return WebhookReply(400, "invalid webhook", error_code=err.code)
    # The body's key is covered by the signature; the header is not, so it is only a fallback.
    base = event.idempotency_key or _header(headers, _IDEMPOTENCY_KEY) or ""
    if not base:
        return WebhookReply(400, "no idempotency key", event=event)
    key = dedupe_key_for(event, base)
    if not hasattr(store, "begin"):  # a lease-less IdempotencyStore
        with deduplicate(store, key) as first:
            if not first:
                return WebhookReply(200, "duplicate", event=event, duplicate=True)
            handler(event)
        return WebhookReply(200, "ok", event=event)
    with leased(cast(LeaseStore, store), key) as status:
        if status is ClaimStatus.DONE:
            return WebhookReply(200, "duplicate", event=event, duplicate=True)
        if status is ClaimStatus.IN_PROGRESS:
            return WebhookReply(409, "in progress", event=event, in_progress=True)
        handler(event)
    return WebhookReply(200, "ok", event=event)
