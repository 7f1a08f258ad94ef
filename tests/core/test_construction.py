"""Construction: base URL, secret, environment, options, lifecycle."""

from __future__ import annotations

import importlib
import inspect
import pickle
from typing import Any, Optional

import pytest
import requests
import responses

import invonetwork
from invonetwork import InvoError, InvoServer

from .recorder import RECORDER_SECRET
from .support import (
    CALL_IDS,
    CALLS,
    CUSTOM_SECRET,
    LIVE_SECRET,
    PRODUCTION,
    SANDBOX,
    SECRET,
    Call,
    add_any,
    make_client,
)

# == over a mocked transport (responses) =======================================================

@pytest.mark.parametrize("secret", ["", "   ", None, 123])
def test_empty_or_non_string_secret_rejected(secret: Any) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, SANDBOX)


@pytest.mark.parametrize(
    "base_url",
    ["not a url", "invo.network", "//invo.network", "ftp://invo.network",
     "http://invo.network", "http://sandbox.invo.network/sandbox", "http://10.0.0.5",
     "http://192.168.1.2:8080", "http://example.com", "https://", "https://:443",
     "https://user:pass@invo.network", "https://user@invo.network",
     "http://user:pw@localhost:8080", "https://invo.network:notaport", "file:///etc/passwd",
     "javascript:alert(1)", "ws://localhost"],
)
def test_bad_base_urls_rejected(base_url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(CUSTOM_SECRET, base_url)


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost", "http://localhost:8080/", "http://127.0.0.1:9000/sandbox",
     "http://[::1]:8080", "https://proxy.example.com/invo", "https://invo.network/",
     "https://sandbox.invo.network/sandbox/"],
)
def test_good_base_urls_accepted(base_url: str, rsps: responses.RequestsMock) -> None:
    invo = InvoServer(CUSTOM_SECRET, base_url)
    add_any(rsps, "GET", json={})
    invo.get_send_status("t")
    assert rsps.calls[0].request.url == base_url.rstrip("/") + "/api/currency-sends/t/status"


def test_secret_and_base_url_are_positional(rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    InvoServer(CUSTOM_SECRET, "https://proxy.example.com").get_send_status("t")
    assert rsps.calls[0].request.headers["X-Game-Secret-Key"] == CUSTOM_SECRET


# -- key prefixes ------------------------------------------------------------------------------


@pytest.mark.parametrize(("secret", "base"), [(LIVE_SECRET, PRODUCTION), (SECRET, SANDBOX)])
def test_prefix_picks_the_environment(secret: str, base: str,
                                      rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    InvoServer(secret).get_send_status("t")
    assert rsps.calls[0].request.url == base + "/api/currency-sends/t/status"


@pytest.mark.parametrize("secret", [CUSTOM_SECRET, "ivsdk_0123", "IVSDK_LIVE_abc",
                                    "ivsdk_prod_abc"])
def test_unknown_prefix_is_looked_up_on_the_first_request_not_at_construction(
    secret: str, rsps: responses.RequestsMock,
) -> None:
    # (the lookup itself: tests/checkout/test_key_lookup.py, against a local server)
    invo = InvoServer(secret)
    assert invo.base_url == "" and len(rsps.calls) == 0
    invo.close()


@pytest.mark.parametrize(
    ("secret", "base_url"),
    [(LIVE_SECRET, SANDBOX), (LIVE_SECRET, "https://sandbox.invo.network/"),
     (SECRET, PRODUCTION), (SECRET, "https://invo.network/"), (SECRET, "https://api.invo.network")],
)
def test_key_aimed_at_the_other_environment(secret: str, base_url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, base_url)


@pytest.mark.parametrize(
    ("secret", "base_url"),
    [(LIVE_SECRET, "https://proxy.example.com"), (SECRET, "http://localhost:8080"),
     (LIVE_SECRET, "http://127.0.0.1:1234"), (SECRET, "https://staging.example.com/sandbox"),
     (LIVE_SECRET, PRODUCTION), (SECRET, SANDBOX), (CUSTOM_SECRET, PRODUCTION),
     (CUSTOM_SECRET, SANDBOX)],
)
def test_custom_hosts_never_second_guessed(secret: str, base_url: str) -> None:
    invo = InvoServer(secret, base_url)
    assert invo.base_url == base_url.rstrip("/")
    invo.close()


# -- from_env -----------------------------------------------------------------------------------


def test_from_env(monkeypatch: pytest.MonkeyPatch, rsps: responses.RequestsMock) -> None:
    monkeypatch.setenv("INVO_GAME_SECRET", CUSTOM_SECRET)
    monkeypatch.setenv("INVO_BASE_URL", "https://proxy.example.com/x/")
    invo = InvoServer.from_env(max_retries=0)
    add_any(rsps, "GET", status=503)
    with pytest.raises(InvoError):
        invo.get_send_status("t")
    request = rsps.calls[0].request
    assert request.url == "https://proxy.example.com/x/api/currency-sends/t/status"
    assert request.headers["X-Game-Secret-Key"] == CUSTOM_SECRET
    assert len(rsps.calls) == 1


def test_from_env_uses_the_key_prefix(monkeypatch: pytest.MonkeyPatch,
                                      rsps: responses.RequestsMock) -> None:
    monkeypatch.setenv("INVO_GAME_SECRET", LIVE_SECRET)
    monkeypatch.delenv("INVO_BASE_URL", raising=False)
    add_any(rsps, "GET", json={})
    InvoServer.from_env().get_send_status("t")
    assert rsps.calls[0].request.url == PRODUCTION + "/api/currency-sends/t/status"


@pytest.mark.parametrize("value", [None, "", "  "])
def test_from_env_without_a_secret(value: Optional[str], monkeypatch: pytest.MonkeyPatch) -> None:
    if value is None:
        monkeypatch.delenv("INVO_GAME_SECRET", raising=False)
    else:
        monkeypatch.setenv("INVO_GAME_SECRET", value)
    monkeypatch.setenv("INVO_BASE_URL", SANDBOX)
    with pytest.raises(ValueError, match="INVO_GAME_SECRET"):
        InvoServer.from_env()


def test_from_env_rejects_a_mismatched_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVO_GAME_SECRET", LIVE_SECRET)
    monkeypatch.setenv("INVO_BASE_URL", SANDBOX)
    with pytest.raises(ValueError):
        InvoServer.from_env()


# -- secrecy, lifecycle, options ----------------------------------------------------------------


def test_repr_hides_the_secret() -> None:
    invo = InvoServer(SECRET, SANDBOX)
    assert SECRET not in repr(invo) and SECRET not in str(invo)
    assert SECRET not in repr(invo.with_options(timeout=3))


def test_errors_and_results_do_not_carry_the_secret(client: InvoServer,
                                                    rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={"transaction_id": "t"})
    result = client.get_send_status("t")
    assert SECRET not in repr(result)
    rsps.replace("GET", rsps.registered()[0].url, body=requests.ConnectionError(SECRET))
    with pytest.raises(InvoError) as info:
        client.with_options(max_retries=0).get_send_status("t")
    assert SECRET not in repr(info.value) and SECRET not in str(info.value)


def test_error_for_a_bad_config_does_not_echo_the_secret() -> None:
    with pytest.raises(ValueError) as info:
        InvoServer(LIVE_SECRET, SANDBOX)
    assert LIVE_SECRET not in str(info.value)


@pytest.mark.parametrize("call", CALLS, ids=CALL_IDS)
def test_closed_client_raises(call: Call, rsps: responses.RequestsMock) -> None:
    invo = make_client()
    invo.close()
    add_any(rsps, call.method, json=call.ok)
    with pytest.raises(InvoError):
        call.run(invo)
    assert len(rsps.calls) == 0


def test_context_manager_closes(rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    with make_client() as invo:
        invo.get_send_status("t")
    with pytest.raises(InvoError):
        invo.get_send_status("t")
    assert len(rsps.calls) == 1


def test_close_is_idempotent(rsps: responses.RequestsMock) -> None:
    invo = make_client()
    invo.close()
    invo.close()
    assert invo.closed
    with pytest.raises(InvoError) as info:
        invo.get_send_status("t")
    assert info.value.code == "CLIENT_CLOSED" and len(rsps.calls) == 0


def test_timeouts(rsps: responses.RequestsMock) -> None:
    add_any(rsps, "GET", json={})
    invo = make_client()
    invo.get_send_status("t")
    invo.with_options(timeout=2.5).get_send_status("t")
    make_client(timeout=7).get_send_status("t")
    invo.get_send_status("t")
    sent = [call.request.req_kwargs["timeout"] for call in rsps.calls]
    assert sent == [30.0, 2.5, 7, 30.0]


@pytest.mark.parametrize("options", [{"timeout": 0}, {"timeout": -1}, {"max_retries": -1},
                                     {"retry_base_delay": -0.1}, {"timeout": float("nan")}])
def test_bad_options_rejected(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        InvoServer(SECRET, SANDBOX, **options)


def test_errors_from_invalid_config_are_value_errors_and_can_be_pickled() -> None:
    with pytest.raises(ValueError) as info:
        InvoServer("", SANDBOX)
    pickle.loads(pickle.dumps(info.value))


# == over the recording server on 127.0.0.1 ====================================================

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
    clients = [
        InvoServer(RECORDER_SECRET, "https://invo.network"),
        InvoServer(game_secret=RECORDER_SECRET, base_url="https://invo.network"),
        InvoServer(RECORDER_SECRET, "https://invo.network", timeout=1.0, max_retries=0,
                   retry_base_delay=0.0, hooks=None),
    ]
    assert {c.base_url for c in clients} == {"https://invo.network"}
    assert clients[2].with_options(timeout=2.0).base_url == "https://invo.network"


@pytest.mark.parametrize("url", [
    "https://invo.network", "https://invo.network/", "https://sandbox.invo.network/sandbox",
    "https://sandbox.invo.network/sandbox/", "http://localhost", "http://localhost:8080",
    "http://127.0.0.1:9000", "http://[::1]:9000", "http://[::1]", "https://example.com:8443/x",
])
def test_base_url_accepted(url: str) -> None:
    assert InvoServer(RECORDER_SECRET, url).base_url == url.rstrip("/")


@pytest.mark.parametrize("url", [
    "http://invo.network", "http://example.com", "http://10.0.0.1", "http://192.168.1.2",
    "ftp://invo.network", "invo.network", "not a url", "https://", "http://", "://x",
    "http://localhost.evil.com", "http://127.0.0.1.evil.com",
])
def test_base_url_rejected(url: str) -> None:
    with pytest.raises(ValueError):
        InvoServer(RECORDER_SECRET, url)


@pytest.mark.parametrize("secret", ["", None])
def test_empty_secret_rejected(secret: object) -> None:
    with pytest.raises(ValueError):
        InvoServer(secret, "https://invo.network")  # type: ignore[arg-type]


def test_trailing_slash_ignored(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"token": "t"})
    invo = InvoServer(RECORDER_SECRET, srv.url + "/", retry_base_delay=0)
    invo.mint_player_token(player_email="a@b.c")
    assert srv.last.path == "/api/sdk/player-token"


def test_path_prefix_is_kept(srv) -> None:  # type: ignore[no-untyped-def]
    srv.reply(200, {"token": "t"})
    InvoServer(RECORDER_SECRET, srv.url + "/sandbox/").mint_player_token(player_email="a@b.c")
    assert srv.last.path == "/sandbox/api/sdk/player-token"
    srv.reply(200, {"token": "t"})
    InvoServer(RECORDER_SECRET, srv.url + "/sandbox").mint_player_token(player_email="a@b.c")
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
    assert InvoServer(secret, url).base_url == url


@pytest.mark.parametrize("secret", ["ivsdk_live_abc", "ivsdk_test_abc"])
def test_base_url_may_be_omitted_with_prefixed_key(secret: str) -> None:
    expected = {"ivsdk_live_abc": PRODUCTION, "ivsdk_test_abc": SANDBOX}[secret]
    assert InvoServer(secret).base_url == expected


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
    assert InvoServer(RECORDER_SECRET, url).base_url == url  # http:// accepted for loopback


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
