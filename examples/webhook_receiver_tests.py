"""Tests of a webhook receiver with ``invonetwork.testing``, as ``docs/webhooks.md`` shows them.

``client`` is a test client of your receiver. ``tests/examples/test_doc_recipes.py`` gives it
for the Flask receiver in ``examples/webhooks_flask.py`` and imports these tests, so they run
with this project's suite.
"""

from __future__ import annotations

# --8<-- [start:receiver-tests]
from flask.testing import FlaskClient

from invonetwork.testing import build_webhook_delivery


def test_purchase_credits_the_player(client: FlaskClient) -> None:
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_test")
    response = client.post("/invo/webhooks", data=delivery.body, headers=delivery.headers)
    assert response.status_code == 200


def test_retry_is_processed_once(client: FlaskClient) -> None:
    first = build_webhook_delivery("item.purchased", secret="whsec_test")
    retry = build_webhook_delivery("item.purchased", secret="whsec_test",
                                   idempotency_key=first.idempotency_key)
    assert client.post("/invo/webhooks", data=first.body, headers=first.headers).text == "ok"
    answer = client.post("/invo/webhooks", data=retry.body, headers=retry.headers)
    assert (answer.status_code, answer.text) == (200, "duplicate")
# --8<-- [end:receiver-tests]
