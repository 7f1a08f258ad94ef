"""Argument rules shared by the API methods; every failure is an ``InvalidInputError``."""

from __future__ import annotations

import ipaddress
import re
import socket
from typing import Optional, Union
from urllib.parse import urlsplit

from ._config import is_loopback_host
from .errors import InvalidInputError

__all__ = [
    "check_e164",
    "check_page_arg",
    "check_path_id",
    "check_public_target_url",
    "clean",
    "invalid",
    "is_blank",
    "optional_text",
    "require_text",
]

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


def check_path_id(name: str, value: object) -> Union[str, int]:
    """An id that goes in a URL path: a non-blank ``str`` or an ``int``."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or is_blank(value):
        raise invalid(f"{name} is required (a non-blank str or an int)")
    return value


def clean(name: str, value: object) -> Optional[str]:
    """An optional string argument, trimmed; ``None`` when missing or blank."""
    text = optional_text(name, value)
    return text.strip() if text is not None and text.strip() else None


def check_page_arg(name: str, value: object, minimum: int) -> Optional[int]:
    """An optional paging argument: ``None`` or an ``int`` (not ``bool``) >= ``minimum``."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise invalid(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+")


def _ip_literal(host: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    """The address a host literal names, including the shorthand IPv4 forms resolvers accept
    (``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``); ``None`` for a DNS name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def check_public_target_url(target_url: object, *, allow_loopback_http: bool) -> str:
    """A webhook target must be https on a public address (INVO refuses the others)."""
    if not isinstance(target_url, str) or not target_url.strip():
        raise invalid("target_url must be a non-empty https:// URL")
    try:
        parts = urlsplit(target_url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        raise invalid(f"target_url is not a valid URL: {target_url!r}") from None
    if not host:
        raise invalid("target_url must have a host")
    if allow_loopback_http and parts.scheme in ("http", "https") and is_loopback_host(host):
        return target_url.strip()
    if parts.scheme != "https":
        raise invalid("target_url must use https://")
    host = host.rstrip(".")  # "localhost." and "169.254.169.254." name the same hosts
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".internal"):
        raise invalid(f"target_url must be a public address, not {host!r}")
    address = _ip_literal(host)
    if address is None:
        return target_url.strip()  # a name: INVO resolves and checks it
    if not address.is_global:
        raise invalid(
            f"target_url must be a public address; {host} is loopback, private, link-local "
            "or reserved"
        )
    return target_url.strip()
