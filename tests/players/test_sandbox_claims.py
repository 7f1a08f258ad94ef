"""The sandbox's claim rules (§5) and its transfer events in the current shape, which must
parse with the SDK's strict typed payloads."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from invonetwork import (
    InvoError,
    InvoServer,
    TransferClaimExpiredData,
    TransferClaimPendingData,
    TransferRefundedData,
)
from invonetwork.sandbox import Sandbox

ADA, ADA_PHONE = "ada@example.com", "+15555550100"
ZED, ZED_PHONE = "zed@example.com", "+15555550199"


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sb(shared: Sandbox) -> Sandbox:
    shared.reset()
    shared.add_player(ADA, name="Ada", phone=ADA_PHONE, balance=500, passkey_enrolled=True)
    shared.add_player("sms@example.com", phone="+15555550122", balance=100)
    return shared


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(max_retries=0) as client:
        yield client


def _transfer(invo: InvoServer, request_id: str = "t1", amount: str = "100.00",
              email: str = ADA, phone: str = ADA_PHONE) -> str:
    return str(invo.initiate_transfer(
        client_request_id=request_id, source_player_name="Ada", source_player_email=email,
        source_player_phone=phone, target_player_email=ZED, target_player_phone=ZED_PHONE,
        target_game_id=2002, amount=amount).transaction_id)


def _claim(invo: InvoServer, code: str, phone: str = ZED_PHONE, email: str = ZED) -> Any:
    return invo.claim_transfer(claim_code=code, target_player_name="Zed",
                               target_player_email=email, target_player_phone=phone,
                               target_currency_id=2002)


def _error(fn: Any, *args: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as caught:
        fn(*args, **kwargs)
    return caught.value


def _approved(sb: Sandbox, invo: InvoServer, **kwargs: Any) -> tuple[str, str]:
    txn = _transfer(invo, **kwargs)
    return txn, str(sb.approve_transaction(txn)["claim_code"])


def test_an_unknown_code_is_a_404(invo: InvoServer) -> None:
    assert _error(_claim, invo, "NOPE2345").status == 404


def test_another_phone_is_a_403_and_nothing_moves(sb: Sandbox, invo: InvoServer) -> None:
    _, code = _approved(sb, invo)
    err = _error(_claim, invo, code, phone="+15555550998")
    assert err.status == 403 and err.is_phone_mismatch
    assert sb.events_of("transfer.received") == []
    assert _claim(invo, code).status == "success"


def test_a_used_code_is_400_not_claimable(sb: Sandbox, invo: InvoServer) -> None:
    _, code = _approved(sb, invo)
    _claim(invo, code)
    err = _error(_claim, invo, code)
    assert (err.status, err.code) == (400, "NOT_CLAIMABLE")


def test_another_currency_is_400_not_claimable(sb: Sandbox, invo: InvoServer) -> None:
    _, code = _approved(sb, invo)
    err = _error(invo.claim_transfer, claim_code=code, target_player_name="Zed",
                 target_player_email=ZED, target_player_phone=ZED_PHONE, target_currency_id=3003)
    assert (err.status, err.code) == (400, "NOT_CLAIMABLE")


def test_after_24_hours_the_code_is_400_claim_expired_and_the_sender_is_refunded(
    sb: Sandbox, invo: InvoServer
) -> None:
    txn, code = _approved(sb, invo)
    sb.advance_time(24 * 3600 - 5)
    assert sb.balance(ADA) == Decimal("400")
    sb.advance_time(6)
    err = _error(_claim, invo, code)
    assert (err.status, err.code) == (400, "CLAIM_EXPIRED")
    assert sb.balance(ADA) == Decimal("500")
    status = invo.get_transfer_status(txn)
    assert status.verification_state == "expired"
    types = [e["event_type"] for e in sb.events if e["event_type"].startswith("transfer.")]
    assert types[-3:] == ["transfer.claim_expired", "transfer.claim_expired",
                          "transfer.refunded"]
    expired = [TransferClaimExpiredData.from_data(e["data"])
               for e in sb.events_of("transfer.claim_expired")]
    assert {e.direction for e in expired} == {"outbound", "inbound"}
    assert all(e.expiry_reason == "claim_expired" and e.reason == "claim_expired"
               for e in expired)
    [refund] = [TransferRefundedData.from_data(e["data"])
                for e in sb.events_of("transfer.refunded")]
    assert refund.refunded_amount == Decimal("100.00") and refund.expiry_reason == "claim_expired"
    assert "direction" not in refund.raw


def test_a_contested_phone_holds_the_value_until_consent(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player("owner@example.com", phone=ZED_PHONE)
    _, code = _approved(sb, invo)
    err = _error(_claim, invo, code)
    assert err.status == 409 and err.code == "PHONE_SHARE_APPROVAL_REQUIRED"
    assert err.phone_share_last4 == "0199"
    assert isinstance(err.body, dict) and err.body["consent_channel"] == "sms"
    otp = sb.last_otp(ZED_PHONE)
    invo.phone_share_approve(approval_id=str(err.phone_share_approval_id), otp=str(otp))
    assert _claim(invo, code).status == "success"


def test_identity_check_down_is_503_and_nothing_moves(sb: Sandbox, invo: InvoServer) -> None:
    _, code = _approved(sb, invo)
    sb.set_identity_check_available(False)
    err = _error(_claim, invo, code)
    assert err.status == 503 and err.is_identity_check_unavailable
    assert sb.events_of("transfer.received") == []
    sb.set_identity_check_available(True)
    assert _claim(invo, code).status == "success"


def test_claim_pending_comes_in_two_copies_in_the_current_shape(sb: Sandbox,
                                                                invo: InvoServer) -> None:
    txn, _ = _approved(sb, invo)
    copies = [TransferClaimPendingData.from_data(e["data"])
              for e in sb.events_of("transfer.claim_pending")]
    assert [c.direction for c in copies] == ["outbound", "inbound"]
    out, inbound = copies
    assert out.transaction_id == inbound.transaction_id == txn
    assert (out.from_game_id, out.to_game_id) == (str(sb.game_id), "2002")
    assert (out.amount, out.net_transfer_amount) == (Decimal("100.00"), Decimal("90.00"))
    assert out.to_phone is None and inbound.to_phone == ZED_PHONE
    assert out.claim_code_expires_at is not None and out.from_player_id
    assert "sender_email" not in out.raw and "receiver_email" not in inbound.raw


@pytest.mark.parametrize("sms,reason", [(True, "pin_expired"), (False, "approval_expired")])
def test_an_unapproved_move_expires_with_events(sb: Sandbox, invo: InvoServer, sms: bool,
                                                reason: str) -> None:
    if sms:
        _transfer(invo, email="sms@example.com", phone="+15555550122", amount="10.00")
    else:
        _transfer(invo)
    sb.advance_time(31 * 60)
    sb.balance(ADA)  # any read applies the expiry
    invo.get_inbound_pending(player_email=ZED)
    expired = [TransferClaimExpiredData.from_data(e["data"])
               for e in sb.events_of("transfer.claim_expired")]
    assert [e.expiry_reason for e in expired] == [reason, reason]
    assert all(e.reason == "pin_expired" for e in expired)
    [refund] = sb.events_of("transfer.refunded")
    assert TransferRefundedData.from_data(refund["data"]).expiry_reason == reason


def test_a_phone_added_to_an_email_only_sender_rekeys_the_identity(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.add_player("mail@example.com", balance=50, passkey_enrolled=True)
    before = invo.mint_player_token(player_email="mail@example.com").identity_id
    first = invo.initiate_transfer(
        client_request_id="rk", source_player_name="M", source_player_email="mail@example.com",
        source_player_phone="+15555550155", target_player_phone=ZED_PHONE, target_game_id=2002,
        amount="5.00")
    assert first.identity_rekeyed and first.player_token and first.player_token_expires_at
    assert first.identity_id and first.identity_id != before
    replay = invo.initiate_transfer(
        client_request_id="rk", source_player_name="M", source_player_email="mail@example.com",
        source_player_phone="+15555550155", target_player_phone=ZED_PHONE, target_game_id=2002,
        amount="5.00")
    assert replay.identity_rekeyed and replay.player_token == first.player_token
    later = invo.initiate_transfer(
        client_request_id="rk2", source_player_name="M",
        source_player_email="mail@example.com", source_player_phone="+15555550155",
        target_player_phone=ZED_PHONE, target_game_id=2002, amount="5.00")
    assert not later.identity_rekeyed and later.player_token is None


def test_a_minors_initiate_carries_sms_beside_the_guardian_approval(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.add_player("kid@example.com", phone="+15555550133", balance=40, is_minor=True)
    made = invo.initiate_transfer(
        client_request_id="kid", source_player_name="Kid", source_player_email="kid@example.com",
        source_player_phone="+15555550133", target_player_phone=ZED_PHONE, target_game_id=2002,
        amount="5.00")
    assert made.raw["verification_method"] == "sms" and made.guardian_approval
    assert made.verification_method is None  # the SDK reads the guardian path


def test_an_older_tokens_approve_after_a_rekey_is_player_token_stale(
    sb: Sandbox, invo: InvoServer
) -> None:
    from invonetwork.sandbox import SandboxError

    sb.add_player("mail@example.com", balance=50, passkey_enrolled=True)
    old = invo.mint_player_token(player_email="mail@example.com").token
    made = invo.initiate_transfer(
        client_request_id="st", source_player_name="M", source_player_email="mail@example.com",
        source_player_phone="+15555550155", target_player_phone=ZED_PHONE, target_game_id=2002,
        amount="5.00")
    with pytest.raises(SandboxError) as stale:
        sb.approve_transaction(str(made.transaction_id), player_token=old)
    assert (stale.value.status, stale.value.code) == (403, "PLAYER_TOKEN_STALE")
    with pytest.raises(SandboxError) as unknown:
        sb.approve_transaction(str(made.transaction_id), player_token="ivpt_nope")
    assert unknown.value.status == 401
    done = sb.approve_transaction(str(made.transaction_id), player_token=made.player_token)
    assert done["claim_code"]
