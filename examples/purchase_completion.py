"""Knowing a purchase is done: the webhook first, ``wait_for_purchase`` as the fallback.

``docs/purchase-completion.md`` includes this file piece by piece, and
``tests/checkout/test_purchase_completion_example.py`` runs every function here against the
local sandbox.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Optional

from invonetwork import CurrencyPurchaseQuote, InvoError, InvoServer, PurchaseResult
from invonetwork.webhooks import WebhookEvent


# --8<-- [start:ledger]
@dataclass
class CoinLedger:
    """Your game's record of granted purchases: one grant per INVO order, whoever reports it.

    Both the webhook and the status fallback can report the same purchase; keying the grant
    on ``order_id`` makes the second report a no-op. (Use a unique database key in production.)
    """

    granted: dict[str, str] = field(default_factory=dict)  # order_id -> coins
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def grant_once(self, order_id: str, coins: str) -> bool:
        """Grant ``coins`` for ``order_id`` unless it was already granted."""
        with self._lock:
            if order_id in self.granted:
                return False
            self.granted[order_id] = coins
            return True
# --8<-- [end:ledger]


# --8<-- [start:webhook]
def on_webhook(ledger: CoinLedger, event: WebhookEvent) -> None:
    """The primary signal: a verified ``purchase.completed`` delivery."""
    if event.event_type == "purchase.completed":
        purchase = event.purchase_completed()
        if purchase.is_renewal_mint_leg:
            return  # a subscription renewal's coin mint: grant nothing for it
        ledger.grant_once(purchase.order_id, str(purchase.currency_amount))
# --8<-- [end:webhook]


# --8<-- [start:fallback]
@dataclass(frozen=True)
class Outcome:
    """What to tell the player."""

    done: bool  # INVO's final word (``terminal``)
    message: str


def settle_from_status(
    invo: InvoServer,
    ledger: CoinLedger,
    *,
    session_id: str,
    session_token: str,
    timeout: float = 120.0,
    sleep: Optional[Callable[[float], None]] = None,
) -> Outcome:
    """The fallback when the webhook is late: poll the checkout's status until INVO says it
    is over (or ``timeout``), and grant a credited purchase through the same ledger."""
    try:
        status = invo.wait_for_purchase(session_id=session_id, session_token=session_token,
                                        interval=2.0, timeout=timeout, sleep=sleep)
    except InvoError as err:
        if err.is_checkout_session_expired:  # 410: more than a day past the session's expiry
            return Outcome(True, "This checkout is too old to look up.")
        raise
    if status.is_credited and status.order_id and status.coins_credited:
        ledger.grant_once(status.order_id, status.coins_credited)
        return Outcome(True, f"{status.coins_credited} {status.currency_name} added.")
    if status.nothing_was_charged:  # expired, declined or cancelled
        return Outcome(True, status.message or "Nothing was charged.")
    if status.terminal:  # refused after a charge, or refunded: INVO refunds it
        return Outcome(True, status.message or "This purchase did not go through.")
    # Not over yet (``paid_pending_credit`` included): the webhook will still come.
    return Outcome(False, "Your payment is being processed; your coins will follow.")
# --8<-- [end:fallback]


# --8<-- [start:quote]
def buy_with_quote(
    invo: InvoServer, *, player_email: str, usd_amount: str, purchase_reference: str,
    payment_method_id: str,
) -> tuple[CurrencyPurchaseQuote, PurchaseResult]:
    """Show the buyer the real total first, then charge exactly what they accepted."""
    quote = invo.quote_currency_purchase(usd_amount=usd_amount, player_email=player_email,
                                         country="US", subdivision="CA")
    # ... show quote.total_usd (tax and fees included) and let the buyer accept it ...
    try:
        bought = invo.purchase_currency(
            player_email=player_email, usd_amount=usd_amount,
            purchase_reference=purchase_reference, payment_method_id=payment_method_id,
            acknowledged_total_usd=quote.total_usd,  # never charge more than this
        )
    except InvoError as err:
        if err.is_quote_stale:  # the total rose since the quote: nothing was charged
            raise RuntimeError(f"the total is now {err.expected_total_usd}: quote again") from err
        raise
    return quote, bought
# --8<-- [end:quote]
