"""What an API handler receives and returns: one routed :class:`Call`, one ``(status, body)``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

__all__ = ["Answer", "Call", "Handler", "ok"]


@dataclass
class Call:
    """One routed request: path parameters, query, JSON body and (lower-cased) headers."""

    params: tuple[str, ...]
    query: dict[str, str]
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str:
        """A header's value (case-insensitive), ``""`` when absent."""
        return self.headers.get(name.lower(), "")

    @property
    def bearer(self) -> Optional[str]:
        """The token of an ``Authorization: Bearer <token>`` header, else ``None``."""
        scheme, _, token = self.header("Authorization").strip().partition(" ")
        token = token.strip()
        return token if scheme.lower() == "bearer" and token else None


Answer = tuple[int, Any]
Handler = Callable[[Call], Answer]


def ok(body: Any) -> Answer:
    """A 200 answer."""
    return 200, body
