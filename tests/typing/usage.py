"""How a user's code calls every InvoServer method, checked with ``mypy --strict``.

Nothing here runs on import: the calls live in functions that are never called (and the file
name keeps pytest from collecting it). Check it with::

    .venv/bin/mypy --strict tests/typing/usage.py
"""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Optional, Union

from invonetwork import (
    ClaimResult,
    ConfirmPaymentResult,
    CreateCheckoutResult,
    CurrencyBalance,
    CurrencyPurchaseQuote,
    CurrencyPurchaseQuoteBreakdown,
    DestinationGame,
    DestinationsResult,
    ErrorInfo,
    GuardianApprovalStatusResult,
    Hooks,
    InboundPendingItem,
    InboundPendingResult,
    InitiateResult,
    InvoError,
    InvoServer,
    ItemHistoryResult,
    LinkedIdentitiesResult,
    LinkedIdentityEmail,
    OrderDetailsResult,
    PhoneShareApproveResult,
    PhoneShareInitiateResult,
    PhoneShareStatusResult,
    PlayerBalanceResult,
    PlayerToken,
    PurchaseItemResult,
    PurchaseResult,
    PurchaseStatusResult,
    RequestInfo,
    ResponseInfo,
    RotateSecretResult,
    SmsVerifyResult,
    TransactionStatusResult,
    UnacknowledgedPurchaseOutcome,
    WebhookEndpointResult,
)
from invonetwork.errors import (
    ConfigurationError,
    MaybeSentError,
    NotSentError,
    WebhookVerificationError,
    error_from_response,
)


def on_request(info: RequestInfo) -> None:
    print(info.method, info.url, info.attempt)


def on_response(info: ResponseInfo) -> None:
    duration: float = info.duration_ms
    request_id: Optional[str] = info.request_id
    print(info.status, duration, request_id)


def on_error(info: ErrorInfo) -> None:
    error: InvoError = info.error
    will_retry: bool = info.will_retry
    print(error.code, will_retry)


def build() -> InvoServer:
    hooks = Hooks(on_request=on_request, on_response=on_response, on_error=on_error)
    invo = InvoServer("ivsdk_test_x", "https://sandbox.invo.network/sandbox", timeout=10.0,
                      max_retries=2, retry_base_delay=0.25, hooks=hooks)
    InvoServer("ivsdk_live_x").close()
    InvoServer(game_secret="sk", base_url="http://localhost:8080").close()
    InvoServer.from_env(timeout=5.0).close()
    return invo.with_options(timeout=5.0, max_retries=0)


def part_one(invo: InvoServer) -> None:  # never called: type checking only
    token: PlayerToken = invo.mint_player_token(player_email="p@example.com")
    invo.mint_player_token(player_email="p@example.com", player_phone="+15555550100")
    print(token.token, token.expires_at, token.identity_id, token.raw)

    send: InitiateResult = invo.initiate_send(
        client_request_id="req-1", sender_player_name="Ada", sender_player_email="a@x.com",
        sender_player_phone="+15555550100", receiver_player_email="b@x.com",
        receiver_player_phone="+15555550111", receiving_game_id=12, amount="10.00")
    transfer: InitiateResult = invo.initiate_transfer(
        client_request_id="req-2", source_player_name="Ada", source_player_email="a@x.com",
        source_player_phone="+15555550100", target_player_email="b@x.com",
        target_player_phone="+15555550111", target_game_id="g-1", amount=Decimal("5"))
    method: Optional[str] = send.verification_method
    print(method, transfer.transaction_id, transfer.guardian_approval, send.raw)

    checkout: CreateCheckoutResult = invo.create_checkout(
        player_email="p@example.com", usd_amount="9.99", rail="platform",
        success_url="https://g/ok", cancel_url="https://g/cancel", metadata={"order": "o-1"})
    url: str = checkout.checkout_url
    print(url, checkout.session_id, checkout.expires_at)

    purchase: PurchaseResult = invo.purchase_currency(
        player_email="p@example.com", usd_amount=9.99, purchase_reference="ref-1",
        rail="game", payment_method_id="pm_1", saved_card_id=None, player_name="Ada",
        player_phone="+15555550100", metadata={"k": "v"})
    status: str = purchase.status
    print(status, purchase.client_secret, purchase.payment_intent_id, purchase.payment_url,
          purchase.transaction_id, purchase.order_id, purchase.new_balance)

    confirmed: ConfirmPaymentResult = invo.confirm_payment(payment_intent_id="pi_1",
                                                           order_id="ord-1")
    print(confirmed.status, confirmed.transaction_id, confirmed.new_balance)

    order: OrderDetailsResult = invo.get_order_details(order_id="ord-1")
    invo.get_order_details(transaction_id="tx-1")
    print(order.order, order.financial_summary, order.status_timeline)

    item: PurchaseItemResult = invo.purchase_item(
        client_request_id="req-3", player_email="p@example.com", player_name="Ada",
        item_id="sword", item_name="Sword", item_quantity=2, unit_price="1.50",
        total_price=Decimal("3.00"), player_phone="+15555550100", item_description="sharp",
        item_category="weapons")
    print(item.status, item.transaction_id, item.order_id, item.new_balance,
          item.previous_balance, item.currency_name, item.financial_breakdown)

    history: ItemHistoryResult = invo.get_item_purchase_history(
        player_email="p@example.com", limit=10, offset=0)
    print(history.history, history.pagination)
    for row in invo.iterate_item_purchase_history(player_email="p@example.com", page_size=25):
        print(row)

    item_order: OrderDetailsResult = invo.get_item_order_details(client_request_id="req-3")
    invo.get_item_order_details(order_id=5)
    invo.get_item_order_details(transaction_id="tx-3")
    print(item_order.order)

    balance: PlayerBalanceResult = invo.get_player_balance(player_email="p@example.com",
                                                           player_id=42)
    invo.get_player_balance(player_email="p@example.com")
    first: CurrencyBalance = balance.balances[0]
    print(balance.player, balance.summary, first.currency_id, first.currency_name,
          first.currency_symbol, first.available_balance, first.reserved_balance,
          first.total_balance, first.last_transaction, first.raw)

    pending: InboundPendingResult = invo.get_inbound_pending(player_email="p@example.com",
                                                             player_phone="+15555550100")
    row0: InboundPendingItem = pending.inbound_pending[0]
    print(row0.transaction_id, row0.flow, row0.amount, row0.net_amount, row0.source_game_id,
          row0.source_game, row0.to_phone, row0.to_identity_id, row0.created_at,
          row0.claim_code_expires_at)

    linked: LinkedIdentitiesResult = invo.get_linked_identities(player_phone="+15555550100")
    invo.get_linked_identities(player_email="p@example.com")
    not_found: bool = linked.not_found
    email0: LinkedIdentityEmail = linked.emails[0]
    print(not_found, linked.wallet_user_id, linked.primary_email, linked.primary_phone,
          linked.is_minor, email0.email, email0.primary, email0.verified_at)


def part_two(invo: InvoServer) -> None:  # never called: type checking only
    sms: SmsVerifyResult = invo.verify_sms_transfer("tx-1", "123456")
    invo.verify_sms_send(transaction_id="tx-2", sms_pin="654321")
    invo.verify_sms_send("tx-2", "654321")
    print(sms.status, sms.transaction_id, sms.claim_code, sms.new_balance, sms.order_id)

    claim: ClaimResult = invo.claim_transfer(
        claim_code="C-1", target_player_name="Bo", target_player_email="b@x.com",
        target_player_phone="+15555550111", target_currency_id=3, target_player_id=0)
    invo.claim_currency(claim_code="C-2", receiver_player_name="Bo",
                        receiver_player_email="b@x.com", receiver_player_phone="+15555550111",
                        receiver_player_id="p-9")
    if claim.needs_account_selection:
        print(claim.candidates)
    print(claim.status, claim.transaction_id, claim.new_balance, claim.currency_name,
          claim.order_id)

    status: TransactionStatusResult = invo.get_transfer_status("tx-1")
    invo.get_send_status("tx-2")
    print(status.transaction_id, status.transaction_type, status.transaction_status,
          status.verification_state, status.amount, status.net_amount, status.currency_id,
          status.order_id, status.to_phone, status.to_identity_id)

    guardian: GuardianApprovalStatusResult = invo.get_guardian_approval_status("tx-3")
    print(guardian.state, guardian.approval_id, guardian.transaction_id, guardian.expires_at,
          guardian.decided_at, guardian.decision_source, guardian.action_description)

    destinations: DestinationsResult = invo.get_destinations(source_game_id=0)
    invo.get_destinations(source_game_id="7", direction="send")
    game: DestinationGame = destinations.available_games[0]
    total: int = destinations.total_destinations
    print(total, destinations.direction, destinations.linked_game_ids,
          destinations.universal_transfers, destinations.transfer_mode, game.game_id,
          game.game_name, game.minimum_transfer, game.maximum_transfer)

    started: PhoneShareInitiateResult = invo.phone_share_initiate(phone="+15555550100",
                                                                  email="p@example.com")
    approved: PhoneShareApproveResult = invo.phone_share_approve(approval_id="ap-1", otp="1")
    shared: PhoneShareStatusResult = invo.phone_share_status(phone="+15555550100",
                                                             email="p@example.com")
    code_sent: Optional[bool] = started.code_sent
    print(code_sent, started.approval_id, started.expires_at, started.already_approved,
          approved.approved, approved.already_approved, approved.expires_at, shared.approved)


def checkout_status_and_quotes(invo: InvoServer) -> None:  # never called: type checking only
    status: PurchaseStatusResult = invo.get_purchase_status(session_id="cs_1",
                                                            session_token="tok")
    done: PurchaseStatusResult = invo.wait_for_purchase(
        session_id="cs_1", session_token="tok", interval=2, timeout=60.0, max_attempts=10,
        should_stop=lambda: False, on_update=lambda r: print(r.status),
        sleep=lambda s: None, clock=lambda: 0.0)
    quote: CurrencyPurchaseQuote = invo.quote_currency_purchase(
        usd_amount="9.99", player_email="p@example.com", country="US", subdivision="CA")
    quote2: CurrencyPurchaseQuote = invo.quote_currency_purchase(usd_amount=Decimal("5"))
    breakdown: CurrencyPurchaseQuoteBreakdown = quote.breakdown
    outcome: Optional[UnacknowledgedPurchaseOutcome] = quote2.if_unacknowledged
    charged: bool = status.nothing_was_charged or done.is_credited or done.terminal
    print(breakdown.tax_usd, outcome, charged, quote.total_usd, quote.amount_cents)


def players_phones_activity(invo: InvoServer) -> None:  # never called: type checking only
    from invonetwork import (
        LoyaltyCard,
        LoyaltyCardReward,
        LoyaltyCardsResult,
        LoyaltyCardStep,
        LoyaltyStepProgress,
        PhoneChangeRequest,
        PhoneChangeRequestResult,
        PlayerActivityEntry,
        PlayerActivityResult,
        RegisterPlayerResult,
        UpdatePlayerPhoneResult,
    )

    made: RegisterPlayerResult = invo.register_player(
        player_email="p@example.com", player_phone="+15555550100", player_name="Ada")
    moved: UpdatePlayerPhoneResult = invo.update_player_phone(
        player_email="p@example.com", new_phone="+15555550101")
    asked: PhoneChangeRequestResult = invo.request_phone_change(
        player_email="p@example.com", new_phone="+15555550102")
    seen: PhoneChangeRequest = invo.get_phone_change(asked.change_request_id)
    token: Optional[str] = made.player_token
    print(made.status, made.created, token, moved.identity_rekeyed, seen.confirmed_via)
    page: PlayerActivityResult = invo.get_player_activity(
        player_email="p@example.com", limit=20, cursor="c", types=["send", "transfer"])
    cursor: Optional[str] = page.next_cursor
    for entry in invo.iterate_player_activity(player_email="p@example.com", types=("send",),
                                              page_size=50):
        row: PlayerActivityEntry = entry
        game = row.counterparty_game
        print(row.amount, row.currency.currency_name, game.game_id if game else None)
    print(cursor, page.limit, page.has_more)
    cards: LoyaltyCardsResult = invo.get_player_rewards("p@example.com")
    card: LoyaltyCard = cards.cards[0]
    step: LoyaltyCardStep = card.steps[0]
    progress: Optional[LoyaltyStepProgress] = step.progress
    reward: LoyaltyCardReward = card.rewards[0]
    print(progress, reward.code_masked, reward.can_redeem)


def webhook_management(invo: InvoServer) -> None:  # never called: type checking only
    endpoint: WebhookEndpointResult = invo.register_webhook_endpoint(
        game_id=7, target_url="https://hooks.example.com/invo",
        subscribed_events=["purchase.completed", "item.purchased"])
    invo.register_webhook_endpoint(game_id="7", target_url="https://hooks.example.com/invo")
    rotated: RotateSecretResult = invo.rotate_webhook_secret(game_id=7)
    secret: Optional[str] = endpoint.signing_secret
    print(secret, endpoint.created, endpoint.subscription, rotated.signing_secret)


def errors(invo: InvoServer) -> None:  # never called: type checking only
    try:
        with invo:
            invo.get_transfer_status("tx-1")
    except InvoError as err:
        code: Optional[str] = err.code
        wait: Optional[float] = err.retry_after
        approval_id: Optional[str] = err.phone_share_approval_id
        flags: list[bool] = [
            err.is_token_expired, err.is_receiver_not_enrolled, err.is_insufficient_balance,
            err.is_duplicate_request, err.is_enrollment_authorization_required,
            err.is_enrollment_proof_required, err.is_phone_share_approval_required,
            err.is_phone_share_already_approved]
        print(code, wait, approval_id, flags, err.message, err.status, err.body, err.request_id)
    built = InvoError("by hand", code="INSUFFICIENT_BALANCE", status=400,
                      body={"required_amount": "1"}, request_id="r")
    mapped: InvoError = error_from_response(404, {"error": "missing"}, "req-1")
    error_from_response(500, "text body")
    closed: bool = invo.closed
    print(built.is_insufficient_balance, mapped.status, closed)


def typed_results(invo: InvoServer, send: InitiateResult, item: PurchaseItemResult) -> None:
    # ids are str or int as sent, None when missing: narrow before passing one on
    tx: Optional[Union[str, int]] = send.transaction_id
    if isinstance(tx, str):
        invo.get_send_status(tx)
    required: Union[str, int] = item.transaction_id  # a required id is never None
    amount: Optional[Union[str, int, float]] = item.new_balance
    print(required, amount)


def webhook_failure(err: WebhookVerificationError) -> tuple[str, int]:
    return err.code, 400  # code is always a str on this class


def sent_or_not(invo: InvoServer) -> str:
    try:
        invo.create_checkout(player_email="p@example.com", usd_amount="5")
    except NotSentError:
        return "never sent: safe to try again"
    except MaybeSentError:
        return "may have reached INVO: reconcile first"
    except ConfigurationError as err:
        bad: ValueError = err
        return str(bad)
    return "ok"


class GameClient(InvoServer):
    def ada(self) -> PlayerBalanceResult:
        return self.get_player_balance(player_email="ada@example.com")


def subclass_views(game: GameClient) -> None:
    with game.with_options(timeout=2.0) as view:  # still a GameClient, for mypy too
        print(view.ada().balances)


# -- consoles and Steam -------------------------------------------------------------------------


def consoles_and_steam(invo: InvoServer) -> None:  # never called: type checking only
    from invonetwork import (
        CompleteDeviceApprovalResult,
        ConfirmDeviceEnrollmentResult,
        DeviceApprovalEnrollment,
        DeviceApprovalGrant,
        DeviceApprovalPollResult,
        DeviceApprovalSettleResult,
        RecoveryBeginResult,
        RecoveryCompleteResult,
        SteamFinalizeResult,
        SteamInitPurchaseResult,
        SteamPack,
        SteamPacksResult,
    )

    catalogue: SteamPacksResult = invo.steam_packs(steamid="76561198000000001")
    invo.steam_packs()
    first: SteamPack = catalogue.packs[0]
    opened: SteamInitPurchaseResult = invo.steam_init_purchase(
        player_email="p@example.com", steamid="76561198000000001", pack_id=first.pack_id,
        purchase_reference="ref-1", usersession="web", player_ip="203.0.113.9",
        player_name="Ada", metadata={"basket": "b-1"})
    done: SteamFinalizeResult = invo.steam_finalize_purchase(order_id=opened.order_id)
    credited: Optional[bool] = done.credited
    print(catalogue.vat_rate_pct, first.currency_amount, done.already_processed, credited,
          done.reason_code)

    grant: DeviceApprovalGrant = invo.begin_device_approval(
        player_token="pt", transaction_id="tx-1", flow="transfer", channel="app_browser")
    poll: DeviceApprovalPollResult = invo.poll_device_approval(
        player_token="pt", device_code=grant.device_code)
    enrollment: Optional[DeviceApprovalEnrollment] = poll.enrollment
    decided: ConfirmDeviceEnrollmentResult = invo.confirm_device_enrollment(
        player_token="pt", device_code=grant.device_code, decision="approve")
    settled: DeviceApprovalSettleResult = invo.approve_with_device_code(
        player_token="pt", transaction_id="tx-1", flow="transfer", device_code=grant.device_code)

    def show(found: Optional[DeviceApprovalEnrollment], respond: Callable[[str], None]) -> None:
        if found is not None and found.state == "awaiting_screen":
            respond("approve")

    outcome: CompleteDeviceApprovalResult = invo.complete_device_approval(
        player_token="pt", transaction_id="tx-1", flow="send_receipt",
        device_code=grant.device_code, interval=grant.interval, on_enrollment=show,
        should_stop=lambda: False, sleep=lambda seconds: None, max_transient_failures=3)
    sent: RecoveryBeginResult = invo.recovery_begin(player_token="pt")
    recovered: RecoveryCompleteResult = invo.recovery_complete(player_token="pt", code="123456")
    channels: list[str] = sent.channels
    count: int = recovered.deactivated_count
    print(enrollment, decided.status, settled.already_settled, outcome.settlement, channels,
          count)
