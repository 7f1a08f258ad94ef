"""End to end against the real sandbox server: the device approval grant (sender and
receipt sides, enrollment, expiry, slow_down, supersede), passkey recovery and its cooldown,
and the Steam purchase road, with the webhooks each flow emits read through the typed
payloads."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox, SandboxError
from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    DeviceApprovalApprovedData,
    IdentityPasskeyResetData,
    PurchaseCompletedData,
    PurchaseDisputedData,
    PurchaseRefundedData,
    verify_webhook,
)

ADA, BOB, KIM, TIM = "ada@example.com", "bob@example.com", "kim@example.com", "tim@example.com"
PLAYERS = [
    {"email": ADA, "name": "Ada", "phone": "+15555550100", "balance": "500"},
    {"email": BOB, "name": "Bob", "phone": "+15555550111", "balance": "20"},
    {"email": KIM, "name": "Kim", "phone": "+15555550122", "balance": "300",
     "passkey_enrolled": True},
    {"email": TIM, "name": "Tim", "phone": "+15555550133", "balance": "100", "is_minor": True},
]


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=PLAYERS, webhook_retry_scale=0.001) as sandbox:
        yield sandbox


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    client = sb.client(retry_base_delay=0.01, timeout=10)
    yield client
    client.close()


def typed(event: dict[str, Any]) -> Any:
    """The event as a receiver reads it: signed, verified, typed."""
    delivery = build_webhook_delivery(event["event_type"], secret="whsec_t", data=event["data"])
    return verify_webhook(delivery.body, delivery.signature_header, "whsec_t",
                          now=delivery.timestamp).payload()


def transfer(invo: InvoServer, sender: str = ADA, amount: str = "25.00", ref: str = "t-1") -> str:
    phones = {p["email"]: p["phone"] for p in PLAYERS}
    made = invo.initiate_transfer(
        client_request_id=ref, source_player_name="Sender", source_player_email=sender,
        source_player_phone=phones[sender], target_player_email=BOB,
        target_player_phone=phones[BOB], target_game_id=2002, amount=amount)
    return str(made.transaction_id)


def token(invo: InvoServer, email: str) -> str:
    return invo.mint_player_token(player_email=email).token


# -- device approval: the sender side, then the recipient side -----------------------------------


def test_sender_then_recipient_with_the_polling_helper(sb: Sandbox, invo: InvoServer) -> None:
    txn = transfer(invo)
    ada = token(invo, ADA)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    assert grant.expires_in == 600 and grant.interval == 5 and grant.channel == "qr"
    assert grant.verification_uri_complete == f"{grant.verification_uri}?user_code=" \
        f"{grant.user_code}"
    first = invo.poll_device_approval(player_token=ada, device_code=grant.device_code)
    assert (first.status, first.interval, first.enrollment) == ("authorization_pending", 5, None)

    def phone_then_wait(seconds: float) -> None:  # the player approves during the first wait
        if sb.device_user_code(grant.device_code) and not sb.events_of(
                "device_approval.approved"):
            sb.approve_device_code(grant.user_code)
        sb.advance_time(seconds)

    done = invo.complete_device_approval(player_token=ada, transaction_id=txn, flow="transfer",
                                         device_code=grant.device_code,
                                         interval=grant.interval, sleep=phone_then_wait)
    assert done.status == "approved" and done.settlement is not None
    assert done.settlement.status == "approved" and done.settlement.next == "pending_claim"
    assert done.settlement.claim_code == sb.claim_code(txn)
    assert done.last_poll is not None and done.last_poll.transaction_id == txn
    approved = typed(sb.events_of("device_approval.approved")[0])
    assert isinstance(approved, DeviceApprovalApprovedData)
    assert approved.method == "device_grant_webauthn"
    assert approved.raw["transaction_id"] == txn and approved.raw["flow"] == "transfer"
    assert sb.balance(ADA) == Decimal("475")

    # A lost answer: settling again says the transaction is already past this step.
    again = invo.approve_with_device_code(player_token=ada, transaction_id=txn,
                                          flow="transfer", device_code=grant.device_code)
    assert (again.status, again.current_status, again.already_settled) == (
        "not_pending", "pending_claim", True)

    # Bob confirms receipt on his phone; the net amount lands in the destination game.
    bob = token(invo, BOB)
    receipt = invo.begin_device_approval(player_token=bob, transaction_id=txn,
                                         flow="transfer_receipt")
    sb.approve_device_code(receipt.user_code)
    got = invo.approve_with_device_code(player_token=bob, transaction_id=txn,
                                        flow="transfer_receipt",
                                        device_code=receipt.device_code)
    assert (got.status, got.flow) == ("completed", "transfer_receipt")
    # the net amount (after any transfer fee) is what lands in the destination game
    assert got.amount_received is not None
    assert Decimal(0) < Decimal(got.amount_received) <= Decimal(25)
    assert sb.balance(BOB, 2002) == Decimal(got.amount_received)
    later = invo.approve_with_device_code(player_token=bob, transaction_id=txn,
                                          flow="transfer_receipt",
                                          device_code=receipt.device_code)
    assert later.already_settled is True and later.current_status == "completed"


def test_the_grant_is_bound_to_player_transaction_and_flow(invo: InvoServer,
                                                           sb: Sandbox) -> None:
    txn = transfer(invo)
    other = transfer(invo, ref="t-2")
    ada = token(invo, ADA)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    with pytest.raises(InvoError) as early:  # not approved yet
        invo.approve_with_device_code(player_token=ada, transaction_id=txn, flow="transfer",
                                      device_code=grant.device_code)
    assert early.value.is_device_approval_not_approved
    sb.approve_device_code(grant.user_code)
    for txn_id, flow in ((other, "transfer"), (txn, "send")):
        with pytest.raises(InvoError) as bound:
            invo.approve_with_device_code(player_token=ada, transaction_id=txn_id, flow=flow,
                                          device_code=grant.device_code)
        assert bound.value.is_device_approval_not_approved
    kim = token(invo, KIM)
    with pytest.raises(InvoError) as foreign:
        invo.poll_device_approval(player_token=kim, device_code=grant.device_code)
    assert (foreign.value.status, foreign.value.code) == (400, "invalid_grant")
    # An approved grant in its window blocks a new begin for the same transaction and flow.
    with pytest.raises(InvoError) as taken:
        invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    assert taken.value.is_device_approval_already_pending
    assert taken.value.device_approval_expires_at
    # ... but not the recipient's side, scoped separately.
    bob = token(invo, BOB)
    assert invo.begin_device_approval(player_token=bob, transaction_id=txn,
                                      flow="transfer_receipt").device_code
    # The game secret is never a credential here.
    with pytest.raises(InvoError) as secret:
        invo.poll_device_approval(player_token=sb.game_secret, device_code=grant.device_code)
    assert secret.value.status == 401


def test_slow_down_expiry_supersede_and_deny(sb: Sandbox, invo: InvoServer) -> None:
    txn = transfer(invo)
    ada = token(invo, ADA)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    code = grant.device_code
    assert invo.poll_device_approval(player_token=ada, device_code=code).status == \
        "authorization_pending"
    fast = invo.poll_device_approval(player_token=ada, device_code=code)
    assert (fast.status, fast.interval) == ("slow_down", 10)
    sb.advance_time(10)
    assert invo.poll_device_approval(player_token=ada, device_code=code).interval == 10

    newer = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    with pytest.raises(InvoError) as old:
        invo.poll_device_approval(player_token=ada, device_code=code)
    assert old.value.code == "invalid_grant"
    page = requests.get(grant.verification_uri_complete, timeout=5)
    assert 'data-state="superseded"' in page.text

    sb.deny_device_code(newer.user_code)
    denied = invo.poll_device_approval(player_token=ada, device_code=newer.device_code)
    assert denied.status == "access_denied"

    third = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    sb.advance_time(601)
    assert invo.poll_device_approval(player_token=ada,
                                     device_code=third.device_code).status == "expired_token"
    done = invo.complete_device_approval(player_token=ada, transaction_id=txn, flow="transfer",
                                         device_code=third.device_code, sleep=sb.advance_time)
    assert done.status == "expired"


def test_enrollment_confirmed_on_the_screen(sb: Sandbox, invo: InvoServer) -> None:
    txn = transfer(invo)
    ada = token(invo, ADA)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    with pytest.raises(InvoError) as nothing:
        invo.confirm_device_enrollment(player_token=ada, device_code=grant.device_code,
                                       decision="approve")
    assert nothing.value.code == "DEVICE_APPROVAL_NO_ENROLLMENT_PENDING"
    sb.enroll_device(grant.user_code, "iPhone")
    with pytest.raises(SandboxError) as early:
        sb.approve_device_code(grant.user_code)
    assert early.value.status == 409
    shown: list[Any] = []

    def on_enrollment(found: Any, respond: Any) -> None:
        shown.append(found)
        if found is not None and found.state == "awaiting_screen":
            assert found.device_label == "iPhone" and len(found.match_code) == 5
            respond("approve")
            respond("approve")  # a second decision is swallowed (already decided)
            sb.approve_device_code(grant.user_code)  # the phone creates its passkey, approves

    done = invo.complete_device_approval(player_token=ada, transaction_id=txn, flow="transfer",
                                         device_code=grant.device_code,
                                         on_enrollment=on_enrollment, sleep=sb.advance_time)
    assert done.status == "approved" and done.settlement is not None
    assert [s.state if s else None for s in shown] == ["awaiting_screen", None]
    with pytest.raises(InvoError) as decided:
        invo.confirm_device_enrollment(player_token=ada, device_code=grant.device_code,
                                       decision="deny")
    assert decided.value.code == "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED"
    assert decided.value.body["via"] == "screen"


def test_enrollment_denied_and_app_browser_auto_confirms(sb: Sandbox, invo: InvoServer) -> None:
    ada = token(invo, ADA)
    txn = transfer(invo)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    sb.enroll_device(grant.user_code)
    assert invo.confirm_device_enrollment(player_token=ada, device_code=grant.device_code,
                                          decision="deny").status == "denied"
    assert invo.poll_device_approval(player_token=ada,
                                     device_code=grant.device_code).status == "access_denied"

    other = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer",
                                       channel="app_browser")
    assert other.channel == "app_browser"
    sb.enroll_device(other.user_code, "Android phone")
    poll = invo.poll_device_approval(player_token=ada, device_code=other.device_code)
    assert poll.enrollment is not None and poll.enrollment.state == "confirmed"


def test_backup_email_decides_first(sb: Sandbox, invo: InvoServer) -> None:
    ada = token(invo, ADA)
    txn = transfer(invo)
    grant = invo.begin_device_approval(player_token=ada, transaction_id=txn, flow="transfer")
    sb.enroll_device(grant.user_code)
    sb.decide_device_enrollment_by_email(grant.user_code, approve=True)
    with pytest.raises(InvoError) as decided:
        invo.confirm_device_enrollment(player_token=ada, device_code=grant.device_code,
                                       decision="approve")
    assert decided.value.body["decided"] == "confirmed"
    assert decided.value.body["via"] == "email"


def test_minor_sender_settle_is_a_guardian_hold(sb: Sandbox, invo: InvoServer) -> None:
    txn = transfer(invo, sender=TIM, amount="10.00")
    tim = token(invo, TIM)
    grant = invo.begin_device_approval(player_token=tim, transaction_id=txn, flow="transfer")
    sb.approve_device_code(grant.user_code)
    held = invo.approve_with_device_code(player_token=tim, transaction_id=txn,
                                         flow="transfer", device_code=grant.device_code)
    assert (held.status, held.hold_reason) == ("pending_guardian_approval",
                                               "GUARDIAN_APPROVAL_PENDING")
    assert held.poll_endpoint == f"/api/transactions/{txn}/approval-status"
    assert isinstance(held.guardian_approval, dict)


# -- passkey recovery -----------------------------------------------------------------------------


def test_recovery_resets_the_passkey_and_pauses_money_out(sb: Sandbox, invo: InvoServer) -> None:
    kim = token(invo, KIM)
    txn = transfer(invo, sender=KIM)
    grant = invo.begin_device_approval(player_token=kim, transaction_id=txn, flow="transfer")
    with pytest.raises(SandboxError) as proof:  # a deleted passkey still exists at INVO
        sb.enroll_device(grant.user_code)
    assert proof.value.code == "ENROLLMENT_REQUIRES_PROOF"

    sent = invo.recovery_begin(player_token=kim)
    assert (sent.status, sent.channels) == ("sent", ["email"])
    code = sb.last_recovery_code(KIM)
    assert code is not None
    with pytest.raises(InvoError) as wrong:
        invo.recovery_complete(player_token=kim, code="000000" if code != "000000" else "1")
    assert wrong.value.is_enrollment_code_invalid
    done = invo.recovery_complete(player_token=kim, code=code)
    assert (done.status, done.deactivated_count) == ("recovered", 1)
    assert done.next
    with pytest.raises(InvoError) as reused:
        invo.recovery_complete(player_token=kim, code=code)
    assert reused.value.is_enrollment_code_invalid
    reset = typed(sb.events_of("identity.passkey_reset")[0])
    assert isinstance(reset, IdentityPasskeyResetData)
    assert (reset.reset_via, reset.deactivated_count) == ("sdk", 1)
    assert reset.cooldown_until is not None
    assert any(m.get("notice") for m in sb.recovery_messages())

    enrolled = sb.enroll_device(grant.user_code, "Mac")  # one fresh enrollment, as recovery
    assert enrolled["enrollment"]["recovery"] is True
    invo.confirm_device_enrollment(player_token=kim, device_code=grant.device_code,
                                   decision="approve")
    sb.approve_device_code(grant.user_code)
    with pytest.raises(InvoError) as cooldown:
        invo.approve_with_device_code(player_token=kim, transaction_id=txn, flow="transfer",
                                      device_code=grant.device_code)
    assert cooldown.value.status == 403 and cooldown.value.is_passkey_recovery_cooldown
    assert cooldown.value.retry_after_at is not None
    assert cooldown.value.body["retry_after_seconds"] > 0
    sb.advance_time(24 * 3600 + 1)
    fresh = token(invo, KIM)
    txn2 = transfer(invo, sender=KIM, ref="t-9")
    grant2 = invo.begin_device_approval(player_token=fresh, transaction_id=txn2,
                                        flow="transfer")
    sb.approve_device_code(grant2.user_code)
    assert invo.approve_with_device_code(player_token=fresh, transaction_id=txn2,
                                         flow="transfer",
                                         device_code=grant2.device_code).status == "approved"


def test_recovery_rate_limit_and_no_channel(sb: Sandbox, invo: InvoServer) -> None:
    ada = token(invo, ADA)
    for _ in range(5):
        invo.recovery_begin(player_token=ada)
    with pytest.raises(InvoError) as limited:
        invo.recovery_begin(player_token=ada)
    assert limited.value.status == 429 and limited.value.is_rate_limited
    assert limited.value.code == "rate_limited"
    assert limited.value.retry_after is not None and limited.value.retry_after > 0
    assert sb.request_count("/api/sdk/device/recover/begin") == 6  # never retried
    sb.remove_recovery_contacts(BOB)
    with pytest.raises(InvoError) as nowhere:
        invo.recovery_begin(player_token=token(invo, BOB))
    assert (nowhere.value.status, nowhere.value.code) == (422, "no_channel_on_file")


# -- Steam --------------------------------------------------------------------------------------


def test_steam_catalogue_prices_per_player(sb: Sandbox, invo: InvoServer) -> None:
    plain = invo.steam_packs()
    assert (plain.country, plain.vat_rate_pct) == (None, "0")
    amounts = {p.pack_id: p.currency_amount for p in plain.packs}
    assert amounts["steam_medium"] == "69.00" and amounts["steam_small"] == "34.00"
    sb.configure_steam(country=("76561198000000002", "FR"))
    french = invo.steam_packs(steamid="76561198000000002")
    assert (french.country, french.vat_rate_pct) == ("FR", "20")
    medium = next(p for p in french.packs if p.pack_id == "steam_medium")
    assert (medium.price_usd, medium.currency_amount) == ("9.99", "58.00")


def test_steam_client_purchase_credits_once(sb: Sandbox, invo: InvoServer) -> None:
    opened = invo.steam_init_purchase(player_email=ADA, steamid="76561198000000001",
                                      pack_id="steam_medium", purchase_reference="buy-1",
                                      metadata={"basket": "b-1"})
    assert opened.order_id and opened.steam_transid and opened.steam_checkout_url is None
    assert (opened.charged_usd, opened.currency_amount) == ("9.99", "69.00")
    with pytest.raises(InvoError) as dup:
        invo.steam_init_purchase(player_email=ADA, steamid="76561198000000001",
                                 pack_id="steam_medium", purchase_reference="buy-1")
    assert dup.value.is_duplicate_request and dup.value.body["order_id"] == opened.order_id
    with pytest.raises(InvoError) as waiting:
        invo.steam_finalize_purchase(order_id=opened.order_id)
    assert waiting.value.is_steam_authorization_pending
    assert not waiting.value.is_steam_authorization_dead
    assert sb.request_count("/api/currency-purchases/steam/finalize-purchase") == 1

    sb.steam_authorize(opened.order_id)
    done = invo.steam_finalize_purchase(order_id=opened.order_id)
    assert (done.status, done.credited, done.already_processed, done.new_balance) == (
        "success", True, False, "569.00")
    again = invo.steam_finalize_purchase(order_id=opened.order_id)
    assert (again.already_processed, again.credited, again.new_balance) == (True, True, None)
    assert sb.balance(ADA) == Decimal("569")
    completed = [typed(e) for e in sb.events_of("purchase.completed")]
    assert len(completed) == 1
    paid = completed[0]
    assert isinstance(paid, PurchaseCompletedData)
    assert (paid.rail, paid.channel, paid.currency_amount, paid.usd_amount) == (
        "steam", None, Decimal("69.00"), Decimal("9.99"))
    assert paid.metadata["basket"] == "b-1"
    assert {"steam_wallet_currency", "steam_country", "steam_account_status",
            "vat_rate_pct"} <= set(paid.metadata)
    assert "purchase_reference" not in paid.raw
    assert invo.get_order_details(order_id=opened.order_id).raw["order"]["status"] == \
        "completed"

    disputed = sb.steam_chargeback(opened.order_id)
    lost = typed(sb.events_of("purchase.disputed")[0])
    assert isinstance(lost, PurchaseDisputedData)
    assert (lost.rail, lost.dispute_status, lost.payment_intent_id, lost.charge_id,
            lost.dispute_id) == ("steam", "lost", None, None, None)
    assert lost.steam_transid == opened.steam_transid == disputed["steam_transid"]
    assert lost.currency_debited == Decimal("69.00") and sb.balance(ADA) == Decimal("500")


def test_steam_dead_reconciled_refused_and_web(sb: Sandbox, invo: InvoServer) -> None:
    def init(ref: str, **extra: Any) -> Any:
        return invo.steam_init_purchase(player_email=BOB, steamid="765", pack_id="steam_small",
                                        purchase_reference=ref, **extra)

    dead = init("r-dead")
    sb.steam_kill(dead.order_id, "Cancelled")
    with pytest.raises(InvoError) as over:
        invo.steam_finalize_purchase(order_id=dead.order_id)
    assert over.value.is_steam_authorization_dead and not over.value.is_steam_authorization_pending
    assert over.value.body["steam_status"] == "Cancelled"

    late = init("r-late")
    sb.steam_authorize(late.order_id)
    sb.steam_reconcile(late.order_id)  # a missed finalize is not a lost credit
    assert invo.steam_finalize_purchase(order_id=late.order_id).already_processed is True
    assert sb.balance(BOB) == Decimal("54")

    sb.configure_steam(refuse_next_credit="CREDIT_REFUSED_RISK")
    refused = init("r-refused")
    sb.steam_authorize(refused.order_id)
    first = invo.steam_finalize_purchase(order_id=refused.order_id)
    assert (first.credited, first.reason_code, first.already_processed) == (
        False, "CREDIT_REFUSED_RISK", False)
    assert invo.steam_finalize_purchase(order_id=refused.order_id).already_processed is True

    partial = init("r-partial")
    sb.steam_authorize(partial.order_id)
    invo.steam_finalize_purchase(order_id=partial.order_id)
    sb.steam_partial_refund(partial.order_id, 10)
    refund = typed(sb.events_of("purchase.refunded")[0])
    assert isinstance(refund, PurchaseRefundedData)
    assert (refund.rail, refund.fully_refunded, refund.currency_debited) == (
        "steam", False, Decimal("10.00"))

    web = init("r-web", usersession="web", player_ip="203.0.113.9")
    assert web.steam_checkout_url
    page = requests.get(web.steam_checkout_url, timeout=5)
    assert 'data-state="Init"' in page.text
    pressed = requests.post(f"{web.steam_checkout_url}/approve", data={"go": "1"}, timeout=5)
    assert pressed.status_code == 200 and 'data-state="Approved"' in pressed.text
    assert invo.steam_finalize_purchase(order_id=web.order_id).credited is True
    # The server refuses a web session without the player's IP too (the SDK never sends one).
    body = {"player_email": BOB, "steamid": "765", "pack_id": "steam_small",
            "purchase_reference": "r-ip", "usersession": "web"}
    resp = requests.post(f"{sb.base_url}/api/currency-purchases/steam/init-purchase",
                         json=body, headers={"X-Game-Secret-Key": sb.game_secret,
                                             "User-Agent": "test"}, timeout=5)
    assert (resp.status_code, resp.json()["code"]) == (400, "MISSING_PLAYER_IP")


@pytest.mark.parametrize(("knobs", "status", "prop"), [
    ({"entitled": False}, 403, "is_steam_rail_not_entitled"),
    ({"configured": False}, 503, "is_steam_not_configured"),
    ({"partner_refusal": "PARTNER_BILLING_NOT_SET_UP"}, 409, "is_partner_billing_not_set_up"),
    ({"partner_refusal": "PARTNER_CREDIT_UNAVAILABLE"}, 409,
     "is_partner_settlement_unavailable"),
    ({"partner_refusal": "PARTNER_RAIL_SUSPENDED"}, 409, "is_partner_rail_suspended"),
    ({"payments_paused": True}, 403, "is_payments_paused"),
])
def test_steam_gates_refuse_before_any_charge(knobs: dict[str, Any], status: int, prop: str,
                                              sb: Sandbox) -> None:
    sb.configure_steam(**knobs)
    with sb.client(max_retries=0) as invo, pytest.raises(InvoError) as refused:
        invo.steam_init_purchase(player_email=ADA, steamid="1", pack_id="steam_small",
                                 purchase_reference="gate")
    assert refused.value.status == status and getattr(refused.value, prop)
    assert sb.events_of("purchase.completed") == []


def test_steam_unknown_pack_and_locked_account(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as unknown:
        invo.steam_init_purchase(player_email=ADA, steamid="1", pack_id="steam_huge",
                                 purchase_reference="u-1")
    assert unknown.value.is_unknown_steam_pack
    assert "steam_medium" in unknown.value.body["valid_pack_ids"]
    sb.configure_steam(locked_steamid="666")
    with pytest.raises(InvoError) as locked:
        invo.steam_init_purchase(player_email=ADA, steamid="666", pack_id="steam_small",
                                 purchase_reference="u-2")
    assert (locked.value.status, locked.value.code) == (409, "STEAM_ACCOUNT_LOCKED")


def test_begin_pushes_the_transactions_window_past_the_grant() -> None:
    with Sandbox(players=PLAYERS, verification_ttl=60) as sb, sb.client() as invo:
        kept = transfer(invo, ref="keep")
        lapsed = transfer(invo, ref="lapse")
        ada = token(invo, ADA)
        grant = invo.begin_device_approval(player_token=ada, transaction_id=kept,
                                           flow="transfer")
        sb.advance_time(300)  # past the transfers' own 60 s window, inside the grant's
        ada = token(invo, ADA)
        sb.approve_device_code(grant.user_code)
        settled = invo.approve_with_device_code(player_token=ada, transaction_id=kept,
                                                flow="transfer", device_code=grant.device_code)
        assert settled.status == "approved"
        late = invo.begin_device_approval(player_token=ada, transaction_id=lapsed,
                                          flow="transfer")
        sb.approve_device_code(late.user_code)
        refused = invo.approve_with_device_code(player_token=ada, transaction_id=lapsed,
                                                flow="transfer", device_code=late.device_code)
        assert (refused.status, refused.current_status, refused.already_settled) == (
            "not_pending", "expired", False)
        assert sb.balance(ADA) == Decimal("475")  # the lapsed transfer was released
