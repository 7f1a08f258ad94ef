"""One HTTP request and one HTTP answer, as every layer of the sandbox passes them."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

__all__ = ["HTML", "JSON", "Request", "Response", "error_response", "json_response"]

JSON = "application/json"
HTML = "text/html; charset=utf-8"


@dataclass
class Request:
    """One HTTP request: ``headers`` has lower-case names; ``raw_headers`` keeps their case."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    raw_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str:
        """A header's value (case-insensitive), ``""`` when absent."""
        value = self.headers.get(name.lower())
        return value if value is not None else ""

    @property
    def is_form(self) -> bool:
        """True for an HTML form post (``application/x-www-form-urlencoded``)."""
        return "application/x-www-form-urlencoded" in self.header("Content-Type").lower()


@dataclass
class Response:
    """One HTTP answer; ``disconnect`` closes the connection without answering."""

    status: int
    body: bytes = b""
    content_type: str = JSON
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False


def json_response(status: int, body: Any, headers: Optional[dict[str, str]] = None) -> Response:
    """A JSON answer."""
    return Response(status, json.dumps(body).encode("utf-8"), JSON, dict(headers or {}))


def error_response(status: int, message: str, code: str, **extra: Any) -> Response:
    """A JSON error answer: ``{"error": message, "code": code, ...}``."""
    return json_response(status, {"error": message, "code": code, **extra})
