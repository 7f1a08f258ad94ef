"""Selling currency for real money: the hosted checkout, and the direct rail.

Run the whole story against the built-in local sandbox (no account needed)::

    python examples/currency_checkout.py

The docs (``docs/currency-purchase.md``) include this file piece by piece, and
``tests/examples/test_flow_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from invonetwork import (
    ConfirmPaymentResult,
    CreateCheckoutResult,
    InvoError,
    InvoServer,
    PurchaseResult,
)


# --8<-- [start:hosted]
def open_checkout(
    invo: InvoServer, *, player_email: str, usd_amount: str, order_ref: str
) -> CreateCheckoutResult:
    """Open INVO's hosted checkout for one purchase; send the browser to ``checkout_url``."""
    return invo.create_checkout(
        player_email=player_email,
        usd_amount=usd_amount,  # a string such as "9.99" keeps the cents exact
        rail="platform",  # card (the default); "game" and "steam" when enabled for your game
        success_url="https://yourgame.example/store/thanks",
        cancel_url="https://yourgame.example/store",
        metadata={"order_ref": order_ref},  # comes back on the purchase.completed webhook
    )
# --8<-- [end:hosted]


# --8<-- [start:hosted-errors]
def checkout_or_message(
    invo: InvoServer, *, player_email: str, usd_amount: str, order_ref: str
) -> tuple[Optional[CreateCheckoutResult], str]:
    """Open a checkout, or explain to the player why the store cannot right now."""
    try:
        return open_checkout(invo, player_email=player_email, usd_amount=usd_amount,
                             order_ref=order_ref), ""
    except InvoError as err:
        if err.code == "INVALID_INPUT":  # raised before anything was sent
            return None, f"That amount cannot be bought: {err.message}"
        if err.code == "flow_paused":  # INVO paused purchases for a while
            return None, "Purchases are paused for a moment. Please try again soon."
        # Not retried by the SDK: a lost answer might have opened a session. A new click
        # opens a new one; an unused session simply expires after 15 minutes.
        return None, f"The store is unavailable (reference {err.request_id or 'n/a'})."
# --8<-- [end:hosted-errors]


# --8<-- [start:direct]
@dataclass(frozen=True)
class NextStep:
    """What the browser should do after a direct-rail purchase."""

    action: str  # "done", "authenticate" (3-D Secure) or "redirect"
    order_id: Any = None
    client_secret: Optional[str] = None  # "authenticate": the browser's card challenge
    payment_intent_id: Optional[str] = None  # "authenticate": confirm it afterwards
    payment_url: Optional[str] = None  # "redirect": send the browser there
    new_balance: Any = None  # for "done"


def buy_direct(
    invo: InvoServer, *, player_email: str, usd_amount: str, payment_method_id: str,
    order_ref: str,
) -> NextStep:
    """Charge a payment method you tokenized yourself, and say what happens next."""
    purchase: PurchaseResult = invo.purchase_currency(
        player_email=player_email,
        usd_amount=usd_amount,
        purchase_reference=f"topup-{order_ref}",  # idempotency key: same order, same key
        payment_method_id=payment_method_id,
        metadata={"order_ref": order_ref},
    )
    if purchase.status == "success":
        return NextStep("done", purchase.order_id, new_balance=purchase.new_balance)
    if purchase.status == "requires_action":
        return NextStep("authenticate", purchase.order_id,
                        client_secret=purchase.client_secret,
                        payment_intent_id=purchase.payment_intent_id)
    if purchase.status == "pending_payment":
        return NextStep("redirect", purchase.order_id, payment_url=purchase.payment_url)
    raise RuntimeError(f"unexpected purchase status {purchase.status!r}")
# --8<-- [end:direct]


# --8<-- [start:confirm]
def finish_authentication(invo: InvoServer, step: NextStep) -> ConfirmPaymentResult:
    """After the player passed 3-D Secure in the browser, confirm the payment."""
    if step.action != "authenticate" or not step.payment_intent_id:
        raise ValueError("only an 'authenticate' step has a payment to confirm")
    return invo.confirm_payment(payment_intent_id=step.payment_intent_id,
                                order_id=step.order_id)
# --8<-- [end:confirm]


# --8<-- [start:reconcile]
def order_status(invo: InvoServer, order_id: Any) -> str:
    """Where a currency purchase stands, for support tools and nightly reconciliation."""
    details = invo.get_order_details(order_id=order_id)
    # details.financial_summary holds the amounts; details.status_timeline the history.
    return str(details.order.get("status", ""))
# --8<-- [end:reconcile]


def main() -> None:
    """Walk both paths against a local sandbox and print what happens."""
    from invonetwork.sandbox import Sandbox

    with Sandbox(players=[{"email": "ada@example.com", "balance": "0"}]) as sandbox:
        invo = sandbox.client()
        checkout = open_checkout(invo, player_email="ada@example.com", usd_amount="9.99",
                                 order_ref="ord-1001")
        print("hosted checkout:", checkout.checkout_url)
        sandbox.pay_checkout(str(checkout.session_id))  # what the player does on the hosted page
        print("balance after paying:", sandbox.balance("ada@example.com"))

        step = buy_direct(invo, player_email="ada@example.com", usd_amount="4.99",
                          payment_method_id="pm_card_3ds", order_ref="ord-1002")
        print("direct rail:", step.action)
        if step.action == "authenticate":
            confirmed = finish_authentication(invo, step)
            print("confirmed:", confirmed.status, "new balance", confirmed.new_balance)
        print("order status:", order_status(invo, step.order_id))


if __name__ == "__main__":
    main()
