"""The flow examples (currency, items, reads, configuration, observability) against the sandbox.

The flow pages of the docs include these files piece by piece; these tests keep them true.
"""

from __future__ import annotations

import importlib
import logging
import runpy
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import responses

from invonetwork import InvalidInputError, InvoServer, ServerError
from invonetwork.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ADA = {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"}

currency = importlib.import_module("currency_checkout")
items = importlib.import_module("item_purchase")
reads = importlib.import_module("balances_and_reads")
config = importlib.import_module("configuration")
observability = importlib.import_module("observability")


# -- currency purchase ------------------------------------------------------------------------


@pytest.mark.invo_sandbox(players=[ADA])
def test_hosted_checkout_credits_the_player_once_paid(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    checkout = currency.open_checkout(invo_client, player_email="ada@example.com",
                                      usd_amount="9.99", order_ref="ord-1")
    assert checkout.checkout_url.startswith(invo_sandbox.base_url)
    invo_sandbox.pay_checkout(checkout.session_id)
    [event] = invo_sandbox.events_of("purchase.completed")
    assert event["data"]["metadata"] == {"order_ref": "ord-1"}
    assert invo_sandbox.balance("ada@example.com") > Decimal("500")


@pytest.mark.invo_sandbox(players=[ADA])
def test_checkout_or_message_explains_failures(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    checkout, message = currency.checkout_or_message(
        invo_client, player_email="ada@example.com", usd_amount="1000000.00", order_ref="x")
    assert checkout is None and message.startswith("That amount cannot be bought")
    invo_sandbox.fail_next(status=503, body={"error": "flow_paused"},
                           path="/api/checkout/sessions")
    checkout, message = currency.checkout_or_message(
        invo_client, player_email="ada@example.com", usd_amount="5.00", order_ref="y")
    assert checkout is None and "paused" in message
    assert invo_sandbox.request_count("/api/checkout/sessions") == 1  # never retried
    invo_sandbox.fail_next(status=500, path="/api/checkout/sessions")
    checkout, message = currency.checkout_or_message(
        invo_client, player_email="ada@example.com", usd_amount="5.00", order_ref="z")
    assert checkout is None and "unavailable" in message
    checkout, message = currency.checkout_or_message(
        invo_client, player_email="ada@example.com", usd_amount="5.00", order_ref="w")
    assert checkout is not None and message == ""


@pytest.mark.parametrize(("method", "action"), [
    ("pm_card_visa", "done"), ("pm_card_3ds", "authenticate"), ("pm_pending", "redirect"),
])
@pytest.mark.invo_sandbox(players=[ADA])
def test_direct_rail_next_steps(
    invo_client: InvoServer, invo_sandbox: Sandbox, method: str, action: str
) -> None:
    step = currency.buy_direct(invo_client, player_email="ada@example.com", usd_amount="4.99",
                               payment_method_id=method, order_ref="ord-2")
    assert step.action == action
    if action == "done":
        assert step.new_balance is not None
    elif action == "authenticate":
        assert step.client_secret and step.payment_intent_id
        assert currency.order_status(invo_client, step.order_id) != "completed"
        confirmed = currency.finish_authentication(invo_client, step)
        assert confirmed.status == "success"
    else:
        assert step.payment_url
        invo_sandbox.complete_payment(step.order_id)
    assert currency.order_status(invo_client, step.order_id) == "completed"


@pytest.mark.invo_sandbox(players=[ADA])
def test_direct_rail_is_safe_to_repeat(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    first = currency.buy_direct(invo_client, player_email="ada@example.com", usd_amount="4.99",
                                payment_method_id="pm_card_visa", order_ref="ord-3")
    again = currency.buy_direct(invo_client, player_email="ada@example.com", usd_amount="4.99",
                                payment_method_id="pm_card_visa", order_ref="ord-3")
    assert first.order_id == again.order_id  # the same purchase_reference: charged once
    assert len(invo_sandbox.events_of("purchase.completed")) == 1


def test_only_an_authenticate_step_can_be_confirmed() -> None:
    with pytest.raises(ValueError, match="authenticate"):
        currency.finish_authentication(InvoServer("ivsdk_test_x"),
                                       currency.NextStep("done"))


# -- item purchase ----------------------------------------------------------------------------


def _buy(invo: InvoServer, quantity: int, request_id: str, price: str = "150.00") -> Any:
    return items.try_to_buy(invo, player_email="ada@example.com", player_name="Ada",
                            item_id="sword_001", item_name="Flaming Sword",
                            unit_price=Decimal(price), quantity=quantity,
                            request_id=request_id)


@pytest.mark.invo_sandbox(players=[ADA])
def test_item_outcomes(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    request_id = str(uuid.uuid4())
    bought = _buy(invo_client, 2, request_id)
    assert bought.status == "bought" and bought.new_balance == "200.00"
    again = _buy(invo_client, 2, request_id)
    assert again.status == "already-bought" and again.order_id == bought.order_id
    short = _buy(invo_client, 2, str(uuid.uuid4()))
    assert (short.status, short.required, short.current) == ("short", "300.00", "200.00")
    invo_sandbox.throttle_next(3, retry_after=0, path="/api/item-purchases/purchase-item")
    busy = _buy(invo_client, 1, str(uuid.uuid4()))
    assert busy.status == "busy" and busy.retry_after == 0
    assert invo_sandbox.balance("ada@example.com") == Decimal("200.00")


@pytest.mark.invo_sandbox(players=[ADA])
def test_item_total_is_exact_for_awkward_prices(invo_client: InvoServer) -> None:
    assert _buy(invo_client, 3, "req-third", price="33.33").status == "bought"


@pytest.mark.invo_sandbox(players=[ADA])
def test_find_purchase_and_history(invo_client: InvoServer) -> None:
    assert items.find_purchase(invo_client, "never-sent") is None
    for n in range(3):
        _buy(invo_client, 1, f"req-{n}", price="10.00")
    found = items.find_purchase(invo_client, "req-1")
    assert found is not None and found.order["client_request_id"] == "req-1"
    assert items.items_owned(invo_client, "ada@example.com") == {"sword_001": 3}


# -- balances and reads -----------------------------------------------------------------------


@pytest.mark.invo_sandbox(players=[ADA])
def test_reads(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    [line] = reads.wallet_lines(invo_client, player_email="ada@example.com")
    assert "500.00 available" in line
    assert reads.available(invo_client, player_email="ada@example.com",
                           currency_name="Gold Coins") == Decimal("500.00")
    assert reads.available(invo_client, player_email="ada@example.com",
                           currency_name="Gems") == 0
    assert reads.waiting_to_claim(invo_client, player_email="ada@example.com") == []
    assert reads.wallet_emails(invo_client, player_phone="+15555550100") == ["ada@example.com"]
    assert reads.wallet_emails(invo_client, player_phone="+15555550199") is None


# -- configuration ----------------------------------------------------------------------------


def test_environment_from_the_key_prefix() -> None:
    assert config.client_from_key("ivsdk_test_abc").base_url == (
        "https://sandbox.invo.network/sandbox")
    assert config.client_from_key("ivsdk_live_abc").base_url == "https://invo.network"
    assert config.client_with_explicit_url("secret").base_url == (
        "https://sandbox.invo.network/sandbox")
    older = config.client_from_key("no_known_prefix")  # looked up on its first request
    assert older.base_url == "" and older.management_base_url == ""
    older.close()
    with pytest.raises(ValueError, match="production key"):
        config.client_with_explicit_url("ivsdk_live_abc")


def test_client_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INVO_GAME_SECRET", "ivsdk_test_env")
    monkeypatch.delenv("INVO_BASE_URL", raising=False)
    assert config.client_from_environment().base_url == "https://sandbox.invo.network/sandbox"
    monkeypatch.delenv("INVO_GAME_SECRET")
    with pytest.raises(ValueError, match="INVO_GAME_SECRET"):
        config.client_from_environment()


def test_other_constructors_build(tmp_path: Path) -> None:
    ca = tmp_path / "ca.pem"
    ca.write_text("")
    for client in (config.patient_client("ivsdk_test_a"),
                   config.client_behind_a_proxy("ivsdk_test_a", str(ca)),
                   config.busy_worker_client("ivsdk_test_a")):
        assert isinstance(client, InvoServer)
        client.close()


@pytest.mark.invo_sandbox(players=[ADA, {"email": "bob@example.com", "balance": "7"}])
def test_threads_share_one_client(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    results = config.balances_in_parallel(invo_client, ["ada@example.com", "bob@example.com"])
    assert results["bob@example.com"].balances[0].available_balance == "7.00"
    fast = config.quick_balance(invo_client, "ada@example.com")
    assert fast.balances[0].available_balance == "500.00"


@responses.activate
def test_nightly_report_reads_each_player() -> None:
    responses.get(
        "https://sandbox.invo.network/sandbox/api/player-balances/player/by-email/ada%40example.com",
        json={"player": {}, "balances": [{"currency_name": "Gold"}, {"currency_name": "Gems"}]},
    )
    assert config.nightly_report("ivsdk_test_nightly", ["ada@example.com"]) == 2


# -- observability ----------------------------------------------------------------------------


def test_route_names_carry_no_personal_data() -> None:
    route = observability.route_of(
        "http://127.0.0.1:1/sandbox/api/player-balances/player/by-email/ada%40example.com")
    assert route == "/api/player-balances/player/by-email/{email}"
    assert observability.route_of(
        "https://invo.network/api/transfers/inbound-pending?player_email=a%40b.c"
    ) == "/api/transfers/inbound-pending"


@pytest.mark.invo_sandbox(players=[ADA])
def test_metrics_hooks_count_attempts_and_retries(invo_sandbox: Sandbox) -> None:
    metrics = observability.InvoMetrics()
    invo = observability.instrumented_client(invo_sandbox.game_secret, invo_sandbox.base_url,
                                              metrics)
    invo_sandbox.fail_next(1, status=503, path="/api/player-balances/player/by-email/*")
    invo.get_player_balance(player_email="ada@example.com")
    route = "/api/player-balances/player/by-email/{email}"
    assert metrics.attempts[route] == 2
    assert metrics.retries[route] == 1
    assert metrics.statuses[(route, 503)] == 1 and metrics.statuses[(route, 200)] == 1
    assert len(metrics.latency_ms[route]) == 2
    invo.close()


@pytest.mark.invo_sandbox(players=[ADA])
def test_failure_log_and_debug_logging(
    invo_client: InvoServer, invo_sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    observability.enable_sdk_debug_logging()
    invo_sandbox.fail_next(3, status=500, path="/api/player-balances/player/by-email/*")
    with caplog.at_level(logging.DEBUG), pytest.raises(ServerError):
        observability.audited_call(invo_client, "ada@example.com")
    warnings = [r.getMessage() for r in caplog.records if r.name == "mygame.invo"]
    assert len(warnings) == 3 and "retrying=True" in warnings[0]
    assert "retrying=False" in warnings[-1]
    assert all("ada" not in w for w in warnings)
    debug = [r.getMessage() for r in caplog.records if r.name == "invonetwork"]
    assert debug and all(invo_sandbox.game_secret not in line for line in debug)
    logging.getLogger("invonetwork").setLevel(logging.NOTSET)


# -- the runnable stories -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["currency_checkout", "item_purchase", "balances_and_reads"])
def test_examples_run_as_scripts(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name="__main__")
    assert capsys.readouterr().out.strip()


def test_money_rules_still_apply_in_examples(invo_client: InvoServer) -> None:
    with pytest.raises(InvalidInputError):
        currency.open_checkout(invo_client, player_email="ada@example.com",
                               usd_amount="9.999", order_ref="bad")


# -- getting started ----------------------------------------------------------------------------


@pytest.mark.invo_sandbox(players=[ADA])
def test_first_call(
    invo_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first_call = importlib.import_module("first_call")
    monkeypatch.setenv("INVO_GAME_SECRET", invo_sandbox.game_secret)
    monkeypatch.setenv("INVO_BASE_URL", invo_sandbox.base_url)
    assert first_call.main(["first_call.py", "ada@example.com"]) == 0
    out = capsys.readouterr().out
    assert "player token: ivpt_" in out and "Gold Coins: 500.00" in out
    assert first_call.main(["first_call.py", "new@example.com", "+15555550166"]) == 0
    assert capsys.readouterr().out.count("\n") >= 2
    assert first_call.main(["first_call.py", "unknown@example.com"]) == 1  # no phone: 404
    assert "PLAYER_NOT_FOUND" in capsys.readouterr().out
    monkeypatch.setenv("INVO_GAME_SECRET", "ivsdk_test_wrong")
    assert first_call.main(["first_call.py"]) == 1
    assert "INVO refused" in capsys.readouterr().out


# -- registering the webhook endpoint --------------------------------------------------------


def test_register_and_rotate(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    register = importlib.import_module("register_webhook")
    with Sandbox() as sandbox:
        invo = sandbox.client()
        url = "http://127.0.0.1:9/invo/webhooks"  # a loopback receiver is fine for the sandbox
        secret = register.register_receiver(invo, game_id=sandbox.game_id, target_url=url)
        assert secret and secret == sandbox.webhook_secret
        assert register.register_receiver(invo, game_id=sandbox.game_id,
                                          target_url=url) is None
        new = register.rotate_secret(invo, game_id=sandbox.game_id)
        assert new != secret and set(sandbox.webhook_secrets) == {new, secret}

        monkeypatch.setenv("INVO_GAME_SECRET", sandbox.game_secret)
        monkeypatch.setenv("INVO_BASE_URL", sandbox.base_url)
        assert register.main(["register_webhook.py", str(sandbox.game_id), url]) == 0
        assert "still applies" in capsys.readouterr().out
        assert register.main(["register_webhook.py", str(sandbox.game_id), "--rotate"]) == 0
        printed = capsys.readouterr().out.splitlines()[-1]
        assert printed == sandbox.webhook_secret
        assert register.main(["register_webhook.py"]) == 2


def test_a_private_receiver_is_refused_before_sending() -> None:
    register = importlib.import_module("register_webhook")
    with pytest.raises(InvalidInputError, match="public address"):
        register.register_receiver(InvoServer("ivsdk_test_x"), game_id=1,
                                   target_url="https://10.0.0.5/invo/webhooks")
