"""Routes of one area of the API: device approval, Steam purchases, passkey recovery.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.

The device approval and recovery routes authenticate with the player token
(``Authorization: Bearer``) and never send the game secret.
"""

from __future__ import annotations

from typing import Any

from . import _results_devices as results
from ._route import Arg, At, Auth, Route, body, path, query

__all__ = [
    "APPROVE_ROUTES",
    "DEVICE_APPROVAL_BEGIN",
    "DEVICE_APPROVAL_CONFIRM_ENROLLMENT",
    "DEVICE_APPROVAL_POLL",
    "OPERATIONS",
    "RECOVERY_BEGIN",
    "RECOVERY_COMPLETE",
    "SEND_APPROVE",
    "SEND_CONFIRM_RECEIPT",
    "STEAM_FINALIZE_PURCHASE",
    "STEAM_INIT_PURCHASE",
    "STEAM_PACKS",
    "TRANSFER_APPROVE",
    "TRANSFER_CONFIRM_RECEIPT",
]

_TOKEN = (Arg("player_token", At.CREDENTIAL),)

# -- Steam packs and purchases (game secret) -----------------------------------------------------
STEAM_PACKS = Route(
    "GET", "/api/currency-purchases/steam/packs", idempotent=True,
    result=results.SteamPacksResult, args=query("steamid", safe="/"),
)
# Keyed by purchase_reference: a resend never opens a second Steam transaction (409).
STEAM_INIT_PURCHASE = Route(
    "POST", "/api/currency-purchases/steam/init-purchase", idempotent=True,
    result=results.SteamInitPurchaseResult,
    args=body("player_email", "steamid", "pack_id", "purchase_reference",
              optional=("usersession", "player_ip", "player_name", "metadata")),
)
# INVO never credits an order twice (already_processed).
STEAM_FINALIZE_PURCHASE = Route(
    "POST", "/api/currency-purchases/steam/finalize-purchase", idempotent=True,
    result=results.SteamFinalizeResult, args=body("order_id"),
)

# -- device approval grant (player token) ---------------------------------------------------------
# A retry after a lost answer only supersedes the grant nobody saw.
DEVICE_APPROVAL_BEGIN = Route(
    "POST", "/api/sdk/approvals/device/begin", idempotent=True,
    result=results.DeviceApprovalGrant, auth=Auth.PLAYER_TOKEN,
    args=_TOKEN + body("transaction_id", "flow", "channel"),
)
DEVICE_APPROVAL_POLL = Route(
    "POST", "/api/sdk/approvals/device/poll", idempotent=True,
    result=results.DeviceApprovalPollResult, auth=Auth.PLAYER_TOKEN,
    args=_TOKEN + body("device_code"),
)
# A decision: sent once.
DEVICE_APPROVAL_CONFIRM_ENROLLMENT = Route(
    "POST", "/api/sdk/approvals/device/confirm-enrollment", idempotent=False,
    result=results.ConfirmDeviceEnrollmentResult, auth=Auth.PLAYER_TOKEN,
    args=_TOKEN + body("device_code", "decision"),
)


def _settle(template: str) -> Route[results.DeviceApprovalSettleResult]:
    # The device code is a single-use factor and the money may have moved: sent once.
    return Route(
        "POST", template, idempotent=False, result=results.DeviceApprovalSettleResult,
        auth=Auth.PLAYER_TOKEN, args=_TOKEN + path("transaction_id") + body("device_code"),
    )


TRANSFER_APPROVE = _settle("/api/sdk/transfers/{transaction_id}/approve")
SEND_APPROVE = _settle("/api/sdk/send/{transaction_id}/approve")
SEND_CONFIRM_RECEIPT = _settle("/api/sdk/send/{transaction_id}/confirm-receipt")
TRANSFER_CONFIRM_RECEIPT = _settle("/api/sdk/transfers/{transaction_id}/confirm-receipt")

#: The settle route of each ``flow``.
APPROVE_ROUTES: dict[str, Route[results.DeviceApprovalSettleResult]] = {
    "transfer": TRANSFER_APPROVE,
    "send": SEND_APPROVE,
    "send_receipt": SEND_CONFIRM_RECEIPT,
    "transfer_receipt": TRANSFER_CONFIRM_RECEIPT,
}

# -- passkey recovery (player token; each sends a code or counts an attempt: sent once) -----------
RECOVERY_BEGIN = Route(
    "POST", "/api/sdk/device/recover/begin", idempotent=False,
    result=results.RecoveryBeginResult, auth=Auth.PLAYER_TOKEN, args=_TOKEN,
)
RECOVERY_COMPLETE = Route(
    "POST", "/api/sdk/device/recover/complete", idempotent=False,
    result=results.RecoveryCompleteResult, auth=Auth.PLAYER_TOKEN,
    args=_TOKEN + body("code"),
)

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {
    STEAM_PACKS: "steam_packs",
    STEAM_INIT_PURCHASE: "steam_init_purchase",
    STEAM_FINALIZE_PURCHASE: "steam_finalize_purchase",
    DEVICE_APPROVAL_BEGIN: "begin_device_approval",
    DEVICE_APPROVAL_POLL: "poll_device_approval",
    DEVICE_APPROVAL_CONFIRM_ENROLLMENT: "confirm_device_enrollment",
    TRANSFER_APPROVE: "approve_with_device_code",
    SEND_APPROVE: "approve_with_device_code",
    SEND_CONFIRM_RECEIPT: "approve_with_device_code",
    TRANSFER_CONFIRM_RECEIPT: "approve_with_device_code",
    RECOVERY_BEGIN: "recovery_begin",
    RECOVERY_COMPLETE: "recovery_complete",
}
