"""Public import paths, constructor signature, base URL rules and key prefixes."""

from __future__ import annotations

import importlib
import inspect

import pytest

import invonetwork
from invonetwork import InvoServer

from .conftest import SECRET

RESULT_CLASSES = [
    "PlayerToken", "InitiateResult", "CreateCheckoutResult", "PurchaseResult",
    "ConfirmPaymentResult", "OrderDetailsResult", "PurchaseItemResult", "ItemHistoryResult",
    "CurrencyBalance", "PlayerBalanceResult", "InboundPendingItem", "InboundPendingResult",
    "LinkedIdentityEmail", "LinkedIdentitiesResult",
    "SmsVerifyResult", "ClaimResult", "TransactionStatusResult",
    "GuardianApprovalStatusResult", "DestinationsResult", "DestinationGame",
    "PhoneShareInitiateResult", "PhoneShareApproveResult", "PhoneShareStatusResult",
]
TOP_NAMES = ["InvoServer", "InvoError", "verify_webhook", "WebhookEvent", "Hooks",
             "RequestInfo", "ResponseInfo", "ErrorInfo"]


@pytest.mark.parametrize("name", TOP_NAMES + RESULT_CLASSES)
def test_top_level_import(name: str) -> None:
    exec(f"from invonetwork import {name}", {})
    assert getattr(invonetwork, name) is not None


@pytest.mark.parametrize("name", RESULT_CLASSES)
def test_result_classes_are_dataclasses_with_raw(name: str) -> None:
    import dataclasses

    cls = getattr(invonetwork, name)
    assert dataclasses.is_dataclass(cls)
    if name not in ("LinkedIdentityEmail",):
        assert "raw" in {f.name for f in dataclasses.fields(cls)}, name


def test_errors_and_webhooks_modules() -> None:
    from invonetwork.errors import InvoError, error_from_response
    from invonetwork.webhooks import WebhookEvent, verify_webhook

    assert InvoError is invonetwork.InvoError
    assert verify_webhook is invonetwork.verify_webhook
    assert WebhookEvent is invonetwork.WebhookEvent
    err = error_from_response(404, {"error": "nope"})
    assert isinstance(err, InvoError) and err.status == 404 and err.request_id is None
    err = error_from_response(404, {"error": "nope"}, request_id="rid")
    assert err.request_id == "rid"
    importlib.import_module("invonetwork.webhooks")


def test_constructor_signature_defaults() -> None:
    sig = inspect.signature(InvoServer.__init__)
    params = sig.parameters
    names = list(params)
    assert names[1:3] == ["game_secret", "base_url"]
    for positional in ("game_secret", "base_url"):
        assert params[positional].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert params["timeout"].default == 30.0
    assert params["max_retries"].default == 2
    assert params["retry_base_delay"].default == 0.25
    assert params["hooks"].default is None
    for kw in ("timeout", "max_retries", "retry_base_delay", "hooks"):
        assert params[kw].kind is inspect.Parameter.KEYWORD_ONLY


def test_constructor_positional_and_keyword() -> None:
    InvoServer(SECRET, "https://invo.network")
    InvoServer(game_secret=SECRET, base_url="https://invo.network")
    InvoServer(SECRET, "https://invo.network", timeout=1.0, max_retries=0,
               retry_base_delay=0.0, hooks=None)


@pytest.mark.parametrize("url", [
    "https://invo.network", "https://invo.network/", "https://sandbox.invo.network/sandbox",
    "https://sandbox.invo.network/sandbox/", "http://localhost", "http://localhost:8080",
    "http://127.0.0.1:9000", "http://[::1]:9000", "http://[::1]", "https://example.com:8443/x",
])
def test_base_url_accepted(url: str) -> None:
    InvoServer(SECRET, url)


@pytest.mark.parametrize("url", [
    "", "http://invo.network", "http://example.com", "http://10.0.0.1", "http://192.168.1.2",
    "ftp://invo.network", "invo.network", "not a url", "https://", "http://", "://x",
    "http://localhost.evil.com", "http://127.0.0.1.evil.com",
])
def test_base_url_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(SECRET, url)


@pytest.mark.parametrize("secret", ["", None])
def test_empty_secret_rejected(secret: object) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, "https://invo.network")  # type: ignore[arg-type]


def test_trailing_slash_ignored(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"token": "t"})
    InvoServer(SECRET, srv.url + "/", retry_base_delay=0).mint_player_token(player_email="a@b.c")
    assert srv.last.path == "/api/sdk/player-token"


def test_path_prefix_is_kept(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"token": "t"})
    InvoServer(SECRET, srv.url + "/sandbox/").mint_player_token(player_email="a@b.c")
    assert srv.last.path == "/sandbox/api/sdk/player-token"
    srv.reply(200, {"token": "t"})
    InvoServer(SECRET, srv.url + "/sandbox").mint_player_token(player_email="a@b.c")
    assert srv.last.path == "/sandbox/api/sdk/player-token"


@pytest.mark.parametrize("secret,url", [
    ("ivsdk_live_abc", "https://sandbox.invo.network/sandbox"),
    ("ivsdk_test_abc", "https://invo.network"),
])
def test_key_prefix_mismatch_is_config_error(secret: str, url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, url)


@pytest.mark.parametrize("secret,url", [
    ("ivsdk_live_abc", "https://invo.network"),
    ("ivsdk_test_abc", "https://sandbox.invo.network/sandbox"),
    ("ivsdk_live_abc", "http://127.0.0.1:1234"),
    ("ivsdk_test_abc", "http://localhost:1234"),
])
def test_key_prefix_matching_ok(secret: str, url: str) -> None:
    InvoServer(secret, url)


@pytest.mark.parametrize("secret", ["ivsdk_live_abc", "ivsdk_test_abc"])
def test_base_url_may_be_omitted_with_prefixed_key(secret: str) -> None:
    InvoServer(secret)  # type: ignore[call-arg]


@pytest.mark.parametrize("secret,url", [
    ("ivsdk_live_abc", "https://sandbox.invo.network"),
    ("ivsdk_live_abc", "https://SANDBOX.invo.network/sandbox"),
    ("ivsdk_live_abc", "https://sandbox.invo.network./sandbox"),
    ("ivsdk_test_abc", "https://INVO.network/"),
    ("ivsdk_test_abc", "https://invo.network."),
    ("ivsdk_test_abc", "https://invo.network:443"),
])
def test_key_prefix_mismatch_host_variants(secret: str, url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, url)


@pytest.mark.parametrize("secret,expected", [
    ("ivsdk_live_abc", "https://invo.network"),
    ("ivsdk_test_abc", "https://sandbox.invo.network/sandbox"),
])
def test_base_url_chosen_from_prefix(secret: str, expected: str) -> None:
    assert InvoServer(secret).base_url.rstrip("/") == expected  # type: ignore[call-arg]


@pytest.mark.parametrize("url", ["http://LOCALHOST:1", "http://LocalHost"])
def test_loopback_host_case_insensitive(url: str) -> None:
    InvoServer(SECRET, url)


def test_no_body_means_no_content_type(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"signing_secret": "s"})
    srv.client().rotate_webhook_secret(game_id=1)
    assert srv.last.body == b"" and srv.last.header("Content-Type") is None


def test_json_body_is_utf8_json(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"transaction_id": "t", "order_id": "o"})
    srv.client().purchase_item(client_request_id="c", player_email="é@x.io", player_name="José ☃",
                               item_id="i", item_name="Épée", item_quantity=1, unit_price="1",
                               total_price="1")
    assert srv.last.json["player_name"] == "José ☃" and srv.last.json["item_name"] == "Épée"
