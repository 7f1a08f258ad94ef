"""The INVO webhook signature scheme, in one place: HMAC-SHA256 over ``b"<t>." + body``."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

__all__ = ["compute_signature", "format_signature_header"]


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}."`` followed by the raw body, keyed by ``secret``."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b".", hashlib.sha256)
    mac.update(body)
    return mac.hexdigest()


def format_signature_header(timestamp: int, signatures: Iterable[str]) -> str:
    """The ``X-Invo-Signature`` value: ``t=<timestamp>,v1=<sig>[,v1=<sig>...]``."""
    return ",".join([f"t={timestamp}", *(f"v1={sig}" for sig in signatures)])
