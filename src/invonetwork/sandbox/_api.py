"""The API's HTTP handlers: parse the request into typed arguments, call a service, serialise.

Handlers are registered by the client's own :class:`~invonetwork._routes.Route` objects, so
the sandbox serves exactly the paths the SDK calls (``tests/sandbox`` fails when a route in
``ALL_ROUTES`` has no handler here). Rules live in the services; this module only reads
fields (a bad one is a 400 ``VALIDATION_ERROR`` naming it) and renders answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

from .. import _routes as r
from .._routes import Route
from . import _api_checkout, _api_devices, _api_payouts, _api_players, _api_subscriptions
from . import _wire as wire
from ._fields import (
    int_query,
    opt_phone,
    opt_str,
    query_text,
    req_game_id,
    req_phone,
    req_str,
    request_fingerprint,
)
from ._handler import Answer, Call, Handler, ok
from ._model import DomainError, bad_request, iso, parse_money
from ._svc_claims import Claim
from ._svc_items import ITEM_MAX, ORDER_KEYS, ItemPurchase
from ._svc_purchases import RAILS, USD_MAX, DirectPurchase
from ._svc_transfers import SEND_MAX, Initiation
from ._svc_webhooks import Registration
from ._world import World

__all__ = [
    "AREAS", "SEND_TEST_WEBHOOK", "Answer", "Call", "Handler", "api_handlers", "needs_secret",
]

#: Served by the sandbox for its own ``webhooks send``-like test; not an SDK route.
SEND_TEST_WEBHOOK: Route[Any] = Route(
    "POST", "/api/dev/webhooks/games/{game_id}/test", idempotent=False
)


def needs_secret(route: Route[Any]) -> bool:
    """Whether the sandbox checks ``X-Game-Secret-Key`` on this route.

    Routes a phone's owner drives carry no credential, and player-token and checkout-token
    routes carry a Bearer token instead (their handlers check it): none of them is refused
    here for a missing game secret.
    """
    return route.authenticated


_ok = ok

#: The newer areas of the API, one module each: API handlers, browser pages, admin endpoints.
AREAS = (_api_checkout, _api_players, _api_devices, _api_subscriptions, _api_payouts)


# -- field readers shared by several handlers ---------------------------------------------


def _money(body: Mapping[str, Any], key: str, maximum: Any) -> Any:
    return parse_money(body.get(key), key, maximum)


def _rail(body: Mapping[str, Any]) -> str:
    rail = opt_str(body, "rail") or "platform"
    if rail not in RAILS:
        raise bad_request("rail must be one of platform, game, steam", "rail")
    return rail


def _url(body: Mapping[str, Any], key: str) -> Optional[str]:
    url = opt_str(body, key)
    if url is not None and not url.lower().startswith(("http://", "https://")):
        raise bad_request(f"{key} must be an http(s) URL", key)
    return url


_PARTY = {
    "send": ("sender_player_", "receiver_player_", "receiving_game_id"),
    "transfer": ("source_player_", "target_player_", "target_game_id"),
}
_CLAIMANT = {"send": "receiver_player_", "transfer": "target_player_"}


def initiation(kind: str, body: Mapping[str, Any]) -> Initiation:
    """An initiate-send / initiate-transfer body, typed."""
    sender, receiver, game_key = _PARTY[kind]
    request_id = req_str(body, "client_request_id")
    return Initiation(
        kind=kind,
        client_request_id=request_id,
        fingerprint=request_fingerprint(body),
        sender_name=req_str(body, sender + "name"),
        sender_email=req_str(body, sender + "email"),
        sender_phone=req_phone(body, sender + "phone"),
        # optional on the current API: a receiver is known by phone alone
        receiver_email=opt_str(body, receiver + "email") or "",
        receiver_phone=req_phone(body, receiver + "phone"),
        target_game_id=req_game_id(body, game_key),
        amount=_money(body, "amount", SEND_MAX),
        amount_wire=body.get("amount"),
    )


def claim_request(kind: str, body: Mapping[str, Any]) -> Claim:
    """A claim-currency / claim-transfer body, typed."""
    prefix = _CLAIMANT[kind]
    chosen_raw = body.get(prefix + "id")
    chosen: Optional[int] = None
    if chosen_raw is not None:
        try:
            chosen = int(chosen_raw)
        except (TypeError, ValueError):
            raise DomainError(400, f"{prefix}id is not one of the candidate players",
                              "INVALID_TARGET_PLAYER") from None
    return Claim(
        kind=kind,
        claim_code=req_str(body, "claim_code"),
        receiver_name=req_str(body, prefix + "name"),
        receiver_email=req_str(body, prefix + "email"),
        receiver_phone=req_phone(body, prefix + "phone"),
        phone_field=prefix + "phone",
        currency_id=req_game_id(body, "target_currency_id") if kind == "transfer" else None,
        chosen_player_id=chosen,
        chosen_field=prefix + "id",
    )


def item_purchase(body: Mapping[str, Any]) -> ItemPurchase:
    """A purchase-item body, typed."""
    request_id = req_str(body, "client_request_id")
    email, name = req_str(body, "player_email"), req_str(body, "player_name")
    item_id, item_name = req_str(body, "item_id"), req_str(body, "item_name")
    quantity = body.get("item_quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise bad_request("item_quantity must be an integer", "item_quantity")
    if not 1 <= quantity <= 1000:
        raise bad_request("item_quantity must be between 1 and 1000", "item_quantity")
    return ItemPurchase(
        client_request_id=request_id, player_email=email, player_name=name, item_id=item_id,
        item_name=item_name, quantity=quantity,
        unit_price=_money(body, "unit_price", ITEM_MAX),
        total_price=_money(body, "total_price", ITEM_MAX),
        player_phone=opt_phone(body, "player_phone"),
        description=opt_str(body, "item_description"), category=opt_str(body, "item_category"),
    )


def direct_purchase(body: Mapping[str, Any]) -> DirectPurchase:
    """A purchase-currency body, typed (no reference: 400 ``MISSING_PURCHASE_REFERENCE``)."""
    reference = opt_str(body, "purchase_reference")
    if reference is None:
        raise DomainError(400, "purchase_reference is required", "MISSING_PURCHASE_REFERENCE")
    method = opt_str(body, "payment_method_id") or opt_str(body, "saved_card_id") or ""
    return DirectPurchase(
        purchase_reference=reference, fingerprint=request_fingerprint(body),
        player_email=req_str(body, "player_email"),
        usd_amount=_money(body, "usd_amount", USD_MAX), rail=_rail(body),
        payment_method=method, player_name=opt_str(body, "player_name"),
        player_phone=opt_phone(body, "player_phone"), metadata=body.get("metadata"),
    )


def registration(body: Mapping[str, Any]) -> Registration:
    """A webhook endpoint PUT body, typed."""
    target = req_str(body, "target_url")
    events = body.get("subscribed_events", ["*"])
    if not isinstance(events, list) or not events or not all(
        isinstance(e, str) and e for e in events
    ):
        raise bad_request("subscribed_events must be a non-empty list of event types",
                          "subscribed_events")
    compression = body.get("compression")
    if compression not in (None, "gzip", "none"):
        raise bad_request("compression must be 'gzip' or 'none'", "compression")
    return Registration(target, list(events), compression)


# -- the handlers -------------------------------------------------------------------------


def _player_handlers(w: World) -> dict[Route[Any], Handler]:
    def identities(c: Call) -> Answer:
        phone, email = query_text(c.query, "player_phone"), query_text(c.query, "player_email")
        if not phone and not email:
            raise bad_request("player_phone or player_email is required")
        return _ok(wire.wallet(w.players.wallet(phone=phone or None, email=email or None)))

    return {
        r.MINT_PLAYER_TOKEN: lambda c: _ok(wire.token(w.players.mint_token(
            req_str(c.body, "player_email"), opt_phone(c.body, "player_phone"),
            opt_str(c.body, "player_name")))),
        r.BALANCE_BY_EMAIL: lambda c: _ok(wire.balances(w.state, w.players.by_email(c.params[0]))),
        r.LINKED_IDENTITIES: identities,
    }


def _purchase_handlers(w: World) -> dict[Route[Any], Handler]:
    """The order-details read; checkout sessions and purchases are served by ``_api_checkout``."""

    def order_details(c: Call) -> Answer:
        order_id, txn = query_text(c.query, "order_id"), query_text(c.query, "transaction_id")
        if not order_id and not txn:
            raise bad_request("order_id or transaction_id is required")
        return _ok(w.purchases.order(order_id or None, txn or None).answer())

    return {r.ORDER_DETAILS: order_details}


def _item_handlers(w: World) -> dict[Route[Any], Handler]:
    def history(c: Call) -> Answer:
        email = query_text(c.query, "player_email")
        if not email:
            raise bad_request("player_email is required", "player_email")
        limit = int_query(c.query, "limit", 50, 1, 100)
        offset = int_query(c.query, "offset", 0, 0, 10**9)
        return _ok(wire.history(w.items.history(email, limit, offset)))

    def order_details(c: Call) -> Answer:
        given = {k: query_text(c.query, k) for k in ORDER_KEYS if query_text(c.query, k)}
        if len(given) != 1:
            raise bad_request("pass exactly one of order_id, transaction_id, client_request_id")
        return _ok(w.items.order(*next(iter(given.items()))).answer())

    def purchase(c: Call) -> Answer:
        receipt = w.items.purchase(item_purchase(c.body))
        return _ok(wire.item_receipt(receipt, w.state.home.currency_name))

    return {r.PURCHASE_ITEM: purchase, r.ITEM_HISTORY: history,
            r.ITEM_ORDER_DETAILS: order_details}


def _movement_handlers(w: World, kind: str) -> dict[Route[Any], Handler]:
    def verify(c: Call) -> Answer:
        mv = w.transfers.verify_sms(kind, req_str(c.body, "transaction_id"),
                                    req_str(c.body, "sms_pin"))
        sender = w.state.player_for_write(mv.sender_email)
        return _ok(wire.verified(mv, sender.balance(mv.source_game_id)))

    def destinations(c: Call) -> Answer:
        found = w.transfers.destinations(req_game_id(c.body, "source_game_id"))
        return _ok(wire.destinations(found, w.state.public_base(), kind))

    send = kind == "send"
    return {
        r.INITIATE_SEND if send else r.INITIATE_TRANSFER:
            lambda c: wire.initiated(*w.transfers.initiate_answer(initiation(kind, c.body))),
        r.VERIFY_SMS_SEND if send else r.VERIFY_SMS_TRANSFER: verify,
        r.CLAIM_CURRENCY if send else r.CLAIM_TRANSFER:
            lambda c: _ok(wire.claim(w.state, w.claims.claim(claim_request(kind, c.body)))),
        r.SEND_DESTINATIONS if send else r.TRANSFER_DESTINATIONS: destinations,
        r.SEND_STATUS if send else r.TRANSFER_STATUS:
            lambda c: _ok(wire.movement_status(w.state, w.transfers.status(kind, c.params[0]))),
    }


def _claim_and_consent_handlers(w: World) -> dict[Route[Any], Handler]:
    def inbound(c: Call) -> Answer:
        email, phone = query_text(c.query, "player_email"), query_text(c.query, "player_phone")
        if not email and not phone:
            raise bad_request("player_email or player_phone is required")
        return _ok(wire.inbound(w.state, w.claims.inbound_pending(email, phone)))

    def share_initiate(c: Call) -> Answer:
        approval, done = w.phone_share.initiate(
            req_phone(c.body, "phone"), req_str(c.body, "email"))
        return _ok({"success": True, "approval_id": approval.approval_id,
                    "code_sent": not done, "already_approved": done,
                    "expires_at": iso(approval.expires_at)})

    def share_approve(c: Call) -> Answer:
        approval = w.phone_share.approve(req_str(c.body, "approval_id"), req_str(c.body, "otp"))
        return _ok({"success": True, "approval_id": approval.approval_id, "approved": True,
                    "already_approved": False, "expires_at": iso(approval.expires_at)})

    def share_status(c: Call) -> Answer:
        phone, email = query_text(c.query, "phone"), query_text(c.query, "email")
        if not phone or not email:
            raise bad_request("phone and email are required")
        return _ok({"success": True, "approved": w.phone_share.status(phone, email)})

    return {
        r.INBOUND_PENDING: inbound,
        r.GUARDIAN_APPROVAL_STATUS: lambda c: _ok({
            "success": True,
            "approval": wire.approval(w.state, w.guardians.approval(c.params[0]))}),
        r.PHONE_SHARE_INITIATE: share_initiate,
        r.PHONE_SHARE_APPROVE: share_approve,
        r.PHONE_SHARE_STATUS: share_status,
    }


def _webhook_handlers(w: World) -> dict[Route[Any], Handler]:
    def register(c: Call) -> Answer:
        created = w.webhooks.register(c.params[0], registration(c.body))
        version = w.webhooks.current_secret.version
        body: dict[str, Any] = {"success": True, "created": created,
                "subscription": wire.subscription(w.state, version)}
        if created:
            body["signing_secret"] = w.webhooks.current_secret.secret
        return _ok(body)

    def send_test(c: Call) -> Answer:
        message = c.body.get("message")
        event = w.webhooks.send_test(c.params[0], str(message) if message else None)
        return _ok({"success": True, "event_id": event["event_id"],
                    "idempotency_key": event["idempotency_key"]})

    return {
        r.REGISTER_WEBHOOK: register,
        r.ROTATE_WEBHOOK_SECRET: lambda c: _ok(wire.rotation(
            w.state, w.webhooks.rotate(c.params[0]))),
        SEND_TEST_WEBHOOK: send_test,
    }


def api_handlers(world: World) -> dict[Route[Any], Handler]:
    """Every API route the sandbox serves, by the client's Route objects."""
    handlers: dict[Route[Any], Handler] = {}
    for build in (_player_handlers, _purchase_handlers, _item_handlers,
                  _claim_and_consent_handlers, _webhook_handlers):
        handlers.update(build(world))
    for kind in ("send", "transfer"):
        handlers.update(_movement_handlers(world, kind))
    for area in AREAS:
        handlers.update(area.handlers(world))
    return handlers

