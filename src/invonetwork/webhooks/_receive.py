"""One call for a whole webhook receiver: verify, pick the key, dedupe, handle, reply.

:func:`receive_webhook` is what every framework recipe would otherwise repeat. It knows
nothing about any framework: give it the raw body and the headers, and turn the
:class:`WebhookReply` it returns into your framework's response.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Callable, Optional, Protocol

from ..errors import InvoError
from ._common import SECRET_MISSING
from ._events import WebhookEvent
from ._gzip import DEFAULT_MAX_BODY_BYTES
from ._idempotency import IdempotencyStore, deduplicate
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
            processed) or ``500`` (the receiver is misconfigured; INVO retries).
        text: A short plain-text body: ``"ok"``, ``"duplicate"``, ``"invalid webhook"``,
            ``"no idempotency key"`` or ``"receiver not configured"``.
        event: The verified event (also for a duplicate); ``None`` when verification failed.
        duplicate: ``True`` when the idempotency key was already claimed, so the handler
            was not called.
        error_code: For a ``400`` or ``500`` from verification, the error's code (for
            example ``WEBHOOK_SIGNATURE_INVALID``), for your logs; otherwise ``None``.
    """

    status: int
    text: str
    event: Optional[WebhookEvent] = None
    duplicate: bool = False
    error_code: Optional[str] = None


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
    store: IdempotencyStore,
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
       ``400 "no idempotency key"``).
    3. Claim the key in ``store``. Already claimed: ``200 "duplicate"``, handler not called.
    4. Call ``handler(event)``, then answer ``200 "ok"``. If the handler raises, the key is
       released and the exception propagates: let your framework answer ``500`` so that
       INVO retries, and the retry is processed.

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
        store: Where claimed idempotency keys are kept (see :class:`IdempotencyStore`).
        handler: Called with the event once per idempotency key; its result is ignored.
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
    key = event.idempotency_key or _header(headers, _IDEMPOTENCY_KEY) or ""
    if not key:
        return WebhookReply(400, "no idempotency key", event=event)
    with deduplicate(store, key) as first:  # an exception releases the key
        if not first:
            return WebhookReply(200, "duplicate", event=event, duplicate=True)
        handler(event)
    return WebhookReply(200, "ok", event=event)
