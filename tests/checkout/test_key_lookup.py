"""The key-environment lookup (api-current §4.2) against a real HTTP server on 127.0.0.1,
and the key/host mismatch check at construction."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from invonetwork import (
    EnvironmentUnknownError,
    Hooks,
    InvoError,
    InvoServer,
    KeyEnvironmentMismatchError,
)
from invonetwork import _environment as environment
from invonetwork.errors import ConfigurationError
from invonetwork.sandbox import Sandbox

OLD_KEY = "legacykey0123456789"
LOOKUP = "/api/sdk/key-environment"


class Script:
    """What the local server answers, per environment, and what it was sent."""

    def __init__(self) -> None:
        self.answers: dict[str, tuple[int, Any]] = {}
        self.seen: list[tuple[str, str, dict[str, str]]] = []  # (method, path, headers)
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    script: Script

    def do_GET(self) -> None:
        with self.script.lock:
            self.script.seen.append(("GET", self.path, dict(self.headers)))
        where = self.path.split("/")[1]
        if self.path.endswith(LOOKUP):
            status, body = self.script.answers.get(where, (404, {"error": "not found"}))
        else:  # an API call once the environment is known
            status, body = 200, {"status": "pending", "where": where}
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        if status in (301, 302):
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}/x")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def script(monkeypatch: pytest.MonkeyPatch) -> Iterator[Script]:
    script = Script()
    handler = type("Handler", (_Handler,), {"script": script})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 0.1
    stop = threading.Event()

    def serve() -> None:
        for _ in range(2000):  # bounded: the test never needs more
            if stop.is_set():
                return
            server.handle_request()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(environment, "BASES",
                        {"production": f"{base}/prod", "sandbox": f"{base}/sbx"})
    environment.forget_lookups()
    try:
        yield script
    finally:
        stop.set()
        thread.join(5)
        server.server_close()
        environment.forget_lookups()


def lookups(script: Script) -> list[str]:
    return [path for _, path, _ in script.seen if path.endswith(LOOKUP)]


def read(invo: InvoServer) -> Any:
    return invo.get_purchase_status(session_id="cs_1", session_token="tok").raw


def test_nothing_is_sent_at_construction_then_production_is_asked_first(script: Script) -> None:
    script.answers["prod"] = (200, {"environment": "production"})
    invo = InvoServer(OLD_KEY, max_retries=0)
    assert script.seen == [] and invo.base_url == ""
    assert read(invo)["where"] == "prod"
    assert lookups(script) == ["/prod" + LOOKUP]
    method, _, headers = script.seen[0]
    assert method == "GET"
    assert headers["X-Game-Secret-Key"] == OLD_KEY  # the key, unchanged
    assert headers["Accept"] == "application/json"
    assert "python-sdk" in headers["User-Agent"]  # never an HTTP library's default agent
    assert "Authorization" not in headers
    assert invo.base_url == environment.BASES["production"]
    read(invo)
    assert len(lookups(script)) == 1  # settled
    invo.close()


@pytest.mark.parametrize("not_this_one", [(404, {}), (401, {"code": "INVALID_GAME_SECRET"}),
                                          (403, "blocked"), (200, {"environment": "staging"}),
                                          (200, {}), (200, b"not json")])
def test_production_saying_not_this_one_sends_the_question_to_the_sandbox(
    script: Script, not_this_one: tuple[int, Any]
) -> None:
    script.answers["prod"] = not_this_one
    script.answers["sbx"] = (200, {"environment": "sandbox"})
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        assert read(invo)["where"] == "sbx"
        assert invo.base_url == environment.BASES["sandbox"]
    assert lookups(script) == ["/prod" + LOOKUP, "/sbx" + LOOKUP]


def test_a_claim_names_the_environment_whoever_answers(script: Script) -> None:
    script.answers["prod"] = (200, {"environment": "sandbox"})
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        assert read(invo)["where"] == "sbx"
    assert lookups(script) == ["/prod" + LOOKUP]  # production claimed: no second ask


def test_a_production_failure_still_asks_the_sandbox(script: Script) -> None:
    script.answers["prod"] = (500, {"error": "down"})
    script.answers["sbx"] = (200, {"environment": "sandbox"})
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        assert read(invo)["where"] == "sbx"


@pytest.mark.parametrize("failure", [(503, {"error": "down"}), (302, {}), (429, {})])
def test_a_production_failure_with_no_claim_fails_that_request_and_is_not_cached(
    script: Script, failure: tuple[int, Any]
) -> None:
    script.answers["prod"] = failure
    invo = InvoServer(OLD_KEY, max_retries=2, retry_base_delay=0)
    with pytest.raises(InvoError) as info:
        read(invo)
    err = info.value
    assert err.status == 0 and err.code is None
    assert not isinstance(err, EnvironmentUnknownError)
    assert OLD_KEY not in str(err) and OLD_KEY not in repr(err)
    # one ask per environment: no retries, no redirect followed
    assert lookups(script) == ["/prod" + LOOKUP, "/sbx" + LOOKUP]
    assert not any(path == "/x" for _, path, _ in script.seen)
    script.answers["prod"] = (200, {"environment": "production"})
    assert read(invo)["where"] == "prod"  # the next request asks again
    invo.close()


def test_no_claim_anywhere_is_environment_unknown(script: Script) -> None:
    script.answers["prod"] = (404, {})
    script.answers["sbx"] = (401, {})
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        with pytest.raises(EnvironmentUnknownError) as info:
            read(invo)
        assert isinstance(info.value, ValueError) and isinstance(info.value, InvoError)
        assert info.value.status == 0 and info.value.code == "ENVIRONMENT_UNKNOWN"
        assert "base_url" in str(info.value) and OLD_KEY not in str(info.value)
        assert invo.base_url == ""


def test_a_network_failure_at_production_is_a_failure_the_sandbox_can_overrule(
    script: Script, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens there any more
    monkeypatch.setitem(environment.BASES, "production", f"http://127.0.0.1:{port}/prod")
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        with pytest.raises(InvoError) as info:
            read(invo)  # the sandbox says "not this one": the production failure is raised
        assert info.value.status == 0 and info.value.code is None
        script.answers["sbx"] = (200, {"environment": "sandbox"})
        assert read(invo)["where"] == "sbx"


def test_claims_are_cached_per_key_for_the_process(script: Script) -> None:
    script.answers["prod"] = (200, {"environment": "production"})
    with InvoServer(OLD_KEY, max_retries=0) as first:
        read(first)
    with InvoServer(OLD_KEY, max_retries=0) as second:
        read(second)
        assert second.base_url == environment.BASES["production"]
    assert len(lookups(script)) == 1
    with InvoServer(OLD_KEY + "x", max_retries=0) as other:
        read(other)
    assert len(lookups(script)) == 2


def test_a_with_options_view_shares_the_answer(script: Script) -> None:
    script.answers["prod"] = (200, {"environment": "production"})
    with InvoServer(OLD_KEY, max_retries=0) as invo:
        view = invo.with_options(timeout=5)
        read(view)
        read(invo)
    assert len(lookups(script)) == 1


def test_the_lookup_calls_no_hooks(script: Script) -> None:
    script.answers["prod"] = (200, {"environment": "production"})
    urls: list[str] = []
    hooks = Hooks(on_request=lambda i: urls.append(i.url),
                  on_response=lambda i: urls.append(i.url), on_error=lambda i: urls.append(i.url))
    with InvoServer(OLD_KEY, max_retries=0, hooks=hooks) as invo:
        read(invo)
    assert urls and not any(LOOKUP in url for url in urls)


@pytest.mark.parametrize("key", ["ivsdk_live_abc", "ivsdk_test_abc", "ivsdk_demo_abc"])
def test_prefixed_keys_never_ask(script: Script, key: str) -> None:
    invo = InvoServer(key)
    expected = {"ivsdk_live_abc": "https://invo.network"}.get(
        key, "https://sandbox.invo.network/sandbox")
    assert invo.base_url == expected and script.seen == []
    invo.close()


def test_an_empty_base_url_counts_as_omitted(script: Script) -> None:
    assert InvoServer("ivsdk_live_abc", "").base_url == "https://invo.network"
    assert InvoServer("ivsdk_demo_abc", "  ").base_url == "https://sandbox.invo.network/sandbox"
    assert InvoServer(OLD_KEY, "").base_url == ""  # looked up on the first request


def test_the_sandbox_claims_its_own_key_and_only_it() -> None:
    with Sandbox(game_secret="legacysandboxkey42") as sb:
        answer = _get_json(sb.base_url + LOOKUP, sb.game_secret)
        assert answer == (200, {"environment": "sandbox"})
        assert _get_json(sb.base_url + LOOKUP, "another-key")[0] == 401


def _get_json(url: str, key: str) -> tuple[int, Any]:
    import requests

    response = requests.get(url, headers={"X-Game-Secret-Key": key,
                                          "User-Agent": "invonetwork-python-sdk/test"},
                            timeout=10)
    return response.status_code, response.json()


# -- the mismatch check at construction ------------------------------------------------------


@pytest.mark.parametrize(("key", "url", "key_env", "configured"), [
    ("ivsdk_live_x", "https://sandbox.invo.network/sandbox", "production", "sandbox"),
    ("ivsdk_live_x", "https://SANDBOX.invo.network./sandbox", "production", "sandbox"),
    ("ivsdk_live_x", "https://invo.network/sandbox", "production", "sandbox"),
    ("ivsdk_live_x", "https://www.invo.network/sandbox/", "production", "sandbox"),
    ("ivsdk_test_x", "https://invo.network", "sandbox", "production"),
    ("ivsdk_test_x", "https://www.invo.network", "sandbox", "production"),
    ("ivsdk_test_x", "https://Invo.Network.", "sandbox", "production"),
    ("ivsdk_test_x", "https://invo.network/sandboxes", "sandbox", "production"),
])
def test_a_key_aimed_at_the_other_environment_is_refused_at_construction(
    key: str, url: str, key_env: str, configured: str
) -> None:
    with pytest.raises(KeyEnvironmentMismatchError) as info:
        InvoServer(key, url)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, ConfigurationError)
    assert (err.key_environment, err.configured_environment) == (key_env, configured)
    assert err.code == "KEY_ENVIRONMENT_MISMATCH" and key not in str(err)


@pytest.mark.parametrize(("key", "url"), [
    ("ivsdk_live_x", "https://invo.network"), ("ivsdk_test_x", "https://invo.network/sandbox"),
    ("ivsdk_test_x", "https://sandbox.invo.network/sandbox"),
    ("ivsdk_demo_x", "https://invo.network"), ("ivsdk_demo_x", "https://sandbox.invo.network"),
    (OLD_KEY, "https://invo.network"), (OLD_KEY, "https://sandbox.invo.network/sandbox"),
    ("ivsdk_live_x", "https://proxy.example.com/sandbox"), ("ivsdk_live_x", "http://127.0.0.1:9"),
])
def test_matching_demo_unprefixed_and_foreign_hosts_are_not_checked(key: str, url: str) -> None:
    InvoServer(key, url).close()


def test_the_http_keyword_is_refused_with_a_pointer_to_session() -> None:
    with pytest.raises(ConfigurationError) as info:
        InvoServer("ivsdk_test_x", http=lambda *a: None)  # type: ignore[arg-type]
    assert "session=" in str(info.value)
    InvoServer("ivsdk_test_x", http=None).close()
