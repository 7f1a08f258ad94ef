"""``InvoServer``: for each API method, the rules specific to it, then its route.

What a call puts on the wire (method, path, where each argument goes, auth, result type)
lives in ``_routes``; how a request travels (session, hooks, error mapping) in ``_transport``;
when to retry in ``_retry``; shared argument rules in ``_validation`` and ``_money``; how a
result is read in ``_results``.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any, Optional, TypeVar, Union
from urllib.parse import urlsplit

import requests
from typing_extensions import Self

from . import _routes as routes
from ._calls_checkout import CheckoutCalls
from ._calls_devices import DeviceCalls
from ._calls_players import PlayerCalls
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
from ._environment import KeyEnvironmentLookup
from ._hooks import Hooks
from ._money import (
    MAX_ACKNOWLEDGED_TOTAL_USD,
    MAX_ITEM_PRICE,
    MAX_USD_AMOUNT,
    Money,
    check_money,
    check_total_matches,
    money_to_wire,
)
from ._ns_commerce import PlatformCommerce
from ._ns_payouts import Payouts
from ._ns_subscriptions import Cards, Sandbox, Subscriptions
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
    read,
)
from ._retry import RetryPolicy, check_count, check_seconds
from ._routes import Route, build_request
from ._telemetry import Telemetry
from ._transport import DEFAULT_MAX_RESPONSE_BYTES, CallOptions, Transport
from ._validation import (
    check_e164,
    check_page_arg,
    check_path_id,
    check_public_target_url,
    clean,
    invalid,
    is_blank,
    optional_text,
    require_text,
)
from .errors import ConfigurationError, NotFoundError

__all__ = ["InvoServer"]

R = TypeVar("R")
_DIRECTIONS = {"transfer": routes.TRANSFER_DESTINATIONS, "send": routes.SEND_DESTINATIONS}
_Id = Union[str, int]


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


def _arguments(given: dict[str, Any]) -> dict[str, Any]:
    """A method's arguments, from its ``locals()`` at entry, to forward as given."""
    return {name: value for name, value in given.items() if name != "self"}


def _if_truthy(value: Any) -> Any:
    """An optional value sent only when truthy (a mapping as a plain ``dict``)."""
    if not value:
        return None
    return dict(value) if isinstance(value, Mapping) else value


def _usd(value: Money) -> Any:
    check_money("usd_amount", value, MAX_USD_AMOUNT)
    return money_to_wire(value)


def _check_rail(rail: object) -> Optional[str]:
    """``rail`` as given; ``None`` when left out (``None`` or ``""``).

    Which rails exist is INVO's to say (a new rail must not need an SDK release), so only
    the type is checked here.
    """
    if rail is None or rail == "":
        return None
    if not isinstance(rail, str):
        raise invalid(f"rail must be a str, got {type(rail).__name__}")
    return rail


def _acknowledged_total(value: object) -> Any:
    """``acknowledged_total_usd``: the money rule up to 99999999.99, sent as given."""
    if value is None:
        return None
    check_money("acknowledged_total_usd", value, MAX_ACKNOWLEDGED_TOTAL_USD)
    return money_to_wire(value)  # type: ignore[arg-type]


def _place(name: str, value: object) -> Optional[str]:
    """``country`` / ``subdivision``: a ``str`` sent as given when not blank; no format check."""
    text = optional_text(name, value)
    return None if text is None or not text.strip() else text


def _forwarded_amount(amount: object) -> Any:
    if amount is None or isinstance(amount, bool):
        raise invalid("amount is required (a decimal string or a number)")
    return str(amount) if isinstance(amount, Decimal) else amount


def _purchase_reference(value: object) -> str:
    if is_blank(value):
        raise invalid(
            "purchase_reference is required: it is the idempotency key of the purchase",
            code="MISSING_PURCHASE_REFERENCE",
        )
    return require_text("purchase_reference", value)


def _direct_rail(rail: object) -> Optional[str]:
    checked = _check_rail(rail)
    if checked == "steam":
        raise invalid(
            "rail='steam' cannot be bought through purchase_currency: Steam purchases use "
            "the in-client Steam flow (create_checkout supports rail='steam')",
            code="WRONG_RAIL_ENDPOINT",
        )
    return checked


def _item_prices(item_quantity: object, unit_price: Money, total_price: Money) -> int:
    if isinstance(item_quantity, bool) or not isinstance(item_quantity, int) or not (
        1 <= item_quantity <= 1000
    ):
        raise invalid(f"item_quantity must be an int from 1 to 1000, got {item_quantity!r}")
    unit = check_money("unit_price", unit_price, MAX_ITEM_PRICE)
    total = check_money("total_price", total_price, MAX_ITEM_PRICE)
    check_total_matches(unit, item_quantity, total)
    return item_quantity


def _management_for(base_url: str) -> str:
    """The webhook management host that goes with ``base_url``."""
    return PRODUCTION_MANAGEMENT_URL if base_url == PRODUCTION_BASE_URL else base_url


def _check_telemetry(telemetry: object) -> Optional[Telemetry]:
    if telemetry is not None and not isinstance(telemetry, Telemetry):
        raise ConfigurationError("telemetry must be an invonetwork.Telemetry instance")
    return telemetry


def _check_hooks(hooks: object) -> Optional[Hooks]:
    if hooks is not None and not isinstance(hooks, Hooks):
        raise ConfigurationError("hooks must be an invonetwork.Hooks instance")
    return hooks


def _check_options(pool_size: object, max_response_bytes: object, session: object,
                   user_agent: object) -> None:
    if isinstance(pool_size, bool) or not isinstance(pool_size, int) or pool_size < 1:
        raise ConfigurationError(f"pool_size must be an int >= 1, got {pool_size!r}")
    if isinstance(max_response_bytes, bool) or not isinstance(max_response_bytes, int) or (
        max_response_bytes < 1
    ):
        raise ConfigurationError("max_response_bytes must be an int >= 1")
    if session is not None and not isinstance(session, requests.Session):
        raise ConfigurationError("session must be a requests.Session")
    if user_agent is not None and (
        not isinstance(user_agent, str) or "\n" in user_agent or "\r" in user_agent
    ):
        raise ConfigurationError("user_agent must be a single-line str")


class InvoServer(CheckoutCalls, PlayerCalls, DeviceCalls):
    """The INVO server API, authenticated with your game secret.

    Create one per process and share it: it is safe to use from many threads, and it keeps a
    pool of keep-alive connections. Use it as a context manager, or call :meth:`close`.

    Args:
        game_secret: Your game's secret key (``ivsdk_...``). Server-side only.
        base_url: ``https://invo.network`` (production) or
            ``https://sandbox.invo.network/sandbox`` (sandbox). When left out, an
            ``ivsdk_live_`` key selects production and an ``ivsdk_test_`` or ``ivsdk_demo_``
            key the sandbox; any other (older) key is looked up: the first request asks INVO
            which environment the key belongs to (``EnvironmentUnknownError`` when neither
            does; a claim is cached per key for the process). ``http://`` is accepted only
            for localhost.
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
        sandbox_clock_key: The key of the sandbox subscription clock
            (``server.sandbox.subscriptions``); sandbox only, never logged.
        telemetry: OpenTelemetry settings (:class:`Telemetry`). By default the SDK records
            spans and metrics through the global providers whenever the application has
            configured them (the ``otel`` extra), and does nothing otherwise; pass
            ``Telemetry(enabled=False)`` to turn it off, or providers of your own.
        http: Not supported (INVO's SDK takes a transport callable here): any value other
            than ``None`` is a ``ConfigurationError``. Pass ``session=`` to change how
            requests travel; the SDK keeps its own guarantees (no redirects, size caps, time
            limits, no secret in errors), which a foreign transport could not.

    Raises:
        ConfigurationError: On an empty secret, a non-https or malformed ``base_url``, an
            unusable option (it is also a ``ValueError``).
        KeyEnvironmentMismatchError: an ``ivsdk_live_`` key with the sandbox host, or an
            ``ivsdk_test_`` key with production (a ``ConfigurationError``).
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
        sandbox_clock_key: Optional[str] = None,
        http: None = None,
    ) -> None:
        secret = SecretStr(game_secret) if isinstance(game_secret, str) else game_secret
        del game_secret  # only the masked copy stays in this frame
        if http is not None:
            raise ConfigurationError(
                "http= (a transport callable) is not supported by this SDK: pass "
                "session=requests.Session(...) for proxies, CAs or mTLS, and hooks= or "
                "telemetry= to observe requests (see docs/configuration.md)"
            )
        # None: an older key without base_url; the first request asks INVO (``_environment``).
        resolved = resolve_base_url(secret, base_url, allow_lookup=True)
        self.base_url = resolved or ""
        self._management_given = management_base_url is not None
        if management_base_url is not None:
            self.management_base_url = resolve_base_url(secret, management_base_url) or ""
        else:
            self.management_base_url = _management_for(self.base_url)
        _check_options(pool_size, max_response_bytes, session, user_agent)
        self._options = CallOptions(
            timeout=validate_timeout(timeout),
            retry=RetryPolicy(max_retries=check_count("max_retries", max_retries),
                              base_delay=check_seconds("retry_base_delay", retry_base_delay)),
            hooks=_check_hooks(hooks) or Hooks(),
        )
        self._transport = Transport(
            game_secret=secret,
            session=session,
            pool_size=pool_size,
            user_agent=user_agent,
            max_response_bytes=max_response_bytes,
            telemetry=_check_telemetry(telemetry),
        )
        self._loopback = is_loopback_host(urlsplit(self.base_url).hostname or "")
        self._key_lookup = (
            KeyEnvironmentLookup(self._transport, secret) if resolved is None else None
        )
        if sandbox_clock_key is not None and not isinstance(sandbox_clock_key, str):
            raise ConfigurationError("sandbox_clock_key must be a str")
        self._sandbox_clock_key = (
            SecretStr(sandbox_clock_key) if sandbox_clock_key is not None else None
        )

    @classmethod
    def from_env(cls, **options: Any) -> InvoServer:
        """Build from ``INVO_GAME_SECRET`` and ``INVO_BASE_URL`` (default: the sandbox URL).

        Extra keyword arguments go to the constructor. Raises ``ConfigurationError`` (a
        ``ValueError``) when ``INVO_GAME_SECRET`` is missing or empty.
        """
        secret = os.environ.get("INVO_GAME_SECRET", "")
        if not secret.strip():
            raise ConfigurationError(
                "INVO_GAME_SECRET is not set; export your game secret first"
            )
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
    ) -> Self:
        """A view of this client with other per-call settings, sharing its connection pool.

        ``invo.with_options(timeout=5).get_player_balance(...)`` gives one call a tighter
        timeout. The view is cheap to create, is of the same class as this client (a subclass
        keeps its methods), and is closed with the original.
        """
        options = self._options
        if timeout is not None:
            options = options.replace(timeout=validate_timeout(timeout))
        if max_retries is not None:
            options = options.replace(retry=options.retry.replace(max_retries=max_retries))
        if hooks is not None:
            options = options.replace(hooks=_check_hooks(hooks))
        view = copy.copy(self)
        view._options = options
        return view

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def __enter__(self) -> Self:
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

    # -- namespaces -------------------------------------------------------------------------------

    @property
    def subscriptions(self) -> Subscriptions:
        """Recurring billing: create, read, cancel, change and refund subscriptions."""
        return Subscriptions(self)

    @property
    def cards(self) -> Cards:
        """Saved cards for off-session billing."""
        return Cards(self)

    @property
    def sandbox(self) -> Sandbox:
        """Sandbox-only tools of the INVO API (the subscription clock)."""
        return Sandbox(self)

    @property
    def payouts(self) -> Payouts:
        """Creator and partner payouts: payees and their payouts."""
        return Payouts(self)

    @property
    def platform_commerce(self) -> PlatformCommerce:
        """Platform commerce orders (platform tenants only)."""
        return PlatformCommerce(self)

    # -- the one way a call goes out --------------------------------------------------------------

    def _environment_base(self) -> None:
        """Settle ``base_url`` of a client built from an older key without one (see
        ``_environment``): a failed lookup fails this request, the next one asks again."""
        if self._key_lookup is not None and not self.base_url:
            self.base_url = self._key_lookup.base_url()
            if not self._management_given:
                self.management_base_url = _management_for(self.base_url)

    def _call(self, route: Route[R], **values: Any) -> R:
        """Send ``route`` with the checked ``values`` and read its result."""
        request = build_request(route, values)
        self._environment_base()
        base = self.management_base_url if route.management else self.base_url
        answer = self._transport.request(
            route, base + request.target, body=request.body, credential=request.credential,
            options=self._options,
        )
        assert route.result is not None, f"route {route.path} has no result type"
        return read(route.result, answer.body, dict(route.result_fallbacks),
                    request_id=answer.request_id)

    # -- tokens ---------------------------------------------------------------------------------

    def mint_player_token(
        self,
        *,
        player_email: str,
        player_phone: Optional[str] = None,
        player_name: Optional[str] = None,
    ) -> PlayerToken:
        """Mint a short-lived, game-scoped token for the browser SDK.

        An unknown email with a phone creates the player (``created`` is ``True``); without
        a phone it is ``PLAYER_NOT_FOUND``. An existing player's phone and name never change:
        ``phone_mismatch`` is ``True`` when the phone given differs from the one on file.

        Args:
            player_email: The player's email (required, not blank).
            player_phone: Optional E.164 phone (``+15555550100``); sent only when given.
            player_name: Optional display name for a player this call creates; sent whenever
                it is not ``None``.

        Raises:
            InvalidInputError: blank email, a phone that is not E.164, or a ``player_name``
                that is not a ``str``.
            PhoneShareApprovalRequiredError: the phone belongs to another INVO account.
        """
        return self._call(
            routes.MINT_PLAYER_TOKEN,
            player_email=require_text("player_email", player_email),
            player_phone=None if player_phone is None else check_e164("player_phone",
                                                                       player_phone),
            player_name=optional_text("player_name", player_name),
        )

    # -- sends and transfers ----------------------------------------------------------------------

    def initiate_send(
        self,
        *,
        client_request_id: str,
        sender_player_name: str,
        sender_player_email: str,
        sender_player_phone: str,
        receiver_player_phone: str,
        receiving_game_id: _Id,
        amount: Money,
        receiver_player_email: Optional[str] = None,
    ) -> InitiateResult:
        """Start a send of currency to another player (in another game).

        Branch on the result: ``verification_method == "in_app"``, the sender approves with
        a passkey in the browser; ``"sms"``, check the PIN with :meth:`verify_sms_send`;
        ``guardian_approval`` set, wait for the guardian (:meth:`get_guardian_approval_status`).
        ``client_request_id`` is the idempotency key: reuse it when retrying the same send.
        ``receiver_player_email`` is optional and left out of the body when ``None``; INVO
        requires the sender's E.164 phone.
        """
        return self._initiate(routes.INITIATE_SEND, _arguments(locals()))

    def initiate_transfer(
        self,
        *,
        client_request_id: str,
        source_player_name: str,
        source_player_email: str,
        source_player_phone: str,
        target_player_phone: str,
        target_game_id: _Id,
        amount: Money,
        target_player_email: Optional[str] = None,
    ) -> InitiateResult:
        """Start a transfer of currency on the transfer rail; branch as for :meth:`initiate_send`.

        ``client_request_id`` is the idempotency key: reuse it when retrying the same transfer.
        ``target_player_email`` is optional and left out of the body when ``None``.
        """
        return self._initiate(routes.INITIATE_TRANSFER, _arguments(locals()))

    def _initiate(self, route: Route[InitiateResult], values: dict[str, Any]) -> InitiateResult:
        """A send or transfer: the idempotency key and the amount are checked, the rest is
        forwarded as given (INVO judges names, emails, phones and the game id)."""
        values["client_request_id"] = require_text("client_request_id",
                                                   values["client_request_id"])
        values["amount"] = _forwarded_amount(values["amount"])
        return self._call(route, **values)

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
            usd_amount: USD, ``0 < amount <= 999999.99``, at most 2 decimals (a shape
                check: INVO answers ``BELOW_CARD_MINIMUM`` / ``ABOVE_CARD_MAXIMUM`` for its
                real card limits).
            rail: ``"platform"`` (card, INVO's default), ``"game"``, ``"steam"`` or any rail
                INVO adds (only the type is checked locally).
            success_url: Where a top-level checkout returns after payment.
            cancel_url: Where a top-level checkout returns after a cancel.
            metadata: Echoed back on the ``purchase.completed`` webhook.
        """
        return self._call(
            routes.CREATE_CHECKOUT,
            player_email=require_text("player_email", player_email),
            usd_amount=_usd(usd_amount),
            rail=_check_rail(rail),
            success_url=_if_truthy(success_url),
            cancel_url=_if_truthy(cancel_url),
            metadata=_if_truthy(metadata),
        )

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
        acknowledged_total_usd: Optional[Money] = None,
        country: Optional[str] = None,
        subdivision: Optional[str] = None,
    ) -> PurchaseResult:
        """Buy currency on the direct rail (no hosted page).

        ``purchase_reference`` is the idempotency key (required): reuse it when retrying.
        ``status`` is ``success``, ``requires_action`` (finish with ``client_secret`` or
        ``payment_url``, then :meth:`confirm_payment`) or ``pending_payment``.

        Args:
            usd_amount: USD, ``0 < amount <= 999999.99``, at most 2 decimals.
            acknowledged_total_usd: The total the buyer saw and accepted (tax included), up to
                99999999.99; sent as given when not ``None``. Only the card rail reads it:
                below the true total INVO answers 409 ``QUOTE_STALE`` and charges nothing.
            country: ISO 3166-1 alpha-2 country of the buyer, for tax; sent as given when not
                blank (INVO judges the format).
            subdivision: US state or Canadian province, for tax; same rule as ``country``.

        Raises:
            InvalidInputError: ``INVALID_INPUT`` (email, amount, acknowledged total, a
                non-``str`` rail, country or subdivision),
                ``MISSING_PURCHASE_REFERENCE``, or ``WRONG_RAIL_ENDPOINT`` for
                ``rail="steam"`` (Steam has its own in-client flow).
        """
        return self._call(
            routes.PURCHASE_CURRENCY,
            player_email=require_text("player_email", player_email),
            usd_amount=_usd(usd_amount),
            acknowledged_total_usd=_acknowledged_total(acknowledged_total_usd),
            purchase_reference=_purchase_reference(purchase_reference),
            rail=_direct_rail(rail),
            payment_method_id=optional_text("payment_method_id", payment_method_id),
            saved_card_id=optional_text("saved_card_id", saved_card_id),
            player_name=optional_text("player_name", player_name),
            player_phone=optional_text("player_phone", player_phone),
            metadata=dict(metadata) if isinstance(metadata, Mapping) else metadata,
            country=_place("country", country),
            subdivision=_place("subdivision", subdivision),
        )

    def confirm_payment(
        self, *, payment_intent_id: str, order_id: Optional[_Id] = None
    ) -> ConfirmPaymentResult:
        """Confirm a direct-rail payment after the player finished the ``requires_action`` step."""
        return self._call(
            routes.CONFIRM_PAYMENT,
            payment_intent_id=require_text("payment_intent_id", payment_intent_id),
            order_id=order_id,
        )

    def get_order_details(
        self, *, order_id: Optional[_Id] = None, transaction_id: Optional[_Id] = None
    ) -> OrderDetailsResult:
        """Read a currency purchase by ``order_id`` and/or ``transaction_id`` (at least one)."""
        if is_blank(order_id) and is_blank(transaction_id):
            raise invalid("get_order_details needs order_id or transaction_id")
        return self._call(
            routes.ORDER_DETAILS,
            order_id=None if is_blank(order_id) else order_id,
            transaction_id=None if is_blank(transaction_id) else transaction_id,
        )

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
        return self._call(
            routes.PURCHASE_ITEM,
            client_request_id=require_text("client_request_id", client_request_id),
            player_email=require_text("player_email", player_email),
            player_name=require_text("player_name", player_name),
            item_id=require_text("item_id", item_id),
            item_name=require_text("item_name", item_name),
            item_quantity=_item_prices(item_quantity, unit_price, total_price),
            unit_price=money_to_wire(unit_price),
            total_price=money_to_wire(total_price),
            player_phone=optional_text("player_phone", player_phone),
            item_description=optional_text("item_description", item_description),
            item_category=optional_text("item_category", item_category),
        )

    def get_item_purchase_history(
        self, *, player_email: str, limit: Optional[int] = None, offset: Optional[int] = None
    ) -> ItemHistoryResult:
        """One page of a player's item purchases (see :meth:`iterate_item_purchase_history`)."""
        return self._call(
            routes.ITEM_HISTORY,
            player_email=require_text("player_email", player_email),
            limit=check_page_arg("limit", limit, 1),
            offset=check_page_arg("offset", offset, 0),
        )

    def iterate_item_purchase_history(
        self, *, player_email: str, page_size: int = 50
    ) -> Iterator[Any]:
        """Yield every item purchase of a player, fetching ``page_size`` rows per request.

        Stops on an empty page, a short page, or once ``pagination.total_count`` (else
        ``pagination.total``) rows were yielded,
        so a backend that ignores ``offset`` cannot make it loop forever. Arguments are
        checked now, before the first request.
        """
        require_text("player_email", player_email)
        size = check_page_arg("page_size", page_size, 1)
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
            total = _as_count(page.pagination.get("total_count"))
            if total is None:
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
        return self._call(routes.ITEM_ORDER_DETAILS, **given)

    # -- balances and reads -----------------------------------------------------------------------

    def get_player_balance(
        self, *, player_id: Optional[_Id] = None, player_email: Optional[str] = None
    ) -> PlayerBalanceResult:
        """A player's balances, read by ``player_email``.

        INVO reads balances by email only. ``player_id`` is kept so older calls still type-check:
        beside an email it is ignored (the email is used); alone it is refused.

        Raises:
            InvalidInputError: no ``player_email`` (``INVALID_INPUT``; with ``player_id``
                alone the message says to pass ``player_email``), or a non-``str`` email.
        """
        email = clean("player_email", player_email)
        if email is None:
            if not is_blank(player_id):
                raise invalid("get_player_balance reads balances by email only: pass "
                              "player_email (player_id alone has no route on INVO)")
            raise invalid("get_player_balance needs player_email")
        return self._call(routes.BALANCE_BY_EMAIL, player_email=email)

    def get_inbound_pending(
        self, *, player_email: Optional[str] = None, player_phone: Optional[str] = None
    ) -> InboundPendingResult:
        """Sends and transfers waiting for a player to claim (by email and/or phone)."""
        email = clean("player_email", player_email)
        phone = clean("player_phone", player_phone)
        if email is None and phone is None:
            raise invalid("get_inbound_pending needs player_email or player_phone")
        return self._call(routes.INBOUND_PENDING, player_email=email, player_phone=phone)

    def get_linked_identities(
        self, *, player_phone: Optional[str] = None, player_email: Optional[str] = None
    ) -> LinkedIdentitiesResult:
        """The INVO wallet behind a phone (preferred when both are given) or an email.

        A 404 is an answer here, not an error: the result has ``not_found=True``.
        """
        phone = clean("player_phone", player_phone)
        email = clean("player_email", player_email)
        if phone is None and email is None:
            raise invalid("get_linked_identities needs player_phone or player_email")
        try:
            return self._call(routes.LINKED_IDENTITIES, player_phone=phone,
                              player_email=None if phone is not None else email)
        except NotFoundError as err:
            # A 404 is an answer here, whatever its body (JSON, text from a proxy, nothing).
            raw = err.body if isinstance(err.body, dict) else {}
            return LinkedIdentitiesResult(not_found=True, raw=raw)

    # -- part 2: completing sends and transfers ---------------------------------------------------

    def verify_sms_transfer(self, transaction_id: str, sms_pin: str) -> SmsVerifyResult:
        """Check the PIN the sender got by SMS (``verification_method == "sms"``) for a transfer.

        Sent once, never retried: every attempt counts. A wrong PIN is a ``BadRequestError``
        with ``attempts_remaining`` on ``body``; too many is a ``RateLimitError``.

        Deprecated (in the docs only, no runtime warning): INVO favours device or passkey
        approval; the call keeps working for answers that still say ``"sms"``.
        """
        return self._verify_sms(routes.VERIFY_SMS_TRANSFER, transaction_id, sms_pin)

    def verify_sms_send(self, transaction_id: str, sms_pin: str) -> SmsVerifyResult:
        """Check the PIN the sender got by SMS for a send (see :meth:`verify_sms_transfer`).

        Deprecated in the docs only, like :meth:`verify_sms_transfer` (no runtime warning).
        """
        return self._verify_sms(routes.VERIFY_SMS_SEND, transaction_id, sms_pin)

    def _verify_sms(self, route: Route[SmsVerifyResult], transaction_id: str,
                    sms_pin: str) -> SmsVerifyResult:
        return self._call(route, transaction_id=require_text("transaction_id", transaction_id),
                          sms_pin=require_text("sms_pin", sms_pin))

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
        return self._call(routes.CLAIM_TRANSFER, **_arguments(locals()))

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
        return self._call(routes.CLAIM_CURRENCY, **_arguments(locals()))

    def get_transfer_status(self, transaction_id: str) -> TransactionStatusResult:
        """Where a transfer stands (poll it while the browser approves)."""
        return self._call(routes.TRANSFER_STATUS,
                          transaction_id=require_text("transaction_id", transaction_id))

    def get_send_status(self, transaction_id: str) -> TransactionStatusResult:
        """Where a send stands."""
        return self._call(routes.SEND_STATUS,
                          transaction_id=require_text("transaction_id", transaction_id))

    def get_guardian_approval_status(self, transaction_id: str) -> GuardianApprovalStatusResult:
        """The guardian's decision on a minor's send or transfer (the HTTP 202 path)."""
        return self._call(routes.GUARDIAN_APPROVAL_STATUS,
                          transaction_id=require_text("transaction_id", transaction_id))

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
        return self._call(route, source_game_id=source_game_id)

    def phone_share_initiate(self, *, phone: str, email: str) -> PhoneShareInitiateResult:
        """Ask the owner of ``phone`` to let ``email``'s account use it (an OTP goes by SMS).

        Sent without the game secret (the phone's owner drives it) and never retried.
        """
        return self._call(routes.PHONE_SHARE_INITIATE, phone=require_text("phone", phone),
                          email=require_text("email", email))

    def phone_share_approve(self, *, approval_id: str, otp: str) -> PhoneShareApproveResult:
        """Submit the OTP the phone's owner received. No game secret; never retried."""
        return self._call(routes.PHONE_SHARE_APPROVE,
                          approval_id=require_text("approval_id", approval_id),
                          otp=require_text("otp", otp))

    def phone_share_status(self, *, phone: str, email: str) -> PhoneShareStatusResult:
        """Whether the phone's owner approved sharing it with ``email``. No game secret."""
        return self._call(routes.PHONE_SHARE_STATUS, phone=require_text("phone", phone),
                          email=require_text("email", email))

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
        url = check_public_target_url(target_url, allow_loopback_http=self._loopback)
        if isinstance(subscribed_events, str):
            raise invalid("subscribed_events must be a list of event types, not a str")
        events = list(subscribed_events)
        if not events or not all(isinstance(e, str) and e.strip() for e in events):
            raise invalid("subscribed_events must be a non-empty list of event types ('*' = all)")
        return self._call(routes.REGISTER_WEBHOOK, game_id=check_path_id("game_id", game_id),
                          target_url=url, subscribed_events=events)

    def rotate_webhook_secret(self, *, game_id: _Id) -> RotateSecretResult:
        """Issue a new signing secret; the old one stays valid for 7 days (both sign meanwhile)."""
        return self._call(routes.ROTATE_WEBHOOK_SECRET,
                          game_id=check_path_id("game_id", game_id))
