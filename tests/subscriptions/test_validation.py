"""Local checks: each bad argument is an InvalidInputError (status 0) before anything is sent,
in the order the facts list them; the clock is refused against production."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable

import pytest
import responses

from invonetwork import ConfigurationError, InvalidInputError, InvoServer

GOOD: dict[str, Any] = {"client_request_id": "k", "player_email": "a@example.com",
                        "player_name": "A", "item_id": "vip", "amount_usd": "9.99"}
STEAM: dict[str, Any] = {**GOOD, "steam_id": "76561198000000000"}


def create(**changes: Any) -> Callable[[InvoServer], Any]:
    return lambda c: c.subscriptions.create(**{**GOOD, **changes})


def steam(**changes: Any) -> Callable[[InvoServer], Any]:
    return lambda c: c.subscriptions.steam_init(**{**STEAM, **changes})


# (id, call, code, a fragment of the message)
BAD = [
    ("key-blank", create(client_request_id=" "), "INVALID_INPUT", "client_request_id"),
    ("key-long", create(client_request_id="k" * 256), "INVALID_INPUT", "255"),
    ("key-reserved", create(client_request_id="SUB_1"), "INVALID_INPUT", "sub_"),
    ("key-not-str", create(client_request_id=5), "INVALID_INPUT", "client_request_id"),
    ("email", create(player_email=""), "INVALID_INPUT", "player_email"),
    ("name", create(player_name=None), "INVALID_INPUT", "player_name"),
    ("item", create(item_id="  "), "INVALID_INPUT", "item_id"),
    ("interval", create(interval="week"), "INVALID_INPUT", "interval"),
    ("count-0", create(interval_count=0), "INVALID_INPUT", "interval_count"),
    ("count-37", create(interval_count=37), "INVALID_INPUT", "interval_count"),
    ("count-bool", create(interval_count=True), "INVALID_INPUT", "interval_count"),
    ("phone", create(player_phone="555"), "INVALID_INPUT", "player_phone"),
    ("money-3dp", create(amount_usd="9.999"), "INVALID_INPUT", "amount_usd"),
    ("money-max", create(amount_usd="1000000"), "INVALID_INPUT", "amount_usd"),
    ("money-bool", create(amount_usd=True), "INVALID_INPUT", "amount_usd"),
    ("metadata-type", create(metadata=[1]), "INVALID_INPUT", "metadata"),
    ("metadata-invo", create(metadata={"_invo": 1}), "INVALID_INPUT", "_invo"),
    ("consent", create(consent="yes"), "INVALID_INPUT", "consent"),
    ("revenue-share", create(revenue_share=5), "INVALID_INPUT", "revenue_share"),
    ("trial-days", create(trial_days=366), "INVALID_INPUT", "trial_days"),
    ("trial-end", create(trial_end=" "), "INVALID_INPUT", "trial_end"),
    ("wallet-only", create(wallet_only="yes"), "INVALID_INPUT", "wallet_only"),
    ("trial-amount-no-trial", create(trial_amount_usd="1"), "TRIAL_AMOUNT_REQUIRES_TRIAL",
     "trial"),
    ("trial-amount-wallet", create(trial_amount_usd="1", trial_days=3, wallet_only=True),
     "TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING", "wallet_only"),
    ("trial-amount-bad", create(trial_amount_usd="x", trial_days=3), "TRIAL_AMOUNT_INVALID",
     "trial_amount_usd"),
    ("trial-amount-low", create(trial_amount_usd="0.49", trial_days=3),
     "TRIAL_AMOUNT_INVALID", "0.50"),
    ("trial-amount-high", create(trial_amount_usd="9.99", trial_end="2030-01-01T00:00:00Z"),
     "TRIAL_AMOUNT_INVALID", "below"),
    ("card-type", create(player_card_id="3"), "INVALID_INPUT", "player_card_id"),
    ("card-bool", create(player_card_id=True), "INVALID_INPUT", "player_card_id"),
    ("card-wallet", create(player_card_id=3, wallet_only=True), "INVALID_INPUT",
     "wallet_only"),
    ("steam-id", steam(steam_id="7656x"), "INVALID_INPUT", "steam_id"),
    ("steam-id-unicode", steam(steam_id="\u0661\u0662"), "INVALID_INPUT", "steam_id"),
    ("steam-id-int", steam(steam_id=7656), "INVALID_INPUT", "steam_id"),
    ("steam-session", steam(user_session="app"), "INVALID_INPUT", "user_session"),
    ("steam-web-ip", steam(user_session="web", player_ip=" "), "INVALID_INPUT", "player_ip"),
    ("steam-count", steam(interval_count=2), "INVALID_INPUT", "interval_count"),
    ("steam-terms", steam(client_request_id="sub_x"), "INVALID_INPUT", "sub_"),
    ("get-id", lambda c: c.subscriptions.get(" "), "INVALID_INPUT", "subscription_id"),
    ("list-email", lambda c: c.subscriptions.list_for_player(""), "INVALID_INPUT",
     "player_email"),
    ("list-status", lambda c: c.subscriptions.list_for_player("a@example.com", status=" "),
     "INVALID_INPUT", "status"),
    ("list-status-seq", lambda c: c.subscriptions.list_for_player("a@example.com", status=[]),
     "INVALID_INPUT", "status"),
    ("list-limit", lambda c: c.subscriptions.list_for_player("a@example.com", limit=101),
     "INVALID_INPUT", "limit"),
    ("list-offset", lambda c: c.subscriptions.list_for_player("a@example.com", offset=-1),
     "INVALID_INPUT", "offset"),
    ("cancel-id", lambda c: c.subscriptions.cancel(""), "INVALID_INPUT", "subscription_id"),
    ("cancel-flag", lambda c: c.subscriptions.cancel("s", at_period_end=1), "INVALID_INPUT",
     "at_period_end"),
    ("cancel-reason", lambda c: c.subscriptions.cancel("s", reason="r" * 501),
     "INVALID_INPUT", "500"),
    ("amount-id", lambda c: c.subscriptions.change_amount(" ", "1"), "INVALID_INPUT",
     "subscription_id"),
    ("amount-money", lambda c: c.subscriptions.change_amount("s", "0"), "INVALID_INPUT",
     "amount_usd"),
    ("pm-none", lambda c: c.subscriptions.set_payment_method("s"), "INVALID_INPUT", "pass"),
    ("pm-card", lambda c: c.subscriptions.set_payment_method("s", player_card_id=1.0),
     "INVALID_INPUT", "player_card_id"),
    ("pm-flag", lambda c: c.subscriptions.set_payment_method("s", wallet_only=0),
     "INVALID_INPUT", "wallet_only"),
    ("pm-both", lambda c: c.subscriptions.set_payment_method("s", player_card_id=1,
                                                              wallet_only=True),
     "INVALID_INPUT", "wallet_only"),
    ("refund-key", lambda c: c.subscriptions.refund("s", client_request_id="sub_1"),
     "INVALID_INPUT", "sub_"),
    ("refund-seq", lambda c: c.subscriptions.refund("s", client_request_id="k", period_seq=0),
     "INVALID_INPUT", "period_seq"),
    ("refund-money", lambda c: c.subscriptions.refund("s", client_request_id="k",
                                                      amount_usd="-1"),
     "INVALID_INPUT", "amount_usd"),
    ("refund-reason", lambda c: c.subscriptions.refund("s", client_request_id="k", reason=3),
     "INVALID_INPUT", "reason"),
    ("finalize-id", lambda c: c.subscriptions.steam_finalize(""), "INVALID_INPUT",
     "subscription_id"),
    ("cards-email", lambda c: c.cards.create_setup_session(player_email=" "), "INVALID_INPUT",
     "player_email"),
    ("cards-url-js", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", success_url="  JavaScript:alert(1)"), "INVALID_INPUT",
     "success_url"),
    ("cards-url-data", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", cancel_url="data:text/html,x"), "INVALID_INPUT",
     "cancel_url"),
    ("cards-url-blank", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", success_url=""), "INVALID_INPUT", "success_url"),
    ("cards-name-long", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", player_name="n" * 256), "INVALID_INPUT", "player_name"),
    ("cards-phone", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", player_phone="+0123"), "INVALID_INPUT", "player_phone"),
    ("cards-metadata", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", metadata="x"), "INVALID_INPUT", "metadata"),
    ("begin-email", lambda c: c.cards.begin_setup(player_email="", setup_reference="r"),
     "INVALID_INPUT", "player_email"),
    ("begin-ref", lambda c: c.cards.begin_setup(player_email="a@example.com",
                                                setup_reference="has space"),
     "INVALID_INPUT", "setup_reference"),
    ("begin-ref-long", lambda c: c.cards.begin_setup(player_email="a@example.com",
                                                     setup_reference="r" * 201),
     "INVALID_INPUT", "setup_reference"),
    ("confirm", lambda c: c.cards.confirm_setup(setup_intent_id=" "), "INVALID_INPUT",
     "setup_intent_id"),
    ("list-cards", lambda c: c.cards.list(""), "INVALID_INPUT", "player_email"),
    ("clock-intervals", lambda c: c.sandbox.subscriptions.advance_clock("s", 61),
     "INVALID_INPUT", "intervals"),
    ("clock-intervals-bool", lambda c: c.sandbox.subscriptions.advance_clock("s", True),
     "INVALID_INPUT", "intervals"),
    ("clock-outcome", lambda c: c.sandbox.subscriptions.force_failure("s", "stolen"),
     "INVALID_INPUT", "outcome"),
    ("clock-id", lambda c: c.sandbox.subscriptions.force_renewal(" "), "INVALID_INPUT",
     "subscription_id"),
]


@pytest.mark.parametrize(("call", "code", "fragment"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])
def test_bad_input_is_refused_before_sending(
    call: Callable[[InvoServer], Any], code: str, fragment: str, client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(client)
    assert caught.value.code == code
    assert caught.value.status == 0
    assert fragment in caught.value.message
    assert len(rsps.calls) == 0


# Two faults at once: the one listed first by the facts wins.
ORDER = [
    ("steam-first", steam(steam_id="x", client_request_id=" "), "steam_id"),
    ("session-before-terms", steam(user_session="tv", player_email=""), "user_session"),
    ("count-before-terms", steam(interval_count=3, amount_usd="x"), "interval_count"),
    ("key-before-email", create(client_request_id="sub_", player_email=""), "sub_"),
    ("email-before-name", create(player_email="", player_name=""), "player_email"),
    ("item-before-interval", create(item_id="", interval="day"), "item_id"),
    ("interval-before-count", create(interval="day", interval_count=0), "interval"),
    ("count-before-phone", create(interval_count=0, player_phone="x"), "interval_count"),
    ("phone-before-money", create(player_phone="x", amount_usd="x"), "player_phone"),
    ("money-before-metadata", create(amount_usd="x", metadata=1), "amount_usd"),
    ("metadata-before-consent", create(metadata=1, consent=1), "metadata"),
    ("terms-before-trial", create(consent=1, trial_days=0), "consent"),
    ("trial-days-before-card", create(trial_days=0, player_card_id="x"), "trial_days"),
    ("trial-amount-before-card", create(trial_amount_usd="1", player_card_id="x"),
     "needs a trial"),
    ("id-before-refund-key", lambda c: c.subscriptions.refund("", client_request_id=""),
     "subscription_id"),
    ("refund-key-before-seq", lambda c: c.subscriptions.refund("s", client_request_id="",
                                                               period_seq=0),
     "client_request_id"),
    ("intervals-before-id", lambda c: c.sandbox.subscriptions.advance_clock("", -1),
     "intervals"),
    ("outcome-before-id", lambda c: c.sandbox.subscriptions.force_failure("", "x"),
     "outcome"),
    ("url-before-name", lambda c: c.cards.create_setup_session(
        player_email="a@example.com", success_url="javascript:x", player_name=""),
     "success_url"),
]


@pytest.mark.parametrize(("call", "fragment"), [o[1:] for o in ORDER],
                         ids=[o[0] for o in ORDER])
def test_checks_run_in_the_documented_order(
    call: Callable[[InvoServer], Any], fragment: str, client: InvoServer,
    rsps: responses.RequestsMock,
) -> None:
    with pytest.raises(InvalidInputError) as caught:
        call(client)
    assert fragment in caught.value.message
    assert len(rsps.calls) == 0


def test_clock_needs_a_key(rsps: responses.RequestsMock) -> None:
    from .conftest import BASE, SECRET

    for key in (None, "  "):
        with InvoServer(SECRET, BASE, sandbox_clock_key=key) as made:
            with pytest.raises(InvalidInputError) as caught:
                made.sandbox.subscriptions.force_renewal("sub_1")
            assert "sandbox_clock_key" in caught.value.message
    assert len(rsps.calls) == 0


def test_id_is_checked_before_the_key(rsps: responses.RequestsMock) -> None:
    from .conftest import BASE, SECRET

    with InvoServer(SECRET, BASE) as made, pytest.raises(InvalidInputError) as caught:
        made.sandbox.subscriptions.force_renewal("")
    assert "subscription_id" in caught.value.message


@pytest.mark.parametrize("base", ["https://invo.network", "https://api.invo.network",
                                  "https://INVO.network."])
def test_clock_is_refused_against_production(base: str, rsps: responses.RequestsMock) -> None:
    with InvoServer("ivsdk_live_key", base, sandbox_clock_key="ivclk_x") as made:
        for call in (lambda: made.sandbox.subscriptions.advance_clock("s"),
                     lambda: made.sandbox.subscriptions.force_renewal("s"),
                     lambda: made.sandbox.subscriptions.force_failure("s"),
                     lambda: made.sandbox.subscriptions.force_auth_challenge("s")):
            with pytest.raises(ConfigurationError) as caught:
                call()
            assert caught.value.status == 0
            assert "production" in caught.value.message
    assert len(rsps.calls) == 0


def test_money_is_sent_with_two_places(client: InvoServer, rsps: responses.RequestsMock) -> None:
    import json

    from .conftest import BASE

    rsps.add("POST", BASE + "/api/subscriptions/s/amount", json={})
    for given, sent in (("9.9", "9.90"), (Decimal("12"), "12.00"), (7.5, "7.50"),
                        (999999.99, "999999.99")):
        client.subscriptions.change_amount("s", given)
        assert json.loads(rsps.calls[-1].request.body) == {"amount_usd": sent}


def test_clock_settles_an_older_keys_environment_before_refusing(
    rsps: responses.RequestsMock,
) -> None:
    """An unprefixed key without base_url: the lookup runs first, and a production claim
    refuses the clock call before it is sent."""
    from invonetwork._environment import forget_lookups

    forget_lookups()
    rsps.add(responses.GET, "https://invo.network/api/sdk/key-environment",
             json={"environment": "production"})
    try:
        with InvoServer("olderkey_0123456789", sandbox_clock_key="ivclk_x") as made:
            with pytest.raises(ConfigurationError) as caught:
                made.sandbox.subscriptions.force_renewal("sub_1")
            assert "production" in caught.value.message
        assert [call.request.url for call in rsps.calls] == [
            "https://invo.network/api/sdk/key-environment"]
    finally:
        forget_lookups()
