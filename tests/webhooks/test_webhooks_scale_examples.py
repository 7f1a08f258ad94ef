"""examples/webhooks_many_workers.py, each piece run against the real thing."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest
from catalogue_payloads import PAYLOADS
from invo_store_servers import PostgresServer, RedisServer, require_module

from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import ClaimStatus, new_token

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "whsec_scale_examples"


@pytest.fixture(scope="module")
def example() -> Any:
    sys.path.insert(0, str(EXAMPLES))
    try:
        return importlib.import_module("webhooks_many_workers")
    finally:
        sys.path.remove(str(EXAMPLES))


def test_redis_store_and_router(example: Any, redis_server: RedisServer,
                                caplog: pytest.LogCaptureFixture) -> None:
    store = example.redis_store(redis_server.url)
    assert store.lease_seconds == 60 and store.retention_seconds == 7 * 86400
    caplog.set_level("INFO", logger="mygame.webhooks")
    sent = [("purchase.completed", PAYLOADS["purchase.completed"]),
            ("item.purchased", PAYLOADS["item.purchased"]),
            ("subscription.renewed", PAYLOADS["subscription.renewed"]),
            ("purchase.disputed", PAYLOADS["purchase.disputed"]),
            ("webhook.test", {})]
    for event_type, data in sent:
        delivery = build_webhook_delivery(event_type, secret=SECRET, data=data)
        assert example.receive(delivery.body, delivery.headers, [SECRET], store) == ("ok", 200)
        again = example.receive(delivery.body, delivery.headers, [SECRET], store)
        assert again == ("duplicate", 200)
    text = caplog.text
    assert "order ord_1: 1000 Gold" in text and "grant sword x2" in text
    assert "subscription sub_1 paid through" in text and "take back ord_1" in text
    assert "ignored webhook.test" in text
    assert example.router.event_types == sorted(
        ["purchase.completed", "item.purchased", "subscription.renewed", "purchase.refunded",
         "purchase.disputed"])


def test_postgres_store(example: Any, postgres_server: PostgresServer) -> None:
    store = example.postgres_store(postgres_server.url)
    token = new_token()
    key = f"evt-{token}"
    assert store.begin(key, token) is ClaimStatus.ACQUIRED
    assert store.finish(key, token)
    assert store.begin(key, new_token()) is ClaimStatus.DONE
    store.close()


def test_django_store_on_the_default_cache(example: Any, redis_server: RedisServer) -> None:
    require_module("django")
    sys.path.insert(0, str(EXAMPLES))
    try:  # configures Django's settings the way the Django recipe does, if nobody has yet
        importlib.import_module("webhooks_django")
    finally:
        sys.path.remove(str(EXAMPLES))
    from django.core.cache import caches
    from django.test import override_settings

    redis_cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                   "LOCATION": redis_server.url}
    with override_settings(CACHES={"default": redis_cache}):
        store = example.django_store()
        assert type(caches["default"]).__name__ == "RedisCache"
        token = new_token()
        key = f"evt-{token}"
        assert store.begin(key, token) is ClaimStatus.ACQUIRED
        assert store.begin(key, new_token()) is ClaimStatus.IN_PROGRESS
        assert store.finish(key, token)
        assert store.begin(key, new_token()) is ClaimStatus.DONE
        caches.close_all()
