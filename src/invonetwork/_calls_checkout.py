"""``InvoServer`` methods for knowing a purchase's state and price.

The checkout status read (authenticated with the checkout session token, never the game
secret), ``wait_for_purchase`` and the price quote. Each method checks its own rules, then
sends its route from ``_routes_checkout``.
"""

from __future__ import annotations

from ._caller import Caller

__all__ = ["CheckoutCalls"]


class CheckoutCalls(Caller):
    """Checkout status, waiting for a purchase, price quotes (an ``InvoServer`` mixin)."""
