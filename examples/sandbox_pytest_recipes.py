"""Tests that use the sandbox's pytest fixtures, as ``docs/sandbox.md`` shows them.

The fixtures (``invo_sandbox``, ``invo_client``, ``invo_webhook_receiver``) come from the
pytest plugin installed with the package. ``tests/examples/test_doc_recipes.py`` imports these
tests so they run with this project's suite; ``docs/sandbox.md`` includes them.
"""

from __future__ import annotations

# --8<-- [start:fixtures]
import pytest

from invonetwork import InvoError, InvoServer, verify_webhook
from invonetwork.sandbox import Sandbox, WebhookReceiver


@pytest.mark.invo_sandbox(players=[{"email": "ada@example.com", "balance": "0"}])
def test_checkout_grants_currency(
    invo_sandbox: Sandbox, invo_client: InvoServer, invo_webhook_receiver: WebhookReceiver
) -> None:
    checkout = invo_client.create_checkout(player_email="ada@example.com", usd_amount="5.00")
    invo_sandbox.pay_checkout(str(checkout.session_id))          # the player presses Pay

    hook = invo_webhook_receiver.wait_for(1, event_type="purchase.completed")[0]
    event = verify_webhook(hook.body, hook.signature, invo_sandbox.webhook_secret)
    assert event.data["currency_amount"] == "50.00"
# --8<-- [end:fixtures]


# --8<-- [start:faults]
def test_checkout_is_never_sent_twice(invo_sandbox: Sandbox, invo_client: InvoServer) -> None:
    invo_sandbox.fail_next(1, status=503, path="/api/checkout/sessions")
    with pytest.raises(InvoError):
        invo_client.create_checkout(player_email="ada@example.com", usd_amount="5.00")
    assert invo_sandbox.request_count("/api/checkout/sessions") == 1   # not retried
# --8<-- [end:faults]
