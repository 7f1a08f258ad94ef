# mypy: disable-error-code="import-untyped"
"""A Django backend for INVO in one file: token minting, hosted checkout, webhook receiver.

In a real project the pieces go to their usual places: the ``INVO_*`` settings to
``settings.py``, :func:`get_invo` to a module of your app (``store/invo.py``), the views to
``views.py`` and the routes to ``urls.py``. Here they share one file so it runs as is::

    export INVO_GAME_SECRET=ivsdk_test_...
    export INVO_WEBHOOK_SECRET=whsec_...      # and INVO_WEBHOOK_SECRET_PREVIOUS while rotating
    export DJANGO_SECRET_KEY=change-me
    export DEV_SIGN_IN=1                      # development only: POST /dev/sign-in
    python examples/django_app.py runserver 8000

(``invonetwork sandbox`` prints the ``INVO_*`` lines for the local sandbox.)

The docs (``docs/guides/django.md``) include this file piece by piece, and
``tests/examples/test_framework_apps.py`` drives it through Django's test client.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from typing import Any, Callable, Optional

import django
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from invo_store_game import CURRENCY_PACKS, Fulfilment

from invonetwork import InvalidInputError, InvoError, InvoServer
from invonetwork.webhooks import IdempotencyStore, InMemoryIdempotencyStore, receive_webhook

log = logging.getLogger("mygame.store")

# --8<-- [start:settings]
#: In settings.py: the secrets come from the environment, never from the repository.
INVO_SETTINGS: dict[str, Any] = {
    "INVO_GAME_SECRET": os.environ.get("INVO_GAME_SECRET", ""),
    "INVO_BASE_URL": os.environ.get("INVO_BASE_URL") or None,  # None: from the key prefix
    # The signing secret, and the previous one during a rotation (empty ones are skipped).
    "INVO_WEBHOOK_SECRETS": [os.environ.get("INVO_WEBHOOK_SECRET", ""),
                             os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", "")],
}
# --8<-- [end:settings]

SETTINGS: dict[str, Any] = {
    **INVO_SETTINGS,
    "SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret"),
    # Development only: POST /dev/sign-in signs anyone in. Never set it in production.
    "DEV_SIGN_IN": os.environ.get("DEV_SIGN_IN") == "1",
    "DEBUG": False,
    "ALLOWED_HOSTS": ["localhost", "127.0.0.1", "testserver"],
    "ROOT_URLCONF": __name__,
    "MIDDLEWARE": [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        f"{__name__}.InvoErrorMiddleware",
    ],
    # Sessions in signed cookies, so this one-file demo needs no database.
    "SESSION_ENGINE": "django.contrib.sessions.backends.signed_cookies",
}

if not settings.configured:
    settings.configure(**SETTINGS)
    django.setup()

# --8<-- [start:construct]
@functools.cache
def get_invo() -> InvoServer:
    """The one client of this process, built on first use.

    Built lazily, so each worker process forked by gunicorn or uWSGI opens its own
    connection pool; within a process every thread shares it.
    """
    return InvoServer(settings.INVO_GAME_SECRET, settings.INVO_BASE_URL)
# --8<-- [end:construct]


#: Your models would do this job; one process only (use your database with several workers).
FULFILMENT = Fulfilment()
IDEMPOTENCY: IdempotencyStore = InMemoryIdempotencyStore()


# --8<-- [start:auth]
def current_player_email(request: HttpRequest) -> Optional[str]:
    """The signed-in player's email (with ``django.contrib.auth``: ``request.user.email``).

    Never take it from the request body: anyone could then mint tokens and open checkouts
    in another player's name.
    """
    email = request.session.get("player_email")
    return email if isinstance(email, str) and email else None
# --8<-- [end:auth]


# --8<-- [start:csrf]
def session_info(request: HttpRequest) -> HttpResponse:
    """GET /session: who is signed in. Routed with ``ensure_csrf_cookie`` (see the URLs).

    That sets the ``csrftoken`` cookie. The browser calls this when the page loads, then sends
    the cookie's value as the ``X-CSRFToken`` header on every POST (``/invo/token``,
    ``/store/checkout``). A page rendered by Django with ``{% csrf_token %}`` sets it as well.
    """
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return JsonResponse({"player_email": current_player_email(request)})
# --8<-- [end:csrf]


# --8<-- [start:dev-sign-in]
def dev_sign_in(request: HttpRequest) -> HttpResponse:
    """POST /dev/sign-in ``{"email": "ada@example.com"}``: development only (``DEV_SIGN_IN=1``).

    Stands in for your login, so the views can be tried by hand. CSRF-protected like them.
    """
    if not settings.DEV_SIGN_IN:
        return JsonResponse({"error": "not found"}, status=404)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        email = json.loads(request.body).get("email")
    except (ValueError, AttributeError):
        email = None
    if not isinstance(email, str) or "@" not in email:
        return JsonResponse({"error": 'send {"email": "player@example.com"}'}, status=400)
    request.session["player_email"] = email
    return JsonResponse({"player_email": email})
# --8<-- [end:dev-sign-in]


# --8<-- [start:errors]
class InvoErrorMiddleware:
    """Turn an SDK error raised by a view into an answer for the browser."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> Optional[HttpResponse]:
        """Django calls this when a view raises; ``None`` lets other errors through."""
        if isinstance(exc, InvalidInputError):
            return JsonResponse({"error": exc.message}, status=400)
        if isinstance(exc, InvoError):
            log.warning("INVO call failed: %r (request id %s)", exc, exc.request_id)
            return JsonResponse(
                {"error": "the store is unavailable", "request_id": exc.request_id}, status=502
            )
        return None
# --8<-- [end:errors]


# --8<-- [start:mint]
def mint_token(request: HttpRequest) -> HttpResponse:
    """POST /invo/token: a fresh player token for the browser SDK (CSRF-protected)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    email = current_player_email(request)
    if email is None:
        return JsonResponse({"error": "sign in first"}, status=401)
    token = get_invo().mint_player_token(player_email=email)
    return JsonResponse({"token": token.token, "expires_at": token.expires_at})
# --8<-- [end:mint]


# --8<-- [start:checkout]
def start_checkout(request: HttpRequest) -> HttpResponse:
    """POST /store/checkout ``{"pack": "gold_550"}``: open INVO's hosted checkout."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    email = current_player_email(request)
    if email is None:
        return JsonResponse({"error": "sign in first"}, status=401)
    try:
        pack = json.loads(request.body).get("pack")
    except (ValueError, AttributeError):
        pack = None
    if pack not in CURRENCY_PACKS:
        return JsonResponse({"error": "unknown pack"}, status=400)
    # build_absolute_uri is safe here: Django checks the Host header against ALLOWED_HOSTS.
    checkout = get_invo().create_checkout(
        player_email=email,
        usd_amount=CURRENCY_PACKS[pack],
        success_url=request.build_absolute_uri("/store/thanks"),
        cancel_url=request.build_absolute_uri("/store"),
        metadata={"pack": pack},  # echoed back on the purchase.completed webhook
    )
    return JsonResponse({"checkout_url": checkout.checkout_url,
                         "session_id": checkout.session_id,
                         "expires_at": checkout.expires_at})
# --8<-- [end:checkout]


# --8<-- [start:webhook]
def invo_webhook(request: HttpRequest) -> HttpResponse:
    """POST /invo/webhooks: verify, process each event once, answer fast (CSRF-exempt)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    reply = receive_webhook(
        request.body,  # the raw bytes, exactly as INVO signed them
        request.headers,  # X-Invo-Signature, Content-Encoding, X-Invo-Idempotency-Key
        settings.INVO_WEBHOOK_SECRETS,
        store=IDEMPOTENCY,  # dedupes on the signed idempotency key
        handler=FULFILMENT.handle,  # raises: the key is released and Django answers 500
    )
    if reply.status >= 500:
        log.error("INVO webhook receiver not configured: %s", reply.error_code)
    elif reply.status >= 400:
        log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
    return HttpResponse(reply.text, status=reply.status, content_type="text/plain")
# --8<-- [end:webhook]


# --8<-- [start:urls]
urlpatterns = [
    # Sets the csrftoken cookie whose value the browser sends back as X-CSRFToken on POSTs.
    path("session", ensure_csrf_cookie(session_info)),
    path("dev/sign-in", dev_sign_in),  # answers 404 unless DEV_SIGN_IN=1
    path("invo/token", mint_token),
    path("store/checkout", start_checkout),
    # INVO signs its deliveries; it cannot send your CSRF token.
    path("invo/webhooks", csrf_exempt(invo_webhook)),
]
# --8<-- [end:urls]


if __name__ == "__main__":
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
