"""Argument rules shared by the API methods; every failure is an ``InvalidInputError``."""

from __future__ import annotations

import re
from typing import Optional

from .errors import InvalidInputError

__all__ = ["check_e164", "invalid", "is_blank", "optional_text", "require_text"]

# '+', a digit 1-9, then 1 to 14 digits; fullmatch so not even a trailing newline passes.
_E164 = re.compile(r"\+[1-9][0-9]{1,14}")


def invalid(message: str, code: str = "INVALID_INPUT") -> InvalidInputError:
    """Build the client-side validation error (status 0)."""
    return InvalidInputError(message, code=code)


def is_blank(value: object) -> bool:
    """``None``, or a string that is empty or whitespace only."""
    return value is None or (isinstance(value, str) and not value.strip())


def require_text(name: str, value: object) -> str:
    """A required string argument: present, a ``str``, and not blank."""
    if not isinstance(value, str):
        if value is None:
            raise invalid(f"{name} is required")
        raise invalid(f"{name} must be a str, got {type(value).__name__}")
    if not value.strip():
        raise invalid(f"{name} must not be blank")
    return value


def optional_text(name: str, value: object) -> Optional[str]:
    """An optional string argument: ``None`` or a ``str``."""
    if value is None or isinstance(value, str):
        return value
    raise invalid(f"{name} must be a str, got {type(value).__name__}")


def check_e164(name: str, value: object) -> str:
    """A phone number in E.164 form: ``+`` then 2 to 15 digits, the first not 0."""
    if not isinstance(value, str) or _E164.fullmatch(value) is None:
        shown = value if isinstance(value, str) else type(value).__name__
        raise invalid(
            f"{name} must be an E.164 phone number ('+' then 2-15 digits, first digit 1-9, "
            f"nothing else), got {shown!r}"
        )
    return value
