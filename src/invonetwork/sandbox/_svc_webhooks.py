"""Webhook endpoint management: registration, signing-secret rotation and test events."""

from __future__ import annotations

import ipaddress
import secrets
from dataclasses import dataclass
from typing import Any, Optional
from urllib.parse import urlsplit

from ._model import DomainError, WebhookSubscription
from ._state import SecretVersion, State

SECRET_GRACE_SECONDS = 7 * 24 * 3600
METADATA_HOSTS = ("metadata.google.internal", "metadata")


@dataclass(frozen=True)
class Registration:
    """A PUT of the game's webhook endpoint, parsed (``compression``: keep when ``None``)."""

    target_url: str
    subscribed_events: list[str]
    compression: Optional[str] = None


@dataclass(frozen=True)
class Rotation:
    """A rotated signing secret and the previous one, valid until its grace ends."""

    new: SecretVersion
    old: SecretVersion


class WebhookEndpoints:
    """The game's webhook endpoint, its signing secrets (with rotation grace), test events."""

    def __init__(self, state: State) -> None:
        self.state = state

    def _own_game(self, game_id: str) -> None:
        if game_id.strip() != str(self.state.config.game_id):
            raise DomainError(403, "This game secret does not belong to that game",
                              "GAME_MISMATCH")

    @property
    def current_secret(self) -> SecretVersion:
        """The newest signing secret."""
        return self.state.webhook_secrets[0]

    def valid_secrets(self) -> list[SecretVersion]:
        """Secrets that still sign deliveries (the current one, then any in their grace)."""
        with self.state.lock:
            now = self.state.clock.now()
            return [
                s for s in self.state.webhook_secrets if s.expires_at is None or now < s.expires_at
            ]

    def register(self, game_id: str, req: Registration) -> bool:
        """Create or update the endpoint; True when it was created."""
        s = self.state
        with s.lock:
            self._own_game(game_id)
            check_target_url(req.target_url)
            now = s.clock.now()
            created = s.subscription is None
            if s.subscription is None:
                s.subscription = WebhookSubscription(
                    s.config.game_id, req.target_url, list(req.subscribed_events), now, now
                )
            else:
                s.subscription.target_url = req.target_url
                s.subscription.subscribed_events = list(req.subscribed_events)
                s.subscription.updated_at = now
            if req.compression is not None:
                s.subscription.compression = None if req.compression == "none" else "gzip"
            return created

    def set_url(
        self, url: Optional[str], events: list[str], *, gzip: bool = False
    ) -> None:
        """Point deliveries at ``url`` (``None`` removes the endpoint), no checks: test side."""
        s = self.state
        with s.lock:
            if url is None:
                s.subscription = None
                return
            now = s.clock.now()
            s.subscription = WebhookSubscription(
                s.config.game_id, url, list(events), now, now, "gzip" if gzip else None
            )

    def rotate(self, game_id: str) -> Rotation:
        """A new current secret; the old one signs too for 7 days."""
        s = self.state
        with s.lock:
            self._own_game(game_id)
            if s.subscription is None:
                raise DomainError(404, "No webhook endpoint is registered for this game",
                                  "WEBHOOK_NOT_FOUND")
            old = self.current_secret
            old.expires_at = s.clock.now() + SECRET_GRACE_SECONDS
            new = SecretVersion(f"whsec_{secrets.token_urlsafe(32)}", old.version + 1)
            s.webhook_secrets.insert(0, new)
            return Rotation(new, old)

    def send_test(self, game_id: str, message: Optional[str]) -> dict[str, Any]:
        """Emit a ``webhook.test`` event; returns it."""
        with self.state.lock:
            self._own_game(game_id)
            text = message or "Test event from the INVO sandbox"
            return self.state.emit("webhook.test", {"message": text})


def check_target_url(url: str) -> None:
    """https on a public address; loopback ``http://`` allowed (a local emulator)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        raise DomainError(400, "target_url must be an http(s) URL", "INVALID_TARGET_URL")
    try:
        address: Optional[Any] = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        address = None
    loopback = host == "localhost" or host.endswith(".localhost")
    if loopback or (address is not None and address.is_loopback):
        return
    if parts.scheme != "https":
        raise DomainError(400, "target_url must use https", "INVALID_TARGET_URL")
    if address is not None and (
        address.is_private or address.is_link_local or address.is_reserved
        or address.is_multicast or address.is_unspecified
    ):
        raise DomainError(
            400, "target_url must resolve to a public address (private, link-local and "
            "cloud-metadata addresses are refused)", "INVALID_TARGET_URL",
        )
    if host in METADATA_HOSTS:
        raise DomainError(400, "target_url points at a cloud metadata host", "INVALID_TARGET_URL")
