"""HTTP semantics of the sandbox: routing, auth, user-agent policy, faults, JSON in and out.

:class:`SandboxApp` turns one parsed :class:`Request` into one :class:`Response`; the server
module only moves bytes. Order of checks for an API request: the user-agent policy (403), an
injected fault, the route (404 / 405), the game secret (401), the JSON body (400), then the
world's own rules.
"""

from __future__ import annotations

import hmac
import html
import json
import re
import secrets
import sys
import threading
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qsl, unquote, urlsplit

from ._checkout_page import error_page, render_checkout, result_page
from ._faults import FaultRule, RequestRecord
from ._model import BackendError, fmt

if TYPE_CHECKING:
    from ._sandbox import Sandbox

__all__ = ["ADMIN_PREFIX", "Request", "Response", "SandboxApp"]

ADMIN_PREFIX = "/__sandbox__"
BLOCKED_AGENTS = re.compile(r"nikto|sqlmap|python-urllib|scanner|bot", re.IGNORECASE)
_JSON = "application/json"
_HTML = "text/html; charset=utf-8"


@dataclass
class Request:
    """One HTTP request as the app sees it."""

    method: str
    target: str
    headers: Mapping[str, str]
    body: bytes = b""
    raw_headers: tuple[tuple[str, str], ...] = ()

    def header(self, name: str) -> str:
        """A header's value (case-insensitive), ``""`` when absent."""
        value = self.headers.get(name.lower())
        return value if value is not None else ""


@dataclass
class Response:
    """One HTTP answer; ``disconnect`` closes the connection without answering."""

    status: int
    body: bytes = b""
    content_type: str = _JSON
    headers: dict[str, str] = field(default_factory=dict)
    disconnect: bool = False


def json_response(status: int, body: Any, headers: Optional[dict[str, str]] = None) -> Response:
    """A JSON answer."""
    return Response(status, json.dumps(body).encode("utf-8"), _JSON, dict(headers or {}))


def _error(status: int, message: str, code: str, **extra: Any) -> Response:
    return json_response(status, {"error": message, "code": code, **extra})


Handler = Callable[["_Call"], Response]


@dataclass
class _Call:
    request: Request
    path: str
    params: tuple[str, ...]
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    auth: str  # "secret" | "none" | "page"


class SandboxApp:
    """Routes requests to the sandbox world; used by the HTTP server."""

    def __init__(self, sandbox: Sandbox, stop_event: threading.Event) -> None:
        self.sb = sandbox
        self.world = sandbox._world
        self.stop_event = stop_event
        self.routes: list[_Route] = []
        self.admin_routes: list[_Route] = []
        self._register()

    # -- routing table ----------------------------------------------------------------------

    def _add(self, method: str, path: str, handler: Handler, auth: str = "secret") -> None:
        regex = "^" + re.sub(r"\{[a-z_]+\}", "([^/]+)", path) + "$"
        route = _Route(method, re.compile(regex), handler, auth)
        (self.admin_routes if path.startswith(ADMIN_PREFIX) else self.routes).append(route)

    def _register(self) -> None:
        w = self.world
        def body_only(fn: Callable[[Mapping[str, Any]], tuple[int, dict[str, Any]]]) -> Handler:
            return lambda c: json_response(*fn(c.body))

        def query_only(fn: Callable[[Mapping[str, str]], tuple[int, dict[str, Any]]]) -> Handler:
            return lambda c: json_response(*fn(c.query))

        add = self._add
        add("POST", "/api/sdk/player-token", body_only(w.mint_player_token))
        add("POST", "/api/checkout/sessions", body_only(w.create_checkout))
        add("POST", "/api/currency-purchases/purchase-currency", body_only(w.purchase_currency))
        add("POST", "/api/currency-purchases/confirm-payment", body_only(w.confirm_payment))
        add("GET", "/api/currency-purchases/order-details", query_only(w.order_details))
        add("POST", "/api/item-purchases/purchase-item", body_only(w.purchase_item))
        add("GET", "/api/item-purchases/player-purchase-history", query_only(w.item_history))
        add("GET", "/api/item-purchases/order-details", query_only(w.item_order_details))
        add(
            "GET", "/api/player-balances/player/by-email/{email}",
            lambda c: json_response(*w.balance_by_email(c.params[0])),
        )
        add(
            "GET", "/api/player-balances/player/{player_id}",
            lambda c: json_response(*w.balance_by_id(c.params[0])),
        )
        add("GET", "/api/transfers/inbound-pending", query_only(w.inbound_pending))
        add("GET", "/api/wallet/identities", query_only(w.linked_identities))
        for kind, base in (("send", "/api/currency-sends"), ("transfer", "/api/transfers")):
            initiate = "initiate-send" if kind == "send" else "initiate-transfer"
            claim = "claim-currency" if kind == "send" else "claim-transfer"
            add("POST", f"{base}/{initiate}", self._kind(w.initiate, kind))
            add("POST", f"{base}/verify-sms", self._kind(w.verify_sms, kind))
            add("POST", f"{base}/{claim}", self._kind(w.claim, kind))
            add("POST", f"{base}/available-destinations", self._kind(w.destinations, kind))
            add(
                "GET", f"{base}/{{transaction_id}}/status",
                self._status_handler(kind),
            )
        add(
            "GET", "/api/transactions/{transaction_id}/approval-status",
            lambda c: json_response(*w.guardian_status(c.params[0])),
        )
        add("POST", "/api/wallet/phone-share/initiate", body_only(w.phone_share_initiate), "none")
        add("POST", "/api/wallet/phone-share/approve", body_only(w.phone_share_approve), "none")
        add("GET", "/api/wallet/phone-share/status", query_only(w.phone_share_status), "none")
        add(
            "PUT", "/api/dev/webhooks/games/{game_id}",
            lambda c: json_response(*w.register_webhook(c.params[0], c.body)),
        )
        add(
            "POST", "/api/dev/webhooks/games/{game_id}/rotate-secret",
            lambda c: json_response(*w.rotate_secret(c.params[0])),
        )
        add(
            "POST", "/api/dev/webhooks/games/{game_id}/test",
            lambda c: json_response(*w.test_webhook(c.params[0], c.body)),
        )
        add("GET", "/checkout/{session_id}", self._checkout_page, "page")
        add("POST", "/checkout/{session_id}/pay", self._checkout_action(w.pay_checkout), "page")
        add(
            "POST", "/checkout/{session_id}/cancel",
            self._checkout_action(w.cancel_checkout), "page",
        )
        add("GET", "/pay/{order_id}", self._payment_page, "page")
        add("POST", "/pay/{order_id}/complete", self._payment_complete, "page")
        self._register_admin()

    def _kind(
        self, fn: Callable[[str, Mapping[str, Any]], tuple[int, dict[str, Any]]], kind: str
    ) -> Handler:
        return lambda c: json_response(*fn(kind, c.body))

    def _status_handler(self, kind: str) -> Handler:
        return lambda c: json_response(*self.world.movement_status(kind, c.params[0]))

    # -- entry point ------------------------------------------------------------------------

    def handle(self, request: Request) -> Response:
        """Answer one request (never raises)."""
        split = urlsplit(request.target)
        path = self.sb._strip_prefix(split.path or "/")
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            return self._finish(self._dispatch(request, path, query, admin=True))
        self.sb._faults.arrive(request.method, path)
        response = self._api(request, path, query)
        self.sb._faults.record(
            RequestRecord(
                request.method, path, response.status,
                faulted=response.headers.pop("X-Sandbox-Fault", None), at=time.time(),
            )
        )
        return self._finish(response)

    def _finish(self, response: Response) -> Response:
        response.headers.setdefault("X-Invo-Request-Id", f"req_{secrets.token_hex(8)}")
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    def _api(self, request: Request, path: str, query: dict[str, str]) -> Response:
        agent = request.header("User-Agent").strip()
        if not agent or BLOCKED_AGENTS.search(agent):
            return _error(403, "Forbidden", "USER_AGENT_BLOCKED")
        rule = self.sb._faults.take(request.method, path)
        if rule is not None:
            response = self._apply_fault(rule)
            if response is None:  # a stall that ended: handle the request normally
                response = self._dispatch(request, path, query, admin=False)
            response.headers["X-Sandbox-Fault"] = rule.kind
            return response
        return self._dispatch(request, path, query, admin=False)

    def _apply_fault(self, rule: FaultRule) -> Optional[Response]:
        if rule.kind == "disconnect":
            return Response(0, disconnect=True)
        if rule.kind == "stall":
            if self.stop_event.wait(rule.seconds):
                return Response(0, disconnect=True)
            return None  # then handle normally
        headers: dict[str, str] = {}
        if rule.status == 429:
            retry = rule.retry_after if rule.retry_after is not None else 1
            headers["Retry-After"] = str(max(0, int(float(retry) + 0.999)))
        return json_response(rule.status, rule.response_body(), headers)

    def _dispatch(
        self, request: Request, path: str, query: dict[str, str], *, admin: bool
    ) -> Response:
        routes = self.admin_routes if admin else self.routes
        method = request.method.upper()
        allowed: list[str] = []
        for route in routes:
            match = route.pattern.match(path)
            if match is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            return self._run(route, request, path, query, match.groups())
        if allowed:
            return json_response(
                405,
                {"error": f"Method {method} not allowed", "code": "METHOD_NOT_ALLOWED"},
                {"Allow": ", ".join(sorted(set(allowed)))},
            )
        return _error(404, f"No route for {method} {path}", "NOT_FOUND")

    def _run(
        self,
        route: _Route,
        request: Request,
        path: str,
        query: dict[str, str],
        groups: tuple[str, ...],
    ) -> Response:
        if route.auth == "secret":
            given = request.header("X-Game-Secret-Key").strip()
            if not given or not hmac.compare_digest(
                given.encode("utf-8"), self.sb.game_secret.encode("utf-8")
            ):
                return _error(
                    401, "Invalid or missing game secret (X-Game-Secret-Key)",
                    "INVALID_GAME_SECRET",
                )
        body: dict[str, Any] = {}
        if request.method in ("POST", "PUT", "PATCH") and request.body.strip():
            content_type = request.header("Content-Type").lower()
            if route.auth == "page" and "application/x-www-form-urlencoded" in content_type:
                body = dict(parse_qsl(request.body.decode("utf-8", "replace")))
            else:
                try:
                    parsed = json.loads(request.body.decode("utf-8"))
                except (UnicodeDecodeError, ValueError):
                    return _error(400, "The request body is not valid JSON", "INVALID_JSON")
                if not isinstance(parsed, dict):
                    return _error(400, "The request body must be a JSON object", "INVALID_JSON")
                body = parsed
        call = _Call(request, path, tuple(unquote(g) for g in groups), query, body)
        try:
            if route.auth != "page":
                self.world.sweep()
            return route.handler(call)
        except BackendError as failure:
            return json_response(failure.status, failure.body)
        except (ValueError, KeyError, TypeError) as exc:
            return _error(400, str(exc) or type(exc).__name__, "VALIDATION_ERROR")
        except Exception:
            traceback.print_exc(file=sys.stderr)
            return _error(500, "Internal sandbox error", "INTERNAL_ERROR")

    # -- hosted pages -----------------------------------------------------------------------

    def _page_path(self, path: str) -> str:
        return f"{self.sb.path_prefix}{path}"

    def _checkout_page(self, call: _Call) -> Response:
        try:
            session = self.world.checkout_session(call.params[0])
        except BackendError as failure:
            return Response(
                failure.status,
                error_page(failure.status, failure.body["error"], failure.body.get("code")),
                _HTML,
            )
        with self.world.lock:
            amount = fmt(session.usd_amount * self.world.config.currency_per_usd)
            home = self.world.home
        page = render_checkout(
            session,
            page_path=self._page_path(f"/checkout/{session.session_id}"),
            game_name=home.name,
            currency_amount=amount,
            currency_name=home.currency_name,
        )
        return Response(200, page, _HTML)

    def _checkout_action(
        self, fn: Callable[[str], tuple[int, dict[str, Any]]]
    ) -> Handler:
        def handler(call: _Call) -> Response:
            form = "application/x-www-form-urlencoded" in call.request.header(
                "Content-Type"
            ).lower()
            try:
                status, result = fn(call.params[0])
            except BackendError as failure:
                if form:
                    return Response(
                        failure.status,
                        error_page(failure.status, failure.body["error"], failure.body.get("code")),
                        _HTML,
                    )
                raise
            if form:
                redirect = result.get("redirect_url")
                if redirect:
                    return Response(303, b"", _HTML, {"Location": str(redirect)})
                return Response(200, result_page(result), _HTML)
            return json_response(status, result)

        return handler

    def _payment_page(self, call: _Call) -> Response:
        order_id = call.params[0]
        with self.world.lock:
            order = self.world.orders.get(order_id)
            status = order.status if order is not None else None
        if order is None or status != "pending_payment":
            return Response(
                404, error_page(404, "No pending payment here", "ORDER_NOT_FOUND"), _HTML
            )
        action = html.escape(self._page_path(f"/pay/{order_id}/complete"))
        page = (
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Payment</title></head>"
            f"<body><h1>Sandbox payment for order {html.escape(order_id)}</h1>"
            f"<form method=\"post\" action=\"{action}\">"
            "<button id=\"invo-complete\" type=\"submit\">Complete payment</button></form>"
            "</body></html>"
        ).encode()
        return Response(200, page, _HTML)

    def _payment_complete(self, call: _Call) -> Response:
        status, result = self.world.complete_pending_payment(call.params[0])
        if "application/x-www-form-urlencoded" in call.request.header("Content-Type").lower():
            text = html.escape(f"Payment complete: new balance {result['new_balance']}")
            return Response(200, f"<!DOCTYPE html><p>{text}</p>".encode(), _HTML)
        return json_response(status, result)

    # -- admin API --------------------------------------------------------------------------

    def _register_admin(self) -> None:
        sb = self.sb
        a = ADMIN_PREFIX
        add = self._add

        def ok(value: object = None) -> Response:
            return json_response(200, {"ok": True} if value is None else value)

        add("GET", f"{a}/health", lambda c: ok({"ok": True, "base_url": sb.base_url}), "none")
        add("GET", f"{a}/state", lambda c: ok(sb.snapshot()), "none")
        add("POST", f"{a}/reset", self._then_ok(sb.reset), "none")
        add("POST", f"{a}/players", self._admin_add_player, "none")
        add(
            "POST", f"{a}/phone-owners",
            self._admin_phone_owner,
            "none",
        )
        add(
            "GET", f"{a}/faults",
            lambda c: ok({"faults": [r.to_dict() for r in sb.faults]}), "none",
        )
        add("POST", f"{a}/faults", self._admin_add_fault, "none")
        add("DELETE", f"{a}/faults", self._then_ok(sb.clear_faults), "none")
        add("GET", f"{a}/requests", lambda c: ok({"counts": sb.request_counts()}), "none")
        add("DELETE", f"{a}/requests", self._then_ok(sb.reset_request_counts), "none")
        add("POST", f"{a}/clock/advance", self._admin_advance, "none")
        add("GET", f"{a}/events", lambda c: ok({"events": sb.events}), "none")
        add("GET", f"{a}/webhooks/deliveries", self._admin_deliveries, "none")
        add(
            "GET", f"{a}/webhooks/dead-letters",
            lambda c: ok({"dead_letters": [
                {"event": d.event, "attempts": d.attempts, "last_error": d.last_error}
                for d in sb.dead_letters
            ]}),
            "none",
        )
        add("POST", f"{a}/webhooks/replay", self._admin_replay, "none")
        add("GET", f"{a}/sms", lambda c: ok({"messages": sb.sms_outbox}), "none")
        add("GET", f"{a}/otp", self._admin_otp, "none")
        add(
            "POST", f"{a}/transactions/{{transaction_id}}/approve",
            lambda c: ok(sb.approve_transaction(c.params[0])), "none",
        )
        add(
            "POST", f"{a}/guardian/{{transaction_id}}/approve",
            lambda c: ok(sb.guardian_approve(c.params[0])), "none",
        )
        add(
            "POST", f"{a}/guardian/{{transaction_id}}/reject",
            lambda c: ok(sb.guardian_reject(c.params[0])), "none",
        )
        add(
            "POST", f"{a}/orders/{{order_id}}/complete",
            lambda c: ok(sb.complete_payment(c.params[0])), "none",
        )
        add(
            "POST", f"{a}/checkout/{{session_id}}/pay",
            lambda c: ok(sb.pay_checkout(c.params[0])), "none",
        )

    @staticmethod
    def _then_ok(action: Callable[[], None]) -> Handler:
        def handler(call: _Call) -> Response:
            action()
            return json_response(200, {"ok": True})

        return handler

    def _admin_phone_owner(self, call: _Call) -> Response:
        phone, owner = call.body.get("phone"), call.body.get("owner_email")
        if not isinstance(phone, str) or not isinstance(owner, str):
            raise ValueError("phone and owner_email are required strings")
        self.sb.set_phone_owner(phone, owner)
        return json_response(200, {"ok": True})

    def _admin_add_player(self, call: _Call) -> Response:
        body = dict(call.body)
        email = body.pop("email", None)
        if not isinstance(email, str):
            raise ValueError("email is required")
        allowed = {
            "name", "phone", "balance", "balances", "passkey_enrolled", "is_minor",
            "linked_emails", "wallet_of",
        }
        unknown = set(body) - allowed
        if unknown:
            raise ValueError(f"unknown player fields: {', '.join(sorted(unknown))}")
        player_id = self.sb.add_player(email, **body)
        return json_response(200, {"ok": True, "player_id": player_id})

    def _admin_add_fault(self, call: _Call) -> Response:
        body = call.body
        rule = FaultRule(
            kind=str(body.get("kind", "status")),
            count=None if body.get("count", 1) is None else int(body.get("count", 1)),
            path=body.get("path"),
            method=body.get("method"),
            status=int(body.get("status", 429 if body.get("retry_after") is not None else 503)),
            retry_after=None if body.get("retry_after") is None else float(body["retry_after"]),
            seconds=float(body.get("seconds", 0.0)),
            body=body.get("body") if isinstance(body.get("body"), dict) else None,
        )
        self.sb.add_fault(rule)
        return json_response(200, {"ok": True, "fault": rule.to_dict()})

    def _admin_advance(self, call: _Call) -> Response:
        seconds = call.body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("seconds must be a number >= 0")
        self.sb.advance_time(float(seconds))
        return json_response(200, {"ok": True, "clock_offset": self.sb.clock_offset})

    def _admin_deliveries(self, call: _Call) -> Response:
        rows = [
            {
                "event_type": d.event_type,
                "idempotency_key": d.idempotency_key,
                "event_id": d.event_id,
                "attempt": d.attempt,
                "url": d.url,
                "status": d.status,
                "error": d.error,
                "delivered": d.delivered,
                "dead_lettered": d.dead_lettered,
                "next_attempt_in": d.next_attempt_in,
            }
            for d in self.sb.deliveries
        ]
        return json_response(200, {"deliveries": rows, "pending": self.sb.pending_deliveries})

    def _admin_replay(self, call: _Call) -> Response:
        key = call.body.get("idempotency_key")
        if key is None:
            return json_response(200, {"ok": True, "replayed": self.sb.replay_dead_letters()})
        self.sb.replay_event(str(key))
        return json_response(200, {"ok": True, "replayed": 1})

    def _admin_otp(self, call: _Call) -> Response:
        phone = call.query.get("phone", "")
        return json_response(200, {"phone": phone, "otp": self.sb.last_otp(phone)})

