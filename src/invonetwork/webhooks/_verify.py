"""Webhook verification: header parsing, the replay window, HMAC check, then JSON.

The order of checks is the wire contract's, and each failure has its own code (all raised as
:class:`~invonetwork.errors.WebhookVerificationError`, status 0):

1. no header                                     -> ``WEBHOOK_SIGNATURE_MISSING``
2. no non-empty secret                           -> ``WEBHOOK_SECRET_MISSING``
3. no ``t`` or no ``v1`` (or a hostile header)   -> ``WEBHOOK_MALFORMED``
4. ``t`` not a number, or outside the tolerance  -> ``WEBHOOK_TIMESTAMP_EXPIRED``
5. (gzip bodies) too large / not gzip            -> ``WEBHOOK_BODY_TOO_LARGE`` / ``_MALFORMED``
6. no ``v1`` matches any secret                  -> ``WEBHOOK_SIGNATURE_INVALID``
7. verified body not an object with ``event_type`` -> ``WEBHOOK_MALFORMED``

Nothing here ever formats a secret into a message; errors are raised outside ``except``
blocks, so no chained exception carries secret material; and no frame an error passes
through holds a secret in a local variable (see :class:`_Sealed`), so error trackers that
record locals do not pick it up.
"""

from __future__ import annotations

import hmac
import json
import math
import re
import time
from collections.abc import Sequence
from typing import Any, Optional, Union

from ..errors import WebhookVerificationError
from ._common import (
    BODY_TOO_LARGE,
    MALFORMED,
    SECRET_MISSING,
    SIGNATURE_INVALID,
    SIGNATURE_MISSING,
    TIMESTAMP_EXPIRED,
    describe,
    invalid_argument,
    type_name,
    webhook_error,
)
from ._events import WebhookEvent
from ._gzip import DEFAULT_MAX_BODY_BYTES, check_max_bytes, decompress_webhook_body
from ._signing import secret_mac

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "MAX_SIGNATURES",
    "MAX_SIGNATURE_HEADER_LENGTH",
    "RawBody",
    "Secrets",
    "verify_webhook",
    "verify_webhook_signature",
]

#: Default replay window, in seconds, in both directions (past and future).
DEFAULT_TOLERANCE_SECONDS = 300
#: Longest ``X-Invo-Signature`` value accepted; longer is ``WEBHOOK_MALFORMED``.
MAX_SIGNATURE_HEADER_LENGTH = 4096
#: Most ``v1=`` values accepted in one header; more is ``WEBHOOK_MALFORMED``.
MAX_SIGNATURES = 16

RawBody = Union[bytes, bytearray, str]
Secrets = Union[str, Sequence[str]]

# A hex SHA-256 digest. Checked before bytes.fromhex, which would also accept spaces.
_HEX_SIGNATURE = re.compile(r"[0-9a-fA-F]{64}")
# Unix seconds as ASCII digits, optionally with a fraction. float() alone would also take
# "nan", "1_0", " 1", "1e3" and non-ASCII digits, none of which can be signed consistently.
_TIMESTAMP = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,9})?")
_IDENTITY_ENCODINGS = frozenset({"", "identity"})
_GZIP_ENCODINGS = frozenset({"gzip", "x-gzip"})
_NOT_JSON: Any = object()
# Bound on ``now`` (about 31 million years): keeps huge ints from overflowing float arithmetic.
_MAX_NOW = 1e15
# Said by every error about the header's shape.
_EXPECTED_FORM = "expected 't=<unix seconds>,v1=<hex>'"


class _Sealed:
    """Holds the caller's secrets so that no frame on an error's traceback holds them.

    Error trackers (Sentry, Django's debug page, ``traceback`` with ``capture_locals``)
    record the ``repr`` of every local of every frame a raised error passed through. The
    public functions wrap their secrets argument in this box and delete the argument; only
    helper functions that have returned before anything is raised ever unwrap it.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<redacted>"


def _secret_problem(sealed: _Sealed) -> Optional[str]:
    """Why the secrets are unusable (``WEBHOOK_SECRET_MISSING``), or ``None``. Never raises."""
    value = sealed.value
    if isinstance(value, str):
        candidates: Sequence[Any] = (value,)
    elif isinstance(value, (list, tuple)):
        candidates = value
    elif value is None:
        candidates = ()
    else:
        return f"secret_or_secrets must be a str or a list/tuple of str, not {type_name(value)}"
    usable = False
    for index, secret in enumerate(candidates):
        if secret is None:  # an unset rotation slot, e.g. os.environ.get("OLD_SECRET")
            continue
        if not isinstance(secret, str):
            return f"secret #{index} is a {type_name(secret)}, not a str"
        if secret:
            try:
                secret.encode("utf-8")
            except UnicodeEncodeError:  # lone surrogates; the error text would quote them
                return f"secret #{index} is not encodable as UTF-8"
            usable = True
    return None if usable else "no non-empty webhook signing secret was given"


def _signature_matches(
    sealed: _Sealed, timestamp: str, body: Union[bytes, bytearray], signatures: list[bytes]
) -> bool:
    """Whether any secret's MAC equals any signature (constant-time compare, as bytes).

    The secrets were validated by :func:`_secret_problem`. Keys and digests live only in
    this frame, which has returned before the caller raises ``WEBHOOK_SIGNATURE_INVALID``.
    """
    value = sealed.value
    for secret in (value,) if type(value) is str else value:
        if secret:
            digest = secret_mac(secret, timestamp, body).digest()
            for candidate in signatures:
                if hmac.compare_digest(digest, candidate):
                    return True
    return False


def _check_options(
    tolerance_seconds: Any, now: Any, content_encoding: Any, max_body_bytes: Any
) -> None:
    """Raise ``INVALID_INPUT`` for an option of the wrong type or range (slow path)."""
    if (
        isinstance(tolerance_seconds, bool)
        or not isinstance(tolerance_seconds, (int, float))
        or not tolerance_seconds >= 0  # also rejects NaN
        or tolerance_seconds == math.inf
    ):
        raise invalid_argument(
            f"tolerance_seconds must be a finite number >= 0, got {describe(tolerance_seconds)}"
        )
    if now is not None and (
        isinstance(now, bool) or not isinstance(now, (int, float)) or not -_MAX_NOW < now < _MAX_NOW
    ):
        raise invalid_argument(f"now must be unix seconds (a finite number), got {describe(now)}")
    if content_encoding is not None and not isinstance(content_encoding, str):
        raise invalid_argument(
            f"content_encoding must be a str or None, not {type_name(content_encoding)}"
        )
    check_max_bytes(max_body_bytes)


def _shape_problem(header: str, missing: str) -> str:
    """The message for a header without ``t=`` or ``v1=``: what is wrong, what is expected.

    The header is described, never quoted.
    """
    text = f"the X-Invo-Signature header has {missing} ({_EXPECTED_FORM})"
    if "=" not in header:
        return (f"{text}; the value has no '=' at all: is it another header's value, such as "
                "the X-Invo-Idempotency-Key?")
    name = header.partition("=")[0].strip().lower()
    if name in ("sha256", "sha1", "v0", "signature", "s"):
        return f"{text}; it looks like another service's signature format ({name}=...)"
    return text


def _secret_kind_hint(sealed: _Sealed) -> str:
    """A hint when a secret given to verify is visibly not a webhook signing secret.

    Only the kind is named, never the secret; this frame has returned before any raise.
    """
    value = sealed.value
    candidates = (value,) if isinstance(value, str) else value
    for secret in candidates:
        if isinstance(secret, str):
            if secret.startswith("ivsdk_"):
                return ("; a secret you passed starts with 'ivsdk_': that is the game secret, "
                        "but deliveries are signed with the webhook signing secret (whsec_...) "
                        "returned when the endpoint was registered")
            if secret.startswith(("sk_live_", "sk_test_")):
                return ("; a secret you passed starts with 'sk_', a payment processor's key: "
                        "pass the INVO webhook signing secret (whsec_...)")
    return ""


def _parse_header(header: str) -> tuple[str, list[bytes]]:
    """General parser: the ``t`` text and the well-formed ``v1`` values, as 32-byte digests.

    Raises ``WEBHOOK_MALFORMED`` for an over-long header, two ``t`` parts, no ``t``, no
    ``v1``, or too many ``v1``. A ``v1`` value that is not 64 hex digits is left out of the
    result (it cannot match). Digests are compared as bytes, so a hostile non-ASCII value
    never reaches ``compare_digest`` (which raises ``TypeError`` on non-ASCII ``str``).
    """
    if len(header) > MAX_SIGNATURE_HEADER_LENGTH:
        raise webhook_error(
            MALFORMED,
            f"the X-Invo-Signature header is longer than {MAX_SIGNATURE_HEADER_LENGTH} chars "
            f"({_EXPECTED_FORM})",
        )
    timestamp: Optional[str] = None
    signatures: list[bytes] = []
    count = 0
    for part in header.split(","):
        name, has_value, value = part.partition("=")
        if not has_value:
            continue
        name = name.strip()
        if name == "v1":
            value = value.strip()
            if value:
                count += 1
                if _HEX_SIGNATURE.fullmatch(value):
                    signatures.append(bytes.fromhex(value))
        elif name == "t":
            if timestamp is not None:
                raise webhook_error(
                    MALFORMED, f"the X-Invo-Signature header has two t= parts ({_EXPECTED_FORM})"
                )
            timestamp = value.strip()
    if not timestamp:
        raise webhook_error(MALFORMED, _shape_problem(header, "no t= timestamp"))
    if not count:
        raise webhook_error(MALFORMED, _shape_problem(header, "no v1= signature"))
    if count > MAX_SIGNATURES:
        raise webhook_error(
            MALFORMED,
            f"the X-Invo-Signature header has more than {MAX_SIGNATURES} signatures "
            f"({_EXPECTED_FORM}, one v1= per active secret)",
        )
    return timestamp, signatures


def _body_bytes(raw_body: Any) -> Union[bytes, bytearray]:
    """The body as bytes (``str`` encoded as UTF-8); ``WEBHOOK_MALFORMED`` for other types."""
    if isinstance(raw_body, (bytes, bytearray)):
        return raw_body
    if isinstance(raw_body, str):
        try:
            return raw_body.encode("utf-8")
        except UnicodeEncodeError:
            pass
        raise webhook_error(MALFORMED, "the webhook body is a str that is not valid UTF-8")
    raise webhook_error(
        MALFORMED,
        "raw_body must be the raw request body (bytes, bytearray or str), "
        f"not {type_name(raw_body)}; parsed JSON cannot be verified",
    )


def _verified_body(
    raw_body: Any,
    signature_header: Any,
    sealed: _Sealed,
    tolerance_seconds: Any,
    now: Any,
    content_encoding: Any,
    max_body_bytes: Any,
) -> Union[bytes, bytearray, str]:
    """Checks 1 to 6; returns what to parse (the str body itself when given a str)."""
    # The options. Fast path for the usual types; the slow path explains what is wrong.
    if not (
        (type(tolerance_seconds) is int or type(tolerance_seconds) is float)
        and 0 <= tolerance_seconds < math.inf
        and type(max_body_bytes) is int
        and max_body_bytes > 0
        and (content_encoding is None or type(content_encoding) is str)
        and (
            now is None or ((type(now) is int or type(now) is float) and -_MAX_NOW < now < _MAX_NOW)
        )
    ):
        _check_options(tolerance_seconds, now, content_encoding, max_body_bytes)
    current = time.time() if now is None else now

    # 1. The header must be there.
    header = _header_text(signature_header)

    # 2. At least one usable secret (fast path: one non-empty ASCII str). Nothing here binds
    #    a secret to a local name: see _Sealed.
    if not (type(sealed.value) is str and sealed.value and sealed.value.isascii()):
        problem = _secret_problem(sealed)
        if problem is not None:
            raise webhook_error(SECRET_MISSING, problem)

    # 3. The header's shape, and the body's type.
    if type(header) is not str:
        raise webhook_error(
            MALFORMED, f"the X-Invo-Signature header must be a str, not {type_name(header)}"
        )
    canonical, timestamp, signatures = _split_header(header)
    body = raw_body if type(raw_body) is bytes else _body_bytes(raw_body)

    # 4. The replay window, both directions.
    _check_window(canonical, timestamp, current, tolerance_seconds)

    # 5. The body's encoding and size.
    decompressed, body = _decoded_body(body, content_encoding, max_body_bytes)

    # 6. Each secret's MAC against each well-formed v1 value, as bytes, in constant time.
    if signatures and _signature_matches(sealed, timestamp, body, signatures):
        return body if decompressed else raw_body
    raise _signature_failure(sealed, signatures)


def _header_text(signature_header: Any) -> Any:
    """The header as a plain ``str`` when it is text; missing or blank is refused here."""
    header: Any = signature_header
    if type(header) is not str:
        if isinstance(header, (bytes, bytearray)):
            header = bytes(header).decode("latin-1")  # some servers hand over raw bytes
        elif isinstance(header, str):
            header = str.__str__(header)  # a plain str, whatever the subclass overrides
    if header is None or (type(header) is str and (not header or header.isspace())):
        raise webhook_error(SIGNATURE_MISSING, "the X-Invo-Signature header is missing")
    return header


def _split_header(header: str) -> tuple[bool, str, list[bytes]]:
    """``(canonical, timestamp, signatures)`` of the header.

    Fast path for the header as INVO writes it, "t=<digits>,v1=<64 hex digits>": it yields
    exactly what _parse_header would. Anything else takes the general parser.
    """
    if header[:2] == "t=":
        timestamp, has_v1, signature = header[2:].partition(",v1=")
        if (
            has_v1 != ""
            and len(signature) == 64
            and 0 < len(timestamp) <= 15
            and timestamp.isdigit()
            and timestamp.isascii()
        ):
            try:
                digest = bytes.fromhex(signature)
            except ValueError:  # not hex: the general parser decides what it is
                digest = b""
            # fromhex skips spaces between pairs; 32 bytes from 64 chars means no spaces.
            if len(digest) == 32:
                return True, timestamp, [digest]
    timestamp, signatures = _parse_header(header)
    return False, timestamp, signatures


def _check_window(canonical: bool, timestamp: str, current: float, tolerance: float) -> None:
    if not canonical and not _TIMESTAMP.fullmatch(timestamp):
        raise webhook_error(
            TIMESTAMP_EXPIRED,
            f"the X-Invo-Signature timestamp is not a number of unix seconds ({_EXPECTED_FORM})",
        )
    skew = current - (int(timestamp) if canonical else float(timestamp))
    if skew > tolerance or -skew > tolerance:
        direction = "old" if skew > 0 else "in the future"
        raise webhook_error(
            TIMESTAMP_EXPIRED,
            f"the webhook timestamp is {abs(skew):.0f} s {direction} "
            f"(tolerance {tolerance} s): a replay, or a clock out of sync",
        )


def _decoded_body(
    body: Union[bytes, bytearray], content_encoding: Optional[str], max_body_bytes: int
) -> tuple[bool, Union[bytes, bytearray]]:
    """``(decompressed, body)``: gzip undone within the limit; size checked either way."""
    if content_encoding:
        encoding = content_encoding.strip().lower()
        if encoding in _GZIP_ENCODINGS:
            return True, decompress_webhook_body(body, max_bytes=max_body_bytes)
        if encoding not in _IDENTITY_ENCODINGS:
            raise webhook_error(
                MALFORMED, f"unsupported Content-Encoding {encoding[:40]!r} (gzip only)"
            )
    if len(body) > max_body_bytes:
        raise webhook_error(
            BODY_TOO_LARGE, f"the webhook body is larger than the {max_body_bytes}-byte limit"
        )
    return False, body


def _signature_failure(sealed: _Sealed, signatures: list[bytes]) -> WebhookVerificationError:
    if not signatures:
        return webhook_error(
            SIGNATURE_INVALID,
            "no X-Invo-Signature v1 value is a hex SHA-256 digest (64 hex digits; "
            f"{_EXPECTED_FORM})",
        )
    return webhook_error(
        SIGNATURE_INVALID,
        "no X-Invo-Signature v1 value matches the signing secret(s); verify the raw "
        "request bytes, not re-serialized JSON" + _secret_kind_hint(sealed),
    )


def verify_webhook_signature(
    raw_body: RawBody,
    signature_header: Optional[str],
    secret_or_secrets: Optional[Secrets],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Optional[float] = None,
    content_encoding: Optional[str] = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Union[bytes, bytearray, str]:
    """Run the checks of :func:`verify_webhook` up to the signature; return the signed body.

    The result is the body the signature covers: ``raw_body`` itself, or its decompressed
    bytes when ``content_encoding`` is gzip. Nothing is parsed: use this to parse the JSON
    yourself; otherwise call :func:`verify_webhook`. Same arguments and errors, minus the
    final JSON check.
    """
    sealed = _Sealed(secret_or_secrets)
    del secret_or_secrets  # from here on only the sealed box: see _Sealed
    return _verified_body(
        raw_body,
        signature_header,
        sealed,
        tolerance_seconds,
        now,
        content_encoding,
        max_body_bytes,
    )


def verify_webhook(
    raw_body: RawBody,
    signature_header: Optional[str],
    secret_or_secrets: Optional[Secrets],
    *,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
    now: Optional[float] = None,
    content_encoding: Optional[str] = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> WebhookEvent:
    """Verify an INVO webhook delivery and return its event.

    Args:
        raw_body: The request body exactly as received: ``bytes``, ``bytearray`` or ``str``
            (encoded as UTF-8). Never a re-serialized object: Flask
            ``request.get_data()``, FastAPI ``await request.body()``, Django
            ``request.body``.
        signature_header: The ``X-Invo-Signature`` header value,
            ``t=<unix seconds>,v1=<hex>[,v1=<hex>...]``. ``None`` or blank means missing.
        secret_or_secrets: The signing secret, or several (a list or tuple) while a rotation
            is under way. Empty strings are ignored. Every ``v1`` value is tried against
            every secret.
        tolerance_seconds: Largest accepted distance between ``t`` and now, both ways
            (default 300). Exactly ``tolerance_seconds`` is still accepted.
        now: The current time in unix seconds (default ``time.time()``); for tests.
        content_encoding: The ``Content-Encoding`` header. ``"gzip"`` (any case) inflates the
            body first; the signature covers the decompressed bytes.
        max_body_bytes: Largest body accepted, after decompression (default 5 MiB).

    Returns:
        The :class:`WebhookEvent`. JSON is parsed only after the signature holds.

    Raises:
        WebhookVerificationError: on any verification failure (status 0), with the codes
            ``WEBHOOK_SIGNATURE_MISSING``, ``WEBHOOK_SECRET_MISSING``, ``WEBHOOK_MALFORMED``,
            ``WEBHOOK_TIMESTAMP_EXPIRED``, ``WEBHOOK_BODY_TOO_LARGE``,
            ``WEBHOOK_SIGNATURE_INVALID`` (checked in that order; a body that is not a JSON
            object with a string ``event_type`` is ``WEBHOOK_MALFORMED`` last).
        InvalidInputError: ``INVALID_INPUT`` when ``tolerance_seconds``, ``now``,
            ``content_encoding`` or ``max_body_bytes`` has the wrong type or range.
    """
    sealed = _Sealed(secret_or_secrets)
    del secret_or_secrets  # from here on only the sealed box: see _Sealed
    body = _verified_body(
        raw_body,
        signature_header,
        sealed,
        tolerance_seconds,
        now,
        content_encoding,
        max_body_bytes,
    )
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        payload = _NOT_JSON
    if payload is _NOT_JSON:
        raise webhook_error(MALFORMED, "the verified webhook body is not valid JSON")
    return WebhookEvent.from_payload(payload)
