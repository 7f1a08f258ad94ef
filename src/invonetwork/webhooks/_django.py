"""The Django cache lease store, for studios that already run a shared cache.

Imported only when :class:`DjangoCacheIdempotencyStore` is first used, so that
``import invonetwork.webhooks`` never loads Django.
"""

from __future__ import annotations

import hashlib
import importlib
import math
from typing import Any, Optional, Union

from ._common import describe, invalid_argument
from ._idempotency import (
    _DONE,
    _UNSET,
    DEFAULT_LEASE_SECONDS,
    DEFAULT_RETENTION_SECONDS,
    ClaimStatus,
    _check_key,
    _check_seconds,
    _check_token,
    _LeaseTimes,
    _retention,
)

__all__ = ["DjangoCacheIdempotencyStore"]


class DjangoCacheIdempotencyStore(_LeaseTimes):
    """A :class:`LeaseStore` on a Django cache (``cache.add``), shared by what shares it.

    ``begin`` is ``cache.add(key, "p:<token>", timeout=lease)``: atomic on Redis, Memcached
    and the database cache, so of many workers exactly one gets the lease. The generic
    cache API has no compare-and-set, so ``renew``, ``finish`` and ``abandon`` read the
    value and then write it: a step that races with a lease expiring at that very moment can
    let the event run twice. Keep handlers well inside the (renewed) lease, or use the Redis
    or PostgreSQL store, whose steps are atomic.

    The cache must be shared by every worker: ``LocMemCache`` is per process, and
    ``FileBasedCache`` is not atomic. Timeouts are whole seconds (rounded up). Keys are
    ``<prefix><sha256 of the dedupe key>``, safe for Memcached.

    Args:
        cache: A cache alias from ``settings.CACHES`` (default ``"default"``, looked up per
            call through ``django.core.cache.caches``, which is per thread), or a cache
            object.
        prefix: Put before every key (default ``invo:webhook:``).
        lease_seconds: How long a key stays in progress without renewal (default 60).
        retention_seconds: How long a done key is kept (default 7 days; ``None``: the
            cache's "forever").
    """

    def __init__(
        self,
        cache: Union[str, Any] = "default",
        *,
        prefix: str = "invo:webhook:",
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retention_seconds: Optional[float] = _UNSET,  # type: ignore[assignment]
    ) -> None:
        if not isinstance(cache, str) and not callable(getattr(cache, "add", None)):
            raise invalid_argument(f"cache must be an alias or a cache, got {describe(cache)}")
        if not isinstance(prefix, str):
            raise invalid_argument(f"prefix must be a str, got {describe(prefix)}")
        self._cache = cache
        self._prefix = prefix
        self._lease = _check_seconds("lease_seconds", lease_seconds, optional=False) or 0.0
        self._ttl = _retention(retention_seconds, None, DEFAULT_RETENTION_SECONDS)
        self._lease_timeout = max(math.ceil(self._lease), 1)
        self._done_timeout = None if self._ttl is None else max(math.ceil(self._ttl), 1)

    def _backend(self) -> Any:
        if isinstance(self._cache, str):
            caches = importlib.import_module("django.core.cache").caches
            return caches[self._cache]
        return self._cache

    def _key(self, key: str) -> str:
        digest = hashlib.sha256(_check_key(key).encode("utf-8", "surrogatepass")).hexdigest()
        return self._prefix + digest

    def begin(self, key: str, token: str) -> ClaimStatus:
        """``cache.add``: take the lease unless the key is in progress or done."""
        name = self._key(key)
        value = "p:" + _check_token(token)
        cache = self._backend()
        for _ in range(5):
            if cache.add(name, value, timeout=self._lease_timeout):
                return ClaimStatus.ACQUIRED
            found = cache.get(name)
            if found is None:
                continue  # expired or abandoned in between: try to add again
            if found == value:
                return ClaimStatus.ACQUIRED
            return ClaimStatus.DONE if found == _DONE else ClaimStatus.IN_PROGRESS
        return ClaimStatus.IN_PROGRESS

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease with ``cache.touch``; ``False`` if it no longer holds it."""
        name = self._key(key)
        cache = self._backend()
        if cache.get(name) != "p:" + token:
            return False
        return bool(cache.touch(name, timeout=self._lease_timeout))

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done; ``False`` if another worker holds the lease."""
        name = self._key(key)
        cache = self._backend()
        found = cache.get(name)
        if found is not None and found != "p:" + token:
            return False
        cache.set(name, _DONE, timeout=self._done_timeout)
        return True

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease on ``key`` (no-op if it does not hold it)."""
        name = self._key(key)
        cache = self._backend()
        if cache.get(name) == "p:" + token:
            cache.delete(name)

    def claim(self, key: str) -> bool:
        """Lease-less claim (:class:`IdempotencyStore`): ``cache.add(key, "d")``."""
        return bool(self._backend().add(self._key(key), _DONE, timeout=self._done_timeout))

    def release(self, key: str) -> None:
        """Forget ``key`` whatever its state."""
        self._backend().delete(self._key(key))

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in progress or done."""
        if not isinstance(key, str) or not key:
            return False
        return self._backend().get(self._key(key)) is not None

    def __repr__(self) -> str:
        cache = self._cache if isinstance(self._cache, str) else type(self._cache).__name__
        return f"DjangoCacheIdempotencyStore(cache={cache!r}, prefix={self._prefix!r})"
