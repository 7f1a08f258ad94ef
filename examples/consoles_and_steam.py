"""Consoles, TVs and Steam: device approval, Steam packs and purchases, passkey recovery.

Everything here runs on the game server (it holds the game secret and the player tokens);
the console or TV only shows what the server gives it. Run it against the built-in local
sandbox (no account needed)::

    python examples/consoles_and_steam.py

The docs (``docs/consoles-and-steam.md``) include this file piece by piece, and
``tests/devices/test_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from typing import Callable, Optional

from invonetwork import (
    CompleteDeviceApprovalResult,
    DeviceApprovalEnrollment,
    DeviceApprovalGrant,
    InvoError,
    InvoServer,
    RecoveryCompleteResult,
    SteamFinalizeResult,
    SteamInitPurchaseResult,
    SteamPack,
)


# --8<-- [start:begin]
def show_approval_code(invo: InvoServer, *, player_token: str,
                       transaction_id: str) -> DeviceApprovalGrant:
    """Start the approval of a transfer the player made on the console."""
    grant = invo.begin_device_approval(
        player_token=player_token,         # from mint_player_token: never the game secret
        transaction_id=transaction_id,
        flow="transfer",                   # or "send"; "transfer_receipt" for the recipient
    )
    # Send these two to the console; keep grant.device_code on the server.
    print("QR code for:", grant.verification_uri_complete)
    print(f"or open {grant.verification_uri} and type {grant.user_code}")
    return grant
# --8<-- [end:begin]


# --8<-- [start:wait]
def wait_for_the_phone(
    invo: InvoServer,
    *,
    player_token: str,
    transaction_id: str,
    grant: DeviceApprovalGrant,
    show_on_screen: Callable[[str], None] = print,
    sleep: Optional[Callable[[float], object]] = None,  # default: time.sleep
) -> CompleteDeviceApprovalResult:
    """Poll until the player approves on the phone, then settle (the money step)."""

    def on_enrollment(found: Optional[DeviceApprovalEnrollment],
                      respond: Callable[[str], None]) -> None:
        if found is None:
            show_on_screen("")  # the enrollment question is over: clear it
        elif found.state == "awaiting_screen":
            # A first-time phone: the console shows the code, the player confirms there.
            show_on_screen(f"Is this your {found.device_label}? Code {found.match_code}")
            respond("approve")  # in a game: when the player presses "Yes" on the pad

    done = invo.complete_device_approval(
        player_token=player_token, transaction_id=transaction_id, flow="transfer",
        device_code=grant.device_code, interval=grant.interval,
        on_enrollment=on_enrollment, sleep=sleep,
    )
    if done.status == "approved" and done.settlement is not None:
        print("sent; claim code for the recipient:", done.settlement.claim_code)
    else:
        print("not sent:", done.status)  # "denied", "expired" or "stopped"
    return done
# --8<-- [end:wait]


# --8<-- [start:settle-again]
def settle_after_a_lost_answer(invo: InvoServer, *, player_token: str, transaction_id: str,
                               device_code: str) -> bool:
    """The settle is never retried automatically: after a timeout, ask again."""
    settled = invo.approve_with_device_code(
        player_token=player_token, transaction_id=transaction_id, flow="transfer",
        device_code=device_code)
    if settled.status == "not_pending":
        return settled.already_settled  # True: the first settle went through
    return settled.status == "approved"
# --8<-- [end:settle-again]


# --8<-- [start:packs]
def steam_store(invo: InvoServer, *, steamid: str) -> list[SteamPack]:
    """The packs to show a Steam player (INVO prices them; never send a price)."""
    catalogue = invo.steam_packs(steamid=steamid)
    for pack in catalogue.packs:
        print(f"{pack.label}: ${pack.price_usd} -> {pack.currency_amount} coins")
    return catalogue.packs
# --8<-- [end:packs]


# --8<-- [start:init]
def buy_on_steam(invo: InvoServer, *, email: str, steamid: str, pack_id: str,
                 purchase_reference: str) -> SteamInitPurchaseResult:
    """Open the Steam order; the Steam overlay then asks the player to authorize it."""
    try:
        return invo.steam_init_purchase(
            player_email=email, steamid=steamid, pack_id=pack_id,
            purchase_reference=purchase_reference,  # one per intended purchase: store it
        )
    except InvoError as err:
        if err.is_duplicate_request:  # a resend: the order already exists
            print("already opened:", err.body["order_id"])
        raise
# --8<-- [end:init]


# --8<-- [start:finalize]
def finish_steam_purchase(invo: InvoServer, *, order_id: str) -> Optional[SteamFinalizeResult]:
    """Call when the overlay says the player authorized (and again later if unsure)."""
    try:
        done = invo.steam_finalize_purchase(order_id=order_id)
    except InvoError as err:
        if err.is_steam_authorization_pending:
            return None  # not authorized yet: try again in a few seconds
        if err.is_steam_authorization_dead or err.is_steam_app_changed:
            print("this order is over; nothing was charged or it was refunded")
            return None
        raise
    if done.credited is False and done.reason_code:
        print("paid but not credited:", done.reason_code)  # never ask to pay again
    elif done.already_processed:
        print("already credited")  # by an earlier finalize or INVO's reconciler
    else:
        print("credited; new balance", done.new_balance)
    return done
# --8<-- [end:finalize]


# --8<-- [start:recovery]
def recover_passkey(invo: InvoServer, *, player_token: str,
                    ask_player_for_code: Callable[[], str]) -> RecoveryCompleteResult:
    """The player lost the phone that held their INVO passkey."""
    sent = invo.recovery_begin(player_token=player_token)
    print("code sent by", " and ".join(sent.channels))
    while True:
        try:
            return invo.recovery_complete(player_token=player_token,
                                          code=ask_player_for_code())
        except InvoError as err:
            if not err.is_enrollment_code_invalid:
                raise
            print("wrong or expired code")  # attempts are capped: begin again if it repeats
# --8<-- [end:recovery]


def main() -> None:
    from invonetwork.sandbox import Sandbox

    players = [{"email": "ada@example.com", "phone": "+15555550100", "balance": "100"},
               {"email": "bob@example.com", "phone": "+15555550111"}]
    with Sandbox(players=players) as sb, sb.client() as invo:
        move = invo.initiate_transfer(
            client_request_id="console-1", source_player_name="Ada",
            source_player_email="ada@example.com", source_player_phone="+15555550100",
            target_player_email="bob@example.com", target_player_phone="+15555550111",
            target_game_id=2002, amount="10")
        token = invo.mint_player_token(player_email="ada@example.com").token
        txn = str(move.transaction_id)
        grant = show_approval_code(invo, player_token=token, transaction_id=txn)
        sb.approve_device_code(grant.user_code)  # what the player does on the phone
        wait_for_the_phone(invo, player_token=token, transaction_id=txn, grant=grant,
                           sleep=sb.advance_time)
        packs = steam_store(invo, steamid="76561198000000001")
        order = buy_on_steam(invo, email="ada@example.com", steamid="76561198000000001",
                             pack_id=packs[0].pack_id, purchase_reference="steam-order-1")
        sb.steam_authorize(order.order_id)  # what the player does in the Steam overlay
        finish_steam_purchase(invo, order_id=order.order_id)


if __name__ == "__main__":
    main()
