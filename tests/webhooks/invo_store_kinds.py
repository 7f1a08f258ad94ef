"""Build each kind of idempotency store from a picklable spec (for tests and worker processes).

A spec is ``(kind, location, options)``: kind ``sqlite`` (location: a file path), ``redis`` or
``django-redis`` (a Redis URL), ``postgres`` (a connection string), ``memory`` or
``django-locmem`` (no location: per process).
"""

from __future__ import annotations

import uuid
from typing import Any

SHARED_KINDS = ("sqlite", "redis", "postgres", "django-redis")


def build_store(spec: tuple[str, str, dict[str, Any]]) -> Any:
    kind, location, options = spec
    from invonetwork import webhooks

    if kind == "memory":
        return webhooks.InMemoryIdempotencyStore(**options)
    if kind == "sqlite":
        return webhooks.SQLiteIdempotencyStore(location, **options)
    if kind == "sqlite-memory":
        return webhooks.SQLiteIdempotencyStore(":memory:", **options)
    if kind == "redis":
        return webhooks.RedisIdempotencyStore(url=location, **options)
    if kind == "postgres":
        return webhooks.PostgresIdempotencyStore(location, **options)
    if kind == "django-redis":
        from django.core.cache.backends.redis import RedisCache

        return webhooks.DjangoCacheIdempotencyStore(RedisCache(location, {}), **options)
    if kind == "django-locmem":
        from django.core.cache.backends.locmem import LocMemCache

        return webhooks.DjangoCacheIdempotencyStore(LocMemCache(uuid.uuid4().hex, {}), **options)
    raise ValueError(f"unknown store kind {kind!r}")


def isolate(kind: str, options: dict[str, Any]) -> dict[str, Any]:
    """Give one test its own keyspace on a shared server (a key prefix or a table)."""
    tag = uuid.uuid4().hex[:12]
    if kind in ("redis", "django-redis"):
        return {**options, "prefix": f"t{tag}:"}
    if kind == "postgres":
        return {**options, "table": f"t_{tag}"}
    return dict(options)
