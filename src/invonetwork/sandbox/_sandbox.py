"""The :class:`Sandbox`: a local, stateful INVO emulator over real HTTP on 127.0.0.1."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from types import TracebackType
from typing import TYPE_CHECKING, Any, Optional, Union

from . import _wire as wire
from ._delivery import RETRY_SCHEDULE, DeadLetter, DeliveryAttempt, DeliveryTarget, DeliveryWorker
from ._faults import FaultRule, Faults, RequestRecord
from ._http import SandboxApp
from ._model import Clock, DomainError, Game, fmt, iso, to_decimal
from ._server import SandboxHTTPServer
from ._state import SecretVersion, WorldConfig
from ._svc_players import PlayerSeed as _Seed
from ._world import World

if TYPE_CHECKING:
    from .._client import InvoServer

__all__ = ["Sandbox", "SandboxError"]

PlayerSeed = Mapping[str, Any]
GameSeed = Union[Game, Mapping[str, Any]]


class SandboxError(RuntimeError):
    """A test-side helper was used wrongly (unknown id, wrong state...).

    Attributes:
        status: The HTTP status the same action would get over HTTP.
        body: The JSON error body (``error``, ``code``...).
    """

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body.get("error", "sandbox error")))
        self.status = status
        self.body = body
        self.code: Optional[str] = body.get("code")


def _game_from_seed(seed: GameSeed) -> Game:
    if isinstance(seed, Game):
        return seed
    data = dict(seed)
    for key in ("minimum_transfer", "maximum_transfer"):
        if key in data:
            data[key] = to_decimal(data[key], key)
    data["game_id"] = int(data["game_id"])
    return Game(**data)


def _check_knobs(
    port: Any, game_secret: Any, path_prefix: Optional[str], webhook_secret: Any
) -> str:
    """Refuse bad knobs before anything starts; returns the cleaned path prefix."""
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
    for name, secret in (("game_secret", game_secret), ("webhook_secret", webhook_secret)):
        if secret is not None and (not isinstance(secret, str) or not secret.strip()):
            raise ValueError(f"{name} must be a non-empty string")
    prefix = (path_prefix or "").strip()
    if prefix and (not prefix.startswith("/") or prefix.endswith("/") or " " in prefix):
        raise ValueError("path_prefix must look like '/sandbox' (leading /, no trailing /)")
    if prefix.startswith("/api") or prefix.startswith("/__sandbox__"):
        raise ValueError("path_prefix must not shadow /api or /__sandbox__")
    return prefix


_WORLD_KNOBS = (
    "game_id", "game_name", "currency_name", "currency_symbol", "currency_per_usd",
    "platform_fee_percent", "checkout_ttl", "claim_code_ttl", "guardian_ttl",
    "verification_ttl", "otp_ttl", "sms_max_attempts", "sms_block_seconds",
    "auto_create_players", "tenant_type",
)


def _world_config(knobs: dict[str, Any], extra_games: list[Game]) -> WorldConfig:
    """The :class:`WorldConfig` for the constructor's knobs, typed and checked."""
    config = WorldConfig(
        game_id=int(knobs["game_id"]),
        game_name=str(knobs["game_name"]),
        currency_name=str(knobs["currency_name"]),
        currency_symbol=str(knobs["currency_symbol"]),
        currency_per_usd=to_decimal(knobs["currency_per_usd"], "currency_per_usd"),
        platform_fee_percent=to_decimal(knobs["platform_fee_percent"], "platform_fee_percent"),
        sms_max_attempts=int(knobs["sms_max_attempts"]),
        auto_create_players=bool(knobs["auto_create_players"]),
        tenant_type=str(knobs["tenant_type"]),
        extra_games=extra_games,
    )
    if config.tenant_type not in ("game", "platform"):
        raise ValueError("tenant_type must be 'game' or 'platform'")
    for ttl in ("checkout_ttl", "claim_code_ttl", "guardian_ttl", "verification_ttl",
                "otp_ttl", "sms_block_seconds"):
        setattr(config, ttl, float(knobs[ttl]))
    if config.platform_fee_percent > 100:
        raise ValueError("platform_fee_percent must be between 0 and 100")
    if config.sms_max_attempts < 1:
        raise ValueError("sms_max_attempts must be >= 1")
    return config


class Sandbox:
    """A local INVO network: every API endpoint, stateful, on ``http://127.0.0.1:<port>``.

    Use it as a context manager (it starts on enter and stops on exit)::

        with Sandbox(players=[{"email": "ada@example.com", "balance": "500"}]) as sb:
            invo = sb.client()                       # a ready InvoServer
            invo.get_player_balance(player_email="ada@example.com")

    Knobs (all keyword-only):
        port: TCP port on 127.0.0.1 (``0`` = a free ephemeral port).
        game_secret: The ``X-Game-Secret-Key`` to accept (default: a fresh ``ivsdk_test_...``).
        game_id, game_name, currency_name, currency_symbol: Your game and its currency.
        currency_per_usd: Currency units credited per USD (default 10).
        platform_fee_percent: INVO's cut of item purchases (default 10: a 90/10 split).
        players: Seed players: mappings with ``email`` and optional ``name``, ``phone``,
            ``balance`` (home currency), ``balances`` (``{game_id: amount}``),
            ``passkey_enrolled``, ``is_minor``, ``linked_emails``, ``wallet_of``.
        games: Destination games replacing the two default ones (:class:`Game` or mappings).
        phone_owners: ``{phone: owner_email}``: phones that belong to another INVO account.
        path_prefix: Served at ``/`` AND under this prefix (default ``"/sandbox"``, like the
            hosted sandbox); ``base_url`` includes it. ``""`` serves at ``/`` only.
        webhook_url: Pre-register a webhook receiver (all events unless ``webhook_events``).
        webhook_events: Event types for ``webhook_url`` (default ``("*",)``).
        webhook_gzip: Deliver gzip-compressed bodies to ``webhook_url``.
        webhook_secret: The signing secret to use (default: a fresh ``whsec_...``).
        webhook_retry_scale: Multiplies the retry schedule (30 s, 2 min, 10 min, 1 h, 6 h,
            24 h). ``0.001`` makes the first retry come after 30 ms.
        webhook_timeout: Seconds a receiver has to answer (default 10).
        checkout_ttl: Checkout session lifetime in seconds (default 900).
        claim_code_ttl, guardian_ttl, verification_ttl, otp_ttl: Other lifetimes, seconds.
        sms_max_attempts, sms_block_seconds: SMS PIN attempts before a block, its length.
        auto_create_players: Purchases, item purchases, senders and claimants naming an
            unknown email create the player (default True); else 404. Minting and
            ``register_player`` always follow the API (no phone: 404).
        tenant_type: ``"game"`` (default) or ``"platform"``: only a platform tenant may use
            ``server.platform_commerce`` (a game gets 403 ``NOT_A_PLATFORM_TENANT``); see
            :meth:`set_tenant_type`.
        verbose: Log every request to stderr.
    """

    def __init__(
        self,
        *,
        port: int = 0,
        game_secret: Optional[str] = None,
        game_id: int = 1001,
        game_name: str = "Sandbox Quest",
        currency_name: str = "Gold Coins",
        currency_symbol: str = "GC",
        currency_per_usd: Union[str, int, Decimal] = 10,
        platform_fee_percent: Union[str, int, Decimal] = 10,
        players: Iterable[PlayerSeed] = (),
        games: Optional[Iterable[GameSeed]] = None,
        phone_owners: Optional[Mapping[str, str]] = None,
        path_prefix: str = "/sandbox",
        webhook_url: Optional[str] = None,
        webhook_events: Sequence[str] = ("*",),
        webhook_gzip: bool = False,
        webhook_secret: Optional[str] = None,
        webhook_retry_scale: float = 1.0,
        webhook_timeout: float = 10.0,
        checkout_ttl: float = 15 * 60,
        claim_code_ttl: float = 24 * 3600,
        guardian_ttl: float = 24 * 3600,
        verification_ttl: float = 30 * 60,
        otp_ttl: float = 10 * 60,
        sms_max_attempts: int = 5,
        sms_block_seconds: float = 15 * 60,
        auto_create_players: bool = True,
        tenant_type: str = "game",
        verbose: bool = False,
    ) -> None:
        prefix = _check_knobs(port, game_secret, path_prefix, webhook_secret)
        knobs = {k: v for k, v in locals().items() if k in _WORLD_KNOBS}
        self._port_wanted = port
        self.game_secret: str = game_secret or f"ivsdk_test_{secrets.token_hex(16)}"
        self.path_prefix = prefix
        self.verbose = verbose
        self._clock = Clock()
        self._faults = Faults()
        extra = [_game_from_seed(g) for g in games] if games is not None else []
        self._config = _world_config(knobs, extra)
        self._worker = DeliveryWorker(
            self._clock, self._delivery_target,
            retry_scale=webhook_retry_scale, timeout=webhook_timeout,
        )
        self._world = World(self._config, self._clock, self._public_base, self._on_event)
        if webhook_secret is not None:
            self._world.state.webhook_secrets = [SecretVersion(webhook_secret, 1)]
        self._seed_players = [dict(p) for p in players]
        self._seed_phone_owners = dict(phone_owners or {})
        self._seed_webhook = (
            (webhook_url, list(webhook_events), bool(webhook_gzip)) if webhook_url else None
        )
        self._apply_seeds()
        self._server: Optional[SandboxHTTPServer] = None
        self._stop_event = threading.Event()
        self._lifecycle = threading.Lock()

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind 127.0.0.1, start serving and delivering webhooks; returns ``self``."""
        with self._lifecycle:
            if self._server is not None:
                return self
            self._stop_event.clear()
            app = SandboxApp(self, self._stop_event)
            self._server = SandboxHTTPServer(self._port_wanted, app, verbose=self.verbose)
            self._server.start()
            self._worker.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving, end open connections and the delivery thread (idempotent)."""
        with self._lifecycle:
            server, self._server = self._server, None
            self._stop_event.set()
        self._worker.stop(timeout)
        if server is not None:
            server.close(timeout)

    close = stop

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """True between :meth:`start` and :meth:`stop`."""
        return self._server is not None

    def __repr__(self) -> str:
        where = self.base_url if self.running else "stopped"
        return f"<Sandbox {where} game_id={self.game_id}>"

    # -- addresses and credentials ----------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (only while running)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running: use `with Sandbox() as sb:`")
        return self._server.port

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` (the API is also served here, without the prefix)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """The ``base_url`` for :class:`~invonetwork.InvoServer` (includes ``path_prefix``)."""
        return f"{self.root_url}{self.path_prefix}"

    def _public_base(self) -> str:
        return self.base_url if self.running else f"http://127.0.0.1:0{self.path_prefix}"

    def _strip_prefix(self, path: str) -> str:
        prefix = self.path_prefix
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            return path[len(prefix):] or "/"
        return path

    @property
    def game_id(self) -> int:
        """Your game's id (the ``tenant_id`` of webhook events)."""
        return self._config.game_id

    @property
    def webhook_secret(self) -> str:
        """The current webhook signing secret."""
        with self._world.lock:
            return self._world.webhooks.current_secret.secret

    @property
    def webhook_secrets(self) -> list[str]:
        """Every secret that still signs deliveries, newest first (two during a rotation)."""
        return [s.secret for s in self._world.webhooks.valid_secrets()]

    def client(self, **kwargs: Any) -> InvoServer:
        """An :class:`~invonetwork.InvoServer` pointed at this sandbox.

        ``kwargs`` go to the constructor (``max_retries``, ``retry_base_delay``, ``hooks``...).
        """
        from .._client import InvoServer

        kwargs.setdefault("sandbox_clock_key", self.sandbox_clock_key)
        return InvoServer(self.game_secret, self.base_url, **kwargs)

    # -- seeding ----------------------------------------------------------------------------

    def _apply_seeds(self) -> None:
        for seed in self._seed_players:
            data = dict(seed)
            email = data.pop("email", None)
            if not isinstance(email, str):
                raise ValueError(f"every seeded player needs an email, got {seed!r}")
            self._world.players.add_player(_Seed(email, **data))
        for phone, owner in self._seed_phone_owners.items():
            self._world.phone_share.set_phone_owner(phone, owner)
        if self._seed_webhook is not None:
            url, events, gzip = self._seed_webhook
            self._world.webhooks.set_url(url, events, gzip=gzip)

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
    ) -> int:
        """Create or update a player; returns its ``player_id``.

        ``balance`` is in your game's currency; ``balances`` maps other game ids to amounts.
        ``passkey_enrolled`` makes sends/transfers answer ``verification_method="in_app"``
        (else ``"sms"``); ``is_minor`` sends them down the guardian (HTTP 202) path.
        ``linked_emails`` adds emails to the player's wallet; ``wallet_of`` puts this player
        in the wallet of another (existing) player.
        """
        seed = _Seed(email, name, phone, balance, balances, passkey_enrolled, is_minor,
                     tuple(linked_emails), wallet_of)
        return self._world.players.add_player(seed).player_id

    def add_game(self, game: GameSeed) -> None:
        """Add a destination game (a :class:`Game` or a mapping of its fields)."""
        self._world.players.add_game(_game_from_seed(game))

    def set_phone_owner(self, phone: str, owner_email: str) -> None:
        """Mark ``phone`` as owned by another INVO account.

        A mint or a claim that uses this phone for a different email then answers 409
        ``PHONE_SHARE_APPROVAL_REQUIRED`` (with ``approval_id``) until the owner approves
        with the OTP (see :meth:`last_otp`).
        """
        self._world.phone_share.set_phone_owner(phone, owner_email)

    def balance(self, email: str, game_id: Optional[int] = None) -> Decimal:
        """A player's available balance (your game's currency unless ``game_id``)."""
        with self._world.lock:
            player = self._world.state.find_player(email)
            if player is None:
                raise KeyError(f"no player {email!r} in the sandbox")
            return player.balance(self.game_id if game_id is None else int(game_id))

    def reset(self) -> None:
        """Back to the seeded state: players, sessions, orders, events, faults, counts, clock.

        The signing secret is kept (rotations are undone) and the delivery log is cleared.
        """
        self._worker.clear()
        with self._world.lock:
            secret = self._world.state.webhook_secrets[-1]
            self._world.state.webhook_secrets = [SecretVersion(secret.secret, 1)]
            self._world.state.reset()
            self._apply_seeds()
        self._faults.clear()
        self._faults.reset_counts()
        self._clock.reset()

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able view of the world (players and balances, counts of everything)."""
        w = self._world.state
        with w.lock:
            players = [
                {**p.summary(),
                 "balances": {str(g): str(v) for g, v in sorted(p.available.items())},
                 "passkey_enrolled": p.passkey_enrolled}
                for p in w.players.values()
            ]
            return {
                "base_url": self.base_url if self.running else None,
                "game_id": self.game_id,
                "clock_offset": self._clock.offset,
                "players": players,
                "checkout_sessions": len(w.sessions),
                "orders": len(w.orders),
                "transactions": len(w.movements),
                "events": len(w.events),
                "webhook_subscription": wire.subscription(
                    w, self._world.webhooks.current_secret.version
                ),
            }

    # -- clock ------------------------------------------------------------------------------

    def now(self) -> float:
        """Sandbox time (Unix seconds): the wall clock plus every :meth:`advance_time`."""
        return self._clock.now()

    @property
    def clock_offset(self) -> float:
        """Seconds the sandbox clock is ahead of the wall clock."""
        return self._clock.offset

    def advance_time(self, seconds: float) -> None:
        """Move sandbox time forward: sessions, codes and approvals expire; retries come due.

        Webhook signatures keep using the wall clock, so receivers still verify them.
        """
        self._clock.advance(seconds)
        self._world.transfers.sweep()
        self._world.subscriptions.sweep()
        self._worker.poke()

    # -- test-side actions (what a browser, a phone or a guardian would do) -----------------

    def _call(self, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except DomainError as failure:
            raise SandboxError(failure.status, failure.body) from None

    def pay_checkout(self, session_id: str) -> dict[str, Any]:
        """Press Pay on the hosted page: credit the player, emit ``purchase.completed``.

        Returns the page's result (``status``, ``transaction_id``, ``currency_received``,
        ``new_balance``...). Raises :class:`SandboxError` (409/410/404) like the page would.
        """
        return dict(self._call(self._world.purchases.pay_checkout, session_id))

    def cancel_checkout(self, session_id: str) -> dict[str, Any]:
        """Press Cancel on the hosted page (the session is consumed, nothing is charged)."""
        return dict(self._call(self._world.purchases.cancel_checkout, session_id))

    def complete_payment(self, order_id: str) -> dict[str, Any]:
        """Finish a ``pending_payment`` direct purchase (what its ``payment_url`` page does)."""
        done = self._call(self._world.purchases.complete_pending, order_id)
        return {"status": "success", "order_id": done.order.order_id,
                "transaction_id": done.order.transaction_id,
                "new_balance": fmt(done.new_balance)}

    def approve_transaction(self, transaction_id: str,
                            player_token: Optional[str] = None) -> dict[str, Any]:
        """The sender approves a send/transfer with their passkey (``in_app`` verification).

        ``player_token`` (optional) is the token the browser uses: a token minted before the
        sender's identity was re-keyed raises ``SandboxError`` 403 ``PLAYER_TOKEN_STALE``.
        Returns ``status``, ``claim_code`` and ``claim_code_expires_at``.
        """
        mv = self._call(self._world.transfers.approve_in_app, transaction_id, player_token)
        return {"status": "approved", "transaction_id": mv.transaction_id,
                "claim_code": mv.claim_code,
                "claim_code_expires_at": iso(mv.claim_code_expires_at or 0)}

    def guardian_approve(self, transaction_id: str) -> dict[str, Any]:
        """The guardian approves a minor's send/transfer; returns the ``approval`` object."""
        mv = self._call(self._world.guardians.decide, transaction_id, True)
        return wire.approval(self._world.state, mv)

    def guardian_reject(self, transaction_id: str) -> dict[str, Any]:
        """The guardian rejects a minor's send/transfer (the reserved amount is released)."""
        mv = self._call(self._world.guardians.decide, transaction_id, False)
        return wire.approval(self._world.state, mv)

    def claim_code(self, transaction_id: str) -> Optional[str]:
        """The claim code of an approved send/transfer (``None`` before approval)."""
        with self._world.lock:
            mv = self._world.state.movements.get(transaction_id)
            if mv is None:
                raise KeyError(f"no send/transfer {transaction_id!r}")
            return mv.claim_code

    def last_sms_pin(
        self, transaction_id: Optional[str] = None, *, phone: Optional[str] = None
    ) -> Optional[str]:
        """The SMS PIN sent for a send/transfer (by transaction id, or the last to a phone)."""
        with self._world.lock:
            for message in reversed(self._world.state.sms_outbox):
                if "pin" not in message:
                    continue
                if transaction_id is not None and message["transaction_id"] != transaction_id:
                    continue
                if phone is not None and message["to"] != phone:
                    continue
                return str(message["pin"])
        return None

    def last_otp(self, phone: str) -> Optional[str]:
        """The last phone-share OTP texted to ``phone`` (``None`` if none was)."""
        with self._world.lock:
            otps = self._world.state.otps.get(phone)
            return otps[-1] if otps else None

    @property
    def sms_outbox(self) -> list[dict[str, Any]]:
        """Every SMS the sandbox "sent" (PINs and OTPs), oldest first."""
        with self._world.lock:
            return [dict(m) for m in self._world.state.sms_outbox]

    # -- webhooks ---------------------------------------------------------------------------

    def _on_event(self, event: dict[str, Any]) -> None:
        sub = self._world.state.subscription
        if sub is not None and sub.wants(str(event["event_type"])):
            self._worker.enqueue(event)

    def _delivery_target(self, event_type: str) -> Optional[DeliveryTarget]:
        with self._world.lock:
            sub = self._world.state.subscription
            if sub is None or not sub.wants(event_type):
                return None
            valid = self._world.webhooks.valid_secrets()
            return DeliveryTarget(
                url=sub.target_url,
                secrets=[s.secret for s in valid],
                secret_version=valid[0].version,
                gzip=sub.compression == "gzip",
            )

    def set_webhook_url(
        self, url: Optional[str], events: Sequence[str] = ("*",), *, gzip: bool = False
    ) -> None:
        """Point deliveries at ``url`` (``None`` removes the endpoint) without the HTTP API."""
        self._world.webhooks.set_url(url, list(events), gzip=gzip)

    @property
    def events(self) -> list[dict[str, Any]]:
        """Every event emitted (delivered or not, subscribed or not), oldest first."""
        with self._world.lock:
            return [dict(e) for e in self._world.state.events]

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        """The emitted events of one type."""
        return [e for e in self.events if e["event_type"] == event_type]

    def emit_event(self, event_type: str, data: Optional[Mapping[str, Any]] = None) -> str:
        """Emit any event (``purchase.refunded``, ``payout.status_changed``...); returns its
        idempotency key. Delivered like the sandbox's own events."""
        with self._world.lock:
            event = self._world.state.emit(event_type, dict(data or {}))
        return str(event["idempotency_key"])

    @property
    def deliveries(self) -> list[DeliveryAttempt]:
        """Every webhook delivery attempt, oldest first."""
        return self._worker.attempts

    @property
    def dead_letters(self) -> list[DeadLetter]:
        """Events whose whole retry schedule failed."""
        return self._worker.dead_letters

    @property
    def pending_deliveries(self) -> int:
        """Deliveries queued, scheduled for a retry, or in flight."""
        return self._worker.pending

    @property
    def retry_schedule(self) -> tuple[float, ...]:
        """The delays between attempts, in sandbox seconds, after ``webhook_retry_scale``."""
        return tuple(s * self._worker.retry_scale for s in RETRY_SCHEDULE)

    def wait_for_webhook(
        self,
        event_type: Optional[str] = None,
        *,
        timeout: float = 5.0,
        delivered: Optional[bool] = True,
        idempotency_key: Optional[str] = None,
    ) -> DeliveryAttempt:
        """Wait for a delivery attempt (of ``event_type`` / ``idempotency_key``; successful
        unless ``delivered`` is ``False``, or ``None`` for any). Raises ``TimeoutError``."""

        def wanted(attempt: DeliveryAttempt) -> bool:
            if event_type is not None and attempt.event_type != event_type:
                return False
            if idempotency_key is not None and attempt.idempotency_key != idempotency_key:
                return False
            return delivered is None or attempt.delivered == delivered

        found = self._worker.wait_for(wanted, timeout)
        if found is None:
            raise TimeoutError(
                f"no {'delivered ' if delivered else ''}{event_type or 'webhook'} within "
                f"{timeout} s (attempts so far: {len(self.deliveries)})"
            )
        return found

    def flush_webhooks(self, timeout: float = 5.0) -> bool:
        """Wait until no delivery is due now or in flight; False on timeout."""
        return self._worker.wait_idle(timeout)

    def replay_dead_letters(self) -> int:
        """Queue every dead-lettered event again (same idempotency key); returns how many."""
        dead = self._worker.take_dead_letters()
        for letter in dead:
            self._worker.enqueue(letter.event)
        return len(dead)

    def replay_event(self, idempotency_key: str) -> None:
        """Deliver an emitted event again (new ``X-Invo-Event-Id``, same idempotency key)."""
        for event in self.events:
            if event["idempotency_key"] == idempotency_key:
                self._worker.enqueue(event)
                return
        raise KeyError(f"no event with idempotency key {idempotency_key!r}")

    # -- faults and request accounting ------------------------------------------------------

    def add_fault(self, rule: FaultRule) -> FaultRule:
        """Install a :class:`FaultRule`."""
        return self._faults.add(rule)

    def fail_next(
        self,
        count: Optional[int] = 1,
        *,
        status: int = 503,
        path: Optional[str] = None,
        method: Optional[str] = None,
        body: Optional[dict[str, Any]] = None,
    ) -> FaultRule:
        """Answer the next ``count`` matching API requests with ``status`` (default 503)."""
        return self.add_fault(
            FaultRule("status", count, path, method, status=status, body=body)
        )

    def throttle_next(
        self,
        count: Optional[int] = 1,
        *,
        retry_after: float = 1,
        path: Optional[str] = None,
        method: Optional[str] = None,
    ) -> FaultRule:
        """Answer the next ``count`` matching requests with 429 and ``retry_after``."""
        return self.add_fault(
            FaultRule("status", count, path, method, status=429, retry_after=retry_after)
        )

    def stall_next(
        self,
        count: Optional[int] = 1,
        *,
        seconds: float,
        path: Optional[str] = None,
        method: Optional[str] = None,
    ) -> FaultRule:
        """Wait ``seconds`` before handling the next ``count`` matching requests."""
        return self.add_fault(FaultRule("stall", count, path, method, seconds=seconds))

    def disconnect_next(
        self, count: Optional[int] = 1, *, path: Optional[str] = None,
        method: Optional[str] = None,
    ) -> FaultRule:
        """Close the connection without answering the next ``count`` matching requests."""
        return self.add_fault(FaultRule("disconnect", count, path, method))

    def clear_faults(self) -> None:
        """Remove every fault rule."""
        self._faults.clear()

    @property
    def faults(self) -> list[FaultRule]:
        """The active fault rules."""
        return self._faults.rules

    def request_count(self, path: Optional[str] = None, method: Optional[str] = None) -> int:
        """How many API requests reached the sandbox for ``path`` (exact or glob, without the
        prefix) and ``method``; faulted ones included, admin ones not."""
        return self._faults.count(path, method)

    def request_counts(self) -> dict[str, int]:
        """``{"POST /api/checkout/sessions": 1, ...}``."""
        return self._faults.counts()

    @property
    def requests(self) -> list[RequestRecord]:
        """Every API request seen (method, path, status, fault), oldest first."""
        return self._faults.records

    def reset_request_counts(self) -> None:
        """Forget the request log."""
        self._faults.reset_counts()

    def wait_until(self, predicate: Any, timeout: float = 5.0) -> bool:
        """Poll ``predicate()`` every 10 ms until true; False on timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return bool(predicate())

    # -- checkout status and quotes: test-side helpers below --

    def decline_checkout(self, session_id: str) -> None:
        """The buyer's card is declined on the hosted page: the status reads ``refused`` with
        ``PAYMENT_DECLINED`` (nothing charged; ``purchase.failed`` is sent)."""
        self._call(self._world.purchases.decline_checkout, session_id)

    def charge_checkout(self, session_id: str) -> None:
        """The payment goes through but the coins are not in yet: ``paid_pending_credit``.
        Follow with :meth:`finish_checkout_credit` or :meth:`refuse_checkout_credit`."""
        self._call(self._world.purchases.charge_checkout, session_id)

    def finish_checkout_credit(self, session_id: str) -> dict[str, Any]:
        """Credit a ``paid_pending_credit`` checkout (``credited``, ``purchase.completed``)."""
        return dict(self._call(self._world.purchases.finish_credit, session_id))

    def refuse_checkout_credit(self, session_id: str, reason: str = "MINT_CEILING") -> None:
        """INVO refuses to credit a charged checkout: ``refused`` with
        ``CREDIT_REFUSED_<reason>`` (``MINT_CEILING``, ``UNKNOWN_RAIL``, ``RATE_UNAVAILABLE``,
        ``NO_PEG_BASIS``, ``NO_PAYMENT_REFERENCE``, ``WRONG_ORDER_TYPE``)."""
        self._call(self._world.purchases.refuse_credit, session_id, reason)

    def refund_checkout(self, session_id: str, reason: str = "REFUNDED") -> None:
        """Refund a credited checkout (``REFUNDED``: ``purchase.refunded``) or lose its
        chargeback (``CHARGEBACK_LOST``: ``purchase.disputed``, ``dispute_status`` ``lost``);
        the status reads ``refunded`` and the coins still held are taken back."""
        self._call(self._world.purchases.refund_checkout, session_id, reason)

    def configure_card_pricing(
        self,
        *,
        minimum_usd: Union[str, Decimal, None] = None,
        enforced_from: Optional[str] = None,
        enforce_minimum: Optional[bool] = None,
        maximum_usd: Union[str, Decimal, None] = None,
    ) -> None:
        """Change INVO's card limits (until :meth:`reset`).

        ``minimum_usd`` (default 2.99) is refused with ``BELOW_CARD_MINIMUM`` only when
        ``enforce_minimum`` is on (default off in the sandbox) and the sandbox date is on or
        after ``enforced_from`` (default ``"2026-10-27"``); otherwise a smaller sale goes
        through with a ``min_purchase_warning``. Under 0.50 is always refused.
        ``maximum_usd`` (default 100000.00) is ``ABOVE_CARD_MAXIMUM``.
        """
        with self._world.lock:
            card = self._world.purchases.tables.card
            if enforce_minimum is not None:
                card.enforce_minimum = bool(enforce_minimum)
            if minimum_usd is not None:
                card.minimum = to_decimal(minimum_usd, "minimum_usd")
            if enforced_from is not None:
                time.strptime(enforced_from, "%Y-%m-%d")  # a ValueError for another form
                card.enforced_from = enforced_from
            if maximum_usd is not None:
                card.maximum = to_decimal(maximum_usd, "maximum_usd")

    # -- players, phones, activity: test-side helpers below --

    def confirm_phone_change(self, change_request_id: str,
                             code: Optional[str] = None) -> dict[str, Any]:
        """The player confirms a phone change on INVO's page (with ``code`` when given: a
        wrong one is refused): the phone moves, the identity is re-keyed and
        ``player.phone_changed`` is sent. Returns the request as ``get_phone_change`` reads it.
        """
        from ._api_players import change_request

        req = self._call(self._world.phone_changes.confirm, change_request_id, "hosted_page",
                         code)
        return change_request(req, created=False)

    def decline_phone_change(self, change_request_id: str) -> dict[str, Any]:
        """The player declines the change on their device: it ends ``denied``."""
        from ._api_players import change_request

        return change_request(self._call(self._world.phone_changes.decline, change_request_id),
                              created=False)

    def change_phone_by_support(self, email: str, new_phone: str) -> None:
        """INVO support changes a player's phone (``player.phone_changed`` with ``source``
        ``support``)."""
        self._call(self._world.phone_changes.support_change, email, new_phone)

    @property
    def email_outbox(self) -> list[dict[str, Any]]:
        """The emails INVO sent players (phone change codes and links), oldest first."""
        from ._svc_phones import tables

        with self._world.lock:
            return [dict(m) for m in tables(self._world.state).email_outbox]

    def set_loyalty_cards(self, email: str, cards: list[Mapping[str, Any]]) -> None:
        """Seed a player's loyalty cards (and switch the game's loyalty program on).

        Each card is a mapping: ``title``, ``description``, ``order_mode`` (``ordered``
        default, or ``any``), ``status`` (else derived), ``steps`` (each ``label``,
        ``action``, ``target`` (1), ``progress`` (0), ``complete``, ``window_hours``) and
        ``rewards`` (each ``reward_id``, ``state`` (``unlocked``), ``code`` (only its
        masked form is ever served), ``unlocked_at``, ``expires_at``).
        """
        self._world.rewards.set_cards(email, cards)

    def enable_loyalty(self) -> None:
        """Switch the loyalty program on (no cards): rewards reads stop answering NO_TENANT."""
        self._world.rewards.enable()

    def set_identity_check_available(self, available: bool) -> None:
        """Switch INVO's identity check off (claims answer 503 IDENTITY_CHECK_UNAVAILABLE,
        nothing moves) or back on."""
        from ._svc_phones import tables

        with self._world.lock:
            tables(self._world.state).identity_check_down = not available

    # -- consoles and Steam: test-side helpers below --

    def _grant_view(self, grant: Any) -> dict[str, Any]:
        view: dict[str, Any] = {"state": grant.state, "user_code": grant.user_code,
                                "transaction_id": grant.transaction_id, "flow": grant.flow}
        if grant.enrollment is not None:
            view["enrollment"] = dict(grant.enrollment)
        return view

    def approve_device_code(self, user_code: str) -> dict[str, Any]:
        """The player approves the grant on the phone (the device page's Approve button).

        ``user_code`` is the grant's ``user_code`` (or read it from
        ``verification_uri_complete``). Emits ``device_approval.approved``; moves no money.
        Raises :class:`SandboxError` (404 unknown code, 409 not pending or a phone enrollment
        not yet confirmed on the screen).
        """
        return self._grant_view(self._call(self._world.devices.approve, user_code))

    def deny_device_code(self, user_code: str) -> dict[str, Any]:
        """The player declines on the phone: the next poll answers ``access_denied``."""
        return self._grant_view(self._call(self._world.devices.deny, user_code))

    def enroll_device(self, user_code: str, device_label: str = "phone") -> dict[str, Any]:
        """A first-time phone asks to enroll during the grant: polls then carry
        ``enrollment`` (``awaiting_screen``, a ``match_code``) until the screen decides
        (already ``confirmed`` on ``channel="app_browser"``). 409
        ``ENROLLMENT_REQUIRES_PROOF`` when the player already has a passkey and no recovery
        allowed a new one."""
        return self._grant_view(self._call(self._world.devices.enroll, user_code, device_label))

    def decide_device_enrollment_by_email(self, user_code: str,
                                          approve: bool = True) -> dict[str, Any]:
        """The backup email to the player decides the enrollment before the screen does (the
        screen's ``confirm_device_enrollment`` then answers ``…ALREADY_DECIDED``)."""
        return self._grant_view(
            self._call(self._world.devices.decide_by_email, user_code, approve))

    def device_user_code(self, device_code: str) -> Optional[str]:
        """The ``user_code`` of a grant, from its ``device_code`` (``None`` when unknown)."""
        with self._world.lock:
            grant = self._world.devices.tables.grants.get(device_code)
            return grant.user_code if grant is not None else None

    def last_recovery_code(self, email: str) -> Optional[str]:
        """The last passkey recovery code sent to ``email`` (``None`` when none)."""
        return self._world.recovery.last_code(email)

    def recovery_messages(self) -> list[dict[str, Any]]:
        """Every recovery code and "your passkey was reset" notice sent, oldest first."""
        with self._world.lock:
            return [dict(m) for m in self._world.devices.tables.recovery_outbox]

    def remove_recovery_contacts(self, email: str) -> None:
        """The player has no contact on file: ``recovery_begin`` answers 422."""
        with self._world.lock:
            self._world.devices.tables.no_contact.add(email.strip().lower())

    def _steam_view(self, order: Any) -> dict[str, Any]:
        return {"order_id": order.order_id, "steam_status": order.steam_status,
                "credited": order.credited, "steam_transid": order.steam_transid}

    def steam_authorize(self, order_id: str) -> dict[str, Any]:
        """The player approves the Steam order (overlay or web page): finalize now credits."""
        order = self._call(self._world.steam.set_steam_status, order_id, "Approved")
        return self._steam_view(order)

    def steam_kill(self, order_id: str, status: str = "Failed") -> dict[str, Any]:
        """Steam ends the order (``Failed``, ``Cancelled``, ``Refunded`` ... anything but
        ``Init``): finalize answers ``not_authorized`` with that ``steam_status``."""
        if status == "Init":
            raise ValueError("a dead Steam status is anything but Init")
        return self._steam_view(self._call(self._world.steam.set_steam_status, order_id,
                                           status))

    def steam_reconcile(self, order_id: str) -> dict[str, Any]:
        """INVO's reconciler credits an authorised order nobody finalized (finalize then
        answers ``already_processed``)."""
        return self._steam_view(self._call(self._world.steam.reconcile, order_id))

    def steam_chargeback(self, order_id: str) -> dict[str, Any]:
        """A Steam chargeback on a credited order: ``purchase.disputed`` (``rail`` steam,
        ``dispute_status`` lost), the coins taken back (never below zero)."""
        return dict(self._call(self._world.steam.chargeback, order_id))

    def steam_partial_refund(self, order_id: str, coins: Union[Decimal, int, str]) -> dict[
            str, Any]:
        """A Steam partial refund: ``purchase.refunded`` with ``fully_refunded`` false."""
        return dict(self._call(self._world.steam.partial_refund, order_id,
                               to_decimal(coins, "coins")))

    def configure_steam(
        self,
        *,
        entitled: Optional[bool] = None,
        configured: Optional[bool] = None,
        partner_refusal: Optional[str] = "",
        payments_paused: Optional[bool] = None,
        refuse_next_credit: Optional[str] = None,
        country: Optional[tuple[str, str]] = None,
        locked_steamid: Optional[str] = None,
    ) -> None:
        """The title's Steam setup: ``entitled`` (403 ``STEAM_RAIL_NOT_ENTITLED`` when
        false), ``configured`` (503 ``STEAM_NOT_CONFIGURED``), ``partner_refusal`` (a
        ``PARTNER_*`` code init answers 409 with; ``None`` clears it), ``payments_paused``
        (403), ``refuse_next_credit`` (the ``reason_code`` of the next finalize: paid, no
        coins), ``country=(steamid, "FR")`` (the player's country; default ``US``),
        ``locked_steamid`` (409 ``STEAM_ACCOUNT_LOCKED``)."""
        with self._world.lock:
            t = self._world.steam.tables
            if entitled is not None:
                t.entitled = entitled
            if configured is not None:
                t.configured = configured
            if partner_refusal != "":
                t.partner_refusal = partner_refusal
            if payments_paused is not None:
                t.payments_paused = payments_paused
            if refuse_next_credit is not None:
                t.refuse_credit = refuse_next_credit
            if country is not None:
                t.countries[str(country[0])] = country[1].upper()
            if locked_steamid is not None:
                t.locked.add(str(locked_steamid))

    # -- subscriptions, cards, clock: test-side helpers below --

    @property
    def sandbox_clock_key(self) -> str:
        """The ``X-Sandbox-Clock-Key`` this sandbox accepts (:meth:`client` passes it)."""
        return self._world.subscriptions.clock_key

    def subscription(self, subscription_id: str) -> dict[str, Any]:
        """A subscription as ``subscriptions.get`` would show it (with the member)."""
        body: dict[str, Any] = self._call(self._world.subscriptions.get, subscription_id, True)
        return dict(body["subscription"])

    def save_card(self, player_email: str, payment_method_id: str = "pm_card_visa"
                  ) -> dict[str, Any]:
        """Save a card for a member (created if unknown) as the hosted page would; returns
        the card (``id`` is what ``player_card_id`` takes). The payment method id picks the
        outcome of every charge: ``declined``, ``insufficient``, ``3ds``, ``error`` or
        ``pending`` in it; anything else pays."""
        card = self._call(self._world.subscriptions.save_card, player_email, payment_method_id)
        return dict(card.answer())

    def complete_card_setup(self, setup_intent_id: str,
                            payment_method_id: str = "pm_card_visa") -> None:
        """Finish a card setup on the client side, so ``cards.confirm_setup`` stores it."""
        self._call(self._world.subscriptions.complete_setup, setup_intent_id, payment_method_id)

    def complete_subscription_authentication(self, subscription_id: str) -> dict[str, Any]:
        """The member passes the issuer's challenge: the waiting charge goes through."""
        result: dict[str, Any] = self._call(self._world.subscriptions.authenticate,
                                            subscription_id)
        return result

    def approve_refund_request(self, request_id: str) -> dict[str, Any]:
        """INVO approves a refund request (``SRR...``): the refund runs; returns its receipt."""
        result: dict[str, Any] = self._call(
            self._world.subscriptions.decide_refund_request, request_id, True)
        return result

    def reject_refund_request(self, request_id: str, reason: Optional[str] = None
                              ) -> dict[str, Any]:
        """INVO rejects a refund request: nothing moves."""
        result: dict[str, Any] = self._call(
            self._world.subscriptions.decide_refund_request, request_id, False, reason)
        return result

    def set_refund_daily_cap(self, usd: Union[str, int, Decimal]) -> None:
        """The game's daily self-serve refund cap (default 25000.00); above it a refund
        becomes a request INVO decides."""
        with self._world.lock:
            self._world.subscriptions.t.daily_cap = Decimal(str(usd))

    def cancel_in_steam(self, subscription_id: str) -> None:
        """The member cancels the agreement in Steam (``canceled_by "steam"``)."""
        self._call(self._world.subscriptions.steam_cancel, subscription_id)

    # -- payouts and platform commerce: test-side helpers below --

    def set_tenant_type(self, tenant_type: str) -> None:
        """Make the sandbox's tenant a ``"platform"`` (Platform Commerce allowed) or a
        ``"game"`` (403 ``NOT_A_PLATFORM_TENANT``) until :meth:`reset`, which goes back to
        the constructor's ``tenant_type``."""
        self._world.commerce.set_tenant_type(tenant_type)

    @property
    def tenant_type(self) -> str:
        """``"game"`` or ``"platform"`` (see :meth:`set_tenant_type`)."""
        return self._world.commerce.tenant_type

    def payee_invite_url(self, payee_id: str) -> str:
        """The link of the creator's latest invitation (INVO emails it to them)."""
        payee = self._call(self._world.payouts.payee, payee_id)
        return f"{self.base_url}/payees/{payee.payee_id}/invite/{payee.invite_token}"

    def submit_payee_details(self, payee_id: str) -> dict[str, Any]:
        """The creator gives INVO their details on the invitation page
        (``details_submitted``); returns the ``payee`` object."""
        return dict(self._call(self._world.payouts.submit_details, payee_id).answer())

    def set_payee_status(self, payee_id: str, status: str) -> dict[str, Any]:
        """INVO's review moves the creator on (``verified``, ``rejected``, ``suspended``,
        ``expired``, back to ``verified``...); an impossible move is a 409
        :class:`SandboxError`. Returns the ``payee`` object."""
        return dict(self._call(self._world.payouts.set_payee_status, payee_id,
                               status).answer())

    def verify_payee(self, payee_id: str) -> dict[str, Any]:
        """Submit the creator's details if needed, then verify them: the creator is payable."""
        with self._world.lock:
            payee = self._call(self._world.payouts.payee, payee_id)
            if payee.status in ("invited", "rejected", "expired"):
                self.submit_payee_details(payee_id)
            return self.set_payee_status(payee_id, "verified")

    def confirm_payout_as_owner(self, payout_id: int) -> dict[str, Any]:
        """The account owner confirms a first creator payout (``owner_confirmation_required``)
        in INVO's console; INVO may then approve it. Returns the payout object."""
        payouts = self._world.payouts
        return payouts.answer(self._call(payouts.confirm_owner, str(payout_id)))

    def set_payout_status(
        self, payout_id: int, status: str, *, return_reason_code: Optional[str] = None,
        partner_message: Optional[str] = None,
    ) -> dict[str, Any]:
        """Move a payout one step (``approved``, ``rejected``, ``processing``, ``completed``,
        ``failed``, ``returned``); emits ``payout.status_changed``. ``approved`` needs the
        owner's confirmation first when the payout requires it. Returns the payout object."""
        payouts = self._world.payouts
        row = self._call(lambda: payouts.set_status(
            str(payout_id), status, return_reason_code=return_reason_code,
            partner_message=partner_message))
        return payouts.answer(row)

    def complete_payout(self, payout_id: int) -> dict[str, Any]:
        """Walk a payout to ``completed``: the owner confirms (when needed), INVO approves,
        the bank processes and pays. One ``payout.status_changed`` per step."""
        with self._world.lock:
            row = self._call(self._world.payouts.payout, str(payout_id))
            if row.owner_confirmation_required and not row.owner_confirmed:
                self.confirm_payout_as_owner(payout_id)
            steps = ("approved", "processing", "completed")
            for status in steps[steps.index(row.status) + 1 if row.status in steps else 0:]:
                self.set_payout_status(payout_id, status)
            return self._world.payouts.answer(row)

    def set_owed_balance(self, amount_usd: Union[str, int, Decimal]) -> None:
        """What INVO owes the game (payouts are paid from it; default 10000.00)."""
        amount = to_decimal(amount_usd, "amount_usd")
        with self._world.lock:
            self._world.payouts.t.owed = amount

    def owed_balance(self) -> Decimal:
        """What INVO owes the game now (requested payouts are taken off at once)."""
        with self._world.lock:
            return self._world.payouts.t.owed

    def approve_platform_purchase(self, approval_id: str) -> dict[str, Any]:
        """The buyer approves a buyer-approved purchase on INVO's page: the balance is
        debited and ``platform_commerce.purchased`` sent (or, if the balance is now short,
        it ends ``failed`` / ``insufficient_balance``). Returns the approval object."""
        commerce = self._world.commerce
        return commerce.approval_answer(self._call(commerce.decide, approval_id, True))

    def decline_platform_purchase(self, approval_id: str) -> dict[str, Any]:
        """The buyer declines: ``declined``, and ``platform_commerce.declined`` (opt-in)."""
        commerce = self._world.commerce
        return commerce.approval_answer(self._call(commerce.decide, approval_id, False))

    def pay_platform_checkout(self, session_id: str, *, settle: bool = True) -> dict[str, Any]:
        """Pay a card purchase's hosted page. The order settles at once (``completed``,
        ``platform_commerce.purchased``) unless ``settle=False`` leaves it
        ``pending_payment`` for :meth:`settle_platform_order`."""
        commerce = self._world.commerce
        return dict(self._call(lambda: commerce.pay(session_id, settle=settle)))

    def settle_platform_order(self, order_id: str) -> dict[str, Any]:
        """The card payment of a ``pending_payment`` order is verified: ``completed``."""
        commerce = self._world.commerce
        return commerce.status_answer(self._call(commerce.settle, order_id))

    def refund_platform_order_outside_api(
        self, order_id: str, amount_usd: Union[str, int, Decimal]
    ) -> None:
        """Refund part of a card sale at the processor, outside the API: the next API refund
        only records it (``adopted``, ``partial_refund``)."""
        amount = to_decimal(amount_usd, "amount_usd")
        self._call(self._world.commerce.refund_outside_api, order_id, amount)
