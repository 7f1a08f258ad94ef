"""Testing an INVO integration: pytest recipes to copy into your own test suite.

Each ``test_*`` function below is a real pytest test of code in ``examples/``, the way your
tests would test your code. ``tests/examples/test_testing_recipes.py`` imports them so they
run with this project's suite, and ``docs/testing.md`` includes them piece by piece.
"""

from __future__ import annotations

import json
from decimal import Decimal
from unittest.mock import create_autospec

import pytest
import responses
from flask_app import create_app
from invo_store_game import Fulfilment
from item_purchase import Outcome, try_to_buy

from invonetwork import InsufficientBalanceError, InvoServer, verify_webhook
from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.testing import build_webhook_delivery

ADA = {"email": "ada@example.com", "name": "Ada", "balance": "500"}


def buy_swords(invo: InvoServer, quantity: int, request_id: str) -> Outcome:
    """The code under test: Ada buys swords at 150.00 each (see examples/item_purchase.py)."""
    return try_to_buy(invo, player_email="ada@example.com", player_name="Ada",
                      item_id="sword_001", item_name="Flaming Sword",
                      unit_price=Decimal("150.00"), quantity=quantity, request_id=request_id)


# --8<-- [start:fixture]
@pytest.mark.invo_sandbox(players=[ADA])  # keyword arguments of Sandbox(...)
def test_buying_an_item(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    """``invo_client`` talks to a fresh local sandbox (``invo_sandbox``) for this test."""
    outcome = buy_swords(invo_client, 2, "req-1")

    assert outcome.status == "bought"
    assert invo_sandbox.balance("ada@example.com") == Decimal("200.00")
    assert len(invo_sandbox.events_of("item.purchased")) == 1
# --8<-- [end:fixture]


# --8<-- [start:state]
@pytest.mark.invo_sandbox(players=[{**ADA, "balance": "100"}])
def test_running_short(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    """The sandbox keeps real balances, so business rules behave as in production."""
    outcome = buy_swords(invo_client, 1, "req-2")

    assert outcome.status == "short"
    assert (outcome.required, outcome.current) == ("150.00", "100.00")
    assert invo_sandbox.balance("ada@example.com") == Decimal("100.00")  # nothing debited
# --8<-- [end:state]


# --8<-- [start:faults]
@pytest.mark.invo_sandbox(players=[ADA])
def test_throttled_after_retries(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    """Inject failures: here three 429s, one more than ``invo_client``'s two retries."""
    invo_sandbox.throttle_next(3, retry_after=0, path="/api/item-purchases/purchase-item")

    outcome = buy_swords(invo_client, 1, "req-3")

    assert outcome.status == "busy"
    assert invo_sandbox.request_count("/api/item-purchases/purchase-item") == 3
# --8<-- [end:faults]


# --8<-- [start:context-manager]
def test_without_the_fixture() -> None:
    """``Sandbox`` is also a context manager: for unittest, scripts and notebooks."""
    with Sandbox(players=[ADA]) as sandbox:
        invo = sandbox.client()
        buy_swords(invo, 1, "req-4")
        assert sandbox.balance("ada@example.com") == Decimal("350.00")
# --8<-- [end:context-manager]


# --8<-- [start:webhooks-e2e]
@pytest.mark.invo_sandbox(players=[ADA])
def test_the_sandbox_signs_its_webhooks(
    invo_client: InvoServer, invo_sandbox: Sandbox, invo_webhook_receiver: WebhookReceiver
) -> None:
    """``invo_webhook_receiver`` records what the sandbox delivers, signed like INVO does."""
    buy_swords(invo_client, 1, "req-5")

    invo_sandbox.wait_for_webhook("item.purchased")
    [delivery] = [r for r in invo_webhook_receiver.received
                  if r.event_type == "item.purchased"]
    event = verify_webhook(delivery.body, delivery.signature, invo_sandbox.webhook_secrets)
    assert event.item_purchased().item_id == "sword_001"
# --8<-- [end:webhooks-e2e]


# --8<-- [start:responses]
@responses.activate
def test_an_exact_answer_with_responses() -> None:
    """Mock INVO at the HTTP layer to script one precise answer."""
    responses.post(
        "https://sandbox.invo.network/sandbox/api/item-purchases/purchase-item",
        status=400,
        json={"error": "Insufficient balance", "code": "INSUFFICIENT_BALANCE",
              "required_amount": "150.00", "current_balance": "20.00"},
    )
    invo = InvoServer("ivsdk_test_unit")  # the test key prefix selects the sandbox URL

    outcome = buy_swords(invo, 1, "req-6")

    assert outcome.status == "short" and outcome.current == "20.00"
    body = responses.calls[0].request.body
    assert isinstance(body, bytes)
    sent = json.loads(body)
    assert sent["total_price"] == "150.00"  # and this is what went on the wire
# --8<-- [end:responses]


# --8<-- [start:mock]
def test_with_a_mock_client() -> None:
    """No HTTP at all: a spec'd mock, and an ``InvoError`` built by hand."""
    invo = create_autospec(InvoServer, instance=True)
    invo.purchase_item.side_effect = InsufficientBalanceError(
        "Insufficient balance", code="INSUFFICIENT_BALANCE", status=400,
        body={"required_amount": "150.00", "current_balance": "0.00"},
    )

    outcome = buy_swords(invo, 1, "req-7")

    assert outcome.status == "short"
    invo.purchase_item.assert_called_once()
# --8<-- [end:mock]


# --8<-- [start:receiver]
def test_the_webhook_receiver() -> None:
    """Sign a delivery with ``invonetwork.testing`` and post it to your own endpoint."""
    fulfilment = Fulfilment()
    app = create_app(create_autospec(InvoServer, instance=True),
                     webhook_secrets=["whsec_test"], fulfilment=fulfilment)
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_test")

    response = app.test_client().post("/invo/webhooks", data=delivery.body,
                                      headers=delivery.headers)

    assert response.status_code == 200
    assert len(fulfilment.purchases) == 1
# --8<-- [end:receiver]
