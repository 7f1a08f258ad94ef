"""The current API's new fields on existing results (issue 13, section 3): the JSON -> result
mapping, missing and odd values, and one read over the recording server on 127.0.0.1."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from invonetwork import (
    CheckoutWarning,
    ConfirmPaymentResult,
    CreateCheckoutResult,
    DestinationGame,
    InitiateResult,
    InvoServer,
    MinPurchaseWarning,
    OrderDetailsResult,
    PlayerToken,
    PurchaseResult,
    TransactionStatusResult,
)

from .recorder import Recorder
from .support import EMAIL, SEND_ARGS


@pytest.mark.parametrize("body,created,mismatch", [
    ({"token": "t", "created": True, "phone_mismatch": True}, True, True),
    ({"token": "t"}, False, False),
    ({"token": "t", "created": "true", "phone_mismatch": 1}, False, False),
])
def test_player_token_created_and_phone_mismatch(body: Dict[str, Any], created: bool,
                                                 mismatch: bool) -> None:
    token = PlayerToken.from_body(body)
    assert (token.created, token.phone_mismatch) == (created, mismatch)


def test_initiate_result_new_fields() -> None:
    full = InitiateResult.from_body({
        "transaction_id": "t1", "identity_rekeyed": True, "player_token": "ivpt_x",
        "player_token_expires_at": "2026-12-01T10:00:00Z", "identity_id": "idn_1",
        "claim_delivery_planned": "email"})
    assert full.identity_rekeyed is True and full.player_token == "ivpt_x"
    assert full.player_token_expires_at == "2026-12-01T10:00:00Z"
    assert (full.identity_id, full.claim_delivery_planned) == ("idn_1", "email")
    assert "ivpt_x" not in repr(full)
    empty = InitiateResult.from_body({"identity_rekeyed": "yes", "player_token": "",
                                      "player_token_expires_at": "2026-12-01T10:00:00Z",
                                      "identity_id": 5, "claim_delivery_planned": ""})
    assert empty.identity_rekeyed is False and empty.player_token is None
    assert empty.player_token_expires_at is None  # only beside a token
    assert empty.identity_id is None and empty.claim_delivery_planned is None
    odd = InitiateResult.from_body({"player_token": "t", "player_token_expires_at": 17,
                                    "claim_delivery_planned": "carrier-pigeon"})
    assert odd.player_token_expires_at is None and odd.claim_delivery_planned == "carrier-pigeon"


def test_purchase_result_fee_fields_and_receipt_pair() -> None:
    body = {"status": "success", "processing_fee_usd": "0.00", "fee_taken_from": "partner",
            "coins_credited": 100, "charge_total_usd": "10.80", "partner_fee_usd": "0.65",
            "international_card_fee_usd": None, "receipt_number": "IR-2026-00000001",
            "receipt_url": "https://invo.example/r/1"}
    result = PurchaseResult.from_body(body)
    assert (result.processing_fee_usd, result.fee_taken_from, result.coins_credited,
            result.charge_total_usd, result.partner_fee_usd,
            result.international_card_fee_usd) == ("0.00", "partner", "100", "10.80", "0.65",
                                                   None)
    assert result.receipt_number == "IR-2026-00000001"
    assert result.receipt_url == "https://invo.example/r/1"
    bare = PurchaseResult.from_body({"status": "success",
                                     "receipt_url": "https://invo.example/r/1"})
    assert bare.receipt_number is None and bare.receipt_url is None
    assert bare.processing_fee_usd is None and bare.charge_total_usd is None


@pytest.mark.parametrize("body,credited,reason", [
    ({"status": "success", "credited": True, "reason_code": "X"}, True, None),
    ({"status": "success", "credited": False, "reason_code": "REFUNDED"}, False, "REFUNDED"),
    ({"status": "success", "credited": False, "reason_code": None}, False, None),
    ({"status": "success", "credited": False}, False, None),
    ({"status": "success", "credited": "false", "reason_code": "REFUNDED"}, None, None),
    ({"status": "success"}, None, None),
])
def test_confirm_payment_credited_and_reason_code(body: Dict[str, Any], credited: Any,
                                                  reason: Any) -> None:
    result = ConfirmPaymentResult.from_body(body)
    assert (result.credited, result.reason_code) == (credited, reason)


@pytest.mark.parametrize("body,number,url", [
    ({"receipt_number": "IR-2026-00000002", "receipt_url": "https://x.example/2"},
     "IR-2026-00000002", "https://x.example/2"),
    ({"receipt_number": "", "receipt_url": "https://x.example/2"}, None, None),
    ({"receipt_number": "IRS-1", "receipt_url": ""}, "IRS-1", None),
    ({}, None, None),
])
def test_order_details_receipt_pair(body: Dict[str, Any], number: Any, url: Any) -> None:
    result = OrderDetailsResult.from_body(body)
    assert (result.receipt_number, result.receipt_url) == (number, url)


@pytest.mark.parametrize("value,expected", [("claim_expired", "claim_expired"),
                                            ("something_new", "something_new"),
                                            ("", None), (None, None), (3, None)])
def test_status_expiry_reason(value: Any, expected: Any) -> None:
    assert TransactionStatusResult.from_body({"expiry_reason": value}).expiry_reason == expected


@pytest.mark.parametrize("value,expected", [(True, True), (False, False), ("true", False),
                                            (None, False)])
def test_destination_accepts_steam_origin_value(value: Any, expected: bool) -> None:
    game = DestinationGame.from_body({"game_id": 1, "accepts_steam_origin_value": value})
    assert game.accepts_steam_origin_value is expected


def test_new_fields_read_over_http(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t", "created": True, "phone_mismatch": False})
    srv.reply(200, {"transaction_id": "t1", "identity_rekeyed": True, "player_token": "p",
                    "player_token_expires_at": "e", "claim_delivery_planned": "none"})
    token = invo.mint_player_token(player_email=EMAIL, player_phone="+15555550100")
    assert token.created is True and token.phone_mismatch is False
    move = invo.initiate_send(**SEND_ARGS)
    assert move.identity_rekeyed and move.player_token == "p"
    assert move.player_token_expires_at == "e" and move.claim_delivery_planned == "none"


URL = "https://invo.example/checkout/cs_1?session=tok_from_url"


@pytest.mark.parametrize("value,expected", [(900, 900), (900.7, 900), (True, 0), ("900", 0),
                                            (None, 0), (float("nan"), 0)])
def test_checkout_expires_in_seconds(value: Any, expected: int) -> None:
    result = CreateCheckoutResult.from_body({"checkout_url": URL, "expires_in_seconds": value})
    assert result.expires_in_seconds == expected and type(result.expires_in_seconds) is int


@pytest.mark.parametrize("body,expected", [
    ({"checkout_url": URL, "session_token": "tok_body"}, "tok_body"),
    ({"checkout_url": URL, "session_token": "  "}, "tok_from_url"),
    ({"checkout_url": URL}, "tok_from_url"),
    ({"checkout_url": "https://x.example/c?session=&session=%20&session=second"}, "second"),
    ({"checkout_url": "https://x.example/c?other=1"}, None),
    ({"checkout_url": "http://[::1/c?session=t"}, None),  # does not parse
])
def test_checkout_session_token(body: Dict[str, Any], expected: Any) -> None:
    result = CreateCheckoutResult.from_body(body)
    assert result.session_token == expected
    if expected == "tok_body":  # the field is kept out of repr (the URL shows what it holds)
        assert expected not in repr(result)


def test_checkout_warnings_and_min_purchase_warning() -> None:
    result = CreateCheckoutResult.from_body({
        "checkout_url": URL,
        "warnings": [{"code": "ITEM_METADATA_ON_CURRENCY_SESSION", "message": "m",
                      "fields": ["item_id", 3, "item_name"]}, "not an object",
                     {"fields": "item_id"}],
        "min_purchase_warning": {"code": "BELOW_CARD_MINIMUM", "min_usd": "2.99",
                                 "enforced_from": "2026-10-27", "message": "",
                                 "enforced": False}})
    assert result.warnings == [
        CheckoutWarning("ITEM_METADATA_ON_CURRENCY_SESSION", "m", ["item_id", "item_name"]),
        CheckoutWarning("", "", [])]
    warning = result.min_purchase_warning
    assert isinstance(warning, MinPurchaseWarning)
    assert (warning.code, warning.min_usd, warning.enforced_from, warning.message,
            warning.enforced) == ("BELOW_CARD_MINIMUM", "2.99", "2026-10-27", None, False)
    assert warning.raw["min_usd"] == "2.99"
    plain = CreateCheckoutResult.from_body({"checkout_url": URL, "warnings": {"a": 1},
                                            "min_purchase_warning": "soon"})
    assert plain.warnings == [] and plain.min_purchase_warning is None


def test_purchase_result_min_purchase_warning() -> None:
    result = PurchaseResult.from_body({"status": "success",
                                       "min_purchase_warning": {"min_usd": 2.99}})
    assert result.min_purchase_warning is not None
    assert result.min_purchase_warning.min_usd == "2.99"
    assert PurchaseResult.from_body({"status": "success"}).min_purchase_warning is None


def test_checkout_fields_read_over_http(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"session_id": "cs_1", "checkout_url": URL, "expires_in_seconds": 900,
                    "warnings": [{"code": "W", "message": "w", "fields": ["item_id"]}]})
    result = invo.create_checkout(player_email=EMAIL, usd_amount="5")
    assert result.expires_in_seconds == 900 and result.session_token == "tok_from_url"
    assert result.warnings == [CheckoutWarning("W", "w", ["item_id"])]
    assert result.min_purchase_warning is None
