"""Every reader rule of the subscription results, and the classifiers of their errors."""

from __future__ import annotations

import pytest

from invonetwork import (
    CancelResult,
    CardSetupSession,
    FirstCharge,
    InvalidResponseError,
    PlayerCard,
    RefundPendingApproval,
    RefundReceipt,
    RefundResult,
    SandboxClockResult,
    SteamInitResult,
    Subscription,
    SubscriptionResult,
)
from invonetwork.errors import error_from_response


def test_subscription_defaults() -> None:
    sub = Subscription.from_body({})
    assert (sub.subscription_id, sub.status, sub.amount_usd) == ("", "", "")
    assert sub.interval == "month" and sub.interval_count == 1 and sub.period_seq == 0
    assert sub.funding_rail == "card" and sub.consent == {} and sub.metadata is None
    assert sub.player_id is None and sub.next_charge_at is None
    assert sub.cancel_at_period_end is False


def test_subscription_readers() -> None:
    sub = Subscription.from_body({
        "interval": "", "interval_count": "3", "period_seq": True, "player_id": "12",
        "cancel_at_period_end": "true", "wallet_only": True, "funding_rail": None,
        "amount_usd": 9.99, "game_id": 1001, "metadata": [1], "revenue_share": {"percent": 5},
        "consent": None, "paid_through": None,
    })
    assert sub.interval == "month" and sub.interval_count == 3 and sub.period_seq == 0
    assert sub.player_id == 12 and sub.cancel_at_period_end is False and sub.wallet_only
    assert sub.funding_rail == "card" and sub.amount_usd == "9.99" and sub.game_id == "1001"
    assert sub.metadata is None and sub.revenue_share == {"percent": 5} and sub.consent == {}
    assert Subscription.from_body({"interval_count": "1\u0662"}).interval_count == 1


def test_first_charge_receipt_url_only_with_a_number() -> None:
    assert FirstCharge.from_body({"receipt_url": "https://r"}).receipt_url is None
    charge = FirstCharge.from_body({"receipt_number": "IR-1", "receipt_url": "https://r",
                                    "paid_period_seq": "1", "confirmation_url": "https://c"})
    assert charge.receipt_url == "https://r" and charge.paid_period_seq == 1
    assert "https://c" not in repr(charge)
    assert FirstCharge.from_body({"receipt_number": ""}).receipt_number is None


def test_subscription_result_nests_and_falls_back() -> None:
    result = SubscriptionResult.from_body({
        "subscription": {"subscription_id": "s", "steam_agreement_status": "active"},
        "first_charge": {"status": "paid"}, "card": {"id": "7", "exp_year": "x"},
        "idempotent_replay": True, "status": "active",
    })
    assert result.subscription is not None and result.subscription.subscription_id == "s"
    assert result.first_charge == FirstCharge.from_body({"status": "paid"})
    assert result.card is not None and result.card.id == 7 and result.card.exp_year == 0
    assert result.steam_agreement_status == "active" and result.idempotent_replay
    top = SubscriptionResult.from_body({"steam_agreement_status": "pending",
                                        "subscription": {"steam_agreement_status": "x"}})
    assert top.steam_agreement_status == "pending"
    empty = SubscriptionResult.from_body({})
    assert empty.subscription is None and empty.card is None and empty.first_charge is None


def test_steam_init_ids_fall_back_to_the_subscription() -> None:
    result = SteamInitResult.from_body({"subscription": {"subscription_id": "s",
                                                         "status": "pending_x"}})
    assert result.subscription_id == "s" and result.subscription_status == "pending_x"
    assert SteamInitResult.from_body({"subscription_id": "t"}).subscription_id == "t"


def test_cancel_result_bool_or_none() -> None:
    assert CancelResult.from_body({}).steam_agreement_canceled is None
    assert CancelResult.from_body({"steam_agreement_canceled": False}
                                  ).steam_agreement_canceled is False


def test_player_card_defaults() -> None:
    card = PlayerCard.from_body({})
    assert (card.id, card.exp_month, card.exp_year, card.last_four, card.brand) == (
        0, 0, 0, "", "")


def test_card_setup_url_is_required() -> None:
    with pytest.raises(InvalidResponseError) as caught:
        CardSetupSession.from_body({"session_id": "c"})
    assert caught.value.code == "INVALID_RESPONSE"


def test_refund_result_picks_its_class() -> None:
    receipt = RefundResult.of({"status": "refunded", "warnings": [{"code": "REASON_RECOMMENDED",
                                                                    "message": "m"}, "x"],
                               "subscription_canceled": "yes", "period_seq": "2"})
    assert isinstance(receipt, RefundReceipt) and not receipt.is_pending_approval
    assert receipt.warnings[0].code == "REASON_RECOMMENDED" and len(receipt.warnings) == 1
    assert receipt.subscription_canceled is False and receipt.period_seq == 2
    assert RefundResult.of({"status": "refunded"}).subscription_canceled is None
    pending = RefundResult.of({"status": "pending_approval", "refund_request_id": "SRR1",
                               "request_status": "pending"})
    assert isinstance(pending, RefundPendingApproval) and pending.is_pending_approval
    assert pending.request_id == "SRR1" and pending.request_status == "pending"
    assert RefundResult.of({"status": "pending_approval", "request_id": "SRR2",
                            "refund_request_id": "SRR1"}).request_id == "SRR2"


def test_refund_results_compare_field_wise_and_are_unhashable() -> None:
    body = {"status": "refunded", "transaction_id": "t"}
    assert RefundReceipt.from_body(body) == RefundResult.from_body(body)
    assert RefundReceipt.from_body(body) != RefundReceipt.from_body({"status": "refunded"})
    assert RefundReceipt.from_body(body) != RefundPendingApproval.from_body(body)
    with pytest.raises(TypeError):
        hash(RefundReceipt.from_body(body))


def test_clock_result_readers() -> None:
    result = SandboxClockResult.from_body({
        "status": "ok", "after": {"status": "active"}, "retry_schedule_days": [2, "3", "x"],
        "retired": 1, "window_moved": "no", "attempt_no": "4",
    })
    assert result.subscription == {"status": "active"} and result.after == {"status": "active"}
    assert result.retry_schedule_days == [2, 3] and result.retired is False
    assert result.window_moved is None and result.attempt_no == 4 and result.engine_stats == {}
    assert SandboxClockResult.from_body({"subscription": {"a": 1}, "after": {}}
                                        ).subscription == {"a": 1}
    assert SandboxClockResult.from_body({}).retry_schedule_days is None


# -- classifiers --------------------------------------------------------------------------------

CODES = [
    (403, "GAME_NOT_LIVE", "is_game_not_live"),
    (409, "ACTIVE_SUBSCRIPTION_EXISTS", "is_active_subscription_exists"),
    (409, "IDEMPOTENT_REPLAY_MISMATCH", "is_idempotent_replay_mismatch"),
    (400, "PAYMENT_METHOD_REQUIRED", "is_payment_method_required"),
    (400, "TRIAL_AMOUNT_REQUIRES_TRIAL", "is_trial_amount_requires_trial"),
    (400, "TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING", "is_trial_amount_not_supported_for_funding"),
    (400, "TRIAL_AMOUNT_INVALID", "is_trial_amount_invalid"),
    (400, "TRIAL_AMOUNT_BELOW_FEE_FLOOR", "is_trial_amount_below_fee_floor"),
    (400, "CONSENT_DISCLOSED_TRIAL_AMOUNT_INVALID", "is_consent_disclosed_trial_invalid"),
    (400, "CONSENT_DISCLOSED_TRIAL_DAYS_INVALID", "is_consent_disclosed_trial_invalid"),
    (400, "CONSENT_DISCLOSED_TRIAL_END_INVALID", "is_consent_disclosed_trial_invalid"),
    (409, "STEAM_REAUTHORIZATION_REQUIRED", "is_steam_reauthorization_required"),
    (409, "NOT_A_CARD_SUBSCRIPTION", "is_not_a_card_subscription"),
    (409, "STEAM_CHANNEL_REQUIRED", "is_steam_channel_required"),
    (409, "SUBSCRIPTION_TERMINAL", "is_subscription_terminal"),
    (409, "STEAM_AUTHORIZATION_PENDING", "is_steam_authorization_pending"),
    (409, "STEAM_REFUND_NOT_SUPPORTED", "is_steam_refund_not_supported"),
    (409, "REFUND_WINDOW_CLOSED", "is_refund_window_closed"),
    (409, "REFUND_REQUEST_PENDING", "is_refund_request_pending"),
    (409, "REFUND_REQUEST_REJECTED", "is_refund_request_rejected"),
    (409, "CONCURRENT_REQUEST", "is_concurrent_request"),
    (409, "not_authorized", "is_not_authorized"),
    (403, "REFUNDS_NOT_ENABLED", "is_refunds_not_enabled"),
    (502, "REFUND_MISMATCH", "is_refund_mismatch"),
    (503, "FLOW_PAUSED", "is_flow_paused"),
    (503, "flow_paused", "is_flow_paused"),
    (401, "SANDBOX_CLOCK_UNAUTHORIZED", "is_sandbox_clock_unauthorized"),
    (404, "PLAYER_NOT_FOUND", "is_player_not_found"),
    (400, "INVALID_PLAYER_EMAIL", "is_invalid_player_email"),
    (503, "PLAYER_CREATE_FAILED", "is_player_create_failed"),
    (400, "INVALID_INPUT", "is_invalid_input"),
    (403, "PAYMENTS_PAUSED", "is_payments_paused"),
    (409, "DUPLICATE_CLIENT_REQUEST_ID", "is_duplicate_request"),
]


@pytest.mark.parametrize(("status", "code", "name"), CODES,
                         ids=[f"{c[2]}-{c[1]}" for c in CODES])
def test_each_code_has_its_classifier(status: int, code: str, name: str) -> None:
    err = error_from_response(status, {"error": "x", "code": code})
    assert getattr(err, name) is True
    other = error_from_response(status, {"error": "x", "code": "SOMETHING_ELSE"})
    assert getattr(other, name) is False


def test_body_fields_of_subscription_errors() -> None:
    err = error_from_response(409, {"code": "ACTIVE_SUBSCRIPTION_EXISTS", "subscription_id": "s"})
    assert err.existing_subscription_id == "s"
    err = error_from_response(409, {"code": "IDEMPOTENT_REPLAY_MISMATCH",
                                    "mismatched_fields": ["amount_usd", 3, "interval"]})
    assert err.mismatched_fields == ["amount_usd", "interval"]
    err = error_from_response(409, {"code": "REFUND_WINDOW_CLOSED", "refund_window_days": 30,
                                    "period_charged_at": "2026-01-01T00:00:00Z",
                                    "window_closed_at": "2026-01-31T00:00:00Z"})
    assert err.refund_window_days == 30 and err.period_charged_at == "2026-01-01T00:00:00Z"
    assert err.refund_window_closed_at == "2026-01-31T00:00:00Z"
    err = error_from_response(409, {"code": "REFUND_REQUEST_REJECTED", "request_id": "SRR1",
                                    "decision_reason": "no"})
    assert err.refund_request_id == "SRR1" and err.decision_reason == "no"


def test_flow_paused_token_and_public_code() -> None:
    paused = error_from_response(503, {"status": "error", "error": "flow_paused"})
    assert paused.is_flow_paused and paused.code == "flow_paused"
    aliased = error_from_response(409, {"code": "X_INTERNAL",
                                        "error_code_public": "SUBSCRIPTION_TERMINAL"})
    assert aliased.is_subscription_terminal and aliased.raw_code == "X_INTERNAL"
    assert aliased.public_code == "SUBSCRIPTION_TERMINAL"


def test_not_authorized_by_body_status() -> None:
    err = error_from_response(409, {"status": "not_authorized", "steam_status": "Init"})
    assert err.is_not_authorized


def test_player_not_found_by_body_error() -> None:
    assert error_from_response(404, {"error": "player_not_found"}).is_player_not_found
    assert not error_from_response(400, {"error": "player_not_found"}).is_player_not_found
