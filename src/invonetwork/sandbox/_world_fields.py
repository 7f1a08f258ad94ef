"""Readers for request bodies, and the ids, PINs and fingerprints the world mints.

Every domain of the sandbox world shares them; a reader raises the backend's 400
(:func:`~invonetwork.sandbox._model.bad_request`) for a missing or malformed field.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any, Optional

from ._model import E164_RE, bad_request


def new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def random_digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def req_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{key} is required", key)
    return value.strip()


def opt_str(body: Mapping[str, Any], key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{key} must be a string", key)
    return value.strip() or None


def game_id_of(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise bad_request(f"{key} must be a game id", key)
    try:
        return int(str(value).strip())
    except ValueError:
        raise bad_request(f"{key} must be a game id", key) from None


def check_phone(phone: Optional[str], key: str) -> Optional[str]:
    if phone is not None and not E164_RE.match(phone):
        raise bad_request(f"{key} must be an E.164 phone number like +15555550100", key)
    return phone


def request_fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
