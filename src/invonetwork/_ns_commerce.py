"""``server.platform_commerce``: selling items by balance or card outside a game."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from decimal import Decimal
from typing import Any, Optional, TypeVar, Union

from . import _routes_payouts as routes
from ._caller import Namespace
from ._money import MAX_ITEM_PRICE, Money, check_money, check_total_matches, money_to_wire
from ._results import _Result
from ._results_payouts import (
    PlatformApprovalResult,
    PlatformOrderStatusResult,
    PlatformPurchaseHistoryResult,
    PlatformPurchaseResult,
    PlatformRefundResult,
)
from ._validation import check_e164, invalid
from .errors import InvalidInputError

__all__ = ["PlatformCommerce"]

_FUNDING_SOURCES = ("balance", "card")
#: The card leg's minimum total, checked here with INVO's own code; INVO enforces the
#: maximum (a runtime setting) and answers ``ABOVE_CARD_MAXIMUM`` with the live figure.
CARD_MINIMUM_USD = Decimal("0.50")
_HISTORY_MAX = 100

_R = TypeVar("_R", bound=_Result)


def _present(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _required(name: str, value: object) -> Any:
    """A required text argument: a non-blank ``str``, sent as given."""
    if not _present(value):
        raise invalid(f"{name} is required (a non-blank str), got {value!r}")
    return value


def _with(result: _R, **changes: Any) -> _R:
    """``result`` with ``changes``, keeping its request id."""
    made = dataclasses.replace(result, **changes)  # type: ignore[type-var]
    object.__setattr__(made, "request_id", result.request_id)
    return made


def _history_query(player_email: object, limit: object, cursor: object) -> dict[str, Any]:
    if not _present(player_email):
        raise invalid(f"player_email is required (a non-blank str), got {player_email!r}")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)
                              or not 1 <= limit <= _HISTORY_MAX):
        raise invalid(f"limit must be an int from 1 to {_HISTORY_MAX}, got {limit!r}")
    if cursor is not None and not _present(cursor):
        raise invalid("cursor must be a non-empty str (a next_cursor from the last page)")
    return {"player_email": str(player_email).strip(), "limit": limit, "cursor": cursor}


class PlatformCommerce(Namespace):
    """Orders of a platform tenant: ``server.platform_commerce``.

    A platform tenant (a store, a video or creator app: not a game) sells items paid from
    the buyer's INVO balance or by card on INVO's hosted page, with refunds. This is not
    ``purchase_item`` (a game spending its own currency). A game account gets
    ``403 NOT_A_PLATFORM_TENANT`` on every call here (``err.is_not_platform_tenant``).

    Decisions where INVO's documents are silent (SDK side):

    * ``iterate_purchase_history`` stops when a page repeats any cursor already followed
      (not only the one that produced it), so a backend that cycles cannot loop forever.
    * ``get_status`` refuses a ``bool`` order id.
    """

    def purchase(
        self,
        *,
        client_request_id: str,
        funding_source: str,
        player_email: str,
        player_name: str,
        item_id: str,
        item_name: str,
        item_quantity: int,
        unit_price: Money,
        total_price: Money,
        player_phone: Optional[str] = None,
        item_description: Optional[str] = None,
        item_category: Optional[str] = None,
        success_url: Optional[str] = None,
        cancel_url: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        require_player_approval: Optional[bool] = None,
        return_url: Optional[str] = None,
    ) -> PlatformPurchaseResult:
        """Sell an item, paid from the buyer's INVO balance or by card.

        * ``funding_source="balance"``: debited now, ``status="success"`` with
          ``order_id`` and ``new_balance`` (``total_price`` is in the tenant's currency). A
          repeated ``client_request_id`` is ``409 DUPLICATE_REQUEST`` (``is_duplicate_request``).
        * ``funding_source="balance"`` with ``require_player_approval=True``: nothing is
          debited; ``status="pending_approval"`` with ``approval_id`` and ``approval_url``.
          Send the buyer there; the sale is final on ``platform_commerce.purchased``, and any
          other ending sends ``platform_commerce.declined`` (subscribe to it by name). Use this
          whenever the buyer's email comes from a public page. ``return_url`` is the page's
          "back to the store" link. Unknown buyer or short balance: ``400
          BALANCE_UNAVAILABLE`` (``is_balance_unavailable``).
        * ``funding_source="card"``: ``status="requires_payment"`` with ``checkout_url``:
          INVO's hosted page takes the card. The order settles on the
          ``platform_commerce.purchased`` webhook (fulfil then, never on the return URL). The
          same key replays the same session (``idempotent_replay``); once paid, ``409
          DUPLICATE_CLIENT_REQUEST_ID``. ``total_price`` is USD, at least $0.50 (checked
          here: code ``BELOW_STRIPE_MINIMUM``, ``public_code`` ``BELOW_CARD_MINIMUM``).

        Retried after a lost answer: the balance leg refuses the repeat and the card leg
        replays, so nothing is charged twice.

        Raises (before sending, in this order): ``INVALID_INPUT`` for a blank
        ``client_request_id``, ``player_email``, ``player_name``, ``item_id`` or
        ``item_name``; a ``funding_source`` other than ``balance``/``card``; an
        ``item_quantity`` that is not an int from 1 to 1000; a price that is not a plain
        positive decimal up to 999999.99; a ``total_price`` more than one cent away from
        ``unit_price * item_quantity``; then the card minimum; then a ``player_phone`` that
        is not E.164.
        """
        for name, value in (("client_request_id", client_request_id),
                            ("player_email", player_email), ("player_name", player_name),
                            ("item_id", item_id), ("item_name", item_name)):
            _required(name, value)
        if not isinstance(funding_source, str) or funding_source not in _FUNDING_SOURCES:
            raise invalid(f"funding_source must be 'balance' or 'card', got {funding_source!r}")
        if (isinstance(item_quantity, bool) or not isinstance(item_quantity, int)
                or not 1 <= item_quantity <= 1000):
            raise invalid(f"item_quantity must be an int from 1 to 1000, got {item_quantity!r}")
        unit = check_money("unit_price", unit_price, MAX_ITEM_PRICE)
        total = check_money("total_price", total_price, MAX_ITEM_PRICE)
        check_total_matches(unit, item_quantity, total)
        if funding_source == "card" and total < CARD_MINIMUM_USD:
            raise InvalidInputError(
                f"a card purchase must total at least ${CARD_MINIMUM_USD}, got {total}",
                code="BELOW_STRIPE_MINIMUM", public_code="BELOW_CARD_MINIMUM",
            )
        if player_phone is not None:
            check_e164("player_phone", player_phone)
        approval = bool(require_player_approval)
        answer = self._client._call(
            routes.PLATFORM_PURCHASE,
            client_request_id=client_request_id,
            funding_source=funding_source,
            player_email=player_email,
            player_name=player_name,
            item_id=item_id,
            item_name=item_name,
            item_quantity=item_quantity,
            unit_price=money_to_wire(unit_price),
            total_price=money_to_wire(total_price),
            player_phone=player_phone or None,
            item_description=item_description or None,
            item_category=item_category or None,
            success_url=success_url or None,
            cancel_url=cancel_url or None,
            metadata=dict(metadata) if metadata else None,
            require_player_approval=True if approval else None,
            return_url=(return_url or None) if approval else None,
        )
        if not answer.funding_source:
            answer = _with(answer, funding_source=funding_source)
        return answer

    def get_approval(
        self, approval_id: Optional[str] = None, *, client_request_id: Optional[str] = None
    ) -> PlatformApprovalResult:
        """Read a buyer-approved purchase by ``approval_id`` or by your ``client_request_id``
        (exactly one). ``completed`` carries ``order_id``; an ending without a sale carries
        ``reason``. ``404 APPROVAL_NOT_FOUND`` (``is_approval_not_found``)."""
        if bool(approval_id) == bool(client_request_id):
            raise invalid("pass exactly one of approval_id or client_request_id")
        if approval_id:
            return self._client._call(routes.PLATFORM_GET_APPROVAL,
                                      approval_id=_required("approval_id", approval_id))
        return self._client._call(
            routes.PLATFORM_FIND_APPROVAL,
            client_request_id=_required("client_request_id", client_request_id))

    def cancel_approval(self, approval_id: str) -> PlatformApprovalResult:
        """Withdraw a buyer-approved purchase that is still waiting (cart abandoned).

        ``platform_commerce.declined`` follows with reason ``cancelled``. ``409
        APPROVAL_ALREADY_ENDED`` (``is_approval_already_ended``) when it had already ended:
        read it with :meth:`get_approval`, it may have completed.
        """
        return self._client._call(routes.PLATFORM_CANCEL_APPROVAL,
                                  approval_id=_required("approval_id", approval_id))

    def get_status(self, order_id: Union[str, int]) -> PlatformOrderStatusResult:
        """An order's status: ``completed`` (balance at once; card after the webhook),
        ``pending_payment`` (card not settled yet) or ``refunded``."""
        if isinstance(order_id, bool) or not isinstance(order_id, (str, int)) or (
                isinstance(order_id, str) and not order_id.strip()):
            raise invalid(f"order_id is required (a non-blank str or an int), got {order_id!r}")
        answer = self._client._call(routes.PLATFORM_STATUS, order_id=order_id)
        if answer.raw.get("order_id") is None:
            answer = _with(answer, order_id=order_id)
        return answer

    def get_purchase_history(
        self, *, player_email: str, limit: Optional[int] = None, cursor: Optional[str] = None
    ) -> PlatformPurchaseHistoryResult:
        """One page of a player's orders in your store, newest first.

        ``limit`` is 1..100 (INVO's default 50). Pass the last page's ``next_cursor`` as
        ``cursor``. ``404 PLAYER_NOT_FOUND`` (``is_player_not_found``), ``400
        INVALID_CURSOR`` (``is_invalid_cursor``). ``player_email`` is sent trimmed.
        """
        values = _history_query(player_email, limit, cursor)
        answer = self._client._call(routes.PLATFORM_HISTORY, **values)
        if not answer.player_email:
            answer = _with(answer, player_email=values["player_email"])
        return answer

    def iterate_purchase_history(
        self, *, player_email: str, page_size: Optional[int] = None
    ) -> Iterator[PlatformOrderStatusResult]:
        """Every order of a player, newest first, following ``next_cursor`` page by page.

        The arguments are checked at once (before the first page), and the walk stops at the
        last page or when a cursor comes back that was already followed.
        """
        _history_query(player_email, page_size, None)
        return self._walk(player_email, page_size)

    def _walk(
        self, player_email: str, page_size: Optional[int]
    ) -> Iterator[PlatformOrderStatusResult]:
        cursor: Optional[str] = None
        followed: set[Optional[str]] = {None}
        while True:
            page = self.get_purchase_history(player_email=player_email, limit=page_size,
                                             cursor=cursor)
            yield from page.purchases
            if page.next_cursor is None or page.next_cursor in followed:
                return
            cursor = page.next_cursor
            followed.add(cursor)

    def refund(
        self,
        *,
        order_id: Optional[Union[str, int]] = None,
        client_request_id: Optional[str] = None,
        reason: Optional[str] = None,
        refund_remaining: Optional[bool] = None,
        confirm_additional_refund: Optional[bool] = None,
    ) -> PlatformRefundResult:
        """Refund a completed order, named by exactly one of ``order_id`` or
        ``client_request_id``.

        INVO keeps its fee (``fee_retained``): a card is refunded the price; a balance sale
        re-credits the buyer (``new_balance``). The order becomes ``refunded``; a second
        refund is a 409 (``is_already_refunded``): treat it as done. A card sale partly
        refunded outside the API needs ``refund_remaining=True`` for the rest (else 409
        ``is_refund_remaining_requires_confirmation``) and, within 120 seconds of the last
        refund, ``confirm_additional_refund=True`` too (else 409
        ``is_refund_recently_issued``). Both flags are sent only when ``True``.
        """
        has_order = order_id is not None and str(order_id).strip() != ""
        has_key = _present(client_request_id)
        if has_order == has_key:
            raise invalid("pass exactly one of order_id or client_request_id")
        return self._client._call(
            routes.PLATFORM_REFUND,
            order_id=order_id if has_order else None,
            client_request_id=client_request_id if has_key else None,
            reason=reason or None,
            refund_remaining=True if refund_remaining is True else None,
            confirm_additional_refund=True if confirm_additional_refund is True else None,
        )
