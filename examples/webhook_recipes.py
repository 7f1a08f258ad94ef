"""Webhook recipes from ``docs/webhooks.md``: verify, the store protocol, process once.

``docs/webhooks.md`` includes this file piece by piece. ``tests/examples/test_doc_recipes.py``
calls the functions and checks that the restated protocol and defaults match the SDK.
"""

from __future__ import annotations

from typing import Callable, Optional, Protocol, Union

from invonetwork import webhooks
from invonetwork.webhooks import WebhookEvent, deduplicate, verify_webhook


# --8<-- [start:verify]
def verify_with_every_argument(
    raw_body: Union[bytes, bytearray, str],
    signature_header: Optional[str],
    secret_or_secrets: Union[str, list[str]],
) -> WebhookEvent:
    """``verify_webhook`` with every keyword argument spelled out at its default."""
    return verify_webhook(
        raw_body,              # bytes, bytearray, or str (encoded as UTF-8)
        signature_header,      # the X-Invo-Signature value, or None
        secret_or_secrets,     # "secret" or ["new", "old"]; empty strings are ignored
        tolerance_seconds=300,  # replay window, both directions; exactly 300 s still passes
        now=None,              # unix seconds; defaults to time.time() (inject it in tests)
        content_encoding=None,  # the Content-Encoding header; "gzip" (any case) inflates first
        max_body_bytes=5 * 1024 * 1024,   # cap on the body, after decompression
    )
# --8<-- [end:verify]


# The protocol as ``invonetwork.webhooks`` defines it, restated for the docs; the test (and
# mypy, through ``as_sdk_store`` below) check that the two agree.
# --8<-- [start:protocol]
class IdempotencyStore(Protocol):
    def claim(self, key: str) -> bool: ...   # True for the one caller that got there first
    def release(self, key: str) -> None: ...  # forget the key, so the retry is processed
# --8<-- [end:protocol]


def as_sdk_store(store: IdempotencyStore) -> webhooks.IdempotencyStore:
    """Any store of the restated protocol is a store of the SDK's (mypy checks this line)."""
    return store


# --8<-- [start:deduplicate]
def process_once(
    store: IdempotencyStore, event: WebhookEvent, handle: Callable[[WebhookEvent], None]
) -> None:
    """Run ``handle`` for the first delivery of the event only."""
    with deduplicate(store, event.idempotency_key) as first:
        if first:
            handle(event)     # an exception here releases the key and propagates (answer 5xx)
# --8<-- [end:deduplicate]
