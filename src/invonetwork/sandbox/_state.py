"""The in-memory INVO world the sandbox serves, guarded by one lock.

Every public method of :class:`World` takes the lock, validates like the backend does, changes
state, emits webhook events, and returns ``(status, body)`` or raises
:class:`~invonetwork.sandbox._model.BackendError`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import secrets
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

from ._model import (
    CENT,
    E164_RE,
    BackendError,
    CheckoutSession,
    Clock,
    Game,
    Movement,
    Order,
    PhoneShareApproval,
    Player,
    WebhookSubscription,
    bad_request,
    fmt,
    iso,
    parse_money,
    to_decimal,
)

__all__ = ["SecretVersion", "World", "WorldConfig"]

Answer = tuple[int, dict[str, Any]]

USD_MAX = Decimal("999.99")
ITEM_MAX = Decimal("999999.99")
SEND_MAX = Decimal("1000000")
RAILS = ("platform", "game", "steam")
SECRET_GRACE_SECONDS = 7 * 24 * 3600


@dataclass
class WorldConfig:
    """The world's knobs (see :class:`~invonetwork.sandbox.Sandbox` for the meaning)."""

    game_id: int = 1001
    game_name: str = "Sandbox Quest"
    currency_name: str = "Gold Coins"
    currency_symbol: str = "GC"
    currency_per_usd: Decimal = Decimal("10")
    platform_fee_percent: Decimal = Decimal("10")
    checkout_ttl: float = 15 * 60
    token_ttl: float = 15 * 60
    verification_ttl: float = 30 * 60
    claim_code_ttl: float = 72 * 3600
    guardian_ttl: float = 24 * 3600
    otp_ttl: float = 10 * 60
    sms_max_attempts: int = 5
    sms_block_seconds: float = 15 * 60
    auto_create_players: bool = True
    extra_games: list[Game] = field(default_factory=list)


@dataclass
class SecretVersion:
    """A webhook signing secret and when it stops being valid (``None`` = current)."""

    secret: str
    version: int
    expires_at: Optional[float] = None


def _new_id(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(12)}"


def _digits(n: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(n))


def _req_str(body: Mapping[str, Any], key: str) -> str:
    value = body.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise bad_request(f"{key} is required", key)
    return value.strip()


def _opt_str(body: Mapping[str, Any], key: str) -> Optional[str]:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad_request(f"{key} must be a string", key)
    return value.strip() or None


def _game_id_of(value: Any, key: str) -> int:
    if isinstance(value, bool):
        raise bad_request(f"{key} must be a game id", key)
    try:
        return int(str(value).strip())
    except ValueError:
        raise bad_request(f"{key} must be a game id", key) from None


def _check_phone(phone: Optional[str], key: str) -> Optional[str]:
    if phone is not None and not E164_RE.match(phone):
        raise bad_request(f"{key} must be an E.164 phone number like +15555550100", key)
    return phone


def _fingerprint(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def _default_games(config: WorldConfig) -> list[Game]:
    home = Game(
        config.game_id, config.game_name, config.currency_name, config.currency_symbol
    )
    others = config.extra_games or [
        Game(2002, "Star Racers", "Star Credits", "SC", genre="Racing"),
        Game(3003, "Dungeon Depths", "Gems", "GEM", genre="RPG", platform="pc"),
    ]
    return [home, *[g for g in others if g.game_id != config.game_id]]


class World:
    """The sandbox's state and every backend rule it emulates."""

    def __init__(
        self,
        config: WorldConfig,
        clock: Clock,
        public_base: Callable[[], str],
        on_event: Optional[Callable[[dict[str, Any]], None]] = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self._public_base = public_base
        self._on_event = on_event
        self.webhook_secrets: list[SecretVersion] = [
            SecretVersion(f"whsec_{secrets.token_urlsafe(32)}", 1)
        ]
        self.reset()

    # -- set-up -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything but the configuration and the signing secret."""
        with self.lock:
            self.games: dict[int, Game] = {g.game_id: g for g in _default_games(self.config)}
            self.players: dict[str, Player] = {}
            self.players_by_id: dict[int, Player] = {}
            self.tokens: dict[str, tuple[str, float]] = {}
            self.sessions: dict[str, CheckoutSession] = {}
            self.orders: dict[str, Order] = {}
            self.item_requests: dict[str, Order] = {}
            self.intents: dict[str, Order] = {}
            self.idempotent: dict[tuple[str, str], tuple[str, Answer]] = {}
            self.movements: dict[str, Movement] = {}
            self.claim_codes: dict[str, str] = {}
            self.foreign_phones: dict[str, str] = {}
            self.phone_approvals: dict[str, PhoneShareApproval] = {}
            self.otps: dict[str, list[str]] = {}
            self.sms_outbox: list[dict[str, Any]] = []
            self.events: list[dict[str, Any]] = []
            self.subscription: Optional[WebhookSubscription] = None
            self._next_player_id = 1

    @property
    def home(self) -> Game:
        """The game the sandbox's game secret belongs to."""
        return self.games[self.config.game_id]

    def add_player(
        self,
        email: str,
        *,
        name: Optional[str] = None,
        phone: Optional[str] = None,
        balance: Any = 0,
        balances: Optional[Mapping[Any, Any]] = None,
        passkey_enrolled: bool = False,
        is_minor: bool = False,
        linked_emails: Iterable[str] = (),
        wallet_of: Optional[str] = None,
    ) -> Player:
        """Create (or update) a player; ``balance`` is in the home game's currency."""
        if not isinstance(email, str) or "@" not in email:
            raise ValueError(f"player email must look like an email address, got {email!r}")
        if phone is not None and not E164_RE.match(phone):
            raise ValueError(f"player phone must be E.164 (+15555550100), got {phone!r}")
        with self.lock:
            player = self._player(email, create=True, name=name)
            assert player is not None
            if name:
                player.name = name
            if phone:
                player.phone = phone
            player.passkey_enrolled = bool(passkey_enrolled)
            player.is_minor = bool(is_minor)
            player.available[self.config.game_id] = to_decimal(balance, "balance")
            for game_id, amount in (balances or {}).items():
                gid = int(game_id)
                if gid not in self.games:
                    raise ValueError(f"unknown game id {game_id!r} in balances")
                player.available[gid] = to_decimal(amount, f"balances[{game_id}]")
            for other in linked_emails:
                if other.lower() not in player.linked_emails:
                    player.linked_emails.append(other.lower())
            if wallet_of is not None:
                owner = self._player(wallet_of, create=False)
                if owner is None:
                    raise ValueError(f"wallet_of names an unknown player {wallet_of!r}")
                player.wallet_user_id = owner.wallet_user_id
            return player

    def add_game(self, game: Game) -> None:
        """Add (or replace) a destination game."""
        with self.lock:
            self.games[game.game_id] = game

    def set_phone_owner(self, phone: str, owner_email: str) -> None:
        """Declare ``phone`` as owned by another INVO account (``owner_email``)."""
        if not E164_RE.match(phone):
            raise ValueError(f"phone must be E.164, got {phone!r}")
        with self.lock:
            self.foreign_phones[phone] = owner_email.lower()

    def _player(
        self, email: str, *, create: bool, name: Optional[str] = None
    ) -> Optional[Player]:
        key = email.strip().lower()
        player = self.players.get(key)
        if player is None:
            for candidate in self.players.values():
                if key in candidate.linked_emails:
                    return candidate
        if player is None and create:
            player = Player(
                player_id=self._next_player_id,
                email=key,
                name=name or key.split("@", 1)[0],
                identity_id=secrets.token_hex(16),
                wallet_user_id=f"wal_{secrets.token_hex(8)}",
                created_at=self.clock.now(),
            )
            player.available[self.config.game_id] = Decimal("0")
            self._next_player_id += 1
            self.players[key] = player
            self.players_by_id[player.player_id] = player
        return player

    def _player_for_write(self, email: str, name: Optional[str] = None) -> Player:
        player = self._player(email, create=self.config.auto_create_players, name=name)
        if player is None:
            raise BackendError(404, f"Player {email} not found", "PLAYER_NOT_FOUND")
        return player

    # -- events -----------------------------------------------------------------------------

    def emit(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record an event and hand it to the delivery worker."""
        key = str(uuid.uuid4())
        event = {
            "event_id": key,
            "idempotency_key": key,
            "event_type": event_type,
            "schema_version": "1.0",
            "created_at": iso(self.clock.now()),
            "tenant_id": str(self.config.game_id),
            "data": data,
        }
        self.events.append(event)
        if self._on_event is not None:
            self._on_event(event)
        return event

    def _balance_changed(self, player: Player, game_id: int, reason: str, txn: str) -> None:
        now = self.clock.now()
        player.last_transaction[game_id] = iso(now)
        game = self.games[game_id]
        self.emit(
            "balance.updated",
            {
                "player_email": player.email,
                "identity_id": player.identity_id,
                "currency_id": game.currency_id,
                "currency_name": game.currency_name,
                "new_balance": fmt(player.balance(game_id)),
                "reason": reason,
                "transaction_id": txn,
            },
        )

    # -- expiry sweep -----------------------------------------------------------------------

    def sweep(self) -> None:
        """Apply every expiry due at the current sandbox time."""
        with self.lock:
            now = self.clock.now()
            for mv in self.movements.values():
                if mv.state == "awaiting_verification" and now >= mv.expires_at:
                    self._release(mv, "expired")
                elif mv.state == "pending_guardian_approval" and now >= (
                    mv.guardian_expires_at or 0
                ):
                    mv.guardian_state = "expired"
                    mv.guardian_decided_at = mv.guardian_expires_at
                    mv.guardian_decision_source = "timeout"
                    self._release(mv, "expired")
                elif mv.state == "claim_pending" and now >= (mv.claim_code_expires_at or 0):
                    self._expire_claim(mv)

    def _release(self, mv: Movement, state: str) -> None:
        sender = self._player(mv.sender_email, create=False)
        mv.state = state
        if sender is not None:
            gid = mv.source_game_id
            sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
            sender.available[gid] = sender.balance(gid) + mv.amount

    def _expire_claim(self, mv: Movement) -> None:
        mv.state = "expired"
        sender = self._player(mv.sender_email, create=False)
        data = self._movement_event(mv)
        self.emit("transfer.claim_expired", data)
        if sender is not None:
            gid = mv.source_game_id
            sender.available[gid] = sender.balance(gid) + mv.amount
            self.emit("transfer.refunded", {**data, "refunded_to": sender.email})
            self._balance_changed(sender, gid, "refund", mv.transaction_id)

    # -- player tokens ----------------------------------------------------------------------

    def mint_player_token(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/sdk/player-token."""
        with self.lock:
            email = _req_str(body, "player_email")
            phone = _check_phone(_opt_str(body, "player_phone"), "player_phone")
            if phone is not None:
                self._require_phone_share(phone, email)
            player = self._player_for_write(email)
            if phone is not None and player.phone is None:
                player.phone = phone
            token = f"ivpt_{secrets.token_urlsafe(24)}"
            expires = self.clock.now() + self.config.token_ttl
            self.tokens[token] = (player.email, expires)
            return 200, {
                "success": True,
                "token": token,
                "expires_at": iso(expires),
                "identity_id": player.identity_id,
            }

    # -- checkout ---------------------------------------------------------------------------

    def create_checkout(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/checkout/sessions."""
        with self.lock:
            email = _req_str(body, "player_email")
            usd = parse_money(body.get("usd_amount"), "usd_amount", USD_MAX)
            rail = _opt_str(body, "rail") or "platform"
            if rail not in RAILS:
                raise bad_request("rail must be one of platform, game, steam", "rail")
            success_url = _opt_str(body, "success_url")
            cancel_url = _opt_str(body, "cancel_url")
            for key, url in (("success_url", success_url), ("cancel_url", cancel_url)):
                if url is not None and urlsplit(url).scheme not in ("http", "https"):
                    raise bad_request(f"{key} must be an http(s) URL", key)
            self._player_for_write(email)
            now = self.clock.now()
            session = CheckoutSession(
                session_id=_new_id("cs"),
                player_email=email.lower(),
                usd_amount=usd,
                rail=rail,
                created_at=now,
                expires_at=now + self.config.checkout_ttl,
                success_url=success_url,
                cancel_url=cancel_url,
                metadata=body.get("metadata"),
            )
            self.sessions[session.session_id] = session
            return 200, {
                "success": True,
                "session_id": session.session_id,
                "checkout_url": f"{self._public_base()}/checkout/{session.session_id}",
                "expires_at": iso(session.expires_at),
            }

    def checkout_session(self, session_id: str) -> CheckoutSession:
        """The session behind a checkout URL, or the 404/409/410 failure it earns."""
        with self.lock:
            session = self.sessions.get(session_id)
            if session is None:
                raise BackendError(404, "Checkout session not found", "SESSION_NOT_FOUND")
            if session.state != "open":
                raise BackendError(
                    409, "This checkout session was already used", "SESSION_ALREADY_CONSUMED"
                )
            if self.clock.now() >= session.expires_at:
                raise BackendError(410, "This checkout session has expired", "SESSION_EXPIRED")
            return session

    def pay_checkout(self, session_id: str) -> Answer:
        """The hosted page's Pay button: credit the player and emit ``purchase.completed``."""
        with self.lock:
            session = self.checkout_session(session_id)
            order = self._credit_purchase(
                session.player_email,
                session.usd_amount,
                rail=session.rail,
                metadata=session.metadata,
                source="checkout",
                extra={"session_id": session.session_id},
            )
            session.state = "paid"
            session.order_id = order.order_id
            session.transaction_id = order.transaction_id
            player = self._player_for_write(session.player_email)
            result = {
                "status": "success",
                "session_id": session.session_id,
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "currency_received": order.financial_summary["currency_amount"],
                "currency_name": self.home.currency_name,
                "new_balance": fmt(player.balance(self.config.game_id)),
                "redirect_url": _fill(session.success_url, session.session_id),
            }
            session.result = result
            return 200, result

    def cancel_checkout(self, session_id: str) -> Answer:
        """The hosted page's Cancel button: consume the session without a charge."""
        with self.lock:
            session = self.checkout_session(session_id)
            session.state = "cancelled"
            player = self._player_for_write(session.player_email)
            result = {
                "status": "cancelled",
                "session_id": session.session_id,
                "transaction_id": None,
                "currency_received": "0.00",
                "currency_name": self.home.currency_name,
                "new_balance": fmt(player.balance(self.config.game_id)),
                "redirect_url": _fill(session.cancel_url, session.session_id),
            }
            session.result = result
            return 200, result

    def _credit_purchase(
        self,
        email: str,
        usd: Decimal,
        *,
        rail: str,
        metadata: Any,
        source: str,
        extra: Optional[dict[str, Any]] = None,
        order: Optional[Order] = None,
    ) -> Order:
        player = self._player_for_write(email)
        now = self.clock.now()
        amount = (usd * self.config.currency_per_usd).quantize(CENT)
        if order is None:
            order = self._new_currency_order(player, usd, rail, metadata, source)
        player.available[self.config.game_id] = player.balance(self.config.game_id) + amount
        order.mark("completed", now)
        order.details["new_balance"] = fmt(player.balance(self.config.game_id))
        data = {
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "player_email": player.email,
            "identity_id": player.identity_id,
            "usd_amount": fmt(usd),
            "currency_amount": fmt(amount),
            "currency_name": self.home.currency_name,
            "new_balance": fmt(player.balance(self.config.game_id)),
            "rail": rail,
            "metadata": metadata if metadata is not None else {},
            **(extra or {}),
        }
        self.emit("purchase.completed", data)
        self._balance_changed(player, self.config.game_id, "purchase", order.transaction_id)
        return order

    def _new_currency_order(
        self, player: Player, usd: Decimal, rail: str, metadata: Any, source: str
    ) -> Order:
        now = self.clock.now()
        amount = (usd * self.config.currency_per_usd).quantize(CENT)
        order = Order(
            kind="currency_purchase",
            order_id=_new_id("ord"),
            transaction_id=_new_id("txn"),
            player_email=player.email,
            status="created",
            created_at=now,
            details={"rail": rail, "source": source, "metadata": metadata},
            financial_summary={
                "usd_amount": fmt(usd),
                "currency_amount": fmt(amount),
                "currency_name": self.home.currency_name,
                "exchange_rate": f"{self.config.currency_per_usd}",
            },
        )
        order.mark("created", now)
        self.orders[order.order_id] = order
        return order

    # -- direct purchase --------------------------------------------------------------------

    def _replay(self, scope: str, key: str, body: Mapping[str, Any]) -> Optional[Answer]:
        stored = self.idempotent.get((scope, key))
        if stored is None:
            return None
        fingerprint, answer = stored
        if fingerprint != _fingerprint(body):
            raise BackendError(
                409,
                f"Duplicate request: {key!r} was already used with different parameters",
                "DUPLICATE_REQUEST",
            )
        return answer

    def purchase_currency(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/currency-purchases/purchase-currency (outcome by payment method)."""
        with self.lock:
            reference = _opt_str(body, "purchase_reference")
            if reference is None:
                raise BackendError(
                    400, "purchase_reference is required", "MISSING_PURCHASE_REFERENCE"
                )
            replay = self._replay("purchase", reference, body)
            if replay is not None:
                return replay
            email = _req_str(body, "player_email")
            usd = parse_money(body.get("usd_amount"), "usd_amount", USD_MAX)
            rail = _opt_str(body, "rail") or "platform"
            if rail == "steam":
                raise BackendError(
                    400,
                    "Steam purchases use the in-client Steam flow, not this endpoint",
                    "WRONG_RAIL_ENDPOINT",
                )
            if rail not in RAILS:
                raise bad_request("rail must be one of platform, game, steam", "rail")
            method = (
                _opt_str(body, "payment_method_id") or _opt_str(body, "saved_card_id") or ""
            ).lower()
            player = self._player_for_write(email, _opt_str(body, "player_name"))
            phone = _check_phone(_opt_str(body, "player_phone"), "player_phone")
            if phone and player.phone is None:
                player.phone = phone
            metadata = body.get("metadata")
            if "declined" in method:
                self.emit(
                    "purchase.failed",
                    {
                        "player_email": player.email,
                        "identity_id": player.identity_id,
                        "usd_amount": fmt(usd),
                        "rail": rail,
                        "reason": "card_declined",
                        "metadata": metadata if metadata is not None else {},
                    },
                )
                raise BackendError(402, "Your card was declined", "CARD_DECLINED")
            order = self._new_currency_order(player, usd, rail, metadata, "direct")
            order.details["purchase_reference"] = reference
            answer: Answer
            if rail == "game" or "pending" in method:
                order.mark("pending_payment", self.clock.now())
                answer = 200, {
                    "success": True,
                    "status": "pending_payment",
                    "payment_url": f"{self._public_base()}/pay/{order.order_id}",
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                }
            elif "3ds" in method or "requires_action" in method:
                intent = _new_id("pi")
                order.payment_intent_id = intent
                self.intents[intent] = order
                order.mark("requires_action", self.clock.now())
                answer = 200, {
                    "success": True,
                    "status": "requires_action",
                    "client_secret": f"{intent}_secret_{secrets.token_hex(8)}",
                    "payment_intent_id": intent,
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                }
            else:
                self._credit_purchase(
                    player.email, usd, rail=rail, metadata=metadata, source="direct", order=order
                )
                answer = 200, {
                    "success": True,
                    "status": "success",
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                    "new_balance": fmt(player.balance(self.config.game_id)),
                }
            self.idempotent[("purchase", reference)] = (_fingerprint(body), answer)
            return answer

    def confirm_payment(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/currency-purchases/confirm-payment (after the 3-D Secure step)."""
        with self.lock:
            intent = _req_str(body, "payment_intent_id")
            order = self.intents.get(intent)
            if order is None:
                raise BackendError(404, "Payment intent not found", "PAYMENT_INTENT_NOT_FOUND")
            order_id = _opt_str(body, "order_id")
            if order_id is not None and order_id != order.order_id:
                raise bad_request("order_id does not belong to this payment intent", "order_id")
            if order.status != "completed":
                usd = Decimal(order.financial_summary["usd_amount"])
                self._credit_purchase(
                    order.player_email,
                    usd,
                    rail=str(order.details.get("rail", "platform")),
                    metadata=order.details.get("metadata"),
                    source="direct",
                    order=order,
                )
            player = self._player_for_write(order.player_email)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "new_balance": fmt(player.balance(self.config.game_id)),
            }

    def complete_pending_payment(self, order_id: str) -> Answer:
        """Finish a ``pending_payment`` order (what the payment page does)."""
        with self.lock:
            order = self.orders.get(order_id)
            if order is None or order.kind != "currency_purchase":
                raise BackendError(404, "Order not found", "ORDER_NOT_FOUND")
            if order.status not in ("pending_payment", "requires_action"):
                raise BackendError(409, f"Order is {order.status}", "ORDER_NOT_PENDING")
            usd = Decimal(order.financial_summary["usd_amount"])
            self._credit_purchase(
                order.player_email,
                usd,
                rail=str(order.details.get("rail", "platform")),
                metadata=order.details.get("metadata"),
                source="direct",
                order=order,
            )
            player = self._player_for_write(order.player_email)
            return 200, {
                "status": "success",
                "order_id": order.order_id,
                "transaction_id": order.transaction_id,
                "new_balance": fmt(player.balance(self.config.game_id)),
            }

    def order_details(self, query: Mapping[str, str]) -> Answer:
        """GET /api/currency-purchases/order-details?order_id=|transaction_id=."""
        with self.lock:
            order_id = (query.get("order_id") or "").strip()
            txn = (query.get("transaction_id") or "").strip()
            if not order_id and not txn:
                raise bad_request("order_id or transaction_id is required")
            for order in self.orders.values():
                if order.kind != "currency_purchase":
                    continue
                if order_id and order.order_id != order_id:
                    continue
                if txn and order.transaction_id != txn:
                    continue
                return 200, order.answer()
            raise BackendError(404, "Order not found", "ORDER_NOT_FOUND")

    # -- item purchase ----------------------------------------------------------------------

    def purchase_item(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/item-purchases/purchase-item: debit, 90/10 split, ``item.purchased``."""
        with self.lock:
            request_id = _req_str(body, "client_request_id")
            if request_id in self.item_requests:
                raise BackendError(
                    409,
                    "Duplicate request: this client_request_id was already used",
                    "DUPLICATE_REQUEST",
                    order_id=self.item_requests[request_id].order_id,
                )
            email = _req_str(body, "player_email")
            name = _req_str(body, "player_name")
            item_id = _req_str(body, "item_id")
            item_name = _req_str(body, "item_name")
            quantity = body.get("item_quantity")
            if isinstance(quantity, bool) or not isinstance(quantity, int):
                raise bad_request("item_quantity must be an integer", "item_quantity")
            if not 1 <= quantity <= 1000:
                raise bad_request("item_quantity must be between 1 and 1000", "item_quantity")
            unit = parse_money(body.get("unit_price"), "unit_price", ITEM_MAX)
            total = parse_money(body.get("total_price"), "total_price", ITEM_MAX)
            if abs(unit * quantity - total) > CENT:
                raise bad_request(
                    "total_price must equal unit_price x item_quantity", "total_price"
                )
            phone = _check_phone(_opt_str(body, "player_phone"), "player_phone")
            player = self._player_for_write(email, name)
            if phone and player.phone is None:
                player.phone = phone
            gid = self.config.game_id
            previous = player.balance(gid)
            if previous < total:
                raise BackendError(
                    400,
                    "Insufficient balance",
                    "INSUFFICIENT_BALANCE",
                    required_amount=fmt(total),
                    current_balance=fmt(previous),
                    currency_name=self.home.currency_name,
                )
            player.available[gid] = previous - total
            fee = (total * self.config.platform_fee_percent / 100).quantize(
                CENT, rounding=ROUND_HALF_UP
            )
            breakdown = {
                "total_paid": fmt(total),
                "developer_revenue": fmt(total - fee),
                "platform_fee": fmt(fee),
                "developer_share_percent": fmt(100 - self.config.platform_fee_percent),
                "platform_fee_percent": fmt(self.config.platform_fee_percent),
            }
            now = self.clock.now()
            order = Order(
                kind="item_purchase",
                order_id=_new_id("ord"),
                transaction_id=_new_id("txn"),
                player_email=player.email,
                status="created",
                created_at=now,
                client_request_id=request_id,
                details={
                    "player_name": name,
                    "item_id": item_id,
                    "item_name": item_name,
                    "item_description": _opt_str(body, "item_description"),
                    "item_category": _opt_str(body, "item_category"),
                    "item_quantity": quantity,
                    "unit_price": fmt(unit),
                    "total_price": fmt(total),
                    "currency_name": self.home.currency_name,
                    "previous_balance": fmt(previous),
                    "new_balance": fmt(player.balance(gid)),
                },
                financial_summary={**breakdown, "currency_name": self.home.currency_name},
            )
            order.mark("created", now)
            order.mark("completed", now)
            self.orders[order.order_id] = order
            self.item_requests[request_id] = order
            self.emit(
                "item.purchased",
                {
                    "transaction_id": order.transaction_id,
                    "order_id": order.order_id,
                    "player_email": player.email,
                    "identity_id": player.identity_id,
                    "item_id": item_id,
                    "item_name": item_name,
                    "item_quantity": quantity,
                    "unit_price": fmt(unit),
                    "total_price": fmt(total),
                    "currency_name": self.home.currency_name,
                    "new_balance": fmt(player.balance(gid)),
                    "fee_breakdown": breakdown,
                },
            )
            self._balance_changed(player, gid, "item_purchase", order.transaction_id)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": order.transaction_id,
                "order_id": order.order_id,
                "new_balance": fmt(player.balance(gid)),
                "previous_balance": fmt(previous),
                "currency_name": self.home.currency_name,
                "financial_breakdown": breakdown,
            }

    def item_history(self, query: Mapping[str, str]) -> Answer:
        """GET /api/item-purchases/player-purchase-history (newest first, limit/offset)."""
        with self.lock:
            email = (query.get("player_email") or "").strip().lower()
            if not email:
                raise bad_request("player_email is required", "player_email")
            limit = _int_query(query, "limit", 50, 1, 100)
            offset = _int_query(query, "offset", 0, 0, 10**9)
            rows = [
                o
                for o in self.orders.values()
                if o.kind == "item_purchase" and o.player_email == email
            ]
            rows.reverse()
            page = rows[offset : offset + limit]
            return 200, {
                "success": True,
                "item_purchase_history": [_history_row(o) for o in page],
                "pagination": {
                    "total": len(rows),
                    "limit": limit,
                    "offset": offset,
                    "has_more": offset + len(page) < len(rows),
                },
            }

    def item_order_details(self, query: Mapping[str, str]) -> Answer:
        """GET /api/item-purchases/order-details by exactly one id."""
        with self.lock:
            given = {
                k: (query.get(k) or "").strip()
                for k in ("order_id", "transaction_id", "client_request_id")
                if (query.get(k) or "").strip()
            }
            if len(given) != 1:
                raise bad_request(
                    "pass exactly one of order_id, transaction_id, client_request_id"
                )
            key, value = next(iter(given.items()))
            for order in self.orders.values():
                if order.kind != "item_purchase":
                    continue
                if getattr(order, key) == value:
                    return 200, order.answer()
            raise BackendError(404, "Item order not found", "ORDER_NOT_FOUND")

    # -- balances ---------------------------------------------------------------------------

    def balance_by_id(self, player_id: str) -> Answer:
        """GET /api/player-balances/player/{player_id}."""
        with self.lock:
            try:
                player = self.players_by_id.get(int(player_id))
            except ValueError:
                player = None
            if player is None:
                raise BackendError(404, "Player not found", "PLAYER_NOT_FOUND")
            return 200, self._balance_body(player)

    def balance_by_email(self, email: str) -> Answer:
        """GET /api/player-balances/player/by-email/{player_email}."""
        with self.lock:
            player = self._player(email, create=False)
            if player is None:
                raise BackendError(404, "Player not found", "PLAYER_NOT_FOUND")
            return 200, self._balance_body(player)

    def _balance_body(self, player: Player) -> dict[str, Any]:
        rows = []
        total_available = Decimal("0")
        total_reserved = Decimal("0")
        for gid in sorted(set(player.available) | set(player.reserved)):
            game = self.games[gid]
            available = player.balance(gid)
            reserved = player.reserved.get(gid, Decimal("0"))
            total_available += available
            total_reserved += reserved
            rows.append(
                {
                    "currency_id": game.currency_id,
                    "currency_name": game.currency_name,
                    "currency_symbol": game.currency_symbol,
                    "game_id": gid,
                    "game_name": game.name,
                    "available_balance": fmt(available),
                    "reserved_balance": fmt(reserved),
                    "total_balance": fmt(available + reserved),
                    "last_transaction": player.last_transaction.get(gid),
                }
            )
        return {
            "success": True,
            "player": player.summary(),
            "balances": rows,
            "summary": {
                "currency_count": len(rows),
                "total_available": fmt(total_available),
                "total_reserved": fmt(total_reserved),
            },
        }

    # -- sends and transfers ----------------------------------------------------------------

    def initiate(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST initiate-send / initiate-transfer: reserve the amount and pick a verification."""
        names = _PARTY_KEYS[kind]
        with self.lock:
            request_id = _req_str(body, "client_request_id")
            replay = self._replay(kind, request_id, body)
            if replay is not None:
                return replay
            sender_name = _req_str(body, names["sender_name"])
            sender_email = _req_str(body, names["sender_email"])
            sender_phone = _req_str(body, names["sender_phone"])
            receiver_email = _req_str(body, names["receiver_email"])
            receiver_phone = _req_str(body, names["receiver_phone"])
            for key, phone in (
                (names["sender_phone"], sender_phone),
                (names["receiver_phone"], receiver_phone),
            ):
                _check_phone(phone, key)
            game_key = names["game"]
            if body.get(game_key) is None:
                raise bad_request(f"{game_key} is required", game_key)
            target_gid = _game_id_of(body.get(game_key), game_key)
            if target_gid not in self.games:
                raise BackendError(404, f"Game {target_gid} not found", "GAME_NOT_FOUND")
            linked = self.home.linked_game_ids
            if linked is not None and target_gid not in linked and target_gid != self.home.game_id:
                raise BackendError(
                    403, f"Game {target_gid} is not a linked destination", "DESTINATION_NOT_ALLOWED"
                )
            raw_amount = body.get("amount")
            amount = parse_money(raw_amount, "amount", SEND_MAX)
            if sender_email.lower() == receiver_email.lower() and target_gid == self.home.game_id:
                raise bad_request("sender and receiver are the same player in the same game")
            sender = self._player_for_write(sender_email, sender_name)
            if sender.phone is None:
                sender.phone = sender_phone
            gid = self.config.game_id
            if sender.balance(gid) < amount:
                raise BackendError(
                    400,
                    "Insufficient balance",
                    "INSUFFICIENT_BALANCE",
                    required_amount=fmt(amount),
                    current_balance=fmt(sender.balance(gid)),
                )
            now = self.clock.now()
            mv = Movement(
                kind=kind,
                transaction_id=_new_id("txn"),
                client_request_id=request_id,
                sender_email=sender.email,
                sender_name=sender_name,
                sender_phone=sender_phone,
                receiver_email=receiver_email.lower(),
                receiver_phone=receiver_phone,
                source_game_id=gid,
                target_game_id=target_gid,
                amount=amount,
                net_amount=amount,
                amount_wire=raw_amount,
                created_at=now,
                expires_at=now + self.config.verification_ttl,
                sms_attempts_left=self.config.sms_max_attempts,
            )
            receiver = self._player(receiver_email, create=False)
            if receiver is not None:
                mv.receiver_identity_id = receiver.identity_id
            sender.available[gid] = sender.balance(gid) - amount
            sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) + amount
            self.movements[mv.transaction_id] = mv
            answer: Answer
            if sender.is_minor:
                mv.state = "pending_guardian_approval"
                mv.guardian_approval_id = _new_id("gap")
                mv.guardian_state = "pending"
                mv.guardian_expires_at = now + self.config.guardian_ttl
                answer = 202, {
                    "success": True,
                    "status": "pending_guardian_approval",
                    "transaction_id": mv.transaction_id,
                    "guardian_approval": {
                        "approval_id": mv.guardian_approval_id,
                        "state": "pending",
                        "expires_at": iso(mv.guardian_expires_at),
                    },
                }
            else:
                method = "in_app" if sender.passkey_enrolled else "sms"
                mv.verification_method = method
                body_out: dict[str, Any] = {
                    "success": True,
                    "status": "pending_verification",
                    "transaction_id": mv.transaction_id,
                    "verification_method": method,
                    "expires_at": iso(mv.expires_at),
                }
                if method == "sms":
                    mv.sms_pin = _digits(6)
                    self.sms_outbox.append(
                        {
                            "to": sender_phone,
                            "transaction_id": mv.transaction_id,
                            "pin": mv.sms_pin,
                            "at": iso(now),
                        }
                    )
                answer = 200, body_out
            self.idempotent[(kind, request_id)] = (_fingerprint(body), answer)
            return answer

    def _movement(self, kind: Optional[str], transaction_id: str) -> Movement:
        mv = self.movements.get(transaction_id)
        if mv is None or (kind is not None and mv.kind != kind):
            label = {"send": "Send", "transfer": "Transfer", None: "Transaction"}[kind]
            raise BackendError(404, f"{label} not found", "TRANSACTION_NOT_FOUND")
        return mv

    def verify_sms(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST verify-sms: check the PIN, count attempts, block after too many."""
        with self.lock:
            self.sweep()
            mv = self._movement(kind, _req_str(body, "transaction_id"))
            pin = _req_str(body, "sms_pin")
            now = self.clock.now()
            if mv.state == "expired":
                raise BackendError(
                    410, "The verification window has expired", "TRANSACTION_EXPIRED"
                )
            if mv.state != "awaiting_verification" or mv.verification_method != "sms":
                raise BackendError(
                    409, f"Transaction is not awaiting SMS verification ({mv.state})",
                    "TRANSACTION_NOT_PENDING",
                )
            if now < mv.sms_blocked_until:
                raise BackendError(
                    429,
                    "sms_verification_blocked",
                    "SMS_VERIFICATION_BLOCKED",
                    retry_after=max(1, int(mv.sms_blocked_until - now + 0.999)),
                )
            if mv.sms_attempts_left <= 0:
                mv.sms_attempts_left = self.config.sms_max_attempts
            if not secrets.compare_digest(pin, mv.sms_pin or ""):
                mv.sms_attempts_left -= 1
                if mv.sms_attempts_left <= 0:
                    mv.sms_blocked_until = now + self.config.sms_block_seconds
                    raise BackendError(
                        429,
                        "sms_verification_blocked",
                        "SMS_VERIFICATION_BLOCKED",
                        retry_after=int(self.config.sms_block_seconds),
                        attempts_remaining=0,
                    )
                raise BackendError(
                    400,
                    "Invalid verification code",
                    "INVALID_SMS_PIN",
                    attempts_remaining=mv.sms_attempts_left,
                )
            self._approve(mv, "sms")
            sender = self._player_for_write(mv.sender_email)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": mv.transaction_id,
                "claim_code": mv.claim_code,
                "claim_code_expires_at": iso(mv.claim_code_expires_at or now),
                "new_balance": fmt(sender.balance(mv.source_game_id)),
                "order_id": mv.order_id,
            }

    def approve_in_app(self, transaction_id: str) -> dict[str, Any]:
        """What the sender's passkey approval does in the browser (test-side helper)."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.state != "awaiting_verification":
                raise BackendError(
                    409, f"Transaction is not awaiting verification ({mv.state})",
                    "TRANSACTION_NOT_PENDING",
                )
            self._approve(mv, "passkey")
            return {
                "status": "approved",
                "transaction_id": mv.transaction_id,
                "claim_code": mv.claim_code,
                "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
            }

    def _approve(self, mv: Movement, how: str) -> None:
        now = self.clock.now()
        sender = self._player_for_write(mv.sender_email)
        gid = mv.source_game_id
        sender.reserved[gid] = sender.reserved.get(gid, Decimal("0")) - mv.amount
        mv.state = "claim_pending"
        mv.order_id = _new_id("ord")
        mv.claim_code = self._new_claim_code()
        mv.claim_code_expires_at = now + self.config.claim_code_ttl
        self.claim_codes[mv.claim_code] = mv.transaction_id
        data = self._movement_event(mv)
        self.emit("transfer.sent", {**data, "approved_by": how})
        self.emit("transfer.claim_pending", data)
        self._balance_changed(sender, gid, mv.kind, mv.transaction_id)

    def _new_claim_code(self) -> str:
        alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        while True:
            code = "".join(secrets.choice(alphabet) for _ in range(8))
            if code not in self.claim_codes:
                return code

    def _movement_event(self, mv: Movement) -> dict[str, Any]:
        source = self.games[mv.source_game_id]
        target = self.games[mv.target_game_id]
        return {
            "transaction_id": mv.transaction_id,
            "flow": mv.kind,
            "order_id": mv.order_id,
            "sender_email": mv.sender_email,
            "receiver_email": mv.receiver_email,
            "to_phone": mv.receiver_phone,
            "amount": fmt(mv.amount),
            "net_amount": fmt(mv.net_amount),
            "source_game_id": source.game_id,
            "target_game_id": target.game_id,
            "currency_name": target.currency_name,
        }

    def claim(self, kind: str, body: Mapping[str, Any]) -> Answer:
        """POST claim-transfer / claim-currency with a claim code."""
        keys = _CLAIM_KEYS[kind]
        with self.lock:
            self.sweep()
            code = _req_str(body, "claim_code").upper()
            name = _req_str(body, keys["name"])
            email = _req_str(body, keys["email"])
            phone = _req_str(body, keys["phone"])
            _check_phone(phone, keys["phone"])
            txn = self.claim_codes.get(code)
            mv = self.movements.get(txn) if txn else None
            if mv is None or mv.kind != kind:
                raise BackendError(404, "Claim code not found", "CLAIM_CODE_NOT_FOUND")
            if mv.state == "expired":
                raise BackendError(410, "This claim code has expired", "CLAIM_CODE_EXPIRED")
            if mv.state == "completed":
                raise BackendError(
                    409, "This claim code was already used", "CLAIM_ALREADY_COMPLETED"
                )
            target_game = self.games[mv.target_game_id]
            if kind == "transfer":
                currency = body.get("target_currency_id")
                if currency is None or (isinstance(currency, str) and not currency.strip()):
                    raise bad_request("target_currency_id is required", "target_currency_id")
                if _game_id_of(currency, "target_currency_id") != target_game.currency_id:
                    raise BackendError(
                        400,
                        "target_currency_id is not the currency of the transfer's target game",
                        "CURRENCY_MISMATCH",
                        expected_currency_id=target_game.currency_id,
                    )
            self._require_phone_share(phone, email)
            candidates = [p for p in self.players.values() if p.phone == phone]
            chosen_id = body.get(keys["player_id"])
            receiver: Optional[Player]
            if chosen_id is not None:
                try:
                    receiver = self.players_by_id.get(int(chosen_id))
                except (TypeError, ValueError):
                    receiver = None
                allowed = {p.player_id for p in candidates}
                by_email = self._player(email, create=False)
                if by_email is not None:
                    allowed.add(by_email.player_id)
                if receiver is None or receiver.player_id not in allowed:
                    raise BackendError(
                        400,
                        f"{keys['player_id']} is not one of the candidate players",
                        "INVALID_TARGET_PLAYER",
                    )
            elif len(candidates) > 1:
                return 200, {
                    "success": True,
                    "status": "needs_account_selection",
                    "transaction_id": mv.transaction_id,
                    "candidates": [
                        {
                            "player_id": p.player_id,
                            "player_name": p.name,
                            "player_email": p.email,
                        }
                        for p in sorted(candidates, key=lambda p: p.player_id)
                    ],
                }
            else:
                receiver = self._player_for_write(email, name)
                if receiver.phone is None:
                    receiver.phone = phone
            gid = target_game.game_id
            receiver.available[gid] = receiver.balance(gid) + mv.net_amount
            mv.state = "completed"
            mv.receiver_player_id = receiver.player_id
            mv.receiver_identity_id = receiver.identity_id
            self.emit(
                "transfer.received",
                {**self._movement_event(mv), "receiver_email": receiver.email},
            )
            self._balance_changed(receiver, gid, f"{kind}_received", mv.transaction_id)
            return 200, {
                "success": True,
                "status": "success",
                "transaction_id": mv.transaction_id,
                "new_balance": fmt(receiver.balance(gid)),
                "currency_name": target_game.currency_name,
                "order_id": mv.order_id,
                "player_id": receiver.player_id,
            }

    def movement_status(self, kind: str, transaction_id: str) -> Answer:
        """GET /api/transfers/{id}/status and /api/currency-sends/{id}/status."""
        with self.lock:
            self.sweep()
            mv = self._movement(kind, transaction_id)
            return 200, {
                "success": True,
                "transaction_id": mv.transaction_id,
                "transaction_type": mv.kind,
                "transaction_status": mv.state,
                "verification_state": mv.verification_state(),
                "verification_method": mv.verification_method,
                "amount": fmt(mv.amount),
                "net_amount": fmt(mv.net_amount),
                "currency_id": self.games[mv.target_game_id].currency_id,
                "order_id": mv.order_id,
                "to_phone": mv.receiver_phone,
                "to_identity_id": mv.receiver_identity_id,
                "created_at": iso(mv.created_at),
            }

    def guardian_status(self, transaction_id: str) -> Answer:
        """GET /api/transactions/{id}/approval-status."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.guardian_approval_id is None:
                raise BackendError(
                    404, "No guardian approval for this transaction", "APPROVAL_NOT_FOUND"
                )
            return 200, {"success": True, "approval": self._approval_body(mv)}

    def _approval_body(self, mv: Movement) -> dict[str, Any]:
        target = self.games[mv.target_game_id]
        verb = "send" if mv.kind == "send" else "transfer"
        return {
            "approval_id": mv.guardian_approval_id,
            "transaction_id": mv.transaction_id,
            "state": mv.guardian_state,
            "expires_at": iso(mv.guardian_expires_at or 0),
            "decided_at": iso(mv.guardian_decided_at) if mv.guardian_decided_at else None,
            "decision_source": mv.guardian_decision_source,
            "action_description": (
                f"{mv.sender_name} wants to {verb} {fmt(mv.amount)} {self.home.currency_name} "
                f"to {mv.receiver_email} in {target.name}"
            ),
        }

    def guardian_decide(
        self, transaction_id: str, approve: bool, source: str = "guardian_app"
    ) -> dict[str, Any]:
        """The guardian approves or rejects a minor's send/transfer (test-side helper)."""
        with self.lock:
            self.sweep()
            mv = self._movement(None, transaction_id)
            if mv.guardian_approval_id is None:
                raise BackendError(
                    404, "No guardian approval for this transaction", "APPROVAL_NOT_FOUND"
                )
            if mv.guardian_state != "pending":
                raise BackendError(
                    409, f"Approval is already {mv.guardian_state}", "APPROVAL_DECIDED"
                )
            mv.guardian_decided_at = self.clock.now()
            mv.guardian_decision_source = source
            if approve:
                mv.guardian_state = "approved"
                self._approve(mv, "guardian")
            else:
                mv.guardian_state = "rejected"
                self._release(mv, "failed")
            return self._approval_body(mv)

    def destinations(self, direction: str, body: Mapping[str, Any]) -> Answer:
        """POST available-destinations for transfers or sends."""
        with self.lock:
            if body.get("source_game_id") is None or (
                isinstance(body.get("source_game_id"), str) and not body["source_game_id"].strip()
            ):
                raise bad_request("source_game_id is required", "source_game_id")
            gid = _game_id_of(body.get("source_game_id"), "source_game_id")
            source = self.games.get(gid)
            if source is None:
                raise BackendError(404, f"Game {gid} not found", "GAME_NOT_FOUND")
            base = self._public_base()
            linked = source.linked_game_ids
            games = [
                g
                for g in self.games.values()
                if g.game_id != gid and (linked is None or g.game_id in linked)
            ]
            return 200, {
                "status": "success",
                "source_game_id": source.game_id,
                "source_game_name": source.name,
                "source_game_icon": source.icon(base),
                "source_currency_name": source.currency_name,
                "source_currency_icon": f"{base}/assets/games/{gid}/currency.png",
                "universal_transfers": linked is None,
                "transfer_mode": "universal" if linked is None else "linked",
                "available_games": [g.destination(base) for g in games],
                "total_destinations": len(games),
                "direction": direction,
                "linked_game_ids": list(linked) if linked is not None else None,
            }

    def inbound_pending(self, query: Mapping[str, str]) -> Answer:
        """GET /api/transfers/inbound-pending?player_email=&player_phone=."""
        with self.lock:
            self.sweep()
            email = (query.get("player_email") or "").strip().lower()
            phone = (query.get("player_phone") or "").strip()
            if not email and not phone:
                raise bad_request("player_email or player_phone is required")
            rows = []
            for mv in self.movements.values():
                if mv.state != "claim_pending":
                    continue
                if (email and mv.receiver_email == email) or (phone and mv.receiver_phone == phone):
                    rows.append(
                        {
                            "transaction_id": mv.transaction_id,
                            "flow": mv.kind,
                            "amount": fmt(mv.amount),
                            "net_amount": fmt(mv.net_amount),
                            "source_game_id": mv.source_game_id,
                            "source_game": self.games[mv.source_game_id].name,
                            "to_phone": mv.receiver_phone,
                            "to_identity_id": mv.receiver_identity_id,
                            "created_at": iso(mv.created_at),
                            "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
                        }
                    )
            return 200, {"success": True, "inbound_pending": rows}

    def linked_identities(self, query: Mapping[str, str]) -> Answer:
        """GET /api/wallet/identities?player_phone=|player_email= (404 when unknown)."""
        with self.lock:
            phone = (query.get("player_phone") or "").strip()
            email = (query.get("player_email") or "").strip().lower()
            if not phone and not email:
                raise bad_request("player_phone or player_email is required")
            player: Optional[Player] = None
            if phone:
                player = next((p for p in self.players.values() if p.phone == phone), None)
            else:
                player = self._player(email, create=False)
            if player is None:
                raise BackendError(404, "No wallet identity found", "IDENTITY_NOT_FOUND")
            wallet = [p for p in self.players.values() if p.wallet_user_id == player.wallet_user_id]
            primary = min(wallet, key=lambda p: p.player_id)
            emails = []
            for member in sorted(wallet, key=lambda p: p.player_id):
                for address in (member.email, *member.linked_emails):
                    emails.append(
                        {
                            "email": address,
                            "primary": address == primary.email,
                            "verified_at": iso(member.created_at),
                        }
                    )
            return 200, {
                "success": True,
                "wallet_user_id": primary.wallet_user_id,
                "primary_email": primary.email,
                "primary_phone": primary.phone,
                "is_minor": primary.is_minor,
                "emails": emails,
            }

    # -- phone share ------------------------------------------------------------------------

    def _require_phone_share(self, phone: str, email: str) -> None:
        owner = self.foreign_phones.get(phone)
        if owner is None or owner == email.strip().lower():
            return
        if self._approved(phone, email):
            return
        approval = self._pending_approval(phone, email)
        raise BackendError(
            409,
            "This phone number belongs to another INVO account; its owner must approve sharing",
            "PHONE_SHARE_APPROVAL_REQUIRED",
            approval_id=approval.approval_id,
            expires_at=iso(approval.expires_at),
        )

    def _approved(self, phone: str, email: str) -> bool:
        key = email.strip().lower()
        return any(
            a.approved and a.phone == phone and a.email == key
            for a in self.phone_approvals.values()
        )

    def _pending_approval(
        self, phone: str, email: str, *, resend: bool = False
    ) -> PhoneShareApproval:
        now = self.clock.now()
        key = email.strip().lower()
        for approval in self.phone_approvals.values():
            if (
                approval.phone == phone
                and approval.email == key
                and not approval.approved
                and now < approval.expires_at
            ):
                if resend:
                    self.sms_outbox.append(
                        {"to": phone, "otp": approval.otp,
                         "approval_id": approval.approval_id, "at": iso(now)}
                    )
                    self.otps.setdefault(phone, []).append(approval.otp)
                return approval
        approval = PhoneShareApproval(
            approval_id=_new_id("psa"),
            phone=phone,
            email=key,
            otp=_digits(6),
            created_at=now,
            expires_at=now + self.config.otp_ttl,
        )
        self.phone_approvals[approval.approval_id] = approval
        self.otps.setdefault(phone, []).append(approval.otp)
        self.sms_outbox.append(
            {"to": phone, "otp": approval.otp, "approval_id": approval.approval_id, "at": iso(now)}
        )
        return approval

    def phone_share_initiate(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/wallet/phone-share/initiate: (re)send the owner's OTP."""
        with self.lock:
            phone = _req_str(body, "phone")
            email = _req_str(body, "email")
            _check_phone(phone, "phone")
            if self._approved(phone, email):
                approval = next(
                    a for a in self.phone_approvals.values()
                    if a.approved and a.phone == phone and a.email == email.strip().lower()
                )
                return 200, {
                    "success": True,
                    "approval_id": approval.approval_id,
                    "code_sent": False,
                    "already_approved": True,
                    "expires_at": iso(approval.expires_at),
                }
            approval = self._pending_approval(phone, email, resend=True)
            return 200, {
                "success": True,
                "approval_id": approval.approval_id,
                "code_sent": True,
                "already_approved": False,
                "expires_at": iso(approval.expires_at),
            }

    def phone_share_approve(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/wallet/phone-share/approve: check the OTP (attempts counted)."""
        with self.lock:
            approval_id = _req_str(body, "approval_id")
            otp = _req_str(body, "otp")
            approval = self.phone_approvals.get(approval_id)
            if approval is None:
                raise BackendError(404, "Approval not found", "APPROVAL_NOT_FOUND")
            now = self.clock.now()
            if approval.approved:
                raise BackendError(
                    409, "Phone sharing was already approved", "PHONE_SHARE_ALREADY_APPROVED",
                    approval_id=approval.approval_id, already_approved=True,
                )
            if now >= approval.expires_at:
                raise BackendError(410, "The code has expired; start again", "OTP_EXPIRED")
            if now < approval.blocked_until or approval.attempts_left <= 0:
                approval.blocked_until = max(approval.blocked_until, now + 900)
                raise BackendError(
                    429, "Too many wrong codes", "OTP_ATTEMPTS_EXCEEDED",
                    retry_after=max(1, int(approval.blocked_until - now)),
                )
            if not secrets.compare_digest(otp, approval.otp):
                approval.attempts_left -= 1
                raise BackendError(
                    400, "Invalid code", "INVALID_OTP", attempts_remaining=approval.attempts_left
                )
            approval.approved = True
            approval.approved_at = now
            return 200, {
                "success": True,
                "approval_id": approval.approval_id,
                "approved": True,
                "already_approved": False,
                "expires_at": iso(approval.expires_at),
            }

    def phone_share_status(self, query: Mapping[str, str]) -> Answer:
        """GET /api/wallet/phone-share/status?phone=&email=."""
        with self.lock:
            phone = (query.get("phone") or "").strip()
            email = (query.get("email") or "").strip()
            if not phone or not email:
                raise bad_request("phone and email are required")
            return 200, {"success": True, "approved": self._approved(phone, email)}

    # -- webhook endpoint management --------------------------------------------------------

    def _own_game(self, game_id: str) -> None:
        if game_id.strip() != str(self.config.game_id):
            raise BackendError(
                403, "This game secret does not belong to that game", "GAME_MISMATCH"
            )

    @property
    def current_secret(self) -> SecretVersion:
        """The newest signing secret."""
        return self.webhook_secrets[0]

    def valid_secrets(self) -> list[SecretVersion]:
        """Secrets that still sign deliveries (the current one, then any in their grace)."""
        with self.lock:
            now = self.clock.now()
            return [
                s for s in self.webhook_secrets if s.expires_at is None or now < s.expires_at
            ]

    def register_webhook(self, game_id: str, body: Mapping[str, Any]) -> Answer:
        """PUT /api/dev/webhooks/games/{game_id}."""
        with self.lock:
            self._own_game(game_id)
            target = _req_str(body, "target_url")
            _check_target_url(target)
            events = body.get("subscribed_events", ["*"])
            if (
                not isinstance(events, list)
                or not events
                or not all(isinstance(e, str) and e for e in events)
            ):
                raise bad_request(
                    "subscribed_events must be a non-empty list of event types", "subscribed_events"
                )
            compression = body.get("compression")
            if compression not in (None, "gzip", "none"):
                raise bad_request("compression must be 'gzip' or 'none'", "compression")
            now = self.clock.now()
            created = self.subscription is None
            if self.subscription is None:
                self.subscription = WebhookSubscription(
                    self.config.game_id, target, list(events), now, now
                )
            else:
                self.subscription.target_url = target
                self.subscription.subscribed_events = list(events)
                self.subscription.updated_at = now
            if compression is not None:
                self.subscription.compression = None if compression == "none" else "gzip"
            answer: dict[str, Any] = {
                "success": True,
                "created": created,
                "subscription": self.subscription_body(),
            }
            if created:
                answer["signing_secret"] = self.current_secret.secret
            return 200, answer

    def subscription_body(self) -> Optional[dict[str, Any]]:
        """The ``subscription`` object, or ``None`` when nothing is registered."""
        sub = self.subscription
        if sub is None:
            return None
        return {
            "game_id": sub.game_id,
            "target_url": sub.target_url,
            "subscribed_events": list(sub.subscribed_events),
            "secret_version": self.current_secret.version,
            "compression": sub.compression or "none",
            "active": True,
            "created_at": iso(sub.created_at),
            "updated_at": iso(sub.updated_at),
        }

    def rotate_secret(self, game_id: str) -> Answer:
        """POST /api/dev/webhooks/games/{game_id}/rotate-secret."""
        with self.lock:
            self._own_game(game_id)
            if self.subscription is None:
                raise BackendError(
                    404, "No webhook endpoint is registered for this game", "WEBHOOK_NOT_FOUND"
                )
            now = self.clock.now()
            old = self.current_secret
            old.expires_at = now + SECRET_GRACE_SECONDS
            new = SecretVersion(f"whsec_{secrets.token_urlsafe(32)}", old.version + 1)
            self.webhook_secrets.insert(0, new)
            return 200, {
                "success": True,
                "signing_secret": new.secret,
                "secret_version": new.version,
                "previous_secret_expires_at": iso(old.expires_at),
                "subscription": self.subscription_body(),
            }

    def test_webhook(self, game_id: str, body: Mapping[str, Any]) -> Answer:
        """POST /api/dev/webhooks/games/{game_id}/test: emit a ``webhook.test`` event."""
        with self.lock:
            self._own_game(game_id)
            event = self.emit(
                "webhook.test",
                {"message": str(body.get("message") or "Test event from the INVO sandbox")},
            )
            return 200, {"success": True, "event_id": event["event_id"],
                         "idempotency_key": event["idempotency_key"]}


def _fill(url: Optional[str], session_id: str) -> Optional[str]:
    return url.replace("{CHECKOUT_SESSION_ID}", session_id) if url else url


def _int_query(query: Mapping[str, str], key: str, default: int, low: int, high: int) -> int:
    raw = (query.get(key) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"{key} must be an integer", key) from None
    if not low <= value <= high:
        raise bad_request(f"{key} must be between {low} and {high}", key)
    return value


def _history_row(order: Order) -> dict[str, Any]:
    d = order.details
    return {
        "order_id": order.order_id,
        "transaction_id": order.transaction_id,
        "client_request_id": order.client_request_id,
        "item_id": d["item_id"],
        "item_name": d["item_name"],
        "item_quantity": d["item_quantity"],
        "unit_price": d["unit_price"],
        "total_price": d["total_price"],
        "currency_name": d["currency_name"],
        "status": order.status,
        "created_at": iso(order.created_at),
    }


def _check_target_url(url: str) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise BackendError(400, "target_url must be an http(s) URL", "INVALID_TARGET_URL")
    loopback = host == "localhost" or host.endswith(".localhost")
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    if address is not None and address.is_loopback:
        loopback = True
    if loopback:
        return  # the local emulator may deliver to a receiver on this machine
    if parts.scheme != "https":
        raise BackendError(400, "target_url must use https", "INVALID_TARGET_URL")
    if address is not None and (
        address.is_private or address.is_link_local or address.is_reserved
        or address.is_multicast or address.is_unspecified
    ):
        raise BackendError(
            400,
            "target_url must resolve to a public address (private, link-local and "
            "cloud-metadata addresses are refused)",
            "INVALID_TARGET_URL",
        )
    if host in ("metadata.google.internal", "metadata"):
        raise BackendError(400, "target_url points at a cloud metadata host", "INVALID_TARGET_URL")


_PARTY_KEYS = {
    "send": {
        "sender_name": "sender_player_name",
        "sender_email": "sender_player_email",
        "sender_phone": "sender_player_phone",
        "receiver_email": "receiver_player_email",
        "receiver_phone": "receiver_player_phone",
        "game": "receiving_game_id",
    },
    "transfer": {
        "sender_name": "source_player_name",
        "sender_email": "source_player_email",
        "sender_phone": "source_player_phone",
        "receiver_email": "target_player_email",
        "receiver_phone": "target_player_phone",
        "game": "target_game_id",
    },
}

_CLAIM_KEYS = {
    "send": {
        "name": "receiver_player_name",
        "email": "receiver_player_email",
        "phone": "receiver_player_phone",
        "player_id": "receiver_player_id",
    },
    "transfer": {
        "name": "target_player_name",
        "email": "target_player_email",
        "phone": "target_player_phone",
        "player_id": "target_player_id",
    },
}
