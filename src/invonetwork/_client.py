"""``InvoServer``: what each API method checks, sends and returns.

How a request travels (session, retries, hooks, error mapping) lives in ``_transport``; which
calls may be retried lives in ``_routes``; argument rules in ``_validation`` and ``_money``;
result classes in ``_results``.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import socket
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Optional, Union
from urllib.parse import quote, urlencode, urlsplit

import requests

from . import _routes as routes
from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_SIZE,
    DEFAULT_RETRY_BASE_DELAY,
    DEFAULT_TIMEOUT,
    PRODUCTION_BASE_URL,
    PRODUCTION_MANAGEMENT_URL,
    SANDBOX_BASE_URL,
    SecretStr,
    Timeout,
    is_loopback_host,
    resolve_base_url,
    validate_timeout,
)
from ._hooks import Hooks
from ._money import (
    MAX_ITEM_PRICE,
    MAX_USD_AMOUNT,
    Money,
    check_money,
    check_total_matches,
    money_to_wire,
)
from ._results import (
    ClaimResult,
    ConfirmPaymentResult,
    CreateCheckoutResult,
    DestinationsResult,
    GuardianApprovalStatusResult,
    InboundPendingResult,
    InitiateResult,
    ItemHistoryResult,
    LinkedIdentitiesResult,
    OrderDetailsResult,
    PhoneShareApproveResult,
    PhoneShareInitiateResult,
    PhoneShareStatusResult,
    PlayerBalanceResult,
    PlayerToken,
    PurchaseItemResult,
    PurchaseResult,
    RotateSecretResult,
    SmsVerifyResult,
    TransactionStatusResult,
    WebhookEndpointResult,
)
from ._routes import Route
from ._telemetry import Telemetry
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, Transport
from ._validation import check_e164, invalid, is_blank, optional_text, require_text
from .errors import NotFoundError

__all__ = ["InvoServer"]

_RAILS = ("platform", "game", "steam")
_DIRECTIONS = {"transfer": routes.TRANSFER_DESTINATIONS, "send": routes.SEND_DESTINATIONS}
_Id = Union[str, int]


def _check_retries(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"max_retries must be an int >= 0, got {value!r}")
    return value


def _check_delay(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (
        0 <= float(value) < float("inf")
    ):
        raise ValueError(f"retry_base_delay must be a finite number >= 0, got {value!r}")
    return float(value)


def _path_id(name: str, value: object) -> str:
    """An id for a URL path: non-blank, quoted with no safe characters."""
    if isinstance(value, bool) or not isinstance(value, (str, int)) or is_blank(value):
        raise invalid(f"{name} is required (a non-blank str or an int)")
    return _segment(name, str(value))


def _segment(name: str, text: str) -> str:
    """``text`` quoted with no safe characters, as one path segment.

    ``quote`` leaves ``.`` alone and requests decodes ``%2E`` back, so an id of ``.`` or
    ``..`` would be a dot segment that URL normalisation removes: the call (with the game
    secret) would reach another endpoint. No real id is spelled that way: refuse it.
    """
    if text in (".", ".."):
        raise invalid(f"{name} must not be {text!r} (it would address another endpoint)")
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
        raise invalid(f"{name} is not encodable as UTF-8") from None


def _clean(value: Optional[str]) -> Optional[str]:
    """A trimmed optional string, ``None`` when blank."""
    return value.strip() if isinstance(value, str) and value.strip() else None


def _check_page_arg(name: str, value: object, minimum: int) -> Optional[int]:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise invalid(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def _as_count(value: object) -> Optional[int]:
    """``pagination.total`` as a row count: a number or any numeric string ("3", "3.0").

    A fractional total can only mean "at least that many rows", so it is rounded up.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and math.isfinite(value):
        return math.ceil(value)
    return None


_LEGACY_IPV4 = re.compile(r"[0-9a-fx.]+")


def _ip_literal(host: str) -> Optional[Union[ipaddress.IPv4Address, ipaddress.IPv6Address]]:
    """The address a host literal names, including the shorthand IPv4 forms resolvers accept
    (``127.1``, ``2130706433``, ``0x7f.0.0.1``, ``0177.0.0.1``); ``None`` for a DNS name."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _LEGACY_IPV4.fullmatch(host) and any(ch.isdigit() for ch in host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def _check_public_target_url(target_url: object, *, allow_loopback_http: bool) -> str:
    """A webhook target must be https on a public address (INVO refuses the others)."""
    if not isinstance(target_url, str) or not target_url.strip():
        raise invalid("target_url must be a non-empty https:// URL")
    try:
        parts = urlsplit(target_url.strip())
        host = (parts.hostname or "").lower()
    except ValueError:
        raise invalid(f"target_url is not a valid URL: {target_url!r}") from None
    if not host:
        raise invalid("target_url must have a host")
    if allow_loopback_http and parts.scheme in ("http", "https") and is_loopback_host(host):
        return target_url.strip()
    if parts.scheme != "https":
        raise invalid("target_url must use https://")
    host = host.rstrip(".")  # "localhost." and "169.254.169.254." name the same hosts
    if host == "localhost" or host.endswith(".localhost") or host.endswith(".internal"):
        raise invalid(f"target_url must be a public address, not {host!r}")
    address = _ip_literal(host)
    if address is None:
        return target_url.strip()  # a name: INVO resolves and checks it
    if not address.is_global:
        raise invalid(
            f"target_url must be a public address; {host} is loopback, private, link-local "
            "or reserved"
        )
    return target_url.strip()


def _check_telemetry(telemetry: object) -> Optional[Telemetry]:
    if telemetry is not None and not isinstance(telemetry, Telemetry):
        raise ValueError("telemetry must be an invonetwork.Telemetry instance")
    return telemetry


class InvoServer:
    """The INVO server API, authenticated with your game secret.

    Create one per process and share it: it is safe to use from many threads, and it keeps a
    pool of keep-alive connections. Use it as a context manager, or call :meth:`close`.

    Args:
        game_secret: Your game's secret key (``ivsdk_...``). Server-side only.
        base_url: ``https://invo.network`` (production) or
            ``https://sandbox.invo.network/sandbox`` (sandbox). When left out, an
            ``ivsdk_live_`` key selects production and an ``ivsdk_test_`` key the sandbox.
            ``http://`` is accepted only for localhost.
        timeout: Seconds per attempt, or a ``(connect, read)`` pair.
        max_retries: Extra attempts for idempotent calls (0 disables retries).
        retry_base_delay: Base of the exponential backoff, in seconds.
        hooks: Observability callbacks (:class:`Hooks`).
        session: Your own ``requests.Session`` (proxies, a corporate CA, mTLS). It is used
            as-is and not closed by :meth:`close`.
        pool_size: Keep-alive connections kept per host (default 32; raise it for larger
            thread pools).
        user_agent: Text appended to the SDK's ``User-Agent`` (e.g. ``"mygame/1.4"``).
        management_base_url: Host of the webhook management API. Defaults to
            ``https://api.invo.network`` for production and to ``base_url`` otherwise.
        max_response_bytes: Answers larger than this are refused (default 16 MiB).
        telemetry: OpenTelemetry settings (:class:`Telemetry`). By default the SDK records
            spans and metrics through the global providers whenever the application has
            configured them (the ``otel`` extra), and does nothing otherwise; pass
            ``Telemetry(enabled=False)`` to turn it off, or providers of your own.

    Raises:
        ValueError: On an empty secret, a non-https or malformed ``base_url``, or a key
            aimed at the other environment's host.
    """

    def __init__(
        self,
        game_secret: str,
        base_url: Optional[str] = None,
        *,
        timeout: Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        retry_base_delay: float = DEFAULT_RETRY_BASE_DELAY,
        hooks: Optional[Hooks] = None,
        session: Optional[requests.Session] = None,
        pool_size: int = DEFAULT_POOL_SIZE,
        user_agent: Optional[str] = None,
        management_base_url: Optional[str] = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        telemetry: Optional[Telemetry] = None,
    ) -> None:
        secret = SecretStr(game_secret) if isinstance(game_secret, str) else game_secret
        del game_secret  # only the masked copy stays in this frame
        self.base_url = resolve_base_url(secret, base_url)
        if management_base_url is not None:
            self.management_base_url = resolve_base_url(secret, management_base_url)
        elif self.base_url == PRODUCTION_BASE_URL:
            self.management_base_url = PRODUCTION_MANAGEMENT_URL
        else:
            self.management_base_url = self.base_url
        if hooks is not None and not isinstance(hooks, Hooks):
            raise ValueError("hooks must be an invonetwork.Hooks instance")
        if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
            raise ValueError(f"pool_size must be an int >= 1, got {pool_size!r}")
        if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or (
            max_response_bytes < 1
        ):
            raise ValueError("max_response_bytes must be an int >= 1")
        if session is not None and not isinstance(session, requests.Session):
            raise ValueError("session must be a requests.Session")
        if user_agent is not None and (
            not isinstance(user_agent, str) or "\n" in user_agent or "\r" in user_agent
        ):
            raise ValueError("user_agent must be a single-line str")
        self._transport = Transport(
            game_secret=secret,
            timeout=validate_timeout(timeout),
            max_retries=_check_retries(max_retries),
            retry_base_delay=_check_delay(retry_base_delay),
            hooks=hooks,
            session=session,
            pool_size=pool_size,
            user_agent=user_agent,
            max_response_bytes=max_response_bytes,
            telemetry=_check_telemetry(telemetry),
        )
        self._loopback = is_loopback_host(urlsplit(self.base_url).hostname or "")
        self._call_timeout: Optional[Timeout] = None
        self._call_retries: Optional[int] = None
        self._call_hooks: Optional[Hooks] = None

    @classmethod
    def from_env(cls, **options: Any) -> InvoServer:
        """Build from ``INVO_GAME_SECRET`` and ``INVO_BASE_URL`` (default: the sandbox URL).

        Extra keyword arguments go to the constructor. Raises ``ValueError`` when
        ``INVO_GAME_SECRET`` is missing or empty.
        """
        secret = os.environ.get("INVO_GAME_SECRET", "")
        if not secret.strip():
            raise ValueError("INVO_GAME_SECRET is not set; export your game secret first")
        base_url = os.environ.get("INVO_BASE_URL") or None
        if base_url is None and not secret.startswith(("ivsdk_live_", "ivsdk_test_")):
            base_url = SANDBOX_BASE_URL
        return cls(secret, base_url, **options)

    def with_options(
        self,
        *,
        timeout: Optional[Timeout] = None,
        max_retries: Optional[int] = None,
        hooks: Optional[Hooks] = None,
    ) -> InvoServer:
        """A view of this client with other per-call settings, sharing its connection pool.

        ``invo.with_options(timeout=5).get_player_balance(...)`` gives one call a tighter
        timeout. The view is cheap to create and is closed with the original.
        """
        view = object.__new__(InvoServer)
        view.__dict__.update(self.__dict__)
        if timeout is not None:
            view._call_timeout = validate_timeout(timeout)
        if max_retries is not None:
            view._call_retries = _check_retries(max_retries)
        if hooks is not None:
            if not isinstance(hooks, Hooks):
                raise ValueError("hooks must be an invonetwork.Hooks instance")
            view._call_hooks = hooks
        return view

    def __repr__(self) -> str:
        return f"InvoServer(base_url={self.base_url!r})"

    def __enter__(self) -> InvoServer:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection pool. Later calls raise ``InvoError`` (``CLIENT_CLOSED``)."""
        self._transport.close()

    @property
    def closed(self) -> bool:
        """True once :meth:`close` was called."""
        return self._transport.closed

    # -- plumbing ------------------------------------------------------------------------------

    def _call(
        self,
        route: Route,
        *,
        body: Optional[Mapping[str, Any]] = None,
        query: Optional[Mapping[str, Any]] = None,
        path: Optional[Mapping[str, str]] = None,
        base: Optional[str] = None,
        ok_statuses: frozenset[int] = frozenset(),
    ) -> tuple[int, dict[str, Any]]:
        url = (base or self.base_url) + (route.path.format(**path) if path else route.path)
        if query:
            try:
                url = f"{url}?{urlencode(query)}"
            except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
                raise invalid("a query argument is not encodable as UTF-8") from None
        return self._transport.request(
            route, url, body=body, ok_statuses=ok_statuses, timeout=self._call_timeout,
            max_retries=self._call_retries, hooks=self._call_hooks,
        )

    def _get_body(self, route: Route, **kwargs: Any) -> dict[str, Any]:
        return self._call(route, **kwargs)[1]

    # -- tokens ---------------------------------------------------------------------------------

    def mint_player_token(
        self, *, player_email: str, player_phone: Optional[str] = None
    ) -> PlayerToken:
        """Mint a short-lived, game-scoped token for the browser SDK.

        Args:
            player_email: The player's email (required, not blank).
            player_phone: Optional E.164 phone (``+15555550100``); sent only when given.

        Raises:
            InvalidInputError: blank email, or a phone that is not E.164.
            PhoneShareApprovalRequiredError: the phone belongs to another INVO account.
        """
        body: dict[str, Any] = {"player_email": require_text("player_email", player_email)}
        if player_phone is not None:
            body["player_phone"] = check_e164("player_phone", player_phone)
        return PlayerToken.from_body(self._get_body(routes.MINT_PLAYER_TOKEN, body=body))

    # -- sends and transfers ----------------------------------------------------------------------

    def initiate_send(
        self,
        *,
        client_request_id: str,
        sender_player_name: str,
        sender_player_email: str,
        sender_player_phone: str,
        receiver_player_email: str,
        receiver_player_phone: str,
        receiving_game_id: _Id,
        amount: Money,
    ) -> InitiateResult:
        """Start a send of currency to another player (in another game).

        Branch on the result: ``verification_method == "in_app"``, the sender approves with
        a passkey in the browser; ``"sms"``, check the PIN with :meth:`verify_sms_send`;
        ``guardian_approval`` set, wait for the guardian (:meth:`get_guardian_approval_status`).
        ``client_request_id`` is the idempotency key: reuse it when retrying the same send.
        """
        body = {
            "client_request_id": require_text("client_request_id", client_request_id),
            "sender_player_name": sender_player_name,
            "sender_player_email": sender_player_email,
            "sender_player_phone": sender_player_phone,
            "receiver_player_email": receiver_player_email,
            "receiver_player_phone": receiver_player_phone,
            "receiving_game_id": receiving_game_id,
            "amount": self._forwarded_amount(amount),
        }
        return InitiateResult.from_body(self._get_body(routes.INITIATE_SEND, body=body))

    def initiate_transfer(
        self,
        *,
        client_request_id: str,
        source_player_name: str,
        source_player_email: str,
        source_player_phone: str,
        target_player_email: str,
        target_player_phone: str,
        target_game_id: _Id,
        amount: Money,
    ) -> InitiateResult:
        """Start a transfer of currency on the transfer rail; branch as for :meth:`initiate_send`.

        ``client_request_id`` is the idempotency key: reuse it when retrying the same transfer.
        """
        body = {
            "client_request_id": require_text("client_request_id", client_request_id),
            "source_player_name": source_player_name,
            "source_player_email": source_player_email,
            "source_player_phone": source_player_phone,
            "target_player_email": target_player_email,
            "target_player_phone": target_player_phone,
            "target_game_id": target_game_id,
            "amount": self._forwarded_amount(amount),
        }
        return InitiateResult.from_body(self._get_body(routes.INITIATE_TRANSFER, body=body))

    @staticmethod
    def _forwarded_amount(amount: object) -> Any:
        if amount is None or isinstance(amount, bool):
            raise invalid("amount is required (a decimal string or a number)")
        return str(amount) if isinstance(amount, Decimal) else amount

    # -- currency purchases -----------------------------------------------------------------------

    def create_checkout(
        self,
        *,
        player_email: str,
        usd_amount: Money,
        rail: Optional[str] = None,
        success_url: Optional[str] = None,
        cancel_url: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> CreateCheckoutResult:
        """Open a hosted checkout (15 minutes, single use) and return its ``checkout_url``.

        Never retried automatically: a retry after a lost answer would open a second
        session. Grant currency off the ``purchase.completed`` webhook, not the browser.

        Args:
            player_email: The buyer (required).
            usd_amount: USD, ``0 < amount <= 999.99``, at most 2 decimals.
            rail: ``"platform"`` (card, INVO's default), ``"game"`` or ``"steam"``.
            success_url: Where a top-level checkout returns after payment.
            cancel_url: Where a top-level checkout returns after a cancel.
            metadata: Echoed back on the ``purchase.completed`` webhook.
        """
        body: dict[str, Any] = {
            "player_email": require_text("player_email", player_email),
            "usd_amount": self._usd(usd_amount),
        }
        self._check_rail(rail)
        for key, value in (("rail", rail), ("success_url", success_url),
                           ("cancel_url", cancel_url), ("metadata", metadata)):
            if value:
                body[key] = dict(value) if isinstance(value, Mapping) else value
        return CreateCheckoutResult.from_body(self._get_body(routes.CREATE_CHECKOUT, body=body))

    def purchase_currency(
        self,
        *,
        player_email: str,
        usd_amount: Money,
        purchase_reference: str,
        rail: Optional[str] = None,
        payment_method_id: Optional[str] = None,
        saved_card_id: Optional[str] = None,
        player_name: Optional[str] = None,
        player_phone: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> PurchaseResult:
        """Buy currency on the direct rail (no hosted page).

        ``purchase_reference`` is the idempotency key (required): reuse it when retrying.
        ``status`` is ``success``, ``requires_action`` (finish with ``client_secret`` or
        ``payment_url``, then :meth:`confirm_payment`) or ``pending_payment``.

        Raises:
            InvalidInputError: ``INVALID_INPUT`` (email, amount),
                ``MISSING_PURCHASE_REFERENCE``, or ``WRONG_RAIL_ENDPOINT`` for
                ``rail="steam"`` (Steam has its own in-client flow).
        """
        body: dict[str, Any] = {
            "player_email": require_text("player_email", player_email),
            "usd_amount": self._usd(usd_amount),
        }
        if is_blank(purchase_reference):
            raise invalid(
                "purchase_reference is required: it is the idempotency key of the purchase",
                code="MISSING_PURCHASE_REFERENCE",
            )
        body["purchase_reference"] = require_text("purchase_reference", purchase_reference)
        self._check_rail(rail)
        if rail == "steam":
            raise invalid(
                "rail='steam' cannot be bought through purchase_currency: Steam purchases use "
                "the in-client Steam flow (create_checkout supports rail='steam')",
                code="WRONG_RAIL_ENDPOINT",
            )
        optional = {
            "rail": rail or None,
            "payment_method_id": optional_text("payment_method_id", payment_method_id),
            "saved_card_id": optional_text("saved_card_id", saved_card_id),
            "player_name": optional_text("player_name", player_name),
            "player_phone": optional_text("player_phone", player_phone),
            "metadata": dict(metadata) if isinstance(metadata, Mapping) else metadata,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return PurchaseResult.from_body(self._get_body(routes.PURCHASE_CURRENCY, body=body))

    def confirm_payment(
        self, *, payment_intent_id: str, order_id: Optional[_Id] = None
    ) -> ConfirmPaymentResult:
        """Confirm a direct-rail payment after the player finished the ``requires_action`` step."""
        body: dict[str, Any] = {
            "payment_intent_id": require_text("payment_intent_id", payment_intent_id)
        }
        if order_id is not None:
            body["order_id"] = order_id
        return ConfirmPaymentResult.from_body(self._get_body(routes.CONFIRM_PAYMENT, body=body))

    def get_order_details(
        self, *, order_id: Optional[_Id] = None, transaction_id: Optional[_Id] = None
    ) -> OrderDetailsResult:
        """Read a currency purchase by ``order_id`` and/or ``transaction_id`` (at least one)."""
        query = {k: v for k, v in (("order_id", order_id), ("transaction_id", transaction_id))
                 if not is_blank(v)}
        if not query:
            raise invalid("get_order_details needs order_id or transaction_id")
        return OrderDetailsResult.from_body(self._get_body(routes.ORDER_DETAILS, query=query))

    # -- item purchases ---------------------------------------------------------------------------

    def purchase_item(
        self,
        *,
        client_request_id: str,
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
    ) -> PurchaseItemResult:
        """Spend the player's game currency on an item of yours (a balance debit).

        ``client_request_id`` is the idempotency key: a replay raises
        ``DuplicateRequestError`` (``is_duplicate_request``) and charges nothing. Grant the item
        off the ``item.purchased`` webhook.

        Raises:
            InvalidInputError: a blank id, name or email; ``item_quantity`` not an int in
                1..1000; a price that is not a plain decimal in ``0 < p <= 999999.99``; or
                ``total_price != unit_price * item_quantity`` (within 0.01).
            InsufficientBalanceError: the player lacks the currency (``required_amount`` and
                ``current_balance`` on ``body``).
        """
        body: dict[str, Any] = {
            "client_request_id": require_text("client_request_id", client_request_id),
            "player_email": require_text("player_email", player_email),
            "player_name": require_text("player_name", player_name),
            "item_id": require_text("item_id", item_id),
            "item_name": require_text("item_name", item_name),
        }
        if isinstance(item_quantity, bool) or not isinstance(item_quantity, int) or not (
            1 <= item_quantity <= 1000
        ):
            raise invalid(f"item_quantity must be an int from 1 to 1000, got {item_quantity!r}")
        unit = check_money("unit_price", unit_price, MAX_ITEM_PRICE)
        total = check_money("total_price", total_price, MAX_ITEM_PRICE)
        check_total_matches(unit, item_quantity, total)
        body["item_quantity"] = item_quantity
        body["unit_price"] = money_to_wire(unit_price)
        body["total_price"] = money_to_wire(total_price)
        optional = {
            "player_phone": optional_text("player_phone", player_phone),
            "item_description": optional_text("item_description", item_description),
            "item_category": optional_text("item_category", item_category),
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return PurchaseItemResult.from_body(self._get_body(routes.PURCHASE_ITEM, body=body))

    def get_item_purchase_history(
        self, *, player_email: str, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> ItemHistoryResult:
        """One page of a player's item purchases (see :meth:`iterate_item_purchase_history`)."""
        query: dict[str, Any] = {"player_email": require_text("player_email", player_email)}
        page_limit = _check_page_arg("limit", limit, 1)
        page_offset = _check_page_arg("offset", offset, 0)
        if page_limit is not None:
            query["limit"] = page_limit
        if page_offset is not None:
            query["offset"] = page_offset
        return ItemHistoryResult.from_body(self._get_body(routes.ITEM_HISTORY, query=query))

    def iterate_item_purchase_history(
        self, *, player_email: str, page_size: int = 50
    ) -> Iterator[Any]:
        """Yield every item purchase of a player, fetching ``page_size`` rows per request.

        Stops on an empty page, a short page, or once ``pagination.total`` rows were yielded,
        so a backend that ignores ``offset`` cannot make it loop forever. Arguments are
        checked now, before the first request.
        """
        require_text("player_email", player_email)
        size = _check_page_arg("page_size", page_size, 1)
        assert size is not None
        return self._history_pages(player_email, size)

    def _history_pages(self, player_email: str, page_size: int) -> Iterator[Any]:
        offset = 0
        yielded = 0
        while True:
            page = self.get_item_purchase_history(
                player_email=player_email, limit=page_size, offset=offset
            )
            yield from page.history
            yielded += len(page.history)
            total = _as_count(page.pagination.get("total"))
            if not page.history or len(page.history) < page_size:
                return
            if total is not None and yielded >= total:
                return
            offset += len(page.history)

    def get_item_order_details(
        self,
        *,
        order_id: Optional[_Id] = None,
        transaction_id: Optional[_Id] = None,
        client_request_id: Optional[str] = None,
    ) -> OrderDetailsResult:
        """Read an item purchase by exactly one of its ids."""
        given = {k: v for k, v in (("order_id", order_id), ("transaction_id", transaction_id),
                                   ("client_request_id", client_request_id)) if not is_blank(v)}
        if len(given) != 1:
            raise invalid(
                "get_item_order_details needs exactly one of order_id, transaction_id, "
                f"client_request_id (got {len(given)})"
            )
        return OrderDetailsResult.from_body(self._get_body(routes.ITEM_ORDER_DETAILS, query=given))

    # -- balances and reads -----------------------------------------------------------------------

    def get_player_balance(
        self, *, player_id: Optional[_Id] = None, player_email: Optional[str] = None
    ) -> PlayerBalanceResult:
        """A player's balances, by ``player_id`` (wins when given) or ``player_email``."""
        if not is_blank(player_id):
            path = {"player_id": _path_id("player_id", player_id)}
            return PlayerBalanceResult.from_body(
                self._get_body(routes.BALANCE_BY_ID, path=path)
            )
        email = _clean(optional_text("player_email", player_email))
        if email is None:
            raise invalid("get_player_balance needs player_id or player_email")
        path = {"player_email": _segment("player_email", email)}
        return PlayerBalanceResult.from_body(self._get_body(routes.BALANCE_BY_EMAIL, path=path))

    def get_inbound_pending(
        self, *, player_email: Optional[str] = None, player_phone: Optional[str] = None
    ) -> InboundPendingResult:
        """Sends and transfers waiting for a player to claim (by email and/or phone)."""
        query = {k: v for k, v in (
            ("player_email", _clean(optional_text("player_email", player_email))),
            ("player_phone", _clean(optional_text("player_phone", player_phone))),
        ) if v is not None}
        if not query:
            raise invalid("get_inbound_pending needs player_email or player_phone")
        return InboundPendingResult.from_body(self._get_body(routes.INBOUND_PENDING, query=query))

    def get_linked_identities(
        self, *, player_phone: Optional[str] = None, player_email: Optional[str] = None
    ) -> LinkedIdentitiesResult:
        """The INVO wallet behind a phone (preferred when both are given) or an email.

        A 404 is an answer here, not an error: the result has ``not_found=True``.
        """
        phone = _clean(optional_text("player_phone", player_phone))
        email = _clean(optional_text("player_email", player_email))
        if phone is not None:
            query = {"player_phone": phone}
        elif email is not None:
            query = {"player_email": email}
        else:
            raise invalid("get_linked_identities needs player_phone or player_email")
        try:
            body = self._get_body(routes.LINKED_IDENTITIES, query=query)
        except NotFoundError as err:
            # A 404 is an answer here, whatever its body (JSON, text from a proxy, nothing).
            raw = err.body if isinstance(err.body, dict) else {}
            return LinkedIdentitiesResult.from_body(raw, not_found=True)
        return LinkedIdentitiesResult.from_body(body)

    # -- part 2: completing sends and transfers ---------------------------------------------------

    def verify_sms_transfer(self, transaction_id: str, sms_pin: str) -> SmsVerifyResult:
        """Check the PIN the sender got by SMS (``verification_method == "sms"``) for a transfer.

        Sent once, never retried: every attempt counts. A wrong PIN is a ``BadRequestError``
        with ``attempts_remaining`` on ``body``; too many is a ``RateLimitError``.
        """
        return self._verify_sms(routes.VERIFY_SMS_TRANSFER, transaction_id, sms_pin)

    def verify_sms_send(self, transaction_id: str, sms_pin: str) -> SmsVerifyResult:
        """Check the PIN the sender got by SMS for a send (see :meth:`verify_sms_transfer`)."""
        return self._verify_sms(routes.VERIFY_SMS_SEND, transaction_id, sms_pin)

    def _verify_sms(self, route: Route, transaction_id: str, sms_pin: str) -> SmsVerifyResult:
        body = {"transaction_id": require_text("transaction_id", transaction_id),
                "sms_pin": require_text("sms_pin", sms_pin)}
        return SmsVerifyResult.from_body(self._get_body(route, body=body))

    def claim_transfer(
        self,
        *,
        claim_code: str,
        target_player_name: str,
        target_player_email: str,
        target_player_phone: str,
        target_currency_id: _Id,
        target_player_id: Optional[_Id] = None,
    ) -> ClaimResult:
        """Redeem a transfer's claim code for a receiver who has no passkey.

        Sent once, never retried. If ``needs_account_selection`` is true, ask the player to
        choose among ``candidates`` and call again with ``target_player_id``.
        """
        body: dict[str, Any] = {
            "claim_code": claim_code,
            "target_player_name": target_player_name,
            "target_player_email": target_player_email,
            "target_player_phone": target_player_phone,
            "target_currency_id": target_currency_id,
        }
        if target_player_id is not None:
            body["target_player_id"] = target_player_id
        return ClaimResult.from_body(self._get_body(routes.CLAIM_TRANSFER, body=body))

    def claim_currency(
        self,
        *,
        claim_code: str,
        receiver_player_name: str,
        receiver_player_email: str,
        receiver_player_phone: str,
        receiver_player_id: Optional[_Id] = None,
    ) -> ClaimResult:
        """Redeem a send's claim code (see :meth:`claim_transfer`; re-submit with
        ``receiver_player_id`` on ``needs_account_selection``)."""
        body: dict[str, Any] = {
            "claim_code": claim_code,
            "receiver_player_name": receiver_player_name,
            "receiver_player_email": receiver_player_email,
            "receiver_player_phone": receiver_player_phone,
        }
        if receiver_player_id is not None:
            body["receiver_player_id"] = receiver_player_id
        return ClaimResult.from_body(self._get_body(routes.CLAIM_CURRENCY, body=body))

    def get_transfer_status(self, transaction_id: str) -> TransactionStatusResult:
        """Where a transfer stands (poll it while the browser approves)."""
        return self._status(routes.TRANSFER_STATUS, transaction_id)

    def get_send_status(self, transaction_id: str) -> TransactionStatusResult:
        """Where a send stands."""
        return self._status(routes.SEND_STATUS, transaction_id)

    def _status(self, route: Route, transaction_id: str) -> TransactionStatusResult:
        path = {"transaction_id": _segment("transaction_id",
                                           require_text("transaction_id", transaction_id))}
        return TransactionStatusResult.from_body(self._get_body(route, path=path))

    def get_guardian_approval_status(self, transaction_id: str) -> GuardianApprovalStatusResult:
        """The guardian's decision on a minor's send or transfer (the HTTP 202 path)."""
        path = {"transaction_id": _segment("transaction_id",
                                           require_text("transaction_id", transaction_id))}
        body = self._get_body(routes.GUARDIAN_APPROVAL_STATUS, path=path)
        return GuardianApprovalStatusResult.from_body(body)

    def get_destinations(
        self, *, source_game_id: _Id, direction: str = "transfer"
    ) -> DestinationsResult:
        """The games a player of ``source_game_id`` may send (``direction="send"``) or
        transfer (``"transfer"``, the default) currency to. ``source_game_id`` may be 0."""
        if isinstance(source_game_id, bool) or not isinstance(source_game_id, (str, int)) or (
            is_blank(source_game_id)
        ):
            raise invalid("source_game_id is required (an int or a non-blank str)")
        route = _DIRECTIONS.get(direction) if isinstance(direction, str) else None
        if route is None:
            raise invalid(f"direction must be 'transfer' or 'send', got {direction!r}")
        body = self._get_body(route, body={"source_game_id": source_game_id})
        return DestinationsResult.from_body(body, requested_direction=direction)

    def phone_share_initiate(self, *, phone: str, email: str) -> PhoneShareInitiateResult:
        """Ask the owner of ``phone`` to let ``email``'s account use it (an OTP goes by SMS).

        Sent without the game secret (the phone's owner drives it) and never retried.
        """
        body = {"phone": require_text("phone", phone), "email": require_text("email", email)}
        return PhoneShareInitiateResult.from_body(
            self._get_body(routes.PHONE_SHARE_INITIATE, body=body)
        )

    def phone_share_approve(self, *, approval_id: str, otp: str) -> PhoneShareApproveResult:
        """Submit the OTP the phone's owner received. No game secret; never retried."""
        body = {"approval_id": require_text("approval_id", approval_id),
                "otp": require_text("otp", otp)}
        return PhoneShareApproveResult.from_body(
            self._get_body(routes.PHONE_SHARE_APPROVE, body=body)
        )

    def phone_share_status(self, *, phone: str, email: str) -> PhoneShareStatusResult:
        """Whether the phone's owner approved sharing it with ``email``. No game secret."""
        query = {"phone": require_text("phone", phone), "email": require_text("email", email)}
        return PhoneShareStatusResult.from_body(
            self._get_body(routes.PHONE_SHARE_STATUS, query=query)
        )

    # -- webhook endpoint management ---------------------------------------------------------------

    def register_webhook_endpoint(
        self,
        *,
        game_id: _Id,
        target_url: str,
        subscribed_events: Iterable[str] = ("*",),
    ) -> WebhookEndpointResult:
        """Create or update the game's webhook endpoint.

        ``signing_secret`` is returned on first creation only: store it at once. The
        ``target_url`` must be https on a public address; a client aimed at a loopback
        ``base_url`` (the local sandbox) may register a loopback ``http://`` receiver.
        Sent once, never retried (a lost first answer would lose the secret).
        """
        url = _check_public_target_url(target_url, allow_loopback_http=self._loopback)
        if isinstance(subscribed_events, str):
            raise invalid("subscribed_events must be a list of event types, not a str")
        events = list(subscribed_events)
        if not events or not all(isinstance(e, str) and e.strip() for e in events):
            raise invalid("subscribed_events must be a non-empty list of event types ('*' = all)")
        body = {"target_url": url, "subscribed_events": events}
        path = {"game_id": _path_id("game_id", game_id)}
        return WebhookEndpointResult.from_body(self._get_body(
            routes.REGISTER_WEBHOOK, body=body, path=path, base=self.management_base_url
        ))

    def rotate_webhook_secret(self, *, game_id: _Id) -> RotateSecretResult:
        """Issue a new signing secret; the old one stays valid for 7 days (both sign meanwhile)."""
        path = {"game_id": _path_id("game_id", game_id)}
        return RotateSecretResult.from_body(self._get_body(
            routes.ROTATE_WEBHOOK_SECRET, path=path, base=self.management_base_url
        ))

    # -- shared argument rules -------------------------------------------------------------------

    @staticmethod
    def _usd(value: Money) -> Any:
        check_money("usd_amount", value, MAX_USD_AMOUNT)
        return money_to_wire(value)

    @staticmethod
    def _check_rail(rail: object) -> None:
        if rail is not None and rail != "" and rail not in _RAILS:
            raise invalid(f"rail must be one of {', '.join(_RAILS)}, got {rail!r}")
