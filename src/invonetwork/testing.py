"""Test helpers: build webhook deliveries signed exactly the way INVO signs them.

Standard library only (no ``requests``), so receivers and emulators can import it anywhere::

    from invonetwork.testing import build_webhook_delivery

    delivery = build_webhook_delivery("purchase.completed", secret="whsec_test")
    response = client.post("/invo/webhooks", data=delivery.body, headers=delivery.headers)

The signature goes through the same code as verification (``invonetwork.webhooks._signing``),
so a delivery built here always verifies with the same secret and a fresh clock.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union

from .errors import InvalidInputError
from .webhooks._delivery import (
    WebhookDelivery,
    build_delivery,
    event_body,
    format_created_at,
    sample_event_data,
)
from .webhooks._signing import compute_signature, format_signature_header

__all__ = [
    "WebhookDelivery",
    "build_webhook_delivery",
    "make_event_body",
    "sample_event_data",
    "sign_webhook_payload",
]

SecretArg = Union[str, Sequence[str]]


def _invalid(message: str) -> InvalidInputError:
    return InvalidInputError(message, code="INVALID_INPUT")


def _secrets(secret: object) -> list[str]:
    secrets: list[object]
    if isinstance(secret, str):
        secrets = [secret]
    elif isinstance(secret, (list, tuple)):
        secrets = list(secret)
    else:
        raise _invalid("secret must be a str or a list/tuple of str")
    if not secrets or not all(isinstance(s, str) and s for s in secrets):
        raise _invalid("secret must be one or more non-empty str")
    return [s for s in secrets if isinstance(s, str)]


def _timestamp(timestamp: Optional[int]) -> int:
    if timestamp is None:
        return int(time.time())
    if isinstance(timestamp, bool) or not isinstance(timestamp, int) or timestamp < 0:
        raise _invalid("timestamp must be unix seconds as a non-negative int")
    return timestamp


def sign_webhook_payload(
    body: Union[bytes, bytearray, str],
    secret: SecretArg,
    *,
    timestamp: Optional[int] = None,
) -> str:
    """The ``X-Invo-Signature`` header value for ``body``.

    Signature: ``sign_webhook_payload(body, secret, *, timestamp=None) -> str``.

    Args:
        body: The exact (uncompressed) bytes to sign; a ``str`` is encoded as UTF-8.
        secret: One signing secret, or a list/tuple of them: one ``v1=`` value per secret,
            in order, as INVO sends during a rotation.
        timestamp: Unix seconds for ``t=`` (default: now).

    Returns:
        ``"t=<timestamp>,v1=<hex>[,v1=<hex>...]"``.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    when = _timestamp(timestamp)
    return format_signature_header(
        when, [compute_signature(s, when, raw) for s in _secrets(secret)]
    )


def make_event_body(
    event_type: str,
    *,
    data: Optional[Mapping[str, Any]] = None,
    event_id: Optional[str] = None,
    idempotency_key: Optional[str] = None,
    tenant_id: str = "1",
    created_at: Optional[str] = None,
    schema_version: str = "1.0",
) -> dict[str, Any]:
    """A webhook body as INVO builds it (a ``dict``; serialize it yourself or use
    :func:`build_webhook_delivery`).

    Signature: ``make_event_body(event_type, *, data=None, event_id=None,
    idempotency_key=None, tenant_id="1", created_at=None, schema_version="1.0") -> dict``.

    ``data`` defaults to :func:`sample_event_data` (given, it is used as is);
    ``event_id`` and ``idempotency_key`` default to fresh UUIDs; ``created_at`` to now, in
    ISO 8601 with microseconds and ``+00:00``.
    """
    if not isinstance(event_type, str):
        raise _invalid("event_type must be a str")
    kind = str(event_type)
    return event_body(
        kind,
        data if data is not None else sample_event_data(kind),
        event_id=event_id,
        idempotency_key=idempotency_key,
        tenant_id=tenant_id,
        created_at=created_at,
        schema_version=schema_version,
    )


def build_webhook_delivery(
    event: Union[str, Mapping[str, Any], bytes, bytearray],
    *,
    secret: SecretArg,
    data: Optional[Mapping[str, Any]] = None,
    timestamp: Optional[int] = None,
    idempotency_key: Optional[str] = None,
    event_id: Optional[str] = None,
    tenant_id: str = "1",
    secret_version: int = 1,
    gzip: bool = False,
) -> WebhookDelivery:
    """Build a signed delivery of an event, the way INVO sends it.

    Signature: ``build_webhook_delivery(event, *, secret, data=None, timestamp=None,
    idempotency_key=None, event_id=None, tenant_id="1", secret_version=1, gzip=False)
    -> WebhookDelivery``.

    Args:
        event: An event type (``"purchase.completed"`` or an ``EventType``): a full body is
            made with :func:`make_event_body`. Or a whole body as a mapping, sent as is
            (its ``event_id`` / ``idempotency_key`` feed the headers when they are strings).
            Or raw ``bytes`` to sign verbatim (for malformed-body tests).
        secret: The signing secret, or a list/tuple of secrets to emit one ``v1=`` per
            secret, as during a rotation.
        data: The event's ``data`` (only with an event type; default: sample data).
        timestamp: Unix seconds to sign with (default: now). Use an old one to test replay
            rejection.
        idempotency_key: Stable logical id (default: a fresh UUID). Reuse it to model a
            retry or a replay of the same event.
        event_id: Per-delivery id (default: a fresh UUID).
        tenant_id: The body's ``tenant_id`` (your game id).
        secret_version: The ``X-Invo-Secret-Version`` header value.
        gzip: Compress the body and add ``Content-Encoding: gzip``; the signature covers
            the uncompressed JSON, as INVO does.

    Returns:
        A :class:`WebhookDelivery`; POST ``delivery.body`` with ``delivery.headers``.
    """
    when = _timestamp(timestamp)
    payload: Union[Mapping[str, Any], bytes]
    if isinstance(event, (bytes, bytearray)):
        payload = bytes(event)
    elif isinstance(event, str):
        payload = make_event_body(
            event,
            data=data,
            event_id=event_id,
            idempotency_key=idempotency_key,
            tenant_id=tenant_id,
            created_at=format_created_at(when),
        )
    elif isinstance(event, Mapping):
        payload = event
    else:
        raise _invalid("event must be an event type, a body mapping, or bytes")
    delivery = build_delivery(
        payload, secrets=_secrets(secret), timestamp=when,
        secret_version=secret_version, gzip=gzip,
    )
    overrides = {
        name: value
        for name, value in (
            ("X-Invo-Idempotency-Key", idempotency_key), ("X-Invo-Event-Id", event_id)
        )
        if value
    }
    if overrides:
        delivery = dataclasses.replace(delivery, headers={**delivery.headers, **overrides})
    return delivery
