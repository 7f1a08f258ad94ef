"""The README's quickstart: the main server calls, as one script you can run.

Against the local sandbox (offline)::

    invonetwork sandbox --player email=player@example.com,balance=500
    # in another shell: paste the export lines it printed, then
    python examples/readme_quickstart.py

Against INVO's sandbox, export ``INVO_GAME_SECRET=ivsdk_test_...`` instead. README.md shows
the region below; ``tests/examples/test_readme.py`` runs this file against the local sandbox.
"""

# --8<-- [start:quickstart]
import uuid

from invonetwork import InvoServer

# One client per process, shared by every thread. Keep the secret server-side.
# from_env() reads INVO_GAME_SECRET and INVO_BASE_URL; InvoServer(game_secret, base_url)
# takes them as arguments. An ivsdk_test_ key alone goes to https://sandbox.invo.network/sandbox.
invo = InvoServer.from_env()

# A short-lived, game-scoped token for the browser SDK.
token = invo.mint_player_token(player_email="player@example.com")

# Sell currency: open INVO's hosted checkout in an iframe or WebView.
checkout = invo.create_checkout(player_email="player@example.com", usd_amount="9.99")
print(checkout.checkout_url)

# Spend currency on an item (grant it off the item.purchased webhook).
order = invo.purchase_item(
    client_request_id=f"order-{uuid.uuid4().hex}",  # idempotency key: reuse it on retry
    player_email="player@example.com",
    player_name="Ada",
    item_id="sword_001",
    item_name="Flaming Sword",
    item_quantity=1,
    unit_price="150.00",
    total_price="150.00",
)
print(order.status, order.new_balance)

balance = invo.get_player_balance(player_email="player@example.com")
for row in balance.balances:
    print(row.currency_name, row.available_balance)
invo.close()
# --8<-- [end:quickstart]
