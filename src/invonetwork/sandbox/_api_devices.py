"""HTTP handlers of one area of the API (see ``invonetwork._routes_devices``).

Each handler reads its fields (a bad one is a 400 naming it), calls a service and renders the
answer; the rules live in the services (``_svc_devices``, ``_svc_steam``).

Browser pages: the device approval page at the grant's verification URI (``/device``, where
the phone approves, denies or enrolls) and Steam's web checkout page for ``usersession="web"``
orders (``/steam/checkout/{order_id}``). Each action is a plain HTML form (no JavaScript
needed, so a headless browser or a test's HTTP POST does the same), answered with JSON when
the request is JSON.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import parse_qsl, quote, urlsplit

from .. import _routes_devices as rd
from .._route import Route
from ._handler import Call, Handler, ok
from ._messages import HTML, Request, Response, json_response
from ._model import DomainError

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._svc_devices import Grant
    from ._world import World

__all__ = ["admin_routes", "handlers", "pages"]

#: A browser page: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]

_SETTLE_FLOWS = {
    rd.TRANSFER_APPROVE: "transfer",
    rd.SEND_APPROVE: "send",
    rd.SEND_CONFIRM_RECEIPT: "send_receipt",
    rd.TRANSFER_CONFIRM_RECEIPT: "transfer_receipt",
}


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    devices, recovery, steam = world.devices, world.recovery, world.steam

    def settle(flow: str) -> Handler:
        return lambda c: devices.settle(c.bearer, flow, c.params[0], c.body.get("device_code"))

    table: dict[Route[Any], Handler] = {
        rd.STEAM_PACKS: lambda c: ok(steam.packs(c.query.get("steamid") or None)),
        rd.STEAM_INIT_PURCHASE: lambda c: ok(steam.init(c.body)),
        rd.STEAM_FINALIZE_PURCHASE: lambda c: ok(steam.finalize(c.body.get("order_id"))),
        rd.DEVICE_APPROVAL_BEGIN: lambda c: ok(
            devices.begin(c.bearer, c.body, c.header("Origin"))),
        rd.DEVICE_APPROVAL_POLL: lambda c: ok(devices.poll(c.bearer, c.body.get("device_code"))),
        rd.DEVICE_APPROVAL_CONFIRM_ENROLLMENT: lambda c: ok(devices.confirm_enrollment(
            c.bearer, c.body.get("device_code"), c.body.get("decision"))),
        rd.RECOVERY_BEGIN: lambda c: ok(recovery.begin(c.bearer)),
        rd.RECOVERY_COMPLETE: lambda c: ok(recovery.complete(c.bearer, c.body.get("code"))),
    }
    for route, flow in _SETTLE_FLOWS.items():
        table[route] = settle(flow)
    return table


# -- pages --------------------------------------------------------------------------------------

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0;padding:24px}"
    ".card{max-width:420px;margin:0 auto;background:#fff;border-radius:12px;padding:24px;"
    "box-shadow:0 2px 12px rgba(0,0,0,.08)}button{width:100%;padding:12px;margin-top:10px;"
    "border-radius:8px;border:0;font-size:16px;cursor:pointer}.go{background:#1f6feb;color:#fff}"
    ".no{background:#e5e7eb}.badge{font-size:12px;background:#fde68a;padding:2px 8px;"
    "border-radius:6px}.muted{color:#6b7280}.code{font-size:28px;letter-spacing:4px}"
)


def _page(title: str, body: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
        f"<title>{html.escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    ).encode()


def _query(request: Request) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(request.target).query, keep_blank_values=True))


def _form(request: Request) -> dict[str, str]:
    if not request.is_form:
        return {}
    return dict(parse_qsl(request.body.decode("utf-8", "replace")))


def _message_page(status: int, state: str, message: str) -> Response:
    body = (
        f"<main class=\"card\" id=\"invo-device\" data-state=\"{html.escape(state)}\">"
        f"<span class=\"badge\">SANDBOX</span><h1>{html.escape(message)}</h1></main>"
    )
    return Response(status, _page("INVO approval", body), HTML)


_MESSAGES = {
    "approved": "Approved. You can go back to the game.",
    "settled": "Approved. You can go back to the game.",
    "denied": "Declined. Nothing was sent.",
    "expired": "This code has expired: start again in the game.",
    "superseded": "This code was replaced: scan the new code on the screen.",
}


class DevicePages:
    """The device approval page and the Steam web checkout page."""

    def __init__(self, world: World, prefix: str) -> None:
        self.world = world
        self.prefix = prefix

    def routes(self) -> list[tuple[str, str, PageHandler]]:
        devices = self.world.devices
        steam = self.world.steam
        return [
            ("GET", "/device", self.device),
            ("POST", "/device/{user_code}/approve",
             self._device_action(lambda code, _r: devices.approve(code))),
            ("POST", "/device/{user_code}/deny",
             self._device_action(lambda code, _r: devices.deny(code))),
            ("POST", "/device/{user_code}/enroll", self._device_action(
                lambda code, request: devices.enroll(code, self._enroll_label(request)))),
            ("GET", "/steam/checkout/{order_id}", self.steam_checkout),
            ("POST", "/steam/checkout/{order_id}/approve",
             self._steam_action(lambda oid: steam.set_steam_status(oid, "Approved"))),
            ("POST", "/steam/checkout/{order_id}/cancel",
             self._steam_action(lambda oid: steam.set_steam_status(oid, "Cancelled"))),
        ]

    # -- device approval --------------------------------------------------------------------

    def _enroll_label(self, request: Request) -> str:
        label: Any = _form(request).get("device_label")
        if label is None and not request.is_form:
            try:
                parsed = json.loads(request.body.decode("utf-8") or "{}")
            except ValueError:
                parsed = {}
            label = parsed.get("device_label") if isinstance(parsed, dict) else None
        return label if isinstance(label, str) else "phone"

    def device(self, request: Request, params: tuple[str, ...]) -> Response:
        """The page at the verification URI: enter a code, or approve / deny / enroll."""
        code = _query(request).get("user_code", "").strip()
        if not code:
            action = html.escape(f"{self.prefix}/device")
            body = (
                "<main class=\"card\" id=\"invo-device\" data-state=\"enter_code\">"
                "<span class=\"badge\">SANDBOX</span><h1>Approve on INVO</h1>"
                "<p class=\"muted\">Enter the code shown on your screen.</p>"
                f"<form method=\"get\" action=\"{action}\"><input id=\"invo-user-code\" "
                "name=\"user_code\" autocomplete=\"off\"><button class=\"go\" id=\"invo-continue\""
                " type=\"submit\">Continue</button></form></main>"
            )
            return Response(200, _page("INVO approval", body), HTML)
        devices = self.world.devices
        with self.world.lock:
            try:
                grant = devices.by_user_code(code)
            except DomainError as failure:
                return _message_page(failure.status, "not_found", failure.body["error"])
            shown = devices.page_state(grant)
            if shown != "pending":
                return _message_page(200, shown, _MESSAGES.get(shown, shown))
            summary = devices.movement_summary(grant)
            enrollment = dict(grant.enrollment) if grant.enrollment else None
            player_email = grant.email
            flow = grant.flow
        return Response(200, self._render_pending(grant.user_code, flow, player_email, summary,
                                                  enrollment), HTML)

    def _render_pending(self, user_code: str, flow: str, email: str, summary: dict[str, Any],
                        enrollment: Any) -> bytes:
        esc = html.escape
        base = f"{self.prefix}/device/{quote(user_code, safe='')}"
        what = {
            "transfer": "Send", "send": "Send",
            "send_receipt": "Confirm you received", "transfer_receipt": "Confirm you received",
        }[flow]
        amount = f"{summary['amount']} {summary['currency_name']}".strip()
        if enrollment is not None and enrollment["state"] == "awaiting_screen":
            enroll_part = (
                "<p id=\"invo-match\">Check that the game screen shows "
                f"<strong class=\"code\">{esc(enrollment['match_code'])}</strong> and confirm "
                "there.</p>"
            )
        elif enrollment is None:
            labels = "".join(f"<option>{esc(label)}</option>" for label in (
                "iPhone", "iPad", "Android phone", "Android device", "Mac", "Windows PC",
                "Chromebook", "Linux device", "phone"))
            enroll_part = (
                f"<form id=\"invo-enroll-form\" method=\"post\" action=\"{esc(base)}/enroll\">"
                f"<p class=\"muted\">First time on this phone?</p><select name=\"device_label\""
                f" id=\"invo-device-label\">{labels}</select><button class=\"no\" "
                "id=\"invo-enroll\" type=\"submit\">Use this phone for INVO</button></form>"
            )
        else:
            enroll_part = "<p class=\"muted\">This phone is confirmed.</p>"
        body = (
            f"<main class=\"card\" id=\"invo-device\" data-state=\"pending\" "
            f"data-user-code=\"{esc(user_code)}\"><span class=\"badge\">SANDBOX</span>"
            f"<h1>{esc(what)} {esc(amount)}</h1><p class=\"muted\">{esc(email)} &middot; "
            f"code <span class=\"code\">{esc(user_code)}</span></p>"
            f"<form id=\"invo-approve-form\" method=\"post\" action=\"{esc(base)}/approve\">"
            "<button class=\"go\" id=\"invo-approve\" type=\"submit\">Approve</button></form>"
            f"<form id=\"invo-deny-form\" method=\"post\" action=\"{esc(base)}/deny\">"
            "<button class=\"no\" id=\"invo-deny\" type=\"submit\">Decline</button></form>"
            f"{enroll_part}<p class=\"muted\">No passkey prompt here: this is the local INVO "
            "sandbox.</p></main>"
        )
        return _page("INVO approval", body)

    def _device_action(self, press: Callable[[str, Request], Grant]) -> PageHandler:
        def handler(request: Request, params: tuple[str, ...]) -> Response:
            try:
                grant = press(params[0], request)
            except DomainError as failure:
                if request.is_form:
                    return _message_page(failure.status, "error", failure.body["error"])
                raise
            if request.is_form:
                page = f"{self.prefix}/device?user_code={quote(grant.user_code, safe='')}"
                return Response(303, b"", HTML, {"Location": page})
            answer: dict[str, Any] = {"state": grant.state, "user_code": grant.user_code}
            if grant.enrollment is not None:
                answer["enrollment"] = dict(grant.enrollment)
            return json_response(200, answer)

        return handler

    # -- Steam web checkout -----------------------------------------------------------------

    def steam_checkout(self, request: Request, params: tuple[str, ...]) -> Response:
        """Steam's checkout page for a web session (the sandbox's stand-in)."""
        steam = self.world.steam
        with self.world.lock:
            try:
                order = steam.order(params[0])
            except DomainError as failure:
                return _message_page(failure.status, "not_found", failure.body["error"])
            status = order.steam_status
            price, label = order.price_usd, order.pack_id
        esc = html.escape
        base = esc(f"{self.prefix}/steam/checkout/{quote(params[0], safe='')}")
        actions = (
            f"<form method=\"post\" action=\"{base}/approve\"><button class=\"go\" "
            "id=\"steam-approve\" type=\"submit\">Authorize</button></form>"
            f"<form method=\"post\" action=\"{base}/cancel\"><button class=\"no\" "
            "id=\"steam-cancel\" type=\"submit\">Cancel</button></form>"
            if status == "Init" else ""
        )
        body = (
            f"<main class=\"card\" id=\"steam-checkout\" data-state=\"{esc(status)}\">"
            f"<span class=\"badge\">SANDBOX STEAM</span><h1>{esc(label)}: "
            f"${esc(str(price))}</h1><p class=\"muted\">Steam status: {esc(status)}</p>"
            f"{actions}</main>"
        )
        return Response(200, _page("Steam checkout", body), HTML)

    def _steam_action(self, press: Callable[[str], Any]) -> PageHandler:
        def handler(request: Request, params: tuple[str, ...]) -> Response:
            try:
                order = press(params[0])
            except DomainError as failure:
                if request.is_form:
                    return _message_page(failure.status, "error", failure.body["error"])
                raise
            if request.is_form:
                page = f"{self.prefix}/steam/checkout/{quote(params[0], safe='')}"
                return Response(303, b"", HTML, {"Location": page})
            return json_response(200, {"order_id": order.order_id,
                                       "steam_status": order.steam_status})

        return handler


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """This area's browser pages: ``(method, path template, handler)``."""
    return DevicePages(world, prefix).routes()


# -- admin (the test-side helpers over HTTP) ------------------------------------------------------


def _ok(value: Any) -> Response:
    return json_response(200, value)


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """This area's test-side endpoints, under ``admin_prefix``."""
    a, sb = admin_prefix, sandbox

    def decide(c: Call) -> Response:
        return _ok(sb.decide_device_enrollment_by_email(
            c.params[0], approve=c.body.get("decision") != "deny"))

    def refund(c: Call) -> Response:
        return _ok(sb.steam_partial_refund(c.params[0], Decimal(str(c.body.get("coins", "1")))))

    return [
        ("POST", f"{a}/device/{{user_code}}/approve",
         lambda c: _ok(sb.approve_device_code(c.params[0]))),
        ("POST", f"{a}/device/{{user_code}}/deny",
         lambda c: _ok(sb.deny_device_code(c.params[0]))),
        ("POST", f"{a}/device/{{user_code}}/enroll",
         lambda c: _ok(sb.enroll_device(c.params[0], str(c.body.get("device_label", "phone"))))),
        ("POST", f"{a}/device/{{user_code}}/enrollment-by-email", decide),
        ("GET", f"{a}/recovery/code",
         lambda c: _ok({"code": sb.last_recovery_code(c.query.get("email", ""))})),
        ("POST", f"{a}/steam/orders/{{order_id}}/authorize",
         lambda c: _ok(sb.steam_authorize(c.params[0]))),
        ("POST", f"{a}/steam/orders/{{order_id}}/fail",
         lambda c: _ok(sb.steam_kill(c.params[0], str(c.body.get("status", "Failed"))))),
        ("POST", f"{a}/steam/orders/{{order_id}}/reconcile",
         lambda c: _ok(sb.steam_reconcile(c.params[0]))),
        ("POST", f"{a}/steam/orders/{{order_id}}/chargeback",
         lambda c: _ok(sb.steam_chargeback(c.params[0]))),
        ("POST", f"{a}/steam/orders/{{order_id}}/partial-refund", refund),
    ]
