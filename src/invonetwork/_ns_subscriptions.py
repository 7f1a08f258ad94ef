"""``server.subscriptions``, ``server.cards`` and ``server.sandbox.subscriptions``.

Each method checks its own rules (a violation is an ``InvalidInputError`` with status ``0``,
raised before anything is sent, in the order the checks are listed in its docstring), then
sends its route from ``_routes_subscriptions``.

SDK-side decisions where INVO's facts are silent:

* ``steam_id`` must be ASCII digits only (like the Steam purchase route): digits of other
  scripts (Arabic-Indic, full-width) are refused locally.
* The sandbox clock refuses a client aimed at production (``invo.network``) with a
  ``ConfigurationError`` before its own argument checks: nothing is sent.
* ``include_player`` is sent (as ``true``) when truthy, and left out otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Optional, TypeVar, Union
from urllib.parse import urlsplit

from . import _routes_subscriptions as routes
from ._caller import Caller, Namespace
from ._config import _environment_of_host
from ._money import check_money
from ._results_subscriptions import (
    AmountChangeResult,
    CancelResult,
    CardSetupBegin,
    CardSetupConfirm,
    CardSetupSession,
    PaymentMethodResult,
    PlayerCardsResult,
    RefundPendingApproval,
    RefundResult,
    SandboxClockResult,
    SteamInitResult,
    Subscription,
    SubscriptionListResult,
    SubscriptionResult,
)
from ._validation import check_e164, invalid, is_blank, require_text
from .errors import ConfigurationError, InvalidInputError

__all__ = ["Cards", "Sandbox", "SandboxSubscriptions", "Subscriptions"]

Money = Union[str, int, float, Decimal]
R = TypeVar("R")

#: The most a subscription price (or a refund) may be on this SDK; INVO accepts prices above
#: 25000.00 but never charges them.
SUB_MONEY_MAX = Decimal("999999.99")
TRIAL_AMOUNT_MIN = Decimal("0.50")
INTERVALS = ("month", "year")
USER_SESSIONS = ("client", "web")
FORCED_OUTCOMES = ("card_declined", "insufficient_funds", "error")
_CENT = Decimal("0.01")
_SETUP_REFERENCE = re.compile(r"[A-Za-z0-9._:-]{1,200}")
_UNSAFE_URL_SCHEMES = ("javascript:", "data:", "vbscript:")


# -- shared checks -----------------------------------------------------------------------------


def _key(name: str, value: object) -> str:
    """The key rule: a non-blank ``str`` of at most 255 chars, not starting with ``sub_``."""
    text = require_text(name, value)
    if len(text) > 255:
        raise invalid(f"{name} must be at most 255 characters, got {len(text)}")
    if text.lower().startswith("sub_"):
        raise invalid(f"{name} must not start with 'sub_' (reserved by INVO)")
    return text


def _sub_money(name: str, value: object) -> str:
    """The sub money rule: the main money rule up to 999999.99, as a 2-decimal string."""
    amount = check_money(name, value, SUB_MONEY_MAX)
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}"


def _int_in(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise invalid(f"{name} must be an int from {low} to {high}, got {value!r}")
    return value


def _optional_int_in(name: str, value: object, low: int, high: int) -> Optional[int]:
    return None if value is None else _int_in(name, value, low, high)


def _optional_bool(name: str, value: object) -> Optional[bool]:
    if value is not None and not isinstance(value, bool):
        raise invalid(f"{name} must be a bool, got {type(value).__name__}")
    return value


def _optional_dict(name: str, value: object) -> Optional[dict[str, Any]]:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise invalid(f"{name} must be a dict, got {type(value).__name__}")
    return dict(value)


def _reason(value: object) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 500:
        raise invalid("reason must be a str of at most 500 characters")
    return value


def _subscription_id(value: object) -> str:
    return require_text("subscription_id", value)


def _card_id(value: object) -> Optional[int]:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise invalid(f"player_card_id must be an int, got {type(value).__name__}")
    return value


def _truthy(value: Any) -> Any:
    return value if value else None


def _terms(
    *, client_request_id: object, player_email: object, player_name: object, item_id: object,
    amount_usd: object, player_phone: object, interval: object, interval_count: object,
    metadata: object, consent: object, revenue_share: object,
) -> dict[str, Any]:
    """The terms shared by ``create`` and ``steam_init``, checked in order."""
    key = _key("client_request_id", client_request_id)
    email = require_text("player_email", player_email)
    name = require_text("player_name", player_name)
    item = require_text("item_id", item_id)
    if interval not in INTERVALS:
        raise invalid(f"interval must be one of {', '.join(INTERVALS)}, got {interval!r}")
    count = _int_in("interval_count", interval_count, 1, 36)
    phone = None if player_phone is None else check_e164("player_phone", player_phone)
    amount = _sub_money("amount_usd", amount_usd)
    meta = _optional_dict("metadata", metadata)
    if meta is not None and "_invo" in meta:
        raise invalid("metadata must not hold the key '_invo' (reserved by INVO)")
    return {
        "client_request_id": key, "player_email": email, "player_name": name, "item_id": item,
        "interval": interval, "interval_count": count, "player_phone": _truthy(phone),
        "amount_usd": amount, "metadata": meta,
        "consent": _optional_dict("consent", consent),
        "revenue_share": _optional_dict("revenue_share", revenue_share),
    }


def _trial_amount(
    trial_amount_usd: object, amount_usd: str, has_trial: bool, wallet_only: Optional[bool]
) -> Optional[str]:
    if trial_amount_usd is None:
        return None
    if not has_trial:
        raise invalid("trial_amount_usd needs a trial (trial_days or trial_end)",
                      "TRIAL_AMOUNT_REQUIRES_TRIAL")
    if wallet_only is True:
        raise invalid("trial_amount_usd is not supported with wallet_only=True",
                      "TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING")
    try:
        trial = check_money("trial_amount_usd", trial_amount_usd, SUB_MONEY_MAX)
    except InvalidInputError as exc:
        raise invalid(exc.message, "TRIAL_AMOUNT_INVALID") from None
    if trial < TRIAL_AMOUNT_MIN or trial >= Decimal(amount_usd):
        raise invalid(
            f"trial_amount_usd must be at least {TRIAL_AMOUNT_MIN} and below amount_usd "
            f"({amount_usd}), got {trial}", "TRIAL_AMOUNT_INVALID")
    return f"{trial.quantize(_CENT, rounding=ROUND_HALF_UP):f}"


def _statuses(value: object) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        text = ",".join(value)
    else:
        raise invalid("status must be a str or a sequence of str")
    if not text.strip():
        raise invalid("status must not be blank")
    return text


def _url(name: str, value: object) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(f"{name} must be a non-blank str")
    if value.strip().lower().startswith(_UNSAFE_URL_SCHEMES):
        raise invalid(f"{name} must not be a javascript:, data: or vbscript: URL")
    return value


def _with_request_id(result: R, request_id: Optional[str]) -> R:
    object.__setattr__(result, "request_id", request_id)
    return result


# -- server.subscriptions ----------------------------------------------------------------------


class Subscriptions(Namespace):
    """Recurring billing of a player: ``server.subscriptions``.

    INVO bills the member a fixed USD price every ``interval`` and mints the game's currency
    each period. Grant entitlement off the ``subscription.renewed`` webhook (one per paid
    period), never off a call's answer.
    """

    def create(
        self,
        *,
        client_request_id: str,
        player_email: str,
        player_name: str,
        item_id: str,
        amount_usd: Money,
        player_phone: Optional[str] = None,
        item_name: Optional[str] = None,
        interval: str = "month",
        interval_count: int = 1,
        trial_days: Optional[int] = None,
        trial_end: Optional[str] = None,
        wallet_only: Optional[bool] = None,
        player_card_id: Optional[int] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        consent: Optional[Mapping[str, Any]] = None,
        revenue_share: Optional[Mapping[str, Any]] = None,
        trial_amount_usd: Optional[Money] = None,
    ) -> SubscriptionResult:
        """Subscribe a member on the card rail (``POST /api/subscriptions/subscribe``).

        The subscription is created even when the first charge fails (``first_charge.status
        == "failed"``, ``past_due``). The same ``client_request_id`` replays the first answer
        (``idempotent_replay``) and never charges twice, so the call is retried.

        Checks, in order: ``client_request_id`` (non-blank, at most 255 chars, not starting
        with ``sub_``); non-blank ``player_email``, ``player_name``, ``item_id``;
        ``interval`` in ``month``/``year``; ``interval_count`` 1..36; ``player_phone`` E.164;
        ``amount_usd`` (positive, 2 places, at most 999999.99: sent as ``"9.90"``);
        ``metadata`` a dict without ``_invo``; ``consent`` and ``revenue_share`` dicts;
        ``trial_days`` 1..365; ``trial_end`` non-blank; ``wallet_only`` a bool;
        ``trial_amount_usd`` (``TRIAL_AMOUNT_REQUIRES_TRIAL``,
        ``TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING``, ``TRIAL_AMOUNT_INVALID`` below 0.50 or
        not below ``amount_usd``); ``player_card_id`` an int, not with ``wallet_only=True``.
        """
        terms = _terms(
            client_request_id=client_request_id, player_email=player_email,
            player_name=player_name, item_id=item_id, amount_usd=amount_usd,
            player_phone=player_phone, interval=interval, interval_count=interval_count,
            metadata=metadata, consent=consent, revenue_share=revenue_share,
        )
        days = _optional_int_in("trial_days", trial_days, 1, 365)
        if trial_end is not None and (not isinstance(trial_end, str) or not trial_end.strip()):
            raise invalid("trial_end must be a non-blank str (an ISO 8601 instant)")
        wallet = _optional_bool("wallet_only", wallet_only)
        trial = _trial_amount(trial_amount_usd, terms["amount_usd"],
                              days is not None or trial_end is not None, wallet)
        card = _card_id(player_card_id)
        if card is not None and wallet is True:
            raise invalid("player_card_id cannot be combined with wallet_only=True")
        return self._client._call(
            routes.SUB_CREATE, **terms, item_name=_truthy(item_name), trial_days=days,
            trial_end=trial_end, wallet_only=wallet, player_card_id=card,
            trial_amount_usd=trial,
        )

    def get(self, subscription_id: str, *, include_player: bool = False) -> Subscription:
        """One subscription (``GET /api/subscriptions/{id}``); ``include_player`` adds the
        member's email and name."""
        envelope = self._client._call(
            routes.SUB_GET, subscription_id=_subscription_id(subscription_id),
            include_player="true" if include_player else None,
        )
        return envelope.unwrap()

    def list_for_player(
        self,
        player_email: str,
        *,
        status: Union[str, Sequence[str], None] = None,
        limit: Optional[int] = None,
        offset: Optional[int] = None,
        include_player: bool = False,
    ) -> SubscriptionListResult:
        """A member's subscriptions (``GET /api/subscriptions/player``).

        ``status`` filters (one status, or several as a sequence, sent joined by ``,``);
        ``limit`` 1..100, ``offset`` 0..100000. ``player_email`` on the result is the
        body's, else the one asked for.
        """
        email = require_text("player_email", player_email)
        result = self._client._call(
            routes.SUB_LIST, player_email=email, status=_statuses(status),
            limit=_optional_int_in("limit", limit, 1, 100),
            offset=_optional_int_in("offset", offset, 0, 100000),
            include_player="true" if include_player else None,
        )
        if not result.player_email:
            object.__setattr__(result, "player_email", email)
        return result

    def cancel(
        self, subscription_id: str, *, at_period_end: bool = True, reason: Optional[str] = None
    ) -> CancelResult:
        """Cancel at the end of the paid period (default: access is kept until
        ``access_until``) or now (``at_period_end=False``). A repeat answers
        ``already_canceled``; ``reason`` is a str of at most 500 chars."""
        sid = _subscription_id(subscription_id)
        if not isinstance(at_period_end, bool):
            raise invalid("at_period_end must be a bool")
        return self._client._call(routes.SUB_CANCEL, subscription_id=sid,
                                  at_period_end=at_period_end, reason=_reason(reason))

    def change_amount(self, subscription_id: str, amount_usd: Money) -> AmountChangeResult:
        """Stage a new price: the next renewal still bills the old one, later ones the new
        one (no proration). The current price clears a staged change."""
        sid = _subscription_id(subscription_id)
        return self._client._call(routes.SUB_CHANGE_AMOUNT, subscription_id=sid,
                                  amount_usd=_sub_money("amount_usd", amount_usd))

    def set_payment_method(
        self,
        subscription_id: str,
        *,
        player_card_id: Optional[int] = None,
        wallet_only: Optional[bool] = None,
    ) -> PaymentMethodResult:
        """Bill a saved card from the next charge on (a pending retry included).

        Needs at least one argument; ``player_card_id`` an int, ``wallet_only`` a bool, and
        never ``wallet_only=True`` with a card.
        """
        sid = _subscription_id(subscription_id)
        if player_card_id is None and wallet_only is None:
            raise invalid("pass player_card_id or wallet_only")
        card = _card_id(player_card_id)
        wallet = _optional_bool("wallet_only", wallet_only)
        if card is not None and wallet is True:
            raise invalid("player_card_id cannot be combined with wallet_only=True")
        return self._client._call(routes.SUB_SET_PAYMENT_METHOD, subscription_id=sid,
                                  player_card_id=card, wallet_only=wallet)

    def refund(
        self,
        subscription_id: str,
        *,
        client_request_id: str,
        period_seq: Optional[int] = None,
        amount_usd: Optional[Money] = None,
        reason: Optional[str] = None,
    ) -> RefundResult:
        """Refund a billed period (default: the latest, its remaining amount).

        Returns a :class:`RefundReceipt` when it ran, or a :class:`RefundPendingApproval`
        (HTTP 202) when it is over the game's daily self-serve cap: INVO then decides, and
        the same ``client_request_id`` answers the request, the receipt once approved, or 409
        ``REFUND_REQUEST_REJECTED``. A full refund cancels the subscription.

        On a :class:`RefundPendingApproval`, ``request_id`` is the refund request's id
        (``SRR...``, as INVO's facts name it), not the HTTP request id other results carry.
        """
        sid = _subscription_id(subscription_id)
        key = _key("client_request_id", client_request_id)
        seq = _optional_int_in("period_seq", period_seq, 1, 1000000)
        amount = None if amount_usd is None else _sub_money("amount_usd", amount_usd)
        result = self._client._call(routes.SUB_REFUND, subscription_id=sid,
                                    client_request_id=key, period_seq=seq, amount_usd=amount,
                                    reason=_reason(reason))
        refund = RefundResult.of(result.raw)
        if isinstance(refund, RefundPendingApproval):
            return refund  # its ``request_id`` is the refund request's id (``SRR...``)
        return _with_request_id(refund, result.request_id)

    def steam_init(
        self,
        *,
        client_request_id: str,
        player_email: str,
        player_name: str,
        item_id: str,
        amount_usd: Money,
        steam_id: str,
        user_session: str = "client",
        player_ip: Optional[str] = None,
        item_name: Optional[str] = None,
        interval: str = "month",
        interval_count: int = 1,
        player_phone: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        consent: Optional[Mapping[str, Any]] = None,
        revenue_share: Optional[Mapping[str, Any]] = None,
    ) -> SteamInitResult:
        """Start a Steam subscription: the member authorises the agreement in Steam, then
        call :meth:`steam_finalize`. Sent as ``steamid`` / ``usersession``.

        Checks first: ``steam_id`` a string of ASCII digits; ``user_session`` ``client`` or
        ``web``; ``web`` needs a non-blank ``player_ip``; ``interval_count`` exactly 1; then
        the terms as :meth:`create`.
        """
        if not isinstance(steam_id, str) or not steam_id.isascii() or not steam_id.isdigit():
            raise invalid("steam_id must be a string of ASCII digits (a SteamID64)")
        if user_session not in USER_SESSIONS:
            raise invalid(f"user_session must be one of client, web, got {user_session!r}")
        if user_session == "web" and (not isinstance(player_ip, str) or is_blank(player_ip)):
            raise invalid("user_session='web' needs the member's player_ip")
        if isinstance(interval_count, bool) or interval_count != 1:
            raise invalid("interval_count must be 1 on Steam")
        terms = _terms(
            client_request_id=client_request_id, player_email=player_email,
            player_name=player_name, item_id=item_id, amount_usd=amount_usd,
            player_phone=player_phone, interval=interval, interval_count=interval_count,
            metadata=metadata, consent=consent, revenue_share=revenue_share,
        )
        return self._client._call(
            routes.SUB_STEAM_INIT, **terms, steam_id=steam_id, user_session=user_session,
            player_ip=_truthy(player_ip), item_name=_truthy(item_name),
        )

    def steam_finalize(self, subscription_id: str) -> SubscriptionResult:
        """Finish a Steam subscription after the member authorised it (409 ``not_authorized``
        before that; a repeat answers ``already_processed``). The sandbox skips Steam and
        auto-approves (``sandbox_auto_approved``)."""
        return self._client._call(routes.SUB_STEAM_FINALIZE,
                                  subscription_id=_subscription_id(subscription_id))


# -- server.cards ------------------------------------------------------------------------------


class Cards(Namespace):
    """Saved cards for off-session billing: ``server.cards`` (saving charges nothing)."""

    def create_setup_session(
        self,
        *,
        player_email: str,
        success_url: Optional[str] = None,
        cancel_url: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        player_name: Optional[str] = None,
        player_phone: Optional[str] = None,
    ) -> CardSetupSession:
        """A hosted page (``card_setup_url``, 10 minutes) where the member saves a card.

        Never retried: each call mints a new link. No webhook follows a save: poll
        :meth:`list`. An unknown member is created when ``player_name`` is given.
        Checks, in order: ``player_email`` non-blank; each URL non-blank and not
        ``javascript:``/``data:``/``vbscript:``; ``player_name`` non-blank, at most 255
        chars trimmed; ``player_phone`` E.164; ``metadata`` a dict.
        """
        email = require_text("player_email", player_email)
        success = _url("success_url", success_url)
        cancel = _url("cancel_url", cancel_url)
        if player_name is not None and (
            not isinstance(player_name, str) or not player_name.strip()
            or len(player_name.strip()) > 255
        ):
            raise invalid("player_name must be a non-blank str of at most 255 characters")
        phone = None if player_phone is None else check_e164("player_phone", player_phone)
        return self._client._call(
            routes.CARD_SETUP_SESSION, player_email=email, success_url=_truthy(success),
            cancel_url=_truthy(cancel), metadata=_optional_dict("metadata", metadata),
            player_name=_truthy(player_name), player_phone=_truthy(phone),
        )

    def begin_setup(
        self, *, player_email: str, setup_reference: str, payment_method_id: Optional[str] = None
    ) -> CardSetupBegin:
        """Start saving a card from your own payment form; the same ``setup_reference``
        (1..200 of ``A-Za-z0-9._:-``) returns the same setup."""
        email = require_text("player_email", player_email)
        if not isinstance(setup_reference, str) or not _SETUP_REFERENCE.fullmatch(
                setup_reference):
            raise invalid("setup_reference must be 1 to 200 characters of A-Za-z0-9._:-")
        return self._client._call(routes.CARD_BEGIN_SETUP, player_email=email,
                                  setup_reference=setup_reference,
                                  payment_method_id=_truthy(payment_method_id))

    def confirm_setup(self, *, setup_intent_id: str) -> CardSetupConfirm:
        """Store the card once the client finished the setup (a repeat: ``already_saved``)."""
        return self._client._call(
            routes.CARD_CONFIRM_SETUP,
            setup_intent_id=require_text("setup_intent_id", setup_intent_id))

    def list(self, player_email: str) -> PlayerCardsResult:
        """A member's unexpired saved cards, newest first (``[]`` for an unknown member)."""
        return self._client._call(routes.CARD_LIST,
                                  player_email=require_text("player_email", player_email))


# -- server.sandbox.subscriptions --------------------------------------------------------------


class SandboxSubscriptions(Namespace):
    """The sandbox subscription clock: ``server.sandbox.subscriptions`` (sandbox only).

    Each call sends the game secret plus ``X-Sandbox-Clock-Key`` (the client's
    ``sandbox_clock_key``) and is never retried: it moves the clock or charges. A client
    aimed at production is refused before anything is sent.
    """

    def _clock_key(self) -> str:
        key = self._client._sandbox_clock_key
        if not isinstance(key, str) or not key.strip():
            raise invalid("the sandbox clock needs InvoServer(..., sandbox_clock_key='ivclk_...')")
        return key

    def _refuse_production(self) -> None:
        # An older key's environment is only known after its lookup: settle it first, so a
        # key that turns out to be production is refused before the clock call is sent.
        self._client._environment_base()
        host = urlsplit(self._client.base_url).hostname or ""
        if _environment_of_host(host) == "live":
            raise ConfigurationError(
                "the sandbox subscription clock exists only in the sandbox; this client "
                "targets production")

    def _send(self, route: Any, subscription_id: object, **values: Any) -> SandboxClockResult:
        sid = _subscription_id(subscription_id)
        result: SandboxClockResult = self._client._call(
            route, subscription_id=sid, clock_key=self._clock_key(), **values)
        return result

    def advance_clock(self, subscription_id: str, intervals: int = 1) -> SandboxClockResult:
        """Make the next period due now and bill it (``intervals`` 0..60; ``0`` fires a due
        retry without moving the window)."""
        self._refuse_production()
        count = _int_in("intervals", intervals, 0, 60)
        return self._send(routes.CLOCK_ADVANCE, subscription_id, intervals=count)

    def force_renewal(self, subscription_id: str) -> SandboxClockResult:
        """Run the real renewal now on the test card (``engine_stats {"renewed": 1}``)."""
        self._refuse_production()
        return self._send(routes.CLOCK_FORCE_RENEWAL, subscription_id)

    def force_failure(
        self,
        subscription_id: str,
        outcome: str = "card_declined",
        *,
        failure_code: Optional[str] = None,
        failure_message: Optional[str] = None,
    ) -> SandboxClockResult:
        """A synthetic failed charge through the real dunning (retries after 2, 3, 2 days;
        the fourth failure expires the subscription). ``outcome``: ``card_declined``,
        ``insufficient_funds`` or ``error``."""
        self._refuse_production()
        if outcome not in FORCED_OUTCOMES:
            raise invalid(f"outcome must be one of {', '.join(FORCED_OUTCOMES)}, "
                          f"got {outcome!r}")
        return self._send(routes.CLOCK_FORCE_FAILURE, subscription_id, outcome=outcome,
                          failure_code=_truthy(failure_code),
                          failure_message=_truthy(failure_message))

    def force_auth_challenge(
        self, subscription_id: str, *, failure_message: Optional[str] = None
    ) -> SandboxClockResult:
        """Make the issuer ask for authentication (``awaiting_authentication``; at most 2
        challenges, then a decline). No link is minted."""
        self._refuse_production()
        return self._send(routes.CLOCK_FORCE_AUTH_CHALLENGE, subscription_id,
                          failure_message=_truthy(failure_message))


class Sandbox(Namespace):
    """Sandbox-only tools of the INVO API: ``server.sandbox``.

    Not to be confused with :mod:`invonetwork.sandbox`, the local emulator of the API.
    """

    def __init__(self, client: Caller) -> None:
        super().__init__(client)
        self.subscriptions = SandboxSubscriptions(client)
