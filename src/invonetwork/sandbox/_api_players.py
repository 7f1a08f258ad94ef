"""HTTP handlers of one area of the API (see ``invonetwork._routes_players``).

Each handler reads its fields (a bad one is a 400 naming it), calls a service and renders the
answer; the rules live in the services (``_svc_players``, ``_svc_phones``,
``_svc_activity``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Optional

from .. import _routes_players as r
from .._route import Route
from ._fields import req_phone, req_str
from ._handler import Answer, Call, Handler
from ._messages import Request, Response, json_response
from ._model import DomainError, iso
from ._svc_phones import ChangeRequest, mask_phone
from ._svc_players import PlayerToken

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._world import World

__all__ = ["CONFIRM_PHONE_CHANGE", "admin_routes", "handlers", "pages"]

#: A page to embed: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]

#: The API's confirm route: the code is confirmed only on INVO's page, never through a game.
CONFIRM_PHONE_CHANGE: Route[Any] = Route(
    "POST", "/api/sdk/players/phone/change-requests/{change_request_id}/confirm",
    idempotent=False,
)


def _token_fields(token: Optional[PlayerToken]) -> dict[str, Any]:
    if token is None:
        return {"player_token": None, "player_token_expires_at": None}
    return {"player_token": token.token, "player_token_expires_at": iso(token.expires_at)}


def _invalid(message: str, code: str = "INVALID_INPUT") -> DomainError:
    return DomainError(400, message, code)


def _phone(c: Call, key: str) -> str:
    try:
        return req_phone(c.body, key)
    except DomainError as bad:
        raise DomainError(400, str(bad.body.get("error", "bad phone")), "INVALID_PHONE",
                          field=key) from None


def _email(c: Call) -> str:
    try:
        return req_str(c.body, "player_email")
    except DomainError:
        raise _invalid("player_email is required") from None


def change_request(req: ChangeRequest, *, created: bool) -> dict[str, Any]:
    """A change request as the API answers it (``pending_confirmation`` reads as
    ``pending``)."""
    body: dict[str, Any] = {
        "success": True, "change_request_id": req.change_request_id,
        "status": req.status if created or req.status != "pending_confirmation" else "pending",
        "confirmation": req.confirmation, "delivery": "email",
        "expires_at": iso(req.expires_at),
    }
    if created:
        body["message"] = ("We emailed the player a code and a link; the change happens once "
                           "they confirm it on INVO's page.")
    else:
        body.update({
            "new_phone_masked": mask_phone(req.new_phone), "created_at": iso(req.created_at),
            "confirmed_at": None if req.confirmed_at is None else iso(req.confirmed_at),
            "confirmed_via": req.confirmed_via,
        })
    return body


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    w = world

    def register(c: Call) -> Answer:
        email, phone = _email(c), _phone(c, "player_phone")
        name = c.body.get("player_name")
        if name is not None and not isinstance(name, str):
            raise _invalid("player_name must be a string")
        done = w.players.register(email, phone, name or None)
        return (201 if done.created else 200), {
            "success": True, "status": "created" if done.created else "exists",
            "identity_id": done.token.player.identity_id, **_token_fields(done.token)}

    def update(c: Call) -> Answer:
        done = w.players.update_phone(_email(c), _phone(c, "new_phone"))
        return 200, {"success": True, "status": "updated" if done.updated else "unchanged",
                     "identity_rekeyed": done.rekeyed, "identity_id": done.player.identity_id,
                     **_token_fields(done.token)}

    def request_change(c: Call) -> Answer:
        req = w.phone_changes.request(_email(c), _phone(c, "new_phone"))
        return 202, change_request(req, created=True)

    def activity(c: Call) -> Answer:
        email = c.query.get("player_email", "").strip()
        if not email:
            raise _invalid("player_email is required")
        page = w.activity.page(email, c.query.get("limit"), c.query.get("cursor"),
                               c.query.get("types"))
        return 200, {"success": True, "player_email": page.player.email,
                     "game_id": str(w.state.config.game_id), "types": page.types,
                     "activity": page.rows, "limit": page.limit, "has_more": page.has_more,
                     "next_cursor": page.next_cursor}

    def confirm(c: Call) -> Answer:
        w.phone_changes.get(c.params[0])  # 404 for another game's or an unknown request
        raise DomainError(409, "The player confirms a phone change on INVO's page only",
                          "CONFIRM_ON_INVO_PAGE")

    return {
        r.REGISTER_PLAYER: register,
        r.UPDATE_PLAYER_PHONE: update,
        r.REQUEST_PHONE_CHANGE: request_change,
        r.GET_PHONE_CHANGE: lambda c: (200, change_request(
            w.phone_changes.get(c.params[0]), created=False)),
        r.PLAYER_ACTIVITY: activity,
        r.PLAYER_REWARDS: lambda c: (200, w.rewards.cards(c.query.get("player_email", ""))),
        CONFIRM_PHONE_CHANGE: confirm,
    }


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """This area's browser pages: ``(method, path template, handler)``."""
    return []


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """Test-side endpoints: confirm or decline a phone change as the player would, read the
    player's emails, seed loyalty cards, switch the identity check off and on."""
    a, sb = admin_prefix, sandbox

    def seeded(c: Call) -> Response:
        sb.set_loyalty_cards(str(c.body.get("email", "")), list(c.body.get("cards", [])))
        return json_response(200, {"ok": True})

    def identity(c: Call) -> Response:
        sb.set_identity_check_available(c.body.get("available") is not False)
        return json_response(200, {"ok": True})

    return [
        ("POST", f"{a}/phone-changes/{{change_request_id}}/confirm",
         lambda c: json_response(200, sb.confirm_phone_change(c.params[0]))),
        ("POST", f"{a}/phone-changes/{{change_request_id}}/decline",
         lambda c: json_response(200, sb.decline_phone_change(c.params[0]))),
        ("GET", f"{a}/emails", lambda c: json_response(200, {"emails": sb.email_outbox})),
        ("POST", f"{a}/loyalty", seeded),
        ("POST", f"{a}/identity-check", identity),
    ]
