"""The sandbox's platform commerce, one rule per test, through the SDK over real local HTTP;
and a buyer-approved purchase from the request to the webhook."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from invonetwork import InvoError, InvoServer, WebhookEvent, verify_webhook
from invonetwork.sandbox import Sandbox, SandboxError, WebhookReceiver
from invonetwork.webhooks import (
    PlatformCommerceDeclinedData,
    PlatformCommercePurchasedData,
    PlatformCommerceRefundedData,
)

UA = {"User-Agent": "invonetwork-python-sdk/test"}
BUYER = "ada@example.com"


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": BUYER, "name": "Ada", "balance": "500"}],
                 tenant_type="platform") as sb:
        yield sb


@pytest.fixture
def sb(running: Sandbox) -> Sandbox:
    running.reset()
    return running


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    client = sb.client(retry_base_delay=0)
    yield client
    client.close()


def _buy(invo: InvoServer, key: str = "o-1", funding: str = "balance", total: str = "20.00",
         **extra: Any) -> Any:
    return invo.platform_commerce.purchase(
        client_request_id=key, funding_source=funding, player_email=BUYER, player_name="Ada",
        item_id="mug", item_name="Mug", item_quantity=2,
        unit_price=str(Decimal(total) / 2), total_price=total, **extra)


def _typed(sb: Sandbox, event_type: str) -> list[Any]:
    return [WebhookEvent.from_payload(e).payload() for e in sb.events_of(event_type)]


# -- tenant -------------------------------------------------------------------------------------


def test_a_game_account_gets_403_everywhere(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_tenant_type("game")
    calls: list[Callable[[], Any]] = [
             lambda: _buy(invo), lambda: invo.platform_commerce.get_approval("pca_1"),
             lambda: invo.platform_commerce.get_approval(client_request_id="o-1"),
             lambda: invo.platform_commerce.cancel_approval("pca_1"),
             lambda: invo.platform_commerce.get_status("pco_1"),
             lambda: invo.platform_commerce.get_purchase_history(player_email=BUYER),
             lambda: invo.platform_commerce.refund(order_id="pco_1")]
    for call in calls:
        with pytest.raises(InvoError) as info:
            call()
        assert info.value.is_not_platform_tenant and info.value.status == 403
    assert sb.tenant_type == "game"
    sb.reset()
    assert sb.tenant_type == "platform"  # back to the constructor's


def test_the_default_tenant_is_a_game() -> None:
    with Sandbox() as sb, sb.client() as invo:
        with pytest.raises(InvoError) as info:
            invo.platform_commerce.get_status("pco_1")
        assert info.value.is_not_platform_tenant
        requests.post(sb.root_url + "/__sandbox__/tenant", json={"tenant_type": "platform"},
                      timeout=5)
        with pytest.raises(InvoError) as missing:
            invo.platform_commerce.get_status("pco_1")
        assert missing.value.status == 404
    with pytest.raises(ValueError):
        Sandbox(tenant_type="shop")


# -- balance leg --------------------------------------------------------------------------------


def test_the_balance_leg_debits_at_once(sb: Sandbox, invo: InvoServer) -> None:
    sold = _buy(invo)
    assert sold.status == "success" and sold.funding_source == "balance"
    assert (sold.previous_balance, sold.new_balance) == ("500.00", "480.00")
    assert sold.financial_breakdown == {"total_paid": "20.00", "platform_fee": "0.70",
                                        "developer_revenue": "19.30"}
    assert sb.balance(BUYER) == Decimal("480")
    assert invo.platform_commerce.get_status(sold.order_id).status == "completed"
    (event,) = _typed(sb, "platform_commerce.purchased")
    assert isinstance(event, PlatformCommercePurchasedData)
    assert event.total_price == Decimal("20.00") and event.total_price_usd is None
    assert event.new_balance == Decimal("480.00") and event.approval_id is None


def test_a_repeated_balance_key_is_refused(sb: Sandbox, invo: InvoServer) -> None:
    sold = _buy(invo)
    with pytest.raises(InvoError) as info:
        _buy(invo)
    assert info.value.is_duplicate_request and info.value.body["order_id"] == sold.order_id
    assert sb.balance(BUYER) == Decimal("480")


def test_a_short_balance_is_refused(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as info:
        _buy(invo, total="600.00")
    assert info.value.is_insufficient_balance and info.value.status == 400


# -- buyer approval -----------------------------------------------------------------------------


def test_approval_waits_then_debits_on_approval(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, require_player_approval=True, return_url="https://shop.test/back")
    assert asked.status == "pending_approval" and asked.approval_url
    assert sb.balance(BUYER) == Decimal("500")
    waiting = invo.platform_commerce.get_approval(asked.approval_id)
    assert waiting.status == "pending" and waiting.total_price == "20.00"
    replay = _buy(invo, require_player_approval=True)
    assert replay.approval_id == asked.approval_id and replay.approval_url is None
    assert replay.idempotent_replay is True
    done = sb.approve_platform_purchase(asked.approval_id)
    assert done["status"] == "completed" and sb.balance(BUYER) == Decimal("480")
    by_key = invo.platform_commerce.get_approval(client_request_id="o-1")
    assert by_key.order_id == done["order_id"] and by_key.decided_at
    (event,) = _typed(sb, "platform_commerce.purchased")
    assert event.approval_id == asked.approval_id


@pytest.mark.parametrize("end, status, reason", [
    (lambda sb, invo, a: sb.decline_platform_purchase(a), "declined", "declined"),
    (lambda sb, invo, a: invo.platform_commerce.cancel_approval(a), "cancelled", "cancelled"),
    (lambda sb, invo, a: sb.advance_time(15 * 60 + 1), "expired", "expired"),
])
def test_an_approval_that_ends_without_a_sale(sb: Sandbox, invo: InvoServer, end: Any,
                                              status: str, reason: str) -> None:
    asked = _buy(invo, require_player_approval=True, metadata={"cart": "c-9"})
    end(sb, invo, asked.approval_id)
    ended = invo.platform_commerce.get_approval(asked.approval_id)
    assert (ended.status, ended.reason) == (status, reason) and ended.order_id is None
    (event,) = _typed(sb, "platform_commerce.declined")
    assert isinstance(event, PlatformCommerceDeclinedData)
    assert (event.status, event.reason, event.metadata) == (status, reason, {"cart": "c-9"})
    with pytest.raises(InvoError) as info:
        invo.platform_commerce.cancel_approval(asked.approval_id)
    assert info.value.is_approval_already_ended
    assert sb.balance(BUYER) == Decimal("500") and not sb.events_of(
        "platform_commerce.purchased")


def test_approval_needs_a_known_buyer_who_can_pay(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as short:
        _buy(invo, total="900.00", require_player_approval=True)
    assert short.value.is_balance_unavailable
    with pytest.raises(InvoError) as unknown:
        invo.platform_commerce.purchase(
            client_request_id="o-2", funding_source="balance", player_email="zed@x.test",
            player_name="Zed", item_id="m", item_name="M", item_quantity=1, unit_price="1",
            total_price="1", require_player_approval=True)
    assert unknown.value.is_balance_unavailable and unknown.value.status == 400
    with pytest.raises(InvoError) as missing:
        invo.platform_commerce.get_approval("pca_nope")
    assert missing.value.is_approval_not_found


def test_a_balance_spent_meanwhile_fails_the_approval(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, total="400.00", require_player_approval=True)
    _buy(invo, key="o-2", total="200.00")
    ended = sb.approve_platform_purchase(asked.approval_id)
    assert (ended["status"], ended["reason"]) == ("failed", "insufficient_balance")


def test_the_approval_page_approves(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, require_player_approval=True, return_url="https://shop.test/back")
    page = requests.get(asked.approval_url, headers=UA, timeout=5)
    assert page.status_code == 200 and "Approve with passkey" in page.text
    done = requests.post(asked.approval_url + "/approve", headers=UA,
                         data={"ok": "1"}, allow_redirects=False, timeout=5)
    assert done.status_code == 303 and done.headers["Location"] == "https://shop.test/back"
    assert invo.platform_commerce.get_approval(asked.approval_id).status == "completed"
    assert requests.get(asked.approval_url, headers=UA, timeout=5).status_code == 409


# -- card leg -----------------------------------------------------------------------------------


def test_the_card_leg_goes_through_the_hosted_page(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, key="c-1", funding="card", total="10.00",
                 success_url="https://shop.test/ok", metadata={"cart": 1})
    assert asked.status == "requires_payment" and asked.checkout_url
    assert asked.expires_at is not None and asked.expires_at > sb.now()
    again = _buy(invo, key="c-1", funding="card", total="10.00")
    assert again.session_id == asked.session_id and again.idempotent_replay is True
    page = requests.get(asked.checkout_url, headers=UA, timeout=5)
    assert page.status_code == 200 and "Pay $10.00" in page.text
    paid = requests.post(asked.checkout_url + "/pay", headers=UA, data={"x": "1"},
                         allow_redirects=False, timeout=5)
    assert paid.status_code == 303 and paid.headers["Location"] == "https://shop.test/ok"
    (event,) = _typed(sb, "platform_commerce.purchased")
    assert event.total_price_usd == Decimal("10.00") and event.total_price is None
    assert event.fee_breakdown is not None and event.fee_breakdown.platform_fee == Decimal(
        "0.50")
    assert event.metadata == {"cart": 1}
    status = invo.platform_commerce.get_status(event.order_id)
    assert status.status == "completed" and status.invo_fee_usd == "0.50"
    assert status.partner_share_usd == "9.50"
    with pytest.raises(InvoError) as info:
        _buy(invo, key="c-1", funding="card", total="10.00")
    assert info.value.is_duplicate_client_request_id
    assert info.value.body["order_id"] == event.order_id


def test_an_unsettled_card_order_is_pending_payment(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, key="c-1", funding="card", total="10.00")
    paid = sb.pay_platform_checkout(asked.session_id, settle=False)
    assert invo.platform_commerce.get_status(paid["order_id"]).status == "pending_payment"
    assert not sb.events_of("platform_commerce.purchased")
    sb.settle_platform_order(paid["order_id"])
    assert invo.platform_commerce.get_status(paid["order_id"]).status == "completed"


def test_card_limits(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as low:
        _buy(invo, key="c-1", funding="card", total="2.00")  # the $2.99 minimum applies now
    assert low.value.is_below_card_minimum and low.value.min_usd == "2.99"
    assert low.value.enforced_from == "2026-10-27"
    with pytest.raises(InvoError) as high:
        invo.platform_commerce.purchase(
            client_request_id="c-2", funding_source="card", player_email=BUYER,
            player_name="Ada", item_id="m", item_name="M", item_quantity=1,
            unit_price="200000", total_price="200000")
    assert high.value.is_above_card_maximum and "100000.00" in high.value.message


def test_a_cancelled_or_expired_page_is_over(sb: Sandbox, invo: InvoServer) -> None:
    asked = _buy(invo, key="c-1", funding="card", total="10.00")
    requests.post(asked.checkout_url + "/cancel", headers=UA, timeout=5)
    with pytest.raises(SandboxError) as used:
        sb.pay_platform_checkout(asked.session_id)
    assert used.value.status == 409
    fresh = _buy(invo, key="c-1", funding="card", total="10.00")
    assert fresh.session_id != asked.session_id and fresh.idempotent_replay is False
    sb.advance_time(15 * 60 + 1)
    assert requests.get(fresh.checkout_url, headers=UA, timeout=5).status_code == 410


# -- reads --------------------------------------------------------------------------------------


def test_history_pages_newest_first(sb: Sandbox, invo: InvoServer) -> None:
    orders = [_buy(invo, key=f"o-{n}", total="2.00").order_id for n in range(5)]
    page = invo.platform_commerce.get_purchase_history(player_email=BUYER, limit=2)
    assert [p.order_id for p in page.purchases] == orders[::-1][:2]
    assert page.has_more and page.next_cursor and page.game_id == str(sb.game_id)
    walked = list(invo.platform_commerce.iterate_purchase_history(player_email=BUYER,
                                                                  page_size=2))
    assert [p.order_id for p in walked] == orders[::-1]
    with pytest.raises(InvoError) as foreign:
        invo.platform_commerce.get_purchase_history(player_email="zed@x.test",
                                                    cursor=page.next_cursor)
    assert foreign.value.status == 404 and foreign.value.is_player_not_found
    sb.add_player("zed@x.test")
    with pytest.raises(InvoError) as bad:
        invo.platform_commerce.get_purchase_history(player_email="zed@x.test",
                                                    cursor=page.next_cursor)
    assert bad.value.is_invalid_cursor


# -- refunds ------------------------------------------------------------------------------------


def test_a_balance_refund_recredits_all_but_the_fee(sb: Sandbox, invo: InvoServer) -> None:
    sold = _buy(invo)
    done = invo.platform_commerce.refund(client_request_id="o-1", reason="broken")
    assert (done.status, done.refunded_amount, done.amount_unit) == ("refunded", "19.30",
                                                                     "currency")
    assert done.fee_retained and done.new_balance == "499.30"
    assert sb.balance(BUYER) == Decimal("499.30")
    assert invo.platform_commerce.get_status(sold.order_id).status == "refunded"
    with pytest.raises(InvoError) as again:
        invo.platform_commerce.refund(order_id=sold.order_id)
    assert again.value.is_already_refunded
    (event,) = _typed(sb, "platform_commerce.refunded")
    assert isinstance(event, PlatformCommerceRefundedData)
    assert event.amount_unit == "currency" and event.refunded_amount == Decimal("19.30")


def test_a_card_refund_and_partial_refunds_outside_the_api(sb: Sandbox,
                                                          invo: InvoServer) -> None:
    asked = _buy(invo, key="c-1", funding="card", total="10.00")
    order_id = sb.pay_platform_checkout(asked.session_id)["order_id"]
    sb.refund_platform_order_outside_api(order_id, "3.00")
    adopted = invo.platform_commerce.refund(order_id=order_id)
    assert adopted.adopted and adopted.partial_refund is True
    assert (adopted.refunded_amount, adopted.remaining_usd) == ("3.00", "7.00")
    assert invo.platform_commerce.get_status(order_id).status == "completed"
    with pytest.raises(InvoError) as needs:
        invo.platform_commerce.refund(order_id=order_id)
    assert needs.value.is_refund_remaining_requires_confirmation
    assert needs.value.body["remaining_usd"] == "7.00"
    with pytest.raises(InvoError) as recent:
        invo.platform_commerce.refund(order_id=order_id, refund_remaining=True)
    assert recent.value.is_refund_recently_issued
    rest = invo.platform_commerce.refund(order_id=order_id, refund_remaining=True,
                                         confirm_additional_refund=True)
    assert (rest.refunded_amount, rest.amount_unit, rest.partial_refund) == ("7.00", "usd",
                                                                             False)
    assert rest.processor_refund_id and rest.card_fee_charged_to_partner_usd
    assert rest.refunded_total_usd == "10.00"
    assert invo.platform_commerce.get_status(order_id).status == "refunded"
    events = _typed(sb, "platform_commerce.refunded")
    assert [e.refunded_amount for e in events] == [Decimal("3.00"), Decimal("7.00")]
    assert events[0].partial_refund is True and events[1].charge_total_usd == Decimal("10.00")


def test_a_full_card_refund_after_the_window_needs_no_confirmation(sb: Sandbox,
                                                                   invo: InvoServer) -> None:
    asked = _buy(invo, key="c-1", funding="card", total="10.00")
    order_id = sb.pay_platform_checkout(asked.session_id)["order_id"]
    done = invo.platform_commerce.refund(order_id=order_id)
    assert done.refunded_amount == "10.00" and done.partial_refund is None
    with pytest.raises(InvoError) as missing:
        invo.platform_commerce.refund(order_id="pco_nope")
    assert missing.value.status == 404


# -- end to end ---------------------------------------------------------------------------------


def test_a_buyer_approved_purchase_from_request_to_webhooks(sb: Sandbox,
                                                            invo: InvoServer) -> None:
    with WebhookReceiver() as rx:
        sb.set_webhook_url(rx.url, ["*"])
        first = _buy(invo, key="cart-1", require_player_approval=True)
        requests.post(first.approval_url + "/approve", headers=UA, timeout=5)
        second = _buy(invo, key="cart-2", require_player_approval=True)
        requests.post(second.approval_url + "/decline", headers=UA, timeout=5)
        assert sb.flush_webhooks(10)
        got = [verify_webhook(h.body, h.signature, sb.webhook_secret) for h in rx.received]
    purchased = [e for e in got if e.event_type == "platform_commerce.purchased"]
    assert len(purchased) == 1 and purchased[0].data["approval_id"] == first.approval_id
    assert not [e for e in got if e.event_type == "platform_commerce.declined"]  # opt-in
    assert len(sb.events_of("platform_commerce.declined")) == 1
    status = invo.platform_commerce.get_status(purchased[0].data["order_id"])
    assert status.status == "completed" and sb.balance(BUYER) == Decimal("480")
    with WebhookReceiver() as named:
        sb.set_webhook_url(named.url, ["platform_commerce.declined"])
        third = _buy(invo, key="cart-3", require_player_approval=True)
        invo.platform_commerce.cancel_approval(third.approval_id)
        assert sb.flush_webhooks(10)
        assert [h.event_type for h in named.received] == ["platform_commerce.declined"]


def test_the_command_line_sandbox_takes_the_tenant_type(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import invonetwork.sandbox
    from invonetwork._cli import main

    made: dict[str, Any] = {}

    class StopError(Exception):
        pass

    def fake(**kwargs: Any) -> Sandbox:
        made.update(kwargs)
        raise StopError

    monkeypatch.setattr(invonetwork.sandbox, "Sandbox", fake)
    with pytest.raises(StopError):
        main(["sandbox", "--port", "0", "--tenant-type", "platform"])
    assert made["tenant_type"] == "platform"
    assert main(["sandbox", "--tenant-type", "shop"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def test_concurrent_balance_purchases_with_one_key_debit_once(sb: Sandbox,
                                                              invo: InvoServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def buy(_: int) -> str:
        try:
            return str(_buy(invo, key="same").order_id)
        except InvoError as err:
            assert err.is_duplicate_request
            return str(err.body["order_id"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        orders = set(pool.map(buy, range(12)))
    assert len(orders) == 1 and sb.balance(BUYER) == Decimal("480")
