"""Every client route is served by the local sandbox: a new route without a handler fails here.

Each route is sent once, with placeholder ids and an empty JSON body where it takes one; the
sandbox may refuse the content (400, 404 for an unknown id ...) but must know the route, so
the answer is never its "no such route" 404 or a 405.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
import requests

from invonetwork._routes import ALL_ROUTES, Route
from invonetwork.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def _no_such_route(response: requests.Response) -> bool:
    if response.status_code == 405:
        return True
    if response.status_code != 404:
        return False
    try:
        body = response.json()
    except ValueError:
        return True
    return "no route" in json.dumps(body).lower()


def _send(sandbox: Sandbox, route: Route[object]) -> requests.Response:
    path = re.sub(r"{\w+}", "placeholder-1", route.path)
    headers = {"User-Agent": "invonetwork-python-sdk/test", "Accept": "application/json"}
    if route.authenticated:
        headers["X-Game-Secret-Key"] = sandbox.game_secret
    has_body = route.method in ("POST", "PUT", "PATCH")
    return requests.request(route.method, sandbox.base_url + path, headers=headers,
                            json={} if has_body else None, timeout=10)


def test_an_unknown_route_is_detected(sandbox: Sandbox) -> None:
    for method in ("GET", "POST"):
        response = _send(sandbox, Route(method, "/api/no-such-thing/{id}", idempotent=True))
        assert _no_such_route(response), (response.status_code, response.text)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_the_sandbox_serves_every_client_route(sandbox: Sandbox, route: Route[object]) -> None:
    response = _send(sandbox, route)
    assert response.status_code != 405, response.text
    assert not _no_such_route(response), (response.status_code, response.text)
