"""The sandbox's activity feed and loyalty rewards, through the SDK over 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox

ADA, ADA_PHONE = "ada@example.com", "+15555550100"
BOB, BOB_PHONE = "bob@example.com", "+15555550111"


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sb(shared: Sandbox) -> Sandbox:
    shared.reset()
    shared.add_player(ADA, name="Ada", phone=ADA_PHONE, balance=500, passkey_enrolled=True)
    shared.add_player(BOB, name="Bob", phone=BOB_PHONE)
    return shared


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(max_retries=0) as client:
        yield client


def _send(sb: Sandbox, invo: InvoServer, request_id: str, amount: str, game: int = 2002,
          to: str = BOB_PHONE, to_email: str = BOB) -> str:
    txn = invo.initiate_send(
        client_request_id=request_id, sender_player_name="Ada", sender_player_email=ADA,
        sender_player_phone=ADA_PHONE, receiver_player_email=to_email,
        receiver_player_phone=to, receiving_game_id=game, amount=amount).transaction_id
    sb.approve_transaction(str(txn))
    return str(txn)


def test_every_flow_shows_up_newest_first(sb: Sandbox, invo: InvoServer) -> None:
    session = invo.create_checkout(player_email=ADA, usd_amount="5.00")
    sb.pay_checkout(str(session.session_id))
    sb.advance_time(1)
    invo.purchase_item(client_request_id="i1", player_email=ADA, player_name="Ada",
                       item_id="sword", item_name="Sword", item_quantity=1,
                       unit_price="20.00", total_price="20.00")
    sb.advance_time(1)
    sent = _send(sb, invo, "s1", "100.00")
    rows = list(invo.iterate_player_activity(player_email=ADA))
    assert [r.type for r in rows] == ["send", "item_purchase", "currency_purchase"]
    send, item, purchase = rows
    assert (purchase.direction, purchase.amount, purchase.fee_amount) == ("in", "50.00", None)
    assert (item.direction, item.amount, item.status) == ("out", "20.00", "completed")
    assert (send.id, send.direction, send.amount) == (sent, "out", "100.00")
    assert (send.fee_amount, send.net_amount, send.gross_amount) == ("10.00", "90.00", None)
    assert send.counterparty_game is not None and send.counterparty_game.game_id == "2002"
    assert send.currency.currency_name == "Gold Coins"


def test_a_claim_and_a_recipient_row_in_this_game(sb: Sandbox, invo: InvoServer) -> None:
    sent = _send(sb, invo, "s1", "50.00", game=sb.game_id)
    code = sb.claim_code(sent)
    invo.claim_currency(claim_code=str(code), receiver_player_name="Bob",
                        receiver_player_email=BOB, receiver_player_phone=BOB_PHONE)
    [row] = invo.get_player_activity(player_email=BOB).activity
    assert (row.direction, row.status, row.amount) == ("self", "completed", "45.00")
    assert (row.gross_amount, row.fee_amount, row.net_amount) == ("50.00", "5.00", None)
    assert row.completed_at is not None
    assert sb.balance(BOB) == Decimal("45.00")


def test_an_expired_send_reads_expired_with_its_reason_and_no_fees(sb: Sandbox,
                                                                  invo: InvoServer) -> None:
    _send(sb, invo, "s1", "30.00")
    sb.advance_time(24 * 3600 + 1)
    [row] = invo.get_player_activity(player_email=ADA).activity
    assert (row.status, row.expiry_reason, row.fee_amount, row.net_amount) == (
        "expired", "claim_expired", None, None)


def test_cursor_pages_and_types(sb: Sandbox, invo: InvoServer) -> None:
    for n in range(5):
        _send(sb, invo, f"s{n}", "1.00")
        sb.advance_time(1)
    first = invo.get_player_activity(player_email=ADA, limit=2, types=["send"])
    assert first.has_more and first.next_cursor and first.limit == 2
    assert first.types == ["send"] and first.game_id == str(sb.game_id)
    ids = [r.id for r in first.activity]
    cursor = first.next_cursor
    while cursor:
        page = invo.get_player_activity(player_email=ADA, limit=2, cursor=cursor,
                                        types=["send"])
        ids += [r.id for r in page.activity]
        cursor = page.next_cursor
    assert len(ids) == len(set(ids)) == 5
    assert [r.id for r in invo.iterate_player_activity(player_email=ADA, page_size=2)] == ids
    assert invo.get_player_activity(player_email=ADA, types=["item_purchase"]).activity == []


def test_a_cursor_works_only_for_its_player_and_types(sb: Sandbox, invo: InvoServer) -> None:
    for n in range(3):
        _send(sb, invo, f"s{n}", "1.00")
    cursor = invo.get_player_activity(player_email=ADA, limit=1).next_cursor
    assert cursor is not None
    for kwargs in ({"player_email": BOB}, {"player_email": ADA, "types": ["send"]}):
        with pytest.raises(InvoError) as caught:
            invo.get_player_activity(cursor=cursor, **kwargs)  # type: ignore[arg-type]
        assert caught.value.status == 400 and caught.value.is_invalid_cursor
    with pytest.raises(InvoError) as caught:
        invo.get_player_activity(player_email=ADA, cursor="garbage!")
    assert caught.value.is_invalid_cursor


def test_feed_refusals(invo: InvoServer) -> None:
    with pytest.raises(InvoError) as caught:
        invo.get_player_activity(player_email=ADA, types=["nope"])
    assert caught.value.status == 400 and caught.value.is_invalid_input
    with pytest.raises(InvoError) as caught:
        invo.get_player_activity(player_email="who@example.com")
    assert caught.value.status == 404 and caught.value.is_player_not_found


def test_the_default_page_is_50_rows(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player(ADA, balance=10000)
    for n in range(51):
        invo.purchase_item(client_request_id=f"i{n}", player_email=ADA, player_name="Ada",
                           item_id="gem", item_name="Gem", item_quantity=1,
                           unit_price="1.00", total_price="1.00")
    page = invo.get_player_activity(player_email=ADA)
    assert len(page.activity) == 50 and page.limit == 50 and page.has_more


# -- rewards -------------------------------------------------------------------------------------


def test_rewards_need_a_loyalty_program(invo: InvoServer) -> None:
    with pytest.raises(InvoError) as caught:
        invo.get_player_rewards(ADA)
    assert caught.value.status == 409 and caught.value.code == "NO_TENANT"


def test_seeded_cards_are_served_with_step_states(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_loyalty_cards(ADA, [{
        "title": "Weekly", "order_mode": "ordered",
        "steps": [{"label": "Play", "complete": True}, {"label": "Win", "target": 3,
                                                        "progress": 2},
                  {"label": "Share"}],
        "rewards": [{"reward_id": "r1", "code": "SECRET-1234", "state": "unlocked"}],
    }])
    [card] = invo.get_player_rewards(ADA).cards
    assert [s.state for s in card.steps] == ["complete", "open", "locked"]
    assert card.steps[1].progress is not None and card.steps[1].progress.current == 2
    assert card.steps[0].progress is not None and card.steps[0].progress.current == 1
    assert (card.steps_required, card.steps_complete, card.status) == (3, 1, "in_progress")
    [reward] = card.rewards
    assert reward.code_masked == "****1234" and "SECRET" not in str(reward.raw)
    assert reward.can_redeem
    assert invo.get_player_rewards(BOB).cards == []


def test_rewards_of_an_unknown_player(sb: Sandbox, invo: InvoServer) -> None:
    sb.enable_loyalty()
    with pytest.raises(InvoError) as caught:
        invo.get_player_rewards("who@example.com")
    assert caught.value.status == 404 and caught.value.is_player_not_found


def test_loyalty_and_identity_admin_endpoints(sb: Sandbox, invo: InvoServer) -> None:
    import requests

    admin = f"{sb.root_url}/__sandbox__"
    seeded = requests.post(f"{admin}/loyalty", timeout=5, json={
        "email": ADA, "cards": [{"title": "Any order", "order_mode": "any",
                                 "steps": [{"label": "a"}, {"label": "b", "complete": True},
                                           {"label": "c"}]}]})
    assert seeded.status_code == 200
    [card] = invo.get_player_rewards(ADA).cards
    assert card.order_mode == "any"
    assert [s.state for s in card.steps] == ["open", "complete", "open"]  # nothing locked
    off = requests.post(f"{admin}/identity-check", json={"available": False}, timeout=5)
    assert off.status_code == 200
    txn = _send(sb, invo, "s1", "10.00")
    with pytest.raises(InvoError) as caught:
        invo.claim_currency(claim_code=str(sb.claim_code(txn)), receiver_player_name="Bob",
                            receiver_player_email=BOB, receiver_player_phone=BOB_PHONE)
    assert caught.value.status == 503
    requests.post(f"{admin}/identity-check", json={"available": True}, timeout=5)
    assert invo.claim_currency(claim_code=str(sb.claim_code(txn)), receiver_player_name="Bob",
                               receiver_player_email=BOB,
                               receiver_player_phone=BOB_PHONE).status == "success"
