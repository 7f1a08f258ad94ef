"""Model objects to wire bodies: the shapes the SDK's result classes read."""

from __future__ import annotations

from decimal import Decimal

from invonetwork.sandbox import _wire as wire
from invonetwork.sandbox._world import World

from .conftest import ADA, add, claim, initiation, item, verified


def test_balances_show_available_reserved_and_totals(world: World) -> None:
    world.transfers.initiate(initiation(amount="50"))
    add(world, ADA, name="Ada", phone="+15555550100", balance="450", balances={2002: "7"})
    body = wire.balances(world.state, world.players.by_email(ADA))
    rows = {row["game_id"]: row for row in body["balances"]}
    assert rows[1001]["available_balance"] == "450.00"
    assert rows[1001]["reserved_balance"] == "50.00" and rows[1001]["total_balance"] == "500.00"
    assert rows[2002]["currency_name"] == "Star Credits"
    assert body["summary"] == {"currency_count": 2, "total_available": "457.00",
                               "total_reserved": "50.00"}
    assert body["player"]["player_email"] == ADA and body["player"]["player_phone"]


def test_the_first_initiate_answer_is_rendered_from_immutable_fields(world: World) -> None:
    mv = world.transfers.initiate(initiation())
    status, first = wire.initiated(mv)
    world.transfers.verify_sms("send", mv.transaction_id, mv.sms_pin or "")
    assert wire.initiated(mv) == (status, first) == (200, first)
    assert first["verification_method"] == "sms" and first["status"] == "pending_verification"
    assert first["transaction_id"] == mv.transaction_id


def test_a_minors_initiate_answer_is_a_202_with_the_approval() -> None:
    from .conftest import make_world

    world = make_world()
    add(world, "kid@example.com", phone="+15555550133", balance=10, is_minor=True)
    mv = world.transfers.initiate(initiation(sender="kid@example.com",
                                             sender_phone="+15555550133", amount="1"))
    status, body = wire.initiated(mv)
    assert status == 202 and body["verification_method"] == "sms"  # current API: beside it
    assert body["guardian_approval"]["state"] == "pending"
    approval = wire.approval(world.state, mv)
    assert approval["action_description"] == (
        "Sender wants to send 1.00 Gold Coins to zed@example.com in Star Racers")


def test_claim_bodies_for_success_and_for_a_choice(world: World) -> None:
    add(world, "zed@example.com", phone="+15555550199")
    add(world, "zed2@example.com", phone="+15555550199", wallet_of="zed@example.com")
    code = verified(world)
    choose = wire.claim(world.state, world.claims.claim(claim(code)))
    assert choose["status"] == "needs_account_selection"
    assert [c["player_email"] for c in choose["candidates"]] == ["zed@example.com",
                                                                 "zed2@example.com"]
    done = wire.claim(world.state, world.claims.claim(claim(code, chosen=3)))
    assert done["status"] == "success" and done["currency_name"] == "Star Credits"
    assert done["new_balance"] == "45.00" and done["player_id"] == 3


def test_item_receipt_and_history(world: World) -> None:
    receipt = world.items.purchase(item("r1", "20.00"))
    body = wire.item_receipt(receipt, "Gold Coins")
    assert body["previous_balance"] == "500.00" and body["new_balance"] == "480.00"
    assert body["order_id"] == receipt.order.order_id
    page = wire.history(world.items.history(ADA, limit=1))
    assert page["pagination"] == {"total": 1, "limit": 1, "offset": 0, "has_more": False}
    assert page["item_purchase_history"][0]["client_request_id"] == "r1"


def test_destinations_in_linked_mode(world: World) -> None:
    world.state.home.linked_game_ids = [3003]
    body = wire.destinations(world.transfers.destinations(1001), "http://h", "send")
    assert body["transfer_mode"] == "linked" and body["universal_transfers"] is False
    assert [g["game_id"] for g in body["available_games"]] == [3003]
    assert body["linked_game_ids"] == [3003] and body["direction"] == "send"
    assert body["source_game_icon"] == "http://h/assets/games/1001/icon.png"
    assert body["available_games"][0]["minimum_transfer"] == "1.00"


def test_status_inbound_and_subscription(world: World) -> None:
    code = verified(world)
    mv = world.state.movements[world.state.claim_codes[code]]
    status = wire.movement_status(world.state, mv)
    assert status["verification_state"] == "approved" and status["currency_id"] == 2002
    inbound = wire.inbound(world.state, world.claims.inbound_pending(None, "+15555550199"))
    assert inbound["inbound_pending"][0]["source_game"] == "Sandbox Quest"
    assert wire.subscription(world.state, 1) is None
    assert Decimal(status["amount"]) == Decimal("50")


def test_checkout_and_purchase_bodies(world: World) -> None:
    from invonetwork.sandbox._svc_purchases import CheckoutRequest, DirectPurchase

    session = world.purchases.create_checkout(CheckoutRequest(ADA, Decimal("1.00")))
    body = wire.checkout(session, "http://127.0.0.1:1/sandbox")
    assert body["checkout_url"] == f"http://127.0.0.1:1/sandbox/checkout/{session.session_id}"
    assert body["expires_at"].endswith("Z") and body["success"] is True

    def direct(ref: str, method: str) -> dict[str, object]:
        return wire.purchase(world.purchases.purchase(DirectPurchase(
            ref, ref, ADA, Decimal("1.00"), payment_method=method)))

    ok, action, pending = direct("a", "pm"), direct("b", "pm_3ds"), direct("c", "pm_pending")
    assert ok["status"] == "success" and ok["new_balance"] == "510.00"
    assert "client_secret" not in ok and "payment_url" not in ok
    assert action["payment_intent_id"] and str(action["client_secret"]).startswith(
        str(action["payment_intent_id"]) + "_secret_")
    assert "new_balance" not in action
    assert str(pending["payment_url"]).endswith(f"/pay/{pending['order_id']}")
