"""InvoError shape, error_from_response mapping and classifier properties."""

from __future__ import annotations

import math
from typing import Any, Optional

import pytest

from invonetwork import InvoError, InvoServer
from invonetwork.errors import error_from_response

from .conftest import Recorder

ATTRS = ("message", "code", "status", "body", "request_id")


def test_user_constructed_error_defaults() -> None:
    err = InvoError("boom")
    assert str(err) == "boom" and err.message == "boom"
    assert (err.code, err.status, err.body, err.request_id) == (None, 0, None, None)
    for prop in ("is_token_expired", "is_receiver_not_enrolled", "is_insufficient_balance",
                 "is_duplicate_request", "is_enrollment_authorization_required",
                 "is_enrollment_proof_required", "is_phone_share_approval_required",
                 "is_phone_share_already_approved"):
        assert getattr(err, prop) is False, prop
    assert err.retry_after is None and err.phone_share_approval_id is None
    err = InvoError("m", code="C", status=418, body={"a": 1}, request_id="r")
    assert (err.code, err.status, err.body, err.request_id) == ("C", 418, {"a": 1}, "r")
    assert isinstance(err, Exception)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 429, 500, 503])
def test_subclasses_keep_user_signature(status: int) -> None:
    cls = type(error_from_response(status, {"error": "x"}))
    err = cls("m", code="SDK_TOKEN_EXPIRED", status=status, body={"retry_after": 3})
    assert isinstance(err, InvoError) and err.is_token_expired and err.retry_after == 3
    assert str(err) == "m"
    cls("only message")


@pytest.mark.parametrize("body,code", [
    ({"code": "A", "error_code": "B", "error": "flow_paused"}, "A"),
    ({"error_code": "B", "error": "flow_paused"}, "B"),
    ({"error": "flow_paused"}, "flow_paused"),
    ({"error": "spending_limit_exceeded"}, "spending_limit_exceeded"),
    ({"error": "receiver_not_enrolled_use_claim_code"}, "receiver_not_enrolled_use_claim_code"),
    ({"error": "Flow_Paused"}, None),
    ({"error": "flow_paused now"}, None),
    ({"error": "some other"}, None),
    ({}, None),
    ("plain text", None),
    (None, None),
])
def test_code_mapping(body: Any, code: Optional[str]) -> None:
    assert error_from_response(400, body).code == code


@pytest.mark.parametrize("status,body,message", [
    (400, {"error": "E", "message": "M"}, "E"),
    (400, {"message": "M"}, "M"),
    (400, "text body", "text body"),
    (400, "   ", "INVO request failed (HTTP 400)"),
    (502, "", "INVO request failed (HTTP 502)"),
    (404, {}, "INVO request failed (HTTP 404)"),
    (500, None, "INVO request failed (HTTP 500)"),
])
def test_message_mapping(status: int, body: Any, message: str) -> None:
    err = error_from_response(status, body)
    assert err.message == message and str(err) == message
    assert err.status == status and err.body == body


def test_error_over_http_carries_everything(srv: Recorder, invo: InvoServer) -> None:
    body = {"error": "Invalid secret", "code": "INVALID_GAME_SECRET"}
    srv.reply(401, body, headers={"x-invo-request-id": "req-9"})
    with pytest.raises(InvoError) as ei:
        invo.get_order_details(order_id="o")
    err = ei.value
    assert (err.message, err.code, err.status, err.body, err.request_id) == (
        "Invalid secret", "INVALID_GAME_SECRET", 401, body, "req-9")
    assert str(err) == "Invalid secret"


def _err(status: int = 400, code: Optional[str] = None, message: str = "m",
         body: Any = None) -> InvoError:
    return InvoError(message, code=code, status=status, body=body)


@pytest.mark.parametrize("err,expected", [
    (_err(code="SDK_TOKEN_EXPIRED"), True),
    (_err(status=0, code="SDK_TOKEN_EXPIRED"), True),
    (_err(code="sdk_token_expired"), False),
    (_err(), False),
])
def test_is_token_expired(err: InvoError, expected: bool) -> None:
    assert err.is_token_expired is expected


@pytest.mark.parametrize("err,expected", [
    (_err(code="receiver_not_enrolled_use_claim_code"), True),
    (_err(message="Error: RECEIVER_NOT_ENROLLED_USE_CLAIM_CODE!"), True),
    (_err(message="receiver_not_enrolled"), False),
    (_err(), False),
])
def test_is_receiver_not_enrolled(err: InvoError, expected: bool) -> None:
    assert err.is_receiver_not_enrolled is expected


@pytest.mark.parametrize("err,expected", [
    (_err(code="INSUFFICIENT_BALANCE"), True),
    (_err(body={"required_amount": "5.00"}), True),
    (_err(message="Insufficient balance"), True),
    (_err(message="INSUFFICIENT_BALANCE for player"), True),
    (_err(message="insufficient  balance"), False),
    (_err(status=402, code="INSUFFICIENT_BALANCE"), False),
    (_err(status=429, code="insufficient_balance_blocked",
          message="insufficient_balance_blocked"), False),
    (_err(status=0, code="INSUFFICIENT_BALANCE"), False),
    (_err(), False),
])
def test_is_insufficient_balance(err: InvoError, expected: bool) -> None:
    assert err.is_insufficient_balance is expected


def test_insufficient_balance_from_response() -> None:
    assert error_from_response(400, {"error": "x", "required_amount": 3}).is_insufficient_balance
    assert not error_from_response(429, {"error": "insufficient_balance_blocked"}
                                   ).is_insufficient_balance


@pytest.mark.parametrize("err,expected", [
    (_err(code="DUPLICATE_REQUEST"), True),
    (_err(status=0, code="DUPLICATE_REQUEST"), True),
    (_err(status=409, message="Duplicate client_request_id"), True),
    (_err(status=409, message="already DUPLICATE"), True),
    (_err(status=400, message="duplicate"), False),
    (_err(status=409, message="conflict"), False),
])
def test_is_duplicate_request(err: InvoError, expected: bool) -> None:
    assert err.is_duplicate_request is expected


@pytest.mark.parametrize("prop,code", [
    ("is_enrollment_authorization_required", "ENROLLMENT_REQUIRES_AUTHORIZATION"),
    ("is_enrollment_proof_required", "ENROLLMENT_REQUIRES_PROOF"),
    ("is_phone_share_approval_required", "PHONE_SHARE_APPROVAL_REQUIRED"),
    ("is_phone_share_already_approved", "PHONE_SHARE_ALREADY_APPROVED"),
])
def test_code_classifiers(prop: str, code: str) -> None:
    assert getattr(_err(code=code), prop) is True
    assert getattr(_err(code=code.lower()), prop) is False
    assert getattr(_err(code="OTHER"), prop) is False
    assert getattr(error_from_response(403, {"code": code}), prop) is True


@pytest.mark.parametrize("body,expected", [
    ({"retry_after": 5}, 5),
    ({"retry_after": 0}, 0),
    ({"retry_after": 2.5}, 2.5),
    ({"retry_after": "7"}, 7),
    ({"retry_after": "1.5"}, 1.5),
    ({"retry_after": True}, None),
    ({"retry_after": False}, None),
    ({"retry_after": -1}, None),
    ({"retry_after": "-1"}, None),
    ({"retry_after": "nan"}, None),
    ({"retry_after": "inf"}, None),
    ({"retry_after": float("inf")}, None),
    ({"retry_after": "abc"}, None),
    ({"retry_after": None}, None),
    ({}, None),
    ("retry_after: 5", None),
    (None, None),
])
def test_retry_after(body: Any, expected: Any) -> None:
    for err in (_err(status=429, body=body), error_from_response(429, body)):
        got = err.retry_after
        if expected is None:
            assert got is None
        else:
            assert got == expected and not isinstance(got, bool) and math.isfinite(got)


@pytest.mark.parametrize("body,expected", [
    ({"approval_id": "ap_1"}, "ap_1"),
    ({"approval_id": ""}, None),
    ({"approval_id": 5}, None),
    ({}, None),
    ("text", None),
])
def test_phone_share_approval_id(body: Any, expected: Any) -> None:
    err = _err(status=403, code="PHONE_SHARE_APPROVAL_REQUIRED", body=body)
    assert err.phone_share_approval_id == expected


def test_wrong_pin_and_blocked_not_retried(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(400, {"error": "Wrong PIN", "attempts_remaining": 2})
    with pytest.raises(InvoError) as ei:
        invo.verify_sms_transfer("t", "0000")
    assert ei.value.body["attempts_remaining"] == 2 and len(srv.requests) == 1
    srv.reply(429, {"error": "sms_verification_blocked", "retry_after": 0})
    with pytest.raises(InvoError) as ei:
        invo.verify_sms_send("t", "0000")
    assert ei.value.status == 429 and ei.value.retry_after == 0 and len(srv.requests) == 2


def test_phone_share_required_from_mint(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(403, {"code": "PHONE_SHARE_APPROVAL_REQUIRED", "approval_id": "ap9",
                    "error": "approval needed"})
    with pytest.raises(InvoError) as ei:
        invo.mint_player_token(player_email="a@b.io", player_phone="+15551234567")
    assert ei.value.is_phone_share_approval_required
    assert ei.value.phone_share_approval_id == "ap9"
    assert len(srv.requests) == 1
