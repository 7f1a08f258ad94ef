"""The world's configuration, its shared state, and the helpers every domain uses.

:class:`WorldBase` owns the lock, the clock and every table (players, orders, movements,
approvals, events...). The domain mixins composed into :class:`~invonetwork.sandbox._state.World`
read and change those tables under that one lock.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable, Optional

from ..webhooks._delivery import format_created_at
from ._model import (
    BackendError,
    CheckoutSession,
    Clock,
    Game,
    Movement,
    Order,
    PhoneShareApproval,
    Player,
    WebhookSubscription,
    fmt,
    iso,
)
from ._world_fields import request_fingerprint

Answer = tuple[int, dict[str, Any]]


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


def _default_games(config: WorldConfig) -> list[Game]:
    home = Game(
        config.game_id, config.game_name, config.currency_name, config.currency_symbol
    )
    others = config.extra_games or [
        Game(2002, "Star Racers", "Star Credits", "SC", genre="Racing"),
        Game(3003, "Dungeon Depths", "Gems", "GEM", genre="RPG", platform="pc"),
    ]
    return [home, *[g for g in others if g.game_id != config.game_id]]


class WorldBase:
    """The world's shared state and lock, player look-up, event emission and idempotent replay."""

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

    # -- phones: one phone, one wallet ------------------------------------------------------

    def phone_holder(self, phone: str, player: Optional[Player] = None) -> Optional[Player]:
        """A player outside ``player``'s wallet who holds ``phone``, if any."""
        for other in self.players.values():
            if other.phone != phone or other is player:
                continue
            if player is None or other.wallet_user_id != player.wallet_user_id:
                return other
        return None

    def attach_phone(self, player: Player, phone: Optional[str]) -> None:
        """Give ``player`` the phone when it has none and no other wallet holds it."""
        if phone and player.phone is None and self.phone_holder(phone, player) is None:
            player.phone = phone

    # -- events -----------------------------------------------------------------------------

    def emit(self, event_type: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record an event and hand it to the delivery worker."""
        key = str(uuid.uuid4())
        event = {
            "event_id": key,
            "idempotency_key": key,
            "event_type": event_type,
            "schema_version": "1.0",
            "created_at": format_created_at(self.clock.now()),
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

    # -- idempotency ------------------------------------------------------------------------

    def _replay(self, scope: str, key: str, body: Mapping[str, Any]) -> Optional[Answer]:
        stored = self.idempotent.get((scope, key))
        if stored is None:
            return None
        fingerprint, answer = stored
        if fingerprint != request_fingerprint(body):
            raise BackendError(
                409,
                f"Duplicate request: {key!r} was already used with different parameters",
                "DUPLICATE_REQUEST",
            )
        return answer
