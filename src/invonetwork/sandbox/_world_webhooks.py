"""Webhook endpoint management: registration, signing-secret rotation and test events."""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any, Optional
from urllib.parse import urlsplit

from ._model import BackendError, WebhookSubscription, bad_request, iso
from ._world_base import Answer, SecretVersion, WorldBase
from ._world_fields import req_str

SECRET_GRACE_SECONDS = 7 * 24 * 3600


class WebhookEndpoints(WorldBase):
    """The game's webhook endpoint, its signing secrets (with rotation grace) and test events."""

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
            target = req_str(body, "target_url")
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
