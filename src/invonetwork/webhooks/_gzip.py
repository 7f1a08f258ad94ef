"""Bounded gzip decompression for webhook bodies (``Content-Encoding: gzip``).

A gzip "bomb" is a few kilobytes that inflate to gigabytes. Decompression here is
incremental with an output cap, so it stops at ``max_bytes + 1`` bytes of output and never
holds more than that, whatever the compression ratio.
"""

from __future__ import annotations

import zlib
from typing import Union

from ._common import (
    BODY_TOO_LARGE,
    MALFORMED,
    describe,
    invalid_argument,
    type_name,
    webhook_error,
)

__all__ = ["DEFAULT_MAX_BODY_BYTES", "check_max_bytes", "decompress_webhook_body"]

#: Default cap on a webhook body, after decompression: 5 MiB.
DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024

# Output produced per decompress() call.
_STEP = 64 * 1024
# Members of a multi-member gzip stream we accept before calling it hostile.
_MAX_MEMBERS = 16


def check_max_bytes(max_bytes: object) -> int:
    """Validate a size cap: a positive ``int`` (not ``bool``); else ``INVALID_INPUT``."""
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise invalid_argument(f"max_bytes must be a positive int, got {describe(max_bytes)}")
    return max_bytes


def _too_large(max_bytes: int, what: str) -> Exception:
    return webhook_error(
        BODY_TOO_LARGE, f"the webhook body {what} more than the {max_bytes}-byte limit"
    )


def decompress_webhook_body(
    raw: Union[bytes, bytearray], *, max_bytes: int = DEFAULT_MAX_BODY_BYTES
) -> bytes:
    """Inflate a gzip-encoded webhook body, refusing to produce more than ``max_bytes``.

    Args:
        raw: The request body exactly as received (``bytes`` or ``bytearray``).
        max_bytes: Largest decompressed size accepted (default 5 MiB).

    Returns:
        The decompressed bytes: the bytes the signature covers.

    Raises:
        WebhookVerificationError: ``WEBHOOK_BODY_TOO_LARGE`` when the compressed input or
            its output exceeds ``max_bytes`` (detected without inflating past the cap);
            ``WEBHOOK_MALFORMED`` when ``raw`` is not bytes, not gzip, corrupt, or truncated.
        InvalidInputError: ``INVALID_INPUT`` when ``max_bytes`` is not a positive ``int``.
    """
    limit = check_max_bytes(max_bytes)
    if not isinstance(raw, (bytes, bytearray)):
        raise webhook_error(
            MALFORMED, f"a gzip webhook body must be bytes or bytearray, not {type_name(raw)}"
        )
    if len(raw) > limit:
        raise _too_large(limit, "is compressed to")
    if not raw:
        raise webhook_error(MALFORMED, "the gzip webhook body is empty")
    chunks: list[bytes] = []
    total = 0
    pending: bytes = bytes(raw)
    members = 0
    try:
        while pending:
            members += 1
            if members > _MAX_MEMBERS:
                raise webhook_error(MALFORMED, "the gzip webhook body has too many members")
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            while not inflater.eof:
                # Small steps, never past one byte over the cap: a bomb stops right there,
                # having cost at most the cap plus one step of memory.
                want = min(_STEP, limit + 1 - total)
                chunk = inflater.decompress(pending, want)
                total += len(chunk)
                if total > limit:
                    raise _too_large(limit, "inflates to")
                if chunk:
                    chunks.append(chunk)
                pending = inflater.unconsumed_tail
                if not pending and len(chunk) < want:
                    break  # all input used and nothing more to output: stream truncated?
            if not inflater.eof:
                raise webhook_error(MALFORMED, "the gzip webhook body is truncated")
            pending = inflater.unused_data
    except zlib.error:
        failed = True
    else:
        failed = False
    if failed:  # raised outside the except block so no zlib detail is chained
        raise webhook_error(MALFORMED, "the webhook body is not valid gzip")
    return b"".join(chunks)
