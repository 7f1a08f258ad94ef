"""The sandbox's checkout sessions and their status read (api-current §5, "Checkout and
status read"), through the SDK over real HTTP. One test per emulated rule."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from invonetwork import CreateCheckoutResult, InvoServer
from invonetwork.errors import AuthenticationError, GoneError, PermissionDeniedError
from invonetwork.sandbox import Sandbox, SandboxError
from invonetwork.webhooks import WebhookEvent

ADA = "ada@example.com"


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": ADA, "balance": "100"}]) as sandbox:
        yield sandbox


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(retry_base_delay=0.01, timeout=10) as client:
        yield client


def new_checkout(invo: InvoServer, usd: str = "5.00", **extra: object) -> CreateCheckoutResult:
    return invo.create_checkout(player_email=ADA, usd_amount=usd, **extra)  # type: ignore[arg-type]


def read(invo: InvoServer, checkout: CreateCheckoutResult):  # type: ignore[no-untyped-def]
    assert checkout.session_token is not None
    return invo.get_purchase_status(session_id=str(checkout.session_id),
                                    session_token=checkout.session_token)


def test_a_session_carries_its_token_in_the_body_and_the_url(invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    assert checkout.session_token and checkout.session_token.startswith("cst_")
    query = parse_qs(urlsplit(checkout.checkout_url).query)
    assert query == {"session": [checkout.session_token]}
    assert checkout.expires_in_seconds == 900
    assert "session_token" not in repr(checkout)


def test_expires_in_seconds_follows_the_checkout_ttl_knob() -> None:
    with Sandbox(checkout_ttl=120) as sb, sb.client() as invo:
        assert new_checkout(invo).expires_in_seconds == 120


def test_the_page_still_opens_at_the_url_with_its_session_query(invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    page = requests.get(checkout.checkout_url, headers={"User-Agent": "browser"}, timeout=10)
    assert page.status_code == 200 and "invo-pay" in page.text


def test_item_metadata_on_a_currency_checkout_is_a_warning(invo: InvoServer) -> None:
    warned = new_checkout(invo, metadata={"item_id": "sword", "item_name": "Sword", "x": 1})
    (warning,) = warned.warnings
    assert warning.code == "ITEM_METADATA_ON_CURRENCY_SESSION"
    assert warning.fields == ["item_id", "item_name"] and warning.message
    assert new_checkout(invo, metadata={"order": "o-1"}).warnings == []


def test_a_new_session_reads_pending_with_what_it_will_charge(invo: InvoServer) -> None:
    checkout = new_checkout(invo, "5.00")
    status = read(invo, checkout)
    assert (status.status, status.terminal) == ("pending", False)
    assert status.session_id == checkout.session_id
    assert (status.amount_charged_usd, status.listed_usd) == ("5.00", "5.00")
    assert status.currency_name == "Gold Coins" and status.new_balance == "100.00"
    assert status.order_id is None and status.coins_credited is None
    assert status.transaction_id is None and status.reason_code is None
    assert status.message is None


def test_the_status_read_needs_the_sessions_own_bearer(sb: Sandbox, invo: InvoServer) -> None:
    first, second = new_checkout(invo), new_checkout(invo)
    url = f"{sb.base_url}/api/checkout/sessions/{first.session_id}"
    ua = {"User-Agent": "invonetwork-python-sdk/test"}
    # the game secret alone is not enough: the status read is the session's
    alone = requests.get(url, headers={**ua, "X-Game-Secret-Key": sb.game_secret}, timeout=10)
    assert alone.status_code == 401
    with pytest.raises(AuthenticationError) as bad:
        invo.get_purchase_status(session_id=str(first.session_id), session_token="cst_forged")
    assert bad.value.status == 401
    assert second.session_token is not None
    with pytest.raises(PermissionDeniedError) as other:
        invo.get_purchase_status(session_id=str(first.session_id),
                                 session_token=second.session_token)
    assert other.value.code == "SESSION_MISMATCH" and other.value.is_checkout_session_mismatch
    ok = requests.get(url, headers={**ua, "Authorization": f"Bearer {first.session_token}"},
                      timeout=10)
    assert ok.status_code == 200 and ok.json()["status"] == "pending"


def test_paying_reads_credited_and_terminal(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo, "5.00")
    paid = sb.pay_checkout(str(checkout.session_id))
    status = read(invo, checkout)
    assert (status.status, status.terminal, status.is_credited) == ("credited", True, True)
    assert status.coins_credited == "50.00" and status.new_balance == "150.00"
    assert status.order_id == paid["order_id"]
    assert status.transaction_id == paid["transaction_id"]
    assert status.reason_code is None and status.message is None
    assert not status.nothing_was_charged


def test_unpaid_reads_pending_until_30_minutes_past_expiry_then_expired(
    sb: Sandbox, invo: InvoServer
) -> None:
    checkout = new_checkout(invo)
    sb.advance_time(900 + 1)  # past expiry: the page refuses it
    late = read(invo, checkout)
    assert late.status == "pending" and late.new_balance is None  # null once past expiry
    sb.advance_time(30 * 60 - 10)
    assert read(invo, checkout).status == "pending"
    sb.advance_time(10)
    expired = read(invo, checkout)
    assert (expired.status, expired.terminal, expired.is_expired) == ("expired", True, True)
    assert expired.nothing_was_charged and expired.message and expired.reason_code is None


def test_gone_once_24_hours_past_expiry(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    sb.advance_time(900 + 24 * 3600 - 5)
    assert read(invo, checkout).status == "expired"
    sb.advance_time(10)
    with pytest.raises(GoneError) as info:
        read(invo, checkout)
    assert info.value.code == "SESSION_EXPIRED" and info.value.is_checkout_session_expired


def test_cancel_reads_refused_payment_cancelled(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    sb.cancel_checkout(str(checkout.session_id))
    status = read(invo, checkout)
    assert (status.status, status.terminal, status.reason_code) == (
        "refused", True, "PAYMENT_CANCELLED")
    assert status.nothing_was_charged and status.message and status.order_id is None


def test_a_declined_card_reads_refused_payment_declined(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    sb.decline_checkout(str(checkout.session_id))
    status = read(invo, checkout)
    assert (status.status, status.reason_code, status.terminal) == (
        "refused", "PAYMENT_DECLINED", True)
    assert status.nothing_was_charged
    assert sb.events_of("purchase.failed")
    assert sb.balance(ADA) == Decimal("100")
    with pytest.raises(SandboxError):
        sb.pay_checkout(str(checkout.session_id))  # consumed


def test_charged_reads_paid_pending_credit_until_credited(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo, "3.00")
    sb.charge_checkout(str(checkout.session_id))
    charged = read(invo, checkout)
    assert (charged.status, charged.terminal) == ("paid_pending_credit", False)
    assert charged.order_id and charged.coins_credited is None and not sb.events_of(
        "purchase.completed")
    assert not charged.nothing_was_charged
    sb.finish_checkout_credit(str(checkout.session_id))
    done = read(invo, checkout)
    assert (done.status, done.coins_credited, done.order_id) == (
        "credited", "30.00", charged.order_id)
    assert len(sb.events_of("purchase.completed")) == 1


def test_wait_for_purchase_keeps_polling_through_paid_pending_credit(
    sb: Sandbox, invo: InvoServer
) -> None:
    checkout = new_checkout(invo)
    sid = str(checkout.session_id)
    sb.charge_checkout(sid)
    seen: list[str] = []

    def sleep(seconds: float) -> None:
        if len(seen) == 3:
            sb.finish_checkout_credit(sid)  # INVO credits the coins while we wait

    assert checkout.session_token is not None
    result = invo.wait_for_purchase(session_id=sid, session_token=checkout.session_token,
                                    interval=0, sleep=sleep,
                                    on_update=lambda r: seen.append(r.status))
    assert seen == ["paid_pending_credit"] * 3 + ["credited"] and result.is_credited


@pytest.mark.parametrize("reason", ["MINT_CEILING", "UNKNOWN_RAIL", "NO_PEG_BASIS"])
def test_a_refused_credit_after_a_charge(sb: Sandbox, invo: InvoServer, reason: str) -> None:
    checkout = new_checkout(invo)
    sb.charge_checkout(str(checkout.session_id))
    sb.refuse_checkout_credit(str(checkout.session_id), reason)
    status = read(invo, checkout)
    assert (status.status, status.terminal) == ("refused", True)
    assert status.reason_code == f"CREDIT_REFUSED_{reason}"
    assert not status.nothing_was_charged and status.message
    assert sb.balance(ADA) == Decimal("100")


def test_refunded_and_chargeback_lost(sb: Sandbox, invo: InvoServer) -> None:
    refunded, lost = new_checkout(invo, "5.00"), new_checkout(invo, "4.00")
    for checkout in (refunded, lost):
        sb.pay_checkout(str(checkout.session_id))
    assert sb.balance(ADA) == Decimal("190")
    sb.refund_checkout(str(refunded.session_id))
    sb.refund_checkout(str(lost.session_id), "CHARGEBACK_LOST")
    for checkout, reason in ((refunded, "REFUNDED"), (lost, "CHARGEBACK_LOST")):
        status = read(invo, checkout)
        assert (status.status, status.reason_code, status.terminal) == (
            "refunded", reason, True)
        assert status.is_refunded and not status.nothing_was_charged
        assert status.coins_credited is None and status.transaction_id is None
    assert sb.balance(ADA) == Decimal("100")
    (refund,) = sb.events_of("purchase.refunded")
    assert refund["data"]["currency_debited"] == "50.00"
    (dispute,) = sb.events_of("purchase.disputed")
    assert dispute["data"]["dispute_status"] == "lost"
    for event in (refund, dispute):
        WebhookEvent.from_payload(event).payload()  # the typed views accept them


def test_the_status_answers_every_state_with_the_same_keys(sb: Sandbox, invo: InvoServer) -> None:
    checkout = new_checkout(invo)
    keys = set(read(invo, checkout).raw)
    sb.pay_checkout(str(checkout.session_id))
    assert set(read(invo, checkout).raw) == keys
    assert {"status", "terminal", "order_id", "coins_credited", "transaction_id",
            "new_balance", "reason_code", "message", "amount_charged_usd", "listed_usd",
            "currency_name", "session_id"} <= keys
