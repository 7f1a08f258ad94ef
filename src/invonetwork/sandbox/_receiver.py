"""A tiny webhook receiver for tests: records every POST, answers with scripted statuses."""

from __future__ import annotations

import gzip
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Optional

from ._messages import Request, Response
from ._server import SandboxHTTPServer

__all__ = ["ReceivedWebhook", "WebhookReceiver"]


@dataclass(frozen=True)
class ReceivedWebhook:
    """One POST the receiver got.

    Attributes:
        path: Request path.
        headers: Request headers (original case).
        raw_body: The bytes on the wire (gzip-compressed when ``Content-Encoding: gzip``).
        body: The decompressed bytes: what the signature covers.
        status: What the receiver answered.
    """

    path: str
    headers: dict[str, str]
    raw_body: bytes
    body: bytes
    status: int

    def header(self, name: str) -> Optional[str]:
        """A header by case-insensitive name."""
        lowered = name.lower()
        for key, value in self.headers.items():
            if key.lower() == lowered:
                return value
        return None

    @property
    def signature(self) -> Optional[str]:
        """The ``X-Invo-Signature`` header."""
        return self.header("X-Invo-Signature")

    @property
    def idempotency_key(self) -> Optional[str]:
        """The ``X-Invo-Idempotency-Key`` header."""
        return self.header("X-Invo-Idempotency-Key")

    @property
    def event_type(self) -> Optional[str]:
        """The ``X-Invo-Event-Type`` header (set by the sandbox)."""
        return self.header("X-Invo-Event-Type")


class _ReceiverApp:
    """Records each POST and answers the next scripted status, in one write."""

    def __init__(self, owner: WebhookReceiver) -> None:
        self.owner = owner

    def handle(self, request: Request) -> Response:
        raw = request.body
        body = raw
        if request.header("Content-Encoding").lower() == "gzip":
            try:
                body = gzip.decompress(raw)
            except (OSError, EOFError):
                body = b""
        status = self.owner._next_status()
        path = request.target
        self.owner._record(ReceivedWebhook(path, dict(request.raw_headers), raw, body, status))
        return Response(status, b'{"received":true}')


class WebhookReceiver:
    """An HTTP receiver on 127.0.0.1 that records deliveries (it does not verify them).

    ::

        with WebhookReceiver(statuses=[500, 200]) as rx:      # fail once, then accept
            sb.set_webhook_url(rx.url)
            ...
            hook = rx.wait_for(1)[0]
            verify_webhook(hook.body, hook.signature, sb.webhook_secret)

    ``statuses`` are answered in order; once used up, every request gets ``default_status``.
    """

    def __init__(self, *, statuses: Iterable[int] = (), default_status: int = 200,
                 path: str = "/invo/webhooks") -> None:
        self.path = path
        self.default_status = default_status
        self._statuses: deque[int] = deque(statuses)
        self._received: list[ReceivedWebhook] = []
        self._cond = threading.Condition()
        self._server: Optional[SandboxHTTPServer] = None

    def start(self) -> WebhookReceiver:
        """Bind an ephemeral port on 127.0.0.1 and serve from a daemon thread."""
        if self._server is None:
            self._server = SandboxHTTPServer(0, _ReceiverApp(self))
            self._server.start()
        return self

    def stop(self) -> None:
        """Stop serving, close the connections, join the threads."""
        server, self._server = self._server, None
        if server is not None:
            server.close()

    def __enter__(self) -> WebhookReceiver:
        return self.start()

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The URL to register: ``http://127.0.0.1:<port><path>``."""
        if self._server is None:
            raise RuntimeError("the receiver is not running")
        return f"http://127.0.0.1:{self._server.port}{self.path}"

    def respond_with(self, *statuses: int) -> None:
        """Queue statuses for the next requests."""
        with self._cond:
            self._statuses.extend(statuses)

    def _next_status(self) -> int:
        with self._cond:
            return self._statuses.popleft() if self._statuses else self.default_status

    def _record(self, hook: ReceivedWebhook) -> None:
        with self._cond:
            self._received.append(hook)
            self._cond.notify_all()

    @property
    def received(self) -> list[ReceivedWebhook]:
        """Every request received, oldest first."""
        with self._cond:
            return list(self._received)

    def of_type(self, event_type: str) -> list[ReceivedWebhook]:
        """The received requests whose ``X-Invo-Event-Type`` is ``event_type``."""
        return [r for r in self.received if r.event_type == event_type]

    def wait_for(
        self, count: int = 1, *, event_type: Optional[str] = None, timeout: float = 5.0
    ) -> list[ReceivedWebhook]:
        """Wait until ``count`` requests (of ``event_type``) arrived; ``TimeoutError`` else."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hooks = [
                    r for r in self._received
                    if event_type is None or r.event_type == event_type
                ]
                if len(hooks) >= count:
                    return hooks
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"received {len(hooks)} of {count} webhook(s) within {timeout} s"
                    )
                self._cond.wait(remaining)
