"""The Flask, FastAPI and Django apps in examples/, driven through each framework's test client.

The framework guides (docs/guides/*.md) include these files piece by piece, so these tests are
what keeps the guides true. The same scenarios run against all three apps: INVO is mocked
with ``responses``, webhooks are built with ``invonetwork.testing``, and one end-to-end run
per app goes through the local sandbox.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
from collections.abc import Iterator
from typing import Any, Optional

import pytest
import responses

from invonetwork import InvoServer
from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.testing import build_webhook_delivery

SECRET = "ivsdk_test_framework_guides"
INVO = "https://sandbox.invo.network/sandbox"
WHSEC = "whsec_framework_guides"
EMAIL = "ada@example.com"


# What each app needs beyond the SDK. Missing ones skip the app's tests with the reason, unless
# INVO_REQUIRE_FRAMEWORKS=1 (CI sets it, having installed the dev extra): then they fail.
FRAMEWORK_MODULES = {"flask": ("flask",), "fastapi": ("fastapi", "httpx"), "django": ("django",)}


def require_framework(name: str) -> None:
    """Skip (or, where CI asks, fail) when the ``name`` app's framework is not installed."""
    for module in FRAMEWORK_MODULES[name]:
        if importlib.util.find_spec(module) is None:
            reason = f"{module} is not installed (it comes with: pip install -e '.[dev]')"
            if os.environ.get("INVO_REQUIRE_FRAMEWORKS") == "1":
                pytest.fail(f"INVO_REQUIRE_FRAMEWORKS=1 but {reason}")
            pytest.skip(reason)


class Harness:
    """What every app test needs: sign in, POST, and look at what the receiver granted."""

    name = ""
    fulfilment: Any

    def sign_in(self, email: str) -> None:
        raise NotImplementedError

    def post(
        self, path: str, *, json_body: Any = None, data: bytes = b"",
        headers: Optional[dict[str, str]] = None,
    ) -> tuple[int, Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Undo what the harness set up."""


class FlaskHarness(Harness):
    name = "flask"

    def __init__(self, secret: str, base_url: Optional[str], webhook_secrets: list[str]) -> None:
        flask_app = importlib.import_module("flask_app")
        self.invo = InvoServer(secret, base_url)
        self.fulfilment = flask_app.Fulfilment()
        self.app = flask_app.create_app(
            self.invo, webhook_secrets=webhook_secrets, fulfilment=self.fulfilment
        )
        self.client = self.app.test_client()

    def sign_in(self, email: str) -> None:
        with self.client.session_transaction() as session:
            session["player_email"] = email

    def post(self, path: str, *, json_body: Any = None, data: bytes = b"",
             headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        if json_body is not None:
            response = self.client.post(path, json=json_body, headers=headers)
        else:
            response = self.client.post(path, data=data, headers=headers)
        return response.status_code, response.get_json(silent=True)

    def close(self) -> None:
        self.invo.close()


class FastAPIHarness(Harness):
    name = "fastapi"

    def __init__(self, secret: str, base_url: Optional[str], webhook_secrets: list[str]) -> None:
        from fastapi.testclient import TestClient

        self.module = importlib.import_module("fastapi_app")
        self.invo = InvoServer(secret, base_url)
        self.fulfilment = self.module.Fulfilment()
        self.app = self.module.create_app(
            self.invo, webhook_secrets=webhook_secrets, fulfilment=self.fulfilment
        )
        self.client = TestClient(self.app, raise_server_exceptions=False)
        self.client.__enter__()  # runs the lifespan, which installs the shared client

    def sign_in(self, email: str) -> None:
        self.app.dependency_overrides[self.module.current_player_email] = lambda: email

    def post(self, path: str, *, json_body: Any = None, data: bytes = b"",
             headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        if json_body is not None:
            response = self.client.post(path, json=json_body, headers=headers)
        else:
            response = self.client.post(path, content=data, headers=headers)
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None

    def close(self) -> None:
        self.client.__exit__(None, None, None)
        assert not self.invo.closed  # the app closes only a client it built itself
        self.invo.close()


class DjangoHarness(Harness):
    name = "django"

    def __init__(self, secret: str, base_url: Optional[str], webhook_secrets: list[str]) -> None:
        from django.test import Client
        from django.test.utils import override_settings

        self.module = importlib.import_module("django_app")
        # Another test module may have configured Django first: apply this app's settings.
        self.settings = override_settings(**{
            **self.module.SETTINGS,
            "INVO_GAME_SECRET": secret,
            "INVO_BASE_URL": base_url,
            "INVO_WEBHOOK_SECRETS": webhook_secrets,
        })
        self.settings.enable()
        self.module.get_invo.cache_clear()
        self.saved = (self.module.FULFILMENT, self.module.IDEMPOTENCY)
        self.fulfilment = self.module.FULFILMENT = self.module.Fulfilment()
        self.module.IDEMPOTENCY = self.module.InMemoryIdempotencyStore()
        self.client = Client(raise_request_exception=False)

    def sign_in(self, email: str) -> None:
        from django.conf import settings

        engine = importlib.import_module(settings.SESSION_ENGINE)
        store = engine.SessionStore()
        store["player_email"] = email
        store.save()
        self.client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key

    def post(self, path: str, *, json_body: Any = None, data: bytes = b"",
             headers: Optional[dict[str, str]] = None) -> tuple[int, Any]:
        extra = {k: v for k, v in (headers or {}).items() if k.lower() != "content-type"}
        body = json.dumps(json_body).encode() if json_body is not None else data
        response = self.client.post(path, data=body, content_type="application/json",
                                    headers=extra)
        try:
            return response.status_code, json.loads(response.content)
        except ValueError:
            return response.status_code, None

    def close(self) -> None:
        self.module.get_invo().close()
        self.module.get_invo.cache_clear()
        self.module.FULFILMENT, self.module.IDEMPOTENCY = self.saved
        self.settings.disable()


HARNESSES = {cls.name: cls for cls in (FlaskHarness, FastAPIHarness, DjangoHarness)}


@pytest.fixture
def invo_api() -> Iterator[responses.RequestsMock]:
    """INVO, mocked at the HTTP layer; any request not registered fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(params=sorted(HARNESSES))
def app(request: pytest.FixtureRequest, invo_api: responses.RequestsMock) -> Iterator[Harness]:
    """Each example app, with a client for the (mocked) INVO sandbox."""
    require_framework(request.param)
    harness = HARNESSES[request.param](SECRET, None, [WHSEC])
    try:
        yield harness
    finally:
        harness.close()


def _sent(mock: responses.RequestsMock, index: int = 0) -> Any:
    return json.loads(mock.calls[index].request.body or b"{}")


# -- token minting --------------------------------------------------------------------------


def test_mint_needs_a_signed_in_player(app: Harness, invo_api: responses.RequestsMock) -> None:
    status, _ = app.post("/invo/token", json_body={})
    assert status == 401
    assert len(invo_api.calls) == 0


def test_mint_returns_a_player_token_for_the_session_player(
    app: Harness, invo_api: responses.RequestsMock
) -> None:
    invo_api.post(f"{INVO}/api/sdk/player-token",
                  json={"token": "ptk_1", "expires_at": "2030-01-01T00:15:00Z"})
    app.sign_in(EMAIL)
    status, body = app.post("/invo/token", json_body={"player_email": "mallory@example.com"})
    assert status == 200
    assert body == {"token": "ptk_1", "expires_at": "2030-01-01T00:15:00Z"}
    sent = invo_api.calls[0].request
    assert sent.headers["X-Game-Secret-Key"] == SECRET
    assert _sent(invo_api) == {"player_email": EMAIL}  # the session's player, not the body's
    assert SECRET not in json.dumps(body)


# -- checkout -------------------------------------------------------------------------------


def test_checkout_rejects_an_unknown_pack_without_calling_invo(
    app: Harness, invo_api: responses.RequestsMock
) -> None:
    app.sign_in(EMAIL)
    status, _ = app.post("/store/checkout", json_body={"pack": "gold_999999"})
    assert status == 400
    assert len(invo_api.calls) == 0


def test_checkout_prices_the_pack_on_the_server(
    app: Harness, invo_api: responses.RequestsMock
) -> None:
    invo_api.post(f"{INVO}/api/checkout/sessions", json={
        "session_id": "cs_1", "checkout_url": "https://sandbox.invo.network/checkout/cs_1",
        "expires_at": "2030-01-01T00:15:00Z",
    })
    app.sign_in(EMAIL)
    status, body = app.post("/store/checkout", json_body={"pack": "gold_550", "usd": "0.01"})
    assert status == 200
    assert body == {"checkout_url": "https://sandbox.invo.network/checkout/cs_1",
                    "session_id": "cs_1", "expires_at": "2030-01-01T00:15:00Z"}
    sent = _sent(invo_api)
    assert sent["player_email"] == EMAIL
    assert sent["usd_amount"] == "4.99"
    assert sent["metadata"] == {"pack": "gold_550"}
    assert sent["success_url"].endswith("/store/thanks")
    assert sent["cancel_url"].endswith("/store")


def test_checkout_failure_is_a_502_and_is_not_retried(
    app: Harness, invo_api: responses.RequestsMock
) -> None:
    invo_api.post(f"{INVO}/api/checkout/sessions", status=503,
                  json={"error": "flow_paused"}, headers={"x-invo-request-id": "req_9"})
    app.sign_in(EMAIL)
    status, body = app.post("/store/checkout", json_body={"pack": "gold_100"})
    assert status == 502
    assert body["request_id"] == "req_9"
    assert len(invo_api.calls) == 1  # create_checkout is never retried: no double session


# -- webhook receiver -----------------------------------------------------------------------


def _post_delivery(app: Harness, delivery: Any) -> int:
    status, _ = app.post("/invo/webhooks", data=delivery.body, headers=delivery.headers)
    return status


def test_webhook_grants_each_event_once(app: Harness) -> None:
    delivery = build_webhook_delivery(
        "purchase.completed", secret=WHSEC,
        data={"transaction_id": "txn_1", "order_id": "ord_1", "player_email": EMAIL,
              "identity_id": "idn_1", "usd_amount": "4.99", "currency_amount": "550",
              "currency_name": "Gold", "new_balance": "1550", "rail": "platform",
              "metadata": {"pack": "gold_550"}},
    )
    assert _post_delivery(app, delivery) == 200
    assert _post_delivery(app, delivery) == 200  # INVO retried: acknowledged, not re-applied
    assert len(app.fulfilment.purchases) == 1
    purchase = app.fulfilment.purchases[0]
    assert purchase.metadata == {"pack": "gold_550"}
    assert str(purchase.currency_amount) == "550"


def test_webhook_grants_items(app: Harness) -> None:
    assert _post_delivery(app, build_webhook_delivery("item.purchased", secret=WHSEC)) == 200
    assert [item.item_id for item in app.fulfilment.items] == ["sword_01"]


def test_webhook_acknowledges_events_it_does_not_act_on(app: Harness) -> None:
    assert _post_delivery(app, build_webhook_delivery("transfer.received", secret=WHSEC)) == 200
    assert app.fulfilment.purchases == [] and app.fulfilment.items == []


@pytest.mark.parametrize("problem", ["wrong secret", "no signature", "stale", "tampered"])
def test_webhook_rejects_what_fails_verification(app: Harness, problem: str) -> None:
    delivery = build_webhook_delivery(
        "purchase.completed", secret="whsec_someone_else" if problem == "wrong secret" else WHSEC,
        timestamp=1_000_000_000 if problem == "stale" else None,
    )
    headers = dict(delivery.headers)
    body = delivery.body
    if problem == "no signature":
        del headers["X-Invo-Signature"]
    if problem == "tampered":
        body = body.replace(b"9.99", b"0.01")
    status, _ = app.post("/invo/webhooks", data=body, headers=headers)
    assert status == 400
    assert app.fulfilment.purchases == []


def test_webhook_accepts_gzip_and_both_secrets_during_a_rotation(app: Harness) -> None:
    delivery = build_webhook_delivery(
        "purchase.completed", secret=["whsec_new", WHSEC], gzip=True
    )
    assert _post_delivery(app, delivery) == 200
    assert len(app.fulfilment.purchases) == 1


def test_a_failing_handler_lets_invo_retry_the_event(
    app: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = app.fulfilment.handle
    calls: list[str] = []

    def flaky(event: Any) -> None:
        calls.append(event.event_type)
        if len(calls) == 1:
            raise RuntimeError("database unavailable")
        real(event)

    monkeypatch.setattr(app.fulfilment, "handle", flaky)
    delivery = build_webhook_delivery("purchase.completed", secret=WHSEC)
    assert _post_delivery(app, delivery) == 500  # not 2xx: INVO will deliver it again
    assert _post_delivery(app, delivery) == 200  # the key was released, so this one applies
    assert len(calls) == 2
    assert len(app.fulfilment.purchases) == 1


# -- end to end against the local sandbox ------------------------------------------------------


@pytest.mark.parametrize("name", sorted(HARNESSES))
def test_buying_a_pack_end_to_end_with_the_sandbox(name: str) -> None:
    """Sign in, mint, check out, pay on the sandbox, and feed its signed webhook to the app."""
    require_framework(name)
    with WebhookReceiver() as receiver, Sandbox(
        players=[{"email": EMAIL, "balance": "100"}], webhook_url=receiver.url
    ) as sandbox:
        app = HARNESSES[name](sandbox.game_secret, sandbox.base_url, sandbox.webhook_secrets)
        try:
            app.sign_in(EMAIL)
            status, token = app.post("/invo/token", json_body={})
            assert status == 200 and token["token"]
            status, checkout = app.post("/store/checkout", json_body={"pack": "gold_1200"})
            assert status == 200
            sandbox.pay_checkout(checkout["session_id"])
            sandbox.wait_for_webhook("purchase.completed")
            received = [r for r in receiver.received if r.event_type == "purchase.completed"]
            assert received, "the sandbox delivered no purchase.completed"
            delivery = received[-1]
            headers = {k: v for k, v in delivery.headers.items()
                       if k.lower() in ("x-invo-signature", "x-invo-idempotency-key",
                                        "content-encoding", "content-type")}
            status, _ = app.post("/invo/webhooks", data=delivery.raw_body, headers=headers)
            assert status == 200
            [purchase] = app.fulfilment.purchases
            assert purchase.player_email == EMAIL
            assert purchase.metadata == {"pack": "gold_1200"}
            assert str(purchase.usd_amount) == "9.99"
            assert purchase.new_balance == sandbox.balance(EMAIL)
        finally:
            app.close()


# -- configuration from the environment ------------------------------------------------------


@pytest.mark.parametrize("name", ["flask", "fastapi"])
def test_apps_read_their_configuration_from_the_environment(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    require_framework(name)
    monkeypatch.setenv("INVO_GAME_SECRET", SECRET)
    monkeypatch.delenv("INVO_BASE_URL", raising=False)
    monkeypatch.setenv("INVO_WEBHOOK_SECRET", "whsec_new")
    monkeypatch.setenv("INVO_WEBHOOK_SECRET_PREVIOUS", "whsec_old")
    module = importlib.import_module(f"{name}_app")
    fulfilment = module.Fulfilment()
    app = module.create_app(fulfilment=fulfilment)
    delivery = build_webhook_delivery("item.purchased", secret="whsec_old")
    if name == "flask":
        assert app.extensions["invo"].base_url == INVO
        response = app.test_client().post("/invo/webhooks", data=delivery.body,
                                          headers=delivery.headers)
        app.extensions["invo"].close()
    else:
        from fastapi.testclient import TestClient

        with TestClient(app) as client:
            assert app.state.invo.base_url == INVO
            response = client.post("/invo/webhooks", content=delivery.body,
                                   headers=delivery.headers)
        assert app.state.invo.closed  # the app built this client, so it closed it
    assert response.status_code == 200
    assert len(fulfilment.items) == 1


# -- one receiver pattern: the same answers from every app -----------------------------------


def test_every_app_answers_a_missing_signing_secret_with_500(invo_api: responses.RequestsMock,
                                                             ) -> None:
    """A receiver without its secret is misconfigured: 500 (monitored, INVO retries), not 400."""
    for name in sorted(HARNESSES):
        harness = HARNESSES[name](SECRET, None, ["", ""])
        try:
            delivery = build_webhook_delivery("purchase.completed", secret=WHSEC)
            status, _ = harness.post("/invo/webhooks", data=delivery.body,
                                     headers=delivery.headers)
            assert status == 500, name
            assert harness.fulfilment.purchases == [], name
        finally:
            harness.close()


def test_every_app_answers_the_same_to_a_duplicate_and_to_a_keyless_event(app: Harness) -> None:
    delivery = build_webhook_delivery("item.purchased", secret=WHSEC)
    assert _post_delivery(app, delivery) == 200
    assert _post_delivery(app, delivery) == 200
    body = {"event_id": "evt_1", "event_type": "item.purchased", "schema_version": "1.0",
            "tenant_id": "1", "data": delivery.payload["data"]}
    keyless = build_webhook_delivery(body, secret=WHSEC)  # signed, with no key in the body
    headers = {k: v for k, v in keyless.headers.items() if k != "X-Invo-Idempotency-Key"}
    status, _ = app.post("/invo/webhooks", data=keyless.body, headers=headers)
    assert status == 400  # no key to dedupe on: never processed, never a crash
    assert len(app.fulfilment.items) == 1


def test_the_guide_receivers_are_receive_webhook() -> None:
    """One pattern everywhere: each guide app and recipe hands the request to receive_webhook."""
    from tests.examples.conftest import EXAMPLES

    for name in ("flask_app.py", "fastapi_app.py", "django_app.py", "webhooks_flask.py",
                 "webhooks_fastapi.py", "webhooks_django.py"):
        source = (EXAMPLES / name).read_text(encoding="utf-8")
        assert "receive_webhook(" in source or "receive_webhook," in source, name
        assert "verify_webhook(" not in source, name


# -- development sign-in, so /invo/token can be tried by hand ---------------------------------


def _enable_dev_sign_in(app: Harness, monkeypatch: pytest.MonkeyPatch) -> None:
    if isinstance(app, FlaskHarness):
        monkeypatch.setitem(app.app.config, "DEV_SIGN_IN", True)
    elif isinstance(app, FastAPIHarness):
        monkeypatch.setattr(app.app.state, "dev_sign_in", True, raising=False)
    else:
        from django.test.utils import override_settings

        override = override_settings(DEV_SIGN_IN=True)
        override.enable()
        monkeypatch.setattr(app, "close", _then(app.close, override.disable))


def _then(first: Any, second: Any) -> Any:
    def both() -> None:
        first()
        second()
    return both


def test_dev_sign_in_is_off_unless_asked_for(app: Harness,
                                             invo_api: responses.RequestsMock) -> None:
    status, _ = app.post("/dev/sign-in", json_body={"email": EMAIL})
    assert status == 404
    status, _ = app.post("/invo/token", json_body={})
    assert status == 401
    assert len(invo_api.calls) == 0


def test_dev_sign_in_lets_a_person_try_the_token_endpoint(
    app: Harness, invo_api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    _enable_dev_sign_in(app, monkeypatch)
    invo_api.post(f"{INVO}/api/sdk/player-token",
                  json={"token": "ptk_1", "expires_at": "2030-01-01T00:15:00Z"})
    status, _ = app.post("/dev/sign-in", json_body={"email": "not-an-email"})
    assert status in (400, 422)
    status, body = app.post("/dev/sign-in", json_body={"email": EMAIL})
    assert status == 200 and body == {"player_email": EMAIL}
    status, body = app.post("/invo/token", json_body={})
    assert status == 200 and body["token"] == "ptk_1"
    assert _sent(invo_api) == {"player_email": EMAIL}


@pytest.mark.parametrize("name", ["flask", "fastapi"])
def test_dev_sign_in_follows_the_environment(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEV_SIGN_IN", "1")
    module = importlib.import_module(f"{name}_app")
    with InvoServer(SECRET) as invo:
        app = module.create_app(invo)
        enabled = app.config["DEV_SIGN_IN"] if name == "flask" else app.state.dev_sign_in
        assert enabled is True
        monkeypatch.setenv("DEV_SIGN_IN", "yes please")  # only "1" turns it on
        app = module.create_app(invo)
        enabled = app.config["DEV_SIGN_IN"] if name == "flask" else app.state.dev_sign_in
        assert enabled is False


# -- Django: the CSRF cookie the POST views rely on -------------------------------------------


def test_django_sets_the_csrf_cookie_and_its_posts_need_it(
    invo_api: responses.RequestsMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import Client

    invo_api.post(f"{INVO}/api/sdk/player-token",
                  json={"token": "ptk_1", "expires_at": "2030-01-01T00:15:00Z"})
    harness = DjangoHarness(SECRET, None, [WHSEC])
    try:
        _enable_dev_sign_in(harness, monkeypatch)
        browser = Client(enforce_csrf_checks=True)  # as a real browser meets the middleware
        assert "csrftoken" not in browser.cookies
        page = browser.get("/session")
        assert page.status_code == 200 and page.json() == {"player_email": None}
        token = browser.cookies["csrftoken"].value
        assert token

        def post(path: str, body: Any, csrf: Optional[str]) -> Any:
            headers = {"X-CSRFToken": csrf} if csrf else {}
            return browser.post(path, data=json.dumps(body), content_type="application/json",
                                headers=headers)

        assert post("/dev/sign-in", {"email": EMAIL}, None).status_code == 403
        assert post("/dev/sign-in", {"email": EMAIL}, token).status_code == 200
        assert browser.get("/session").json() == {"player_email": EMAIL}
        assert post("/invo/token", {}, None).status_code == 403
        assert len(invo_api.calls) == 0
        minted = post("/invo/token", {}, browser.cookies["csrftoken"].value)
        assert minted.status_code == 200 and minted.json()["token"] == "ptk_1"
        # INVO cannot send a CSRF token: the receiver is exempt, its signature authenticates.
        delivery = build_webhook_delivery("item.purchased", secret=WHSEC)
        hook = browser.post("/invo/webhooks", data=delivery.body,
                            content_type="application/json",
                            headers={k: v for k, v in delivery.headers.items()
                                     if k.lower() != "content-type"})
        assert hook.status_code == 200
    finally:
        harness.close()


# -- the guides' run commands match the apps ---------------------------------------------------


def test_the_flask_guide_runs_on_the_port_its_public_url_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import re
    from pathlib import Path

    guide = (Path(__file__).resolve().parents[2] / "docs" / "guides" / "flask.md").read_text(
        encoding="utf-8")
    ports = re.findall(r"flask --app examples/flask_app\.py run --port (\d+)", guide)
    assert ports, "the Flask guide lost its run command"
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    flask_app = importlib.import_module("flask_app")
    with InvoServer(SECRET) as invo:
        public_url = flask_app.create_app(invo).config["PUBLIC_URL"]
    assert {public_url.rsplit(":", 1)[-1]} == set(ports)
