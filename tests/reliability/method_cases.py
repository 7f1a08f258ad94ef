"""Every public InvoServer method, called validly with a per-call token, for the fault matrix.

``idempotent`` below is copied from the wire contract's tables ("idem" column of Part 1 and
Part 2; webhook management is sent once, as the SDK documents), NOT read from the SDK's own
route table, so that a wrong entry there shows up as a failing test here.

Each call puts its token somewhere the server can find it (path, query or body) and
``echo_of`` reads back the token the server echoed into the answer, so a test can prove that
each answer belongs to its own request.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Callable

from invonetwork import InvoServer

__all__ = ["LOOPS", "METHODS", "MethodCase", "new_token"]

#: Client-side loops over the methods below (several requests each, so not in the matrix:
#: their own tests drive them through failures, e.g. tests/devices/test_complete_loop.py).
LOOPS = {"complete_device_approval"}


def new_token() -> str:
    return "tok" + secrets.token_hex(8)


def _email(token: str) -> str:
    return f"{token}@players.example"


@dataclass(frozen=True)
class MethodCase:
    name: str
    idempotent: bool
    call: Callable[[InvoServer, str], Any]

    def echo_of(self, result: Any) -> Any:
        if isinstance(result, list):  # iterate_item_purchase_history
            return result[0]["echo"] if result else None
        return result.raw.get("echo")

    def __str__(self) -> str:
        return self.name


def _send(c: InvoServer, t: str) -> Any:
    return c.initiate_send(
        client_request_id=t, sender_player_name="Ann", sender_player_email="a@x.example",
        sender_player_phone="+15555550100", receiver_player_email="b@x.example",
        receiver_player_phone="+15555550101", receiving_game_id=7, amount="10.00",
    )


def _transfer(c: InvoServer, t: str) -> Any:
    return c.initiate_transfer(
        client_request_id=t, source_player_name="Ann", source_player_email="a@x.example",
        source_player_phone="+15555550100", target_player_email="b@x.example",
        target_player_phone="+15555550101", target_game_id=7, amount=10,
    )


def _purchase_item(c: InvoServer, t: str) -> Any:
    return c.purchase_item(
        client_request_id=t, player_email="a@x.example", player_name="Ann", item_id="sword",
        item_name="Sword", item_quantity=3, unit_price="33.33", total_price="100.00",
    )


METHODS: tuple[MethodCase, ...] = (
    # -- part 1 --
    MethodCase("mint_player_token", True,
               lambda c, t: c.mint_player_token(player_email=_email(t))),
    MethodCase("initiate_send", True, _send),
    MethodCase("initiate_transfer", True, _transfer),
    MethodCase("create_checkout", False,
               lambda c, t: c.create_checkout(player_email=_email(t), usd_amount="9.99")),
    MethodCase("purchase_currency", True,
               lambda c, t: c.purchase_currency(player_email="a@x.example", usd_amount=5,
                                                purchase_reference=t)),
    MethodCase("confirm_payment", True,
               lambda c, t: c.confirm_payment(payment_intent_id=t)),
    MethodCase("get_order_details", True,
               lambda c, t: c.get_order_details(order_id=t)),
    MethodCase("purchase_item", True, _purchase_item),
    MethodCase("get_item_purchase_history", True,
               lambda c, t: c.get_item_purchase_history(player_email=_email(t), limit=10)),
    MethodCase("iterate_item_purchase_history", True,
               lambda c, t: list(c.iterate_item_purchase_history(player_email=_email(t)))),
    MethodCase("get_item_order_details", True,
               lambda c, t: c.get_item_order_details(client_request_id=t)),
    MethodCase("get_player_balance(email)", True,
               lambda c, t: c.get_player_balance(player_email=_email(t))),
    MethodCase("get_inbound_pending", True,
               lambda c, t: c.get_inbound_pending(player_email=_email(t))),
    MethodCase("get_linked_identities", True,
               lambda c, t: c.get_linked_identities(player_email=_email(t))),
    # -- part 2 --
    MethodCase("verify_sms_transfer", False, lambda c, t: c.verify_sms_transfer(t, "123456")),
    MethodCase("verify_sms_send", False, lambda c, t: c.verify_sms_send(t, "123456")),
    MethodCase("claim_transfer", False,
               lambda c, t: c.claim_transfer(claim_code=t, target_player_name="Bo",
                                             target_player_email="b@x.example",
                                             target_player_phone="+15555550101",
                                             target_currency_id=3)),
    MethodCase("claim_currency", False,
               lambda c, t: c.claim_currency(claim_code=t, receiver_player_name="Bo",
                                             receiver_player_email="b@x.example",
                                             receiver_player_phone="+15555550101")),
    MethodCase("get_transfer_status", True, lambda c, t: c.get_transfer_status(t)),
    MethodCase("get_send_status", True, lambda c, t: c.get_send_status(t)),
    MethodCase("get_guardian_approval_status", True,
               lambda c, t: c.get_guardian_approval_status(t)),
    MethodCase("get_destinations(transfer)", True,
               lambda c, t: c.get_destinations(source_game_id=t)),
    MethodCase("get_destinations(send)", True,
               lambda c, t: c.get_destinations(source_game_id=t, direction="send")),
    MethodCase("phone_share_initiate", False,
               lambda c, t: c.phone_share_initiate(phone="+15555550100", email=_email(t))),
    MethodCase("phone_share_approve", False,
               lambda c, t: c.phone_share_approve(approval_id=t, otp="123456")),
    MethodCase("phone_share_status", True,
               lambda c, t: c.phone_share_status(phone="+15555550100", email=_email(t))),
    # -- webhook endpoint management (sent once: the first answer carries the secret) --
    MethodCase("register_webhook_endpoint", False,
               lambda c, t: c.register_webhook_endpoint(
                   game_id=t, target_url="http://127.0.0.1:9/invo-hook")),
    MethodCase("rotate_webhook_secret", False,
               lambda c, t: c.rotate_webhook_secret(game_id=t)),
    # -- checkout status and quotes: add entries below --
    MethodCase("get_purchase_status", True,
               lambda c, t: c.get_purchase_status(session_id=t, session_token=f"tok-{t}")),
    MethodCase("wait_for_purchase", True,
               lambda c, t: c.wait_for_purchase(session_id=t, session_token=f"tok-{t}",
                                                max_attempts=1)),
    MethodCase("quote_currency_purchase", True,
               lambda c, t: c.quote_currency_purchase(usd_amount="9.99",
                                                      player_email=_email(t))),

    # -- players, phones, activity (current API part 1): add entries below --

    MethodCase("register_player", True,
               lambda c, t: c.register_player(player_email=_email(t),
                                              player_phone="+15555550100")),
    MethodCase("update_player_phone", False,
               lambda c, t: c.update_player_phone(player_email=_email(t),
                                                  new_phone="+15555550100")),
    MethodCase("request_phone_change", False,
               lambda c, t: c.request_phone_change(player_email=_email(t),
                                                   new_phone="+15555550100")),
    MethodCase("get_phone_change", True, lambda c, t: c.get_phone_change(t)),
    MethodCase("get_player_activity", True,
               lambda c, t: c.get_player_activity(player_email=_email(t))),
    MethodCase("iterate_player_activity", True,
               lambda c, t: [e.raw for e in c.iterate_player_activity(player_email=_email(t))]),
    MethodCase("get_player_rewards", True, lambda c, t: c.get_player_rewards(_email(t))),

    # -- consoles and Steam: add entries below --
    MethodCase("steam_packs", True, lambda c, t: c.steam_packs(steamid=t)),
    MethodCase("steam_init_purchase", True,
               lambda c, t: c.steam_init_purchase(player_email=_email(t), steamid="7656119",
                                                  pack_id="steam_small", purchase_reference=t)),
    MethodCase("steam_finalize_purchase", True,
               lambda c, t: c.steam_finalize_purchase(order_id=t)),
    MethodCase("begin_device_approval", True,
               lambda c, t: c.begin_device_approval(player_token="pt-1", transaction_id=t,
                                                    flow="send")),
    MethodCase("poll_device_approval", True,
               lambda c, t: c.poll_device_approval(player_token="pt-1", device_code=t)),
    MethodCase("confirm_device_enrollment", False,
               lambda c, t: c.confirm_device_enrollment(player_token="pt-1", device_code=t,
                                                        decision="deny")),
    MethodCase("approve_with_device_code", False,
               lambda c, t: c.approve_with_device_code(player_token="pt-1", transaction_id=t,
                                                       flow="transfer", device_code="dc-1")),
    MethodCase("recovery_begin", False, lambda c, t: c.recovery_begin(player_token=t)),
    MethodCase("recovery_complete", False,
               lambda c, t: c.recovery_complete(player_token="pt-1", code=t)),

    # -- subscriptions, cards, clock: add entries below --

    # -- payouts and platform commerce: add entries below --
)
