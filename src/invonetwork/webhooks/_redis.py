"""The Redis lease store (the ``redis`` extra, redis-py).

Imported only when :class:`RedisIdempotencyStore` is first used, so that
``import invonetwork.webhooks`` never loads ``redis``.
"""

from __future__ import annotations

from typing import Any, Optional

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

__all__ = ["RedisIdempotencyStore"]

# Extend the lease only if this token still holds it.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
# Mark done if this token holds the lease, or the lease expired and nobody took it over.
_FINISH = """
local value = redis.call('get', KEYS[1])
if value == ARGV[1] or value == false then
  if ARGV[2] == '' then
    redis.call('set', KEYS[1], 'd')
  else
    redis.call('set', KEYS[1], 'd', 'PX', ARGV[2])
  end
  return 1
end
return 0
"""
# Drop the lease only if this token holds it.
_ABANDON = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""
# Redis before 7.0 refuses SET with both NX and GET: this script does the same in one step.
_BEGIN_SCRIPT = """
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
return redis.call('get', KEYS[1])
"""


def _milliseconds(seconds: float) -> int:
    return max(int(seconds * 1000), 1)


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


class RedisIdempotencyStore(_LeaseTimes):
    """A :class:`LeaseStore` in Redis, shared by every worker on every machine.

    One Redis key per event: ``<prefix><dedupe key>``. Its value is ``p:<token>`` while a
    worker holds the lease (with a ``PX`` expiry of ``lease_seconds``) and ``d`` once done
    (with a ``PX`` expiry of ``retention_seconds``). Every step is one round trip:

    * ``begin``: ``SET key p:<token> NX PX <lease> GET`` (Redis 7.0+; on older servers the
      same in a small Lua script). Nothing there: the lease is ours. ``d``: done.
      ``p:...``: in progress.
    * ``renew``, ``finish``, ``abandon``: a Lua script that compares the token first, so a
      worker whose lease expired and was taken over never touches its successor's lease.

    Redis must keep the done keys for as long as the retention window: run it with
    persistence (AOF, ``appendonly yes``) and a ``maxmemory-policy`` that does not evict
    these keys (``noeviction`` or a ``volatile-*`` policy on a Redis of its own), or a
    restart or eviction forgets which events were processed. A connection error propagates
    (``redis.exceptions.ConnectionError``): let it become a 5xx so INVO retries.

    redis-py's connection pool notices a fork and opens new connections in the child, so a
    store made before ``gunicorn --preload`` forks works in every worker.

    Args:
        client: A ``redis.Redis`` (decoded responses or not). Or pass ``url=``.
        url: A Redis URL (``redis://host:6379/0``, ``rediss://`` for TLS) to build a client
            from, with ``redis.Redis.from_url`` and socket timeouts of 10 s (5 s to connect).
            Give your own client a ``socket_timeout`` too: a call that never returns holds
            the delivery, and delays the lease renewals of the process.
        prefix: Put before every key (default ``invo:webhook:``).
        lease_seconds: How long a key stays in progress without renewal (default 60).
        retention_seconds: How long a done key is kept (default 7 days; ``None``: forever).
    """

    def __init__(
        self,
        client: Any = None,
        *,
        url: Optional[str] = None,
        prefix: str = "invo:webhook:",
        lease_seconds: float = DEFAULT_LEASE_SECONDS,
        retention_seconds: Optional[float] = _UNSET,  # type: ignore[assignment]
    ) -> None:
        if (client is None) == (url is None):
            raise invalid_argument("pass either a redis client or url=, not both or neither")
        if url is not None:
            if not isinstance(url, str) or not url:
                raise invalid_argument(f"url must be a Redis URL string, got {describe(url)}")
            import redis

            # Bounded waits: a Redis that hangs must fail the call (a 5xx), not block the
            # worker, nor the lease renewals of its other deliveries, forever.
            client = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)
        if not isinstance(prefix, str):
            raise invalid_argument(f"prefix must be a str, got {describe(prefix)}")
        self._client = client
        self._prefix = prefix
        self._lease = _check_seconds("lease_seconds", lease_seconds, optional=False) or 0.0
        self._ttl = _retention(retention_seconds, None, DEFAULT_RETENTION_SECONDS)
        self._lease_ms = _milliseconds(self._lease)
        self._ttl_ms = "" if self._ttl is None else str(_milliseconds(self._ttl))
        self._renew = client.register_script(_RENEW)
        self._finish = client.register_script(_FINISH)
        self._abandon = client.register_script(_ABANDON)
        self._begin_script = client.register_script(_BEGIN_SCRIPT)
        self._set_get = True  # SET NX GET works (Redis 7.0+); switched off on first refusal

    @property
    def client(self) -> Any:
        """The ``redis.Redis`` client in use."""
        return self._client

    def _key(self, key: str) -> str:
        return self._prefix + _check_key(key)

    def begin(self, key: str, token: str) -> ClaimStatus:
        """``SET NX PX GET``: take the lease unless the key is in progress or done."""
        name = self._key(key)
        value = "p:" + _check_token(token)
        old: Any
        if self._set_get:
            try:
                old = self._client.set(name, value, nx=True, px=self._lease_ms, get=True)
            except Exception as exc:
                if type(exc).__name__ != "ResponseError":
                    raise
                self._set_get = False  # a Redis older than 7.0
        if not self._set_get:
            old = self._begin_script(keys=[name], args=[value, self._lease_ms])
        if old is None:
            return ClaimStatus.ACQUIRED
        found = _text(old)
        if found == value:  # our own SET, retried by the client after a lost reply
            return ClaimStatus.ACQUIRED
        return ClaimStatus.DONE if found == _DONE else ClaimStatus.IN_PROGRESS

    def renew(self, key: str, token: str) -> bool:
        """Extend ``token``'s lease; ``False`` if it no longer holds it."""
        return bool(self._renew(keys=[self._key(key)], args=["p:" + token, self._lease_ms]))

    def finish(self, key: str, token: str) -> bool:
        """Mark ``key`` done for the retention window; ``False`` if the lease was lost."""
        return bool(self._finish(keys=[self._key(key)], args=["p:" + token, self._ttl_ms]))

    def abandon(self, key: str, token: str) -> None:
        """Drop ``token``'s lease on ``key`` (no-op if it does not hold it)."""
        self._abandon(keys=[self._key(key)], args=["p:" + token])

    def claim(self, key: str) -> bool:
        """Lease-less claim (:class:`IdempotencyStore`): ``SET key d NX``."""
        name = self._key(key)
        if self._ttl is None:
            return bool(self._client.set(name, _DONE, nx=True))
        return bool(self._client.set(name, _DONE, nx=True, px=_milliseconds(self._ttl)))

    def release(self, key: str) -> None:
        """Forget ``key`` whatever its state."""
        self._client.delete(self._key(key))

    def __contains__(self, key: object) -> bool:
        """Whether ``key`` is in progress or done."""
        if not isinstance(key, str) or not key:
            return False
        return bool(self._client.exists(self._prefix + key))

    def __repr__(self) -> str:
        return (
            f"RedisIdempotencyStore(prefix={self._prefix!r}, lease_seconds={self._lease}, "
            f"retention_seconds={self._ttl})"
        )
