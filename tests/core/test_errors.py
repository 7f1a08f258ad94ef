"""The error-mapping table, classifiers, and hand-built errors, per the contract."""

from __future__ import annotations

import inspect
import pickle
from typing import Any

import pytest
import responses

import invonetwork.errors as errors_module
from invonetwork import InvoError, InvoServer
from invonetwork.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    GoneError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnexpectedRedirectError,
    error_from_response,
)

from .support import SECRET, add_any

ALL_ERROR_CLASSES = sorted(
    (obj for obj in vars(errors_module).values()
     if inspect.isclass(obj) and issubclass(obj, InvoError)),
    key=lambda cls: cls.__name__,
)

# Classes whose code is always set, so ``err.code`` is a ``str`` (the rest default to None).
DEFAULT_CODES: dict[type[InvoError], str] = {
    errors_module.ConfigurationError: "INVALID_CONFIGURATION",
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
