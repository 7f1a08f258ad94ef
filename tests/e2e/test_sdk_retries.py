"""The SDK's retry policy, observed from the server: injected 429/503/disconnects/stalls and
the sandbox's request counts. Idempotent calls are retried; the others go out exactly once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from invonetwork import Hooks, InvoError, InvoServer
from invonetwork.sandbox import Sandbox


def test_429_with_retry_after_is_retried_for_idempotent_calls(
    sb: Sandbox, invo: InvoServer
) -> None:
    sb.throttle_next(2, retry_after=0.05, path="/api/sdk/player-token")
    assert invo.mint_player_token(player_email="ada@example.com").token
    assert sb.request_count("/api/sdk/player-token") == 3


def test_503_is_retried_for_reads_and_idempotent_posts(sb: Sandbox, invo: InvoServer) -> None:
    sb.fail_next(2, status=503, path="/api/player-balances/player/by-email/*")
    assert invo.get_player_balance(player_email="ada@example.com").balances
    assert sb.request_count("/api/player-balances/player/by-email/*") == 3
    sb.fail_next(1, status=502, path="/api/item-purchases/purchase-item")
    result = invo.purchase_item(client_request_id="r1", player_email="ada@example.com",
                                player_name="Ada", item_id="x", item_name="X",
                                item_quantity=1, unit_price="5", total_price="5")
    assert result.status == "success"
    assert sb.request_count("/api/item-purchases/purchase-item") == 2
    assert len(sb.events_of("item.purchased")) == 1


def test_retries_give_up_after_max_retries(sb: Sandbox, invo: InvoServer) -> None:
    sb.fail_next(5, status=503, path="/api/transfers/inbound-pending")
    with pytest.raises(InvoError) as info:
        invo.get_inbound_pending(player_email="ada@example.com")
    assert info.value.status == 503
    assert sb.request_count("/api/transfers/inbound-pending") == 3  # 1 + max_retries (2)


def test_long_retry_after_is_raised_at_once(sb: Sandbox, invo: InvoServer) -> None:
    sb.throttle_next(1, retry_after=120, path="/api/wallet/identities")
    with pytest.raises(InvoError) as info:
        invo.get_linked_identities(player_email="ada@example.com")
    assert info.value.status == 429 and info.value.retry_after == 120
    assert sb.request_count("/api/wallet/identities") == 1


def test_flow_paused_body_is_classified(sb: Sandbox, invo: InvoServer) -> None:
    sb.fail_next(3, status=503, body={"error": "flow_paused"})
    with pytest.raises(InvoError) as info:
        invo.get_destinations(source_game_id=1001)
    assert info.value.code == "flow_paused"


def _non_idempotent_calls(sb: Sandbox) -> list[tuple[str, Callable[[InvoServer], Any]]]:
    claim = {"claim_code": "NOPE", "target_player_name": "Zed",
             "target_player_email": "zed@example.com", "target_player_phone": "+15555550199",
             "target_currency_id": 2002}
    return [
        ("/api/checkout/sessions",
         lambda c: c.create_checkout(player_email="ada@example.com", usd_amount="1.00")),
        ("/api/transfers/verify-sms", lambda c: c.verify_sms_transfer("txn_x", "123456")),
        ("/api/currency-sends/verify-sms", lambda c: c.verify_sms_send("txn_x", "123456")),
        ("/api/transfers/claim-transfer", lambda c: c.claim_transfer(**claim)),
        ("/api/currency-sends/claim-currency",
         lambda c: c.claim_currency(claim_code="NOPE", receiver_player_name="Zed",
                                    receiver_player_email="zed@example.com",
                                    receiver_player_phone="+15555550199")),
        ("/api/wallet/phone-share/initiate",
         lambda c: c.phone_share_initiate(phone="+15555550150", email="a@example.com")),
        ("/api/wallet/phone-share/approve",
         lambda c: c.phone_share_approve(approval_id="psa_x", otp="123456")),
        (f"/api/dev/webhooks/games/{sb.game_id}",
         lambda c: c.register_webhook_endpoint(game_id=sb.game_id,
                                               target_url="https://hooks.example.com/invo")),
        (f"/api/dev/webhooks/games/{sb.game_id}/rotate-secret",
         lambda c: c.rotate_webhook_secret(game_id=sb.game_id)),
    ]


@pytest.mark.parametrize("fault", ["429", "503", "disconnect"])
def test_non_idempotent_calls_are_sent_exactly_once(
    sb: Sandbox, invo: InvoServer, fault: str
) -> None:
    for path, call in _non_idempotent_calls(sb):
        if fault == "429":
            sb.throttle_next(1, retry_after=0.01, path=path)
        elif fault == "503":
            sb.fail_next(1, status=503, path=path)
        else:
            sb.disconnect_next(1, path=path)
        with pytest.raises(InvoError) as info:
            call(invo)
        expected_status = {"429": 429, "503": 503, "disconnect": 0}[fault]
        assert info.value.status == expected_status, path
        assert sb.request_count(path) == 1, path
        sb.reset_request_counts()
    assert sb.events_of("purchase.completed") == []


def test_idempotent_part2_reads_are_retried(sb: Sandbox, invo: InvoServer) -> None:
    sb.throttle_next(1, retry_after=0.01, path="/api/wallet/phone-share/status")
    assert invo.phone_share_status(phone="+15555550150", email="a@example.com").approved is False
    assert sb.request_count("/api/wallet/phone-share/status") == 2
    sb.fail_next(1, status=503, body={"status": "unavailable"},
                 path="/api/transactions/*/approval-status")
    with pytest.raises(InvoError) as info:
        invo.get_guardian_approval_status("txn_unknown")
    assert info.value.status == 404  # retried past the 503, then the real answer
    assert sb.request_count("/api/transactions/*/approval-status") == 2
    sb.disconnect_next(1, path="/api/transfers/available-destinations")
    assert invo.get_destinations(source_game_id=1001).total_destinations == 2
    assert sb.request_count("/api/transfers/available-destinations") == 2


def test_stalled_read_times_out_and_is_retried(sb: Sandbox) -> None:
    events: list[tuple[int, bool]] = []
    hooks = Hooks(on_error=lambda info: events.append((info.attempt, info.will_retry)))
    with sb.client(timeout=0.5, retry_base_delay=0.01, hooks=hooks) as invo:
        path = "/api/player-balances/player/by-email/ada%40example.com"
        sb.stall_next(1, seconds=1.5, path=path)
        assert invo.get_player_balance(
            player_email="ada@example.com").player["player_email"] == "ada@example.com"
    assert sb.request_count(path) == 2
    assert events == [(0, True)]


def test_stalled_checkout_is_not_retried(sb: Sandbox) -> None:
    with sb.client(timeout=0.3, retry_base_delay=0.01) as invo:
        sb.stall_next(1, seconds=0.6, path="/api/checkout/sessions")
        with pytest.raises(InvoError) as info:
            invo.create_checkout(player_email="ada@example.com", usd_amount="1.00")
    assert info.value.status == 0
    assert sb.request_count("/api/checkout/sessions") == 1
