"""The purchase rows of api-current §3: C9 (the USD shape rule of create_checkout), C11 and
C15 (the errors INVO answers create_checkout / purchase_currency with), each mapped to its
exception class and classifier."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Callable

import pytest
import responses

from invonetwork import InvoServer
from invonetwork.errors import (
    BadRequestError,
    ConflictError,
    InvalidInputError,
    InvoError,
    PermissionDeniedError,
    RateLimitError,
)

SANDBOX = "https://sandbox.invo.network/sandbox"
CHECKOUT = f"{SANDBOX}/api/checkout/sessions"
PURCHASE = f"{SANDBOX}/api/currency-purchases/purchase-currency"


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    with InvoServer("ivsdk_test_rows", SANDBOX, retry_base_delay=0) as client:
        yield client


def checkout(invo: InvoServer) -> Any:
    return invo.create_checkout(player_email="p@example.com", usd_amount="5.00")


def purchase(invo: InvoServer) -> Any:
    return invo.purchase_currency(player_email="p@example.com", usd_amount="5.00",
                                  purchase_reference="ref-1", acknowledged_total_usd="5.00")


# -- C9: the structural maximum, no local minimum ---------------------------------------------


@pytest.mark.parametrize("amount", ["999999.99", "0.01", "1000.00", 999999.99, 1])
def test_c9_create_checkout_shape_rule_lets_card_limits_to_invo(
    invo: InvoServer, rsps: responses.RequestsMock, amount: Any
) -> None:
    rsps.post(CHECKOUT, json={"checkout_url": "https://pay/x"})
    invo.create_checkout(player_email="p@example.com", usd_amount=amount)
    assert len(rsps.calls) == 1


@pytest.mark.parametrize("amount", ["1000000.00", "0", "0.001", -1])
def test_c9_outside_the_shape_is_refused_before_the_network(
    invo: InvoServer, rsps: responses.RequestsMock, amount: Any
) -> None:
    with pytest.raises(InvalidInputError):
        invo.create_checkout(player_email="p@example.com", usd_amount=amount)
    assert len(rsps.calls) == 0


# -- C11 (create_checkout) and C15 (purchase_currency) ----------------------------------------

Row = tuple[int, dict[str, Any], type, Callable[[InvoError], bool]]
SHARED_ROWS: list[Row] = [
    (400, {"code": "BELOW_CARD_MINIMUM", "min_usd": 2.99, "enforced_from": "2026-10-27"},
     BadRequestError, lambda e: e.is_below_card_minimum and e.min_usd == "2.99"
     and e.enforced_from == "2026-10-27"),
    (400, {"code": "BELOW_STRIPE_MINIMUM", "error_code_public": "BELOW_CARD_MINIMUM",
           "min_usd": "0.50"},
     BadRequestError, lambda e: e.is_below_card_minimum and e.code == "BELOW_CARD_MINIMUM"
     and e.raw_code == "BELOW_STRIPE_MINIMUM" and e.min_usd == "0.50"),
    (400, {"code": "ABOVE_CARD_MAXIMUM", "error": "over 100000.00"},
     BadRequestError, lambda e: e.is_above_card_maximum and "100000.00" in e.message),
    (400, {"code": "RAIL_CHANNEL_MISMATCH", "channel": "steam", "rail": "platform"},
     BadRequestError, lambda e: e.is_rail_channel_mismatch and e.body["channel"] == "steam"),
    (403, {"code": "PAYMENTS_PAUSED"}, PermissionDeniedError, lambda e: e.is_payments_paused),
    (409, {"code": "STEAM_PURCHASE_LAYER_REQUIRED"}, ConflictError,
     lambda e: e.is_steam_purchase_layer_required),
]
PURCHASE_ROWS: list[Row] = [
    (409, {"code": "QUOTE_STALE", "expected_total_usd": "5.41",
           "acknowledged_total_usd": "5.00"},
     ConflictError, lambda e: e.is_quote_stale and e.expected_total_usd == "5.41"
     and e.acknowledged_total_usd == "5.00"),
    (409, {"code": "TAX_PLACE_UNAVAILABLE", "untaxed_total_usd": 5,
           "acknowledged_total_usd": "5.40", "retryable": True},
     ConflictError, lambda e: e.is_tax_place_unavailable and e.untaxed_total_usd == "5"
     and e.acknowledged_total_usd == "5.40"),
    (429, {"code": "RATE_LIMITED", "retry_after": 30},
     RateLimitError, lambda e: e.is_rate_limited and e.retry_after == 30.0),
]


def _rows(rows: list[Row]) -> list[Any]:
    return [pytest.param(*row, id=str(row[1].get("error_code_public", row[1]["code"])))
            for row in rows]


@pytest.mark.parametrize(("status", "body", "cls", "check"), _rows(SHARED_ROWS))
def test_c11_create_checkout_errors(invo: InvoServer, rsps: responses.RequestsMock,
                                    status: int, body: dict[str, Any], cls: type,
                                    check: Callable[[InvoError], bool]) -> None:
    rsps.post(CHECKOUT, json=body, status=status)
    with pytest.raises(cls) as info:
        checkout(invo)
    assert check(info.value) and info.value.status == status
    assert len(rsps.calls) == 1  # create_checkout is never retried


@pytest.mark.parametrize(("status", "body", "cls", "check"),
                         _rows(SHARED_ROWS + PURCHASE_ROWS))
def test_c15_purchase_currency_errors(invo: InvoServer, rsps: responses.RequestsMock,
                                      status: int, body: dict[str, Any], cls: type,
                                      check: Callable[[InvoError], bool]) -> None:
    rsps.post(PURCHASE, json=body, status=status)
    with pytest.raises(cls) as info:
        purchase(invo)
    assert check(info.value) and info.value.status == status
    # 4xx: sent once; a 429 is retried only when its wait is short (30 s is not waited out)
    assert len(rsps.calls) == 1


def test_c15_amount_below_fee_is_deprecated_but_still_classified() -> None:
    err = InvoError("x", code="AMOUNT_BELOW_FEE", status=400)
    assert err.is_amount_below_fee and not err.is_below_card_minimum


def test_c15_velocity_429_with_a_short_wait_is_retried(invo: InvoServer,
                                                       rsps: responses.RequestsMock) -> None:
    rsps.post(PURCHASE, json={"code": "RATE_LIMITED", "retry_after": 0}, status=429)
    rsps.post(PURCHASE, json={"status": "success", "transaction_id": "t", "order_id": "o"})
    assert purchase(invo).status == "success" and len(rsps.calls) == 2
