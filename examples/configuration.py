"""Configuring ``InvoServer``: environments, timeouts, retries, sessions, pools and threads.

Each function builds a client the way the configuration page describes; constructing one
sends nothing. The docs (``docs/configuration.md``) include this file piece by piece, and
``tests/examples/test_flow_examples.py`` checks what each one builds.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from invonetwork import InvoServer


# --8<-- [start:environments]
def client_from_key(game_secret: str) -> InvoServer:
    """The key's prefix picks the environment: ``ivsdk_test_`` (or ``ivsdk_demo_``) the
    sandbox, ``ivsdk_live_`` production. An older key without a prefix is looked up on the
    first request. A key aimed at the other environment's host is refused."""
    return InvoServer(game_secret)


def client_with_explicit_url(game_secret: str) -> InvoServer:
    """Say where to go: explicit is clearer, and an older key then needs no lookup."""
    return InvoServer(game_secret, "https://sandbox.invo.network/sandbox")
    # production: InvoServer(game_secret, "https://invo.network")
# --8<-- [end:environments]


# --8<-- [start:from-env]
def client_from_environment() -> InvoServer:
    """Read ``INVO_GAME_SECRET`` and ``INVO_BASE_URL`` (optional) from the environment."""
    return InvoServer.from_env(timeout=10)  # keyword arguments go to the constructor
# --8<-- [end:from-env]


# --8<-- [start:timeouts-retries]
def patient_client(game_secret: str) -> InvoServer:
    """Per-attempt timeouts and the retry policy of idempotent calls."""
    return InvoServer(
        game_secret,
        timeout=(3.05, 20),  # 3 s to connect, 20 s to read; or one number for both
        max_retries=3,  # extra attempts for idempotent calls; 0 turns retries off
        retry_base_delay=0.5,  # backoff: about 0.5 s, 1 s, 2 s ... with jitter, capped
    )
# --8<-- [end:timeouts-retries]


# --8<-- [start:with-options]
def quick_balance(invo: InvoServer, player_email: str) -> Any:
    """One call with its own settings, sharing the client's connection pool."""
    fast = invo.with_options(timeout=2, max_retries=0)  # cheap: make one per call if you like
    return fast.get_player_balance(player_email=player_email)
# --8<-- [end:with-options]


# --8<-- [start:session]
def client_behind_a_proxy(game_secret: str, ca_bundle: str) -> InvoServer:
    """Your own ``requests.Session``: a proxy, a corporate CA, a client certificate."""
    session = requests.Session()
    session.proxies = {"https": "http://proxy.internal:3128"}
    session.verify = ca_bundle  # the CA file your TLS-inspecting proxy signs with
    # session.cert = ("client.pem", "client.key")   # mutual TLS, if your egress needs it
    return InvoServer(game_secret, session=session)  # used as is; you close the session
# --8<-- [end:session]


# --8<-- [start:threads]
def busy_worker_client(game_secret: str) -> InvoServer:
    """A process with many threads: one client, a pool big enough for all of them."""
    return InvoServer(game_secret, pool_size=64, user_agent="mygame-backend/2.3")


def balances_in_parallel(invo: InvoServer, emails: Iterable[str]) -> dict[str, Any]:
    """Share one client between threads: it keeps no per-call state."""
    wanted = list(emails)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = pool.map(lambda email: invo.get_player_balance(player_email=email), wanted)
        return dict(zip(wanted, results))
# --8<-- [end:threads]


# --8<-- [start:lifecycle]
def nightly_report(game_secret: str, emails: Iterable[str]) -> int:
    """A short-lived script: the ``with`` block closes the pool at the end."""
    with InvoServer(game_secret) as invo:
        return sum(len(invo.get_player_balance(player_email=e).balances) for e in emails)
# --8<-- [end:lifecycle]
