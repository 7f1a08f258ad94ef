"""Part 2 (sends/transfers completion, claims, guardian, destinations, phone share) and
webhook endpoint management through InvoServer, against the sandbox over real HTTP."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from invonetwork import InvoError, InvoServer, verify_webhook
from invonetwork.sandbox import Sandbox, WebhookReceiver


def _send(invo: InvoServer, request_id: str, sender: str = "ada", phone: str = "+15555550100",
          **overrides: object) -> Any:
    args: dict[str, object] = {
        "client_request_id": request_id,
        "sender_player_name": sender.title(),
        "sender_player_email": f"{sender}@example.com",
        "sender_player_phone": phone,
        "receiver_player_email": "zed@example.com",
        "receiver_player_phone": "+15555550199",
        "receiving_game_id": 2002,
        "amount": "50",
    }
    args.update(overrides)
    return invo.initiate_send(**args)


def _transfer(invo: InvoServer, request_id: str, source: str = "kim",
              phone: str = "+15555550122", **overrides: object) -> Any:
    args: dict[str, object] = {
        "client_request_id": request_id,
        "source_player_name": source.title(),
        "source_player_email": f"{source}@example.com",
        "source_player_phone": phone,
        "target_player_email": "zed@example.com",
        "target_player_phone": "+15555550199",
        "target_game_id": 3003,
        "amount": "40",
    }
    args.update(overrides)
    return invo.initiate_transfer(**args)


def test_send_by_sms_pin_then_claim_currency(sb: Sandbox, invo: InvoServer) -> None:
    send = _send(invo, "s1")
    assert send.verification_method == "sms" and send.guardian_approval is None
    txn = send.transaction_id
    pin = sb.last_sms_pin(txn)
    assert pin is not None
    with pytest.raises(InvoError) as wrong:
        invo.verify_sms_send(txn, "000000" if pin != "000000" else "111111")
    assert wrong.value.status == 400 and wrong.value.body["attempts_remaining"] == 4
    done = invo.verify_sms_send(txn, pin)
    assert done.status == "success" and done.claim_code and done.new_balance == "450.00"
    status = invo.get_send_status(txn)
    assert (status.transaction_type, status.verification_state) == ("send", "approved")
    pending = invo.get_inbound_pending(player_email="zed@example.com")
    (item,) = pending.inbound_pending
    assert (item.transaction_id, item.flow, item.amount) == (txn, "send", "50.00")
    assert item.source_game == "Sandbox Quest" and item.claim_code_expires_at
    claim = invo.claim_currency(claim_code=done.claim_code, receiver_player_name="Zed",
                                receiver_player_email="zed@example.com",
                                receiver_player_phone="+15555550199")
    assert claim.status == "success" and claim.new_balance == "45.00"  # less the 10 % fee
    assert claim.currency_name == "Star Credits" and not claim.needs_account_selection
    assert invo.get_send_status(txn).verification_state == "completed"
    assert invo.get_inbound_pending(player_phone="+15555550199").inbound_pending == []


def test_sms_block_is_a_429_with_retry_after(sb: Sandbox, invo: InvoServer) -> None:
    txn = _transfer(invo, "b1", source="ada", phone="+15555550100").transaction_id
    for _ in range(4):
        with pytest.raises(InvoError):
            invo.verify_sms_transfer(txn, "bad")
    with pytest.raises(InvoError) as blocked:
        invo.verify_sms_transfer(txn, "bad")
    assert blocked.value.status == 429 and blocked.value.retry_after == 900
    assert sb.request_count("/api/transfers/verify-sms") == 5  # never retried
    sb.advance_time(900)
    pin = sb.last_sms_pin(txn)
    assert pin is not None
    done = invo.verify_sms_transfer(transaction_id=txn, sms_pin=pin)
    assert done.status == "success" and done.claim_code and done.order_id
    assert done.new_balance == "460.00"
    assert invo.get_transfer_status(txn).transaction_status == "claim_pending"


def test_transfer_passkey_then_claim_with_account_selection(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.add_player("zed@example.com", name="Zed", phone="+15555550199")
    sb.add_player("zed.kid@example.com", name="Zed Jr", phone="+15555550199",
                  wallet_of="zed@example.com")
    transfer = _transfer(invo, "t1")
    assert transfer.verification_method == "in_app"
    txn = transfer.transaction_id
    assert invo.get_transfer_status(txn).verification_state == "awaiting"
    code = sb.approve_transaction(txn)["claim_code"]
    args = {"claim_code": code, "target_player_name": "Zed",
            "target_player_email": "zed@example.com", "target_player_phone": "+15555550199",
            "target_currency_id": 3003}
    choose = invo.claim_transfer(**args)
    assert choose.needs_account_selection and choose.candidates
    kid = next(c for c in choose.candidates if c["player_email"] == "zed.kid@example.com")
    done = invo.claim_transfer(**args, target_player_id=kid["player_id"])
    assert done.status == "success" and done.currency_name == "Gems"
    assert sb.balance("zed.kid@example.com", game_id=3003) == Decimal("36.00")
    status = invo.get_transfer_status(txn)
    assert status.transaction_status == "completed" and status.currency_id == 3003


def test_minor_guardian_path(sb: Sandbox, invo: InvoServer) -> None:
    result = _send(invo, "m1", sender="tim", phone="+15555550133", amount="30")
    assert result.guardian_approval and result.verification_method is None
    txn = result.transaction_id
    pending = invo.get_guardian_approval_status(txn)
    assert pending.state == "pending" and pending.transaction_id == txn
    assert pending.approval_id and pending.expires_at and "Tim" in pending.action_description
    sb.guardian_approve(txn)
    decided = invo.get_guardian_approval_status(txn)
    assert decided.state == "approved" and decided.decided_at
    assert decided.decision_source == "guardian_app"
    rejected = _send(invo, "m2", sender="tim", phone="+15555550133", amount="30")
    sb.guardian_reject(rejected.transaction_id)
    assert invo.get_guardian_approval_status(rejected.transaction_id).state == "rejected"
    assert sb.balance("tim@example.com") == Decimal("70")


def test_destinations_both_directions(invo: InvoServer) -> None:
    transfer = invo.get_destinations(source_game_id=1001)
    assert transfer.direction == "transfer" and transfer.transfer_mode == "universal"
    assert transfer.universal_transfers is True and transfer.total_destinations == 2
    names = {g.game_name for g in transfer.available_games}
    assert names == {"Star Racers", "Dungeon Depths"}
    game = transfer.available_games[0]
    assert game.minimum_transfer == "1.00" and game.currency_symbol
    send = invo.get_destinations(source_game_id="1001", direction="send")
    assert send.direction == "send" and send.source_game_name == "Sandbox Quest"


def test_phone_share_consent_unblocks_the_mint(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_phone_owner("+15555550150", "owner@example.com")
    with pytest.raises(InvoError) as info:
        invo.mint_player_token(player_email="new@example.com", player_phone="+15555550150")
    err = info.value
    assert err.is_phone_share_approval_required and err.phone_share_approval_id
    started = invo.phone_share_initiate(phone="+15555550150", email="new@example.com")
    assert started.approval_id == err.phone_share_approval_id and started.code_sent is True
    otp = sb.last_otp("+15555550150")
    assert otp is not None
    with pytest.raises(InvoError) as bad:
        invo.phone_share_approve(approval_id=started.approval_id, otp="nope")
    assert bad.value.body["attempts_remaining"] == 4
    approved = invo.phone_share_approve(approval_id=started.approval_id, otp=otp)
    assert approved.approved is True
    assert invo.phone_share_status(phone="+15555550150", email="new@example.com").approved
    with pytest.raises(InvoError) as again:
        invo.phone_share_approve(approval_id=started.approval_id, otp=otp)
    assert again.value.is_phone_share_already_approved
    assert invo.mint_player_token(player_email="new@example.com",
                                  player_phone="+15555550150").token


def test_claim_hitting_a_foreign_phone_needs_consent(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_phone_owner("+15555550199", "owner@example.com")
    txn = _transfer(invo, "f1").transaction_id
    code = sb.approve_transaction(txn)["claim_code"]
    with pytest.raises(InvoError) as info:
        invo.claim_transfer(claim_code=code, target_player_name="Zed",
                            target_player_email="zed@example.com",
                            target_player_phone="+15555550199", target_currency_id=3003)
    assert info.value.is_phone_share_approval_required
    assert sb.request_count("/api/transfers/claim-transfer") == 1


def test_webhook_round_trip_with_registration_and_rotation(
    sb: Sandbox, invo: InvoServer
) -> None:
    with WebhookReceiver() as rx:
        created = invo.register_webhook_endpoint(game_id=sb.game_id, target_url=rx.url)
        assert created.created and created.signing_secret == sb.webhook_secret
        updated = invo.register_webhook_endpoint(
            game_id=sb.game_id, target_url=rx.url,
            subscribed_events=["purchase.completed", "item.purchased"],
        )
        assert not updated.created and updated.signing_secret is None
        checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="3.00")
        sb.pay_checkout(checkout.session_id)
        (hook,) = rx.wait_for(1, event_type="purchase.completed")
        event = verify_webhook(hook.body, hook.signature, created.signing_secret)
        assert event.event_type == "purchase.completed"
        assert event.data["currency_amount"] == "30.00" and event.data["new_balance"] == "530.00"
        assert hook.idempotency_key == event.idempotency_key
        rotated = invo.rotate_webhook_secret(game_id=sb.game_id)
        assert rotated.signing_secret != created.signing_secret
        invo.purchase_item(client_request_id="w1", player_email="ada@example.com",
                           player_name="Ada", item_id="x", item_name="X", item_quantity=1,
                           unit_price="1", total_price="1")
        (item_hook,) = rx.wait_for(1, event_type="item.purchased")
        assert item_hook.signature is not None and item_hook.signature.count("v1=") == 2
        for secret in (created.signing_secret, rotated.signing_secret):
            assert verify_webhook(item_hook.body, item_hook.signature, secret).data[
                "fee_breakdown"]["developer_revenue"] == "0.90"
        assert sb.flush_webhooks()
        assert {h.event_type for h in rx.received} == {"purchase.completed", "item.purchased"}
