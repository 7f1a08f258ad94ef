"""Using the local INVO sandbox as a context manager, as ``docs/sandbox.md`` shows it.

Each ``test_*`` function is a real pytest test. ``tests/examples/test_doc_recipes.py``
imports them so they run with this project's suite; ``docs/sandbox.md`` includes them piece
by piece (the pytest-fixture versions are in ``examples/sandbox_pytest_recipes.py``).
"""

from __future__ import annotations

# --8<-- [start:context-manager-test]
from invonetwork.sandbox import Sandbox


def test_player_can_buy_a_sword() -> None:
    with Sandbox(players=[{"email": "ada@example.com", "balance": "500"}]) as sb:
        invo = sb.client()                     # an InvoServer aimed at the sandbox
        order = invo.purchase_item(
            client_request_id="req-1", player_email="ada@example.com", player_name="Ada",
            item_id="sword_001", item_name="Flaming Sword", item_quantity=1,
            unit_price="150.00", total_price="150.00",
        )
        assert order.new_balance == "350.00"
        split = order.financial_breakdown or {}      # None when INVO sends no breakdown
        assert split["developer_revenue"] == "135.00"   # 90/10 split
# --8<-- [end:context-manager-test]


# --8<-- [start:tour]
def test_what_a_sandbox_gives_you() -> None:
    with Sandbox() as sb:  # Sandbox(**knobs): the knobs are in the table below
        # the base URL to pass to InvoServer: "http://127.0.0.1:<port>/sandbox"
        assert sb.base_url.startswith("http://127.0.0.1:") and sb.base_url.endswith("/sandbox")
        # the X-Game-Secret-Key it accepts ("ivsdk_test_..." by default)
        assert sb.game_secret.startswith("ivsdk_test_")
        # the current signing secret of its webhooks
        assert sb.webhook_secret.startswith("whsec_")
        # sb.client(**kw) is InvoServer(sb.game_secret, sb.base_url, **kw)
        with sb.client(timeout=5) as invo:
            assert invo.base_url == sb.base_url
            # an unknown player needs a phone to be created (the API's rule)
            assert invo.mint_player_token(player_email="ada@example.com",
                                          player_phone="+15555550100").token
# --8<-- [end:tour]
