"""The one builder of signed webhook deliveries, and the one stdlib client that posts them.

:mod:`invonetwork.testing`, the sandbox's delivery worker and ``invonetwork webhooks send``
all build through :func:`event_body` + :func:`build_delivery`, and post through
:class:`DeliveryClient`, so the three cannot drift apart: same envelope, same headers, same
JSON bytes, same gzip, same signature.

Standard library only (``http.client``): importing it never loads ``requests``.
"""

from __future__ import annotations

import contextlib
import gzip as _gzip
import http.client
import json
import socket
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Optional, Union
from urllib.parse import urlsplit

from ._signing import compute_signature, format_signature_header

__all__ = [
    "DeliveryClient",
    "WebhookDelivery",
    "build_delivery",
    "event_body",
    "format_created_at",
    "sample_event_data",
]

_MAX_RESPONSE_BYTES = 64 * 1024


def format_created_at(timestamp: float) -> str:
    """An envelope ``created_at``: ISO 8601 UTC with microseconds and ``+00:00``."""
    return datetime.fromtimestamp(timestamp, timezone.utc).isoformat(timespec="microseconds")


def _new_id(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


def _purchase_sample() -> dict[str, Any]:
    return {
        "order_id": _new_id("ord_"),
        "identity_id": _new_id("idn_"),
        "usd_amount": "9.99",
        "currency_amount": "1000",
        "rail": "platform",
        "metadata": {},
    }


def _item_sample() -> dict[str, Any]:
    return {
        "order_id": _new_id("ord_"),
        "identity_id": _new_id("idn_"),
        "item_id": "sword_01",
        "item_name": "Iron Sword",
        "item_quantity": 2,
        "unit_price": "125.00",
        "total_price": "250.00",
        "new_balance": "3950.00",
        "fee_breakdown": {
            "total_paid": "250.00",
            "developer_revenue": "225.00",
            "platform_fee": "25.00",
        },
    }


def _transfer_sample(event_type: str) -> dict[str, Any]:
    """A transfer event's ``data`` in the current API's shape (webhook-events §1.3).

    The claim code is never sent; ``transfer.refunded`` (sending title only) has no
    ``direction``; ``transfer.sent`` / ``transfer.received`` have no published key list and
    get the common keys.
    """
    sample: dict[str, Any] = {
        "order_id": _new_id("ord_"),
        "from_game_id": "1001",
        "to_game_id": "2002",
        "from_player_id": "7",
        "amount": "25.00",
    }
    if event_type == "transfer.claim_pending":
        sample.update(net_transfer_amount="22.50", direction="outbound",
                      claim_code_expires_at=format_created_at(time.time() + 86400))
    elif event_type == "transfer.claim_expired":
        sample.update(direction="outbound", reason="claim_expired",
                      expiry_reason="claim_expired", expired_at=format_created_at(time.time()))
    elif event_type == "transfer.refunded":
        sample.update(refunded_amount="25.00", reason="claim_expired",
                      expiry_reason="claim_expired", expired_at=format_created_at(time.time()))
    else:
        sample.update(flow="transfer", net_transfer_amount="22.50")
    return sample


def sample_event_data(event_type: str) -> dict[str, Any]:
    """Realistic ``data`` for an event type (fresh ids each call; money as decimal strings).

    ``purchase.*``, ``item.purchased``, ``transfer.*``, ``balance.updated``,
    ``payout.status_changed`` and ``webhook.test`` get their own shapes; every other type
    gets a small common set (``transaction_id``, ``player_email``, ``currency_name``,
    ``new_balance``).
    """
    if event_type == "webhook.test":
        return {"message": "Test event"}
    if event_type == "payout.status_changed":
        return {"payout_id": 4242, "status": "requested"}
    common: dict[str, Any] = {
        "transaction_id": _new_id("txn_"),
        "player_email": "player@example.com",
        "currency_name": "Gold",
        "new_balance": "4200.00",
    }
    if event_type.startswith("purchase."):
        return {**common, **_purchase_sample()}
    if event_type == "item.purchased":
        return {**common, **_item_sample()}
    if event_type.startswith("transfer."):
        # Transfer events carry no player email (webhook-events §1.3).
        return {"transaction_id": common["transaction_id"], **_transfer_sample(event_type)}
    if event_type == "balance.updated":
        return {**common, "identity_id": _new_id("idn_"), "reason": "purchase"}
    return common


def event_body(
    event_type: str, data: Mapping[str, Any], **envelope: Optional[str]
) -> dict[str, Any]:
    """The event envelope INVO posts.

    ``envelope`` may set ``event_id`` and ``idempotency_key`` (default: fresh UUIDs),
    ``tenant_id`` (``"1"``), ``created_at`` (now) and ``schema_version`` (``"1.0"``).
    """
    unknown = set(envelope) - {"event_id", "idempotency_key", "tenant_id", "created_at",
                               "schema_version"}
    if unknown:
        raise TypeError(f"unknown envelope fields: {sorted(unknown)}")
    return {
        "event_id": envelope.get("event_id") or str(uuid.uuid4()),
        "idempotency_key": envelope.get("idempotency_key") or str(uuid.uuid4()),
        "event_type": event_type,
        "schema_version": envelope.get("schema_version") or "1.0",
        "created_at": envelope.get("created_at") or format_created_at(time.time()),
        "tenant_id": envelope.get("tenant_id") or "1",
        "data": dict(data),
    }


@dataclass(frozen=True)
class WebhookDelivery:
    """One delivery, ready to POST: ``body`` and ``headers`` as the sandbox sends them.

    Attributes:
        body: The request body on the wire (gzip-compressed when built with ``gzip=True``).
        headers: ``Content-Type``, ``X-Invo-Signature``, ``X-Invo-Idempotency-Key``,
            ``X-Invo-Event-Id``, ``X-Invo-Event-Type``, ``X-Invo-Secret-Version``,
            ``X-Invo-Delivery-Attempt`` and, for gzip, ``Content-Encoding``.
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


def _text_field(payload: Optional[Mapping[str, Any]], key: str) -> Optional[str]:
    value = payload.get(key) if payload is not None else None
    return value if isinstance(value, str) else None


def build_delivery(
    payload: Union[Mapping[str, Any], bytes],
    *,
    secrets: Sequence[str],
    timestamp: int,
    secret_version: int = 1,
    gzip: bool = False,
    attempt: int = 1,
) -> WebhookDelivery:
    """Sign ``payload`` (an envelope, or raw bytes signed verbatim) and build its headers.

    The JSON is compact UTF-8; the signature has one ``v1=`` per secret, in order, and covers
    the uncompressed bytes; gzip uses ``mtime=0`` so the same input gives the same bytes.
    """
    body_obj: Optional[dict[str, Any]] = None
    if isinstance(payload, (bytes, bytearray)):
        signed = bytes(payload)
    else:
        body_obj = dict(payload)
        signed = json.dumps(body_obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "X-Invo-Signature": format_signature_header(
            timestamp, [compute_signature(s, timestamp, signed) for s in secrets]
        ),
        "X-Invo-Idempotency-Key": _text_field(body_obj, "idempotency_key") or str(uuid.uuid4()),
        "X-Invo-Event-Id": _text_field(body_obj, "event_id") or str(uuid.uuid4()),
        "X-Invo-Event-Type": _text_field(body_obj, "event_type") or "",
        "X-Invo-Secret-Version": str(secret_version),
        "X-Invo-Delivery-Attempt": str(attempt),
    }
    wire = signed
    if gzip:
        wire = _gzip.compress(signed, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return WebhookDelivery(wire, headers, body_obj, signed, timestamp)


_Origin = tuple[str, str, Optional[int]]


class _OneWrite:
    """Sends a whole request (head and body) in one write.

    ``http.client`` writes the head and the body with two ``send`` calls; two small segments
    per request cost the receiver an extra wake-up (and, without ``TCP_NODELAY``, a delayed-ACK
    wait). While :meth:`request_in_one_write` runs, ``send`` only collects.
    """

    _held: Optional[list[bytes]] = None

    def send(self, data: Any) -> None:
        if self._held is not None and isinstance(data, (bytes, bytearray)):
            self._held.append(bytes(data))
            return
        super().send(data)  # type: ignore[misc]

    def request_in_one_write(
        self, method: str, path: str, body: bytes, headers: dict[str, str]
    ) -> None:
        """``request()``, with everything it writes leaving in one ``sendall``."""
        self._held = []
        try:
            self.request(method, path, body=body, headers=headers)  # type: ignore[attr-defined]
        finally:
            held, self._held = self._held, None
        super().send(b"".join(held))  # type: ignore[misc]


class _HTTP(_OneWrite, http.client.HTTPConnection):
    pass


class _HTTPS(_OneWrite, http.client.HTTPSConnection):
    pass


class DeliveryClient:
    """Posts deliveries over kept-alive connections, one per origin, with ``TCP_NODELAY``.

    Not thread-safe: one client per delivering thread. A kept-alive connection the receiver
    closed in the meantime is replaced and the POST sent once more on a fresh one, but only
    when the failure came before any byte of an answer (webhooks are at-least-once anyway).
    """

    def __init__(self, *, user_agent: str, timeout: float = 10.0) -> None:
        self.user_agent = user_agent
        self.timeout = timeout
        self._conns: dict[_Origin, Union[_HTTP, _HTTPS]] = {}

    def close(self) -> None:
        """Close every kept-alive connection."""
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def post(self, url: str, delivery: WebhookDelivery) -> tuple[Optional[int], Optional[str]]:
        """POST once: ``(status, None)`` on a 2xx, ``(status, "HTTP n")`` or ``(None, why)``."""
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            origin: _Origin = (parts.scheme, parts.hostname or "", parts.port)
        except ValueError as exc:
            return None, f"bad target URL: {exc}"
        headers = {**delivery.headers, "User-Agent": self.user_agent}
        reused = origin in self._conns
        status, error, retry = self._post_once(origin, path, delivery.body, headers)
        if retry and reused:
            status, error, _ = self._post_once(origin, path, delivery.body, headers)
        return status, error

    def _connection(self, origin: _Origin) -> Union[_HTTP, _HTTPS]:
        conn = self._conns.get(origin)
        if conn is None:
            scheme, host, port = origin
            cls = _HTTPS if scheme == "https" else _HTTP
            conn = cls(host, port, timeout=self.timeout)
            conn.connect()
            with contextlib.suppress(OSError):
                if conn.sock is not None:
                    conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conns[origin] = conn
        return conn

    def _drop(self, origin: _Origin) -> None:
        conn = self._conns.pop(origin, None)
        if conn is not None:
            conn.close()

    def _post_once(
        self, origin: _Origin, path: str, body: bytes, headers: dict[str, str]
    ) -> tuple[Optional[int], Optional[str], bool]:
        """``(status, error, stale)``; ``stale`` when the connection died before an answer."""
        try:
            conn = self._connection(origin)
            conn.request_in_one_write("POST", path, body, headers)
            response = conn.getresponse()
        except (socket.timeout, TimeoutError):
            self._drop(origin)
            return None, "timed out", False
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            self._drop(origin)
            return None, _describe(exc), True
        except (OSError, ValueError, http.client.HTTPException) as exc:
            self._drop(origin)
            return None, _describe(exc), False
        try:
            response.read(_MAX_RESPONSE_BYTES)
        except (OSError, http.client.HTTPException):
            self._drop(origin)
        if response.will_close or not response.isclosed():
            self._drop(origin)
        status = response.status
        return status, None if 200 <= status < 300 else f"HTTP {status}", False


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
