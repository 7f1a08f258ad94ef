"""Every error of consoles-and-steam.md (§0, §1.4, §2.4, §3) and the classifier that names it,
read from an answer as the transport builds the error."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from invonetwork import InvoError, error_from_response
from invonetwork._classifiers import PROMOTED_ERROR_TOKENS

SECTION_0_TOKENS = {
    "flow_paused", "spending_limit_exceeded", "receiver_not_enrolled_use_claim_code",
    "no_channel_on_file", "rate_limited", "service_unavailable", "authorization_pending",
    "slow_down", "expired_token", "access_denied", "invalid_grant",
}


def _err(status: int, body: Any, header: Optional[str] = None) -> InvoError:
    return error_from_response(status, body, "req-1", header)


def test_every_section_0_token_is_promoted() -> None:
    assert SECTION_0_TOKENS <= PROMOTED_ERROR_TOKENS
    for token in SECTION_0_TOKENS:
        plain = _err(400, {"error": token})
        assert (plain.code, plain.message) == (token, token)
        worded = _err(400, {"error": token, "message": "Wait a little"})
        assert (worded.code, worded.message) == (token, "Wait a little")
        blank = _err(400, {"error": token, "message": "  "})
        assert blank.message == token
        coded = _err(400, {"error": token, "code": "OTHER"})
        assert coded.code == "OTHER"
        assert _err(400, {"error": token, "error_code": "E"}).code == "E"
    assert _err(400, {"error": "Slow_Down"}).code is None


def test_rate_limited_and_retry_after() -> None:
    assert _err(429, {"error": "rate_limited", "retry_after": 42}).is_rate_limited
    assert _err(400, {"error": "rate_limited"}).is_rate_limited
    assert _err(400, {"code": "RATE_LIMITED"}).is_rate_limited
    assert _err(429, {}).is_rate_limited
    assert not _err(400, {"error": "slow_down"}).is_rate_limited
    assert _err(429, {"error": "rate_limited", "retry_after": 42}).retry_after == 42
    assert _err(429, {"error": "rate_limited"}, "17").retry_after == 17
    assert _err(429, {}, "Wed, 21 Oct 2026 07:28:00 GMT").retry_after is None
    cooldown = _err(403, {"code": "PASSKEY_RECOVERY_COOLDOWN",
                          "retry_after": "2026-12-02T10:00:00Z", "retry_after_seconds": 86399})
    assert cooldown.is_passkey_recovery_cooldown
    assert cooldown.retry_after is None
    assert cooldown.retry_after_at == "2026-12-02T10:00:00Z"
    assert _err(403, {"retry_after": "30"}).retry_after_at is None


CODE_RULES: list[tuple[str, int, str]] = [
    ("is_steam_rail_not_entitled", 403, "STEAM_RAIL_NOT_ENTITLED"),
    ("is_steam_not_configured", 503, "STEAM_NOT_CONFIGURED"),
    ("is_partner_billing_not_set_up", 409, "PARTNER_BILLING_NOT_SET_UP"),
    ("is_partner_credit_unavailable", 409, "PARTNER_CREDIT_UNAVAILABLE"),
    ("is_partner_rail_suspended", 409, "PARTNER_RAIL_SUSPENDED"),
    ("is_payments_paused", 403, "PAYMENTS_PAUSED"),
    ("is_unknown_steam_pack", 400, "UNKNOWN_STEAM_PACK"),
    ("is_missing_player_ip", 400, "MISSING_PLAYER_IP"),
    ("is_steam_app_changed", 409, "STEAM_APP_CHANGED"),
    ("is_steam_purchase_layer_required", 409, "STEAM_PURCHASE_LAYER_REQUIRED"),
    ("is_device_approval_not_approved", 400, "DEVICE_APPROVAL_NOT_APPROVED"),
    ("is_device_approval_already_pending", 409, "DEVICE_APPROVAL_ALREADY_PENDING"),
    ("is_player_token_stale", 403, "PLAYER_TOKEN_STALE"),
    ("is_passkey_recovery_cooldown", 403, "PASSKEY_RECOVERY_COOLDOWN"),
    ("is_identity_check_unavailable", 503, "IDENTITY_CHECK_UNAVAILABLE"),
    ("is_enrollment_code_invalid", 400, "ENROLLMENT_CODE_INVALID"),
    ("is_steam_authorization_pending", 409, "STEAM_AUTHORIZATION_PENDING"),
    ("is_transaction_not_pending", 400, "TRANSACTION_NOT_PENDING"),
    ("is_duplicate_request", 409, "DUPLICATE_REQUEST"),
    ("is_receiver_not_enrolled", 409, "receiver_not_enrolled_use_claim_code"),
    ("is_phone_share_approval_required", 409, "PHONE_SHARE_APPROVAL_REQUIRED"),
]


@pytest.mark.parametrize(("prop", "status", "code"), CODE_RULES, ids=[r[0] for r in CODE_RULES])
def test_code_rules(prop: str, status: int, code: str) -> None:
    assert getattr(_err(status, {"error": "x", "code": code}), prop) is True
    assert getattr(_err(status, {"error": "x", "code": "NOT_" + code}), prop) is False


def test_partner_settlement_unavailable_is_either_of_two() -> None:
    for code in ("PARTNER_CREDIT_UNAVAILABLE", "PARTNER_RAIL_SUSPENDED"):
        assert _err(409, {"code": code}).is_partner_settlement_unavailable
    assert not _err(409, {"code": "PARTNER_BILLING_NOT_SET_UP"}).is_partner_settlement_unavailable


def test_settle_faults_and_error_ref() -> None:
    for code in ("SEND_APPROVE_FAILED", "TRANSFER_APPROVE_FAILED", "CONFIRM_RECEIPT_FAILED"):
        fault = _err(400, {"error": "x", "code": code, "error_ref": "err_77"})
        assert fault.is_settle_fault and fault.error_ref == "err_77"
    assert _err(400, {"code": "SEND_APPROVE_FAILED", "error_ref": ""}).error_ref is None
    assert not _err(400, {"code": "APPROVE_FAILED"}).is_settle_fault


def test_already_pending_expires_at() -> None:
    taken = _err(409, {"code": "DEVICE_APPROVAL_ALREADY_PENDING",
                       "expires_at": "2026-12-01T10:10:00Z"})
    assert taken.device_approval_expires_at == "2026-12-01T10:10:00Z"
    assert _err(409, {"code": "DEVICE_APPROVAL_ALREADY_PENDING"}).device_approval_expires_at \
        is None


def test_duplicate_init_carries_the_existing_order() -> None:
    dup = _err(409, {"error": "Duplicate request", "code": "DUPLICATE_REQUEST",
                     "order_id": "ord-1"})
    assert dup.is_duplicate_request and dup.body["order_id"] == "ord-1"


@pytest.mark.parametrize(("body", "pending", "dead"), [
    ({"status": "not_authorized", "steam_status": "Init"}, True, False),
    ({"status": "not_authorized", "steam_status": "INIT"}, True, False),
    ({"status": "not_authorized"}, True, False),
    ({"status": "not_authorized", "steam_status": ""}, True, False),
    ({"status": "not_authorized", "steam_status": None}, True, False),
    ({"status": "not_authorized", "steam_status": "Failed"}, False, True),
    ({"status": "not_authorized", "steam_status": "Cancelled"}, False, True),
    ({"status": "not_authorized", "steam_status": "Refunded"}, False, True),
    ({"status": "not_authorized", "steam_status": "PartialRefund"}, False, True),
    ({"status": "not_authorized", "steam_status": "Chargedback"}, False, True),
    ({"status": "not_authorized", "steam_status": "SomethingNew"}, False, True),
    ({"status": "failed", "steam_status": "Failed"}, False, False),
    ({"code": "STEAM_AUTHORIZATION_PENDING"}, True, False),
    ({"error": "Order is not finalizable"}, False, False),
])
def test_steam_pending_is_closed_and_dead_is_open(body: dict[str, Any], pending: bool,
                                                  dead: bool) -> None:
    err = _err(409, body)
    assert err.is_steam_authorization_pending is pending
    assert err.is_steam_authorization_dead is dead


@pytest.mark.parametrize(("status", "body", "matches", "current"), [
    (400, {"code": "TRANSACTION_NOT_PENDING", "current_status": "completed"}, True,
     "completed"),
    (400, {"error": "Transaction not pending (current status: pending_claim)"}, True,
     "pending_claim"),
    (400, {"error": "This transfer cannot be confirmed (status:  expired )"}, True, "expired"),
    (400, {"error": "Transaction not pending"}, False, None),
    (409, {"error": "Transaction not pending (status: completed)"}, False, "completed"),
    (400, {"error": "a transaction not pending (status: x)"}, False, "x"),
])
def test_transaction_not_pending(status: int, body: dict[str, Any], matches: bool,
                                 current: Optional[str]) -> None:
    err = _err(status, body)
    assert err.is_transaction_not_pending is matches
    assert err.current_transaction_status == current


def test_confirm_and_recovery_errors_without_classifier_keep_their_codes() -> None:
    decided = _err(409, {"error": "x", "code": "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED",
                         "decided": "confirmed", "via": "email"})
    assert decided.code == "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED"
    assert _err(422, {"error": "no_channel_on_file"}).code == "no_channel_on_file"
    assert _err(400, {"error": "invalid_grant"}).code == "invalid_grant"
    assert _err(500, {"error": "x", "code": "RECOVERY_FAILED"}).code == "RECOVERY_FAILED"
    assert _err(409, {"error": "x", "code": "STEAM_ACCOUNT_LOCKED"}).code == \
        "STEAM_ACCOUNT_LOCKED"
