"""A player's activity feed and loyalty rewards.

Run it against the built-in local sandbox (no account needed)::

    python examples/activity_feed.py

The docs (``docs/activity-feed.md``) include this file piece by piece, and
``tests/players/test_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from typing import Optional

from invonetwork import InvoError, InvoServer


# --8<-- [start:page]
def history_page(invo: InvoServer, *, email: str,
                 cursor: Optional[str] = None) -> tuple[list[str], Optional[str]]:
    """One screen of history (20 rows) and the cursor of the next one (``None``: the end)."""
    page = invo.get_player_activity(player_email=email, limit=20, cursor=cursor)
    lines = []
    for row in page.activity:
        sign = {"in": "+", "out": "-"}.get(row.direction, "")
        lines.append(f"{row.created_at} {row.type} {sign}{row.amount} "
                     f"{row.currency.currency_name or ''} ({row.status})")
    return lines, page.next_cursor
# --8<-- [end:page]


# --8<-- [start:iterate]
def money_sent(invo: InvoServer, *, email: str) -> list[str]:
    """Every send and transfer the player made, with what the receiver got."""
    lines = []
    for row in invo.iterate_player_activity(player_email=email, types=["send", "transfer"],
                                            page_size=100):
        if row.direction == "out":
            lines.append(f"{row.amount} sent, {row.net_amount} received after "
                         f"{row.fee_amount} fees ({row.status})")
    return lines
# --8<-- [end:iterate]


# --8<-- [start:rewards]
def reward_lines(invo: InvoServer, *, email: str) -> list[str]:
    """The player's loyalty cards; an empty list when your game runs no loyalty program."""
    try:
        cards = invo.get_player_rewards(email).cards
    except InvoError as err:
        if err.code == "NO_TENANT":
            return []
        raise
    lines = []
    for card in cards:
        lines.append(f"{card.title}: {card.steps_complete}/{card.steps_required} "
                     f"({card.status})")
        lines += [f"  reward {r.reward_id}: {r.state} {r.code_masked or ''}".rstrip()
                  for r in card.rewards]
    return lines
# --8<-- [end:rewards]


def main() -> None:
    from invonetwork.sandbox import Sandbox

    ada = {"email": "ada@example.com", "phone": "+15555550100", "balance": "500",
           "passkey_enrolled": True}
    with Sandbox(players=[ada]) as sb, sb.client() as invo:
        txn = invo.initiate_send(
            client_request_id="gift-1", sender_player_name="Ada",
            sender_player_email="ada@example.com", sender_player_phone="+15555550100",
            receiver_player_phone="+15555550111", receiving_game_id=2002,
            amount="100.00").transaction_id
        sb.approve_transaction(str(txn))
        print(history_page(invo, email="ada@example.com"))
        print(money_sent(invo, email="ada@example.com"))
        sb.set_loyalty_cards("ada@example.com", [{"title": "First steps",
                                                  "steps": [{"label": "Buy"}]}])
        print(reward_lines(invo, email="ada@example.com"))

if __name__ == "__main__":
    main()
