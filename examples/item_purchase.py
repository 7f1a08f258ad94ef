"""Spending game currency on items: buy, handle the expected failures, recover, list.

Run the whole story against the built-in local sandbox (no account needed)::

    python examples/item_purchase.py

The docs (``docs/item-purchase.md``) include this file piece by piece, and
``tests/examples/test_flow_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional

from invonetwork import (
    DuplicateRequestError,
    InsufficientBalanceError,
    InvoServer,
    NotFoundError,
    OrderDetailsResult,
    PurchaseItemResult,
    RateLimitError,
)


# --8<-- [start:buy]
def buy_item(
    invo: InvoServer, *, player_email: str, player_name: str, item_id: str, item_name: str,
    unit_price: Decimal, quantity: int, request_id: str,
) -> PurchaseItemResult:
    """Debit ``quantity`` items at ``unit_price`` from the player's balance."""
    return invo.purchase_item(
        client_request_id=request_id,  # idempotency key: one per purchase, kept for retries
        player_email=player_email,
        player_name=player_name,
        item_id=item_id,
        item_name=item_name,
        item_quantity=quantity,  # an int from 1 to 1000
        unit_price=unit_price,  # game currency, not USD; Decimal keeps it exact
        total_price=unit_price * quantity,  # must match, or nothing is sent
        item_category="weapons",
    )
# --8<-- [end:buy]


# --8<-- [start:outcome]
@dataclass(frozen=True)
class Outcome:
    """What to tell the player after trying to buy."""

    status: str  # "bought", "already-bought", "short", "busy"
    order_id: Any = None
    new_balance: Any = None
    required: Any = None
    current: Any = None
    retry_after: Optional[float] = None


def try_to_buy(
    invo: InvoServer, *, player_email: str, player_name: str, item_id: str, item_name: str,
    unit_price: Decimal, quantity: int, request_id: str,
) -> Outcome:
    """Buy, turning the expected refusals into answers instead of exceptions."""
    try:
        item = buy_item(invo, player_email=player_email, player_name=player_name,
                        item_id=item_id, item_name=item_name, unit_price=unit_price,
                        quantity=quantity, request_id=request_id)
    except InsufficientBalanceError as err:  # HTTP 400; the body says by how much
        body = err.body if isinstance(err.body, dict) else {}
        return Outcome("short", required=body.get("required_amount"),
                       current=body.get("current_balance"))
    except DuplicateRequestError:  # this request_id went through before: nothing charged
        earlier = invo.get_item_order_details(client_request_id=request_id)
        return Outcome("already-bought", order_id=earlier.order.get("order_id"))
    except RateLimitError as err:  # throttled after the SDK's own retries
        return Outcome("busy", retry_after=err.retry_after)
    return Outcome("bought", order_id=item.order_id, new_balance=item.new_balance)
# --8<-- [end:outcome]


# --8<-- [start:recover]
def find_purchase(invo: InvoServer, request_id: str) -> Optional[OrderDetailsResult]:
    """Did the purchase with this request id happen? (after a crash or a lost answer)."""
    try:
        return invo.get_item_order_details(client_request_id=request_id)
    except NotFoundError:
        return None
# --8<-- [end:recover]


# --8<-- [start:history]
def items_owned(invo: InvoServer, player_email: str) -> Counter[str]:
    """Count every item a player ever bought, page by page."""
    owned: Counter[str] = Counter()
    for row in invo.iterate_item_purchase_history(player_email=player_email, page_size=100):
        owned[row["item_id"]] += int(row["item_quantity"])
    return owned
# --8<-- [end:history]


def main() -> None:
    """Buy, buy again with the same key, run short, and list, against a local sandbox."""
    from invonetwork.sandbox import Sandbox

    with Sandbox(players=[{"email": "ada@example.com", "balance": "500"}]) as sandbox:
        invo = sandbox.client()
        order = {"player_email": "ada@example.com", "player_name": "Ada",
                 "item_id": "sword_001", "item_name": "Flaming Sword"}
        request_id = str(uuid.uuid4())
        print(try_to_buy(invo, **order, unit_price=Decimal("150.00"), quantity=2,
                         request_id=request_id))
        print(try_to_buy(invo, **order, unit_price=Decimal("150.00"), quantity=2,
                         request_id=request_id))
        print(try_to_buy(invo, **order, unit_price=Decimal("150.00"), quantity=2,
                         request_id=str(uuid.uuid4())))
        print("found:", find_purchase(invo, request_id) is not None)
        print("owned:", dict(items_owned(invo, "ada@example.com")))


if __name__ == "__main__":
    main()
