"""The sandbox's one explicit state object: every table, the clock, and the one lock.

Every service (``_svc_*.py``) holds the same :class:`State` and takes :attr:`State.lock`
(re-entrant) around each rule it applies. Nothing else holds world data. The helpers here
are the ones every domain needs: player look-up and creation, the one-phone-one-wallet rule,
event emission, and the ``balance.updated`` event.
"""

from __future__ import annotations

import secrets
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Optional, TypeVar

from ..webhooks._delivery import format_created_at
from ._model import (
    CheckoutSession,
    Clock,
    DomainError,
    Game,
    Movement,
    Order,
    PhoneShareApproval,
    Player,
    WebhookSubscription,
    fmt,
    iso,
)

__all__ = ["SecretVersion", "State", "WorldConfig"]


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
    claim_code_ttl: float = 24 * 3600
    guardian_ttl: float = 24 * 3600
    otp_ttl: float = 10 * 60
    sms_max_attempts: int = 5
    sms_block_seconds: float = 15 * 60
    auto_create_players: bool = True
    #: ``"game"`` or ``"platform"``: only a platform tenant may use Platform Commerce.
    tenant_type: str = "game"
    extra_games: list[Game] = field(default_factory=list)


@dataclass
class SecretVersion:
    """A webhook signing secret and when it stops being valid (``None`` = current)."""

    secret: str
    version: int
    expires_at: Optional[float] = None


def default_games(config: WorldConfig) -> list[Game]:
    """The home game, then the destination games (two defaults unless configured)."""
    home = Game(config.game_id, config.game_name, config.currency_name, config.currency_symbol)
    others = config.extra_games or [
        Game(2002, "Star Racers", "Star Credits", "SC", genre="Racing"),
        Game(3003, "Dungeon Depths", "Gems", "GEM", genre="RPG", platform="pc"),
    ]
    return [home, *[g for g in others if g.game_id != config.game_id]]


_AreaT = TypeVar("_AreaT")


class State:
    """Tables, clock, lock and the cross-domain helpers. Mutate only under :attr:`lock`."""

    def __init__(
        self,
        config: WorldConfig,
        clock: Clock,
        public_base: Callable[[], str] = lambda: "http://127.0.0.1:0",
        on_event: Optional[Callable[[dict[str, Any]], None]] = None,
    ) -> None:
        self.config = config
        self.clock = clock
        self.lock = threading.RLock()
        self.public_base = public_base
        self.on_event = on_event
        self.webhook_secrets = [SecretVersion(f"whsec_{secrets.token_urlsafe(32)}", 1)]
        self.reset()

    def reset(self) -> None:
        """Forget everything but the configuration and the signing secrets."""
        with self.lock:
            self.games: dict[int, Game] = {g.game_id: g for g in default_games(self.config)}
            self.players: dict[str, Player] = {}
            self.players_by_id: dict[int, Player] = {}
            self.tokens: dict[str, tuple[str, float]] = {}
            self.sessions: dict[str, CheckoutSession] = {}
            self.orders: dict[str, Order] = {}
            self.item_requests: dict[str, Order] = {}
            self.intents: dict[str, Order] = {}
            self.replays: dict[tuple[str, str], tuple[str, Any]] = {}
            self.movements: dict[str, Movement] = {}
            self.claim_codes: dict[str, str] = {}
            self.foreign_phones: dict[str, str] = {}
            self.phone_approvals: dict[str, PhoneShareApproval] = {}
            self.otps: dict[str, list[str]] = {}
            self.sms_outbox: list[dict[str, Any]] = []
            self.events: list[dict[str, Any]] = []
            self.subscription: Optional[WebhookSubscription] = None
            self.next_expiry = float("inf")
            self._next_player_id = 1
            self.areas: dict[str, Any] = {}

    def area(self, name: str, factory: Callable[[], _AreaT]) -> _AreaT:
        """The tables of one area of the API (made by ``factory`` on first use; gone on reset).

        Each newer area (devices, subscriptions, payouts ...) keeps its tables in an object of
        its own, so adding an area never touches this class.
        """
        tables = self.areas.get(name)
        if tables is None:
            tables = self.areas[name] = factory()
        return tables

    @property
    def home(self) -> Game:
        """The game the sandbox's game secret belongs to."""
        return self.games[self.config.game_id]

    def expires_at(self, when: float) -> float:
        """Note a deadline so the next sweep looks at it; returns ``when``."""
        self.next_expiry = min(self.next_expiry, when)
        return when

    # -- players ----------------------------------------------------------------------------

    def find_player(self, email: str) -> Optional[Player]:
        """The player with this email (or a linked email), or ``None``."""
        key = email.strip().lower()
        player = self.players.get(key)
        if player is None:
            for candidate in self.players.values():
                if key in candidate.linked_emails:
                    return candidate
        return player

    def new_player(self, email: str, name: Optional[str] = None) -> Player:
        """Create a player with a zero balance in the home currency."""
        key = email.strip().lower()
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

    def player_for_write(self, email: str, name: Optional[str] = None) -> Player:
        """The player a write names: found, created (``auto_create_players``), or a 404."""
        player = self.find_player(email)
        if player is not None:
            return player
        if not self.config.auto_create_players:
            raise DomainError(404, f"Player {email} not found", "PLAYER_NOT_FOUND")
        return self.new_player(email, name)

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
        if self.on_event is not None:
            self.on_event(event)
        return event

    def balance_changed(self, player: Player, game_id: int, reason: str, txn: str) -> None:
        """Stamp the player's last transaction and emit ``balance.updated``."""
        player.last_transaction[game_id] = iso(self.clock.now())
        game = self.games[game_id]
        self.emit("balance.updated", {
            "player_email": player.email,
            "identity_id": player.identity_id,
            "currency_id": game.currency_id,
            "currency_name": game.currency_name,
            "new_balance": fmt(player.balance(game_id)),
            "reason": reason,
            "transaction_id": txn,
        })

    # -- idempotent replay ------------------------------------------------------------------

    def replayed(self, scope: str, key: str, fingerprint: str) -> Optional[Any]:
        """The first outcome stored for ``(scope, key)``; 409 when the request differs."""
        stored = self.replays.get((scope, key))
        if stored is None:
            return None
        first_fingerprint, outcome = stored
        if first_fingerprint != fingerprint:
            raise DomainError(
                409,
                f"Duplicate request: {key!r} was already used with different parameters",
                "DUPLICATE_REQUEST",
            )
        return outcome

    def remember(self, scope: str, key: str, fingerprint: str, outcome: Any) -> None:
        """Store the outcome a later identical request replays."""
        self.replays[(scope, key)] = (fingerprint, outcome)
