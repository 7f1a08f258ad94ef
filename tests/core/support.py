"""Shared constants and the catalogue of every InvoServer call, written from the wire contract.

Each ``Call`` names one public method with valid arguments, the HTTP request the contract says
it must produce, whether the contract marks it idempotent, whether it carries the game secret,
and a minimal 2xx answer the result mapping accepts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Optional
from urllib.parse import parse_qsl, urlsplit

import requests
import responses

from invonetwork import InvoServer

SECRET = "ivsdk_test_0123456789abcdef"
LIVE_SECRET = "ivsdk_live_0123456789abcdef"
CUSTOM_SECRET = "sk_custom_0123456789"
SANDBOX = "https://sandbox.invo.network/sandbox"
PRODUCTION = "https://invo.network"
MANAGEMENT = "https://api.invo.network"
ANY_URL = re.compile(r".*")

EMAIL = "p@example.com"
PHONE = "+15555550100"


@dataclass(frozen=True)
class Call:
    """One public method call and the request the contract says it produces."""

    id: str
    run: Callable[[InvoServer], Any]
    method: str
    path: str
    query: Optional[dict[str, str]] = None
    body: Optional[dict[str, Any]] = None
    idempotent: bool = True
    authenticated: bool = True
    ok: dict[str, Any] = field(default_factory=dict)


SEND_ARGS: dict[str, Any] = {
    "client_request_id": "req-1",
    "sender_player_name": "Ada",
    "sender_player_email": EMAIL,
    "sender_player_phone": PHONE,
    "receiver_player_email": "q@example.com",
    "receiver_player_phone": "+15555550111",
    "receiving_game_id": 12,
    "amount": "10.00",
}
TRANSFER_ARGS: dict[str, Any] = {
    "client_request_id": "req-2",
    "source_player_name": "Ada",
    "source_player_email": EMAIL,
    "source_player_phone": PHONE,
    "target_player_email": "q@example.com",
    "target_player_phone": "+15555550111",
    "target_game_id": "game-9",
    "amount": 25,
}
ITEM_ARGS: dict[str, Any] = {
    "client_request_id": "req-3",
    "player_email": EMAIL,
    "player_name": "Ada",
    "item_id": "sword_001",
    "item_name": "Flaming Sword",
    "item_quantity": 2,
    "unit_price": "150.00",
    "total_price": "300.00",
}
CLAIM_TRANSFER_ARGS: dict[str, Any] = {
    "claim_code": "CLAIM-1",
    "target_player_name": "Bo",
    "target_player_email": "q@example.com",
    "target_player_phone": "+15555550111",
    "target_currency_id": 3,
}
CLAIM_CURRENCY_ARGS: dict[str, Any] = {
    "claim_code": "CLAIM-2",
    "receiver_player_name": "Bo",
    "receiver_player_email": "q@example.com",
    "receiver_player_phone": "+15555550111",
}

CALLS: list[Call] = [
    Call("mint_player_token",
         lambda c: c.mint_player_token(player_email=EMAIL, player_phone=PHONE),
         "POST", "/api/sdk/player-token",
         body={"player_email": EMAIL, "player_phone": PHONE}, ok={"token": "tok"}),
    Call("initiate_send", lambda c: c.initiate_send(**SEND_ARGS),
         "POST", "/api/currency-sends/initiate-send", body=dict(SEND_ARGS)),
    Call("initiate_transfer", lambda c: c.initiate_transfer(**TRANSFER_ARGS),
         "POST", "/api/transfers/initiate-transfer", body=dict(TRANSFER_ARGS)),
    Call("create_checkout", lambda c: c.create_checkout(player_email=EMAIL, usd_amount="9.99"),
         "POST", "/api/checkout/sessions", body={"player_email": EMAIL, "usd_amount": "9.99"},
         idempotent=False, ok={"checkout_url": "https://pay.example/s/1"}),
    Call("purchase_currency",
         lambda c: c.purchase_currency(player_email=EMAIL, usd_amount="9.99",
                                       purchase_reference="ref-1"),
         "POST", "/api/currency-purchases/purchase-currency",
         body={"player_email": EMAIL, "usd_amount": "9.99", "purchase_reference": "ref-1"}),
    Call("confirm_payment", lambda c: c.confirm_payment(payment_intent_id="pi_1"),
         "POST", "/api/currency-purchases/confirm-payment", body={"payment_intent_id": "pi_1"}),
    Call("get_order_details", lambda c: c.get_order_details(order_id="ord-1"),
         "GET", "/api/currency-purchases/order-details", query={"order_id": "ord-1"}),
    Call("purchase_item", lambda c: c.purchase_item(**ITEM_ARGS),
         "POST", "/api/item-purchases/purchase-item", body=dict(ITEM_ARGS),
         ok={"transaction_id": "t-1", "order_id": "o-1"}),
    Call("get_item_purchase_history", lambda c: c.get_item_purchase_history(player_email=EMAIL),
         "GET", "/api/item-purchases/player-purchase-history", query={"player_email": EMAIL}),
    Call("iterate_item_purchase_history",
         lambda c: list(c.iterate_item_purchase_history(player_email=EMAIL, page_size=5)),
         "GET", "/api/item-purchases/player-purchase-history",
         query={"player_email": EMAIL, "limit": "5", "offset": "0"}),
    Call("get_item_order_details", lambda c: c.get_item_order_details(transaction_id="tx-1"),
         "GET", "/api/item-purchases/order-details", query={"transaction_id": "tx-1"}),
    Call("get_player_balance[email]", lambda c: c.get_player_balance(player_email=EMAIL),
         "GET", "/api/player-balances/player/by-email/p%40example.com"),
    Call("get_inbound_pending", lambda c: c.get_inbound_pending(player_email=EMAIL),
         "GET", "/api/transfers/inbound-pending", query={"player_email": EMAIL}),
    Call("get_linked_identities", lambda c: c.get_linked_identities(player_phone=PHONE),
         "GET", "/api/wallet/identities", query={"player_phone": PHONE}),
    # -- part 2 --
    Call("verify_sms_transfer", lambda c: c.verify_sms_transfer("tx-1", "1234"),
         "POST", "/api/transfers/verify-sms", body={"transaction_id": "tx-1", "sms_pin": "1234"},
         idempotent=False),
    Call("verify_sms_send", lambda c: c.verify_sms_send(transaction_id="tx-2", sms_pin="9999"),
         "POST", "/api/currency-sends/verify-sms",
         body={"transaction_id": "tx-2", "sms_pin": "9999"}, idempotent=False),
    Call("claim_transfer", lambda c: c.claim_transfer(**CLAIM_TRANSFER_ARGS),
         "POST", "/api/transfers/claim-transfer", body=dict(CLAIM_TRANSFER_ARGS),
         idempotent=False),
    Call("claim_currency", lambda c: c.claim_currency(**CLAIM_CURRENCY_ARGS),
         "POST", "/api/currency-sends/claim-currency", body=dict(CLAIM_CURRENCY_ARGS),
         idempotent=False),
    Call("get_transfer_status", lambda c: c.get_transfer_status("tx-1"),
         "GET", "/api/transfers/tx-1/status"),
    Call("get_send_status", lambda c: c.get_send_status("tx-2"),
         "GET", "/api/currency-sends/tx-2/status"),
    Call("get_guardian_approval_status", lambda c: c.get_guardian_approval_status("tx-3"),
         "GET", "/api/transactions/tx-3/approval-status"),
    Call("get_destinations[transfer]", lambda c: c.get_destinations(source_game_id=7),
         "POST", "/api/transfers/available-destinations", body={"source_game_id": 7}),
    Call("get_destinations[send]",
         lambda c: c.get_destinations(source_game_id="7", direction="send"),
         "POST", "/api/currency-sends/available-destinations", body={"source_game_id": "7"}),
    Call("phone_share_initiate", lambda c: c.phone_share_initiate(phone=PHONE, email=EMAIL),
         "POST", "/api/wallet/phone-share/initiate", body={"phone": PHONE, "email": EMAIL},
         idempotent=False, authenticated=False),
    Call("phone_share_approve", lambda c: c.phone_share_approve(approval_id="ap-1", otp="123456"),
         "POST", "/api/wallet/phone-share/approve", body={"approval_id": "ap-1", "otp": "123456"},
         idempotent=False, authenticated=False),
    Call("phone_share_status", lambda c: c.phone_share_status(phone=PHONE, email=EMAIL),
         "GET", "/api/wallet/phone-share/status", query={"phone": PHONE, "email": EMAIL},
         authenticated=False),
    # -- webhook endpoint management (sandbox client: management host = base_url) --
    Call("register_webhook_endpoint",
         lambda c: c.register_webhook_endpoint(game_id=7, target_url="https://hooks.example.com/i"),
         "PUT", "/api/dev/webhooks/games/7",
         body={"target_url": "https://hooks.example.com/i", "subscribed_events": ["*"]},
         idempotent=False),
    Call("rotate_webhook_secret", lambda c: c.rotate_webhook_secret(game_id=7),
         "POST", "/api/dev/webhooks/games/7/rotate-secret", idempotent=False,
         ok={"signing_secret": "whsec_new"}),
    # -- checkout status and quotes: add entries below --
    Call("get_purchase_status",
         lambda c: c.get_purchase_status(session_id=" cs/1 ", session_token=" tok-1 "),
         "GET", "/api/checkout/sessions/cs%2F1", authenticated=False,
         ok={"status": "credited", "terminal": True}),
    Call("wait_for_purchase",
         lambda c: c.wait_for_purchase(session_id="cs-1", session_token="tok-1",
                                       max_attempts=1, sleep=lambda s: None),
         "GET", "/api/checkout/sessions/cs-1", authenticated=False,
         ok={"status": "credited", "terminal": True}),
    Call("quote_currency_purchase",
         lambda c: c.quote_currency_purchase(usd_amount="9.99", player_email=EMAIL,
                                             country="US", subdivision=" "),
         "POST", "/api/currency-purchases/quote",
         body={"usd_amount": "9.99", "player_email": EMAIL, "country": "US"},
         ok={"total_usd": "9.99"}),

    # -- players, phones, activity (current API part 1): add entries below --

    Call("register_player",
         lambda c: c.register_player(player_email=EMAIL, player_phone=PHONE, player_name="Ada"),
         "POST", "/api/sdk/players",
         body={"player_email": EMAIL, "player_phone": PHONE, "player_name": "Ada"},
         ok={"status": "created"}),
    Call("update_player_phone", lambda c: c.update_player_phone(player_email=EMAIL,
                                                                 new_phone=PHONE),
         "POST", "/api/sdk/players/phone", body={"player_email": EMAIL, "new_phone": PHONE},
         idempotent=False, ok={"status": "updated"}),
    Call("request_phone_change", lambda c: c.request_phone_change(player_email=EMAIL,
                                                                   new_phone=PHONE),
         "POST", "/api/sdk/players/phone/change-requests",
         body={"player_email": EMAIL, "new_phone": PHONE}, idempotent=False,
         ok={"change_request_id": "pcr_1"}),
    Call("get_phone_change", lambda c: c.get_phone_change("pcr_1"),
         "GET", "/api/sdk/players/phone/change-requests/pcr_1",
         ok={"change_request_id": "pcr_1"}),
    Call("get_player_activity",
         lambda c: c.get_player_activity(player_email=EMAIL, limit=10, types=["send"]),
         "GET", "/api/sdk/players/activity",
         query={"player_email": EMAIL, "limit": "10", "types": "send"}),
    Call("iterate_player_activity",
         lambda c: list(c.iterate_player_activity(player_email=EMAIL, page_size=5)),
         "GET", "/api/sdk/players/activity", query={"player_email": EMAIL, "limit": "5"}),
    Call("get_player_rewards", lambda c: c.get_player_rewards(EMAIL),
         "GET", "/api/sdk/loyalty/players/rewards", query={"player_email": EMAIL}),

    # -- consoles and Steam: add entries below --
    Call("steam_packs", lambda c: c.steam_packs(steamid="76561198000000001"),
         "GET", "/api/currency-purchases/steam/packs", query={"steamid": "76561198000000001"}),
    Call("steam_init_purchase",
         lambda c: c.steam_init_purchase(player_email=EMAIL, steamid=76561198000000001,
                                         pack_id="steam_medium", purchase_reference="ref-s1"),
         "POST", "/api/currency-purchases/steam/init-purchase",
         body={"player_email": EMAIL, "steamid": "76561198000000001", "pack_id": "steam_medium",
               "purchase_reference": "ref-s1"}),
    Call("steam_finalize_purchase", lambda c: c.steam_finalize_purchase(order_id="ord-s1"),
         "POST", "/api/currency-purchases/steam/finalize-purchase", body={"order_id": "ord-s1"}),
    Call("begin_device_approval",
         lambda c: c.begin_device_approval(player_token="pt-1", transaction_id="tx-1",
                                           flow="transfer"),
         "POST", "/api/sdk/approvals/device/begin",
         body={"transaction_id": "tx-1", "flow": "transfer", "channel": "qr"},
         authenticated=False,
         ok={"device_code": "dc-1", "verification_uri_complete": "https://invo.example/d?c=1"}),
    Call("poll_device_approval",
         lambda c: c.poll_device_approval(player_token="pt-1", device_code="dc-1"),
         "POST", "/api/sdk/approvals/device/poll", body={"device_code": "dc-1"},
         authenticated=False),
    Call("confirm_device_enrollment",
         lambda c: c.confirm_device_enrollment(player_token="pt-1", device_code="dc-1",
                                               decision="approve"),
         "POST", "/api/sdk/approvals/device/confirm-enrollment",
         body={"device_code": "dc-1", "decision": "approve"}, idempotent=False,
         authenticated=False),
    Call("approve_with_device_code[transfer]",
         lambda c: c.approve_with_device_code(player_token="pt-1", transaction_id="tx/1",
                                              flow="transfer", device_code="dc-1"),
         "POST", "/api/sdk/transfers/tx%2F1/approve", body={"device_code": "dc-1"},
         idempotent=False, authenticated=False),
    Call("approve_with_device_code[send]",
         lambda c: c.approve_with_device_code(player_token="pt-1", transaction_id="tx-2",
                                              flow="send", device_code="dc-1"),
         "POST", "/api/sdk/send/tx-2/approve", body={"device_code": "dc-1"},
         idempotent=False, authenticated=False),
    Call("approve_with_device_code[send_receipt]",
         lambda c: c.approve_with_device_code(player_token="pt-1", transaction_id="tx-3",
                                              flow="send_receipt", device_code="dc-1"),
         "POST", "/api/sdk/send/tx-3/confirm-receipt", body={"device_code": "dc-1"},
         idempotent=False, authenticated=False),
    Call("approve_with_device_code[transfer_receipt]",
         lambda c: c.approve_with_device_code(player_token="pt-1", transaction_id="tx-4",
                                              flow="transfer_receipt", device_code="dc-1"),
         "POST", "/api/sdk/transfers/tx-4/confirm-receipt", body={"device_code": "dc-1"},
         idempotent=False, authenticated=False),
    Call("recovery_begin", lambda c: c.recovery_begin(player_token="pt-1"),
         "POST", "/api/sdk/device/recover/begin", idempotent=False, authenticated=False),
    Call("recovery_complete", lambda c: c.recovery_complete(player_token="pt-1", code="123456"),
         "POST", "/api/sdk/device/recover/complete", body={"code": "123456"},
         idempotent=False, authenticated=False),

    # -- subscriptions, cards, clock: add entries below --

    # -- payouts and platform commerce: add entries below --

]

CALL_IDS = [call.id for call in CALLS]
IDEMPOTENT = [call for call in CALLS if call.idempotent]
NOT_IDEMPOTENT = [call for call in CALLS if not call.idempotent]

# Client-side loops over the calls above (several requests each, so not in CALLS): each has
# its own tests (complete_device_approval: tests/devices/test_complete_loop.py).
LOOPS = {"complete_device_approval"}
PUBLIC_METHODS = {call.id.split("[")[0] for call in CALLS} | LOOPS


def make_client(secret: str = SECRET, base_url: Optional[str] = SANDBOX,
                **options: Any) -> InvoServer:
    """A client with no backoff delay, so retry tests stay fast."""
    options.setdefault("retry_base_delay", 0)
    return InvoServer(secret, base_url, **options)


def add_any(rsps: responses.RequestsMock, method: str, **kwargs: Any) -> None:
    """Answer every URL for ``method`` (the registered answers repeat the last one)."""
    rsps.add(method, ANY_URL, **kwargs)


def sent_json(request: requests.PreparedRequest) -> Any:
    body = request.body
    assert body is not None, "request had no body"
    return json.loads(body)


def split_url(url: str) -> tuple[str, dict[str, str], str]:
    """(scheme://host/path, parsed query, raw query string) of a sent URL."""
    parts = urlsplit(url)
    return (f"{parts.scheme}://{parts.netloc}{parts.path}",
            dict(parse_qsl(parts.query, keep_blank_values=True)), parts.query)
