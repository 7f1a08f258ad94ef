"""What an endpoint is, as data: :class:`Route`, its arguments, and how a call becomes a request.

A :class:`Route` says everything the wire needs: the HTTP method, the path template, whether
the call may be retried, how it authenticates, where each argument goes (path, query, body or
the ``Authorization`` header, and under which wire key), which statuses are a success, and
the result it is read into. :func:`build_request` turns a route and the checked arguments into
the URL and the JSON body; ``InvoServer`` methods only check the rules specific to them.

``idempotent=True`` means the transport may send the request again after a failure the retry
policy allows (``_retry``). A route marked ``False`` is sent exactly once whatever happens: a
timeout can land while INVO is half-way through, and a second attempt could charge, claim or
burn a verification attempt twice.

The routes themselves live in ``_routes`` (the table) and ``_routes_<area>`` (one module per
area of the API); this module holds only the machinery they share.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any, Generic, Optional, TypeVar
from urllib.parse import quote, urlencode

from ._validation import invalid

__all__ = [
    "SUCCESS_2XX", "Arg", "At", "Auth", "Route", "WireRequest", "body", "build_request", "path",
    "query",
]

R = TypeVar("R")


class Auth(Enum):
    """How a route authenticates."""

    # (names of auth kinds, not credentials)
    GAME_SECRET = "game_secret"  # noqa: S105 - X-Game-Secret-Key: the game's backend
    NONE = "none"  # no credential: the phone's owner drives the call, the backend relays
    PLAYER_TOKEN = "player_token"  # noqa: S105 - Authorization: Bearer <player token>, never the secret
    SESSION_TOKEN = "session_token"  # noqa: S105 - Bearer <checkout session token>
    SANDBOX_CLOCK = "sandbox_clock"  # the game secret plus X-Sandbox-Clock-Key


class At(Enum):
    """Where an argument goes on the wire."""

    PATH = "path"
    QUERY = "query"
    BODY = "body"
    CREDENTIAL = "credential"  # the token or key of a route whose auth needs one


@dataclass(frozen=True)
class Arg:
    """One argument: its Python name, where it goes, and its wire key (default: the name).

    A query value of ``None`` is left out, and so is an ``optional`` body value; a required
    body value goes as given (``None`` as ``null``: INVO judges it). A path value is required.
    """

    name: str
    at: At
    key: str = ""
    optional: bool = False  # a body value of None is left out rather than sent as null
    safe: Optional[str] = None  # a query value percent-encoded keeping these characters

    @property
    def wire_key(self) -> str:
        """The key on the wire."""
        return self.key or self.name


def path(*names: str) -> tuple[Arg, ...]:
    """Path arguments, by name."""
    return tuple(Arg(name, At.PATH) for name in names)


def query(*names: str, safe: Optional[str] = None) -> tuple[Arg, ...]:
    """Query-string arguments, in the order they are encoded (``None`` is left out).

    Form-encoded by default; with ``safe``, each value is percent-encoded keeping the
    characters of ``safe`` (``safe="/"`` keeps a slash as is).
    """
    return tuple(Arg(name, At.QUERY, optional=True, safe=safe) for name in names)


def body(*names: str, optional: tuple[str, ...] = ()) -> tuple[Arg, ...]:
    """JSON body keys, in the order they are written: the required, then the ``optional``."""
    return tuple(Arg(name, At.BODY) for name in names) + tuple(
        Arg(name, At.BODY, optional=True) for name in optional
    )


SUCCESS_2XX: tuple[int, ...] = tuple(range(200, 300))


@dataclass(frozen=True)
class Route(Generic[R]):
    """One endpoint: method, path template, retry eligibility, auth, arguments, result."""

    method: str
    path: str
    idempotent: bool
    result: Optional[type[R]] = None
    args: tuple[Arg, ...] = ()
    auth: Auth = Auth.GAME_SECRET
    success: tuple[int, ...] = SUCCESS_2XX
    management: bool = False  # served by the webhook management host
    result_fallbacks: tuple[tuple[str, Any], ...] = ()  # field -> value when the answer is empty

    @property
    def authenticated(self) -> bool:
        """Whether the request carries the game secret."""
        return self.auth in (Auth.GAME_SECRET, Auth.SANDBOX_CLOCK)


@dataclass(frozen=True)
class WireRequest:
    """What :func:`build_request` makes of a call: path with query, JSON body, credential."""

    target: str
    body: Optional[dict[str, Any]]
    credential: Optional[str] = None


def _segment(name: str, value: object) -> str:
    """``value`` quoted with no safe characters, as one path segment.

    ``quote`` leaves ``.`` alone and requests decodes ``%2E`` back, so an id of ``.`` or
    ``..`` would be a dot segment that URL normalisation removes: the call (with the game
    secret) would reach another endpoint. No real id is spelled that way: refuse it.
    """
    text = str(value)
    if text in (".", ".."):
        raise invalid(f"{name} must not be {text!r} (it would address another endpoint)")
    try:
        return quote(text, safe="")
    except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
        raise invalid(f"{name} is not encodable as UTF-8") from None


def _encode_pair(key: str, value: Any, safe: Optional[str]) -> str:
    if safe is None:
        return urlencode([(key, value)])
    return f"{quote(key, safe='')}={quote(str(value), safe=safe)}"


def build_request(route: Route[Any], values: Mapping[str, Any]) -> WireRequest:
    """Place each checked argument where ``route`` says; ``None`` query/body values are left out.

    Raises ``InvalidInputError`` for a path id that would address another endpoint and for
    text that cannot be encoded; nothing has been sent at that point.
    """
    segments: dict[str, str] = {}
    params: list[tuple[str, Any, Optional[str]]] = []
    payload: Optional[dict[str, Any]] = None
    credential: Optional[str] = None
    for arg in route.args:
        value = values.get(arg.name)
        if arg.at is At.BODY:
            payload = {} if payload is None else payload
            if value is not None or not arg.optional:
                payload[arg.wire_key] = value
        elif value is None:
            continue
        elif arg.at is At.PATH:
            segments[arg.wire_key] = _segment(arg.name, value)
        elif arg.at is At.QUERY:
            params.append((arg.wire_key, value, arg.safe))
        else:
            credential = str(value)
    target = route.path.format(**segments) if segments else route.path
    if params:
        try:
            target = f"{target}?{'&'.join(_encode_pair(*param) for param in params)}"
        except UnicodeEncodeError:  # a lone surrogate: not text that can go on the wire
            raise invalid("a query argument is not encodable as UTF-8") from None
    return WireRequest(target, payload, credential)
