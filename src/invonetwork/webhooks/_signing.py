"""The INVO webhook signature scheme, in one place: HMAC-SHA256 over ``b"<t>." + body``.

Signing (:func:`compute_signature`, used by :mod:`invonetwork.testing` and the sandbox) and
verification (:mod:`invonetwork.webhooks._verify`) both go through :func:`signature_mac`,
so the two sides cannot drift apart.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from collections.abc import Iterable
from typing import Union

__all__ = [
    "compute_signature",
    "format_signature_header",
    "secret_mac",
    "signature_digest",
    "signature_mac",
]

BytesLike = Union[bytes, bytearray, memoryview]


def signature_mac(key: bytes, timestamp_text: str, body: BytesLike) -> hmac.HMAC:
    """The HMAC-SHA256 of ``f"{timestamp_text}."`` followed by ``body``, keyed by ``key``.

    ``timestamp_text`` is the timestamp exactly as it appears in the header (ASCII digits).
    The body is fed to the MAC as a second update, never concatenated, so a large body is not
    copied.
    """
    mac = _keyed_mac(key).copy()
    mac.update(timestamp_text.encode("ascii") + b".")
    mac.update(body)
    return mac


def secret_mac(secret: str, timestamp_text: str, body: BytesLike) -> hmac.HMAC:
    """:func:`signature_mac` keyed by ``secret`` encoded as UTF-8 (the INVO convention)."""
    mac = _keyed_mac_for_secret(secret).copy()
    mac.update(timestamp_text.encode("ascii") + b".")
    mac.update(body)
    return mac


# The HMAC state right after the key is absorbed. Copying it skips re-deriving the key pads
# on every delivery (about a fifth of the cost of verifying a 1 KB body). Never exposed,
# never printed: lru_cache reports hit counts, not its keys. 16 entries: a few secrets
# during rotations, in a process that verifies for a handful of games.


@functools.lru_cache(maxsize=16)
def _keyed_mac(key: bytes) -> hmac.HMAC:
    return hmac.new(key, digestmod=hashlib.sha256)


@functools.lru_cache(maxsize=16)
def _keyed_mac_for_secret(secret: str) -> hmac.HMAC:
    return _keyed_mac(secret.encode("utf-8"))


def signature_digest(key: bytes, timestamp_text: str, body: BytesLike) -> bytes:
    """Raw 32-byte digest of :func:`signature_mac`."""
    return signature_mac(key, timestamp_text, body).digest()


def compute_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Hex HMAC-SHA256 of ``f"{timestamp}."`` followed by the raw body, keyed by ``secret``."""
    return secret_mac(secret, str(timestamp), body).hexdigest()


def format_signature_header(timestamp: int, signatures: Iterable[str]) -> str:
    """The ``X-Invo-Signature`` value: ``t=<timestamp>,v1=<sig>[,v1=<sig>...]``."""
    return ",".join([f"t={timestamp}", *(f"v1={sig}" for sig in signatures)])
