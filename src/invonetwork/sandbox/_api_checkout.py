"""HTTP handlers of one area of the API (see ``invonetwork._routes_checkout``).

Each handler reads its fields (a bad one is a 400 naming it), calls a service and renders the
answer; the rules live in the services (``_svc_purchases``). This area also answers the
current API's forms of ``create_checkout`` and ``purchase_currency`` (session token, card
limits, fees, acknowledgement) and the key-environment lookup.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Optional
from urllib.parse import quote

from .. import _routes as core
from .. import _routes_checkout as routes
from .._environment import KEY_ENVIRONMENT
from .._route import Route
from . import _wire as wire
from ._fields import opt_str, req_str
from ._handler import Answer, Call, Handler, ok
from ._messages import Request, Response
from ._model import iso, parse_money
from ._svc_purchases import USD_MAX, CheckoutRequest, drop_invo_keys

if TYPE_CHECKING:
    from ._sandbox import Sandbox
    from ._world import World

__all__ = ["admin_routes", "handlers", "pages"]

#: A browser page: ``(request, path parameters) -> Response``.
PageHandler = Callable[[Request, tuple[str, ...]], Response]
#: A test-side admin endpoint under ``/__sandbox``: ``(call) -> Response``.
AdminHandler = Callable[[Call], Response]

# The acknowledged total's structural bound (the SDK's).
ACKNOWLEDGED_MAX = Decimal("99999999.99")


def _optional_money(body: Mapping[str, Any], key: str) -> Any:
    value = body.get(key)
    return None if value is None else parse_money(value, key, ACKNOWLEDGED_MAX)


def _nonblank(body: Mapping[str, Any], key: str) -> Optional[str]:
    value = opt_str(body, key)
    return value if value is not None and value.strip() else None


def handlers(world: World) -> dict[Route[Any], Handler]:
    """This area's routes and their handlers."""
    from . import _api as base  # the shared field readers (imported late: _api imports us)

    purchases = world.purchases

    def create_checkout(c: Call) -> Answer:
        req = CheckoutRequest(
            player_email=req_str(c.body, "player_email"),
            usd_amount=parse_money(c.body.get("usd_amount"), "usd_amount", USD_MAX),
            rail=base._rail(c.body),
            success_url=base._url(c.body, "success_url"),
            cancel_url=base._url(c.body, "cancel_url"),
            metadata=c.body.get("metadata"),
        )
        session = purchases.create_checkout(req)
        ledger = purchases.ledger(session.session_id)
        page = f"{world.state.public_base()}/checkout/{session.session_id}"
        warnings = []
        if ledger.metadata_warning_fields:
            warnings.append({
                "code": "ITEM_METADATA_ON_CURRENCY_SESSION",
                "message": "Item fields in the metadata of a currency checkout are not used "
                           "to grant an item.",
                "fields": list(ledger.metadata_warning_fields),
            })
        return ok({
            "success": True,
            "session_id": session.session_id,
            "checkout_url": f"{page}?session={quote(ledger.token, safe='')}",
            "session_token": ledger.token,
            "expires_at": iso(session.expires_at),
            "expires_in_seconds": int(world.state.config.checkout_ttl),
            "warnings": warnings,
            "min_purchase_warning": ledger.warning,
        })

    def purchase_currency(c: Call) -> Answer:
        req = dataclasses.replace(
            base.direct_purchase(c.body),
            acknowledged_total=_optional_money(c.body, "acknowledged_total_usd"),
            country=_nonblank(c.body, "country"),
            subdivision=_nonblank(c.body, "subdivision"),
            metadata=drop_invo_keys(c.body.get("metadata")),
        )
        outcome = purchases.purchase(req)
        body = wire.purchase(outcome)
        if outcome.price is not None:
            body.update(outcome.price.booked())
        if outcome.warning is not None:
            body["min_purchase_warning"] = outcome.warning
        return ok(body)

    def confirm_payment(c: Call) -> Answer:
        outcome = purchases.confirm(req_str(c.body, "payment_intent_id"),
                                    opt_str(c.body, "order_id"))
        body = wire.purchase(outcome)
        if outcome.price is not None:
            body.update(outcome.price.booked())
        body["credited"] = True  # the sandbox credits in the same step
        body["already_processed"] = outcome.already_processed
        return ok(body)

    def quote_purchase(c: Call) -> Answer:
        usd = parse_money(c.body.get("usd_amount"), "usd_amount", USD_MAX)
        for key in ("player_email", "country", "subdivision"):
            opt_str(c.body, key)  # a non-string is a 400 naming it; values are not judged
        return ok(purchases.quote(usd))

    def purchase_status(c: Call) -> Answer:
        return ok(purchases.status(c.params[0], c.bearer))

    def key_environment(c: Call) -> Answer:
        # Reached only with this sandbox's own game secret (the HTTP layer answers 401 for
        # any other key): the sandbox claims it.
        return ok({"environment": "sandbox"})

    return {
        core.CREATE_CHECKOUT: create_checkout,
        core.PURCHASE_CURRENCY: purchase_currency,
        core.CONFIRM_PAYMENT: confirm_payment,
        routes.QUOTE_CURRENCY_PURCHASE: quote_purchase,
        routes.PURCHASE_STATUS: purchase_status,
        KEY_ENVIRONMENT: key_environment,
    }


def pages(world: World, prefix: str) -> list[tuple[str, str, PageHandler]]:
    """This area's browser pages: ``(method, path template, handler)``."""
    return []


def admin_routes(sandbox: Sandbox, admin_prefix: str) -> list[tuple[str, str, AdminHandler]]:
    """This area's test-side endpoints, under ``admin_prefix``."""
    return []
