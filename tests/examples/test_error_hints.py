"""Errors a new user meets in the first hour say what was expected and what to do.

Each mistake here is one people make: the wrong kind of secret in the wrong place, a header
that is not INVO's signature, a float amount computed with float arithmetic. The messages name
the kind of secret, never the secret itself.
"""

from __future__ import annotations

import json
import time
from decimal import Decimal

import pytest
import responses

from invonetwork import InvalidInputError, InvoServer, WebhookVerificationError, verify_webhook
from invonetwork.testing import build_webhook_delivery, sign_webhook_payload

SANDBOX = "https://sandbox.invo.network/sandbox"


@pytest.mark.parametrize(("secret", "kind"), [
    ("whsec_4f1c0c2a9b", "webhook signing secret"),
    ("  whsec_4f1c0c2a9b", "webhook signing secret"),
    ("sk_live_51H8xYz", "payment processor's secret key"),
    ("sk_test_51H8xYz", "payment processor's secret key"),
])
@pytest.mark.parametrize("base_url", [None, SANDBOX, "http://127.0.0.1:8787"])
def test_another_kind_of_secret_as_the_game_secret_is_refused_at_once(
    secret: str, kind: str, base_url: str
) -> None:
    with responses.RequestsMock() as mock:  # nothing may be sent
        with pytest.raises(ValueError) as caught:
            InvoServer(secret, base_url)
        assert len(mock.calls) == 0
    message = str(caught.value)
    assert kind in message
    assert "ivsdk_test_" in message and "ivsdk_live_" in message  # what was expected
    assert secret.strip() not in message and secret.strip()[4:] not in message


def test_a_secret_without_a_known_prefix_is_looked_up_not_refused() -> None:
    # An older key without base_url: nothing is sent at construction (the first request
    # asks INVO which environment it belongs to; see tests/checkout/test_key_lookup.py).
    with responses.RequestsMock() as mock:
        invo = InvoServer("4f1c0c2a9b77")
        assert len(mock.calls) == 0
    assert invo.base_url == ""
    invo.close()
    # The same key with a base_url is an older key: accepted, never second-guessed.
    InvoServer("4f1c0c2a9b77", SANDBOX).close()


def test_real_game_secrets_are_still_accepted() -> None:
    for secret in ("ivsdk_test_abc", "ivsdk_live_abc"):
        InvoServer(secret).close()


# -- webhooks -----------------------------------------------------------------------------


def _fails(body: bytes, header: str, secret: object) -> WebhookVerificationError:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_webhook(body, header, secret)  # type: ignore[arg-type]
    return caught.value


@pytest.mark.parametrize("secrets", [
    "ivsdk_test_the_game_secret",
    ["", "ivsdk_live_the_game_secret"],
])
def test_the_game_secret_passed_as_the_webhook_secret_is_named(secrets: object) -> None:
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_the_real_one")
    error = _fails(delivery.body, delivery.headers["X-Invo-Signature"], secrets)
    assert error.code == "WEBHOOK_SIGNATURE_INVALID"
    assert "game secret" in error.message and "webhook signing secret" in error.message
    assert "whsec_" in error.message  # the kind that was expected
    assert "the_game_secret" not in error.message and "the_real_one" not in error.message


def test_a_payment_processor_key_passed_as_the_webhook_secret_is_named() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_the_real_one")
    error = _fails(delivery.body, delivery.headers["X-Invo-Signature"], "sk_live_abc")
    assert "'sk_'" in error.message and "whsec_" in error.message
    assert "sk_live_abc" not in error.message


def test_a_wrong_signing_secret_gets_no_kind_hint() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_the_real_one")
    error = _fails(delivery.body, delivery.headers["X-Invo-Signature"], "whsec_another")
    assert error.code == "WEBHOOK_SIGNATURE_INVALID"
    assert "game secret" not in error.message
    assert "raw request bytes" in error.message


EXPECTED = "t=<unix seconds>,v1=<hex>"


@pytest.mark.parametrize(("header", "also"), [
    ("1f0c5a6e-7d3b-4c55-9d1e-0a7b2c3d4e5f", "X-Invo-Idempotency-Key"),  # the wrong header
    ("sha256=" + "ab" * 32, "another service's signature format"),
    ("v1=" + "ab" * 32, ""),  # no t=
    (f"t={int(time.time())}", ""),  # no v1=
    (f"t=1,t=2,v1={'ab' * 32}", ""),
])
def test_a_malformed_signature_header_shows_the_expected_form(header: str, also: str) -> None:
    error = _fails(b"{}", header, "whsec_x")
    assert error.code == "WEBHOOK_MALFORMED"
    assert EXPECTED in error.message
    assert also in error.message
    assert header not in error.message  # described, never echoed


def test_a_v1_that_is_not_a_hex_digest_says_so() -> None:
    body = b'{"event_type":"webhook.test"}'
    header = f"t={int(time.time())},v1=not-hex"
    error = _fails(body, header, "whsec_x")
    assert error.code == "WEBHOOK_SIGNATURE_INVALID"
    assert "64 hex digits" in error.message and EXPECTED in error.message


def test_a_timestamp_that_is_not_a_number_shows_the_expected_form() -> None:
    body = b'{"event_type":"webhook.test"}'
    header = sign_webhook_payload(body, "whsec_x").replace("t=", "t=x", 1)
    error = _fails(body, header, "whsec_x")
    assert error.code == "WEBHOOK_TIMESTAMP_EXPIRED"
    assert EXPECTED in error.message


# -- money --------------------------------------------------------------------------------


def test_float_noise_in_an_amount_suggests_decimal_or_a_string() -> None:
    with InvoServer("ivsdk_test_abc") as invo, responses.RequestsMock() as mock:
        with pytest.raises(InvalidInputError) as caught:
            invo.create_checkout(player_email="ada@example.com", usd_amount=0.1 * 3)
        assert len(mock.calls) == 0
    message = caught.value.message
    assert "0.30000000000000004" in message
    assert "Decimal" in message and "string" in message


@pytest.mark.parametrize("amount", [10.005, -1.0, 1e-7])
def test_other_bad_floats_get_no_float_hint(amount: float) -> None:
    with InvoServer("ivsdk_test_abc") as invo, pytest.raises(InvalidInputError) as caught:
        invo.create_checkout(player_email="ada@example.com", usd_amount=amount)
    assert "Decimal" not in caught.value.message


def test_the_suggested_forms_are_accepted() -> None:
    with InvoServer("ivsdk_test_abc") as invo, responses.RequestsMock() as mock:
        mock.post(f"{SANDBOX}/api/checkout/sessions",
                  json={"session_id": "cs_1", "checkout_url": "https://x.test/c"})
        for amount in (Decimal("0.10") * 3, "0.30"):
            invo.create_checkout(player_email="ada@example.com", usd_amount=amount)
        sent = [json.loads(call.request.body or b"{}")["usd_amount"] for call in mock.calls]
    assert sent == ["0.30", "0.30"]
