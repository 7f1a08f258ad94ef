"""Players and games: seeding them, player tokens, balances and linked wallet identities."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, Optional

from ._model import E164_RE, BackendError, Game, Player, bad_request, fmt, iso, to_decimal
from ._world_base import Answer
from ._world_fields import check_phone, opt_str, req_str
from ._world_phone_share import PhoneShare


class PlayersAndBalances(PhoneShare):
    """Seeding players and games, player tokens, balance reads and wallet identities."""

    # -- set-up -----------------------------------------------------------------------------

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
        """Create (or update) a player; ``balance`` is in the home game's currency.

        Everything is checked before anything changes: a refused seed leaves no trace.
        """
        if not isinstance(email, str) or "@" not in email:
            raise ValueError(f"player email must look like an email address, got {email!r}")
        if phone is not None and not E164_RE.match(phone):
            raise ValueError(f"player phone must be E.164 (+15555550100), got {phone!r}")
        with self.lock:
            wallet = self._seed_wallet(email, wallet_of)
            if phone:
                self._check_seed_phone(phone, email, wallet)
            amounts = self._seed_balances(balance, balances)
            player = self._player(email, create=True, name=name)
            assert player is not None
            if name:
                player.name = name
            if wallet is not None:
                player.wallet_user_id = wallet
            if phone:
                player.phone = phone
            player.passkey_enrolled = bool(passkey_enrolled)
            player.is_minor = bool(is_minor)
            player.available.update(amounts)
            for other in linked_emails:
                if other.lower() not in player.linked_emails:
                    player.linked_emails.append(other.lower())
            return player

    def _seed_wallet(self, email: str, wallet_of: Optional[str]) -> Optional[str]:
        """The wallet a seeded player joins (``None``: a new one of its own)."""
        if wallet_of is not None:
            owner = self._player(wallet_of, create=False)
            if owner is None:
                raise ValueError(f"wallet_of names an unknown player {wallet_of!r}")
            return owner.wallet_user_id
        existing = self._player(email, create=False)
        return existing.wallet_user_id if existing is not None else None

    def _check_seed_phone(self, phone: str, email: str, wallet: Optional[str]) -> None:
        """Two players hold one phone only inside one wallet."""
        me = self._player(email, create=False)
        for other in self.players.values():
            if other.phone == phone and other is not me and other.wallet_user_id != wallet:
                raise ValueError(
                    f"phone {phone} already belongs to {other.email}; two players share "
                    f"a phone only inside one wallet (pass wallet_of={other.email!r})"
                )

    def _seed_balances(
        self, balance: Any, balances: Optional[Mapping[Any, Any]]
    ) -> dict[int, Decimal]:
        amounts = {self.config.game_id: to_decimal(balance, "balance")}
        for game_id, amount in (balances or {}).items():
            gid = int(game_id)
            if gid not in self.games:
                raise ValueError(f"unknown game id {game_id!r} in balances")
            amounts[gid] = to_decimal(amount, f"balances[{game_id}]")
        return amounts

    def add_game(self, game: Game) -> None:
        """Add (or replace) a destination game."""
        with self.lock:
            self.games[game.game_id] = game

    # -- player tokens ----------------------------------------------------------------------

    def mint_player_token(self, body: Mapping[str, Any]) -> Answer:
        """POST /api/sdk/player-token."""
        with self.lock:
            email = req_str(body, "player_email")
            phone = check_phone(opt_str(body, "player_phone"), "player_phone")
            if phone is not None:
                self._require_phone_share(phone, email)
            player = self._player_for_write(email)
            self.attach_phone(player, phone)
            token = f"ivpt_{secrets.token_urlsafe(24)}"
            expires = self.clock.now() + self.config.token_ttl
            self.tokens[token] = (player.email, expires)
            return 200, {
                "success": True,
                "token": token,
                "expires_at": iso(expires),
                "identity_id": player.identity_id,
            }

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

    # -- wallet identities ------------------------------------------------------------------

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
