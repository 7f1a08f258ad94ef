"""The sandbox's fidelity fixes seen through the SDK: a claim from another phone, one phone
per wallet. Errors are checked by code and status only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox


def _claimable_send(sb: Sandbox, invo: InvoServer) -> str:
    send = invo.initiate_send(
        client_request_id="fid-1", sender_player_name="Ada",
        sender_player_email="ada@example.com", sender_player_phone="+15555550100",
        receiver_player_email="zed@example.com", receiver_player_phone="+15555550199",
        receiving_game_id=2002, amount="25")
    pin = sb.last_sms_pin(send.transaction_id)
    assert pin is not None
    done = invo.verify_sms_send(transaction_id=send.transaction_id, sms_pin=pin)
    assert done.claim_code
    return str(done.claim_code)


def test_a_claim_from_another_phone_is_refused_and_never_retried(
    sb: Sandbox, invo: InvoServer
) -> None:
    code = _claimable_send(sb, invo)
    with pytest.raises(InvoError) as info:
        invo.claim_currency(claim_code=code, receiver_player_name="Zed",
                            receiver_player_email="zed@example.com",
                            receiver_player_phone="+15555550198")
    assert (info.value.status, info.value.code) == (403, "PHONE_MISMATCH")
    assert sb.request_count("/api/currency-sends/claim-currency") == 1
    claimed = invo.claim_currency(claim_code=code, receiver_player_name="Zed",
                                  receiver_player_email="zed@example.com",
                                  receiver_player_phone="+15555550199")
    assert claimed.status == "success" and claimed.new_balance == "22.50"  # less the 10 % fee


def test_a_token_for_another_players_phone_needs_consent(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(InvoError) as info:
        invo.mint_player_token(player_email="eve@example.com", player_phone="+15555550111")
    assert (info.value.status, info.value.code) == (409, "PHONE_SHARE_APPROVAL_REQUIRED")
    approval_id = info.value.body["approval_id"] if isinstance(info.value.body, dict) else None
    assert approval_id
    otp = sb.last_otp("+15555550111")
    assert otp is not None
    approved = invo.phone_share_approve(approval_id=approval_id, otp=otp)
    assert approved.approved is True
    token = invo.mint_player_token(player_email="eve@example.com", player_phone="+15555550111")
    assert token.token.startswith("ivpt_")
    phones = {p["player_email"]: p["player_phone"] for p in sb.snapshot()["players"]}
    assert phones["bob@example.com"] == "+15555550111" and phones["eve@example.com"] is None


def test_accounts_of_one_wallet_share_a_phone_and_the_claim_asks_which(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.add_player("zed@example.com", name="Zed", phone="+15555550199")
    sb.add_player("zed.alt@example.com", name="Zed Alt", phone="+15555550199",
                  wallet_of="zed@example.com")
    code = _claimable_send(sb, invo)
    args = {"claim_code": code, "receiver_player_name": "Zed",
            "receiver_player_email": "zed@example.com",
            "receiver_player_phone": "+15555550199"}
    choose = invo.claim_currency(**args)
    assert choose.needs_account_selection
    alt = next(c for c in choose.candidates or [] if c["player_email"] == "zed.alt@example.com")
    done = invo.claim_currency(**args, receiver_player_id=alt["player_id"])
    assert done.status == "success"
    assert sb.balance("zed.alt@example.com", game_id=2002) == Decimal("22.50")  # less 10 %
