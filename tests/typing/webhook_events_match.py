"""An exhaustive ``match`` over every typed webhook payload, checked with ``mypy --strict``
(Python 3.10+ syntax; ``tests/webhooks/test_webhooks_typed_events.py`` runs the check, and
checks that leaving one case out is an error)."""

from __future__ import annotations

from typing_extensions import assert_never

from invonetwork.webhooks import (
    DeviceApprovalApprovedData,
    EventData,
    IdentityPasskeyResetData,
    ItemPurchasedData,
    OtherEventData,
    PayeeStatusChangedData,
    PayoutStatusChangedData,
    PlatformCommerceDeclinedData,
    PlatformCommercePurchasedData,
    PlatformCommerceRefundedData,
    PlayerPhoneChangedData,
    PurchaseCompletedData,
    PurchaseDisputedData,
    PurchaseRefundedData,
    SubscriptionAuthenticationRequiredData,
    SubscriptionCanceledData,
    SubscriptionExpiredData,
    SubscriptionPastDueData,
    SubscriptionPaymentFailedData,
    SubscriptionRefundApprovedData,
    SubscriptionRefundedData,
    SubscriptionRefundRejectedData,
    SubscriptionRefundRequestedData,
    SubscriptionRenewedData,
    TransferClaimExpiredData,
    TransferClaimPendingData,
    TransferRefundedData,
    WebhookEvent,
    WebhookRouter,
)


def describe(payload: EventData) -> str:
    match payload:
        case PurchaseCompletedData(order_id=order_id, currency_amount=coins):
            return f"credit {coins} for {order_id}"
        case PurchaseRefundedData():
            return "refunded"
        case PurchaseDisputedData():
            return "disputed"
        case ItemPurchasedData(item_quantity=quantity):
            return f"grant x{quantity}"
        case TransferClaimPendingData():
            return "claim pending"
        case TransferClaimExpiredData():
            return "claim expired"
        case TransferRefundedData():
            return "transfer refunded"
        case SubscriptionRenewedData(period_seq=period):
            return f"period {period}"
        case SubscriptionPaymentFailedData():
            return "payment failed"
        case SubscriptionPastDueData():
            return "past due"
        case SubscriptionAuthenticationRequiredData():
            return "authenticate"
        case SubscriptionCanceledData():
            return "canceled"
        case SubscriptionExpiredData():
            return "expired"
        case SubscriptionRefundedData():
            return "subscription refunded"
        case SubscriptionRefundApprovedData():
            return "refund approved"
        case SubscriptionRefundRejectedData():
            return "refund rejected"
        case SubscriptionRefundRequestedData():
            return "refund requested"
        case PlatformCommercePurchasedData():
            return "sold"
        case PlatformCommerceRefundedData():
            return "commerce refunded"
        case PlatformCommerceDeclinedData():
            return "declined"
        case PayoutStatusChangedData(payout_id=payout_id):
            return f"payout {payout_id + 0}"
        case PayeeStatusChangedData():
            return "payee"
        case PlayerPhoneChangedData():
            return "phone"
        case IdentityPasskeyResetData():
            return "passkey"
        case DeviceApprovalApprovedData():
            return "device"
        case OtherEventData():
            return "other"
        case _:
            assert_never(payload)


router = WebhookRouter()


@router.on("purchase.completed", "item.purchased")
def on_purchase(event: WebhookEvent) -> None:
    print(describe(event.payload()))


@router.on_payload(SubscriptionRenewedData)
def on_renewed(renewed: SubscriptionRenewedData, event: WebhookEvent) -> None:
    print(renewed.period_seq + 1, event.event_id)


@router.fallback
def on_anything_else(event: WebhookEvent) -> None:
    print(event.event_type)
