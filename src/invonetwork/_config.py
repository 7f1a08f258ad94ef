"""Defaults and construction-time configuration checks (base URL, game secret, environment)."""

from __future__ import annotations

import ipaddress
import math
from typing import Optional, Union
from urllib.parse import urlsplit

from .errors import ConfigurationError, KeyEnvironmentMismatchError

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_POOL_SIZE",
    "DEFAULT_RETRY_BASE_DELAY",
    "DEFAULT_TIMEOUT",
    "DEMO_KEY_PREFIX",
    "LIVE_KEY_PREFIX",
    "MAX_RETRY_AFTER_WAIT",
    "PRODUCTION_BASE_URL",
    "PRODUCTION_MANAGEMENT_URL",
    "SANDBOX_BASE_URL",
    "TEST_KEY_PREFIX",
    "SecretStr",
    "Timeout",
    "environment_of_key",
    "is_loopback_host",
    "resolve_base_url",
    "validate_timeout",
]

PRODUCTION_BASE_URL = "https://invo.network"
SANDBOX_BASE_URL = "https://sandbox.invo.network/sandbox"
PRODUCTION_MANAGEMENT_URL = "https://api.invo.network"

LIVE_KEY_PREFIX = "ivsdk_live_"
TEST_KEY_PREFIX = "ivsdk_test_"
DEMO_KEY_PREFIX = "ivsdk_demo_"  # a sandbox key, never checked against a host

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 2
DEFAULT_RETRY_BASE_DELAY = 0.25
DEFAULT_POOL_SIZE = 32
# A 429 asking for a longer wait than this is raised at once instead of blocking a worker.
MAX_RETRY_AFTER_WAIT = 20.0
# Upper bound of one backoff sleep, so a large max_retries cannot stall for minutes.
MAX_BACKOFF_DELAY = 8.0

Timeout = Union[float, "tuple[float, float]"]

_PRODUCTION_HOSTS = frozenset({"invo.network", "www.invo.network", "api.invo.network"})
_SANDBOX_HOSTS = frozenset({"sandbox.invo.network"})


def is_loopback_host(host: str) -> bool:
    """True for ``localhost`` and loopback IP literals (127.0.0.0/8, ::1)."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _validate_base_url(base_url: str) -> str:
    if not isinstance(base_url, str) or not base_url.strip():
        raise ConfigurationError("base_url must be a non-empty https:// URL")
    url = base_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ConfigurationError(f"base_url is not a valid URL: {url!r}") from None
    if parts.scheme not in ("https", "http") or not host:
        raise ConfigurationError(f"base_url must be an https:// URL with a host, got {url!r}")
    if parts.username or parts.password:
        raise ConfigurationError("base_url must not carry credentials")
    if parts.query or parts.fragment:
        raise ConfigurationError("base_url must not carry a query string or fragment")
    if parts.scheme == "http" and not is_loopback_host(host):
        raise ConfigurationError(
            "base_url must use https://; plain http:// is allowed only for localhost, "
            f"127.0.0.1 and ::1 (got host {host!r})"
        )
    return url


def _environment_of_host(host: str) -> Optional[str]:
    """``"live"`` / ``"test"`` for INVO's own host names, ``None`` for any other host (the
    path is not looked at: see ``_environment_of_url``)."""
    host = host.lower().rstrip(".")  # "invo.network." (a rooted name) is the same host
    if host in _PRODUCTION_HOSTS:
        return "live"
    if host in _SANDBOX_HOSTS:
        return "test"
    return None


def _environment_of_url(url: str) -> Optional[str]:
    """``"live"`` / ``"test"`` for INVO's own hosts, ``None`` for any other host.

    ``sandbox.invo.network`` is the sandbox; ``invo.network`` and ``www.invo.network`` are
    production unless the path starts with the ``sandbox`` segment. The host is lower-cased
    and a trailing dot dropped (``invo.network.`` is a rooted spelling of the same host).
    ``api.invo.network`` (the production management host) counts as production too.
    """
    parts = urlsplit(url)
    environment = _environment_of_host(parts.hostname or "")
    if environment == "live" and parts.path.lstrip("/").split("/", 1)[0] == "sandbox":
        return "test"
    return environment


def environment_of_key(game_secret: str) -> Optional[str]:
    """``"live"``, ``"test"`` or ``"demo"`` from the trimmed key's prefix, else ``None``."""
    text = game_secret.strip()
    if text.startswith(LIVE_KEY_PREFIX):
        return "live"
    if text.startswith(TEST_KEY_PREFIX):
        return "test"
    if text.startswith(DEMO_KEY_PREFIX):
        return "demo"
    return None


# Secrets of other kinds that people paste where the game secret goes. They would only fail
# later, at the first request, with INVALID_GAME_SECRET (401).
_OTHER_SECRET_KINDS = (
    ("whsec_", "a webhook signing secret (whsec_...): pass it to verify_webhook or "
               "receive_webhook, not to InvoServer"),
    ("sk_live_", "a payment processor's secret key (sk_live_...), not an INVO key"),
    ("sk_test_", "a payment processor's secret key (sk_test_...), not an INVO key"),
)


def _wrong_kind_of_secret(game_secret: str) -> Optional[str]:
    """A message when ``game_secret`` is visibly another kind of secret, else ``None``.

    Only the prefix is named, never the secret.
    """
    text = game_secret.strip()
    for prefix, what in _OTHER_SECRET_KINDS:
        if text.startswith(prefix):
            return (
                f"game_secret looks like {what}. InvoServer needs your game secret from the "
                f"INVO console: {TEST_KEY_PREFIX}... for the sandbox, {LIVE_KEY_PREFIX}... "
                "for production"
            )
    return None


def resolve_base_url(
    game_secret: str, base_url: Optional[str], *, allow_lookup: bool = False
) -> Optional[str]:
    """Check the secret and pick the base URL.

    Raises ``ConfigurationError`` (a ``ValueError``) on a bad configuration.

    Without ``base_url`` (``None`` or empty), an ``ivsdk_live_`` key means production and an
    ``ivsdk_test_`` or ``ivsdk_demo_`` key the sandbox. Any other key does not say its
    environment: with ``allow_lookup`` the answer is ``None`` (the client asks INVO on its
    first request, see ``_environment``), else it is refused. With ``base_url``, a live key
    aimed at the sandbox host or a test key aimed at production is a
    ``KeyEnvironmentMismatchError``; a host that is not INVO's (a proxy, the local sandbox),
    a demo key and an unprefixed key are never second-guessed.
    """
    if not isinstance(game_secret, str) or not game_secret.strip():
        raise ConfigurationError("game_secret must be a non-empty string")
    wrong_kind = _wrong_kind_of_secret(game_secret)
    if wrong_kind is not None:
        raise ConfigurationError(wrong_kind)
    key_env = environment_of_key(game_secret)
    if base_url is None or (isinstance(base_url, str) and not base_url.strip()):
        if key_env == "live":
            return PRODUCTION_BASE_URL
        if key_env in ("test", "demo"):
            return SANDBOX_BASE_URL
        if allow_lookup:
            return None
        raise ConfigurationError(
            "the game secret does not start with "
            f"{LIVE_KEY_PREFIX!r} or {TEST_KEY_PREFIX!r}, so it is not a current INVO game "
            "secret, or it is an older one that does not say its environment: check that "
            "you passed your game's secret key from the INVO console, or pass base_url "
            f"(production: {PRODUCTION_BASE_URL}, sandbox: {SANDBOX_BASE_URL})"
        )
    url = _validate_base_url(base_url)
    host_env = _environment_of_url(url)
    if key_env in ("live", "test") and host_env is not None and key_env != host_env:
        names = {"live": "production", "test": "sandbox"}
        raise KeyEnvironmentMismatchError(
            f"the game secret is a {names[key_env]} key but base_url points at the "
            f"{names[host_env]} host; use the {names[host_env]} key or the "
            f"{names[key_env]} base_url",
            key_environment=names[key_env], configured_environment=names[host_env],
        )
    return url


def validate_timeout(timeout: object, name: str = "timeout") -> Timeout:
    """Accept a positive number of seconds or a ``(connect, read)`` pair of them."""

    def positive(value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigurationError(
                f"{name} must be a number of seconds or a (connect, read) pair"
            )
        number = float(value)
        if not math.isfinite(number) or number <= 0:
            raise ConfigurationError(f"{name} must be finite and greater than 0, got {value!r}")
        return number

    if isinstance(timeout, tuple):
        if len(timeout) != 2:
            raise ConfigurationError(f"{name} as a tuple must be (connect, read)")
        return (positive(timeout[0]), positive(timeout[1]))
    return positive(timeout)


class SecretStr(str):
    """A ``str`` whose ``repr`` is masked, for holding the game secret.

    The value itself is intact (requests sends it as a header), but anything that shows it
    with ``repr`` (a dict of headers in a debugger, locals captured by an error tracker,
    ``traceback`` with ``capture_locals=True``) shows ``'[secure]'`` instead.
    """

    __slots__ = ()

    def __repr__(self) -> str:
        return "'[secure]'"
