"""Players and games: seeding, player tokens, balance reads and wallet identities."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Optional
from urllib.parse import urlsplit

from ._model import E164_RE, DomainError, Game, Player, to_decimal
from ._state import State
from ._svc_phone_share import PhoneShare
from ._svc_phones import pending_to, tables


@dataclass(frozen=True)
class PlayerSeed:
    """A player to create or update (see ``Sandbox.add_player`` for each field)."""

    email: str
    name: Optional[str] = None
    phone: Optional[str] = None
    balance: Any = 0
    balances: Optional[Mapping[Any, Any]] = None
    passkey_enrolled: bool = False
    is_minor: bool = False
    linked_emails: Iterable[str] = ()
    wallet_of: Optional[str] = None


@dataclass(frozen=True)
class PlayerToken:
    """A minted player token (``created`` / ``phone_mismatch``: what the mint found)."""

    token: str
    expires_at: float
    player: Player
    created: bool = False
    phone_mismatch: bool = False


@dataclass(frozen=True)
class Registered:
    """A ``register_player`` outcome."""

    created: bool
    token: PlayerToken


@dataclass(frozen=True)
class PhoneUpdate:
    """An ``update_player_phone`` outcome (``token``: fresh when the identity re-keyed)."""

    updated: bool
    rekeyed: bool
    player: Player
    token: Optional[PlayerToken]


@dataclass(frozen=True)
class Wallet:
    """The wallet a phone or email belongs to: its primary player and every member."""

    primary: Player
    members: list[Player]


class Players:
    """Seeding players and games, player tokens, balance reads, wallet identities."""

    def __init__(self, state: State, phone_share: PhoneShare) -> None:
        self.state = state
        self.phone_share = phone_share

    # -- seeding ----------------------------------------------------------------------------

    def add_player(self, seed: PlayerSeed) -> Player:
        """Create (or update) a player; ``balance`` is in the home game's currency.

        Everything is checked before anything changes: a refused seed leaves no trace.
        """
        email, phone = seed.email, seed.phone
        if not isinstance(email, str) or "@" not in email:
            raise ValueError(f"player email must look like an email address, got {email!r}")
        if phone is not None and not E164_RE.match(phone):
            raise ValueError(f"player phone must be E.164 (+15555550100), got {phone!r}")
        with self.state.lock:
            wallet = self._seed_wallet(email, seed.wallet_of)
            if phone:
                self._check_seed_phone(phone, email, wallet)
            amounts = self._seed_balances(seed.balance, seed.balances)
            player = self.state.find_player(email) or self.state.new_player(email, seed.name)
            if seed.name:
                player.name = seed.name
            if wallet is not None:
                player.wallet_user_id = wallet
            if phone:
                player.phone = phone
            player.passkey_enrolled = bool(seed.passkey_enrolled)
            player.is_minor = bool(seed.is_minor)
            player.available.update(amounts)
            for other in seed.linked_emails:
                if other.lower() not in player.linked_emails:
                    player.linked_emails.append(other.lower())
            return player

    def _seed_wallet(self, email: str, wallet_of: Optional[str]) -> Optional[str]:
        """The wallet a seeded player joins (``None``: a new one of its own)."""
        if wallet_of is not None:
            owner = self.state.find_player(wallet_of)
            if owner is None:
                raise ValueError(f"wallet_of names an unknown player {wallet_of!r}")
            return owner.wallet_user_id
        existing = self.state.find_player(email)
        return existing.wallet_user_id if existing is not None else None

    def _check_seed_phone(self, phone: str, email: str, wallet: Optional[str]) -> None:
        """Two players hold one phone only inside one wallet."""
        me = self.state.find_player(email)
        for other in self.state.players.values():
            if other.phone == phone and other is not me and other.wallet_user_id != wallet:
                raise ValueError(
                    f"phone {phone} already belongs to {other.email}; two players share "
                    f"a phone only inside one wallet (pass wallet_of={other.email!r})"
                )

    def _seed_balances(
        self, balance: Any, balances: Optional[Mapping[Any, Any]]
    ) -> dict[int, Decimal]:
        amounts = {self.state.config.game_id: to_decimal(balance, "balance")}
        for game_id, amount in (balances or {}).items():
            gid = int(game_id)
            if gid not in self.state.games:
                raise ValueError(f"unknown game id {game_id!r} in balances")
            amounts[gid] = to_decimal(amount, f"balances[{game_id}]")
        return amounts

    def add_game(self, game: Game) -> None:
        """Add (or replace) a destination game."""
        with self.state.lock:
            self.state.games[game.game_id] = game

    # -- tokens, balances, identities -------------------------------------------------------

    def mint_token(self, email: str, phone: Optional[str],
                   name: Optional[str] = None) -> PlayerToken:
        """A 15-minute player token (the API's rules, whatever ``auto_create_players`` says).

        An unknown email without a phone is 404 ``PLAYER_NOT_FOUND``; with a phone the player
        is created (``created``). An existing player's phone and name never change:
        ``phone_mismatch`` when the phone differs from the one on file (a player with none
        gets it). A phone of another account needs its owner's consent (409).
        """
        s = self.state
        with s.lock:
            if phone is not None:
                self.phone_share.require(phone, email)
            player = s.find_player(email)
            created = mismatch = False
            if player is None:
                if phone is None:
                    raise DomainError(404, "Player not found; pass player_phone to create one",
                                      "PLAYER_NOT_FOUND")
                player = s.new_player(email, name)
                s.attach_phone(player, phone)  # not when another wallet holds it (shared)
                created = True
            elif phone is not None and player.phone is not None and player.phone != phone:
                mismatch = True
            else:
                s.attach_phone(player, phone)
            return self._token(player, created=created, phone_mismatch=mismatch)

    def _token(self, player: Player, **flags: bool) -> PlayerToken:
        s = self.state
        token = f"ivpt_{secrets.token_urlsafe(24)}"
        expires = s.clock.now() + s.config.token_ttl
        s.tokens[token] = (player.email, expires)
        tables(s).token_identity[token] = player.identity_id
        return PlayerToken(token, expires, player, **flags)

    def token_is_stale(self, token: str) -> bool:
        """Whether ``token`` was minted for an identity its player no longer has."""
        with self.state.lock:
            minted = tables(self.state).token_identity.get(token)
            holder = self.state.tokens.get(token)
            player = self.state.find_player(holder[0]) if holder else None
            return minted is not None and player is not None and player.identity_id != minted

    def register(self, email: str, phone: str, name: Optional[str]) -> Registered:
        """Find or create the player (``register_player``); nobody is messaged."""
        s = self.state
        with s.lock:
            player = s.find_player(email)
            if player is not None and player.phone is not None and player.phone != phone:
                raise DomainError(409, "This player is registered with another phone; nothing "
                                  "changed", "PHONE_MISMATCH")
            self.phone_share.require(phone, email)
            created = player is None
            if player is None:
                player = s.new_player(email, name)
            if player.phone is None:
                player.phone = phone
            return Registered(created, self._token(player))

    def update_phone(self, email: str, new_phone: str) -> PhoneUpdate:
        """Give a player without a phone one (re-keying its identity), or confirm the same.

        Replacing a phone on file needs the player's confirmation: 409
        ``PHONE_CHANGE_REQUIRES_VERIFICATION`` naming the change-request endpoint.
        """
        s = self.state
        with s.lock:
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "player_not_found")
            if player.phone == new_phone:
                return PhoneUpdate(False, False, player, None)
            if player.phone is not None:
                prefix = urlsplit(s.public_base()).path.rstrip("/")
                raise DomainError(
                    409, "Changing a phone on file needs the player's confirmation",
                    "PHONE_CHANGE_REQUIRES_VERIFICATION",
                    change_request_endpoint=f"{prefix}/api/sdk/players/phone/change-requests",
                )
            self.phone_share.require(new_phone, email)
            pending_to(s, new_phone, "PENDING_TRANSFERS_TO_NEW_PHONE")
            player.phone = new_phone
            player.identity_id = secrets.token_hex(16)
            return PhoneUpdate(True, True, player, self._token(player))

    def by_id(self, player_id: int) -> Player:
        """The player with this id, or 404 ``PLAYER_NOT_FOUND``."""
        with self.state.lock:
            player = self.state.players_by_id.get(player_id)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            return player

    def by_email(self, email: str) -> Player:
        """The player with this email, or 404 ``PLAYER_NOT_FOUND``."""
        with self.state.lock:
            player = self.state.find_player(email)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            return player

    def wallet(self, *, phone: Optional[str], email: Optional[str]) -> Wallet:
        """The wallet of the player with that phone (else email); 404 ``IDENTITY_NOT_FOUND``."""
        s = self.state
        with s.lock:
            player: Optional[Player] = None
            if phone:
                player = next((p for p in s.players.values() if p.phone == phone), None)
            elif email:
                player = s.find_player(email)
            if player is None:
                raise DomainError(404, "No wallet identity found", "IDENTITY_NOT_FOUND")
            members = sorted(
                (p for p in s.players.values() if p.wallet_user_id == player.wallet_user_id),
                key=lambda p: p.player_id,
            )
            return Wallet(members[0], members)
