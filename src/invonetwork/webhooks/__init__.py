"""Receive INVO webhooks: verify, parse, and process each event once.

Standard library only: importing this package does not import ``requests`` or the HTTP
client, so a webhook-only service stays light.

::

    from invonetwork.webhooks import InMemoryIdempotencyStore, deduplicate, verify_webhook

    store = InMemoryIdempotencyStore()

    def receive(raw_body: bytes, headers: Mapping[str, str]) -> int:
        try:
            event = verify_webhook(
                raw_body,                                   # the RAW bytes, never parsed JSON
                headers.get("X-Invo-Signature"),
                [current_secret, previous_secret],          # during a rotation
                content_encoding=headers.get("Content-Encoding"),
            )
        except WebhookVerificationError:
            return 400
        with deduplicate(store, event.idempotency_key) as first:
            if first:
                handle(event)
        return 200

Or, in one call that does all of the above and says what to answer::

    reply = receive_webhook(raw_body, headers, [current_secret, previous_secret],
                            store=store, handler=handle)
    return reply.text, reply.status

See ``docs/webhooks.md`` for the receiver checklist, rotation, and the limits enforced.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._events import EventType, ItemPurchasedData, PurchaseCompletedData, WebhookEvent
from ._gzip import DEFAULT_MAX_BODY_BYTES, decompress_webhook_body
from ._verify import (
    DEFAULT_TOLERANCE_SECONDS,
    MAX_SIGNATURE_HEADER_LENGTH,
    MAX_SIGNATURES,
    verify_webhook,
    verify_webhook_signature,
)

if TYPE_CHECKING:
    from ._idempotency import (
        IdempotencyStore,
        InMemoryIdempotencyStore,
        SQLiteIdempotencyStore,
        deduplicate,
    )
    from ._receive import WebhookReply, receive_webhook

_IDEMPOTENCY = frozenset(
    {"IdempotencyStore", "InMemoryIdempotencyStore", "SQLiteIdempotencyStore", "deduplicate"}
)
_RECEIVE = frozenset({"WebhookReply", "receive_webhook"})


def __getattr__(name: str) -> Any:
    # The dedupe stores and receive_webhook load on first use: verify-only code skips them.
    if name in _IDEMPOTENCY:
        from . import _idempotency

        value = getattr(_idempotency, name)
        globals()[name] = value
        return value
    if name in _RECEIVE:
        from . import _receive

        value = getattr(_receive, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'invonetwork.webhooks' has no attribute {name!r}")


__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_TOLERANCE_SECONDS",
    "MAX_SIGNATURES",
    "MAX_SIGNATURE_HEADER_LENGTH",
    "EventType",
    "IdempotencyStore",
    "InMemoryIdempotencyStore",
    "ItemPurchasedData",
    "PurchaseCompletedData",
    "SQLiteIdempotencyStore",
    "WebhookEvent",
    "WebhookReply",
    "decompress_webhook_body",
    "deduplicate",
    "receive_webhook",
    "verify_webhook",
    "verify_webhook_signature",
]
