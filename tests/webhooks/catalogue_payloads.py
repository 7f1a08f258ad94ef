"""One ``data`` object per typed event type, shaped as the catalogue gives it (current API
spellings, every always-sent key and the situational ones), for the typed-payload tests."""

from __future__ import annotations

from typing import Any

TS = "2026-11-30T12:34:56.000000+00:00"
TS_Z = "2026-11-30T12:34:56Z"

_SUB_COMMON: dict[str, Any] = {
    "subscription_id": "sub_1", "item_id": "vip", "item_name": "VIP", "player_email": "p@x.io",
    "identity_id": "idn_1", "status": "active", "amount_usd": "4.99", "interval": "month",
    "interval_count": 1, "period_seq": 3, "current_period_start": TS, "current_period_end": TS,
    "next_charge_at": None, "cancel_at_period_end": False, "funding_rail": "card",
    "steam_agreement_status": None, "metadata": {"plan": "gold"},
}
_REFUND_REQUEST: dict[str, Any] = {
    "request_id": "SRR1", "status": "pending", "subscription_id": "sub_1", "item_id": "vip",
    "client_request_id": "crq_1", "period_seq": 2, "amount_usd": "4.99", "reason": None,
    "requested_at": TS, "daily_cap_usd": "50.00", "executed_today_usd": "48.00",
    "player_email": "p@x.io", "identity_id": None, "metadata": None,
}
_REVENUE_SHARE = {
    "recipient_player_id": 77, "percent": "10", "base_usd": "4.99",
    "attributed_amount_usd": "0.50", "original_attributed_amount_usd": "0.50",
    "refunded_attributed_amount_usd": "0.00", "net_attributed_amount_usd": "0.50",
    "settled_by_invo": False,
}

PAYLOADS: dict[str, dict[str, Any]] = {
    "purchase.completed": {
        "transaction_id": "txn_1", "order_id": "ord_1", "player_email": "p@x.io",
        "identity_id": "idn_1", "usd_amount": "9.99", "currency_amount": "1000",
        "new_balance": "1500.00", "currency_name": "Gold", "rail": "platform",
        "metadata": {"sku": "gold_1000"}, "channel": "web", "tax_treatment": None,
        "partner_fee_usd": None, "international_card_fee_usd": "0.00",
        "receipt_number": "R-1", "receipt_url": "https://receipts.example/R-1",
    },
    "purchase.refunded": {
        "order_id": "ord_1", "transaction_id": "txn_9", "currency_debited": "500.00",
        "new_balance": "0.00", "rail": "steam", "steam_transid": "st_1", "fully_refunded": False,
    },
    "purchase.disputed": {
        "transaction_id": "txn_1", "order_id": "ord_1", "player_email": "p@x.io",
        "identity_id": "idn_1", "dispute_status": "lost", "payment_intent_id": "pi_1",
        "charge_id": "ch_1", "dispute_id": "dp_1", "currency_debited": "1000",
        "new_balance": "0", "guarantee_covered": True, "order_type": "subscription_renewal",
        "developer_revenue_reversed_usd": "0.00", "card_fee_charged_to_partner_usd": "0.00",
        "partner_debited_usd": "0.00", "processing_fee_usd": "0.00", "subscription_id": "sub_1",
        "period_seq": 2, "dispute_fee_usd": None, "dispute_fee_charged_to_partner": None,
        "spent_coins_charged_usd": "1.50",
    },
    "item.purchased": {
        "transaction_id": "txn_2", "order_id": "ord_2", "player_email": "p@x.io",
        "identity_id": "idn_1", "item_id": "sword", "item_name": "Sword", "item_quantity": 2,
        "unit_price": "125.00", "total_price": "250.00", "new_balance": "750.00",
        "currency_name": "Gold",
        "fee_breakdown": {"total_paid": "250.00", "developer_revenue": "237.50",
                          "platform_fee": "12.50"},
    },
    "transfer.claim_pending": {
        "transaction_id": "txn_3", "order_id": "ord_3", "amount": "100.00",
        "net_transfer_amount": "90.00", "claim_code_expires_at": TS_Z, "from_game_id": "11",
        "to_game_id": "22", "from_player_id": "plr_1", "direction": "inbound",
        "to_phone": "+15550100", "to_identity_id": None,
    },
    "transfer.claim_expired": {
        "transaction_id": "txn_3", "from_game_id": "11", "to_game_id": "22",
        "from_player_id": "plr_1", "direction": "outbound", "reason": "claim_expired",
        "amount": "100.00", "expired_at": TS, "expiry_reason": "pin_expired",
    },
    "transfer.refunded": {
        "transaction_id": "txn_3", "from_game_id": "11", "to_game_id": "22",
        "from_player_id": "plr_1", "amount": "100.00", "refunded_amount": "100.00",
        "expired_at": TS, "reason": "pin_expired", "expiry_reason": "approval_expired",
    },
    "subscription.renewed": {
        "subscription_id": "sub_1", "item_id": "vip", "transaction_id": "txn_4",
        "player_email": "p@x.io", "item_name": "VIP", "order_id": "ord_4", "identity_id": None,
        "mint_order_id": "ord_5", "period_seq": 3, "amount_usd": "4.99", "amount_coins": "499",
        "period_start": TS, "period_end": TS_Z, "current_period_start": TS,
        "current_period_end": TS, "next_charge_at": TS,
        "funding": {"balance_applied_coins": "0.00", "card_charged_usd": "4.99",
                    "rail": "card", "steam_charged_usd": "0.00", "minted_coins": "499",
                    "new_balance": "499"},
        "split": {"total_usd": "4.99", "basis": "price", "invo_fee_usd": "0.25",
                  "partner_revenue_usd": "4.74", "invo_fee_coins": "25",
                  "partner_revenue_coins": "474", "invo_fee_percent": "5",
                  "pass_through_fees_usd": "0.00", "pass_through_status": "none",
                  "international_card_fee_usd": "0.00"},
        "revenue_share_attribution": _REVENUE_SHARE, "metadata": None, "is_trial": False,
        "receipt_number": "R-2", "receipt_url": "https://receipts.example/R-2",
    },
    "subscription.payment_failed": {
        **_SUB_COMMON, "is_trial": True, "trial_amount_usd": "0.99", "attempt_no": 2,
        "period_start": TS, "period_end": TS, "amount_due_usd": "4.99",
        "outcome": "card_declined", "reason": "declined", "failure_code": "card_declined",
        "failure_message": "Your card was declined.", "first_failure": False,
        "retry_at": TS, "retries_remaining": 2, "grace_period_end": TS, "access_retained": True,
    },
    "subscription.past_due": {
        **_SUB_COMMON, "status": "past_due", "amount_due_usd": "4.99", "grace_period_end": TS,
        "retry_at": None, "retries_remaining": 1, "access_retained": True,
    },
    "subscription.authentication_required": {
        **_SUB_COMMON, "attempt_no": 1, "period_start": TS, "period_end": TS,
        "amount_due_usd": "4.99", "card_amount_usd": "4.99",
        "confirmation_url": "https://pay.example/confirm/secret-link", "expires_at": TS,
        "reason": "authentication_required", "access_retained": True, "retry_consumed": False,
    },
    "subscription.canceled": {
        **_SUB_COMMON, "status": "canceled", "effective_at": TS, "canceled_at": TS,
        "ended_at": None, "access_until": TS, "paid_through": TS, "reason": None,
        "canceled_by": "partner", "cancel_cause": "full_refund",
    },
    "subscription.expired": {
        **_SUB_COMMON, "status": "expired", "failed_period_start": TS, "failed_period_end": TS,
        "final_attempt_no": 4, "attempts_used": 4, "failure_code": "wallet_negative",
        "failure_message": None, "ended_at": TS, "final_period_end": None,
        "access_retained": False, "expire_cause": "trial_payment_failed",
    },
    "subscription.refunded": {
        "subscription_id": "sub_1", "item_id": "vip", "transaction_id": "txn_6",
        "client_request_id": "crq_2", "player_email": "p@x.io", "period_status": "refunded",
        "identity_id": None, "reason": "requested", "period_seq": 3, "amount_usd": "4.99",
        "total_refunded_amount_usd": "4.99", "period_amount_usd": "4.99",
        "is_full_refund": True,
        "refund": {"funding_shape": "mixed", "balance_delta_coins": "-499",
                   "card_refunded_usd": "4.99", "processor_refund_adopted": False,
                   "new_balance": "0", "invo_fee_retained": False,
                   "partner_revenue_reversed_usd": "4.74",
                   "partner_revenue_reversal_mode": "full", "processing_fee_usd": "0.00",
                   "processing_fee_basis": "none", "processing_fee_borne_by": "partner",
                   "partner_total_reversed_usd": "4.74"},
        "revenue_share_attribution": None, "metadata": {}, "initiation": "self_serve",
        "refund_request_id": None, "subscription_canceled": True,
    },
    "subscription.refund_requested": dict(_REFUND_REQUEST),
    "subscription.refund_approved": {**_REFUND_REQUEST, "status": "approved",
                                     "decided_at": TS, "transaction_id": "txn_7"},
    "subscription.refund_rejected": {**_REFUND_REQUEST, "status": "rejected",
                                     "decided_at": TS_Z, "decision_reason": "outside policy"},
    "platform_commerce.purchased": {
        "transaction_id": "txn_8", "order_id": "ord_8", "funding_source": "card",
        "player_email": "p@x.io", "identity_id": "idn_1", "item_id": "skin", "item_name": "Skin",
        "item_quantity": 1,
        "fee_breakdown": {"total_paid": "10.00", "platform_fee": "0.80",
                          "developer_revenue": "9.20", "international_card_fee_usd": "0.30"},
        "international_card_fee_usd": "0.30", "metadata": {}, "total_price_usd": "10.00",
        "receipt_number": "R-3", "receipt_url": "https://receipts.example/R-3",
    },
    "platform_commerce.refunded": {
        "order_id": "ord_8", "funding_source": "card", "player_email": None,
        "identity_id": None, "refunded_amount": "5.00", "amount_unit": "usd",
        "fee_retained": True, "metadata": {}, "card_fee_charged_to_partner_usd": "0.30",
        "partner_debited_usd": "4.90", "partial_refund": True, "refunded_total_usd": "5.00",
        "charge_total_usd": "10.00",
    },
    "platform_commerce.declined": {
        "approval_id": "apr_1", "client_request_id": "crq_3", "status": "declined",
        "reason": "insufficient_balance", "item_id": "skin", "currency_name": "Gold",
        "total_price": "1000", "item_quantity": 1, "metadata": {"cart": "c1"},
    },
    "payout.status_changed": {
        "payout_id": 42, "status": "requested", "previous_status": None,
        "requested_amount_usd": "500.00", "contact_email": "owner@studio.example",
        "partner_message": None, "reviewed_at": None, "offboarding_fee_pct": "1",
        "offboarding_fee_usd": "5.00", "offboarding_fee_cap_usd": None,
        "net_payout_usd": "495.00", "payee_id": None, "payout_method": "standard",
        "owner_confirmation_required": True, "owed_balance_at_request_usd": "800.00",
        "client_request_id": "crq_4", "initiated_by": "api",
        "bank_account": {"bank_name": "Bank", "account_holder_name": "Studio Ltd",
                         "routing_number": "110000000", "account_number_last4": "6789",
                         "account_type": "checking"},
    },
    "payee.status_changed": {
        "payee_id": "cp_1", "partner_reference": "creator-9", "status": "verified",
        "payee_type": "individual", "country": "US", "created_via": "api",
        "previous_status": "details_submitted", "status_changed_at": TS,
    },
    "player.phone_changed": {
        "player_email": "p@x.io", "previous_phone_masked": "+1******0100",
        "new_phone_masked": "+1******0199", "source": "player", "identity_id": "idn_2",
        "previous_identity_id": "idn_1", "new_phone_included": True, "changed_at": TS,
        "new_phone": "+15550199",
    },
    "identity.passkey_reset": {
        "identity_id": "idn_1", "reset_via": "sdk", "cooldown_until": TS,
        "deactivated_count": 2,
    },
    "device_approval.approved": {"method": "device_grant_webauthn"},
}
