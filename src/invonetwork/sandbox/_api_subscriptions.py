"""HTTP handlers of one area of the API (see ``invonetwork._routes_subscriptions``).

Each handler reads its fields (a bad one is a 400 naming it), calls the service
(``_svc_subscriptions``) and renders the answer; the rules live in the service. Also the
hosted card-setup page, the issuer's authentication page, and the test-side admin endpoints.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import parse_qs

from .. import _routes_subscriptions as r
from .._route import Route
from ._fields import int_query, opt_phone, opt_str, query_text, req_str
from ._handler import Answer, Call, Handler, ok
from ._messages import HTML, Request, Response, json_response
from ._model import DomainError, bad_request, parse_money
from ._svc_subscriptions import CreateRequest, SteamRequest, parse_iso

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._world import World

__all__ = ["admin_routes", "handlers", "pages"]

#: A browser page: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]

SUB_MONEY_MAX = Decimal("999999.99")


def _int(body: Mapping[str, Any], key: str, low: int, high: int) -> Optional[int]:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise bad_request(f"{key} must be an integer from {low} to {high}", key)
    return value


def _bool(body: Mapping[str, Any], key: str) -> Optional[bool]:
    value = body.get(key)
    if value is not None and not isinstance(value, bool):
        raise bad_request(f"{key} must be a boolean", key)
    return value


def _dict(body: Mapping[str, Any], key: str) -> Optional[dict[str, Any]]:
    value = body.get(key)
    if value is not None and not isinstance(value, dict):
        raise bad_request(f"{key} must be an object", key)
    return value


def _interval(body: Mapping[str, Any]) -> tuple[str, int]:
    interval = opt_str(body, "interval") or "month"
    if interval not in ("month", "year"):
        raise bad_request("interval must be month or year", "interval")
    count = _int(body, "interval_count", 1, 36)
    return interval, 1 if count is None else count


def _money(body: Mapping[str, Any], key: str) -> Decimal:
    return parse_money(body.get(key), key, SUB_MONEY_MAX)


def _create(body: Mapping[str, Any]) -> CreateRequest:
    interval, count = _interval(body)
    trial_end_text = opt_str(body, "trial_end")
    trial_end = None
    if trial_end_text is not None:
        trial_end = parse_iso(trial_end_text)
        if trial_end is None:
            raise bad_request("trial_end must be an ISO 8601 instant", "trial_end")
    trial_amount = None
    if body.get("trial_amount_usd") is not None:
        if body.get("trial_days") is None and trial_end is None:
            raise DomainError(400, "trial_amount_usd needs a trial",
                              "TRIAL_AMOUNT_REQUIRES_TRIAL")
        if body.get("wallet_only") is True:
            raise DomainError(400, "A paid trial cannot be wallet-only",
                              "TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING")
        try:
            trial_amount = _money(body, "trial_amount_usd")
        except DomainError:
            raise DomainError(400, "trial_amount_usd is not a valid amount",
                              "TRIAL_AMOUNT_INVALID") from None
    amount = _money(body, "amount_usd")
    if trial_amount is not None and not Decimal("0.50") <= trial_amount < amount:
        raise DomainError(400, "trial_amount_usd must be 0.50 or more and below amount_usd",
                          "TRIAL_AMOUNT_INVALID")
    card = body.get("player_card_id")
    if card is not None and (isinstance(card, bool) or not isinstance(card, int)):
        raise bad_request("player_card_id must be an integer", "player_card_id")
    metadata = _dict(body, "metadata")
    if metadata is not None and "_invo" in metadata:
        raise bad_request("metadata must not hold _invo", "metadata")
    return CreateRequest(
        client_request_id=req_str(body, "client_request_id"),
        player_email=req_str(body, "player_email"), player_name=req_str(body, "player_name"),
        item_id=req_str(body, "item_id"), amount=amount, item_name=opt_str(body, "item_name"),
        player_phone=opt_phone(body, "player_phone"), interval=interval, interval_count=count,
        trial_days=_int(body, "trial_days", 1, 365), trial_end=trial_end,
        wallet_only=_bool(body, "wallet_only"), player_card_id=card, metadata=metadata,
        consent=_dict(body, "consent"), revenue_share=_dict(body, "revenue_share"),
        trial_amount=trial_amount,
    )


def _steam(body: Mapping[str, Any]) -> SteamRequest:
    steam_id = req_str(body, "steamid")
    if not (steam_id.isascii() and steam_id.isdigit()):
        raise bad_request("steamid must be a SteamID64 (digits)", "steamid")
    session = opt_str(body, "usersession") or "client"
    if session not in ("client", "web"):
        raise bad_request("usersession must be client or web", "usersession")
    ip = opt_str(body, "player_ip")
    if session == "web" and not ip:
        raise DomainError(400, "player_ip is required for web sessions", "MISSING_PLAYER_IP")
    interval, count = _interval(body)
    if count != 1:
        raise bad_request("interval_count must be 1 on Steam", "interval_count")
    return SteamRequest(
        client_request_id=req_str(body, "client_request_id"),
        player_email=req_str(body, "player_email"), player_name=req_str(body, "player_name"),
        item_id=req_str(body, "item_id"), amount=_money(body, "amount_usd"), steam_id=steam_id,
        user_session=session, player_ip=ip, item_name=opt_str(body, "item_name"),
        interval=interval, interval_count=count, player_phone=opt_phone(body, "player_phone"),
        metadata=_dict(body, "metadata"), consent=_dict(body, "consent"),
        revenue_share=_dict(body, "revenue_share"),
    )


def _reason(body: Mapping[str, Any]) -> Optional[str]:
    value = body.get("reason")
    if value is not None and not isinstance(value, str):
        raise bad_request("reason must be a string", "reason")
    return value or None


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    svc = world.subscriptions

    def create(call: Call) -> Answer:
        return svc.create(_create(call.body))

    def get(call: Call) -> Answer:
        return ok(svc.get(call.params[0], call.query.get("include_player") == "true"))

    def list_for_player(call: Call) -> Answer:
        email = query_text(call.query, "player_email")
        if not email:
            raise bad_request("player_email is required", "player_email")
        status = query_text(call.query, "status")
        return ok(svc.list_for_player(
            email, [s.strip() for s in status.split(",") if s.strip()] or None,
            int_query(call.query, "limit", 20, 1, 100),
            int_query(call.query, "offset", 0, 0, 100000),
            call.query.get("include_player") == "true"))

    def cancel(call: Call) -> Answer:
        at_end = call.body.get("at_period_end", True)
        if not isinstance(at_end, bool):
            raise bad_request("at_period_end must be a boolean", "at_period_end")
        return ok(svc.cancel(call.params[0], at_end, _reason(call.body)))

    def change_amount(call: Call) -> Answer:
        return ok(svc.change_amount(call.params[0], _money(call.body, "amount_usd")))

    def set_payment_method(call: Call) -> Answer:
        card = call.body.get("player_card_id")
        if card is not None and (isinstance(card, bool) or not isinstance(card, int)):
            raise bad_request("player_card_id must be an integer", "player_card_id")
        wallet = _bool(call.body, "wallet_only")
        if card is None and wallet is None:
            raise DomainError(400, "Give player_card_id or wallet_only",
                              "PAYMENT_METHOD_REQUIRED")
        return ok(svc.set_payment_method(call.params[0], card, wallet))

    def refund(call: Call) -> Answer:
        body = call.body
        amount = None if body.get("amount_usd") is None else _money(body, "amount_usd")
        return svc.refund(call.params[0], req_str(body, "client_request_id"),
                          _int(body, "period_seq", 1, 1000000), amount, _reason(body))

    def steam_init(call: Call) -> Answer:
        return svc.steam_init(_steam(call.body))

    def steam_finalize(call: Call) -> Answer:
        return ok(svc.steam_finalize(req_str(call.body, "subscription_id")))

    def setup_session(call: Call) -> Answer:
        body = call.body
        name = opt_str(body, "player_name")
        if name is not None and len(name) > 255:
            raise DomainError(400, "player_name is too long", "INVALID_INPUT")
        return 201, svc.create_setup_session(
            req_str(body, "player_email"), opt_str(body, "success_url"),
            opt_str(body, "cancel_url"), body.get("metadata"), name,
            opt_phone(body, "player_phone"))

    def begin(call: Call) -> Answer:
        return ok(svc.begin_setup(req_str(call.body, "player_email"),
                                  req_str(call.body, "setup_reference"),
                                  opt_str(call.body, "payment_method_id")))

    def confirm(call: Call) -> Answer:
        return ok(svc.confirm_setup(req_str(call.body, "setup_intent_id")))

    def list_cards(call: Call) -> Answer:
        email = query_text(call.query, "player_email")
        if not email:
            raise bad_request("player_email is required", "player_email")
        return ok(svc.list_cards(email))

    def clock(action: Callable[[Call], dict[str, Any]]) -> Handler:
        def handler(call: Call) -> Answer:
            svc.check_clock_key(call.header("X-Sandbox-Clock-Key"))
            return ok(action(call))

        return handler

    def advance(call: Call) -> dict[str, Any]:
        intervals = _int(call.body, "intervals", 0, 60)
        return svc.advance_clock(call.params[0], 1 if intervals is None else intervals)

    def force_failure(call: Call) -> dict[str, Any]:
        outcome = opt_str(call.body, "outcome") or "card_declined"
        if outcome not in ("card_declined", "insufficient_funds", "error"):
            raise bad_request("outcome must be card_declined, insufficient_funds or error",
                              "outcome")
        return svc.force_failure(call.params[0], outcome, opt_str(call.body, "failure_code"),
                                 opt_str(call.body, "failure_message"))

    return {
        r.SUB_CREATE: create,
        r.SUB_GET: get,
        r.SUB_LIST: list_for_player,
        r.SUB_CANCEL: cancel,
        r.SUB_CHANGE_AMOUNT: change_amount,
        r.SUB_SET_PAYMENT_METHOD: set_payment_method,
        r.SUB_REFUND: refund,
        r.SUB_STEAM_INIT: steam_init,
        r.SUB_STEAM_FINALIZE: steam_finalize,
        r.CARD_SETUP_SESSION: setup_session,
        r.CARD_BEGIN_SETUP: begin,
        r.CARD_CONFIRM_SETUP: confirm,
        r.CARD_LIST: list_cards,
        r.CLOCK_ADVANCE: clock(advance),
        r.CLOCK_FORCE_RENEWAL: clock(lambda c: svc.force_renewal(c.params[0])),
        r.CLOCK_FORCE_FAILURE: clock(force_failure),
        r.CLOCK_FORCE_AUTH_CHALLENGE: clock(
            lambda c: svc.force_auth_challenge(c.params[0],
                                               opt_str(c.body, "failure_message"))),
    }


# -- pages -------------------------------------------------------------------------------------


def _page(title: str, inner: str) -> bytes:
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title></head><body><main>"
        f"<span class=\"badge\">SANDBOX</span>{inner}</main></body></html>"
    ).encode()


def _error_page(failure: DomainError) -> Response:
    text = html.escape(str(failure.body.get("error", "error")))
    return Response(failure.status, _page("Error", f"<h1>{text}</h1>"), HTML)


def _form_value(request: Request, key: str) -> Optional[str]:
    if request.is_form:
        values = parse_qs(request.body.decode("utf-8", "replace")).get(key)
        return values[0] if values else None
    return None


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """The hosted card-setup page (and its Save action) and the issuer's challenge page."""
    svc = world.subscriptions

    def setup_page(request: Request, params: tuple[str, ...]) -> Response:
        try:
            session = svc.setup_session(params[0])
        except DomainError as failure:
            return _error_page(failure)
        esc = html.escape
        if session.card_id is not None:
            card = svc.t.cards[session.card_id]
            inner = (f"<h1 id=\"invo-card-saved\">Card saved</h1><p>{esc(card.brand)} ending "
                     f"{esc(card.last_four)}</p>")
        else:
            action = f"{request.target.split('?')[0]}/save"
            inner = (
                f"<h1>Save a card</h1><p>{esc(session.player_email)}</p>"
                f"<form id=\"invo-card-form\" method=\"post\" action=\"{esc(action)}\">"
                "<label>Test card <select name=\"payment_method_id\">"
                "<option value=\"pm_card_visa\">Visa, pays</option>"
                "<option value=\"pm_card_declined\">Declines every charge</option>"
                "<option value=\"pm_card_3ds\">Asks for authentication</option>"
                "</select></label><button id=\"invo-save\" type=\"submit\">Save card</button>"
                "</form><p>Nothing is charged: this is the local INVO sandbox.</p>")
        return Response(200, _page("Save a card", inner), HTML)

    def save(request: Request, params: tuple[str, ...]) -> Response:
        method = _form_value(request, "payment_method_id") or "pm_card_visa"
        try:
            result = svc.save_from_session(params[0], method)
        except DomainError as failure:
            return _error_page(failure)
        if request.is_form and result.get("redirect_url"):
            return Response(303, b"", HTML, {"Location": str(result["redirect_url"])})
        return json_response(200, result)

    def challenge(request: Request, params: tuple[str, ...]) -> Response:
        action = f"{request.target.split('?')[0]}/confirm"
        inner = ("<h1>Confirm your payment</h1>"
                 f"<form method=\"post\" action=\"{html.escape(action)}\">"
                 "<button id=\"invo-authenticate\" type=\"submit\">Authenticate</button></form>")
        return Response(200, _page("Authenticate", inner), HTML)

    def confirm(request: Request, params: tuple[str, ...]) -> Response:
        try:
            result = svc.authenticate(params[0])
        except DomainError as failure:
            return _error_page(failure)
        return json_response(200, {"status": result["status"]})

    return [
        ("GET", "/card-setup/{session_id}", setup_page),
        ("POST", "/card-setup/{session_id}/save", save),
        ("GET", "/subscriptions/authenticate/{token}", challenge),
        ("POST", "/subscriptions/authenticate/{token}/confirm", confirm),
    ]


# -- admin -------------------------------------------------------------------------------------


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """Test-side endpoints: decide refund requests, authenticate, finish card setups, Steam."""
    a = f"{admin_prefix}/subscriptions"

    def done(value: Any) -> Response:
        return json_response(200, value)

    def steam_cancel(call: Call) -> Response:
        sandbox.cancel_in_steam(call.params[0])
        return done({"ok": True})

    def complete_setup(call: Call) -> Response:
        method = call.body.get("payment_method_id")
        sandbox.complete_card_setup(call.params[0], str(method or "pm_card_visa"))
        return done({"ok": True})

    return [
        ("GET", f"{a}/clock-key", lambda c: done({"clock_key": sandbox.sandbox_clock_key})),
        ("GET", f"{a}/{{subscription_id}}",
         lambda c: done(sandbox.subscription(c.params[0]))),
        ("POST", f"{a}/refund-requests/{{request_id}}/approve",
         lambda c: done(sandbox.approve_refund_request(c.params[0]))),
        ("POST", f"{a}/refund-requests/{{request_id}}/reject",
         lambda c: done(sandbox.reject_refund_request(
             c.params[0], c.body.get("reason") if isinstance(c.body.get("reason"), str)
             else None))),
        ("POST", f"{a}/{{subscription_id}}/authenticate",
         lambda c: done(sandbox.complete_subscription_authentication(c.params[0]))),
        ("POST", f"{a}/{{subscription_id}}/steam-cancel", steam_cancel),
        ("POST", f"{admin_prefix}/cards/setup-intents/{{setup_intent_id}}/complete",
         complete_setup),
        ("POST", f"{admin_prefix}/cards", lambda c: done(sandbox.save_card(
            str(c.body.get("player_email", "")),
            str(c.body.get("payment_method_id") or "pm_card_visa")))),
    ]
