"""The sandbox's card pricing (api-current §5, "Card pricing"): quotes whose fees are the
purchase's, the acknowledgement, card limits, the purchase result's fee fields (C14) and the
dropped ``_invo_`` metadata keys (C16). One test per emulated rule, over real HTTP."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest

from invonetwork import InvoServer
from invonetwork.errors import BadRequestError, ConflictError
from invonetwork.sandbox import Sandbox
from invonetwork.webhooks import WebhookEvent

ADA = "ada@example.com"
_refs = itertools.count()


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": ADA, "balance": "0"}]) as sandbox:
        yield sandbox


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(retry_base_delay=0.01, timeout=10) as client:
        yield client


def buy(invo: InvoServer, usd: str, **extra: Any) -> Any:
    extra.setdefault("purchase_reference", f"ref-{next(_refs)}")
    return invo.purchase_currency(player_email=ADA, usd_amount=usd, **extra)


@pytest.mark.parametrize("usd", ["0.50", "2.99", "5.00", "9.99", "19.95", "123.45", "999.99"])
def test_a_quotes_fees_are_exactly_what_the_purchase_books(invo: InvoServer, usd: str) -> None:
    quote = invo.quote_currency_purchase(usd_amount=usd, country="US", subdivision="CA")
    bought = buy(invo, usd, acknowledged_total_usd=quote.total_usd,
                 payment_method_id="pm_card_visa")
    assert bought.status == "success"
    assert bought.charge_total_usd == quote.total_usd == usd
    assert bought.partner_fee_usd == quote.partner_fee_usd
    assert bought.processing_fee_usd == quote.processing_fee_usd == "0.00"
    assert bought.coins_credited == quote.coins
    assert bought.fee_taken_from == quote.fee_taken_from == "partner"
    expected_fee = (Decimal(usd) * Decimal("0.035") + Decimal("0.15")).quantize(
        Decimal("0.01"), ROUND_HALF_UP)  # half a cent rounds up
    assert Decimal(str(quote.partner_fee_usd)) == expected_fee


def test_the_quote_shape_of_an_open_partner(invo: InvoServer) -> None:
    quote = invo.quote_currency_purchase(usd_amount="10.00", player_email=ADA)
    assert (quote.total_usd, quote.amount_cents, quote.subtotal_usd) == ("10.00", 1000, "10.00")
    assert (quote.coins, quote.currency_name) == ("100.00", "Gold Coins")
    assert quote.international_card_fee_usd is None  # unknown until the card is
    b = quote.breakdown
    assert (b.tax_usd, b.tax_treatment, b.total_usd) == ("0.00", "partner_responsible", "10.00")
    assert quote.if_unacknowledged is not None
    assert quote.if_unacknowledged.charge_total_usd == "10.00"  # = usd_amount
    assert quote.if_unacknowledged.fee_taken_from == "partner"
    assert quote.min_purchase_warning is None


def test_a_bad_country_is_never_refused(invo: InvoServer) -> None:
    assert invo.quote_currency_purchase(usd_amount="5", country="Narnia",
                                        subdivision="??").total_usd == "5.00"


def test_the_international_card_fee_is_booked_on_a_non_us_card(invo: InvoServer) -> None:
    us = buy(invo, "20.00", payment_method_id="pm_card_visa")
    abroad = buy(invo, "20.00", payment_method_id="pm_card_intl_visa")
    assert us.international_card_fee_usd == "0.00"
    assert abroad.international_card_fee_usd == "0.30"  # 1.5 % of the listed price
    assert abroad.charge_total_usd == "20.00"  # borne by the partner, not the buyer


def test_fee_fields_only_on_a_booked_success(invo: InvoServer) -> None:
    waiting = buy(invo, "5.00", payment_method_id="pm_card_3ds")
    assert waiting.status == "requires_action"
    assert (waiting.partner_fee_usd, waiting.charge_total_usd, waiting.coins_credited) == (
        None, None, None)
    done = invo.confirm_payment(payment_intent_id=str(waiting.payment_intent_id))
    assert done.status == "success" and done.credited is True
    assert done.raw["partner_fee_usd"] == "0.33" and done.raw["already_processed"] is False
    again = invo.confirm_payment(payment_intent_id=str(waiting.payment_intent_id))
    assert again.raw["already_processed"] is True and again.new_balance == done.new_balance
    assert buy(invo, "5.00", rail="game").international_card_fee_usd is None


def test_without_acknowledgement_the_usd_amount_is_charged(invo: InvoServer) -> None:
    bought = buy(invo, "7.00")
    assert bought.charge_total_usd == "7.00" and bought.new_balance == "70.00"


def test_an_acknowledgement_above_the_total_charges_the_true_total(invo: InvoServer) -> None:
    bought = buy(invo, "7.00", acknowledged_total_usd="8.00")
    assert bought.charge_total_usd == "7.00"


def test_an_acknowledgement_below_the_total_is_quote_stale(sb: Sandbox, invo: InvoServer) -> None:
    with pytest.raises(ConflictError) as info:
        buy(invo, "7.00", acknowledged_total_usd="6.99", purchase_reference="stale-1")
    err = info.value
    assert err.is_quote_stale
    assert (err.expected_total_usd, err.acknowledged_total_usd) == ("7.00", "6.99")
    assert sb.balance(ADA) == Decimal("0") and not sb.events_of("purchase.completed")
    # the reference stays tied to the failed order: the same request answers the same
    with pytest.raises(ConflictError) as again:
        buy(invo, "7.00", acknowledged_total_usd="6.99", purchase_reference="stale-1")
    assert again.value.is_quote_stale
    assert sb.balance(ADA) == Decimal("0")


def test_below_fifty_cents_is_always_refused(invo: InvoServer) -> None:
    for attempt in (lambda: buy(invo, "0.49"),
                    lambda: invo.create_checkout(player_email=ADA, usd_amount="0.49")):
        with pytest.raises(BadRequestError) as info:
            attempt()
        err = info.value
        assert err.is_below_card_minimum and err.min_usd == "0.50" and err.enforced_from is None


def test_above_the_card_maximum(invo: InvoServer) -> None:
    assert buy(invo, "100000.00").status == "success"
    for attempt in (lambda: buy(invo, "100000.01"),
                    lambda: invo.create_checkout(player_email=ADA, usd_amount="100000.01")):
        with pytest.raises(BadRequestError) as info:
            attempt()
        assert info.value.is_above_card_maximum and "100000.00" in info.value.message


def test_under_the_minimum_goes_through_with_a_warning_until_enforced(
    sb: Sandbox, invo: InvoServer
) -> None:
    bought = buy(invo, "1.00")
    warning = bought.min_purchase_warning
    assert bought.status == "success" and warning is not None
    assert (warning.min_usd, warning.enforced_from, warning.enforced) == (
        "2.99", "2026-10-27", False)
    checkout = invo.create_checkout(player_email=ADA, usd_amount="2.98")
    assert checkout.min_purchase_warning is not None
    assert checkout.min_purchase_warning.min_usd == "2.99"
    assert buy(invo, "2.99").min_purchase_warning is None


def test_the_minimum_refuses_from_its_enforcement_date(sb: Sandbox, invo: InvoServer) -> None:
    sb.configure_card_pricing(enforce_minimum=True, enforced_from="2000-01-01")
    for attempt in (lambda: buy(invo, "2.98"),
                    lambda: invo.create_checkout(player_email=ADA, usd_amount="2.98")):
        with pytest.raises(BadRequestError) as info:
            attempt()
        err = info.value
        assert err.is_below_card_minimum
        assert (err.min_usd, err.enforced_from) == ("2.99", "2000-01-01")
    quote = invo.quote_currency_purchase(usd_amount="2.98")  # a quote is never refused
    assert quote.min_purchase_warning is not None and quote.min_purchase_warning.enforced
    sb.configure_card_pricing(enforced_from="2999-01-01")  # announced, not yet in force
    assert buy(invo, "2.98").min_purchase_warning is not None


def test_card_limits_can_be_moved(sb: Sandbox, invo: InvoServer) -> None:
    sb.configure_card_pricing(minimum_usd="5.00", maximum_usd="50.00")
    assert buy(invo, "4.99").min_purchase_warning is not None
    with pytest.raises(BadRequestError):
        buy(invo, "50.01")
    sb.reset()
    assert buy(invo, "50.01").status == "success"


def test_steam_checkouts_skip_the_card_limits(invo: InvoServer) -> None:
    assert invo.create_checkout(player_email=ADA, usd_amount="0.10", rail="steam").session_id


def test_invo_reserved_metadata_keys_are_dropped(sb: Sandbox, invo: InvoServer) -> None:
    bought = buy(invo, "5.00", metadata={"sku": "gold", "_invo_source": "x", "_invo_": 1,
                                         "invo_kept": True})
    (event,) = sb.events_of("purchase.completed")
    assert event["data"]["metadata"] == {"sku": "gold", "invo_kept": True}
    order = invo.get_order_details(order_id=str(bought.order_id))
    assert "_invo_source" not in str(order.raw)


def test_purchase_completed_carries_the_card_fields(sb: Sandbox, invo: InvoServer) -> None:
    buy(invo, "10.00", payment_method_id="pm_card_intl")
    checkout = invo.create_checkout(player_email=ADA, usd_amount="4.00")
    sb.pay_checkout(str(checkout.session_id))
    direct, hosted = sb.events_of("purchase.completed")
    assert direct["data"]["partner_fee_usd"] == "0.50"
    assert direct["data"]["international_card_fee_usd"] == "0.15"
    assert hosted["data"]["partner_fee_usd"] == "0.29"
    assert hosted["data"]["international_card_fee_usd"] == "0.00"
    for event in (direct, hosted):
        assert event["data"]["tax_treatment"] == "partner_responsible"
        assert event["data"]["channel"] is None
        typed = WebhookEvent.from_payload(event).payload()
        assert typed.partner_fee_usd is not None  # type: ignore[union-attr]


def test_quote_and_purchase_agree_for_any_amount() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    cents = st.integers(min_value=50, max_value=10_000_000)  # 0.50 .. 100000.00
    with Sandbox() as sb, sb.client(max_retries=0) as invo:

        @settings(max_examples=40, deadline=None)
        @given(cents, st.booleans())
        def agree(amount: int, abroad: bool) -> None:
            usd = f"{amount // 100}.{amount % 100:02d}"
            quote = invo.quote_currency_purchase(usd_amount=usd)
            bought = buy(invo, usd, acknowledged_total_usd=quote.total_usd,
                         payment_method_id="pm_card_intl" if abroad else "pm_card")
            assert (bought.charge_total_usd, bought.partner_fee_usd, bought.coins_credited) == (
                quote.total_usd, quote.partner_fee_usd, quote.coins)
            expected_intl = (Decimal(usd) * Decimal("0.015")).quantize(
                Decimal("0.01"), ROUND_HALF_UP) if abroad else Decimal("0")
            assert Decimal(str(bought.international_card_fee_usd)) == expected_intl

        agree()
