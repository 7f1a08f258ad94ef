"""Readers for request bodies, and the ids, PINs and fingerprints the world mints.

The HTTP layer reads request fields with them; a reader raises the backend's 400
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


def req_phone(body: Mapping[str, Any], key: str) -> str:
    phone = req_str(body, key)
    check_phone(phone, key)
    return phone


def opt_phone(body: Mapping[str, Any], key: str) -> Optional[str]:
    return check_phone(opt_str(body, key), key)


def req_game_id(body: Mapping[str, Any], key: str) -> int:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise bad_request(f"{key} is required", key)
    return game_id_of(value, key)


def int_query(query: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = (query.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{key} must be an integer", key) from None
    if not low <= value <= high:
        raise bad_request(f"{key} must be between {low} and {high}", key)
    return value


def query_text(query: Mapping[str, str], key: str) -> str:
    return (query.get(key) or "").strip()
