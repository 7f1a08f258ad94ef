"""What an ``InvoError`` means: the classifier properties, and how a body's code is chosen.

Two parts, both pure (no I/O) and free of imports from ``invonetwork.errors``, which builds
on this module.

**The mixin.** ``ErrorClassifiers`` holds the read-only classifier properties of INVO's
current API (``is_phone_same``, ``is_below_card_minimum``, ``min_usd``, ``retry_after`` ...).
It reads only these attributes of the error, each through ``getattr`` with a default, so it
works on any error, also one a user built by hand in a test and one built before the newer
attributes existed:

==========================  ===============================================================
``code``                    the neutral code (``None`` when INVO gave none)
``raw_code``                the wire ``code`` / ``error_code`` before the public alias
``public_code``             the body's ``error_code_public``, else ``None``
``status``                  the HTTP status, ``0`` when there was no answer
``body``                    the parsed body; ``body.k`` rules read it only when it is an object
``message``                 the message
``retry_after_header``      the answer's ``Retry-After`` header, else ``None``
==========================  ===============================================================

Most properties are "rule A": true exactly when ``code`` equals the name after ``is_``,
upper-cased (``is_phone_same`` is ``code == "PHONE_SAME"``). Those are one line each in the
class body, a typed descriptor that takes its code from the attribute name, so the class body
is the list and every name stays visible to type checkers and editors.

**The code rules** (for ``error_from_response``)::

    error_fields_from_body(status: int, body: Any) -> ErrorFields
        ErrorFields(code, raw_code, public_code, message), all four chosen below.
    code_from_body(body: Any) -> Optional[str]
        body ``error_code_public`` (a non-empty string) wins; else ``code``; else
        ``error_code``; else the promoted token.
    promoted_token(body: Any) -> Optional[str]
        body ``error`` when the body has none of those three codes and ``error`` is exactly
        one of ``PROMOTED_ERROR_TOKENS``.
    raw_code_from_body(body: Any) -> Optional[str]
        body ``code``, else ``error_code`` (the wire code before the alias), else ``None``.
    public_code_from_body(body: Any) -> Optional[str]
        body ``error_code_public`` when a non-empty string, else ``None``.
    message_from_body(status: int, body: Any) -> str
        for a promoted token: body ``message`` when a non-blank string; otherwise body
        ``error``, else ``message`` (non-blank strings), else a non-blank text body, else
        ``"INVO request failed (HTTP <status>)"``.
    parse_retry_after(value: Any) -> Optional[float]
        a body ``retry_after``: a number or numeric string, finite, >= 0, never a bool.
    parse_retry_after_header(value: Any) -> Optional[float]
        a ``Retry-After`` header: digits with an optional decimal part (surrounding
        whitespace ignored); an HTTP date or anything else is ``None``.
    retry_after_seconds(body: Any, header: Any) -> Optional[float]
        the body's ``retry_after``, else the header's, else ``None``.

In ``ErrorFields``, ``raw_code`` already falls back to ``code`` (the constructor's default for
an error built by hand), so it can be passed to the constructor as is.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Generic, NamedTuple, NoReturn, Optional, TypeVar, Union, overload

__all__ = [
    "PROMOTED_ERROR_TOKENS",
    "ErrorClassifiers",
    "ErrorFields",
    "code_from_body",
    "error_fields_from_body",
    "message_from_body",
    "parse_retry_after",
    "parse_retry_after_header",
    "promoted_token",
    "public_code_from_body",
    "raw_code_from_body",
    "retry_after_seconds",
]

#: Values of a body's ``error`` key that INVO uses as codes when the body carries no code.
PROMOTED_ERROR_TOKENS: frozenset[str] = frozenset(
    {
        "flow_paused",
        "spending_limit_exceeded",
        "receiver_not_enrolled_use_claim_code",
        "no_channel_on_file",
        "rate_limited",
        "service_unavailable",
        "authorization_pending",
        "slow_down",
        "expired_token",
        "access_denied",
        "invalid_grant",
    }
)

_CODE_KEYS = ("error_code_public", "code", "error_code")
_HEADER_SECONDS = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_INSUFFICIENT_BALANCE = re.compile(r"insufficient[_ ]balance", re.IGNORECASE)
_ALREADY_REFUNDED = re.compile(r"already\s+refunded", re.IGNORECASE)
_NOT_PENDING_WORDING = re.compile(
    r"^transaction not pending\b|\bcannot be confirmed\b", re.IGNORECASE
)
# "(current status: X)" or "(status: X)"; X is whatever stands before the closing bracket.
_STATUS_CLAUSE = re.compile(r"\((?:current\s+)?status:([^)]*)\)", re.IGNORECASE)


# -- reading an error's attributes --------------------------------------------------------------


def _str_attr(err: object, name: str) -> Optional[str]:
    value = getattr(err, name, None)
    return value if isinstance(value, str) else None


def _code(err: object) -> Optional[str]:
    return _str_attr(err, "code")


def _message(err: object) -> str:
    return _str_attr(err, "message") or ""


def _status(err: object) -> object:
    status: object = getattr(err, "status", 0)
    return status


def _header(err: object) -> object:
    header: object = getattr(err, "retry_after_header", None)
    return header


def _body(err: object) -> Optional[Mapping[str, Any]]:
    body = getattr(err, "body", None)
    return body if isinstance(body, Mapping) else None


def _body_get(err: object, key: str) -> object:
    body = _body(err)
    return None if body is None else body.get(key)


def _nonempty(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _nonblank(value: object) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def _finite_number(value: object) -> Union[int, float, None]:
    """An int, or a finite float; never a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return value if math.isfinite(value) else None


def _number_text(value: object) -> Optional[str]:
    """A str as is; a finite int or float (never a bool) as ``str()``; else ``None``."""
    if isinstance(value, str):
        return value
    number = _finite_number(value)
    return None if number is None else str(number)


def _two_places(value: object) -> Optional[str]:
    """A finite number (not bool) with two decimals, half up: ``0.5`` -> ``"0.50"``."""
    number = _finite_number(value)
    if number is None:
        return None
    exact = Decimal(number) if isinstance(number, int) else Decimal(repr(number))
    with localcontext() as context:
        context.rounding = ROUND_HALF_UP
        return format(exact, ".2f")


def _steam_status(err: object) -> str:
    value = _body_get(err, "steam_status")
    return value.lower() if isinstance(value, str) else ""


def _status_clause(message: str) -> Optional[str]:
    """The trimmed ``X`` of the first ``(current status: X)`` / ``(status: X)`` with an X."""
    for match in _STATUS_CLAUSE.finditer(message):
        value = match.group(1).strip()
        if value:
            return value
    return None


# -- the typed descriptors ----------------------------------------------------------------------

_T = TypeVar("_T")


class _Classifier(Generic[_T]):
    """A read-only property computed from the error by ``_read``; carries its docstring."""

    name: str = ""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def _read(self, err: object) -> _T:
        raise NotImplementedError

    @overload
    def __get__(self, err: None, owner: Optional[type] = None) -> _Classifier[_T]: ...

    @overload
    def __get__(self, err: object, owner: Optional[type] = None) -> _T: ...

    def __get__(self, err: Optional[object], owner: Optional[type] = None) -> Any:
        if err is None:
            return self
        return self._read(err)

    def __set__(self, err: object, value: NoReturn) -> NoReturn:
        raise AttributeError(f"{self.name} is read-only")

    def __delete__(self, err: object) -> NoReturn:
        raise AttributeError(f"{self.name} is read-only")

    def __repr__(self) -> str:
        return f"<classifier {self.name}>"


class _CodeIs(_Classifier[bool]):
    """Rule A: true exactly when ``code`` equals the name after ``is_``, upper-cased."""

    code: str = ""

    def __set_name__(self, owner: type, name: str) -> None:
        if not name.startswith("is_"):
            raise TypeError(f"a rule-A classifier is named is_<code>, not {name}")
        super().__set_name__(owner, name)
        self.code = name[3:].upper()

    def _read(self, err: object) -> bool:
        return _code(err) == self.code


class _CodeIn(_Classifier[bool]):
    """True when ``code`` is one of the given codes."""

    def __init__(self, doc: str, *codes: str) -> None:
        super().__init__(doc)
        self.codes = frozenset(codes)

    def _read(self, err: object) -> bool:
        return _code(err) in self.codes


class _BodyText(_Classifier[Optional[str]]):
    """The body key's value when it is a non-empty string, else ``None``."""

    def __init__(self, doc: str, key: str) -> None:
        super().__init__(doc)
        self.key = key

    def _read(self, err: object) -> Optional[str]:
        return _nonempty(_body_get(err, self.key))


class _BodyString(_Classifier[Optional[str]]):
    """The body key's value when it is a string (even empty), else ``None``."""

    def __init__(self, doc: str, key: str) -> None:
        super().__init__(doc)
        self.key = key

    def _read(self, err: object) -> Optional[str]:
        value = _body_get(err, self.key)
        return value if isinstance(value, str) else None


class _BodyAmount(_Classifier[Optional[str]]):
    """The body key as ``str`` when a str, int or float (finite, never a bool), else ``None``."""

    def __init__(self, doc: str, key: str) -> None:
        super().__init__(doc)
        self.key = key

    def _read(self, err: object) -> Optional[str]:
        return _number_text(_body_get(err, self.key))


# -- the mixin ----------------------------------------------------------------------------------


class ErrorClassifiers:
    """Read-only classifier properties of an INVO error (``InvoError`` inherits them).

    Each reads only ``code``, ``raw_code``, ``public_code``, ``status``, ``body``,
    ``message`` and ``retry_after_header``, so it answers on an error built by hand:
    ``InvoError("x", code="PHONE_SAME", status=409).is_phone_same`` is ``True``.
    """

    __slots__ = ()

    # -- rule A: players, phones, reads ---------------------------------------------------------

    is_invalid_cursor = _CodeIs(
        "``INVALID_CURSOR``: the cursor belongs to another player or filter; start over."
    )
    is_invalid_player_email = _CodeIs(
        "``INVALID_PLAYER_EMAIL``: INVO refused the player email's shape."
    )
    is_invalid_input = _CodeIs(
        "``INVALID_INPUT``: an argument broke a rule (locally, status 0, or at INVO)."
    )
    is_player_token_stale = _CodeIs(
        "``PLAYER_TOKEN_STALE``: the token predates the player's identity change; mint a new "
        "one and retry once."
    )
    is_player_create_failed = _CodeIs(
        "``PLAYER_CREATE_FAILED``: INVO could not create the player; nothing was created."
    )
    is_phone_change_requires_verification = _CodeIs(
        "``PHONE_CHANGE_REQUIRES_VERIFICATION``: the player must confirm the change; use "
        "``request_phone_change`` (see ``change_request_endpoint``)."
    )
    is_confirm_on_invo_page = _CodeIs(
        "``CONFIRM_ON_INVO_PAGE``: a phone change is confirmed by the player on INVO's page only."
    )
    is_change_request_not_found = _CodeIs(
        "``CHANGE_REQUEST_NOT_FOUND``: no such phone change request for this game."
    )
    is_phone_same = _CodeIs(
        "``PHONE_SAME``: the new phone is already the player's phone; nothing to change."
    )
    is_phone_in_use_by_another_player = _CodeIs(
        "``PHONE_IN_USE_BY_ANOTHER_PLAYER``: another player holds the new phone."
    )
    is_pending_transfers_to_new_phone = _CodeIs(
        "``PENDING_TRANSFERS_TO_NEW_PHONE``: value is waiting for the new phone; wait until "
        "it settles."
    )
    is_pending_transfers_to_old_phone = _CodeIs(
        "``PENDING_TRANSFERS_TO_OLD_PHONE``: value is waiting for the old phone; wait until "
        "it settles."
    )
    is_change_request_in_progress = _CodeIs(
        "``CHANGE_REQUEST_IN_PROGRESS``: another game's phone change request is pending."
    )
    is_phone_change_locked = _CodeIs(
        "``PHONE_CHANGE_LOCKED``: phone changes are locked for this player."
    )
    is_phone_change_recovery_cooldown = _CodeIs(
        "``PHONE_CHANGE_RECOVERY_COOLDOWN``: a recent account recovery blocks phone changes "
        "for a while."
    )
    is_device_enrolled_after_request = _CodeIs(
        "``DEVICE_ENROLLED_AFTER_REQUEST``: a device was enrolled after the change was "
        "requested; request it again."
    )
    is_wallet_secured = _CodeIs(
        "``WALLET_SECURED``: the wallet is secured; the player changes the phone with INVO."
    )
    is_phone_not_set = _CodeIs("``PHONE_NOT_SET``: the player has no phone to change.")
    is_too_many_change_requests = _CodeIs(
        "``TOO_MANY_CHANGE_REQUESTS``: too many phone change requests (429, no "
        "``retry_after``)."
    )
    is_identity_check_unavailable = _CodeIs(
        "``IDENTITY_CHECK_UNAVAILABLE``: INVO's identity check is down; nothing moved. Send "
        "the same call again later (never retried automatically)."
    )
    is_payments_paused = _CodeIs(
        "``PAYMENTS_PAUSED``: new payments are paused on the account (403)."
    )

    # -- rule A: card purchases -----------------------------------------------------------------

    is_above_card_maximum = _CodeIs(
        "``ABOVE_CARD_MAXIMUM``: above the card maximum; the message quotes it."
    )
    is_amount_below_fee = _CodeIs(
        "``AMOUNT_BELOW_FEE``. Deprecated: INVO no longer sends this code."
    )
    is_quote_stale = _CodeIs(
        "``QUOTE_STALE``: the acknowledged total is below the true total; nothing was charged "
        "(see ``expected_total_usd``)."
    )
    is_tax_place_unavailable = _CodeIs(
        "``TAX_PLACE_UNAVAILABLE``: no tax place for a taxed acknowledgement; pass ``country`` "
        "(see ``untaxed_total_usd``)."
    )
    is_rail_channel_mismatch = _CodeIs(
        "``RAIL_CHANNEL_MISMATCH``: the rail does not fit the key's channel."
    )
    is_wrong_session_purpose = _CodeIs(
        "``WRONG_SESSION_PURPOSE``: a card-setup token was used to read a purchase."
    )

    # -- rule A: sends, games, passkeys ---------------------------------------------------------

    is_source_game_not_live = _CodeIs(
        "``SOURCE_GAME_NOT_LIVE``: the sending game is not live."
    )
    is_target_game_not_live = _CodeIs(
        "``TARGET_GAME_NOT_LIVE``: the receiving game is not live."
    )
    is_webauthn_not_enabled_for_tenant = _CodeIs(
        "``WEBAUTHN_NOT_ENABLED_FOR_TENANT``: passkeys are not configured for the game."
    )
    is_enrollment_code_invalid = _CodeIs(
        "``ENROLLMENT_CODE_INVALID``: the enrollment or recovery code is wrong or expired."
    )
    is_passkey_recovery_cooldown = _CodeIs(
        "``PASSKEY_RECOVERY_COOLDOWN``: within 24 h of a passkey recovery (see "
        "``retry_after_at``)."
    )
    is_device_approval_not_approved = _CodeIs(
        "``DEVICE_APPROVAL_NOT_APPROVED``: the device approval code is unknown, another's, "
        "bound elsewhere, or not approved yet."
    )
    is_device_approval_already_pending = _CodeIs(
        "``DEVICE_APPROVAL_ALREADY_PENDING``: an approved grant is still in its window (see "
        "``device_approval_expires_at``)."
    )

    # -- rule A: Steam --------------------------------------------------------------------------

    is_steam_value_non_transferable = _CodeIs(
        "``STEAM_VALUE_NON_TRANSFERABLE``: value bought on Steam cannot move this way (see "
        "``steam_transferable_max``)."
    )
    is_non_steam_value_into_steam_blocked = _CodeIs(
        "``NON_STEAM_VALUE_INTO_STEAM_BLOCKED``: the receiving Steam game takes no value "
        "bought elsewhere."
    )
    is_steam_rail_not_entitled = _CodeIs(
        "``STEAM_RAIL_NOT_ENTITLED``: INVO has not registered the title as Steam-distributed."
    )
    is_steam_purchase_layer_required = _CodeIs(
        "``STEAM_PURCHASE_LAYER_REQUIRED``: a Steam-distributed title must sell through Steam."
    )
    is_steam_not_configured = _CodeIs(
        "``STEAM_NOT_CONFIGURED``: the title's Steam app id and publisher key are not "
        "registered."
    )
    is_steam_app_changed = _CodeIs(
        "``STEAM_APP_CHANGED``: the order started against another Steam app; it is over."
    )
    is_unknown_steam_pack = _CodeIs(
        "``UNKNOWN_STEAM_PACK``: no such pack (body ``valid_pack_ids`` lists them)."
    )
    is_missing_player_ip = _CodeIs(
        "``MISSING_PLAYER_IP``: a web Steam session needs the player's IP."
    )
    is_partner_billing_not_set_up = _CodeIs(
        "``PARTNER_BILLING_NOT_SET_UP``: the studio has no billing method on file."
    )
    is_partner_credit_unavailable = _CodeIs(
        "``PARTNER_CREDIT_UNAVAILABLE``: the settlement float cannot cover it; retry by hand "
        "with the same reference."
    )
    is_partner_rail_suspended = _CodeIs(
        "``PARTNER_RAIL_SUSPENDED``: refused until the studio acts."
    )

    # -- rule A: Platform Commerce --------------------------------------------------------------

    is_duplicate_client_request_id = _CodeIs(
        "``DUPLICATE_CLIENT_REQUEST_ID``: a payment already exists for this key (body "
        "``order_id``, ``order_status``)."
    )
    is_balance_unavailable = _CodeIs(
        "``BALANCE_UNAVAILABLE``: unknown buyer or short balance; nothing was debited."
    )
    is_approval_not_available = _CodeIs(
        "``APPROVAL_NOT_AVAILABLE``: player approval cannot be used now."
    )
    is_approval_not_found = _CodeIs("``APPROVAL_NOT_FOUND``: no such approval.")
    is_approval_already_ended = _CodeIs(
        "``APPROVAL_ALREADY_ENDED``: the approval already ended; nothing to cancel."
    )
    is_refund_remaining_requires_confirmation = _CodeIs(
        "``REFUND_REMAINING_REQUIRES_CONFIRMATION``: partly refunded; pass "
        "``refund_remaining`` to refund the rest."
    )
    is_refund_recently_issued = _CodeIs(
        "``REFUND_RECENTLY_ISSUED``: refunded moments ago; pass "
        "``confirm_additional_refund`` to refund again."
    )
    is_refund_not_completed = _CodeIs(
        "``REFUND_NOT_COMPLETED``: the refund did not go through; nothing was recorded."
    )

    # -- rule A: subscriptions, sandbox clock ---------------------------------------------------

    is_game_not_live = _CodeIs("``GAME_NOT_LIVE``: the game is not live yet.")
    is_active_subscription_exists = _CodeIs(
        "``ACTIVE_SUBSCRIPTION_EXISTS``: the player already has a live subscription (see "
        "``existing_subscription_id``)."
    )
    is_idempotent_replay_mismatch = _CodeIs(
        "``IDEMPOTENT_REPLAY_MISMATCH``: the key was used with other terms (see "
        "``mismatched_fields``)."
    )
    is_payment_method_required = _CodeIs(
        "``PAYMENT_METHOD_REQUIRED``: a usable saved card is needed; nothing was created."
    )
    is_trial_amount_requires_trial = _CodeIs(
        "``TRIAL_AMOUNT_REQUIRES_TRIAL``: a trial price needs a trial."
    )
    is_trial_amount_not_supported_for_funding = _CodeIs(
        "``TRIAL_AMOUNT_NOT_SUPPORTED_FOR_FUNDING``: no trial price on this funding."
    )
    is_trial_amount_invalid = _CodeIs(
        "``TRIAL_AMOUNT_INVALID``: the trial price is not a usable amount."
    )
    is_trial_amount_below_fee_floor = _CodeIs(
        "``TRIAL_AMOUNT_BELOW_FEE_FLOOR``: the trial price is below the fee floor."
    )
    is_steam_reauthorization_required = _CodeIs(
        "``STEAM_REAUTHORIZATION_REQUIRED``: a Steam price increase needs the player's "
        "authorization again."
    )
    is_not_a_card_subscription = _CodeIs(
        "``NOT_A_CARD_SUBSCRIPTION``: only a card subscription takes this call."
    )
    is_steam_channel_required = _CodeIs(
        "``STEAM_CHANNEL_REQUIRED``: this call needs the Steam storefront key."
    )
    is_subscription_terminal = _CodeIs(
        "``SUBSCRIPTION_TERMINAL``: the subscription has ended; it cannot change."
    )
    is_steam_refund_not_supported = _CodeIs(
        "``STEAM_REFUND_NOT_SUPPORTED``: Steam subscriptions are refunded through Steam."
    )
    is_refunds_not_enabled = _CodeIs(
        "``REFUNDS_NOT_ENABLED``: refunds are not enabled for the game."
    )
    is_refund_window_closed = _CodeIs(
        "``REFUND_WINDOW_CLOSED``: too late to refund this period (see "
        "``refund_window_closed_at``)."
    )
    is_refund_request_pending = _CodeIs(
        "``REFUND_REQUEST_PENDING``: a refund request for the period awaits a decision."
    )
    is_refund_request_rejected = _CodeIs(
        "``REFUND_REQUEST_REJECTED``: the refund request was rejected (see "
        "``decision_reason``)."
    )
    is_concurrent_request = _CodeIs(
        "``CONCURRENT_REQUEST``: another request for the same thing is running; try again."
    )
    is_refund_mismatch = _CodeIs(
        "``REFUND_MISMATCH``: the processor's refund did not match INVO's record."
    )
    is_sandbox_clock_unauthorized = _CodeIs(
        "``SANDBOX_CLOCK_UNAUTHORIZED``: the sandbox clock key is missing or wrong."
    )

    # -- code sets -------------------------------------------------------------------------------

    is_phone_change_needs_support = _CodeIn(
        "``STEP_UP_UNAVAILABLE``, ``IDENTITY_COLLISION`` or ``AMBIGUOUS_IDENTITY``: only "
        "INVO support can change this phone.",
        "STEP_UP_UNAVAILABLE",
        "IDENTITY_COLLISION",
        "AMBIGUOUS_IDENTITY",
    )
    is_phone_change_unavailable = _CodeIn(
        "``PHONE_CHANGE_UNAVAILABLE`` or ``CONFIRMATION_EMAIL_UNAVAILABLE``: phone changes "
        "are down for now.",
        "PHONE_CHANGE_UNAVAILABLE",
        "CONFIRMATION_EMAIL_UNAVAILABLE",
    )
    is_reward_unavailable = _CodeIn(
        "``inventory_exhausted`` or ``conflict``: the reward cannot be handed out.",
        "inventory_exhausted",
        "conflict",
    )
    is_flow_paused = _CodeIn(
        "``flow_paused`` or ``FLOW_PAUSED``: INVO paused this flow (503).",
        "flow_paused",
        "FLOW_PAUSED",
    )
    is_checkout_session_mismatch = _CodeIn(
        "``SESSION_MISMATCH``: the session token belongs to another checkout session.",
        "SESSION_MISMATCH",
    )
    is_checkout_session_expired = _CodeIn(
        "``SESSION_EXPIRED``: the checkout session is over.", "SESSION_EXPIRED"
    )
    is_user_verification_required = _CodeIn(
        "``WEBAUTHN_UV_REQUIRED``: the passkey must verify the user.", "WEBAUTHN_UV_REQUIRED"
    )
    is_not_platform_tenant = _CodeIn(
        "``NOT_A_PLATFORM_TENANT``: Platform Commerce is for platform tenants only.",
        "NOT_A_PLATFORM_TENANT",
    )
    is_partner_settlement_unavailable = _CodeIn(
        "``PARTNER_RAIL_SUSPENDED`` or ``PARTNER_CREDIT_UNAVAILABLE``.",
        "PARTNER_RAIL_SUSPENDED",
        "PARTNER_CREDIT_UNAVAILABLE",
    )
    is_settle_fault = _CodeIn(
        "``SEND_APPROVE_FAILED``, ``TRANSFER_APPROVE_FAILED`` or ``CONFIRM_RECEIPT_FAILED``: "
        "INVO failed, maybe after the money moved; not retryable (see ``error_ref``).",
        "SEND_APPROVE_FAILED",
        "TRANSFER_APPROVE_FAILED",
        "CONFIRM_RECEIPT_FAILED",
    )
    is_consent_disclosed_trial_invalid = _CodeIn(
        "``CONSENT_DISCLOSED_TRIAL_AMOUNT_INVALID``, ``..._DAYS_INVALID`` or "
        "``..._END_INVALID``: the disclosed trial terms do not match.",
        "CONSENT_DISCLOSED_TRIAL_AMOUNT_INVALID",
        "CONSENT_DISCLOSED_TRIAL_DAYS_INVALID",
        "CONSENT_DISCLOSED_TRIAL_END_INVALID",
    )

    # -- body values -----------------------------------------------------------------------------

    phone_share_last4 = _BodyText(
        "Body ``phone_last4`` (last four digits of the contested phone) when a non-empty "
        "string, else ``None``.",
        "phone_last4",
    )
    change_request_endpoint = _BodyText(
        "Body ``change_request_endpoint`` (where to request a confirmed phone change) when a "
        "non-empty string, else ``None``.",
        "change_request_endpoint",
    )
    enforced_from = _BodyText(
        "Body ``enforced_from`` (the date a card minimum applies from) when a non-empty "
        "string, else ``None``.",
        "enforced_from",
    )
    expected_total_usd = _BodyAmount(
        "Body ``expected_total_usd`` (the true total on ``QUOTE_STALE``) as ``str`` when a "
        "string or a finite number (never a bool), else ``None``.",
        "expected_total_usd",
    )
    acknowledged_total_usd = _BodyAmount(
        "Body ``acknowledged_total_usd`` as ``str`` when a string or a finite number (never "
        "a bool), else ``None``.",
        "acknowledged_total_usd",
    )
    untaxed_total_usd = _BodyAmount(
        "Body ``untaxed_total_usd`` (on ``TAX_PLACE_UNAVAILABLE``) as ``str`` when a string "
        "or a finite number (never a bool), else ``None``.",
        "untaxed_total_usd",
    )
    minimum_amount = _BodyString(
        "Body ``minimum_amount`` when a string, else ``None``.", "minimum_amount"
    )
    maximum_amount = _BodyString(
        "Body ``maximum_amount`` when a string, else ``None``.", "maximum_amount"
    )
    limit_currency_name = _BodyString(
        "Body ``currency_name`` (the currency of ``minimum_amount`` / ``maximum_amount``) "
        "when a string, else ``None``.",
        "currency_name",
    )
    game_status = _BodyText(
        "Body ``game_status`` (why a game is not live) when a non-empty string, else ``None``.",
        "game_status",
    )
    steam_transferable_max = _BodyText(
        "Body ``transferable_max`` (what may still move) when a non-empty string, else "
        "``None``.",
        "transferable_max",
    )
    steam_origin_amount = _BodyText(
        "Body ``steam_origin_amount`` (the part bought on Steam) when a non-empty string, "
        "else ``None``.",
        "steam_origin_amount",
    )
    device_approval_expires_at = _BodyText(
        "Body ``expires_at`` (when the approved grant's window ends) when a non-empty string, "
        "else ``None``.",
        "expires_at",
    )
    error_ref = _BodyText(
        "Body ``error_ref`` (quote it to INVO support) when a non-empty string, else ``None``.",
        "error_ref",
    )
    existing_subscription_id = _BodyText(
        "Body ``subscription_id`` (the live subscription) when a non-empty string, else "
        "``None``.",
        "subscription_id",
    )
    refund_request_id = _BodyText(
        "Body ``request_id`` (the refund request, not the backend request id) when a "
        "non-empty string, else ``None``.",
        "request_id",
    )
    decision_reason = _BodyText(
        "Body ``decision_reason`` when a non-empty string, else ``None``.", "decision_reason"
    )
    period_charged_at = _BodyText(
        "Body ``period_charged_at`` when a non-empty string, else ``None``.",
        "period_charged_at",
    )
    refund_window_closed_at = _BodyText(
        "Body ``window_closed_at`` when a non-empty string, else ``None``.", "window_closed_at"
    )

    # -- rules of their own ----------------------------------------------------------------------

    @property
    def is_insufficient_balance(self) -> bool:
        """A 400 because the player lacks the currency.

        Status 400 and one of: code ``INSUFFICIENT_BALANCE``; the body has
        ``required_amount`` or ``current_balance``; the message says "insufficient balance"
        (or ``insufficient_balance``), any case. A 429 ``insufficient_balance_blocked`` is a
        throttle, not this.
        """
        if _status(self) != 400:
            return False
        body = _body(self)
        return (
            _code(self) == "INSUFFICIENT_BALANCE"
            or (body is not None and ("required_amount" in body or "current_balance" in body))
            or _INSUFFICIENT_BALANCE.search(_message(self)) is not None
        )

    @property
    def is_duplicate_request(self) -> bool:
        """The idempotency key was already used; nothing was done twice.

        Code ``DUPLICATE_REQUEST`` or ``DUPLICATE_CLIENT_REQUEST_ID``, or a 409 whose message
        contains "duplicate" (any case).
        """
        if _code(self) in ("DUPLICATE_REQUEST", "DUPLICATE_CLIENT_REQUEST_ID"):
            return True
        return _status(self) == 409 and "duplicate" in _message(self).lower()

    @property
    def retry_after(self) -> Optional[float]:
        """Seconds INVO asked the caller to wait, else ``None``.

        The body's ``retry_after`` (a number or numeric string, finite, >= 0, never a bool);
        else the ``Retry-After`` header when it is digits with an optional decimal part. An
        ISO time in ``retry_after`` is not seconds: see ``retry_after_at``.
        """
        return retry_after_seconds(getattr(self, "body", None), _header(self))

    @property
    def retry_after_at(self) -> Optional[str]:
        """Body ``retry_after`` when it is a time rather than seconds, else ``None``.

        A non-blank string that does not parse as a float (an ISO time such as the end of a
        passkey recovery cooldown).
        """
        value = _nonblank(_body_get(self, "retry_after"))
        if value is None:
            return None
        try:
            float(value)
        except ValueError:
            return value
        return None

    @property
    def is_player_not_found(self) -> bool:
        """No such player: code ``PLAYER_NOT_FOUND``, or a 404 with body ``error``
        ``"player_not_found"``."""
        if _code(self) == "PLAYER_NOT_FOUND":
            return True
        return _status(self) == 404 and _body_get(self, "error") == "player_not_found"

    @property
    def is_phone_mismatch(self) -> bool:
        """The phone is not the one on file: code ``PHONE_MISMATCH``, or body ``error_code``
        ``PHONE_MISMATCH``."""
        return (
            _code(self) == "PHONE_MISMATCH" or _body_get(self, "error_code") == "PHONE_MISMATCH"
        )

    @property
    def is_phone_share_refused(self) -> bool:
        """Same as ``is_phone_share_approval_required`` (code
        ``PHONE_SHARE_APPROVAL_REQUIRED``): the phone's owner must consent first."""
        return _code(self) == "PHONE_SHARE_APPROVAL_REQUIRED"

    @property
    def is_rate_limited(self) -> bool:
        """Too many requests: code ``RATE_LIMITED`` or ``rate_limited``, or status 429."""
        return _code(self) in ("RATE_LIMITED", "rate_limited") or _status(self) == 429

    @property
    def is_key_for_other_environment(self) -> bool:
        """The game secret belongs to the other environment (``KEY_FOR_OTHER_ENVIRONMENT`` as
        ``code``, ``raw_code``, ``public_code``, body ``error_code`` or body ``code``)."""
        wanted = "KEY_FOR_OTHER_ENVIRONMENT"
        return wanted in (
            _code(self),
            _str_attr(self, "raw_code"),
            _str_attr(self, "public_code"),
            _body_get(self, "error_code"),
            _body_get(self, "code"),
        )

    @property
    def is_below_card_minimum(self) -> bool:
        """Below the card minimum: ``BELOW_CARD_MINIMUM`` or ``BELOW_STRIPE_MINIMUM`` as
        ``code``, ``raw_code`` or ``public_code`` (see ``min_usd``, ``enforced_from``)."""
        codes = (_code(self), _str_attr(self, "raw_code"), _str_attr(self, "public_code"))
        return "BELOW_CARD_MINIMUM" in codes or "BELOW_STRIPE_MINIMUM" in codes

    @property
    def min_usd(self) -> Optional[str]:
        """Body ``min_usd``: a number (never a bool) with two decimals (``0.5`` ->
        ``"0.50"``), a non-empty string as is, else ``None``."""
        value = _body_get(self, "min_usd")
        if isinstance(value, str):
            return value or None
        return _two_places(value)

    @property
    def is_amount_below_minimum(self) -> bool:
        """Below the transfer minimum: code ``AMOUNT_BELOW_MINIMUM``, or body ``error_code``
        ``AMOUNT_BELOW_MINIMUM`` (see ``minimum_amount``)."""
        wanted = "AMOUNT_BELOW_MINIMUM"
        return _code(self) == wanted or _body_get(self, "error_code") == wanted

    @property
    def is_amount_above_maximum(self) -> bool:
        """Above the transfer maximum: code ``AMOUNT_ABOVE_MAXIMUM``, or body ``error_code``
        ``AMOUNT_ABOVE_MAXIMUM`` (see ``maximum_amount``)."""
        wanted = "AMOUNT_ABOVE_MAXIMUM"
        return _code(self) == wanted or _body_get(self, "error_code") == wanted

    @property
    def is_steam_authorization_pending(self) -> bool:
        """The player has not approved on Steam yet: poll again.

        Code ``STEAM_AUTHORIZATION_PENDING``, or body ``status`` ``"not_authorized"`` with
        body ``steam_status`` ``Init`` (any case), empty or missing. A non-string
        ``steam_status`` counts as missing.
        """
        if _code(self) == "STEAM_AUTHORIZATION_PENDING":
            return True
        return _body_get(self, "status") == "not_authorized" and _steam_status(self) in (
            "init",
            "",
        )

    @property
    def is_steam_authorization_dead(self) -> bool:
        """Steam will not authorize this order (failed, cancelled, refunded ...): stop.

        Body ``status`` ``"not_authorized"`` with a body ``steam_status`` other than ``Init``
        (any case) and not empty.
        """
        return _body_get(self, "status") == "not_authorized" and _steam_status(self) not in (
            "init",
            "",
        )

    @property
    def is_transaction_not_pending(self) -> bool:
        """The transaction is not at this step any more (see ``current_transaction_status``).

        Code ``TRANSACTION_NOT_PENDING``; or (older servers) a 400 whose message starts
        "transaction not pending" or says "cannot be confirmed" (any case) and carries a
        ``(current status: X)`` or ``(status: X)`` clause.
        """
        if _code(self) == "TRANSACTION_NOT_PENDING":
            return True
        if _status(self) != 400:
            return False
        message = _message(self)
        return (
            _NOT_PENDING_WORDING.search(message) is not None
            and _status_clause(message) is not None
        )

    @property
    def current_transaction_status(self) -> Optional[str]:
        """Body ``current_status`` when a non-empty string; else the trimmed ``X`` of the
        message's first ``(current status: X)`` / ``(status: X)`` clause; else ``None``."""
        value = _nonempty(_body_get(self, "current_status"))
        return value if value is not None else _status_clause(_message(self))

    @property
    def is_already_refunded(self) -> bool:
        """Already refunded: code ``ALREADY_REFUNDED``, or a 409 saying "already refunded".

        Never for ``is_refund_remaining_requires_confirmation`` or
        ``is_refund_recently_issued``, which ask for a confirmation instead.
        """
        if _code(self) in ("REFUND_REMAINING_REQUIRES_CONFIRMATION", "REFUND_RECENTLY_ISSUED"):
            return False
        if _code(self) == "ALREADY_REFUNDED":
            return True
        return _status(self) == 409 and _ALREADY_REFUNDED.search(_message(self)) is not None

    @property
    def mismatched_fields(self) -> list[str]:
        """Body ``mismatched_fields`` (the terms that differ from the first request): its
        strings when it is a list (other items dropped), else ``[]``."""
        value = _body_get(self, "mismatched_fields")
        if not isinstance(value, list):
            return []
        return [item for item in value if isinstance(item, str)]

    @property
    def is_not_authorized(self) -> bool:
        """Not authorized (yet): body ``status`` ``"not_authorized"``, or code
        ``not_authorized``."""
        return _body_get(self, "status") == "not_authorized" or _code(self) == "not_authorized"

    @property
    def refund_window_days(self) -> Optional[int]:
        """Body ``refund_window_days`` when an ``int`` (never a bool), else ``None``."""
        value = _body_get(self, "refund_window_days")
        return value if isinstance(value, int) and not isinstance(value, bool) else None


# -- choosing the code and message of an answer ------------------------------------------------


class ErrorFields(NamedTuple):
    """What ``error_from_response`` puts on the error, chosen from the body."""

    code: Optional[str]
    raw_code: Optional[str]
    public_code: Optional[str]
    message: str


def _first_code(body: Mapping[str, Any], keys: tuple[str, ...]) -> Optional[str]:
    for key in keys:
        value = _nonempty(body.get(key))
        if value is not None:
            return value
    return None


def promoted_token(body: Any) -> Optional[str]:
    """Body ``error`` when the body has no code and it is one of ``PROMOTED_ERROR_TOKENS``.

    "No code" means none of ``error_code_public``, ``code``, ``error_code`` is a non-empty
    string. The token must match exactly (``"Rate_Limited"`` is not promoted).
    """
    if not isinstance(body, Mapping) or _first_code(body, _CODE_KEYS) is not None:
        return None
    error = body.get("error")
    return error if isinstance(error, str) and error in PROMOTED_ERROR_TOKENS else None


def public_code_from_body(body: Any) -> Optional[str]:
    """Body ``error_code_public`` when a non-empty string, else ``None``."""
    return _nonempty(body.get("error_code_public")) if isinstance(body, Mapping) else None


def raw_code_from_body(body: Any) -> Optional[str]:
    """Body ``code``, else ``error_code`` (non-empty strings), else ``None``: the wire code
    before ``error_code_public`` replaced it."""
    return _first_code(body, ("code", "error_code")) if isinstance(body, Mapping) else None


def code_from_body(body: Any) -> Optional[str]:
    """The neutral code: ``error_code_public``, else ``code``, else ``error_code`` (non-empty
    strings), else the promoted ``error`` token, else ``None``."""
    if not isinstance(body, Mapping):
        return None
    return _first_code(body, _CODE_KEYS) or promoted_token(body)


def message_from_body(status: int, body: Any) -> str:
    """The error's message.

    For a promoted token: body ``message`` when a non-blank string. Otherwise body
    ``error``, else body ``message`` (non-blank strings), else a non-blank text body, else
    ``"INVO request failed (HTTP <status>)"``.
    """
    if isinstance(body, Mapping):
        if promoted_token(body) is not None:
            promoted = _nonblank(body.get("message"))
            if promoted is not None:
                return promoted
        for key in ("error", "message"):
            value = _nonblank(body.get(key))
            if value is not None:
                return value
    elif isinstance(body, str) and body.strip():
        return body
    return f"INVO request failed (HTTP {status})"


def error_fields_from_body(status: int, body: Any) -> ErrorFields:
    """``code``, ``raw_code``, ``public_code`` and ``message`` for an answer's body.

    ``raw_code`` falls back to ``code`` (a promoted token, or an alias with no wire code),
    as the constructor does for an error built by hand.
    """
    code = code_from_body(body)
    raw = raw_code_from_body(body)
    return ErrorFields(
        code=code,
        raw_code=raw if raw is not None else code,
        public_code=public_code_from_body(body),
        message=message_from_body(status, body),
    )


# -- retry_after --------------------------------------------------------------------------------


def parse_retry_after(value: Any) -> Optional[float]:
    """A body ``retry_after`` in seconds: a finite number >= 0 or a numeric string; never a
    bool. Anything else is ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def parse_retry_after_header(value: Any) -> Optional[float]:
    """A ``Retry-After`` header in seconds: digits with an optional decimal part, surrounding
    whitespace ignored. An HTTP date, a sign, an exponent or a non-string is ``None``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _HEADER_SECONDS.fullmatch(text):
        return None
    number = float(text)
    return number if math.isfinite(number) else None


def retry_after_seconds(body: Any, header: Any) -> Optional[float]:
    """The body's ``retry_after`` (an object body only), else the header's, else ``None``."""
    asked = parse_retry_after(body.get("retry_after")) if isinstance(body, Mapping) else None
    return asked if asked is not None else parse_retry_after_header(header)
