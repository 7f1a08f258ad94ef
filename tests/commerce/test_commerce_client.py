"""``server.platform_commerce`` on the wire: exact requests, checks in order, retries,
readers, classifiers."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import responses

from invonetwork import (
    InvoError,
    InvoServer,
    PlatformApprovalResult,
    PlatformCommerce,
    PlatformOrderStatusResult,
    PlatformPurchaseResult,
    PlatformRefundResult,
)
from invonetwork.errors import error_from_response

BASE = "https://sandbox.invo.network/sandbox"
PC = BASE + "/api/platform-commerce"
SECRET = "ivsdk_test_commerce0123456789"
BUY: dict[str, Any] = dict(client_request_id="o-1", funding_source="balance",
                           player_email="ada@example.com", player_name="Ada", item_id="sku-1",
                           item_name="Mug", item_quantity=3, unit_price="33.33",
                           total_price="100.00")
SOLD = {"status": "success", "order_id": "pco_1", "new_balance": "10.00"}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    client = InvoServer(SECRET, BASE, retry_base_delay=0)
    yield client
    client.close()


def _last(rsps: responses.RequestsMock) -> Any:
    return rsps.calls[-1].request


def _body(rsps: responses.RequestsMock) -> Any:
    raw = _last(rsps).body
    return None if raw is None else json.loads(raw)


CALLS: dict[str, dict[str, Any]] = {
    "purchase": BUY,
    "get_approval": dict(approval_id="pca_1"),
    "cancel_approval": dict(approval_id="pca_1"),
    "get_status": dict(order_id="pco_1"),
    "get_purchase_history": dict(player_email="ada@example.com"),
    "iterate_purchase_history": dict(player_email="ada@example.com"),
    "refund": dict(order_id="pco_1"),
}


def test_the_catalogue_lists_every_public_method() -> None:
    public = {name for name, _ in inspect.getmembers(PlatformCommerce, inspect.isfunction)
              if not name.startswith("_")}
    assert public == set(CALLS)
    assert type(InvoServer(SECRET, BASE).platform_commerce) is PlatformCommerce


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_method_reaches_its_endpoint_and_a_game_gets_403(
    rsps: responses.RequestsMock, invo: InvoServer, name: str
) -> None:
    for method in (responses.GET, responses.POST):
        rsps.add(method, re.compile(r".*/api/platform-commerce/.*"), status=403,
                 json={"error": "Platform Commerce is for platform tenants",
                       "code": "NOT_A_PLATFORM_TENANT"})
    with pytest.raises(InvoError) as info:
        result = getattr(invo.platform_commerce, name)(**CALLS[name])
        list(result)  # the iterator reads on first use
    assert info.value.is_not_platform_tenant and info.value.status == 403
    assert len(rsps.calls) == 1  # a 403 is never retried


# -- exact requests -----------------------------------------------------------------------------


def test_purchase_body_sends_required_keys_and_truthy_optionals(
    rsps: responses.RequestsMock, invo: InvoServer
) -> None:
    rsps.add(responses.POST, PC + "/purchase", json=SOLD)
    invo.platform_commerce.purchase(**BUY, item_description="", item_category="",
                                    metadata={}, require_player_approval=False,
                                    return_url="https://shop.test/back")
    assert _body(rsps) == {k: v for k, v in BUY.items()}
    assert list(_body(rsps)) == list(BUY)
    invo.platform_commerce.purchase(
        **{**BUY, "unit_price": Decimal("33.33"), "total_price": 100}, player_phone="+15555550100",
        item_description="Blue", item_category="mugs", success_url="https://s.test/ok",
        cancel_url="https://s.test/no", metadata={"cart": 9}, require_player_approval=True,
        return_url="https://s.test/back")
    assert _body(rsps) == {**BUY, "unit_price": "33.33", "total_price": 100,
                           "player_phone": "+15555550100", "item_description": "Blue",
                           "item_category": "mugs", "success_url": "https://s.test/ok",
                           "cancel_url": "https://s.test/no", "metadata": {"cart": 9},
                           "require_player_approval": True, "return_url": "https://s.test/back"}


def test_approval_status_history_and_refund_requests(rsps: responses.RequestsMock,
                                                     invo: InvoServer) -> None:
    rsps.add(responses.GET, PC + "/approvals/pca%2F1", json={"approval_id": "pca/1"})
    rsps.add(responses.GET, PC + "/approvals", json={"approval_id": "pca_1"})
    rsps.add(responses.POST, PC + "/approvals/pca_1/cancel", json={"status": "cancelled"})
    rsps.add(responses.GET, PC + "/purchase-status/42", json={"status": "completed"})
    rsps.add(responses.GET, PC + "/purchase-history", json={"purchases": []})
    rsps.add(responses.POST, PC + "/refund", json={"status": "refunded"})
    pc = invo.platform_commerce
    pc.get_approval("pca/1")
    pc.get_approval(client_request_id="o 1")
    assert _last(rsps).url == PC + "/approvals?client_request_id=o+1"
    pc.cancel_approval("pca_1")
    assert _last(rsps).body in (b"{}", "{}")
    assert pc.get_status(42).order_id == 42
    pc.get_purchase_history(player_email=" ada@example.com ", limit=10, cursor="c1")
    assert _last(rsps).url == (PC + "/purchase-history?player_email=ada%40example.com"
                               "&limit=10&cursor=c1")
    pc.refund(order_id=42, reason="", refund_remaining=False, confirm_additional_refund=True)
    assert _body(rsps) == {"order_id": 42, "confirm_additional_refund": True}
    pc.refund(client_request_id="o-1", reason="damaged", refund_remaining=True)
    assert _body(rsps) == {"client_request_id": "o-1", "reason": "damaged",
                           "refund_remaining": True}


# -- checks, in order ---------------------------------------------------------------------------


@pytest.mark.parametrize("changes, code, words", [
    (dict(client_request_id=" ", funding_source="cash"), "INVALID_INPUT", "client_request_id"),
    (dict(player_email="", funding_source="cash"), "INVALID_INPUT", "player_email"),
    (dict(player_name=None, funding_source="cash"), "INVALID_INPUT", "player_name"),
    (dict(item_id=5, funding_source="cash"), "INVALID_INPUT", "item_id"),
    (dict(item_name=" ", funding_source="cash"), "INVALID_INPUT", "item_name"),
    (dict(funding_source="cash", item_quantity=0), "INVALID_INPUT", "funding_source"),
    (dict(item_quantity=True, unit_price="x"), "INVALID_INPUT", "item_quantity"),
    (dict(item_quantity=1001, unit_price="x"), "INVALID_INPUT", "item_quantity"),
    (dict(unit_price="1e2", total_price="x"), "INVALID_INPUT", "unit_price"),
    (dict(total_price="1000000.00"), "INVALID_INPUT", "total_price"),
    (dict(total_price="100.02"), "INVALID_INPUT", "total_price"),
    (dict(funding_source="card", item_quantity=1, unit_price="0.49", total_price="0.49",
          player_phone="555"), "BELOW_STRIPE_MINIMUM", "at least"),
    (dict(player_phone="5555550100"), "INVALID_INPUT", "player_phone"),
])
def test_purchase_checks_in_order(rsps: responses.RequestsMock, invo: InvoServer,
                                  changes: dict[str, Any], code: str, words: str) -> None:
    with pytest.raises(InvoError) as info:
        invo.platform_commerce.purchase(**{**BUY, **changes})
    assert (info.value.code, info.value.status) == (code, 0) and words in info.value.message
    assert not rsps.calls


def test_the_card_minimum_is_the_backends_code_with_the_neutral_twin(
    rsps: responses.RequestsMock, invo: InvoServer
) -> None:
    with pytest.raises(InvoError) as info:
        invo.platform_commerce.purchase(**{**BUY, "funding_source": "card", "item_quantity": 1,
                                           "unit_price": "0.10", "total_price": "0.10"})
    assert info.value.public_code == "BELOW_CARD_MINIMUM" and info.value.is_below_card_minimum
    rsps.add(responses.POST, PC + "/purchase", json={"status": "requires_payment",
                                                     "checkout_url": "https://x.test/c"})
    invo.platform_commerce.purchase(**{**BUY, "funding_source": "card", "item_quantity": 1,
                                       "unit_price": "0.50", "total_price": "0.50"})
    assert len(rsps.calls) == 1  # 0.50 is fine; the maximum is INVO's


@pytest.mark.parametrize("call", [
    lambda pc: pc.get_approval(),
    lambda pc: pc.get_approval("pca_1", client_request_id="o-1"),
    lambda pc: pc.get_approval(" "),
    lambda pc: pc.get_approval(client_request_id="  "),
    lambda pc: pc.cancel_approval(" "),
    lambda pc: pc.get_status(" "),
    lambda pc: pc.get_status(None),
    lambda pc: pc.get_status(True),
    lambda pc: pc.get_purchase_history(player_email=" "),
    lambda pc: pc.get_purchase_history(player_email="a@x.test", limit=101),
    lambda pc: pc.get_purchase_history(player_email="a@x.test", limit=0),
    lambda pc: pc.get_purchase_history(player_email="a@x.test", cursor=" "),
    lambda pc: pc.iterate_purchase_history(player_email="a@x.test", page_size=True),
    lambda pc: pc.iterate_purchase_history(player_email=""),
    lambda pc: pc.refund(),
    lambda pc: pc.refund(order_id=" "),
    lambda pc: pc.refund(order_id="pco_1", client_request_id="o-1"),
])
def test_other_checks_raise_before_sending(rsps: responses.RequestsMock, invo: InvoServer,
                                           call: Any) -> None:
    with pytest.raises(InvoError) as info:
        call(invo.platform_commerce)  # the iterator checks before its first page, at once
    assert info.value.code == "INVALID_INPUT" and not rsps.calls


# -- retries: every call here is safe to retry --------------------------------------------------


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_call_is_retried_after_a_503(rsps: responses.RequestsMock, invo: InvoServer,
                                           name: str) -> None:
    ok = {"status": "success", "order_id": "pco_1", "approval_id": "pca_1"}
    for method in (responses.GET, responses.POST):
        rsps.add(method, re.compile(r".*/api/platform-commerce/.*"), status=503,
                 json={"error": "service_unavailable", "message": "busy"})
        rsps.add(method, re.compile(r".*/api/platform-commerce/.*"), json=ok)
    result = getattr(invo.platform_commerce, name)(**CALLS[name])
    if name == "iterate_purchase_history":
        assert list(result) == []
    assert len(rsps.calls) == 2


# -- iteration ----------------------------------------------------------------------------------


def test_iteration_follows_cursors_and_stops_on_a_repeat(rsps: responses.RequestsMock,
                                                         invo: InvoServer) -> None:
    pages = [{"purchases": [{"order_id": "a"}, {"order_id": "b"}], "next_cursor": "c1"},
             {"purchases": [{"order_id": "c"}], "next_cursor": "c2"},
             {"purchases": [{"order_id": "d"}], "next_cursor": "c1"}]
    for page in pages:
        rsps.add(responses.GET, PC + "/purchase-history", json=page)
    found = invo.platform_commerce.iterate_purchase_history(player_email="a@x.test",
                                                            page_size=2)
    assert not rsps.calls  # lazy: nothing is read before the first item is asked for
    assert [o.order_id for o in found] == ["a", "b", "c", "d"]
    urls = [c.request.url for c in rsps.calls]
    assert urls == [PC + "/purchase-history?player_email=a%40x.test&limit=2",
                    PC + "/purchase-history?player_email=a%40x.test&limit=2&cursor=c1",
                    PC + "/purchase-history?player_email=a%40x.test&limit=2&cursor=c2"]


def test_iteration_ends_on_the_last_page(rsps: responses.RequestsMock,
                                         invo: InvoServer) -> None:
    rsps.add(responses.GET, PC + "/purchase-history",
             json={"purchases": [{"order_id": "a"}], "next_cursor": ""})
    assert len(list(invo.platform_commerce.iterate_purchase_history(
        player_email="a@x.test"))) == 1
    assert len(rsps.calls) == 1


# -- readers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body, missing", [
    ({"status": "pending_approval", "order_id": "x"}, "approval_id"),
    ({"status": "requires_payment", "session_id": "s"}, "checkout_url"),
    ({"status": "success", "order_id": ""}, "order_id"),
    ({}, "order_id"),
])
def test_purchase_needs_its_load_bearing_field(rsps: responses.RequestsMock, invo: InvoServer,
                                               body: dict[str, Any], missing: str) -> None:
    rsps.add(responses.POST, PC + "/purchase", json=body)
    with pytest.raises(InvoError) as info:
        invo.platform_commerce.purchase(**BUY)
    assert info.value.code == "INVALID_RESPONSE" and missing in info.value.message
    assert info.value.body == body


def test_purchase_result_readers(rsps: responses.RequestsMock, invo: InvoServer) -> None:
    rsps.add(responses.POST, PC + "/purchase", json={
        "status": "requires_payment", "checkout_url": "https://x.test/c", "session_id": "s",
        "expires_at": 1_800_000_000, "amount_usd": "0.99", "idempotent_replay": True,
        "min_purchase_warning": {"code": "W", "min_usd": 2.99, "enforced_from": "2026-10-27",
                                 "enforced": False, "message": ""}},
        headers={"x-invo-request-id": "req_9"})
    res = invo.platform_commerce.purchase(**{**BUY, "funding_source": "card"})
    assert res.funding_source == "card" and res.request_id == "req_9"  # the argument's
    assert res.expires_at == 1_800_000_000 and res.idempotent_replay is True
    assert res.min_purchase_warning is not None and res.min_purchase_warning.min_usd == "2.99"
    assert res.min_purchase_warning.enforced is False
    assert res.min_purchase_warning.message is None
    assert res.order_id is None and res.approval_url is None
    other = PlatformPurchaseResult.from_body({"status": "success", "order_id": 5,
                                              "expires_at": True, "funding_source": "balance"})
    assert other.expires_at is None and other.order_id == 5


def test_status_refund_and_approval_readers() -> None:
    status = PlatformOrderStatusResult.from_body({
        "status": "completed", "invo_fee_usd": 1.5, "partner_share_usd": "8.50",
        "receipt_url": "https://r.test"})
    assert status.order_id == "" and status.invo_fee_usd == "1.50"
    assert status.partner_share_usd == "8.50" and status.receipt_url is None
    assert PlatformOrderStatusResult.from_body({"invo_fee_usd": True}).invo_fee_usd is None
    card = PlatformRefundResult.from_body({
        "status": "refunded", "funding_source": "card", "refunded_amount_usd": "5.00",
        "stripe_refund_id": "re_1", "fee_retained": True, "partial_refund": "no",
        "remaining_usd": 2})
    assert (card.refunded_amount, card.amount_unit, card.processor_refund_id) == (
        "5.00", "usd", "re_1")
    assert card.fee_retained is True and card.partial_refund is None
    assert card.remaining_usd == "2"
    balance = PlatformRefundResult.from_body({
        "funding_source": "balance", "refunded_amount": "9.65",
        "processor_refund_reference": "pr_1", "stripe_refund_id": "re_1"})
    assert balance.amount_unit is None and balance.processor_refund_id == "pr_1"
    approval = PlatformApprovalResult.from_body({"approval_id": "pca_1", "metadata": [1]})
    assert approval.metadata == {} and approval.status == "" and approval.reason is None


def test_history_falls_back_to_the_email_sent(rsps: responses.RequestsMock,
                                              invo: InvoServer) -> None:
    rsps.add(responses.GET, PC + "/purchase-history", json={
        "purchases": [{"order_id": "a", "status": "completed"}, 3], "limit": "20",
        "has_more": True, "next_cursor": "c"})
    page = invo.platform_commerce.get_purchase_history(player_email=" a@x.test ")
    assert page.player_email == "a@x.test" and page.limit == 20 and page.has_more
    assert [p.order_id for p in page.purchases] == ["a"] and page.next_cursor == "c"


# -- classifiers --------------------------------------------------------------------------------


@pytest.mark.parametrize("status, body, prop", [
    (403, {"error": "no", "code": "NOT_A_PLATFORM_TENANT"}, "is_not_platform_tenant"),
    (409, {"error": "dup", "code": "DUPLICATE_CLIENT_REQUEST_ID", "order_id": "pco_1",
           "order_status": "completed"}, "is_duplicate_client_request_id"),
    (409, {"error": "dup", "code": "DUPLICATE_REQUEST"}, "is_duplicate_request"),
    (400, {"error": "no", "code": "BALANCE_UNAVAILABLE"}, "is_balance_unavailable"),
    (503, {"error": "no", "code": "APPROVAL_NOT_AVAILABLE"}, "is_approval_not_available"),
    (404, {"error": "no", "code": "APPROVAL_NOT_FOUND"}, "is_approval_not_found"),
    (409, {"error": "no", "code": "APPROVAL_ALREADY_ENDED"}, "is_approval_already_ended"),
    (400, {"error": "no", "error_code": "AMOUNT_BELOW_MINIMUM"}, "is_amount_below_minimum"),
    (400, {"error": "no", "code": "BELOW_STRIPE_MINIMUM", "min_usd": 0.5},
     "is_below_card_minimum"),
    (400, {"error": "max $100,000.00", "code": "ABOVE_CARD_MAXIMUM"}, "is_above_card_maximum"),
    (409, {"error": "no", "code": "REFUND_REMAINING_REQUIRES_CONFIRMATION"},
     "is_refund_remaining_requires_confirmation"),
    (409, {"error": "no", "code": "REFUND_RECENTLY_ISSUED"}, "is_refund_recently_issued"),
    (502, {"error": "no", "code": "REFUND_NOT_COMPLETED"}, "is_refund_not_completed"),
    (409, {"error": "Order already refunded"}, "is_already_refunded"),
    (404, {"error": "no", "code": "PLAYER_NOT_FOUND"}, "is_player_not_found"),
    (400, {"error": "no", "code": "INVALID_CURSOR"}, "is_invalid_cursor"),
])
def test_classifiers_of_commerce_answers(status: int, body: dict[str, Any], prop: str) -> None:
    err = error_from_response(status, body)
    assert getattr(err, prop) is True
    assert getattr(InvoError("x", code="SOMETHING_ELSE", status=status), prop) is False


def test_already_refunded_is_not_claimed_by_the_two_confirmations() -> None:
    err = error_from_response(409, {"error": "already refunded in part",
                                    "code": "REFUND_RECENTLY_ISSUED"})
    assert err.is_refund_recently_issued and not err.is_already_refunded
    below = error_from_response(400, {"error": "min", "code": "BELOW_STRIPE_MINIMUM",
                                      "min_usd": 0.5, "enforced_from": "2026-10-27"})
    assert below.min_usd == "0.50" and below.enforced_from == "2026-10-27"
