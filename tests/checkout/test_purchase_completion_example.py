"""examples/purchase_completion.py against the local sandbox (the docs include it)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from invonetwork import InvoServer
from invonetwork.sandbox import Sandbox, WebhookReceiver
from invonetwork.webhooks import verify_webhook

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
completion = importlib.import_module("purchase_completion")

ADA = {"email": "ada@example.com", "name": "Ada", "balance": "0"}


def _checkout(invo: InvoServer, usd: str = "5.00") -> tuple[str, str]:
    checkout = invo.create_checkout(player_email="ada@example.com", usd_amount=usd)
    assert checkout.session_token is not None
    return str(checkout.session_id), checkout.session_token


@pytest.mark.invo_sandbox(players=[ADA], webhook_retry_scale=0.001)
def test_the_webhook_grants_and_the_fallback_then_grants_nothing_more(
    invo_client: InvoServer, invo_sandbox: Sandbox, invo_webhook_receiver: WebhookReceiver
) -> None:
    ledger = completion.CoinLedger()
    session_id, token = _checkout(invo_client)
    invo_sandbox.pay_checkout(session_id)
    (delivery,) = invo_webhook_receiver.wait_for(1, event_type="purchase.completed",
                                                 timeout=10)
    event = verify_webhook(delivery.body, delivery.signature, invo_sandbox.webhook_secret)
    completion.on_webhook(ledger, event)
    assert list(ledger.granted.values()) == ["50.00"]
    outcome = completion.settle_from_status(invo_client, ledger, session_id=session_id,
                                            session_token=token)
    assert outcome == completion.Outcome(True, "50.00 Gold Coins added.")
    assert len(ledger.granted) == 1  # reported twice, granted once


@pytest.mark.invo_sandbox(players=[ADA])
def test_the_fallback_grants_when_the_webhook_is_late(invo_client: InvoServer,
                                                     invo_sandbox: Sandbox) -> None:
    ledger = completion.CoinLedger()
    session_id, token = _checkout(invo_client, "3.00")
    invo_sandbox.charge_checkout(session_id)  # charged, coins not in yet
    reads: list[float] = []

    def sleep(seconds: float) -> None:
        reads.append(seconds)
        if len(reads) == 2:
            invo_sandbox.finish_checkout_credit(session_id)

    outcome = completion.settle_from_status(invo_client, ledger, session_id=session_id,
                                            session_token=token, sleep=sleep)
    assert outcome.done and list(ledger.granted.values()) == ["30.00"]
    assert reads == [2.0, 2.0]


@pytest.mark.invo_sandbox(players=[ADA])
def test_the_fallback_reports_nothing_charged_and_still_processing(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    ledger = completion.CoinLedger()
    declined_id, declined_token = _checkout(invo_client)
    invo_sandbox.decline_checkout(declined_id)
    declined = completion.settle_from_status(invo_client, ledger, session_id=declined_id,
                                             session_token=declined_token)
    assert declined.done and "nothing was charged" in declined.message
    waiting_id, waiting_token = _checkout(invo_client)
    invo_sandbox.charge_checkout(waiting_id)
    waiting = completion.settle_from_status(invo_client, ledger, session_id=waiting_id,
                                            session_token=waiting_token, timeout=0)
    assert not waiting.done and "being processed" in waiting.message
    assert ledger.granted == {}


@pytest.mark.invo_sandbox(players=[ADA])
def test_a_long_expired_session_is_reported_not_raised(invo_client: InvoServer,
                                                       invo_sandbox: Sandbox) -> None:
    session_id, token = _checkout(invo_client)
    invo_sandbox.advance_time(3 * 24 * 3600)
    outcome = completion.settle_from_status(invo_client, completion.CoinLedger(),
                                            session_id=session_id, session_token=token)
    assert outcome == completion.Outcome(True, "This checkout is too old to look up.")


@pytest.mark.invo_sandbox(players=[ADA])
def test_buy_with_quote_charges_the_accepted_total(invo_client: InvoServer) -> None:
    quote, bought = completion.buy_with_quote(
        invo_client, player_email="ada@example.com", usd_amount="9.99",
        purchase_reference="order-77", payment_method_id="pm_card_visa")
    assert bought.status == "success" and bought.charge_total_usd == quote.total_usd
    assert bought.partner_fee_usd == quote.partner_fee_usd
