"""The public import paths and constructor signature the contract fixes."""

from __future__ import annotations

import importlib
import inspect

import pytest
import responses

import invonetwork
from invonetwork import InvoError, InvoServer

from .support import EMAIL, add_any, make_client, sent_json

RESULT_CLASSES = [
    "PlayerToken", "InitiateResult", "CreateCheckoutResult", "PurchaseResult",
    "ConfirmPaymentResult", "OrderDetailsResult", "PurchaseItemResult", "ItemHistoryResult",
    "CurrencyBalance", "PlayerBalanceResult", "InboundPendingItem", "InboundPendingResult",
    "LinkedIdentityEmail", "LinkedIdentitiesResult", "SmsVerifyResult", "ClaimResult",
    "TransactionStatusResult", "GuardianApprovalStatusResult", "DestinationsResult",
    "DestinationGame", "PhoneShareInitiateResult", "PhoneShareApproveResult",
    "PhoneShareStatusResult",
]
TOP_LEVEL = ["InvoServer", "InvoError", "verify_webhook", "WebhookEvent", "Hooks",
             "RequestInfo", "ResponseInfo", "ErrorInfo", *RESULT_CLASSES]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_imports(name: str) -> None:
    assert getattr(invonetwork, name) is not None
    assert name in invonetwork.__all__


def test_errors_module_imports() -> None:
    errors = importlib.import_module("invonetwork.errors")
    assert errors.InvoError is InvoError
    assert callable(errors.error_from_response)
    params = list(inspect.signature(errors.error_from_response).parameters.values())
    assert [p.name for p in params][:4] == ["status", "body", "request_id",
                                            "retry_after_header"]
    assert params[2].default is None and params[3].default is None


def test_webhooks_module_imports() -> None:
    webhooks = importlib.import_module("invonetwork.webhooks")
    assert webhooks.verify_webhook is invonetwork.verify_webhook
    assert webhooks.WebhookEvent is invonetwork.WebhookEvent


def test_constructor_signature() -> None:
    params = inspect.signature(InvoServer).parameters
    names = list(params)
    assert names[:2] == ["game_secret", "base_url"]
    for name in names[:2]:
        assert params[name].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    defaults = {"timeout": 30.0, "max_retries": 2, "retry_base_delay": 0.25, "hooks": None}
    for name, default in defaults.items():
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default == default


def test_invo_error_signature() -> None:
    params = inspect.signature(InvoError).parameters
    assert next(iter(params)) == "message"
    assert {k: params[k].default for k in ("code", "status", "body", "request_id")} == {
        "code": None, "status": 0, "body": None, "request_id": None}


def test_oversized_answer_is_refused(rsps: responses.RequestsMock) -> None:
    invo = make_client(max_response_bytes=1000)
    add_any(rsps, "GET", json={"pad": "x" * 5000})
    with pytest.raises(InvoError) as info:
        invo.get_send_status("t")
    assert info.value.code == "INVALID_RESPONSE"
    assert len(rsps.calls) == 1


def test_purchase_currency_empty_rail_is_not_sent(rsps: responses.RequestsMock) -> None:
    add_any(rsps, "POST", json={"status": "success"})
    make_client().purchase_currency(player_email=EMAIL, usd_amount="1", purchase_reference="r",
                                    rail="")
    assert "rail" not in sent_json(rsps.calls[0].request)
