"""The sandbox's thin HTTP layer: route, check the user agent and the secret, apply faults,
parse JSON, call a handler, turn domain errors into answers.

Order of checks for an API request: the user-agent policy (403), an injected fault, the
route (404 / 405), the game secret (401, unless the route is unauthenticated), the JSON body
(400), then the services' own rules. Admin requests (``/__sandbox__``) skip the policy, the
faults and the request log.
"""

from __future__ import annotations

import hmac
import json
import re
import secrets
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Union
from urllib.parse import parse_qsl, unquote, urlsplit

from ._admin import ADMIN_PREFIX, Admin
from ._api import AREAS, Call, Handler, api_handlers, needs_secret
from ._checkout_page import Pages
from ._faults import RequestRecord
from ._messages import Request, Response, error_response, json_response
from ._model import DomainError

if TYPE_CHECKING:
    from ._sandbox import Sandbox

__all__ = ["ADMIN_PREFIX", "Request", "Response", "Router", "SandboxApp", "json_response"]

BLOCKED_AGENTS = re.compile(r"nikto|sqlmap|python-urllib|scanner|bot", re.IGNORECASE)
_PARAM = re.compile(r"\{[a-z_]+\}")


@dataclass(frozen=True)
class Endpoint:
    """What a route runs: ``kind`` is ``api`` (JSON in and out), ``page`` or ``admin``."""

    run: Callable[[Request, Call], Response]
    kind: str
    authenticated: bool = True


class Router:
    """Exact paths in a dict (one look-up), templated paths as regexes tried in order."""

    def __init__(self) -> None:
        self._exact: dict[str, dict[str, Endpoint]] = {}
        self._templated: list[tuple[re.Pattern[str], dict[str, Endpoint]]] = []

    def add(self, method: str, template: str, endpoint: Endpoint) -> None:
        """Serve ``method template`` with ``endpoint``."""
        if _PARAM.search(template) is None:
            self._exact.setdefault(template, {})[method] = endpoint
            return
        pattern = re.compile("^" + _PARAM.sub("([^/]+)", template) + "$")
        for known, methods in self._templated:
            if known.pattern == pattern.pattern:
                methods[method] = endpoint
                return
        self._templated.append((pattern, {method: endpoint}))

    def match(self, method: str, path: str) -> Union[Response, tuple[Endpoint, tuple[str, ...]]]:
        """The endpoint and its path parameters, or the 404/405 answer."""
        methods = self._exact.get(path)
        params: tuple[str, ...] = ()
        if methods is None:
            for pattern, candidates in self._templated:
                found = pattern.match(path)
                if found is not None:
                    methods, params = candidates, tuple(unquote(g) for g in found.groups())
                    break
        if methods is None:
            return error_response(404, f"No route for {method} {path}", "NOT_FOUND")
        endpoint = methods.get(method)
        if endpoint is None:
            allow = ", ".join(sorted(methods))
            return json_response(405, {"error": f"Method {method} not allowed",
                                       "code": "METHOD_NOT_ALLOWED"}, {"Allow": allow})
        return endpoint, params


def _api_endpoint(handler: Handler, authenticated: bool) -> Endpoint:
    def run(request: Request, call: Call) -> Response:
        status, body = handler(call)
        return json_response(status, body)

    return Endpoint(run, "api", authenticated)


def _plain_endpoint(handler: Callable[..., Response], kind: str, with_request: bool) -> Endpoint:
    if with_request:
        return Endpoint(lambda request, call: handler(request, call.params), kind, False)
    return Endpoint(lambda request, call: handler(call), kind, False)


def _json_body(request: Request, endpoint: Endpoint) -> Union[Response, dict[str, Any]]:
    if request.method not in ("POST", "PUT", "PATCH") or not request.body.strip():
        return {}
    if endpoint.kind == "page" and request.is_form:
        return dict(parse_qsl(request.body.decode("utf-8", "replace")))
    try:
        parsed = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return error_response(400, "The request body is not valid JSON", "INVALID_JSON")
    if not isinstance(parsed, dict):
        return error_response(400, "The request body must be a JSON object", "INVALID_JSON")
    return parsed


class SandboxApp:
    """Turns one parsed :class:`Request` into one :class:`Response` (never raises)."""

    def __init__(self, sandbox: Sandbox, stop_event: threading.Event) -> None:
        self.sb = sandbox
        self.world = sandbox._world
        self.stop_event = stop_event
        self.api = Router()
        self.admin = Router()
        for route, handler in api_handlers(self.world).items():
            self.api.add(route.method, route.path, _api_endpoint(handler, needs_secret(route)))
        pages = Pages(self.world, sandbox.path_prefix).routes()
        admin = Admin(sandbox).routes()
        for area in AREAS:
            pages += area.pages(self.world, sandbox.path_prefix)
            admin += area.admin_routes(sandbox, ADMIN_PREFIX)
        for method, path, page in pages:
            self.api.add(method, path, _plain_endpoint(page, "page", True))
        for method, path, action in admin:
            self.admin.add(method, path, _plain_endpoint(action, "admin", False))

    def handle(self, request: Request) -> Response:
        """Answer one request."""
        split = urlsplit(request.target)
        path = self.sb._strip_prefix(split.path or "/")
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return self._finish(self._dispatch(self.admin, request, path, query))
        faults = self.sb._faults
        faults.arrive(request.method, path)
        response = self._api(request, path, query)
        fault = response.headers.pop("X-Sandbox-Fault", None)
        faults.record(RequestRecord(request.method, path, response.status, fault, time.time()))
        return self._finish(response)

    @staticmethod
    def _finish(response: Response) -> Response:
        response.headers.setdefault("X-Invo-Request-Id", f"req_{secrets.token_hex(8)}")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _api(self, request: Request, path: str, query: dict[str, str]) -> Response:
        agent = request.header("User-Agent").strip()
        if not agent or BLOCKED_AGENTS.search(agent):
            return error_response(403, "Forbidden", "USER_AGENT_BLOCKED")
        rule = self.sb._faults.take(request.method, path)
        if rule is None:
            return self._dispatch(self.api, request, path, query)
        response = rule.apply(self.stop_event)
        if response is None:  # a stall that ended: handle the request normally
            response = self._dispatch(self.api, request, path, query)
        response.headers["X-Sandbox-Fault"] = rule.kind
        return response

    def _authorised(self, request: Request) -> bool:
        given = request.header("X-Game-Secret-Key").strip().encode("utf-8")
        expected = self.sb.game_secret.encode("utf-8")
        return bool(given) and hmac.compare_digest(given, expected)

    def _dispatch(
        self, router: Router, request: Request, path: str, query: dict[str, str]
    ) -> Response:
        found = router.match(request.method.upper(), path)
        if isinstance(found, Response):
            return found
        endpoint, params = found
        if endpoint.kind == "api" and endpoint.authenticated and not self._authorised(request):
            return error_response(401, "Invalid or missing game secret (X-Game-Secret-Key)",
                                  "INVALID_GAME_SECRET")
        body = _json_body(request, endpoint)
        if isinstance(body, Response):
            return body
        return self._run(endpoint, request, Call(params, query, body, request.headers))

    def _run(self, endpoint: Endpoint, request: Request, call: Call) -> Response:
        try:
            if endpoint.kind == "api":
                self.world.transfers.sweep()
                self.world.subscriptions.sweep()
            return endpoint.run(request, call)
        except DomainError as failure:
            return json_response(failure.status, failure.body)
        except (ValueError, KeyError, TypeError) as exc:
            return error_response(400, str(exc) or type(exc).__name__, "VALIDATION_ERROR")
        except Exception as exc:
            status, body = getattr(exc, "status", None), getattr(exc, "body", None)
            if isinstance(status, int) and isinstance(body, dict):  # a SandboxError
                return json_response(status, body)
            traceback.print_exc(file=sys.stderr)
            return error_response(500, "Internal sandbox error", "INTERNAL_ERROR")
