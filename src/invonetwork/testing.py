"""Test helpers: build webhook deliveries signed exactly the way INVO signs them.

Standard library only (no ``requests``), so receivers and emulators can import it anywhere::

    from invonetwork.testing import build_webhook_delivery

    delivery = build_webhook_delivery("purchase.completed", secret="whsec_test")
    response = client.post("/invo/webhooks", data=delivery.body, headers=delivery.headers)

The signature goes through the same code as verification (``invonetwork.webhooks._signing``),
so a delivery built here always verifies with the same secret and a fresh clock.
"""

from __future__ import annotations

import gzip as _gzip
import json
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Union

from .errors import InvalidInputError
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


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def sample_event_data(event_type: str) -> dict[str, Any]:
    """Realistic ``data`` for an event type (fresh ids each call; money as decimal strings).

    ``purchase.completed`` and ``item.purchased`` get every field of the contract; other
    types get a small common set (``transaction_id``, ``player_email``, ``currency_name``,
    ``new_balance``).
    """
    common: dict[str, Any] = {
        "transaction_id": _new_id("txn_"),
        "player_email": "player@example.com",
        "currency_name": "Gold",
        "new_balance": "4200.00",
    }
    if event_type == "purchase.completed":
        return {
            **common,
            "order_id": _new_id("ord_"),
            "identity_id": _new_id("idn_"),
            "usd_amount": "9.99",
            "currency_amount": "1000",
            "rail": "platform",
            "metadata": {},
        }
    if event_type == "item.purchased":
        return {
            **common,
            "order_id": _new_id("ord_"),
            "identity_id": _new_id("idn_"),
            "item_id": "sword_01",
            "item_name": "Iron Sword",
            "item_quantity": 2,
            "unit_price": "125.00",
            "total_price": "250.00",
            "new_balance": "3950.00",
            "fee_breakdown": {"platform_fee": "12.50", "net_to_game": "237.50"},
        }
    return common


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
    stamp = created_at or datetime.now(timezone.utc).isoformat(timespec="microseconds")
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "idempotency_key": idempotency_key or str(uuid.uuid4()),
        "event_type": kind,
        "schema_version": schema_version,
        "created_at": stamp,
        "tenant_id": tenant_id,
        "data": dict(data) if data is not None else sample_event_data(kind),
    }


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery, ready to POST: ``body`` and ``headers`` exactly as INVO sends them.

    Attributes:
        body: The request body on the wire (gzip-compressed when built with ``gzip=True``).
        headers: ``X-Invo-Signature``, ``X-Invo-Idempotency-Key``, ``X-Invo-Event-Id``,
            ``X-Invo-Secret-Version``, ``Content-Type`` and, for gzip, ``Content-Encoding``.
        payload: The JSON object that was signed (``None`` when raw bytes were given).
        signed_body: The uncompressed bytes the signature covers.
        timestamp: The ``t=`` value.
    """

    body: bytes
    headers: dict[str, str]
    payload: Optional[dict[str, Any]] = field(repr=False)
    signed_body: bytes = field(repr=False)
    timestamp: int

    @property
    def signature_header(self) -> str:
        """The ``X-Invo-Signature`` header value."""
        return self.headers["X-Invo-Signature"]

    @property
    def idempotency_key(self) -> str:
        """The ``X-Invo-Idempotency-Key`` header value."""
        return self.headers["X-Invo-Idempotency-Key"]


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
    payload: Optional[dict[str, Any]]
    if isinstance(event, (bytes, bytearray)):
        payload = None
        signed = bytes(event)
    else:
        if isinstance(event, str):
            payload = make_event_body(
                event,
                data=data,
                event_id=event_id,
                idempotency_key=idempotency_key,
                tenant_id=tenant_id,
                created_at=datetime.fromtimestamp(when, timezone.utc).isoformat(
                    timespec="microseconds"
                ),
            )
        elif isinstance(event, Mapping):
            payload = dict(event)
        else:
            raise _invalid("event must be an event type, a body mapping, or bytes")
        signed = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    body_key = payload.get("idempotency_key") if payload is not None else None
    body_id = payload.get("event_id") if payload is not None else None
    headers = {
        "Content-Type": "application/json",
        "X-Invo-Signature": sign_webhook_payload(signed, secret, timestamp=when),
        "X-Invo-Idempotency-Key": idempotency_key
        or (body_key if isinstance(body_key, str) else str(uuid.uuid4())),
        "X-Invo-Event-Id": event_id or (body_id if isinstance(body_id, str) else str(uuid.uuid4())),
        "X-Invo-Secret-Version": str(secret_version),
    }
    wire = signed
    if gzip:
        wire = _gzip.compress(signed, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return WebhookDelivery(
        body=wire, headers=headers, payload=payload, signed_body=signed, timestamp=when
    )
