"""Route each verified event to the handler registered for its type.

::

    router = WebhookRouter()

    @router.on(EventType.PURCHASE_COMPLETED)
    def credit(event: WebhookEvent) -> None: ...

    @router.on_payload(ItemPurchasedData)
    def grant(item: ItemPurchasedData, event: WebhookEvent) -> None: ...

    router.add("subscription.renewed", extend_membership)   # the same, as a plain call

    @router.fallback
    def other(event: WebhookEvent) -> None: ...              # types nobody handles

    reply = receive_webhook(raw, headers, secrets, store=store, handler=router)
"""

from __future__ import annotations

from typing import Any, Callable, Optional, TypeVar, Union

from ._common import describe, invalid_argument
from ._events import EventType, WebhookEvent, _Payload

__all__ = ["WebhookRouter"]

Handler = Callable[[WebhookEvent], object]
_H = TypeVar("_H", bound=Handler)
_P = TypeVar("_P", bound=_Payload)
_KNOWN = frozenset(member.value for member in EventType)


def _ignore(event: WebhookEvent) -> None:
    """The default fallback: acknowledge and do nothing (INVO would retry a non-2xx)."""


class WebhookRouter:
    """Handlers per event type, with a fallback; a handler for :func:`receive_webhook`.

    Calling the router with an event calls the one handler registered for its
    ``event_type``, or the fallback. The default fallback does nothing, so event types you
    do not handle (and types newer than this SDK) are acknowledged with ``200`` instead of
    being retried by INVO for a day.

    Registering an event type that is not in :class:`EventType` raises ``INVALID_INPUT``
    (a typo would otherwise never fire); pass ``allow_unknown=True`` for a type newer than
    this SDK. Registering a type twice raises too.

    Args:
        fallback: Called for event types with no handler (default: do nothing).
    """

    def __init__(self, *, fallback: Optional[Handler] = None) -> None:
        self._handlers: dict[str, Handler] = {}
        self._fallback: Handler = fallback if fallback is not None else _ignore

    def add(self, event_type: Union[str, EventType], handler: Handler, *,
            allow_unknown: bool = False) -> None:
        """Register ``handler(event)`` for ``event_type``."""
        name = self._check(event_type, allow_unknown)
        if not callable(handler):
            raise invalid_argument(f"handler must be callable, got {describe(handler)}")
        if name in self._handlers:
            raise invalid_argument(f"a handler for {name!r} is already registered")
        self._handlers[name] = handler

    def on(self, *event_types: Union[str, EventType],
           allow_unknown: bool = False) -> Callable[[_H], _H]:
        """Decorator: register the function for one or more event types."""
        if not event_types:
            raise invalid_argument("on() needs at least one event type")
        names = [self._check(event_type, allow_unknown) for event_type in event_types]

        def register(handler: _H) -> _H:
            for name in names:
                self.add(name, handler, allow_unknown=True)
            return handler

        return register

    def on_payload(
        self, payload_type: type[_P]
    ) -> Callable[[Callable[[_P, WebhookEvent], object]], Callable[[_P, WebhookEvent], object]]:
        """Decorator: register ``handler(payload, event)`` for the event type of
        ``payload_type`` (a typed payload class such as ``ItemPurchasedData``), called with
        the typed payload already parsed."""
        event_type = getattr(payload_type, "EVENT_TYPE", "")
        if not isinstance(payload_type, type) or not issubclass(payload_type, _Payload) or \
                not event_type:
            raise invalid_argument(
                f"on_payload() needs a typed payload class, got {describe(payload_type)}"
            )

        def register(
            handler: Callable[[_P, WebhookEvent], object],
        ) -> Callable[[_P, WebhookEvent], object]:
            def call(event: WebhookEvent) -> object:
                return handler(payload_type._parse(event.data, event.event_type), event)

            call.__name__ = getattr(handler, "__name__", "handler")
            self.add(event_type, call)
            return handler

        return register

    def fallback(self, handler: _H) -> _H:
        """Decorator (or plain call): the handler for event types nobody registered."""
        if not callable(handler):
            raise invalid_argument(f"handler must be callable, got {describe(handler)}")
        self._fallback = handler
        return handler

    def handler_for(self, event_type: str) -> Handler:
        """The handler an event of ``event_type`` goes to (the fallback if none)."""
        return self._handlers.get(event_type, self._fallback)

    @property
    def event_types(self) -> list[str]:
        """The event types with a handler, sorted: what to subscribe to (opt-in types such
        as ``payee.status_changed`` are only delivered when named)."""
        return sorted(self._handlers)

    def __call__(self, event: WebhookEvent) -> Any:
        """Dispatch ``event`` to its handler and return what the handler returns."""
        return self._handlers.get(event.event_type, self._fallback)(event)

    def __repr__(self) -> str:
        return f"WebhookRouter(event_types={self.event_types!r})"

    @staticmethod
    def _check(event_type: object, allow_unknown: bool) -> str:
        if not isinstance(event_type, str) or not event_type:
            raise invalid_argument(
                f"an event type must be a non-empty str, got {describe(event_type)}"
            )
        name = str.__str__(event_type)
        if name not in _KNOWN and not allow_unknown:
            raise invalid_argument(
                f"{name[:100]!r} is not an INVO event type; pass allow_unknown=True for a "
                "type newer than this SDK"
            )
        return name
