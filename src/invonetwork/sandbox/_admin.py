"""The admin API under ``/__sandbox__``: the test-side helpers over HTTP (no secret, no
faults, not counted), for scripts, other languages and ``curl``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ._api import Call
from ._faults import FaultRule
from ._messages import Response, json_response

if TYPE_CHECKING:
    from ._sandbox import Sandbox

__all__ = ["ADMIN_PREFIX", "Admin"]

ADMIN_PREFIX = "/__sandbox__"
PLAYER_FIELDS = {"name", "phone", "balance", "balances", "passkey_enrolled", "is_minor",
                 "linked_emails", "wallet_of"}
AdminHandler = Callable[[Call], Response]


def _ok(value: Any = None) -> Response:
    return json_response(200, {"ok": True} if value is None else value)


class Admin:
    """Each admin endpoint calls the :class:`Sandbox` helper of the same name."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb

    def routes(self) -> list[tuple[str, str, AdminHandler]]:
        """``(method, path template, handler)`` for each admin endpoint."""
        sb, a = self.sb, ADMIN_PREFIX
        return [
            ("GET", f"{a}/health", lambda c: _ok({"ok": True, "base_url": sb.base_url})),
            ("GET", f"{a}/state", lambda c: _ok(sb.snapshot())),
            ("POST", f"{a}/reset", self._then_ok(sb.reset)),
            ("POST", f"{a}/players", self.add_player),
            ("POST", f"{a}/phone-owners", self.phone_owner),
            ("GET", f"{a}/faults", lambda c: _ok({"faults": [r.to_dict() for r in sb.faults]})),
            ("POST", f"{a}/faults", self.add_fault),
            ("DELETE", f"{a}/faults", self._then_ok(sb.clear_faults)),
            ("GET", f"{a}/requests", lambda c: _ok({"counts": sb.request_counts()})),
            ("DELETE", f"{a}/requests", self._then_ok(sb.reset_request_counts)),
            ("POST", f"{a}/clock/advance", self.advance),
            ("GET", f"{a}/events", lambda c: _ok({"events": sb.events})),
            ("GET", f"{a}/webhooks/deliveries", self.deliveries),
            ("GET", f"{a}/webhooks/dead-letters", self.dead_letters),
            ("POST", f"{a}/webhooks/replay", self.replay),
            ("GET", f"{a}/sms", lambda c: _ok({"messages": sb.sms_outbox})),
            ("GET", f"{a}/otp", lambda c: _ok({"phone": c.query.get("phone", ""),
                                                "otp": sb.last_otp(c.query.get("phone", ""))})),
            ("POST", f"{a}/transactions/{{transaction_id}}/approve",
             lambda c: _ok(sb.approve_transaction(c.params[0]))),
            ("POST", f"{a}/guardian/{{transaction_id}}/approve",
             lambda c: _ok(sb.guardian_approve(c.params[0]))),
            ("POST", f"{a}/guardian/{{transaction_id}}/reject",
             lambda c: _ok(sb.guardian_reject(c.params[0]))),
            ("POST", f"{a}/orders/{{order_id}}/complete",
             lambda c: _ok(sb.complete_payment(c.params[0]))),
            ("POST", f"{a}/checkout/{{session_id}}/pay",
             lambda c: _ok(sb.pay_checkout(c.params[0]))),
        ]

    @staticmethod
    def _then_ok(action: Callable[[], None]) -> AdminHandler:
        def handler(call: Call) -> Response:
            action()
            return _ok()

        return handler

    def phone_owner(self, call: Call) -> Response:
        phone, owner = call.body.get("phone"), call.body.get("owner_email")
        if not isinstance(phone, str) or not isinstance(owner, str):
            raise ValueError("phone and owner_email are required strings")
        self.sb.set_phone_owner(phone, owner)
        return _ok()

    def add_player(self, call: Call) -> Response:
        body = dict(call.body)
        email = body.pop("email", None)
        if not isinstance(email, str):
            raise ValueError("email is required")
        unknown = set(body) - PLAYER_FIELDS
        if unknown:
            raise ValueError(f"unknown player fields: {', '.join(sorted(unknown))}")
        return _ok({"ok": True, "player_id": self.sb.add_player(email, **body)})

    def add_fault(self, call: Call) -> Response:
        rule = FaultRule.from_dict(call.body)
        self.sb.add_fault(rule)
        return _ok({"ok": True, "fault": rule.to_dict()})

    def advance(self, call: Call) -> Response:
        seconds = call.body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
            raise ValueError("seconds must be a number >= 0")
        self.sb.advance_time(float(seconds))
        return _ok({"ok": True, "clock_offset": self.sb.clock_offset})

    def deliveries(self, call: Call) -> Response:
        keys = ("event_type", "idempotency_key", "event_id", "attempt", "url", "status",
                "error", "delivered", "dead_lettered", "next_attempt_in")
        rows = [{k: getattr(d, k) for k in keys} for d in self.sb.deliveries]
        return _ok({"deliveries": rows, "pending": self.sb.pending_deliveries})

    def dead_letters(self, call: Call) -> Response:
        rows = [{"event": d.event, "attempts": d.attempts, "last_error": d.last_error}
                for d in self.sb.dead_letters]
        return _ok({"dead_letters": rows})

    def replay(self, call: Call) -> Response:
        key = call.body.get("idempotency_key")
        if key is None:
            return _ok({"ok": True, "replayed": self.sb.replay_dead_letters()})
        self.sb.replay_event(str(key))
        return _ok({"ok": True, "replayed": 1})
