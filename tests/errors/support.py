"""A user-built error that carries the classifiers, as ``InvoError`` will once it inherits them.

Until ``InvoError`` inherits ``ErrorClassifiers`` (and takes ``raw_code``, ``public_code`` and
``retry_after_header`` in its constructor), the tests build errors from a two-line subclass and
set those attributes the way the constructor will. Once it does, ``_E`` is a plain subclass
and the same tests run against ``InvoError``'s own properties.
"""

from __future__ import annotations

from typing import Any, Optional

from invonetwork import InvoError
from invonetwork._classifiers import ErrorClassifiers

_BASES: tuple[type, ...] = (
    (InvoError,) if issubclass(InvoError, ErrorClassifiers) else (ErrorClassifiers, InvoError)
)


class _E(*_BASES):  # type: ignore[misc]
    """An ``InvoError`` with every classifier property."""


_UNSET: Any = object()


def err(
    message: str = "INVO said no",
    *,
    code: Optional[str] = None,
    status: int = 0,
    body: Any = None,
    raw_code: Any = _UNSET,
    public_code: Optional[str] = None,
    retry_after_header: Optional[str] = None,
) -> Any:
    """Build an error like a user would: ``raw_code`` defaults to ``code``."""
    error = _E(message, code=code, status=status, body=body)
    error.raw_code = code if raw_code is _UNSET else raw_code
    error.public_code = public_code
    error.retry_after_header = retry_after_header
    return error


# -- the names the current API gives, per area (players-purchases-reads.md §2.1) -------------------

RULE_A: dict[str, list[str]] = {
    "players, phones, reads": [
        "is_invalid_cursor", "is_invalid_player_email", "is_invalid_input",
        "is_player_token_stale", "is_player_create_failed",
        "is_phone_change_requires_verification", "is_confirm_on_invo_page",
        "is_change_request_not_found", "is_phone_same", "is_phone_in_use_by_another_player",
        "is_pending_transfers_to_new_phone", "is_pending_transfers_to_old_phone",
        "is_change_request_in_progress", "is_phone_change_locked",
        "is_phone_change_recovery_cooldown", "is_device_enrolled_after_request",
        "is_wallet_secured", "is_phone_not_set", "is_too_many_change_requests",
        "is_identity_check_unavailable", "is_payments_paused",
    ],
    "card purchases": [
        "is_above_card_maximum", "is_amount_below_fee", "is_quote_stale",
        "is_tax_place_unavailable", "is_rail_channel_mismatch", "is_wrong_session_purpose",
    ],
    "sends, games, passkeys": [
        "is_source_game_not_live", "is_target_game_not_live",
        "is_webauthn_not_enabled_for_tenant", "is_enrollment_code_invalid",
        "is_passkey_recovery_cooldown", "is_device_approval_not_approved",
        "is_device_approval_already_pending",
    ],
    "Steam": [
        "is_steam_value_non_transferable", "is_non_steam_value_into_steam_blocked",
        "is_steam_rail_not_entitled", "is_steam_purchase_layer_required",
        "is_steam_not_configured", "is_steam_app_changed", "is_unknown_steam_pack",
        "is_missing_player_ip", "is_partner_billing_not_set_up",
        "is_partner_credit_unavailable", "is_partner_rail_suspended",
    ],
    "Platform Commerce": [
        "is_duplicate_client_request_id", "is_balance_unavailable",
        "is_approval_not_available", "is_approval_not_found", "is_approval_already_ended",
        "is_refund_remaining_requires_confirmation", "is_refund_recently_issued",
        "is_refund_not_completed",
    ],
    "subscriptions, sandbox clock": [
        "is_game_not_live", "is_active_subscription_exists", "is_idempotent_replay_mismatch",
        "is_payment_method_required", "is_trial_amount_requires_trial",
        "is_trial_amount_not_supported_for_funding", "is_trial_amount_invalid",
        "is_trial_amount_below_fee_floor", "is_steam_reauthorization_required",
        "is_not_a_card_subscription", "is_steam_channel_required", "is_subscription_terminal",
        "is_steam_refund_not_supported", "is_refunds_not_enabled", "is_refund_window_closed",
        "is_refund_request_pending", "is_refund_request_rejected", "is_concurrent_request",
        "is_refund_mismatch", "is_sandbox_clock_unauthorized",
    ],
}
RULE_A_NAMES = [name for names in RULE_A.values() for name in names]

OTHER_48 = [
    "is_player_not_found", "is_phone_mismatch", "is_phone_share_refused", "phone_share_last4",
    "change_request_endpoint", "is_phone_change_needs_support", "is_phone_change_unavailable",
    "is_reward_unavailable", "is_rate_limited", "is_flow_paused",
    "is_key_for_other_environment", "is_checkout_session_mismatch",
    "is_checkout_session_expired", "is_user_verification_required", "is_not_platform_tenant",
    "is_below_card_minimum", "min_usd", "enforced_from", "expected_total_usd",
    "acknowledged_total_usd", "untaxed_total_usd", "is_amount_below_minimum",
    "is_amount_above_maximum", "minimum_amount", "maximum_amount", "limit_currency_name",
    "game_status", "retry_after_at", "steam_transferable_max", "steam_origin_amount",
    "is_partner_settlement_unavailable", "is_steam_authorization_pending",
    "is_steam_authorization_dead", "is_transaction_not_pending", "current_transaction_status",
    "device_approval_expires_at", "error_ref", "is_settle_fault", "is_already_refunded",
    "existing_subscription_id", "mismatched_fields", "is_consent_disclosed_trial_invalid",
    "is_not_authorized", "refund_request_id", "decision_reason", "period_charged_at",
    "refund_window_days", "refund_window_closed_at",
]

CHANGED = ["is_insufficient_balance", "is_duplicate_request", "retry_after"]

# Named in consoles-and-steam.md and subscriptions-cards-payouts-commerce.md as error
# classifiers (the result properties is_trial, is_full_refund, is_pending_approval are not).
NAMED_ELSEWHERE = [
    "is_receiver_not_enrolled", "is_phone_share_approval_required", "is_duplicate_request",
    "is_rate_limited", "is_flow_paused", "is_invalid_input", "is_payments_paused",
    "is_steam_rail_not_entitled", "is_steam_not_configured", "is_partner_billing_not_set_up",
    "is_partner_credit_unavailable", "is_partner_rail_suspended",
    "is_partner_settlement_unavailable", "is_unknown_steam_pack", "is_missing_player_ip",
    "is_steam_authorization_pending", "is_steam_authorization_dead", "is_steam_app_changed",
    "is_steam_purchase_layer_required", "is_transaction_not_pending",
    "current_transaction_status", "is_device_approval_not_approved",
    "is_device_approval_already_pending", "device_approval_expires_at", "is_settle_fault",
    "error_ref", "is_player_token_stale", "is_passkey_recovery_cooldown", "retry_after_at",
    "is_identity_check_unavailable", "is_enrollment_code_invalid", "retry_after",
    "is_game_not_live", "is_active_subscription_exists", "existing_subscription_id",
    "is_idempotent_replay_mismatch", "mismatched_fields", "is_payment_method_required",
    "is_trial_amount_requires_trial", "is_trial_amount_not_supported_for_funding",
    "is_trial_amount_invalid", "is_trial_amount_below_fee_floor",
    "is_consent_disclosed_trial_invalid", "is_steam_reauthorization_required",
    "is_not_a_card_subscription", "is_steam_channel_required", "is_subscription_terminal",
    "is_steam_refund_not_supported", "is_refund_window_closed", "period_charged_at",
    "refund_window_days", "refund_window_closed_at", "is_refund_request_pending",
    "is_refund_request_rejected", "refund_request_id", "decision_reason",
    "is_concurrent_request", "is_not_authorized", "is_refunds_not_enabled",
    "is_refund_mismatch", "is_player_not_found", "is_invalid_player_email",
    "is_player_create_failed", "is_sandbox_clock_unauthorized", "is_not_platform_tenant",
    "is_duplicate_client_request_id", "is_balance_unavailable", "is_approval_not_available",
    "is_approval_not_found", "is_approval_already_ended", "is_amount_below_minimum",
    "is_below_card_minimum", "min_usd", "enforced_from", "is_above_card_maximum",
    "is_refund_remaining_requires_confirmation", "is_refund_recently_issued",
    "is_refund_not_completed", "is_already_refunded", "is_invalid_cursor",
]
