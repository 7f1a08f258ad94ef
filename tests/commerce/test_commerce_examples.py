"""``examples/platform_commerce.py`` (shown in ``docs/platform-commerce.md``) against the
sandbox."""

from __future__ import annotations

import importlib
import runpy
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from invonetwork import InvoServer, WebhookEvent
from invonetwork.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
shop = importlib.import_module("platform_commerce")
BUYER = {"email": "ada@example.com", "name": "Ada", "balance": "100"}


@pytest.fixture
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=[BUYER], tenant_type="platform") as running:
        yield running


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client() as client:
        yield client


def test_a_balance_sale_sends_the_buyer_to_approve(sb: Sandbox, invo: InvoServer) -> None:
    url = shop.start_balance_sale(invo, cart_id="c-1", email="ada@example.com", name="Ada",
                                  sku="mug", title="Mug", price=Decimal("20"))
    assert url.startswith(sb.base_url + "/platform-commerce/approve/")
    short = shop.start_balance_sale(invo, cart_id="c-2", email="ada@example.com", name="Ada",
                                    sku="tv", title="TV", price=Decimal("900"))
    assert short == "https://shop.example/pay-by-card"


def test_a_card_sale_settles_and_is_refunded_once(sb: Sandbox, invo: InvoServer) -> None:
    sale = shop.start_card_sale(invo, cart_id="c-3", email="ada@example.com", name="Ada",
                                sku="poster", title="Poster", price_usd=Decimal("12.00"))
    order_id = sb.pay_platform_checkout(str(sale.session_id))["order_id"]
    (event,) = sb.events_of("platform_commerce.purchased")
    assert shop.on_commerce_event(WebhookEvent.from_payload(event)) == (
        f"ship 1 x poster (order {order_id})")
    assert shop.refund_order(invo, order_id) == "refunded 12.00 usd"
    assert shop.refund_order(invo, order_id) == "already refunded"


def test_a_partly_refunded_sale_is_refunded_in_full(sb: Sandbox, invo: InvoServer) -> None:
    sale = shop.start_card_sale(invo, cart_id="c-4", email="ada@example.com", name="Ada",
                                sku="poster", title="Poster", price_usd=Decimal("12.00"))
    order_id = sb.pay_platform_checkout(str(sale.session_id))["order_id"]
    sb.refund_platform_order_outside_api(order_id, "2.00")
    assert shop.refund_order(invo, order_id) == "refunded 2.00 usd"  # recorded only
    assert shop.refund_order(invo, order_id) == "refunded 10.00 usd"


def test_a_declined_approval_releases_the_cart(sb: Sandbox, invo: InvoServer) -> None:
    url = shop.start_balance_sale(invo, cart_id="c-5", email="ada@example.com", name="Ada",
                                  sku="mug", title="Mug", price=Decimal("20"))
    sb.decline_platform_purchase(url.rsplit("/", 1)[-1])
    (event,) = sb.events_of("platform_commerce.declined")
    assert shop.on_commerce_event(WebhookEvent.from_payload(event)) == (
        "release cart c-5: declined")


def test_the_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "platform_commerce.py"), run_name="__main__")
    assert capsys.readouterr().out.splitlines()[-1] == "refunded 12.00 usd"
