"""Section 3 rows C7, C8, C19, C24, C25: each error of the current API maps to its
exception class and classifier, over the recording server on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest

from core.recorder import Recorder
from core.support import CLAIM_CURRENCY_ARGS, CLAIM_TRANSFER_ARGS, SEND_ARGS, TRANSFER_ARGS
from invonetwork import (
    BadRequestError,
    ConflictError,
    InsufficientBalanceError,
    InvoError,
    InvoServer,
    PermissionDeniedError,
    PhoneShareApprovalRequiredError,
    ServerError,
)

INITIATES = [("initiate_send", SEND_ARGS), ("initiate_transfer", TRANSFER_ARGS)]


def _fail(srv: Recorder, invo: InvoServer, call: str, args: Any, status: int,
          body: Any) -> InvoError:
    srv.reply(status, body)
    with pytest.raises(InvoError) as caught:
        getattr(invo, call)(**args)
    return caught.value


@pytest.mark.parametrize("call,args", INITIATES)
def test_c7_phone_mismatch(srv: Recorder, invo: InvoServer, call: str, args: Any) -> None:
    err = _fail(srv, invo, call, args, 400, {"code": "PHONE_MISMATCH", "error": "x"})
    assert isinstance(err, BadRequestError) and err.is_phone_mismatch
    err = _fail(srv, invo, call, args, 400, {"error": "x", "error_code": "PHONE_MISMATCH"})
    assert err.is_phone_mismatch


@pytest.mark.parametrize("call,args", INITIATES)
def test_c7_amount_limits_via_invalid_amount(srv: Recorder, invo: InvoServer, call: str,
                                             args: Any) -> None:
    err = _fail(srv, invo, call, args, 400, {
        "code": "INVALID_AMOUNT", "error_code": "AMOUNT_BELOW_MINIMUM",
        "minimum_amount": "1.00", "currency_name": "Gold"})
    assert err.is_amount_below_minimum and not err.is_amount_above_maximum
    assert (err.minimum_amount, err.limit_currency_name) == ("1.00", "Gold")
    err = _fail(srv, invo, call, args, 400, {"code": "AMOUNT_ABOVE_MAXIMUM",
                                             "maximum_amount": "500.00"})
    assert err.is_amount_above_maximum and err.maximum_amount == "500.00"


@pytest.mark.parametrize("call,args", INITIATES)
@pytest.mark.parametrize("status,code,prop,cls", [
    (403, "SOURCE_GAME_NOT_LIVE", "is_source_game_not_live", PermissionDeniedError),
    (403, "TARGET_GAME_NOT_LIVE", "is_target_game_not_live", PermissionDeniedError),
    (409, "STEAM_VALUE_NON_TRANSFERABLE", "is_steam_value_non_transferable", ConflictError),
    (409, "NON_STEAM_VALUE_INTO_STEAM_BLOCKED", "is_non_steam_value_into_steam_blocked",
     ConflictError),
])
def test_c7_game_and_steam_refusals(srv: Recorder, invo: InvoServer, call: str, args: Any,
                                    status: int, code: str, prop: str, cls: Any) -> None:
    err = _fail(srv, invo, call, args, status, {"code": code, "game_status": "paused"})
    assert isinstance(err, cls) and getattr(err, prop) is True
    assert err.status == status


def test_c8_stale_token_is_a_403(srv: Recorder, invo: InvoServer) -> None:
    err = _fail(srv, invo, "get_transfer_status", {"transaction_id": "t"}, 403,
                {"code": "PLAYER_TOKEN_STALE"})
    assert isinstance(err, PermissionDeniedError) and err.is_player_token_stale


@pytest.mark.parametrize("call,args", INITIATES)
def test_c8_rekeyed_identity_is_read(srv: Recorder, invo: InvoServer, call: str,
                                     args: Any) -> None:
    srv.reply(200, {"transaction_id": "t", "identity_rekeyed": True, "player_token": "pt",
                    "player_token_expires_at": "2026-01-01T00:00:00Z", "identity_id": "i2"})
    made = getattr(invo, call)(**args)
    assert made.identity_rekeyed and made.player_token == "pt" and made.identity_id == "i2"


ITEM = {"client_request_id": "r", "player_email": "a@x.example", "player_name": "A",
        "item_id": "i", "item_name": "I", "item_quantity": 1, "unit_price": "0.01",
        "total_price": "0.01"}


def test_c19_item_amount_below_minimum(srv: Recorder, invo: InvoServer) -> None:
    err = _fail(srv, invo, "purchase_item", ITEM, 400, {"code": "AMOUNT_BELOW_MINIMUM"})
    assert isinstance(err, BadRequestError) and err.is_amount_below_minimum
    assert not err.is_insufficient_balance


def test_c19_zero_balance_carries_only_current_balance(srv: Recorder,
                                                       invo: InvoServer) -> None:
    err = _fail(srv, invo, "purchase_item", ITEM, 400, {"error": "no funds",
                                                        "current_balance": "0.00"})
    assert isinstance(err, InsufficientBalanceError) and err.is_insufficient_balance


CLAIMS = [("claim_transfer", CLAIM_TRANSFER_ARGS), ("claim_currency", CLAIM_CURRENCY_ARGS)]


@pytest.mark.parametrize("call,args", CLAIMS)
def test_c24_identity_check_unavailable_is_never_retried(srv: Recorder, call: str,
                                                         args: Any) -> None:
    srv.reply(503, {"code": "IDENTITY_CHECK_UNAVAILABLE"}).reply(200, {"status": "success"})
    client = srv.client(max_retries=3, retry_base_delay=0.001)
    with pytest.raises(InvoError) as caught:
        getattr(client, call)(**args)
    err = caught.value
    assert isinstance(err, ServerError) and err.is_identity_check_unavailable
    assert len(srv.requests) == 1


@pytest.mark.parametrize("call,args", CLAIMS)
def test_c24_phone_share_body_adds_last4_and_channel(srv: Recorder, invo: InvoServer,
                                                     call: str, args: Any) -> None:
    err = _fail(srv, invo, call, args, 409, {
        "code": "PHONE_SHARE_APPROVAL_REQUIRED", "phone_last4": "0111",
        "consent_channel": "email", "approval_id": "psa_1"})
    assert isinstance(err, PhoneShareApprovalRequiredError)
    assert err.is_phone_share_refused and err.phone_share_last4 == "0111"
    assert isinstance(err.body, dict) and err.body["consent_channel"] == "email"


def test_c25_guardian_consent_channel(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"approval": {"state": "approved", "consent_channel": "email",
                                 "decision_source": "email_link"}})
    made = invo.get_guardian_approval_status("txn_1")
    assert (made.consent_channel, made.decision_source) == ("email", "email_link")
    srv.reply(200, {"approval": {"state": "pending"}})
    assert invo.get_guardian_approval_status("txn_1").consent_channel is None
