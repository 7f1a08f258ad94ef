"""Guard: no personal data and no secret in any span or metric, for every method.

Every method is driven with a canary email, phone, name and id, by a client holding a canary
secret, through three outcomes: a retry then success, a hostile error that echoes every
canary back (in the message, the code, the body and the request-id header), and a network
failure. Every span name, attribute, event and status description, and every metric label,
is then searched for the canaries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest

pytest.importorskip("opentelemetry.sdk", reason="the otel tests need opentelemetry-sdk (dev)")

from otel_support import Otel, ScriptServer, make_otel, script_server

from invonetwork import InvoError, InvoServer

SECRET = "ivsdk_test_canarySecretZ9q"
EMAIL = "canary.person.q7@example.com"
PHONE = "+15550007777"
NAME = "CanaryNameQ7"
ID = "canaryidq7"
CANARIES = (SECRET, EMAIL, "canary.person", PHONE, "15550007777", NAME, ID)

Call = Callable[[InvoServer], Any]

CALLS: dict[str, Call] = {
    "mint_player_token": lambda c: c.mint_player_token(player_email=EMAIL, player_phone=PHONE),
    "initiate_send": lambda c: c.initiate_send(
        client_request_id=ID, sender_player_name=NAME, sender_player_email=EMAIL,
        sender_player_phone=PHONE, receiver_player_email=EMAIL, receiver_player_phone=PHONE,
        receiving_game_id=7, amount="10.00"),
    "initiate_transfer": lambda c: c.initiate_transfer(
        client_request_id=ID, source_player_name=NAME, source_player_email=EMAIL,
        source_player_phone=PHONE, target_player_email=EMAIL, target_player_phone=PHONE,
        target_game_id=7, amount="10.00"),
    "create_checkout": lambda c: c.create_checkout(player_email=EMAIL, usd_amount="9.99",
                                                   metadata={"who": EMAIL}),
    "purchase_currency": lambda c: c.purchase_currency(
        player_email=EMAIL, usd_amount="5", purchase_reference=ID, player_name=NAME,
        player_phone=PHONE),
    "confirm_payment": lambda c: c.confirm_payment(payment_intent_id=ID, order_id=ID),
    "get_order_details": lambda c: c.get_order_details(order_id=ID, transaction_id=ID),
    "purchase_item": lambda c: c.purchase_item(
        client_request_id=ID, player_email=EMAIL, player_name=NAME, item_id=ID, item_name=NAME,
        item_quantity=1, unit_price="5.00", total_price="5.00", player_phone=PHONE),
    "get_item_purchase_history": lambda c: c.get_item_purchase_history(player_email=EMAIL),
    "iterate_item_purchase_history": lambda c: list(
        c.iterate_item_purchase_history(player_email=EMAIL)),
    "get_item_order_details": lambda c: c.get_item_order_details(client_request_id=ID),
    "get_player_balance": lambda c: c.get_player_balance(player_email=EMAIL),
    "get_inbound_pending": lambda c: c.get_inbound_pending(player_email=EMAIL,
                                                           player_phone=PHONE),
    "get_linked_identities": lambda c: c.get_linked_identities(player_phone=PHONE),
    "verify_sms_transfer": lambda c: c.verify_sms_transfer(ID, "123456"),
    "verify_sms_send": lambda c: c.verify_sms_send(ID, "123456"),
    "claim_transfer": lambda c: c.claim_transfer(
        claim_code=ID, target_player_name=NAME, target_player_email=EMAIL,
        target_player_phone=PHONE, target_currency_id=3),
    "claim_currency": lambda c: c.claim_currency(
        claim_code=ID, receiver_player_name=NAME, receiver_player_email=EMAIL,
        receiver_player_phone=PHONE),
    "get_transfer_status": lambda c: c.get_transfer_status(ID),
    "get_send_status": lambda c: c.get_send_status(ID),
    "get_guardian_approval_status": lambda c: c.get_guardian_approval_status(ID),
    "get_destinations": lambda c: c.get_destinations(source_game_id=ID),
    "get_destinations(send)": lambda c: c.get_destinations(source_game_id=ID, direction="send"),
    "phone_share_initiate": lambda c: c.phone_share_initiate(phone=PHONE, email=EMAIL),
    "phone_share_approve": lambda c: c.phone_share_approve(approval_id=ID, otp="123456"),
    "phone_share_status": lambda c: c.phone_share_status(phone=PHONE, email=EMAIL),
    "register_webhook_endpoint": lambda c: c.register_webhook_endpoint(
        game_id=ID, target_url=f"http://127.0.0.1:9/{ID}"),
    "rotate_webhook_secret": lambda c: c.rotate_webhook_secret(game_id=ID),
    # -- checkout status and quotes: add entries below --
    "get_purchase_status": lambda c: c.get_purchase_status(session_id=ID, session_token=ID),
    "wait_for_purchase": lambda c: c.wait_for_purchase(session_id=ID, session_token=ID,
                                                       max_attempts=1),
    "quote_currency_purchase": lambda c: c.quote_currency_purchase(
        usd_amount="9.99", player_email=EMAIL, country="US", subdivision="CA"),

    # -- players, phones, activity (current API part 1): add entries below --

    "register_player": lambda c: c.register_player(player_email=EMAIL, player_phone=PHONE),
    "update_player_phone": lambda c: c.update_player_phone(player_email=EMAIL, new_phone=PHONE),
    "request_phone_change": lambda c: c.request_phone_change(player_email=EMAIL,
                                                             new_phone=PHONE),
    "get_phone_change": lambda c: c.get_phone_change(ID),
    "get_player_activity": lambda c: c.get_player_activity(player_email=EMAIL),
    "iterate_player_activity": lambda c: list(c.iterate_player_activity(player_email=EMAIL)),
    "get_player_rewards": lambda c: c.get_player_rewards(EMAIL),

    # -- consoles and Steam: add entries below --
    "steam_packs": lambda c: c.steam_packs(steamid=ID),
    "steam_init_purchase": lambda c: c.steam_init_purchase(
        player_email=EMAIL, steamid="76561198000000001", pack_id=ID, purchase_reference=ID,
        usersession="web", player_ip="203.0.113.9", player_name=NAME, metadata={"who": EMAIL}),
    "steam_finalize_purchase": lambda c: c.steam_finalize_purchase(order_id=ID),
    "begin_device_approval": lambda c: c.begin_device_approval(
        player_token=ID, transaction_id=ID, flow="transfer"),
    "poll_device_approval": lambda c: c.poll_device_approval(player_token=ID, device_code=ID),
    "confirm_device_enrollment": lambda c: c.confirm_device_enrollment(
        player_token=ID, device_code=ID, decision="approve"),
    "approve_with_device_code": lambda c: c.approve_with_device_code(
        player_token=ID, transaction_id=ID, flow="send_receipt", device_code=ID),
    "complete_device_approval": lambda c: c.complete_device_approval(
        player_token=ID, transaction_id=ID, flow="send", device_code=ID,
        sleep=lambda _s: None, max_transient_failures=1).last_poll,
    "recovery_begin": lambda c: c.recovery_begin(player_token=ID),
    "recovery_complete": lambda c: c.recovery_complete(player_token=ID, code=ID),

    # -- subscriptions, cards, clock: add entries below --

    # -- payouts and platform commerce: add entries below --
}

HOSTILE_BODY = {
    "error": f"{EMAIL} {PHONE} {NAME} {SECRET}",
    "message": EMAIL,
    "code": SECRET,
    "error_code": EMAIL,
    "required_amount": PHONE,
}
HOSTILE_HEADERS = {"x-invo-request-id": SECRET, "x-request-id": EMAIL}
# The same with values the transport does not scrub (only the secret is scrubbed there).
HOSTILE_BODY_2 = {"error": "x", "code": EMAIL}
HOSTILE_HEADERS_2 = {"x-invo-request-id": EMAIL}


# Methods made of other calls: the operations their spans carry.
SPANS_OF = {
    "complete_device_approval": {"poll_device_approval", "approve_with_device_code"},
}


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with script_server() as srv:
        yield srv


def _texts(otel: Otel) -> list[str]:
    """Everything telemetry recorded, as strings."""
    texts: list[str] = []
    for span in otel.finished():
        texts += [span.name, str(span.status.description)]
        for key, value in (span.attributes or {}).items():
            texts += [key, str(value)]
        for event in span.events:
            texts.append(event.name)
            texts += [f"{k}={v}" for k, v in (event.attributes or {}).items()]
    for name, points in otel.metric_points().items():
        texts.append(name)
        for point in points:
            texts += [f"{k}={v}" for k, v in dict(point.attributes).items()]
    return texts


def _assert_no_canary(otel: Otel) -> None:
    texts = _texts(otel)
    assert texts, "telemetry recorded nothing: the guard would prove nothing"
    leaks = [(canary, text) for text in texts for canary in CANARIES if canary in text]
    assert leaks == []


@pytest.mark.parametrize("name", sorted(CALLS))
def test_no_canary_in_spans_or_metrics(name: str, server: ScriptServer) -> None:
    otel = make_otel()
    call = CALLS[name]
    with InvoServer(SECRET, server.url, telemetry=otel.telemetry,
                    retry_base_delay=0.001) as invo:
        # A retry (idempotent calls) or an error (the others), then success.
        server.then(503, HOSTILE_BODY, HOSTILE_HEADERS)
        try:
            call(invo)
        except InvoError:
            call(invo)
        # A hostile error answer that echoes every canary.
        for body, headers in ((HOSTILE_BODY, HOSTILE_HEADERS),
                              (HOSTILE_BODY_2, HOSTILE_HEADERS_2)):
            server.then(400, body, headers)
            with pytest.raises(InvoError):
                call(invo)
    # A network failure.
    with InvoServer(SECRET, "http://127.0.0.1:9", telemetry=otel.telemetry, max_retries=1,
                    retry_base_delay=0.001, timeout=2) as down, pytest.raises(InvoError):
        call(down)
    _assert_no_canary(otel)
    operations = {s.attributes.get("invo.operation") for s in otel.finished()} - {None}
    expected = name.split("(")[0].replace("iterate_", "get_")  # one span per page read
    expected = expected.replace("wait_for_purchase", "get_purchase_status")  # one per read
    assert operations == SPANS_OF.get(expected, {expected})


def test_every_public_method_is_guarded() -> None:
    methods = {
        name for name in dir(InvoServer)
        if not name.startswith("_") and callable(getattr(InvoServer, name))
    } - {"close", "with_options", "from_env"}
    assert methods <= {name.split("(")[0] for name in CALLS}
