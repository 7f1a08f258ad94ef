"""The Sandbox object's knobs and test-side helpers, mostly without starting it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from invonetwork.sandbox import Game, Sandbox, SandboxError

SEEDS = [{"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"}]


@pytest.mark.parametrize("knobs,message", [
    ({"port": -1}, "port"), ({"port": True}, "port"), ({"port": "80"}, "port"),
    ({"game_secret": " "}, "game_secret"), ({"webhook_secret": ""}, "webhook_secret"),
    ({"path_prefix": "sandbox"}, "path_prefix"), ({"path_prefix": "/sb/"}, "path_prefix"),
    ({"path_prefix": "/api"}, "shadow"), ({"path_prefix": "/__sandbox__x"}, "shadow"),
    ({"sms_max_attempts": 0}, "sms_max_attempts"),
    ({"platform_fee_percent": 101}, "platform_fee_percent"),
    ({"currency_per_usd": "-1"}, "currency_per_usd"),
    ({"players": [{"name": "no email"}]}, "email"),
    ({"players": [{"email": "a@b.co", "phone": "+1"}, ]}, "E.164"),
    ({"webhook_retry_scale": -1}, "retry scale"),
])
def test_bad_knobs_are_refused_before_anything_starts(knobs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Sandbox(**knobs)


def test_knobs_reach_the_rules() -> None:
    sb = Sandbox(game_id=42, currency_name="Stars", currency_per_usd="2.5", checkout_ttl=60,
                 sms_block_seconds=5, path_prefix="", players=SEEDS,
                 games=[{"game_id": "7", "name": "Seven", "currency_name": "S",
                         "currency_symbol": "S", "minimum_transfer": "2"}])
    config = sb._config
    assert (config.game_id, config.currency_name, config.checkout_ttl) == (42, "Stars", 60.0)
    assert config.currency_per_usd == Decimal("2.5") and config.sms_block_seconds == 5.0
    games = sb._world.state.games
    assert sorted(games) == [7, 42] and games[7].minimum_transfer == Decimal("2")
    assert sb.game_id == 42 and sb.balance("ada@example.com", game_id=42) == Decimal("500")
    assert sb.path_prefix == "" and sb._strip_prefix("/sandbox/api") == "/sandbox/api"
    assert repr(sb) == "<Sandbox stopped game_id=42>" and not sb.running
    with pytest.raises(RuntimeError, match="not running"):
        _ = sb.base_url


def test_secrets_are_fresh_unless_given() -> None:
    first, second = Sandbox(), Sandbox()
    assert first.game_secret.startswith("ivsdk_test_") and first.game_secret != second.game_secret
    assert first.webhook_secret.startswith("whsec_")
    given = Sandbox(game_secret="ivsdk_test_mine", webhook_secret="whsec_mine")
    assert (given.game_secret, given.webhook_secrets) == ("ivsdk_test_mine", ["whsec_mine"])


def test_reset_goes_back_to_the_seeds_and_keeps_the_secret() -> None:
    sb = Sandbox(players=SEEDS, webhook_secret="whsec_keep")
    sb.add_player("new@example.com", balance=3)
    sb.set_webhook_url("http://127.0.0.1:9/h")
    sb._world.webhooks.rotate(str(sb.game_id))
    sb.emit_event("webhook.test", {"message": "x"})
    sb.advance_time(100)
    sb.fail_next(3)
    sb.reset()
    assert sb.clock_offset == 0 and sb.events == [] and sb.faults == []
    assert sb.webhook_secrets == ["whsec_keep"]
    assert [p["player_email"] for p in sb.snapshot()["players"]] == ["ada@example.com"]
    with pytest.raises(KeyError):
        sb.balance("new@example.com")


def test_snapshot_counts_everything() -> None:
    sb = Sandbox(players=SEEDS, webhook_url="http://127.0.0.1:9/h", webhook_gzip=True)
    snap = sb.snapshot()
    assert snap["base_url"] is None and snap["players"][0]["balances"] == {"1001": "500"}
    assert snap["webhook_subscription"]["compression"] == "gzip"
    assert (snap["orders"], snap["transactions"], snap["events"]) == (0, 0, 0)


def test_test_side_helpers_raise_sandbox_errors_with_the_status() -> None:
    sb = Sandbox(players=SEEDS)
    for helper in (sb.pay_checkout, sb.cancel_checkout, sb.complete_payment,
                   sb.approve_transaction, sb.guardian_approve, sb.guardian_reject):
        with pytest.raises(SandboxError) as info:
            helper("nope")
        assert info.value.status == 404 and info.value.code
    with pytest.raises(KeyError):
        sb.claim_code("nope")
    with pytest.raises(KeyError):
        sb.replay_event("nope")
    assert sb.last_sms_pin("nope") is None and sb.last_otp("+15555550100") is None


def test_pins_otps_and_the_outbox() -> None:
    sb = Sandbox(players=SEEDS, phone_owners={"+15555550150": "owner@example.com"})
    from invonetwork.sandbox._svc_transfers import Initiation

    mv = sb._world.transfers.initiate(Initiation(
        "send", "r1", "f", "Ada", "ada@example.com", "+15555550100", "z@example.com",
        "+15555550199", 2002, Decimal("5")))
    assert sb.last_sms_pin(mv.transaction_id) == mv.sms_pin
    assert sb.last_sms_pin(phone="+15555550100") == mv.sms_pin
    assert sb.last_sms_pin(phone="+15555550111") is None
    sb._world.phone_share.initiate("+15555550150", "me@example.com")
    assert sb.last_otp("+15555550150") is not None
    assert [m["to"] for m in sb.sms_outbox] == ["+15555550100", "+15555550150"]
    assert sb.approve_transaction(mv.transaction_id)["claim_code"] == sb.claim_code(
        mv.transaction_id)


def test_events_and_the_retry_schedule() -> None:
    sb = Sandbox(webhook_retry_scale=0.5)
    key = sb.emit_event("purchase.refunded", {"order_id": "o"})
    assert sb.events_of("purchase.refunded")[0]["idempotency_key"] == key
    assert sb.retry_schedule == (15, 60, 300, 1800, 3 * 3600, 12 * 3600)
    assert sb.pending_deliveries == 0 and sb.deliveries == [] and sb.dead_letters == []
    sb.set_webhook_url("http://127.0.0.1:9/h", ["purchase.refunded"])
    assert sb._delivery_target("purchase.refunded") is not None
    assert sb._delivery_target("other") is None
    sb.set_webhook_url(None)
    assert sb._delivery_target("purchase.refunded") is None


def test_fault_helpers_and_counts() -> None:
    sb = Sandbox()
    rules = [sb.fail_next(2, status=502, path="/api/x"), sb.throttle_next(retry_after=3),
             sb.stall_next(seconds=0.1), sb.disconnect_next(method="post")]
    assert [r.kind for r in sb.faults] == ["status", "status", "stall", "disconnect"]
    assert rules[1].status == 429 and rules[3].method == "POST"
    sb.clear_faults()
    assert sb.faults == [] and sb.request_count() == 0 and sb.requests == []
    assert sb.wait_until(lambda: True) and not sb.wait_until(lambda: False, timeout=0.02)


def test_games_and_phone_owners_added_later() -> None:
    sb = Sandbox(players=SEEDS)
    sb.add_game(Game(9, "Nine", "N", "N", linked_game_ids=[1001]))
    sb.add_game({"game_id": 10, "name": "Ten", "currency_name": "T", "currency_symbol": "T"})
    assert {9, 10} <= set(sb._world.state.games)
    sb.set_phone_owner("+15555550160", "Owner@Example.com")
    assert sb._world.state.foreign_phones["+15555550160"] == "owner@example.com"
    assert sb.add_player("ada@example.com", balance=7) == 1
    assert sb.balance("ada@example.com") == Decimal("7")


def test_start_stop_is_idempotent_and_restartable() -> None:
    sb = Sandbox()
    assert sb.start() is sb and sb.start() is sb
    first_port = sb.port
    sb.stop()
    sb.stop()
    assert not sb.running
    with sb:
        assert sb.running and sb.port > 0 and sb.base_url.endswith("/sandbox")
    assert first_port > 0


def test_the_context_manager_stops_even_when_the_body_raises() -> None:
    sb = Sandbox()
    with pytest.raises(RuntimeError, match="boom"), sb:
        assert sb.running
        raise RuntimeError("boom")
    assert not sb.running


def test_client_options_reach_the_sdk() -> None:
    from invonetwork import InvoError

    with Sandbox(players=SEEDS) as sb, sb.client(max_retries=0) as invo:
        sb.throttle_next(1, retry_after=0)
        with pytest.raises(InvoError) as info:
            invo.get_player_balance(player_email="ada@example.com")
        assert info.value.status == 429
        assert sb.request_count() == 1  # max_retries=0: sent once
        invo.get_player_balance(player_email="ada@example.com")  # the fault is used up
        assert sb.request_count() == 2
