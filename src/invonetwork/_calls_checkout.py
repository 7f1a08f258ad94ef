"""``InvoServer`` methods for knowing a purchase's state and price.

The checkout status read (authenticated with the checkout session token, never the game
secret), ``wait_for_purchase`` and the price quote. Each method checks its own rules, then
sends its route from ``_routes_checkout``.
"""

from __future__ import annotations

import contextlib
import time
from typing import Callable, Optional

from . import _routes_checkout as routes
from ._caller import Caller
from ._money import MAX_USD_AMOUNT, Money, check_money, money_to_wire
from ._results_checkout import CurrencyPurchaseQuote, PurchaseStatusResult
from ._validation import invalid, optional_text
from .errors import InvoError

__all__ = ["CheckoutCalls"]


def _session_id(value: object) -> str:
    """``session_id``: a non-blank ``str``, stripped (it is quoted into the path)."""
    if not isinstance(value, str) or not value.strip():
        raise invalid("session_id is required: the session_id create_checkout returned")
    return value.strip()


def _session_token(value: object) -> str:
    """``session_token``: a non-blank ``str``, stripped. The value is never shown."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(
            "session_token is required: the session_token create_checkout returned (the "
            "checkout's own bearer token, not the game secret)"
        )
    token = value.strip()
    if not (token.isascii() and token.isprintable()):
        raise invalid("session_token must be printable ASCII (it goes in a header)")
    return token


def _nonblank_or_none(name: str, value: object) -> Optional[str]:
    """An optional ``str`` sent as given when not blank (``None`` / blank: left out)."""
    text = optional_text(name, value)
    return text if text is not None and text.strip() else None


def _seconds(name: str, value: object) -> float:
    """``float(value)`` floored at 0 (§4.1); a value ``float`` refuses is ``INVALID_INPUT``."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise invalid(f"{name} must be a number of seconds, got {type(value).__name__}") from None
    return max(0.0, number)


def _max_attempts(value: object) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise invalid(f"max_attempts must be None or an int >= 1, got {value!r}")
    return value


def _transient(error: InvoError) -> bool:
    """A failed read the loop rides out: no HTTP answer, 429, or a 5xx."""
    return error.status == 0 or error.status == 429 or error.status >= 500


class CheckoutCalls(Caller):
    """Checkout status, waiting for a purchase, price quotes (an ``InvoServer`` mixin)."""

    def get_purchase_status(self, *, session_id: str, session_token: str) -> PurchaseStatusResult:
        """Read where a hosted checkout stands.

        Authenticated with the checkout's own ``session_token`` (``Authorization: Bearer``),
        never the game secret. Grant coins from the ``purchase.completed`` webhook; use this
        (or :meth:`wait_for_purchase`) as the fallback when a webhook is late.

        Args:
            session_id: ``CreateCheckoutResult.session_id`` (stripped).
            session_token: ``CreateCheckoutResult.session_token`` (stripped; never shown in
                an error).

        Raises:
            InvalidInputError: a blank ``session_id`` or ``session_token``.
            AuthenticationError: 401, no or bad token (``WRONG_SESSION_PURPOSE`` for a
                card-setup token).
            PermissionDeniedError: 403 ``SESSION_MISMATCH``, the token of another session.
            GoneError: 410 ``SESSION_EXPIRED``, more than 24 h past the session's expiry.
        """
        sid = _session_id(session_id)
        token = _session_token(session_token)
        result = self._call(routes.PURCHASE_STATUS, session_id=sid, session_token=token)
        if not result.session_id:
            # Built by this call a moment ago and not yet handed out.
            object.__setattr__(result, "session_id", sid)
        return result

    def wait_for_purchase(
        self,
        *,
        session_id: str,
        session_token: str,
        interval: float = 1.5,
        timeout: float = 180.0,
        max_attempts: Optional[int] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        on_update: Optional[Callable[[PurchaseStatusResult], None]] = None,
        sleep: Optional[Callable[[float], None]] = None,
        clock: Optional[Callable[[], float]] = None,
    ) -> PurchaseStatusResult:
        """Poll :meth:`get_purchase_status` until INVO says the purchase is over.

        The fallback for a late webhook, never the way to grant coins in the first place.
        It returns as soon as a read has ``terminal`` set (INVO's verdict; ``status`` is never
        judged here, so ``paid_pending_credit`` keeps it polling). It stops early once
        ``max_attempts`` reads were made, once ``should_stop()`` (asked after each read) is
        true, or when the next read would start past ``timeout``; it then returns the last
        result read (``terminal`` ``False``), else raises the last failure, else raises
        ``InvoError(code="PURCHASE_STATUS_UNAVAILABLE")``.

        A read failing with no HTTP answer, 429 or 5xx is ridden out (each read also keeps
        its own transport retries); any other error (401, 403, 410 ...) is raised at once.

        Args:
            session_id: As for :meth:`get_purchase_status`; checked before the first read.
            session_token: As for :meth:`get_purchase_status`; checked before the first read.
            interval: Seconds between reads (``max(0, float(interval))``).
            timeout: Seconds in all (``max(0, float(timeout))``), on ``clock``.
            max_attempts: At most this many reads (an int >= 1), or ``None``.
            should_stop: Asked after every read; ``True`` ends the wait.
            on_update: Called with every successful read; its exceptions are swallowed.
            sleep: Waits between reads (default ``time.sleep``).
            clock: Monotonic seconds for the deadline (default ``time.monotonic``). An SDK
                extra, so tests can drive the loop with a fake clock.
        """
        sid = _session_id(session_id)
        token = _session_token(session_token)
        pause = _seconds("interval", interval)
        limit = _seconds("timeout", timeout)
        cap = _max_attempts(max_attempts)
        now = clock if clock is not None else time.monotonic
        wait = sleep if sleep is not None else time.sleep
        deadline = now() + limit
        last_result: Optional[PurchaseStatusResult] = None
        last_failure: Optional[InvoError] = None
        reads = 0
        while True:
            reads += 1
            try:
                result = self.get_purchase_status(session_id=sid, session_token=token)
            except InvoError as error:
                if not _transient(error):
                    raise
                last_failure = error
            else:
                last_result, last_failure = result, None
                if on_update is not None:
                    with contextlib.suppress(Exception):  # a callback never ends the wait
                        on_update(result)
                if result.terminal:
                    return result
            if cap is not None and reads >= cap:
                break
            if should_stop is not None and should_stop():
                break
            if now() + pause >= deadline:
                break
            wait(pause)
        if last_result is not None:
            return last_result
        if last_failure is not None:
            raise last_failure
        raise InvoError(  # not reachable with a read per loop; kept for a clear contract
            "the purchase status could not be read", code="PURCHASE_STATUS_UNAVAILABLE")

    def quote_currency_purchase(
        self,
        *,
        usd_amount: Money,
        player_email: Optional[str] = None,
        country: Optional[str] = None,
        subdivision: Optional[str] = None,
    ) -> CurrencyPurchaseQuote:
        """What a card purchase of ``usd_amount`` will charge, with its fees and tax.

        Moves no money and creates nothing (so it is retried like a read). Pass the quote's
        ``total_usd`` to ``purchase_currency(acknowledged_total_usd=...)``.

        Args:
            usd_amount: USD, ``0 < amount <= 999999.99``, at most 2 decimals; sent as given.
            player_email: Optional; sent when not blank (INVO then throttles per player).
            country: ISO 3166-1 alpha-2 tax place; sent as given when not blank. INVO never
                refuses a bad one (the quote is then untaxed).
            subdivision: US state or Canadian province; sent as given when not blank.

        Raises:
            InvalidInputError: ``usd_amount`` breaks the money rule, or an optional argument
                is not a ``str``.
        """
        check_money("usd_amount", usd_amount, MAX_USD_AMOUNT)
        return self._call(
            routes.QUOTE_CURRENCY_PURCHASE,
            usd_amount=money_to_wire(usd_amount),
            player_email=_nonblank_or_none("player_email", player_email),
            country=_nonblank_or_none("country", country),
            subdivision=_nonblank_or_none("subdivision", subdivision),
        )
