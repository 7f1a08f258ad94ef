"""Which INVO environment an older game secret belongs to, asked of INVO itself.

A current key says its environment in its prefix (``ivsdk_live_`` production, ``ivsdk_test_``
and ``ivsdk_demo_`` the sandbox). An older key does not: a client built from one without
``base_url`` asks ``GET /api/sdk/key-environment`` on its first request (never in the
constructor), first on production, then under the sandbox base unless production claimed the
key. The first claim wins; a claim is cached per key for the life of the process (failures
are not cached, so the next request asks again).

Each ask is one attempt of at most 10 s, with the game secret, ``Accept`` and the SDK's own
``User-Agent`` (INVO refuses HTTP libraries' default agents), no retries and no hooks.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Optional

from ._config import PRODUCTION_BASE_URL, SANDBOX_BASE_URL
from ._route import Route
from .errors import EnvironmentUnknownError, InvoError, NetworkError

if TYPE_CHECKING:
    from ._transport import Transport

__all__ = ["KEY_ENVIRONMENT", "LOOKUP_TIMEOUT", "KeyEnvironmentLookup", "forget_lookups"]

KEY_ENVIRONMENT: Route[None] = Route("GET", "/api/sdk/key-environment", idempotent=True)
LOOKUP_TIMEOUT = 10.0

#: Where each environment is asked, and the base URL a claim of it selects. (Tests point
#: these at a local server.)
BASES: dict[str, str] = {"production": PRODUCTION_BASE_URL, "sandbox": SANDBOX_BASE_URL}

# sha256 of the key -> the claimed environment's base URL. Only a digest is kept, never the key.
_claims: dict[str, str] = {}
_claims_lock = threading.Lock()


def forget_lookups() -> None:
    """Drop every cached claim (for tests)."""
    with _claims_lock:
        _claims.clear()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class KeyEnvironmentLookup:
    """The lookup for one client (shared by its ``with_options`` views)."""

    def __init__(self, transport: Transport, secret: str) -> None:
        self._transport = transport
        self._digest = _digest(secret)
        self._lock = threading.Lock()

    def base_url(self) -> str:
        """The claimed environment's base URL: cached, else asked of INVO now.

        Raises ``EnvironmentUnknownError`` when no environment claims the key, or the
        production ask's failure (an ``InvoError``, status 0, no code) when it failed and the
        sandbox did not claim the key either.
        """
        cached = _claims.get(self._digest)
        if cached is not None:
            return cached
        with self._lock:  # one ask at a time per client; others wait for its answer
            cached = _claims.get(self._digest)
            if cached is not None:
                return cached
            claimed = self._ask()
            with _claims_lock:
                _claims[self._digest] = claimed
            return claimed

    def _ask(self) -> str:
        production_failure: Optional[InvoError] = None
        for asked in ("production", "sandbox"):
            try:
                claimed = self._claim(BASES[asked])
            except InvoError as failure:
                if asked == "production":
                    production_failure = failure
                continue
            if claimed is not None:
                return BASES[claimed]
        if production_failure is not None:
            raise production_failure
        raise EnvironmentUnknownError(
            "neither INVO environment recognises this game secret (it does not start with "
            "ivsdk_live_ or ivsdk_test_, so the SDK asked INVO): check that it is your game's "
            f"secret key from the INVO console, or pass base_url ({PRODUCTION_BASE_URL} or "
            f"{SANDBOX_BASE_URL})"
        )

    def _claim(self, base: str) -> Optional[str]:
        """The environment ``base`` says the key belongs to, ``None`` for "not this one"."""
        url = base + KEY_ENVIRONMENT.path
        try:
            status, body = self._transport.probe(KEY_ENVIRONMENT, url, LOOKUP_TIMEOUT)
        except NetworkError as error:
            raise InvoError(
                f"could not look up the game secret's environment: {error.message}",
                status=0,
            ) from error
        if status == 200:
            value = body.get("environment") if isinstance(body, dict) else None
            return value if value in ("production", "sandbox") else None
        if status in (401, 403, 404):
            return None
        raise InvoError(
            f"could not look up the game secret's environment: HTTP {status} from {base}",
            status=0,
        )
