"""The reader rules of PurchaseStatusResult and CurrencyPurchaseQuote (api-current §4.3)."""

from __future__ import annotations

from typing import Any

import pytest

from invonetwork import (
    CurrencyPurchaseQuote,
    CurrencyPurchaseQuoteBreakdown,
    InvoError,
    MinPurchaseWarning,
    PurchaseStatusResult,
    UnacknowledgedPurchaseOutcome,
)


def status(body: dict[str, Any]) -> PurchaseStatusResult:
    return PurchaseStatusResult.from_body(body)


# -- PurchaseStatusResult ---------------------------------------------------------------------


@pytest.mark.parametrize(("sent", "read"), [
    (None, ""), ("", ""), (0, ""), (False, ""), ([], ""), ("credited", "credited"),
    (7, "7"), (True, "True"),
])
def test_status_word_any_falsy_is_empty(sent: Any, read: str) -> None:
    body = {} if sent is None else {"status": sent}
    assert status(body).status == read


@pytest.mark.parametrize(("sent", "read"), [(True, True), ("true", False), (1, False),
                                            (None, False), (False, False)])
def test_terminal_only_for_json_true(sent: Any, read: bool) -> None:
    assert status({"terminal": sent}).terminal is read


def test_optional_texts_are_none_when_missing_and_str_otherwise() -> None:
    names = ["order_id", "coins_credited", "transaction_id", "new_balance", "reason_code",
             "message", "amount_charged_usd", "listed_usd", "currency_name"]
    empty = status({name: None for name in names})
    assert all(getattr(empty, name) is None for name in names)
    full = status({name: 12 for name in names})
    assert all(getattr(full, name) == "12" for name in names)
    assert status({"new_balance": "5.00"}).new_balance == "5.00"


def test_session_id_is_the_body_value_when_truthy() -> None:
    assert status({"session_id": "cs_9"}).session_id == "cs_9"
    assert status({"session_id": 42}).session_id == "42"
    assert status({"session_id": ""}).session_id == ""  # the call fills in the asked id


def test_receipt_pair() -> None:
    both = status({"receipt_number": "IR-2026-00000001", "receipt_url": "https://r/1"})
    assert (both.receipt_number, both.receipt_url) == ("IR-2026-00000001", "https://r/1")
    orphan = status({"receipt_url": "https://r/1"})
    assert orphan.receipt_number is None and orphan.receipt_url is None
    blank = status({"receipt_number": "", "receipt_url": "https://r/1"})
    assert blank.receipt_number is None and blank.receipt_url is None
    assert status({"receipt_number": "IR-1", "receipt_url": ""}).receipt_url is None


@pytest.mark.parametrize("word", ["credited", "refused", "refunded", "expired"])
def test_status_properties(word: str) -> None:
    result = status({"status": word})
    flags = {"credited": result.is_credited, "refused": result.is_refused,
             "refunded": result.is_refunded, "expired": result.is_expired}
    assert flags == {name: name == word for name in flags}
    assert not status({"status": word.upper()}).is_credited


@pytest.mark.parametrize(("body", "nothing"), [
    ({"status": "expired"}, True),
    ({"status": "expired", "reason_code": "REFUNDED"}, True),
    ({"status": "refused", "reason_code": "PAYMENT_DECLINED"}, True),
    ({"status": "refused", "reason_code": "PAYMENT_CANCELLED"}, True),
    ({"status": "refused", "reason_code": "CREDIT_REFUSED_MINT_CEILING"}, False),
    ({"status": "refused", "reason_code": "SOMETHING_NEW"}, False),
    ({"status": "refused"}, False),
    ({"status": "refunded", "reason_code": "PAYMENT_DECLINED"}, False),
    ({"status": "pending"}, False),
    ({"status": "paid_pending_credit"}, False),
    ({"status": "credited"}, False),
])
def test_nothing_was_charged(body: dict[str, Any], nothing: bool) -> None:
    assert status(body).nothing_was_charged is nothing


def test_status_raw_and_repr() -> None:
    body = {"status": "credited", "terminal": True, "extra": {"a": 1}}
    result = status(body)
    assert result.raw == body
    assert "extra" not in repr(result)


# -- CurrencyPurchaseQuote --------------------------------------------------------------------


def quote(body: dict[str, Any]) -> CurrencyPurchaseQuote:
    return CurrencyPurchaseQuote.from_body({"total_usd": "10.00", **body})


@pytest.mark.parametrize("total", [None, ""])
def test_total_is_required(total: Any) -> None:
    body = {} if total is None else {"total_usd": total}
    with pytest.raises(InvoError) as info:
        CurrencyPurchaseQuote.from_body(body)
    assert info.value.code == "INVALID_RESPONSE" and info.value.status == 0
    assert info.value.body == body


def test_total_as_sent_or_str() -> None:
    assert quote({"total_usd": 10.5}).total_usd == "10.5"
    assert quote({}).total_usd == "10.00"


@pytest.mark.parametrize(("sent", "read"), [(1000, 1000), (True, 0), (10.0, 0), ("1000", 0),
                                            (None, 0)])
def test_amount_cents_only_a_json_integer(sent: Any, read: int) -> None:
    assert quote({"amount_cents": sent}).amount_cents == read


def test_processing_fee_top_level_else_the_breakdowns() -> None:
    assert quote({"processing_fee_usd": "0.30",
                  "breakdown": {"processing_fee_usd": "0.99"}}).processing_fee_usd == "0.30"
    assert quote({"breakdown": {"processing_fee_usd": "0.99"}}).processing_fee_usd == "0.99"
    assert quote({"processing_fee_usd": None,
                  "breakdown": {"processing_fee_usd": 1}}).processing_fee_usd == "1"
    assert quote({}).processing_fee_usd == ""


@pytest.mark.parametrize("name", ["partner_fee_usd", "international_card_fee_usd"])
def test_optional_fees_top_level_else_the_breakdowns(name: str) -> None:
    assert getattr(quote({name: "0.50", "breakdown": {name: "9"}}), name) == "0.50"
    assert getattr(quote({"breakdown": {name: "0.45"}}), name) == "0.45"
    assert getattr(quote({}), name) is None
    assert getattr(quote({"breakdown": "not an object", name: None}), name) is None


def test_plain_texts() -> None:
    got = quote({"subtotal_usd": "10.00", "coins": 100, "currency_name": "Gold"})
    assert (got.subtotal_usd, got.coins, got.currency_name) == ("10.00", "100", "Gold")
    empty = quote({})
    assert (empty.subtotal_usd, empty.coins, empty.currency_name) == ("", "", "")
    assert quote({"fee_taken_from": "partner"}).fee_taken_from == "partner"
    assert empty.fee_taken_from is None


def test_breakdown_fields_and_a_non_object() -> None:
    body = {"subtotal_usd": "10.00", "tax_usd": "0.80", "tax_note": "CA", "processing_fee_usd":
            "0.00", "processing_fee_note": "n", "total_usd": "10.80", "coins": "100",
            "currency_name": "Gold", "tax_treatment": "collected", "tax_rate_pct": 8,
            "tax_jurisdiction": "US-CA"}
    got = quote({"breakdown": body}).breakdown
    assert isinstance(got, CurrencyPurchaseQuoteBreakdown)
    assert (got.tax_usd, got.tax_rate_pct, got.tax_jurisdiction) == ("0.80", "8", "US-CA")
    assert got.raw == body
    for odd in ([1], "x", None):
        empty = quote({"breakdown": odd}).breakdown
        assert empty == CurrencyPurchaseQuoteBreakdown() and empty.raw == {}
        assert empty.tax_treatment is None and empty.tax_usd == ""


def test_if_unacknowledged_reading() -> None:
    assert quote({"if_unacknowledged": "x"}).if_unacknowledged is None
    assert quote({}).if_unacknowledged is None
    got = quote({"if_unacknowledged": {"charge_total_usd": "10.00", "processing_fee_usd": 0,
                                       "coins": "100", "partner_fee_usd": "0.50",
                                       "fee_taken_from": "coins"}}).if_unacknowledged
    assert got == UnacknowledgedPurchaseOutcome("10.00", "0", "100", "0.50", "coins")
    assert not hasattr(got, "raw")


@pytest.mark.parametrize(("body", "taken"), [
    ({"if_unacknowledged": {"partner_fee_usd": "0.50"}}, "partner"),
    ({"if_unacknowledged": {}, "partner_fee_usd": "0.50"}, "partner"),
    ({"if_unacknowledged": {}, "breakdown": {"partner_fee_usd": "0.50"}}, "partner"),
    ({"if_unacknowledged": {"partner_fee_usd": None}}, "coins"),
    ({"if_unacknowledged": {}}, "coins"),
    ({"if_unacknowledged": {"fee_taken_from": "coins"}, "partner_fee_usd": "1"}, "coins"),
])
def test_unacknowledged_fee_taken_from_default(body: dict[str, Any], taken: str) -> None:
    outcome = quote(body).if_unacknowledged
    assert outcome is not None and outcome.fee_taken_from == taken


def test_min_purchase_warning_top_level_key_wins_even_when_not_an_object() -> None:
    warning = {"code": "BELOW_CARD_MINIMUM", "min_usd": "2.99", "enforced_from": "2026-10-27",
               "message": "m", "enforced": False}
    top = quote({"min_purchase_warning": warning}).min_purchase_warning
    assert isinstance(top, MinPurchaseWarning) and top.min_usd == "2.99" and not top.enforced
    nested = quote({"breakdown": {"min_purchase_warning": warning}}).min_purchase_warning
    assert nested is not None and nested.enforced_from == "2026-10-27"
    shadowed = quote({"min_purchase_warning": None,
                      "breakdown": {"min_purchase_warning": warning}})
    assert shadowed.min_purchase_warning is None
    assert quote({}).min_purchase_warning is None
