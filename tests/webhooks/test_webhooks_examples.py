"""The receiver recipes in examples/webhooks_*.py, driven through each framework's test client."""

from __future__ import annotations

import importlib.util
import sys
import types
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Optional

import pytest

from invonetwork.testing import WebhookDelivery, build_webhook_delivery
from invonetwork.webhooks import InMemoryIdempotencyStore, SQLiteIdempotencyStore, WebhookEvent

# Starlette's TestClient warns about its own httpx dependency; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with")

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECRET = "whsec_example_current"
OLD_SECRET = "whsec_example_previous"


def load_example(filename: str, module_name: str) -> types.ModuleType:
    if str(EXAMPLES) not in sys.path:  # the recipes import their shared invo_webhook_game
        sys.path.insert(0, str(EXAMPLES))
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, EXAMPLES / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # Django resolves ROOT_URLCONF by module name
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[module_name]
        raise
    return module


class Recorder:
    """The handler under test: records events, optionally fails the first N calls."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[WebhookEvent] = []
        self.calls = 0
        self.failures = failures

    def __call__(self, event: WebhookEvent) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("the game database is down")
        self.events.append(event)


class Harness:
    """One framework's app, posted to through that framework's own test client."""

    name = ""

    def __init__(self, secrets: Optional[Sequence[str]], store: Any, handler: Recorder) -> None:
        raise NotImplementedError

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        raise NotImplementedError

    def close(self) -> None:
        pass

    def deliver(self, delivery: WebhookDelivery) -> tuple[int, str]:
        return self.post(delivery.body, dict(delivery.headers))


class FlaskHarness(Harness):
    name = "flask"

    def __init__(self, secrets: Optional[Sequence[str]], store: Any, handler: Recorder) -> None:
        pytest.importorskip("flask")
        module = load_example("webhooks_flask.py", "invo_webhooks_flask_example")
        self.app = module.create_app(secrets=secrets, store=store, handler=handler)
        self.client = self.app.test_client()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = self.client.post("/invo/webhooks", data=body, headers=headers)
        return response.status_code, response.get_data(as_text=True)


class FastAPIHarness(Harness):
    name = "fastapi"

    def __init__(self, secrets: Optional[Sequence[str]], store: Any, handler: Recorder) -> None:
        pytest.importorskip("fastapi")
        pytest.importorskip("httpx")
        from fastapi.testclient import TestClient

        module = load_example("webhooks_fastapi.py", "invo_webhooks_fastapi_example")
        app = module.create_app(secrets=secrets, store=store, handler=handler)
        self.client = TestClient(app, raise_server_exceptions=False)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        response = self.client.post("/invo/webhooks", content=body, headers=headers)
        return response.status_code, response.text

    def close(self) -> None:
        self.client.close()


class DjangoHarness(Harness):
    name = "django"

    def __init__(self, secrets: Optional[Sequence[str]], store: Any, handler: Recorder) -> None:
        pytest.importorskip("django")
        from django.test import Client
        from django.test.utils import override_settings
        from django.urls import path

        module = load_example("webhooks_django.py", "invo_webhooks_django_example")
        # A URLconf of our own, so the view gets this test's secrets, store and handler.
        self.urls = types.ModuleType("invo_webhooks_django_test_urls")
        self.urls.urlpatterns = [  # type: ignore[attr-defined]
            path("invo/webhooks",
                 module.make_webhook_view(secrets=secrets, store=store, handler=handler)),
        ]
        sys.modules[self.urls.__name__] = self.urls
        # Another test module may have configured Django first: apply what this app needs.
        self.settings = override_settings(
            ROOT_URLCONF=self.urls.__name__, ALLOWED_HOSTS=["testserver"], MIDDLEWARE=[],
            DEBUG=False,
        )
        self.settings.enable()
        self.client = Client(raise_request_exception=False)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
        content_type = headers.pop("Content-Type", "application/json")
        response = self.client.post("/invo/webhooks", data=body, content_type=content_type,
                                    headers=headers)
        return response.status_code, response.content.decode()

    def close(self) -> None:
        self.settings.disable()
        sys.modules.pop(self.urls.__name__, None)


HARNESSES = {cls.name: cls for cls in (FlaskHarness, FastAPIHarness, DjangoHarness)}


@pytest.fixture(params=sorted(HARNESSES))
def framework(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_app(framework: str) -> Iterator[Any]:
    made: list[Harness] = []

    def factory(*, secrets: Optional[Sequence[str]] = (SECRET,), store: Any = None,
                handler: Optional[Recorder] = None) -> tuple[Harness, Recorder]:
        recorder = handler or Recorder()
        harness = HARNESSES[framework](secrets, store or InMemoryIdempotencyStore(), recorder)
        made.append(harness)
        return harness, recorder

    yield factory
    for harness in made:
        harness.close()


def test_valid_delivery_is_handled(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    assert app.deliver(delivery) == (200, "ok")
    assert len(handler.events) == 1
    event = handler.events[0]
    assert event.idempotency_key == delivery.idempotency_key
    assert str(event.purchase_completed().usd_amount) == "9.99"


def test_tampered_body_is_400_and_not_handled(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET,
                                      data={"usd_amount": "1.00"})
    tampered = delivery.body.replace(b'"1.00"', b'"999.00"')
    assert tampered != delivery.body
    status, _ = app.post(tampered, dict(delivery.headers))
    assert status == 400
    assert handler.calls == 0


def test_reserialized_body_is_400(make_app: Any) -> None:
    import json

    app, handler = make_app()
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    reserialized = json.dumps(json.loads(delivery.body), indent=1).encode()
    assert app.post(reserialized, dict(delivery.headers))[0] == 400
    assert handler.calls == 0


def test_missing_signature_and_wrong_secret_are_400(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("webhook.test", secret="somebody-else")
    assert app.deliver(delivery)[0] == 400
    headers = dict(build_webhook_delivery("webhook.test", secret=SECRET).headers)
    del headers["X-Invo-Signature"]
    assert app.post(b"{}", headers)[0] == 400
    assert handler.calls == 0


def test_replayed_old_delivery_is_400(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("webhook.test", secret=SECRET, timestamp=1_600_000_000)
    assert app.deliver(delivery)[0] == 400
    assert handler.calls == 0


def test_duplicate_delivery_is_200_but_handled_once(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("item.purchased", secret=SECRET)
    assert app.deliver(delivery) == (200, "ok")
    assert app.deliver(delivery) == (200, "duplicate")
    # A retry or a replay: same idempotency key, new event id, new timestamp and signature.
    retry = build_webhook_delivery("item.purchased", secret=SECRET,
                                   idempotency_key=delivery.idempotency_key)
    assert retry.headers["X-Invo-Event-Id"] != delivery.headers["X-Invo-Event-Id"]
    assert app.deliver(retry) == (200, "duplicate")
    assert handler.calls == 1
    other = build_webhook_delivery("item.purchased", secret=SECRET)
    assert app.deliver(other) == (200, "ok")
    assert handler.calls == 2


def test_gzip_delivery_is_handled(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET, gzip=True)
    assert app.deliver(delivery) == (200, "ok")
    assert handler.events[0].raw == delivery.payload


def test_gzip_garbage_is_400(make_app: Any) -> None:
    app, handler = make_app()
    delivery = build_webhook_delivery("webhook.test", secret=SECRET)
    headers = dict(delivery.headers, **{"Content-Encoding": "gzip"})
    assert app.post(delivery.body, headers)[0] == 400
    assert handler.calls == 0


def test_rotation_accepts_old_and_new(make_app: Any) -> None:
    app, handler = make_app(secrets=[SECRET, OLD_SECRET])
    for signer in (OLD_SECRET, SECRET, [SECRET, OLD_SECRET]):
        assert app.deliver(build_webhook_delivery("webhook.test", secret=signer))[0] == 200
    assert handler.calls == 3


def test_failing_handler_is_500_and_the_retry_is_processed(make_app: Any) -> None:
    app, handler = make_app(handler=Recorder(failures=1))
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    assert app.deliver(delivery)[0] == 500
    assert handler.events == []
    assert app.deliver(delivery) == (200, "ok")  # the key was released
    assert len(handler.events) == 1
    assert app.deliver(delivery) == (200, "duplicate")


def test_unconfigured_secret_is_500(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("INVO_WEBHOOK_SECRET", raising=False)
    monkeypatch.delenv("INVO_WEBHOOK_SECRET_PREVIOUS", raising=False)
    app, handler = make_app(secrets=None)
    assert app.deliver(build_webhook_delivery("webhook.test", secret=SECRET))[0] == 500
    assert handler.calls == 0


def test_secrets_from_the_environment(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_from_env")
    monkeypatch.setenv("INVO_WEBHOOK_SECRET_PREVIOUS", "whsec_from_env_old")
    app, handler = make_app(secrets=None)
    assert app.deliver(build_webhook_delivery("webhook.test", secret="whsec_from_env"))[0] == 200
    assert app.deliver(
        build_webhook_delivery("webhook.test", secret="whsec_from_env_old"))[0] == 200
    assert app.deliver(build_webhook_delivery("webhook.test", secret=SECRET))[0] == 400
    assert handler.calls == 2


def test_unsigned_header_key_cannot_bypass_dedupe(make_app: Any) -> None:
    # X-Invo-Idempotency-Key is not covered by the signature; the body's copy is.
    app, handler = make_app()
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    assert app.deliver(delivery) == (200, "ok")
    forged = dict(delivery.headers, **{"X-Invo-Idempotency-Key": "something-new"})
    assert app.post(delivery.body, forged) == (200, "duplicate")
    assert handler.calls == 1


def test_a_shared_sqlite_store_dedupes_across_app_instances(make_app: Any,
                                                            tmp_path: Path) -> None:
    path = tmp_path / "claims.sqlite3"
    first, handler_a = make_app(store=SQLiteIdempotencyStore(path))
    second, handler_b = make_app(store=SQLiteIdempotencyStore(path))
    delivery = build_webhook_delivery("purchase.completed", secret=SECRET)
    assert first.deliver(delivery) == (200, "ok")
    assert second.deliver(delivery) == (200, "duplicate")
    assert handler_a.calls + handler_b.calls == 1


def test_django_module_level_urlconf_uses_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("django")
    from django.test import RequestFactory
    from django.test.utils import override_settings

    module = load_example("webhooks_django.py", "invo_webhooks_django_example")
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_module_level")
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        view = module.urlpatterns[0].callback
        delivery = build_webhook_delivery("webhook.test", secret="whsec_module_level")
        headers = {k: v for k, v in delivery.headers.items() if k != "Content-Type"}
        request = RequestFactory().post("/invo/webhooks", data=delivery.body,
                                        content_type="application/json", headers=headers)
        assert view(request).status_code == 200
        assert view(RequestFactory().get("/invo/webhooks")).status_code == 405
        tampered = RequestFactory().post("/invo/webhooks", data=delivery.body + b" ",
                                         content_type="application/json", headers=headers)
        assert view(tampered).status_code == 400
