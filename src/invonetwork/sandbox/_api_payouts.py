"""HTTP handlers of one area of the API (see ``invonetwork._routes_payouts``).

Each handler reads its fields (a bad one is a 400 naming it), calls a service and renders the
answer; the rules live in the services (``_svc_payouts``, ``_svc_commerce``). Pages: the
creator's invitation page, the buyer's approval page and the card leg's hosted page. Admin
endpoints: the test-side helpers of :class:`~invonetwork.sandbox.Sandbox` over HTTP.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Optional

from .. import _routes_payouts as r
from .._route import Route
from ._checkout_page import _page, error_page
from ._fields import int_query, opt_phone, opt_str, query_text, req_str, request_fingerprint
from ._handler import Answer, Call, Handler, ok
from ._messages import HTML, Request, Response, json_response
from ._model import DomainError, bad_request, fmt, parse_money
from ._svc_commerce import PlatformPurchase
from ._svc_payouts import PayoutRequest

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._world import World

__all__ = ["admin_routes", "handlers", "pages"]

#: A browser page: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]

ITEM_MAX = Decimal("999999.99")
PAYOUT_MAX = Decimal("99999999.99")  # a structural bound; INVO checks what it owes
PAYEE_STATUSES = ("invited", "details_submitted", "verified", "rejected", "suspended",
                  "expired", "closed")


def _filter(query: Mapping[str, str], key: str,
            allowed: Optional[tuple[str, ...]] = None) -> Optional[str]:
    value = query_text(query, key)
    if allowed is not None and value and value not in allowed:
        raise DomainError(400, f"{key} must be one of {', '.join(allowed)}", "INVALID_INPUT")
    return value or None


def _payout_request(body: Mapping[str, Any]) -> PayoutRequest:
    amount = parse_money(body.get("amount_usd"), "amount_usd", PAYOUT_MAX)
    email = req_str(body, "contact_email")
    payee_id = opt_str(body, "payee_id")
    bank = body.get("bank_account_id")
    if bank is not None and (isinstance(bank, bool) or not isinstance(bank, int)):
        raise bad_request("bank_account_id must be an integer", "bank_account_id")
    if payee_id is not None and bank is not None:
        raise DomainError(400, "Send payee_id or bank_account_id, not both", "INVALID_INPUT")
    note = body.get("partner_note")
    emails = body.get("additional_emails")
    if emails is not None and not isinstance(emails, list):
        raise bad_request("additional_emails must be a list", "additional_emails")
    return PayoutRequest(amount, email, payee_id, bank, opt_str(body, "client_request_id"),
                         note if isinstance(note, str) else None, emails,
                         request_fingerprint(body))


def _platform_purchase(body: Mapping[str, Any]) -> PlatformPurchase:
    key = req_str(body, "client_request_id")
    funding = body.get("funding_source")
    if funding not in ("balance", "card"):
        raise DomainError(400, "funding_source must be balance or card", "INVALID_INPUT")
    email, name = req_str(body, "player_email"), req_str(body, "player_name")
    item_id, item_name = req_str(body, "item_id"), req_str(body, "item_name")
    quantity = body.get("item_quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= 1000:
        raise bad_request("item_quantity must be an integer from 1 to 1000", "item_quantity")
    unit = parse_money(body.get("unit_price"), "unit_price", ITEM_MAX)
    total = parse_money(body.get("total_price"), "total_price", ITEM_MAX)
    if abs(unit * quantity - total) > Decimal("0.01"):
        raise bad_request("total_price must equal unit_price x item_quantity", "total_price")
    metadata = body.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise bad_request("metadata must be an object", "metadata")
    return PlatformPurchase(
        key, str(funding), email, name, item_id, item_name, quantity, unit, total,
        player_phone=opt_phone(body, "player_phone"), success_url=opt_str(body, "success_url"),
        cancel_url=opt_str(body, "cancel_url"), metadata=dict(metadata or {}),
        require_approval=body.get("require_player_approval") is True,
        return_url=opt_str(body, "return_url"),
    )


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    handled = _payout_handlers(world)
    handled.update(_commerce_handlers(world))
    return handled


def _payout_handlers(world: World) -> dict[Route[Any], Handler]:
    svc = world.payouts

    def register(c: Call) -> Answer:
        payee, duplicate = svc.register(
            req_str(c.body, "partner_reference"), req_str(c.body, "legal_name"),
            req_str(c.body, "email"), req_str(c.body, "country"), req_str(c.body, "payee_type"))
        return (200 if duplicate else 201), {"success": True, "payee": payee.answer(),
                                             "invite": payee.invite(), "duplicate": duplicate}

    def list_payees(c: Call) -> Answer:
        limit = int_query(c.query, "limit", 50, 1, 100)
        offset = int_query(c.query, "offset", 0, 0, 10**6)
        found, total = svc.list_payees(limit, offset, _filter(c.query, "status", PAYEE_STATUSES))
        return ok({"success": True, "total": total, "limit": limit, "offset": offset,
                   "items": [p.answer() for p in found]})

    def request_payout(c: Call) -> Answer:
        payout, duplicate = svc.request(_payout_request(c.body))
        return (200 if duplicate else 201), {"success": True, "duplicate": duplicate,
                                             "payout_request": svc.answer(payout)}

    def list_payouts(c: Call) -> Answer:
        limit = int_query(c.query, "limit", 50, 1, 100)
        offset = int_query(c.query, "offset", 0, 0, 10**6)
        found, total = svc.list_payouts(limit, offset, _filter(c.query, "status"),
                                        _filter(c.query, "payee_id"))
        return ok({"success": True, "total": total, "limit": limit, "offset": offset,
                   "items": [svc.answer(p) for p in found]})

    def payee(c: Call) -> Answer:
        return ok({"success": True, "payee": svc.payee(c.params[0]).answer()})

    return {
        r.REGISTER_PAYEE: register,
        r.LIST_PAYEES: list_payees,
        r.GET_PAYEE: payee,
        r.RESEND_PAYEE_INVITE: lambda c: ok({
            "success": True, "invite": svc.resend_invite(c.params[0]).invite()}),
        r.REMOVE_PAYEE: lambda c: ok({"success": True,
                                      "payee": svc.remove(c.params[0]).answer()}),
        r.REQUEST_PAYOUT: request_payout,
        r.REQUEST_PAYOUT_KEYED: request_payout,
        r.GET_PAYOUT: lambda c: ok({"success": True,
                                    "payout_request": svc.answer(svc.payout(c.params[0]))}),
        r.LIST_PAYOUTS: list_payouts,
        r.CANCEL_PAYOUT: lambda c: ok({"success": True,
                                       "payout_request": svc.answer(svc.cancel(c.params[0]))}),
    }


def _commerce_handlers(world: World) -> dict[Route[Any], Handler]:
    svc = world.commerce

    def checked(handler: Handler) -> Handler:
        def run(c: Call) -> Answer:
            svc.check_tenant()
            return handler(c)

        return run

    def find_approval(c: Call) -> Answer:
        key = query_text(c.query, "client_request_id")
        if not key:
            raise DomainError(400, "client_request_id is required", "INVALID_INPUT")
        return ok(svc.approval_answer(svc.approval_by_key(key)))

    def history(c: Call) -> Answer:
        email = query_text(c.query, "player_email")
        if not email:
            raise DomainError(400, "player_email is required", "INVALID_INPUT")
        limit = int_query(c.query, "limit", 50, 1, 100)
        return ok(svc.history(email, limit, query_text(c.query, "cursor") or None))

    def refund(c: Call) -> Answer:
        order_id = c.body.get("order_id")
        key = opt_str(c.body, "client_request_id")
        given = order_id is not None and str(order_id).strip() != ""
        if given == (key is not None):
            raise DomainError(400, "Send exactly one of order_id or client_request_id",
                              "INVALID_INPUT")
        reason = c.body.get("reason")
        return ok(svc.refund(str(order_id).strip() if given else None, key,
                             reason if isinstance(reason, str) else None,
                             c.body.get("refund_remaining") is True,
                             c.body.get("confirm_additional_refund") is True))

    return {
        r.PLATFORM_PURCHASE: lambda c: ok(svc.purchase(_platform_purchase(c.body))),
        r.PLATFORM_GET_APPROVAL: checked(lambda c: ok(svc.approval_answer(
            svc.approval(c.params[0])))),
        r.PLATFORM_FIND_APPROVAL: checked(find_approval),
        r.PLATFORM_CANCEL_APPROVAL: lambda c: ok(svc.approval_answer(
            svc.cancel_approval(c.params[0]))),
        r.PLATFORM_STATUS: checked(lambda c: ok(svc.status_answer(svc.order(c.params[0])))),
        r.PLATFORM_HISTORY: history,
        r.PLATFORM_REFUND: refund,
    }


# -- pages --------------------------------------------------------------------------------------


def _failure(failure: DomainError) -> Response:
    body = error_page(failure.status, failure.body["error"], failure.body.get("code"))
    return Response(failure.status, body, HTML)


def _buttons(title: str, lines: list[str], actions: list[tuple[str, str, str]]) -> bytes:
    """A sandbox page: a title, some lines of text, one form button per action."""
    esc = html.escape
    forms = "".join(
        f"<form method=\"post\" action=\"{esc(action)}\"><button id=\"{esc(ident)}\" "
        f"type=\"submit\">{esc(label)}</button></form>" for ident, label, action in actions)
    text = "".join(f"<p class=\"muted\">{esc(line)}</p>" for line in lines)
    body = (f"<main class=\"card\"><span class=\"badge\">SANDBOX</span><h1>{esc(title)}</h1>"
            f"{text}{forms}<p class=\"muted\">Nothing real moves: this is the local INVO "
            "sandbox.</p></main>")
    return _page(title, body)


def _done(request: Request, result: Mapping[str, Any], text: str) -> Response:
    if not request.is_form:
        return json_response(200, dict(result))
    redirect = result.get("redirect_url")
    if redirect:
        return Response(303, b"", HTML, {"Location": str(redirect)})
    return Response(200, _buttons(text, [], []), HTML)


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """This area's browser pages: ``(method, path template, handler)``."""
    commerce, payouts = world.commerce, world.payouts
    base = f"{prefix}/platform-commerce"

    def checkout(request: Request, params: tuple[str, ...]) -> Response:
        try:
            session = commerce.session(params[0])
        except DomainError as failure:
            return _failure(failure)
        req, here = session.purchase, f"{base}/checkout/{session.session_id}"
        page = _buttons(f"Pay ${fmt(req.total_price)}", [
            f"{req.quantity} x {req.item_name}", req.player_email], [
            ("invo-pay", f"Pay ${fmt(req.total_price)}", f"{here}/pay"),
            ("invo-cancel", "Cancel", f"{here}/cancel")])
        return Response(200, page, HTML)

    def pay(request: Request, params: tuple[str, ...]) -> Response:
        try:
            result = commerce.pay(params[0])
        except DomainError as failure:
            return _failure(failure)
        return _done(request, result, "Payment complete")

    def cancel(request: Request, params: tuple[str, ...]) -> Response:
        try:
            result = commerce.cancel_checkout(params[0])
        except DomainError as failure:
            return _failure(failure)
        return _done(request, result, "Checkout cancelled")

    def approval_page(request: Request, params: tuple[str, ...]) -> Response:
        try:
            approval = commerce.approval(params[0])
        except DomainError as failure:
            return _failure(failure)
        if approval.status != "pending":
            return _failure(DomainError(409, f"This purchase is {approval.status}",
                                        "APPROVAL_ALREADY_ENDED"))
        req, here = approval.purchase, f"{base}/approve/{approval.approval_id}"
        home = world.state.home
        page = _buttons(f"Approve {req.quantity} x {req.item_name}?", [
            f"{fmt(req.total_price)} {home.currency_name} from your INVO balance",
            req.player_email], [("invo-approve", "Approve with passkey", f"{here}/approve"),
                                ("invo-decline", "Decline", f"{here}/decline")])
        return Response(200, page, HTML)

    def decide(approve: bool) -> PageHandler:
        def handler(request: Request, params: tuple[str, ...]) -> Response:
            try:
                approval = commerce.decide(params[0], approve)
            except DomainError as failure:
                return _failure(failure)
            result = {**commerce.approval_answer(approval),
                      "redirect_url": approval.purchase.return_url}
            return _done(request, result, f"Purchase {approval.status}")

        return handler

    def invite(request: Request, params: tuple[str, ...]) -> Response:
        payee_id, token = params
        try:
            payee = payouts.payee(payee_id)
            if token != payee.invite_token:
                raise DomainError(410, "This invitation link is no longer valid",
                                  "INVITE_LINK_EXPIRED")
        except DomainError as failure:
            return _failure(failure)
        page = _buttons("Get paid by INVO", [
            f"Invitation for {payee.legal_name}",
            "INVO asks for your identity, tax and bank details here."],
            [("invo-submit-details", "Submit my details",
              f"{prefix}/payees/{payee_id}/invite/{token}/submit")])
        return Response(200, page, HTML)

    def submit(request: Request, params: tuple[str, ...]) -> Response:
        try:
            payee = payouts.submit_details(params[0], params[1])
        except DomainError as failure:
            return _failure(failure)
        return _done(request, {"status": payee.status, "payee_id": payee.payee_id},
                     "Details submitted: INVO will verify them")

    return [
        ("GET", "/platform-commerce/checkout/{session_id}", checkout),
        ("POST", "/platform-commerce/checkout/{session_id}/pay", pay),
        ("POST", "/platform-commerce/checkout/{session_id}/cancel", cancel),
        ("GET", "/platform-commerce/approve/{approval_id}", approval_page),
        ("POST", "/platform-commerce/approve/{approval_id}/approve", decide(True)),
        ("POST", "/platform-commerce/approve/{approval_id}/decline", decide(False)),
        ("GET", "/payees/{payee_id}/invite/{token}", invite),
        ("POST", "/payees/{payee_id}/invite/{token}/submit", submit),
    ]


# -- admin --------------------------------------------------------------------------------------


def _admin_ok(value: Any) -> Response:
    return json_response(200, value)


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """This area's test-side endpoints, under ``admin_prefix``."""
    a, sb = admin_prefix, sandbox

    def tenant(c: Call) -> Response:
        sb.set_tenant_type(str(c.body.get("tenant_type", "")))
        return _admin_ok({"ok": True, "tenant_type": c.body.get("tenant_type")})

    def payee_status(c: Call) -> Response:
        return _admin_ok(sb.set_payee_status(c.params[0], req_str(c.body, "status")))

    def payout_status(c: Call) -> Response:
        code = c.body.get("return_reason_code")
        return _admin_ok(sb.set_payout_status(
            int(c.params[0]), req_str(c.body, "status"),
            return_reason_code=code if isinstance(code, str) else None))

    def owed(c: Call) -> Response:
        sb.set_owed_balance(str(c.body.get("amount_usd", "")))
        return _admin_ok({"ok": True, "owed_balance_usd": fmt(sb.owed_balance())})

    def pay(c: Call) -> Response:
        return _admin_ok(sb.pay_platform_checkout(c.params[0],
                                                  settle=c.body.get("settle") is not False))

    def outside(c: Call) -> Response:
        sb.refund_platform_order_outside_api(c.params[0], str(c.body.get("amount_usd", "")))
        return _admin_ok({"ok": True})

    pc = f"{a}/platform-commerce"
    return [
        ("POST", f"{a}/tenant", tenant),
        ("POST", f"{a}/payees/{{payee_id}}/submit-details",
         lambda c: _admin_ok(sb.submit_payee_details(c.params[0]))),
        ("POST", f"{a}/payees/{{payee_id}}/status", payee_status),
        ("POST", f"{a}/payees/{{payee_id}}/verify", lambda c: _admin_ok(sb.verify_payee(
            c.params[0]))),
        ("POST", f"{a}/payouts/owed", owed),
        ("POST", f"{a}/payouts/{{payout_id}}/confirm-owner",
         lambda c: _admin_ok(sb.confirm_payout_as_owner(int(c.params[0])))),
        ("POST", f"{a}/payouts/{{payout_id}}/status", payout_status),
        ("POST", f"{a}/payouts/{{payout_id}}/complete",
         lambda c: _admin_ok(sb.complete_payout(int(c.params[0])))),
        ("POST", f"{pc}/approvals/{{approval_id}}/approve",
         lambda c: _admin_ok(sb.approve_platform_purchase(c.params[0]))),
        ("POST", f"{pc}/approvals/{{approval_id}}/decline",
         lambda c: _admin_ok(sb.decline_platform_purchase(c.params[0]))),
        ("POST", f"{pc}/checkout/{{session_id}}/pay", pay),
        ("POST", f"{pc}/orders/{{order_id}}/settle",
         lambda c: _admin_ok(sb.settle_platform_order(c.params[0]))),
        ("POST", f"{pc}/orders/{{order_id}}/refund-outside-api", outside),
    ]
