"""A WSGI app shaped like a studio's backend under ``gunicorn --preload``, for the fork tests.

At import (which ``--preload`` runs once, in the gunicorn master, before forking the workers)
it creates its ``InvoServer`` and makes one call, exactly like a start-up check would. Every
request ``GET /?email=…`` then mints a token for that email and answers ``{"ok": true}`` when
the token is the one minted for that email (the echo server mints ``token == email``).

The master stops itself after ``FORK_TEST_LIFETIME`` seconds (default 60), so a test that
dies cannot leave it running.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from typing import Any, Callable
from urllib.parse import parse_qs

from invonetwork import InvoError, InvoServer

invo = InvoServer("ivsdk_test_fork_wsgi", os.environ["FORK_TEST_INVO_URL"], max_retries=0)
invo.mint_player_token(player_email="preload-warmup@example.com")

_master = os.getpid()
_lifetime = float(os.environ.get("FORK_TEST_LIFETIME", "60"))
_stopper = threading.Timer(_lifetime, lambda: os.kill(_master, signal.SIGTERM))
_stopper.daemon = True
_stopper.start()


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    """Mint a token for ``?email=`` and say whether the answer was this request's own."""
    email = parse_qs(environ.get("QUERY_STRING", "")).get("email", [""])[0]
    try:
        token = invo.mint_player_token(player_email=email).token
        result = {"ok": token == email, "token": token, "pid": os.getpid()}
    except InvoError as exc:
        result = {"ok": False, "error": exc.code or str(exc), "pid": os.getpid()}
    payload = json.dumps(result).encode()
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
    )
    return [payload]
