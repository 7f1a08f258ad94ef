"""gzip-encoded deliveries and the decompression cap (bombs)."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from typing import Any

import pytest

from invonetwork.errors import InvalidInputError, InvoError, WebhookVerificationError
from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    DEFAULT_MAX_BODY_BYTES,
    decompress_webhook_body,
    verify_webhook,
    verify_webhook_signature,
)
from invonetwork.webhooks._signing import compute_signature

SECRET = "whsec_gzip"
T = 1_700_000_000
MiB = 1024 * 1024


def bomb(inflated_size: int) -> bytes:
    """A gzip stream of ``inflated_size`` zero bytes, built without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(MiB)
    parts = [packer.compress(block) for _ in range(inflated_size // MiB)]
    parts.append(packer.flush())
    return b"".join(parts)


def test_default_cap_is_five_mib() -> None:
    assert DEFAULT_MAX_BODY_BYTES == 5_242_880


def test_gzip_delivery_verifies_against_the_decompressed_bytes() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, gzip=True,
                                      timestamp=T)
    assert delivery.headers["Content-Encoding"] == "gzip"
    assert delivery.body[:2] == b"\x1f\x8b"
    assert gzip.decompress(delivery.body) == delivery.signed_body
    event = verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T,
                           content_encoding="gzip")
    assert event.event_type == "purchase.completed"
    assert event.raw == delivery.payload


@pytest.mark.parametrize("encoding", ["gzip", "GZIP", " gzip ", "x-gzip"])
def test_encoding_names(encoding: str) -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, gzip=True, timestamp=T)
    assert verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T,
                          content_encoding=encoding)


def test_signature_over_the_compressed_bytes_is_rejected() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, gzip=True, timestamp=T)
    wrong = f"t={T},v1={compute_signature(SECRET, T, delivery.body)}"
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(delivery.body, wrong, SECRET, now=T, content_encoding="gzip")
    assert info.value.code == "WEBHOOK_SIGNATURE_INVALID"


def test_gzip_body_without_the_header_fails_signature() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, gzip=True, timestamp=T)
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T)
    assert info.value.code == "WEBHOOK_SIGNATURE_INVALID"


def test_verify_webhook_signature_returns_the_decompressed_body() -> None:
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, gzip=True, timestamp=T)
    body = verify_webhook_signature(delivery.body, delivery.signature_header, SECRET, now=T,
                                    content_encoding="gzip")
    assert body == delivery.signed_body


def test_multi_member_gzip_is_one_body() -> None:
    assert decompress_webhook_body(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"


def test_empty_gzip_member_is_an_empty_body() -> None:
    assert decompress_webhook_body(gzip.compress(b"")) == b""


@pytest.mark.parametrize(
    "raw",
    [
        b"not gzip at all",
        b"\x1f\x8b",  # magic only
        gzip.compress(b'{"event_type":"x"}')[:-6],  # truncated
        gzip.compress(b"abc") + b"trailing junk",
        zlib.compress(b"zlib, not gzip"),
        b"",
    ],
)
def test_garbage_gzip_is_malformed(raw: bytes) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(raw)
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert info.value.__context__ is None


def test_corrupt_crc_is_malformed() -> None:
    packed = bytearray(gzip.compress(b'{"event_type":"webhook.test"}'))
    packed[-8] ^= 0xFF  # CRC32 of the trailer
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(bytes(packed))
    assert info.value.code == "WEBHOOK_MALFORMED"


def test_garbage_gzip_through_verify_is_malformed() -> None:
    body = b"plain json, but the header says gzip"
    value = f"t={T},v1={compute_signature(SECRET, T, body)}"
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(body, value, SECRET, now=T, content_encoding="gzip")
    assert info.value.code == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("raw", ["a str", None, 5, memoryview(b"x")])
def test_decompress_wrong_type(raw: Any) -> None:
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(raw)
    assert info.value.code == "WEBHOOK_MALFORMED"


@pytest.mark.parametrize("cap", [0, -1, 1.5, True, "10", None])
def test_decompress_bad_cap(cap: Any) -> None:
    with pytest.raises(InvalidInputError):
        decompress_webhook_body(gzip.compress(b"x"), max_bytes=cap)


def test_exactly_at_the_cap_passes_one_more_byte_fails() -> None:
    payload = b"x" * 1000
    packed = gzip.compress(payload)
    assert decompress_webhook_body(packed, max_bytes=1000) == payload
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(packed, max_bytes=999)
    assert info.value.code == "WEBHOOK_BODY_TOO_LARGE"


def test_compressed_input_over_the_cap_is_refused_before_inflating() -> None:
    noise = bytes(range(256)) * 40
    packed = gzip.compress(noise, compresslevel=0)
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(packed, max_bytes=len(packed) - 1)
    assert info.value.code == "WEBHOOK_BODY_TOO_LARGE"
    assert "compressed" in info.value.message


def test_bomb_is_refused_without_allocating_past_the_cap() -> None:
    packed = bomb(256 * MiB)
    assert len(packed) < 300_000  # a small request...
    cap = 2 * MiB
    tracemalloc.start()
    try:
        with pytest.raises(WebhookVerificationError) as info:
            decompress_webhook_body(packed, max_bytes=cap)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "WEBHOOK_BODY_TOO_LARGE"
    assert "inflates" in info.value.message
    assert peak < cap + len(packed) + 512 * 1024, peak  # ...that never grew past the cap


def test_bomb_through_verify_with_the_default_cap() -> None:
    packed = bomb(64 * MiB)
    tracemalloc.start()
    try:
        with pytest.raises(WebhookVerificationError) as info:
            verify_webhook(packed, f"t={T},v1={'0' * 64}", SECRET, now=T,
                           content_encoding="gzip")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert info.value.code == "WEBHOOK_BODY_TOO_LARGE"
    assert peak < DEFAULT_MAX_BODY_BYTES + len(packed) + 512 * 1024, peak


def test_bomb_is_only_inflated_after_the_cheap_checks() -> None:
    packed = bomb(64 * MiB)
    with pytest.raises(InvoError) as info:
        verify_webhook(packed, f"t={T - 10_000},v1={'0' * 64}", SECRET, now=T,
                       content_encoding="gzip")
    assert info.value.code == "WEBHOOK_TIMESTAMP_EXPIRED"


def test_a_large_legitimate_body_under_the_cap_verifies() -> None:
    filler = "x" * (3 * MiB)
    delivery = build_webhook_delivery({"event_type": "webhook.test", "pad": filler},
                                      secret=SECRET, gzip=True, timestamp=T)
    event = verify_webhook(delivery.body, delivery.signature_header, SECRET, now=T,
                           content_encoding="gzip")
    assert event.raw["pad"] == filler


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 65_537, 3 * 65_536, MiB, 5 * MiB])
def test_highly_compressible_bodies_inflate_completely(size: int) -> None:
    # Zeros inflate from a few input bytes into many output steps: the loop must keep
    # draining zlib's pending output after the input is used up.
    payload = bytes(size)
    packed = gzip.compress(payload, compresslevel=9)
    assert decompress_webhook_body(packed) == payload


def test_cap_counts_all_members_together() -> None:
    packed = gzip.compress(b"a" * 600) + gzip.compress(b"b" * 600)
    assert decompress_webhook_body(packed, max_bytes=1200) == b"a" * 600 + b"b" * 600
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(packed, max_bytes=1199)
    assert info.value.code == "WEBHOOK_BODY_TOO_LARGE"


def test_too_many_members_is_malformed() -> None:
    packed = b"".join(gzip.compress(b"x") for _ in range(40))
    with pytest.raises(WebhookVerificationError) as info:
        decompress_webhook_body(packed)
    assert info.value.code == "WEBHOOK_MALFORMED"
