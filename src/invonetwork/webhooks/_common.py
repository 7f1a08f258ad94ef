"""Error codes and the error constructor shared by the webhook modules."""

from __future__ import annotations

from ..errors import InvalidInputError, WebhookVerificationError

__all__ = [
    "BODY_TOO_LARGE",
    "EVENT_TYPE_MISMATCH",
    "MALFORMED",
    "SECRET_MISSING",
    "SIGNATURE_INVALID",
    "SIGNATURE_MISSING",
    "TIMESTAMP_EXPIRED",
    "describe",
    "invalid_argument",
    "type_name",
    "webhook_error",
]

SIGNATURE_MISSING = "WEBHOOK_SIGNATURE_MISSING"
SECRET_MISSING = "WEBHOOK_SECRET_MISSING"  # noqa: S105 - an error code, not a secret
MALFORMED = "WEBHOOK_MALFORMED"
TIMESTAMP_EXPIRED = "WEBHOOK_TIMESTAMP_EXPIRED"
SIGNATURE_INVALID = "WEBHOOK_SIGNATURE_INVALID"
BODY_TOO_LARGE = "WEBHOOK_BODY_TOO_LARGE"
EVENT_TYPE_MISMATCH = "WEBHOOK_EVENT_TYPE_MISMATCH"


def webhook_error(code: str, message: str) -> WebhookVerificationError:
    """A :class:`WebhookVerificationError` (status 0). Never put a secret in ``message``."""
    return WebhookVerificationError(message, code=code, status=0)


def invalid_argument(message: str) -> InvalidInputError:
    """An ``INVALID_INPUT`` error for a caller's option that breaks a rule (status 0)."""
    return InvalidInputError(message, code="INVALID_INPUT", status=0)


def describe(value: object) -> str:
    """A short, safe description of a caller's option value for an error message.

    Numbers, booleans and ``None`` are shown (truncated); anything else only by type, so a
    hostile ``__repr__`` cannot raise or run long, and no text value (which might be a
    secret passed in the wrong place) is echoed.
    """
    if value is None or isinstance(value, (bool, float)):
        return repr(value)
    if isinstance(value, int):
        return repr(value) if -(10**30) < value < 10**30 else "a very large int"
    return f"a {type_name(value)}"


def type_name(value: object) -> str:
    """The class name of ``value``, for error messages that must not echo the value itself."""
    return type(value).__name__
