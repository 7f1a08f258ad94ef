"""WebhookRouter: handlers per type (decorator and plain call), typed payloads, the fallback,
and receive_webhook with a router as its handler."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from catalogue_payloads import PAYLOADS

from invonetwork.errors import InvalidInputError
from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    EventType,
    InMemoryIdempotencyStore,
    ItemPurchasedData,
    WebhookEvent,
    WebhookRouter,
    receive_webhook,
)

SECRET = "whsec_router"


def event(event_type: str, data: Any = None) -> WebhookEvent:
    return WebhookEvent.from_payload({"event_type": event_type, "idempotency_key": "k",
                                      "data": data if data is not None else {}})


def test_decorator_plain_call_and_fallback() -> None:
    router = WebhookRouter()
    seen: list[str] = []

    @router.on(EventType.PURCHASE_COMPLETED, "purchase.refunded")
    def purchases(e: WebhookEvent) -> str:
        seen.append(f"purchases:{e.event_type}")
        return "p"

    def renewed(e: WebhookEvent) -> None:
        seen.append("renewed")

    router.add("subscription.renewed", renewed)

    @router.fallback
    def other(e: WebhookEvent) -> None:
        seen.append(f"fallback:{e.event_type}")

    assert purchases(event("purchase.completed")) == "p"  # the decorator returns the function
    seen.clear()
    assert router(event("purchase.completed")) == "p"
    router(event("purchase.refunded"))
    router(event("subscription.renewed"))
    router(event("webhook.test"))
    router(event("brand.new_type"))
    assert seen == ["purchases:purchase.completed", "purchases:purchase.refunded", "renewed",
                    "fallback:webhook.test", "fallback:brand.new_type"]
    assert router.event_types == ["purchase.completed", "purchase.refunded",
                                  "subscription.renewed"]
    assert router.handler_for("webhook.test") is other
    assert "purchase.completed" in repr(router)


def test_default_fallback_acknowledges_and_ignores() -> None:
    assert WebhookRouter()(event("webhook.test")) is None
    seen: list[str] = []
    router = WebhookRouter(fallback=lambda e: seen.append(e.event_type))
    router(event("balance.updated"))
    assert seen == ["balance.updated"]


def test_typed_payload_handler() -> None:
    router = WebhookRouter()
    got: list[tuple[ItemPurchasedData, str]] = []

    @router.on_payload(ItemPurchasedData)
    def grant(item: ItemPurchasedData, e: WebhookEvent) -> None:
        got.append((item, e.event_type))

    router(event("item.purchased", PAYLOADS["item.purchased"]))
    assert got[0][0].total_price == Decimal("250.00") and got[0][1] == "item.purchased"
    assert router.event_types == ["item.purchased"]


@pytest.mark.parametrize("bad", ["purchase.complete", "", None, 5])
def test_unknown_or_bad_types_are_refused(bad: Any) -> None:
    router = WebhookRouter()
    with pytest.raises(InvalidInputError):
        router.add(bad, lambda e: None)
    with pytest.raises(InvalidInputError):
        router.on(bad)


def test_allow_unknown_types_and_duplicates() -> None:
    router = WebhookRouter()
    router.add("brand.new_type", lambda e: "new", allow_unknown=True)
    assert router(event("brand.new_type")) == "new"
    with pytest.raises(InvalidInputError, match="already registered"):
        router.add("brand.new_type", lambda e: None, allow_unknown=True)
    with pytest.raises(InvalidInputError):
        router.add("webhook.test", "not callable")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        router.on()
    with pytest.raises(InvalidInputError):
        router.on_payload(dict)  # type: ignore[type-var]


def test_receive_webhook_takes_a_router() -> None:
    router = WebhookRouter()
    granted: list[str] = []
    pending: list[str] = []
    router.add("item.purchased", lambda e: granted.append(e.item_purchased().order_id))

    @router.on(EventType.TRANSFER_CLAIM_PENDING)
    def on_pending(e: WebhookEvent) -> None:
        pending.append(str(e.data["direction"]))

    store = InMemoryIdempotencyStore()
    item = build_webhook_delivery("item.purchased", secret=SECRET,
                                  data=PAYLOADS["item.purchased"])
    for _ in range(2):
        receive_webhook(item.body, item.headers, SECRET, store=store, handler=router)
    assert granted == ["ord_2"]

    # One title holding both players gets both copies under one idempotency key: both run.
    outbound = build_webhook_delivery(
        "transfer.claim_pending", secret=SECRET,
        data=dict(PAYLOADS["transfer.claim_pending"], direction="outbound"))
    inbound = build_webhook_delivery(
        "transfer.claim_pending", secret=SECRET, idempotency_key=outbound.idempotency_key,
        data=dict(PAYLOADS["transfer.claim_pending"], direction="inbound"))
    answers = [receive_webhook(d.body, d.headers, SECRET, store=store, handler=router).text
               for d in (outbound, inbound, outbound, inbound)]
    assert answers == ["ok", "ok", "duplicate", "duplicate"]
    assert pending == ["outbound", "inbound"]
    test_event = build_webhook_delivery("webhook.test", secret=SECRET)
    assert receive_webhook(test_event.body, test_event.headers, SECRET, store=store,
                           handler=router).status == 200


def test_dedupe_key_per_family() -> None:
    assert event("purchase.completed").dedupe_key == "k"
    assert event("transfer.claim_expired", {"direction": "inbound"}).dedupe_key == "k:inbound"
    assert event("transfer.refunded", {"direction": ""}).dedupe_key == "k"
    assert WebhookEvent.from_payload({"event_type": "x"}).dedupe_key == ""
