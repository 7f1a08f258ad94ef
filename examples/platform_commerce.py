"""Selling items as a platform tenant: by balance with the buyer's approval, or by card.

Run the whole story against the built-in local sandbox (no account needed)::

    python examples/platform_commerce.py

The docs (``docs/platform-commerce.md``) include this file piece by piece, and
``tests/commerce/test_commerce_examples.py`` runs every function here against the sandbox.
"""

from __future__ import annotations

from decimal import Decimal

from invonetwork import InvoError, InvoServer, PlatformPurchaseResult, WebhookEvent


# --8<-- [start:approved]
def start_balance_sale(invo: InvoServer, *, cart_id: str, email: str, name: str,
                       sku: str, title: str, price: Decimal) -> str:
    """Ask the buyer to approve paying from their INVO balance; returns where to send them."""
    try:
        sale = invo.platform_commerce.purchase(
            client_request_id=cart_id,  # one per cart: a repeat returns the same approval
            funding_source="balance", player_email=email, player_name=name,
            item_id=sku, item_name=title, item_quantity=1, unit_price=price,
            total_price=price,
            require_player_approval=True,  # the email came from a public page
            return_url="https://shop.example/cart",
        )
    except InvoError as err:
        if err.is_balance_unavailable:
            return "https://shop.example/pay-by-card"  # unknown buyer or short balance
        raise
    return str(sale.approval_url)
# --8<-- [end:approved]


# --8<-- [start:card]
def start_card_sale(invo: InvoServer, *, cart_id: str, email: str, name: str, sku: str,
                    title: str, price_usd: Decimal) -> PlatformPurchaseResult:
    """Open INVO's hosted card page; fulfil on the webhook, never on the return URL."""
    return invo.platform_commerce.purchase(
        client_request_id=cart_id, funding_source="card", player_email=email,
        player_name=name, item_id=sku, item_name=title, item_quantity=1,
        unit_price=price_usd, total_price=price_usd,
        success_url="https://shop.example/thanks", cancel_url="https://shop.example/cart",
        metadata={"cart_id": cart_id},
    )
# --8<-- [end:card]


# --8<-- [start:webhook]
def on_commerce_event(event: WebhookEvent) -> str:
    """The sale is final on ``platform_commerce.purchased``; ``.declined`` is opt-in."""
    data = event.data
    if event.event_type == "platform_commerce.purchased":
        return f"ship {data['item_quantity']} x {data['item_id']} (order {data['order_id']})"
    if event.event_type == "platform_commerce.declined":
        return f"release cart {data['client_request_id']}: {data['reason']}"
    if event.event_type == "platform_commerce.refunded":
        return f"order {data['order_id']} refunded {data['refunded_amount']}"
    return "ignored"
# --8<-- [end:webhook]


# --8<-- [start:refund]
def refund_order(invo: InvoServer, order_id: str) -> str:
    """Refund a sale; a second refund is "already done", not a failure to retry."""
    try:
        done = invo.platform_commerce.refund(order_id=order_id, reason="customer request")
    except InvoError as err:
        if err.is_already_refunded:
            return "already refunded"
        if err.is_refund_remaining_requires_confirmation:
            done = invo.platform_commerce.refund(order_id=order_id, refund_remaining=True,
                                                 confirm_additional_refund=True)
        else:
            raise
    return f"refunded {done.refunded_amount} {done.amount_unit}"
# --8<-- [end:refund]


def main() -> None:
    from invonetwork.sandbox import Sandbox

    buyer = {"email": "ada@example.com", "name": "Ada", "balance": "100"}
    with Sandbox(players=[buyer], tenant_type="platform") as sb, sb.client() as invo:
        url = start_balance_sale(invo, cart_id="cart-1", email="ada@example.com", name="Ada",
                                 sku="mug", title="Mug", price=Decimal("20.00"))
        approval_id = url.rsplit("/", 1)[-1]
        approved = sb.approve_platform_purchase(approval_id)  # the buyer, on INVO's page
        print("balance sale:", approved["status"], approved["order_id"])
        card = start_card_sale(invo, cart_id="cart-2", email="ada@example.com", name="Ada",
                               sku="poster", title="Poster", price_usd=Decimal("12.00"))
        paid = sb.pay_platform_checkout(str(card.session_id))  # the buyer pays on the page
        print("card sale:", invo.platform_commerce.get_status(paid["order_id"]).status)
        print(refund_order(invo, paid["order_id"]))


if __name__ == "__main__":
    main()
