"""Part 1 InvoServer methods against the sandbox over real HTTP."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import requests

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox


def _rid() -> str:
    return f"req-{uuid.uuid4().hex}"


def test_mint_player_token(invo: InvoServer) -> None:
    token = invo.mint_player_token(player_email="ada@example.com", player_phone="+15555550100")
    assert token.token.startswith("ivpt_") and token.expires_at and token.identity_id


def test_checkout_paid_over_http_like_the_pay_button(sb: Sandbox, invo: InvoServer) -> None:
    checkout = invo.create_checkout(
        player_email="ada@example.com", usd_amount="12.50",
        success_url="https://game.example/ok", metadata={"cart": "c1"},
    )
    assert checkout.checkout_url.startswith(sb.base_url + "/checkout/")
    page = requests.get(checkout.checkout_url, headers={"User-Agent": "e2e"}, timeout=5)
    assert page.status_code == 200 and 'id="invo-pay"' in page.text
    page_url = checkout.checkout_url.split("?")[0]  # without its ?session=<token>
    paid = requests.post(page_url + "/pay", headers={"User-Agent": "e2e"},
                         json={}, timeout=5).json()
    assert paid["status"] == "success" and paid["currency_received"] == "125.00"
    assert paid["redirect_url"] == "https://game.example/ok"
    balance = invo.get_player_balance(player_email="ada@example.com")
    assert balance.balances[0].available_balance == "625.00"
    (event,) = sb.events_of("purchase.completed")
    assert event["data"]["metadata"] == {"cart": "c1"}
    order = invo.get_order_details(transaction_id=paid["transaction_id"])
    assert order.order["status"] == "completed"
    assert order.financial_summary["currency_amount"] == "125.00"


def test_checkout_errors_surface_as_invo_errors(invo: InvoServer) -> None:
    with pytest.raises(InvoError) as info:
        invo.create_checkout(player_email="ada@example.com", usd_amount="1000000.00")
    assert info.value.status == 0 and info.value.code == "INVALID_INPUT"


def test_the_sandbox_answers_an_amount_above_its_card_maximum(invo: InvoServer) -> None:
    # The current API: INVO's card maximum (100000.00 by default), not a shape rule.
    assert invo.create_checkout(player_email="ada@example.com", usd_amount="1000.00").session_id
    with pytest.raises(InvoError) as info:
        invo.create_checkout(player_email="ada@example.com", usd_amount="100000.01")
    assert info.value.status == 400 and info.value.code == "ABOVE_CARD_MAXIMUM"
    assert info.value.is_above_card_maximum


def test_purchase_currency_three_outcomes_and_confirm(sb: Sandbox, invo: InvoServer) -> None:
    ok = invo.purchase_currency(player_email="ada@example.com", usd_amount="1.00",
                                purchase_reference=_rid(), payment_method_id="pm_card_visa")
    assert ok.status == "success" and ok.new_balance == "510.00" and ok.order_id
    action = invo.purchase_currency(player_email="ada@example.com", usd_amount="1.00",
                                    purchase_reference=_rid(), payment_method_id="pm_card_3ds")
    assert action.status == "requires_action" and action.client_secret
    confirmed = invo.confirm_payment(payment_intent_id=action.payment_intent_id,
                                     order_id=action.order_id)
    assert confirmed.status == "success" and confirmed.new_balance == "520.00"
    pending = invo.purchase_currency(player_email="ada@example.com", usd_amount="1.00",
                                     purchase_reference=_rid(), rail="game")
    assert pending.status == "pending_payment" and pending.payment_url
    sb.complete_payment(pending.order_id)
    details = invo.get_order_details(order_id=pending.order_id)
    assert details.order["status"] == "completed"
    assert [s["status"] for s in details.status_timeline] == [
        "created", "pending_payment", "completed"]


def test_purchase_item_duplicate_insufficient_and_reads(sb: Sandbox, invo: InvoServer) -> None:
    common = {"player_email": "ada@example.com", "player_name": "Ada", "item_id": "gem",
              "item_name": "Gem", "item_quantity": 2, "unit_price": "5.00",
              "total_price": "10.00"}
    results = [invo.purchase_item(client_request_id=f"h{i}", **common)  # type: ignore[arg-type]
               for i in range(5)]
    first = results[0]
    assert first.status == "success" and first.previous_balance == "500.00"
    assert first.financial_breakdown == {
        "total_paid": "10.00", "developer_revenue": "9.00", "platform_fee": "1.00",
        "developer_share_percent": "90.00", "platform_fee_percent": "10.00"}
    with pytest.raises(InvoError) as dup:
        invo.purchase_item(client_request_id="h0", **common)  # type: ignore[arg-type]
    assert dup.value.is_duplicate_request and dup.value.status == 409
    with pytest.raises(InvoError) as poor:
        invo.purchase_item(client_request_id=_rid(), player_email="bob@example.com",
                           player_name="Bob", item_id="x", item_name="X", item_quantity=1,
                           unit_price="99", total_price="99")
    assert poor.value.is_insufficient_balance
    assert poor.value.body["required_amount"] == "99.00"
    assert poor.value.body["current_balance"] == "20.00"
    page = invo.get_item_purchase_history(player_email="ada@example.com", limit=2, offset=1)
    assert [row["client_request_id"] for row in page.history] == ["h3", "h2"]
    assert page.pagination == {"total": 5, "limit": 2, "offset": 1, "has_more": True}
    rows = list(invo.iterate_item_purchase_history(player_email="ada@example.com", page_size=2))
    assert [row["client_request_id"] for row in rows] == ["h4", "h3", "h2", "h1", "h0"]
    for found in (invo.get_item_order_details(order_id=first.order_id),
                  invo.get_item_order_details(transaction_id=first.transaction_id),
                  invo.get_item_order_details(client_request_id="h0")):
        assert found.order["order_id"] == first.order_id
        assert found.financial_summary["platform_fee"] == "1.00"
    assert len(sb.events_of("item.purchased")) == 5


def test_player_balance_by_email_only(invo: InvoServer) -> None:
    by_email = invo.get_player_balance(player_email="kim@example.com")
    by_id = invo.get_player_balance(player_email="kim@example.com",
                                    player_id=by_email.player["player_id"] + 1000)
    assert by_id.player == by_email.player
    with pytest.raises(InvoError) as caught:
        invo.get_player_balance(player_id=by_email.player["player_id"])
    assert caught.value.code == "INVALID_INPUT" and "player_email" in caught.value.message
    (row,) = by_id.balances
    assert (row.currency_name, row.currency_symbol, row.available_balance,
            row.reserved_balance, row.total_balance) == (
        "Gold Coins", "GC", "300.00", "0.00", "300.00")
    assert by_id.summary["total_available"] == "300.00"


def test_linked_identities_found_and_not_found(invo: InvoServer) -> None:
    found = invo.get_linked_identities(player_phone="+15555550133")
    assert found.primary_email == "tim@example.com" and found.is_minor is True
    assert [e.email for e in found.emails] == ["tim@example.com"] and not found.not_found
    missing = invo.get_linked_identities(player_email="nobody@example.com")
    assert missing.not_found is True and missing.primary_email == ""


def test_shared_client_from_threads_keeps_the_ledger_exact(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.add_player("rich@example.com", balance="1000")

    def buy(i: int) -> str:
        return invo.purchase_item(
            client_request_id=f"t{i}", player_email="rich@example.com", player_name="Rich",
            item_id="x", item_name="X", item_quantity=1, unit_price="7", total_price="7",
        ).status

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(buy, range(40))) == ["success"] * 40
    assert sb.balance("rich@example.com") == Decimal("720")


def test_wrong_secret_is_an_authentication_error(sb: Sandbox) -> None:
    with InvoServer("ivsdk_test_wrong", sb.base_url) as wrong, pytest.raises(InvoError) as info:
        wrong.get_player_balance(player_email="ada@example.com")
    assert info.value.status == 401 and info.value.code == "INVALID_GAME_SECRET"
    assert info.value.request_id and info.value.request_id.startswith("req_")
