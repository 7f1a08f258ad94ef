"""Errors: mapping, classifiers, sent or maybe sent, headers, configuration."""

from __future__ import annotations

import inspect
import math
import pickle
import socket
from collections.abc import Iterator
from typing import Any, Optional

import pytest
import requests
import requests.adapters
import responses

import invonetwork.errors as errors_module
from invonetwork import Hooks, InvoError, InvoServer
from invonetwork.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    GoneError,
    MaybeSentError,
    NetworkError,
    NotFoundError,
    NotSentError,
    PermissionDeniedError,
    RateLimitError,
    ReadTimeoutError,
    RequestTimeoutError,
    ServerError,
    UnexpectedRedirectError,
    error_from_response,
)

from .recorder import RECORDER_SECRET, Recorder
from .support import SECRET, add_any

# == over a mocked transport (responses) =======================================================

ALL_ERROR_CLASSES = sorted(
    (obj for obj in vars(errors_module).values()
     if inspect.isclass(obj) and issubclass(obj, InvoError)),
    key=lambda cls: cls.__name__,
)

# Classes whose code is always set, so ``err.code`` is a ``str`` (the rest default to None).
DEFAULT_CODES: dict[type[InvoError], str] = {
    errors_module.ConfigurationError: "INVALID_CONFIGURATION",
    errors_module.KeyEnvironmentMismatchError: "KEY_ENVIRONMENT_MISMATCH",
    errors_module.EnvironmentUnknownError: "ENVIRONMENT_UNKNOWN",
    errors_module.WebhookVerificationError: "WEBHOOK_SIGNATURE_INVALID",
}

# -- code and message precedence ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"code": "A", "error_code": "B", "error": "flow_paused"}, "A"),
        ({"error_code": "B", "error": "flow_paused"}, "B"),
        ({"error": "flow_paused"}, "flow_paused"),
        ({"error": "spending_limit_exceeded"}, "spending_limit_exceeded"),
        ({"error": "receiver_not_enrolled_use_claim_code"},
         "receiver_not_enrolled_use_claim_code"),
        ({"error": "Flow_Paused"}, None),
        ({"error": "flow_paused now"}, None),
        ({"error": "some other problem"}, None),
        ({"message": "flow_paused"}, None),
        ({}, None),
        ("flow_paused", None),
        (None, None),
        ([{"code": "A"}], None),
    ],
)
def test_code_precedence(body: Any, code: Any) -> None:
    assert error_from_response(400, body).code == code


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (400, {"error": "E", "message": "M"}, "E"),
        (400, {"message": "M"}, "M"),
        (400, {"error": "", "message": "M"}, "M"),
        (400, {"error": "   ", "message": "M"}, "M"),
        (400, {"code": "X"}, "INVO request failed (HTTP 400)"),
        (502, "Bad gateway from the proxy", "Bad gateway from the proxy"),
        (502, "   ", "INVO request failed (HTTP 502)"),
        (503, "", "INVO request failed (HTTP 503)"),
        (418, None, "INVO request failed (HTTP 418)"),
        (500, {}, "INVO request failed (HTTP 500)"),
    ],
)
def test_message_precedence(status: int, body: Any, message: str) -> None:
    err = error_from_response(status, body)
    assert err.message == message
    assert str(err) == message
    assert err.status == status
    assert err.body == body


def test_error_from_response_request_id() -> None:
    assert error_from_response(400, {}).request_id is None
    assert error_from_response(400, {}, "req-1").request_id == "req-1"
    assert error_from_response(400, {}, request_id="req-2").request_id == "req-2"


@pytest.mark.parametrize(
    ("status", "cls"),
    [(301, UnexpectedRedirectError), (302, UnexpectedRedirectError),
     (307, UnexpectedRedirectError), (400, BadRequestError), (401, AuthenticationError),
     (403, PermissionDeniedError), (404, NotFoundError), (409, ConflictError),
     (410, GoneError), (429, RateLimitError), (500, ServerError), (501, ServerError),
     (502, ServerError), (503, ServerError), (504, ServerError), (422, APIError)],
)
def test_subclass_per_status(status: int, cls: type, rsps: responses.RequestsMock,
                             client: InvoServer) -> None:
    direct = error_from_response(status, {"error": "x"})
    assert isinstance(direct, cls) and isinstance(direct, InvoError)
    headers = {"Location": "https://evil.example/steal"} if 300 <= status < 400 else {}
    add_any(rsps, "POST", json={"error": "x"}, status=status, headers=headers)
    with pytest.raises(cls) as info:
        client.create_checkout(player_email="p@x.com", usd_amount="1")
    assert info.value.status == status
    assert [call.request.url for call in rsps.calls] == [
        "https://sandbox.invo.network/sandbox/api/checkout/sessions"]


# -- over HTTP -------------------------------------------------------------------------------


def test_http_error_carries_code_message_body_request_id(client: InvoServer,
                                                         rsps: responses.RequestsMock) -> None:
    body = {"error": "Session already consumed", "code": "SESSION_ALREADY_CONSUMED", "n": 1}
    add_any(rsps, "GET", json=body, status=409,
            headers={"x-invo-request-id": "inv-1", "x-request-id": "other"})
    with pytest.raises(ConflictError) as info:
        client.get_transfer_status("t")
    err = info.value
    assert (err.message, err.code, err.status, err.body, err.request_id) == (
        "Session already consumed", "SESSION_ALREADY_CONSUMED", 409, body, "inv-1")


@pytest.mark.parametrize(
    ("headers", "request_id"),
    [({"X-Request-Id": "r-2"}, "r-2"), ({"X-Invo-Request-Id": "r-1"}, "r-1"), ({}, None)],
)
def test_request_id_header_fallback(headers: dict[str, str], request_id: Any,
                                    client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={"error": "no"}, status=400, headers=headers)
    with pytest.raises(BadRequestError) as info:
        client.get_transfer_status("t")
    assert info.value.request_id == request_id


@pytest.mark.parametrize("text", ["<html><body>Bad Gateway</body></html>", "plain failure"])
def test_non_json_error_body_kept_as_text(text: str, client: InvoServer,
                                          rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", body=text, status=400, content_type="text/html")
    with pytest.raises(BadRequestError) as info:
        client.verify_sms_send("t", "1")
    assert info.value.body == text
    assert info.value.message == text


def test_empty_error_body(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", body="", status=401)
    with pytest.raises(AuthenticationError) as info:
        client.verify_sms_send("t", "1")
    assert info.value.message == "INVO request failed (HTTP 401)"
    assert info.value.code is None


def test_error_tokens_over_http(client: InvoServer, rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"error": "receiver_not_enrolled_use_claim_code"}, status=409)
    with pytest.raises(InvoError) as info:
        client.initiate_transfer(client_request_id="c", source_player_name="a",
                                 source_player_email="a@x", source_player_phone="+12",
                                 target_player_email="b@x", target_player_phone="+13",
                                 target_game_id=1, amount="1")
    assert info.value.code == "receiver_not_enrolled_use_claim_code"
    assert info.value.is_receiver_not_enrolled


def test_secret_echoed_by_the_server_is_not_kept(client: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"error": f"bad key {SECRET}", "echo": SECRET}, status=401)
    with pytest.raises(InvoError) as info:
        client.verify_sms_send("t", "1")
    err = info.value
    assert SECRET not in str(err) and SECRET not in repr(err) and SECRET not in str(err.body)


# -- classifiers ---------------------------------------------------------------------------


def make(code: Any = None, status: int = 0, body: Any = None, message: str = "m") -> InvoError:
    return InvoError(message, code=code, status=status, body=body)


@pytest.mark.parametrize(
    ("err", "expected"),
    [(make("SDK_TOKEN_EXPIRED"), True), (make("sdk_token_expired"), False),
     (make(None, message="SDK_TOKEN_EXPIRED"), False)],
)
def test_is_token_expired(err: InvoError, expected: bool) -> None:
    assert err.is_token_expired is expected


@pytest.mark.parametrize(
    ("err", "expected"),
    [(make("receiver_not_enrolled_use_claim_code"), True),
     (make(None, message="Receiver_Not_Enrolled_Use_Claim_Code: ask for a code"), True),
     (make(None, status=409, message="error: receiver_not_enrolled_use_claim_code"), True),
     (make(None, message="receiver not enrolled"), False), (make("OTHER"), False)],
)
def test_is_receiver_not_enrolled(err: InvoError, expected: bool) -> None:
    assert err.is_receiver_not_enrolled is expected


@pytest.mark.parametrize(
    ("err", "expected"),
    [(make("INSUFFICIENT_BALANCE", 400), True),
     (make(None, 400, {"required_amount": "10.00"}), True),
     (make(None, 400, message="Insufficient Balance for this item"), True),
     (make(None, 400, message="insufficient_balance"), True),
     (make(None, 400, message="INSUFFICIENT_BALANCE_BLOCKED"), True),
     (make("INSUFFICIENT_BALANCE", 409), False),
     (make(None, 429, {"error": "insufficient_balance_blocked"},
           "insufficient_balance_blocked"), False),
     (make(None, 0, {"required_amount": 1}), False),
     (make(None, 400, message="insufficientbalance"), False),
     (make(None, 400, {"other": 1}), False)],
)
def test_is_insufficient_balance(err: InvoError, expected: bool) -> None:
    assert err.is_insufficient_balance is expected


def test_throttle_429_is_not_insufficient_balance_over_the_mapping() -> None:
    err = error_from_response(429, {"error": "insufficient_balance_blocked", "retry_after": 30})
    assert isinstance(err, RateLimitError)
    assert not err.is_insufficient_balance
    assert err.retry_after == 30
    insufficient = error_from_response(400, {"error": "Insufficient balance",
                                             "required_amount": "5.00"})
    assert isinstance(insufficient, BadRequestError) and insufficient.is_insufficient_balance


@pytest.mark.parametrize(
    ("err", "expected"),
    [(make("DUPLICATE_REQUEST", 200), True), (make("DUPLICATE_REQUEST"), True),
     (make(None, 409, message="Duplicate client_request_id"), True),
     (make(None, 409, message="already a DUPLICATE"), True),
     (make(None, 400, message="duplicate"), False), (make(None, 409, message="conflict"), False)],
)
def test_is_duplicate_request(err: InvoError, expected: bool) -> None:
    assert err.is_duplicate_request is expected


def test_duplicate_over_the_mapping() -> None:
    err = error_from_response(409, {"message": "Duplicate request"})
    assert isinstance(err, ConflictError) and err.is_duplicate_request


@pytest.mark.parametrize(
    ("prop", "code"),
    [("is_enrollment_authorization_required", "ENROLLMENT_REQUIRES_AUTHORIZATION"),
     ("is_enrollment_proof_required", "ENROLLMENT_REQUIRES_PROOF"),
     ("is_phone_share_approval_required", "PHONE_SHARE_APPROVAL_REQUIRED"),
     ("is_phone_share_already_approved", "PHONE_SHARE_ALREADY_APPROVED"),
     ("is_token_expired", "SDK_TOKEN_EXPIRED")],
)
def test_code_classifiers(prop: str, code: str) -> None:
    assert getattr(make(code, 403), prop) is True
    assert getattr(make(code.lower(), 403), prop) is False
    assert getattr(make(None, 403, message=code), prop) is False
    assert getattr(error_from_response(409, {"code": code}), prop) is True


@pytest.mark.parametrize(
    ("body", "expected"),
    [({"approval_id": "ap-1"}, "ap-1"), ({"approval_id": ""}, None), ({"approval_id": 5}, None),
     ({"approval_id": None}, None), ({}, None), ("approval_id", None), (None, None)],
)
def test_phone_share_approval_id(body: Any, expected: Any) -> None:
    assert make("PHONE_SHARE_APPROVAL_REQUIRED", 409, body).phone_share_approval_id == expected


def test_phone_share_approval_required_over_http(client: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", status=409, json={"code": "PHONE_SHARE_APPROVAL_REQUIRED",
                                            "error": "Owner must approve",
                                            "approval_id": "ap-9"})
    with pytest.raises(InvoError) as info:
        client.mint_player_token(player_email="p@x.com", player_phone="+15555550100")
    assert info.value.is_phone_share_approval_required
    assert info.value.phone_share_approval_id == "ap-9"
    assert len(rsps.calls) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [(5, 5.0), (0, 0.0), (2.5, 2.5), ("7", 7.0), ("1.5", 1.5), (True, None), (False, None),
     (-1, None), ("-3", None), (float("inf"), None), (float("nan"), None), ("inf", None),
     ("nan", None), ("soon", None), ("", None), (None, None), ([1], None), ({"s": 1}, None)],
)
def test_retry_after(value: Any, expected: Any) -> None:
    got = make(None, 429, {"retry_after": value}).retry_after
    assert got == expected
    if expected is not None:
        assert isinstance(got, (int, float)) and not isinstance(got, bool)


@pytest.mark.parametrize("body", [None, "retry_after=5", [5], {}])
def test_retry_after_without_a_json_object(body: Any) -> None:
    assert make(None, 429, body).retry_after is None


# -- hand-built errors -------------------------------------------------------------------------


def test_invo_error_defaults() -> None:
    err = InvoError("boom")
    assert (err.message, err.code, err.status, err.body, err.request_id) == (
        "boom", None, 0, None, None)
    assert str(err) == "boom"
    assert isinstance(err, Exception)


@pytest.mark.parametrize("cls", ALL_ERROR_CLASSES, ids=lambda c: c.__name__)
def test_every_subclass_keeps_the_signature_and_classifiers(cls: type[InvoError]) -> None:
    body = {"required_amount": "5.00", "retry_after": "3", "approval_id": "ap",
            "secret_detail": "hide-me"}
    err = cls("Insufficient balance", code="INSUFFICIENT_BALANCE", status=400, body=body,
              request_id="req-7")
    assert isinstance(err, InvoError)
    assert (err.message, err.code, err.status, err.body, err.request_id) == (
        "Insufficient balance", "INSUFFICIENT_BALANCE", 400, body, "req-7")
    assert str(err) == "Insufficient balance"
    assert err.is_insufficient_balance
    assert not err.is_token_expired and not err.is_duplicate_request
    assert not err.is_receiver_not_enrolled
    assert not err.is_enrollment_authorization_required and not err.is_enrollment_proof_required
    assert not err.is_phone_share_approval_required and not err.is_phone_share_already_approved
    assert err.retry_after == 3.0
    assert err.phone_share_approval_id == "ap"
    assert "hide-me" not in repr(err) and "required_amount" not in repr(err)
    plain = cls("x")
    assert plain.status == 0 and plain.code == DEFAULT_CODES.get(cls) and plain.retry_after is None
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is cls
    assert (clone.message, clone.code, clone.status, clone.body, clone.request_id) == (
        err.message, err.code, err.status, err.body, err.request_id)
    assert str(clone) == str(err)


def test_errors_from_the_mapping_pickle() -> None:
    err = error_from_response(429, {"error": "slow", "retry_after": 2}, "r-1")
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is type(err)
    assert clone.retry_after == 2 and clone.request_id == "r-1" and str(clone) == "slow"


def test_invalid_input_is_also_value_error() -> None:
    from invonetwork import InvalidInputError

    assert issubclass(InvalidInputError, ValueError)
    err = InvalidInputError("bad", code="INVALID_INPUT")
    assert err.status == 0 and str(err) == "bad"


@pytest.mark.parametrize(
    ("status", "body", "cls", "parent"),
    [(400, {"code": "INSUFFICIENT_BALANCE"}, "InsufficientBalanceError", BadRequestError),
     (400, {"error": "x", "required_amount": 5}, "InsufficientBalanceError", BadRequestError),
     (409, {"message": "Duplicate request"}, "DuplicateRequestError", ConflictError),
     (409, {"code": "DUPLICATE_REQUEST"}, "DuplicateRequestError", ConflictError),
     (409, {"code": "PHONE_SHARE_APPROVAL_REQUIRED", "approval_id": "a"},
      "PhoneShareApprovalRequiredError", ConflictError)],
)
def test_specialised_subclasses(status: int, body: Any, cls: str, parent: type) -> None:
    err = error_from_response(status, body)
    assert type(err) is getattr(errors_module, cls)
    assert isinstance(err, parent) and isinstance(err, APIError)


# == over the recording server on 127.0.0.1 ====================================================

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
def test_is_token_expired_over_http(err: InvoError, expected: bool) -> None:
    assert err.is_token_expired is expected


@pytest.mark.parametrize("err,expected", [
    (_err(code="receiver_not_enrolled_use_claim_code"), True),
    (_err(message="Error: RECEIVER_NOT_ENROLLED_USE_CLAIM_CODE!"), True),
    (_err(message="receiver_not_enrolled"), False),
    (_err(), False),
])
def test_is_receiver_not_enrolled_over_http(err: InvoError, expected: bool) -> None:
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
def test_is_insufficient_balance_over_http(err: InvoError, expected: bool) -> None:
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
def test_is_duplicate_request_over_http(err: InvoError, expected: bool) -> None:
    assert err.is_duplicate_request is expected


@pytest.mark.parametrize("prop,code", [
    ("is_enrollment_authorization_required", "ENROLLMENT_REQUIRES_AUTHORIZATION"),
    ("is_enrollment_proof_required", "ENROLLMENT_REQUIRES_PROOF"),
    ("is_phone_share_approval_required", "PHONE_SHARE_APPROVAL_REQUIRED"),
    ("is_phone_share_already_approved", "PHONE_SHARE_ALREADY_APPROVED"),
])
def test_code_classifiers_over_http(prop: str, code: str) -> None:
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
def test_retry_after_over_http(body: Any, expected: Any) -> None:
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
def test_phone_share_approval_id_over_http(body: Any, expected: Any) -> None:
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


# == failures over the recording server on 127.0.0.1: sent or not, headers, configuration ======

@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port with nothing listening (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    yield port


def checkout(invo: InvoServer) -> Any:
    return invo.create_checkout(player_email="p@example.com", usd_amount="5.00")


# -- never sent / maybe sent ----------------------------------------------------------------


def test_refused_connection_is_not_sent_and_names_the_host(closed_port: int) -> None:
    invo = InvoServer(RECORDER_SECRET, f"http://127.0.0.1:{closed_port}", max_retries=0)
    with pytest.raises(NotSentError) as info:
        checkout(invo)
    err = info.value
    assert isinstance(err, NetworkError) and not isinstance(err, MaybeSentError)
    assert err.code == "NETWORK_ERROR" and err.status == 0
    assert f"127.0.0.1:{closed_port}" in err.message and "refused" in err.message
    assert "sandbox" in err.message
    for noise in ("HTTPConnectionPool", "Max retries", "/api/checkout", "object at 0x"):
        assert noise not in err.message


def test_refused_connection_on_a_read_is_retried(closed_port: int) -> None:
    seen: list[bool] = []
    invo = InvoServer(RECORDER_SECRET, f"http://127.0.0.1:{closed_port}", max_retries=2,
                      retry_base_delay=0, hooks=Hooks(on_error=lambda e: seen.append(e.will_retry)))
    with pytest.raises(NotSentError):
        invo.get_send_status("t")
    assert seen == [True, True, False]


def test_connection_dropped_after_the_request_is_maybe_sent(srv: Recorder) -> None:
    srv.reply(drop=True)
    with pytest.raises(MaybeSentError) as info:
        checkout(srv.client())
    assert not isinstance(info.value, NotSentError)
    assert info.value.code == "NETWORK_ERROR"
    assert len(srv.requests) == 1  # it did arrive: a charge may have happened


def test_read_timeout_is_maybe_sent_and_a_timeout(srv: Recorder) -> None:
    srv.reply(200, {"checkout_url": "https://c"}, delay=0.6)
    with pytest.raises(ReadTimeoutError) as info:
        checkout(srv.client(timeout=(2.0, 0.2)))
    assert isinstance(info.value, MaybeSentError) and isinstance(info.value, RequestTimeoutError)
    assert info.value.code == "TIMEOUT"
    assert len(srv.requests) == 1


def test_a_dropped_read_is_retried_and_succeeds(srv: Recorder) -> None:
    srv.reply(drop=True).reply(200, {"status": "success"})
    result = srv.client().get_send_status("t")
    assert result.raw == {"status": "success"} and len(srv.requests) == 2


# -- the transport translates only failures of the exchange ----------------------------------


class _BrokenAdapter(requests.adapters.HTTPAdapter):
    def __init__(self, exc: BaseException) -> None:
        super().__init__()
        self.exc = exc
        self.calls = 0

    def send(self, *args: Any, **kwargs: Any) -> requests.Response:
        self.calls += 1
        raise self.exc


@pytest.mark.parametrize("exc", [TypeError("a bug"), ValueError("a bare ValueError"),
                                 KeyError("k")], ids=repr)
def test_a_programming_error_is_not_a_network_error(srv: Recorder, exc: Exception) -> None:
    session = requests.Session()
    adapter = _BrokenAdapter(exc)
    session.mount("http://", adapter)
    invo = InvoServer(RECORDER_SECRET, srv.url, session=session, max_retries=3, retry_base_delay=0)
    with pytest.raises(type(exc)) as info:
        invo.get_send_status("t")
    assert not isinstance(info.value, InvoError)
    assert adapter.calls == 1  # not retried


def test_a_broken_hook_neither_fails_nor_repeats_the_call(srv: Recorder) -> None:
    def broken(_info: Any) -> None:
        raise TypeError("hook bug")

    srv.reply(200, {"status": "success"})
    invo = srv.client(hooks=Hooks(on_request=broken, on_response=broken, on_error=broken))
    assert invo.get_send_status("t").raw == {"status": "success"}
    assert len(srv.requests) == 1


# -- headers and Retry-After -----------------------------------------------------------------


def test_429_retry_after_header_without_a_body_value(srv: Recorder) -> None:
    srv.reply(429, {"error": "slow down"}, headers={"Retry-After": "60"})
    with pytest.raises(RateLimitError) as info:
        srv.client().get_send_status("t")
    err = info.value
    assert err.retry_after == 60.0 and err.retry_after_header == "60"
    assert len(srv.requests) == 1  # 60 s is over the 20 s cap: raised at once


def test_429_header_wait_is_honoured_when_short(srv: Recorder) -> None:
    srv.reply(429, b"", headers={"Retry-After": "0"}).reply(200, {"status": "ok"})
    assert srv.client().get_send_status("t").raw == {"status": "ok"}
    assert len(srv.requests) == 2


def test_api_error_keeps_headers_without_secrets(srv: Recorder) -> None:
    srv.reply(404, {"error": "nope"}, headers={
        "X-Invo-Request-Id": "req-9", "Set-Cookie": "session=abc", "X-Echo": f"k={RECORDER_SECRET}",
        "X-Game-Secret-Key": RECORDER_SECRET})
    with pytest.raises(APIError) as info:
        srv.client().get_send_status("t")
    headers = info.value.headers
    assert headers["x-invo-request-id"] == "req-9"
    assert headers["content-type"] == "application/json"
    assert "set-cookie" not in headers and "x-game-secret-key" not in headers
    assert RECORDER_SECRET not in repr(headers) and headers["x-echo"] == "k=[redacted]"
    assert "x-echo" not in repr(info.value)  # repr shows class, status, code, id only


# -- configuration errors are InvoErrors --------------------------------------------------------


@pytest.mark.parametrize(("args", "kwargs"), [
    (("",), {}), ((RECORDER_SECRET, "ftp://x"), {}), ((RECORDER_SECRET, "http://example.com"), {}),
    ((RECORDER_SECRET, "http://127.0.0.1:1"), {"timeout": 0}),
    ((RECORDER_SECRET, "http://127.0.0.1:1"), {"max_retries": -1}),
    ((RECORDER_SECRET, "http://127.0.0.1:1"), {"pool_size": 0}),
    ((RECORDER_SECRET, "http://127.0.0.1:1"), {"hooks": object()}),
    (("bad\nsecret", "http://127.0.0.1:1"), {}),
], ids=repr)
def test_configuration_errors_are_invo_errors_and_value_errors(args: Any, kwargs: Any) -> None:
    with pytest.raises(ConfigurationError) as info:
        InvoServer(*args, **kwargs)
    err = info.value
    assert isinstance(err, InvoError) and isinstance(err, ValueError)
    assert err.code == "INVALID_CONFIGURATION" and err.status == 0


def test_from_env_without_secret_is_a_configuration_error(monkeypatch: Any) -> None:
    monkeypatch.delenv("INVO_GAME_SECRET", raising=False)
    with pytest.raises(ConfigurationError):
        InvoServer.from_env()


# -- with_options keeps the class --------------------------------------------------------------


class GameClient(InvoServer):
    def balance_of_ada(self) -> Any:
        return self.get_player_balance(player_email="ada@example.com")


def test_with_options_of_a_subclass_is_the_subclass(srv: Recorder) -> None:
    client = GameClient(RECORDER_SECRET, srv.url, retry_base_delay=0)
    view = client.with_options(timeout=3, max_retries=0)
    assert type(view) is GameClient
    srv.reply(503, b"")
    with pytest.raises(APIError):
        view.balance_of_ada()
    assert len(srv.requests) == 1  # the view's max_retries=0
    srv.reply(200, {"balances": []})
    assert view.balance_of_ada().balances == []
    client.close()
    assert view.closed  # closed with the original


@pytest.mark.parametrize(("kwargs", "named"), [
    ({"retry_base_delay": -1}, "retry_base_delay"), ({"max_retries": -1}, "max_retries"),
    ({"timeout": 0}, "timeout"), ({"pool_size": 0}, "pool_size"),
    ({"max_response_bytes": 0}, "max_response_bytes"), ({"user_agent": "a\nb"}, "user_agent"),
])
def test_a_configuration_error_names_the_argument(kwargs: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        InvoServer("ivsdk_test_x", **kwargs)
    assert named in str(info.value)
