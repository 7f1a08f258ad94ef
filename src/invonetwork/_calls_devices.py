"""``InvoServer`` methods for consoles, TVs and Steam.

The device approval grant, Steam packs and purchases, and passkey recovery. Each method
checks its own rules, then sends its route from ``_routes_devices``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any, Callable, Optional, TypeVar, Union

from . import _routes_devices as routes
from ._caller import Caller
from ._results import read
from ._results_devices import (
    CompleteDeviceApprovalResult,
    ConfirmDeviceEnrollmentResult,
    DeviceApprovalEnrollment,
    DeviceApprovalGrant,
    DeviceApprovalPollResult,
    DeviceApprovalSettleResult,
    RecoveryBeginResult,
    RecoveryCompleteResult,
    SteamFinalizeResult,
    SteamInitPurchaseResult,
    SteamPacksResult,
)
from ._validation import check_path_id, invalid, require_text
from .errors import InvoError

__all__ = ["DeviceCalls"]

R = TypeVar("R")

#: The four flows a grant can settle: the sender's approve and the recipient's receipt.
FLOWS = ("transfer", "send", "send_receipt", "transfer_receipt")
CHANNELS = ("qr", "app_browser", "popup")
DECISIONS = ("approve", "deny")
#: Poll answers (HTTP 400, promoted ``error`` token) that are returned, not raised.
POLL_STATES = ("authorization_pending", "slow_down", "expired_token", "access_denied")
#: Per flow, the transaction statuses that are already past the settle step.
PAST_STEP: dict[str, frozenset[str]] = {
    "transfer": frozenset({"pending_claim", "verified", "pin_verified_awaiting_claim",
                           "completed", "distributed"}),
    "send": frozenset({"pending_claim", "verified", "pin_verified_awaiting_claim",
                       "completed", "distributed"}),
    "send_receipt": frozenset({"completed", "distributed"}),
    "transfer_receipt": frozenset({"completed", "distributed"}),
}
#: Refusals ``respond`` swallows: the enrollment was decided elsewhere or the grant is over.
_RESPOND_SWALLOWED = frozenset({
    "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED", "DEVICE_APPROVAL_NO_ENROLLMENT_PENDING",
    "expired_token", "invalid_grant",
})
_STEAMID_DIGITS = frozenset("0123456789")

#: ``respond(decision)``: passed to ``on_enrollment``; confirms or denies the enrollment.
Respond = Callable[[str], None]
OnEnrollment = Callable[[Optional[DeviceApprovalEnrollment], Respond], None]


def _token(player_token: object) -> str:
    return require_text("player_token", player_token)


def _flow(flow: object) -> str:
    if not isinstance(flow, str) or flow not in FLOWS:
        raise invalid(f"flow must be one of {', '.join(FLOWS)}, got {flow!r}")
    return flow


def _code_arg(name: str, value: object) -> Union[str, int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return require_text(name, value)


def _keeping_id(result: R, **changes: Any) -> R:
    """``dataclasses.replace`` that keeps the result's ``request_id``."""
    request_id = getattr(result, "request_id", None)
    made = replace(result, **changes)  # type: ignore[type-var]
    if request_id is not None:
        object.__setattr__(made, "request_id", request_id)
    return made


def _body_of(error: InvoError) -> dict[str, Any]:
    return dict(error.body) if isinstance(error.body, Mapping) else {}


def _text_or_empty(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class DeviceCalls(Caller):
    """Device approval, Steam purchases and passkey recovery (mixed into ``InvoServer``)."""

    # -- Steam ------------------------------------------------------------------------------------

    def steam_packs(self, *, steamid: Optional[str] = None) -> SteamPacksResult:
        """INVO's Steam currency packs (INVO owns the catalogue and the prices).

        With a ``steamid`` the packs are priced for that player (their country's VAT and
        Steam's share come out of the price); without one, no VAT is deducted (the most any
        pack yields) and ``vat_rate_pct`` is ``"0"``. Show the packs; send the chosen
        ``pack_id`` to :meth:`steam_init_purchase` (never a price). Checks nothing locally.
        Retried like every read.
        """
        return self._call(routes.STEAM_PACKS, steamid=steamid if steamid else None)

    def steam_init_purchase(
        self,
        *,
        player_email: str,
        steamid: Union[str, int],
        pack_id: str,
        purchase_reference: str,
        usersession: Optional[str] = None,
        player_ip: Optional[str] = None,
        player_name: Optional[str] = None,
        metadata: Optional[Mapping[str, Any]] = None,
    ) -> SteamInitPurchaseResult:
        """Open a Steam order for one pack; the player then approves it on Steam.

        ``usersession``: ``None`` (the default: the Steam client overlay; no key is sent) or
        ``"web"`` (Steam's checkout page, ``steam_checkout_url``, opened in a top-level tab;
        needs ``player_ip``). Keep ``order_id`` for :meth:`steam_finalize_purchase`.

        One order per ``purchase_reference``: a resend answers 409 ``DUPLICATE_REQUEST``
        whose body carries the existing ``order_id`` (``err.body["order_id"]``) and opens
        nothing new at Steam, so the call is retried automatically. A new reference is a new
        purchase. Any 2xx is a success (INVO's 200 or 201 alike).

        Raises ``InvalidInputError`` (before any request): ``INVALID_INPUT`` for a blank
        ``player_email``, an empty ``pack_id`` or a ``steamid`` that is not ASCII digits;
        ``MISSING_PURCHASE_REFERENCE``; ``MISSING_PLAYER_IP`` for a web session without
        ``player_ip``.
        """
        if not isinstance(player_email, str) or not player_email.strip():
            raise invalid("player_email is required (a non-blank str)")
        if not pack_id:
            raise invalid("pack_id is required")
        steam_text = "" if steamid is None else str(steamid)
        if not steam_text or not set(steam_text) <= _STEAMID_DIGITS:
            raise invalid("steamid must be the player's SteamID64 (digits 0-9 only)")
        if not purchase_reference:
            raise invalid("purchase_reference is required (one per intended purchase)",
                          code="MISSING_PURCHASE_REFERENCE")
        if usersession == "web" and not player_ip:
            raise invalid("a web Steam session (usersession='web') needs player_ip",
                          code="MISSING_PLAYER_IP")
        return self._call(
            routes.STEAM_INIT_PURCHASE, player_email=player_email, steamid=steam_text,
            pack_id=pack_id, purchase_reference=purchase_reference,
            usersession=usersession or None, player_ip=player_ip or None,
            player_name=player_name or None,
            metadata=dict(metadata) if isinstance(metadata, Mapping) and metadata
            else (metadata or None),
        )

    def steam_finalize_purchase(self, *, order_id: Union[str, int]) -> SteamFinalizeResult:
        """Credit a Steam order the player approved (once: a repeat answers
        ``already_processed``).

        Until the player approves, INVO answers 409 and ``err.is_steam_authorization_pending``
        is true: call again later. ``err.is_steam_authorization_dead`` (failed, cancelled,
        refunded ...) and ``err.is_steam_app_changed`` end the order. A missed finalize is not
        a lost credit: INVO's reconciler credits an approved order on its own (then this
        answers ``already_processed``). Retried automatically on 502/503 (INVO never credits
        twice); a 409 never is. An order INVO's reconciler settled another way answers a 4xx
        "Order is not finalizable" with no ``not_authorized`` status: it is raised like any
        refusal (no classifier; the order is over).
        """
        if not order_id:
            raise invalid("order_id is required (the order_id steam_init_purchase returned)")
        return self._call(routes.STEAM_FINALIZE_PURCHASE, order_id=order_id)

    # -- device approval grant --------------------------------------------------------------

    def begin_device_approval(
        self,
        *,
        player_token: str,
        transaction_id: Union[str, int],
        flow: str,
        channel: str = "qr",
    ) -> DeviceApprovalGrant:
        """Start a device approval grant: the player approves one transaction on their phone.

        For a console, TV or native client that cannot show INVO's passkey prompt. Show
        ``verification_uri_complete`` as a QR code (``channel="qr"``) or open it in the
        system browser (``"app_browser"``); keep ``device_code`` on the game server.
        Authenticated with the player token (``Authorization: Bearer``), never the game
        secret. ``flow``: ``transfer`` / ``send`` (the sender approves) or ``send_receipt`` /
        ``transfer_receipt`` (the recipient confirms receipt).

        A new begin for the same transaction and flow supersedes a pending grant (so an
        automatic retry after a lost answer only replaces the grant nobody saw); while an
        approved grant is in its window INVO answers 409
        (``err.is_device_approval_already_pending``, ``err.device_approval_expires_at``).

        Raises ``InvalidInputError`` for a blank token or transaction id, an unknown flow or
        channel, and for ``channel="popup"``: a popup grant must be begun by the browser page
        itself (its Origin becomes the opener), never from a server.
        """
        token = _token(player_token)
        txn = check_path_id("transaction_id", transaction_id)
        checked_flow = _flow(flow)
        if not isinstance(channel, str) or channel not in CHANNELS:
            raise invalid(f"channel must be one of {', '.join(CHANNELS)}, got {channel!r}")
        if channel == "popup":
            raise invalid("channel='popup' cannot be begun from a server: the browser page "
                          "calls begin itself so its Origin becomes the opener")
        return self._call(routes.DEVICE_APPROVAL_BEGIN, player_token=token,
                          transaction_id=txn, flow=checked_flow, channel=channel)

    def poll_device_approval(
        self, *, player_token: str, device_code: str
    ) -> DeviceApprovalPollResult:
        """Ask once whether the player approved the grant (from the game server only).

        The grant's states come back as a result, never raised: ``status`` is ``approved``
        (settle now with :meth:`approve_with_device_code`), ``authorization_pending`` (ask
        again after ``interval``; ``enrollment`` when a first-time phone waits for the
        player's confirmation), ``slow_down`` (polled too fast: wait 5 s more),
        ``expired_token`` or ``access_denied``. An unknown, superseded or other player's code
        raises (``invalid_grant``, 400). Retried like a read. See
        :meth:`complete_device_approval` for the whole loop.
        """
        token = _token(player_token)
        code = require_text("device_code", device_code)
        try:
            result = self._call(routes.DEVICE_APPROVAL_POLL, player_token=token,
                                device_code=code)
        except InvoError as error:
            if error.status != 400 or error.code not in POLL_STATES:
                raise
            made = read(DeviceApprovalPollResult, _body_of(error), request_id=error.request_id)
            return _keeping_id(made, status=error.code)
        raw = result.raw
        return _keeping_id(
            result, status="approved", transaction_id=_text_or_empty(raw, "transaction_id"),
            flow=_text_or_empty(raw, "flow"), approved_at=_text_or_empty(raw, "approved_at"),
        )

    def confirm_device_enrollment(
        self, *, player_token: str, device_code: str, decision: str
    ) -> ConfirmDeviceEnrollmentResult:
        """The player's decision on a first-time phone's enrollment shown on the screen.

        ``decision``: ``"approve"`` (the phone creates its passkey and can approve) or
        ``"deny"`` (the grant ends; the next poll answers ``access_denied``). One decision
        only: 409 ``DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED`` when it was decided
        elsewhere, ``DEVICE_APPROVAL_NO_ENROLLMENT_PENDING`` when no phone asks. Sent once
        (never retried automatically).
        """
        token = _token(player_token)
        code = require_text("device_code", device_code)
        if not isinstance(decision, str) or decision not in DECISIONS:
            raise invalid(f"decision must be 'approve' or 'deny', got {decision!r}")
        return self._call(routes.DEVICE_APPROVAL_CONFIRM_ENROLLMENT, player_token=token,
                          device_code=code, decision=decision)

    def approve_with_device_code(
        self,
        *,
        player_token: str,
        transaction_id: Union[str, int],
        flow: str,
        device_code: str,
    ) -> DeviceApprovalSettleResult:
        """Settle the transaction with an approved grant: the call that moves the money.

        ``flow`` picks the step: ``transfer`` / ``send`` (the sender's approve: ``approved``,
        ``next`` ``"pending_claim"``, the transfer's ``claim_code``) or ``send_receipt`` /
        ``transfer_receipt`` (the recipient's receipt: ``completed``, ``amount_received``).
        HTTP 202 is a hold, returned with ``hold_reason`` (guardian, risk, identity).

        When the transaction is not at this step (``TRANSACTION_NOT_PENDING``) the answer is
        returned, not raised: ``status`` ``"not_pending"``, ``current_status``, and
        ``already_settled`` ``True`` when the status is past this step (a lost answer of an
        earlier settle). Every other refusal raises (``is_device_approval_not_approved``,
        ``is_settle_fault``, ``is_player_token_stale``, ``is_passkey_recovery_cooldown`` ...).

        Sent exactly once: the device code is a single-use factor and a failure says nothing
        about whether the money moved. After a network failure, call again: a settled
        transaction answers ``not_pending`` with ``already_settled``.
        """
        token = _token(player_token)
        txn = check_path_id("transaction_id", transaction_id)
        checked_flow = _flow(flow)
        code = require_text("device_code", device_code)
        try:
            result = self._call(routes.APPROVE_ROUTES[checked_flow], player_token=token,
                                transaction_id=txn, device_code=code)
        except InvoError as error:
            if not error.is_transaction_not_pending:
                raise
            current = error.current_transaction_status
            past = current is not None and current.strip().lower() in PAST_STEP[checked_flow]
            made = DeviceApprovalSettleResult(
                status="not_pending", transaction_id=txn, flow=checked_flow,
                already_settled=bool(current) and past, current_status=current,
                raw=_body_of(error),
            )
            if error.request_id is not None:
                object.__setattr__(made, "request_id", error.request_id)
            return made
        body_txn = result.transaction_id
        return _keeping_id(result, flow=checked_flow,
                           transaction_id=txn if body_txn is None else body_txn)

    def complete_device_approval(
        self,
        *,
        player_token: str,
        transaction_id: Union[str, int],
        flow: str,
        device_code: str,
        interval: Union[int, float] = 5,
        on_enrollment: Optional[OnEnrollment] = None,
        should_stop: Optional[Callable[[], bool]] = None,
        sleep: Optional[Callable[[float], Any]] = None,
        max_transient_failures: int = 5,
    ) -> CompleteDeviceApprovalResult:
        """Poll a grant until it ends, then settle it: the whole device approval, blocking.

        Each turn waits ``interval`` seconds (``sleep``, default ``time.sleep``; the grant's
        ``interval``), then polls. ``authorization_pending`` adopts an interval INVO states;
        ``slow_down`` waits 5 s longer each time (or INVO's stated interval when larger).
        ``approved`` settles with :meth:`approve_with_device_code` and returns ``approved``
        with the ``settlement``; ``expired_token`` returns ``expired``; ``access_denied``
        returns ``denied``; ``should_stop()`` returning true (checked before and after each
        wait) returns ``stopped``.

        ``on_enrollment(enrollment, respond)`` is called when a first-time phone's
        enrollment appears or changes (and with ``None`` when it goes away or the loop ends
        after one was shown): show ``match_code`` and ``device_label``, then call
        ``respond("approve")`` or ``respond("deny")``. ``respond`` ignores "already decided",
        "no enrollment pending" and a grant that ended meanwhile.

        A poll failing with a network error, 429 or 5xx is tried again on the next turn, up to
        ``max_transient_failures`` in a row (a 429's ``retry_after`` lengthens the wait);
        any other error, and errors of the settle, propagate. Every argument is checked
        before the first wait.

        Whether or not INVO states a larger interval with ``slow_down``, the loop waits
        ``max(current + 5, stated)``: correct for a server that raises the interval itself
        and for one that leaves it to the client.
        """
        token = _token(player_token)
        txn = check_path_id("transaction_id", transaction_id)
        checked_flow = _flow(flow)
        code = require_text("device_code", device_code)
        if interval is not None and (not _is_number(interval) or not interval >= 0
                                     or interval == float("inf")):
            raise invalid(f"interval must be a non-negative number of seconds, got {interval!r}")
        if (not isinstance(max_transient_failures, int)
                or isinstance(max_transient_failures, bool) or max_transient_failures < 0):
            raise invalid("max_transient_failures must be an int >= 0")
        for name, hook in (("on_enrollment", on_enrollment), ("should_stop", should_stop),
                           ("sleep", sleep)):
            if hook is not None and not callable(hook):
                raise invalid(f"{name} must be callable or None")
        wait: Callable[[float], Any] = sleep if sleep is not None else time.sleep
        current: float = max(1, int(interval)) if interval else 5
        shown: list[object] = []  # the last key passed to on_enrollment (empty: none yet)

        def respond(decision: str) -> None:
            try:
                self.confirm_device_enrollment(player_token=token, device_code=code,
                                               decision=decision)
            except InvoError as error:
                if error.code not in _RESPOND_SWALLOWED:
                    raise

        def publish(enrollment: Optional[DeviceApprovalEnrollment]) -> None:
            key = None if enrollment is None else (
                enrollment.state, enrollment.match_code, enrollment.device_label,
                enrollment.recovery)
            if (not shown and key is None) or (shown and shown[0] == key):
                return
            shown[:] = [key]
            if on_enrollment is not None:
                on_enrollment(enrollment, respond)

        def stopping() -> bool:
            return should_stop is not None and bool(should_stop())

        failures = 0
        last_poll: Optional[DeviceApprovalPollResult] = None
        while True:
            if stopping():
                return CompleteDeviceApprovalResult("stopped", None, last_poll)
            wait(current)
            if stopping():
                return CompleteDeviceApprovalResult("stopped", None, last_poll)
            try:
                poll = self.poll_device_approval(player_token=token, device_code=code)
            except InvoError as error:
                failures += 1
                transient = error.status == 0 or error.status == 429 or error.status >= 500
                if not transient or failures >= max_transient_failures:
                    raise
                asked = error.retry_after if error.status == 429 else None
                if asked is not None and asked > current:
                    current = asked
                continue
            failures = 0
            last_poll = poll
            if poll.status == "authorization_pending":
                if poll.interval is not None:
                    current = poll.interval
                publish(poll.enrollment)
            elif poll.status == "slow_down":
                current = max(current + 5, poll.interval or 0)
            elif poll.status == "expired_token":
                publish(None)
                return CompleteDeviceApprovalResult("expired", None, last_poll)
            elif poll.status == "access_denied":
                publish(None)
                return CompleteDeviceApprovalResult("denied", None, last_poll)
            elif poll.status == "approved":
                publish(None)
                settlement = self.approve_with_device_code(
                    player_token=token, transaction_id=txn, flow=checked_flow,
                    device_code=code)
                return CompleteDeviceApprovalResult("approved", settlement, last_poll)

    # -- passkey recovery -------------------------------------------------------------------

    def recovery_begin(self, *, player_token: str) -> RecoveryBeginResult:
        """Send the player a one-time recovery code ("I lost or replaced my passkey").

        Used when the browser's enrollment is refused with ``ENROLLMENT_REQUIRES_PROOF``
        because a deleted passkey still exists at INVO. The code goes to the email on file
        (SMS only when there is no email); ``channels`` says where, as INVO lists it (a
        list of strings; the SDK does not assume email alone). Sends no body. Errors:
        422 ``no_channel_on_file``; 429 ``rate_limited`` (more than 5 codes in 10 minutes,
        ``err.retry_after``). Sent once (it sends a message).
        """
        return self._call(routes.RECOVERY_BEGIN, player_token=_token(player_token))

    def recovery_complete(
        self, *, player_token: str, code: Union[str, int]
    ) -> RecoveryCompleteResult:
        """Check the recovery code: INVO turns off the stale passkeys and allows one new
        enrollment.

        After it the browser runs the normal enrollment again. INVO tells the owner out of
        band and emits ``identity.passkey_reset``; for 24 hours the player cannot send money
        (sender settles answer 403 ``PASSKEY_RECOVERY_COOLDOWN`` with ``retry_after_at``);
        receiving keeps working. A wrong or expired code is 400
        (``err.is_enrollment_code_invalid``; attempts are capped). Sent once (attempts are
        counted); a 500 ``RECOVERY_FAILED`` is not retried automatically either.
        """
        token = _token(player_token)
        checked = _code_arg("code", code)
        return self._call(routes.RECOVERY_COMPLETE, player_token=token, code=checked)
