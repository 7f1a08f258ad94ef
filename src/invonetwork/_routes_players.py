"""Routes of one area of the API: player registration, phones, activity, rewards.

Each route is data (see ``_route``); ``OPERATIONS`` maps every route of this module to the
method that sends it, and ``_routes`` joins it into the table the transport and the sandbox use.
"""

from __future__ import annotations

from typing import Any

from . import _results_players as results
from ._route import Route, body, path, query

__all__ = [
    "GET_PHONE_CHANGE",
    "OPERATIONS",
    "PLAYER_ACTIVITY",
    "PLAYER_REWARDS",
    "REGISTER_PLAYER",
    "REQUEST_PHONE_CHANGE",
    "UPDATE_PLAYER_PHONE",
]

# Find-or-create: a retry after a lost answer reads "exists", so it is safe to send again.
REGISTER_PLAYER = Route(
    "POST", "/api/sdk/players", idempotent=True, result=results.RegisterPlayerResult,
    args=body("player_email", "player_phone", optional=("player_name",)),
)
# A retry after a change that landed would answer "unchanged" and hide identity_rekeyed.
UPDATE_PLAYER_PHONE = Route(
    "POST", "/api/sdk/players/phone", idempotent=False, result=results.UpdatePlayerPhoneResult,
    args=body("player_email", "new_phone"),
)
# Emails the player (and replaces this game's pending request): sent once.
REQUEST_PHONE_CHANGE = Route(
    "POST", "/api/sdk/players/phone/change-requests", idempotent=False,
    result=results.PhoneChangeRequestResult, args=body("player_email", "new_phone"),
)
GET_PHONE_CHANGE = Route(
    "GET", "/api/sdk/players/phone/change-requests/{change_request_id}", idempotent=True,
    result=results.PhoneChangeRequest, args=path("change_request_id"),
)
PLAYER_ACTIVITY = Route(
    "GET", "/api/sdk/players/activity", idempotent=True, result=results.PlayerActivityResult,
    args=query("player_email", "limit", "cursor", "types"),
)
PLAYER_REWARDS = Route(
    "GET", "/api/sdk/loyalty/players/rewards", idempotent=True,
    result=results.LoyaltyCardsResult, args=query("player_email"),
)

#: Each route of this area, and the method that sends it (the telemetry operation name).
OPERATIONS: dict[Route[Any], str] = {
    REGISTER_PLAYER: "register_player",
    UPDATE_PLAYER_PHONE: "update_player_phone",
    REQUEST_PHONE_CHANGE: "request_phone_change",
    GET_PHONE_CHANGE: "get_phone_change",
    PLAYER_ACTIVITY: "get_player_activity",
    PLAYER_REWARDS: "get_player_rewards",
}
