"""Receive INVO webhooks with Django, in one file: verify the raw body, process once, answer fast.

Run it::

    export INVO_WEBHOOK_SECRET=...            # the signing secret INVO returned once
    python examples/webhooks_django.py runserver 8000

In a real project, :func:`make_webhook_view` goes in a ``views.py`` and the ``path(...)`` line
in ``urls.py``. During a secret rotation also set ``INVO_WEBHOOK_SECRET_PREVIOUS``. With
several worker processes, use ``SQLiteIdempotencyStore("invo-webhooks.sqlite3")`` (one
machine) or ``DjangoCacheIdempotencyStore()`` / ``PostgresIdempotencyStore(...)`` (several;
see docs/webhooks-at-scale.md) instead of the in-memory default, which dedupes per process.

Django caps ``request.body`` at ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default) and
answers 400 beyond it.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence
from typing import Callable, Optional

# Django ships no type information: these imports are Any to mypy.
import django  # type: ignore[import-untyped]
from django.conf import settings  # type: ignore[import-untyped]
from django.http import (  # type: ignore[import-untyped]
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.urls import path  # type: ignore[import-untyped]
from django.views.decorators.csrf import csrf_exempt  # type: ignore[import-untyped]
from invo_webhook_game import Handler, handle_event, log, secrets_from_env

from invonetwork.webhooks import (
    IdempotencyStore,
    InMemoryIdempotencyStore,
    receive_webhook,
)

if not settings.configured:  # a one-file project; in a real one this is settings.py
    settings.configure(
        DEBUG=False,
        SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "dev-only-not-secret"),
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["localhost", "127.0.0.1", "testserver"],
        MIDDLEWARE=[],
    )
    django.setup()

View = Callable[[HttpRequest], HttpResponse]


def make_webhook_view(
    secrets: Optional[Sequence[str]] = None,
    store: Optional[IdempotencyStore] = None,
    handler: Handler = handle_event,
) -> View:
    """The view for ``POST /invo/webhooks`` (CSRF-exempt: INVO cannot send your token).

    Args:
        secrets: Signing secrets (default: read from the environment on every request).
        store: Where handled idempotency keys are remembered (default: in this process).
        handler: Called once per logical event; an exception makes the answer a 500 and
            releases the key, so INVO's retry is processed.
    """
    claims: IdempotencyStore = store if store is not None else InMemoryIdempotencyStore()

    def invo_webhook(request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        reply = receive_webhook(
            request.body,  # the RAW bytes: never json.loads + json.dumps
            request.headers,
            list(secrets) if secrets is not None else secrets_from_env(),
            store=claims,
            handler=handler,  # an exception releases the key and becomes a 500
        )
        if reply.status >= 500:
            log.error("INVO webhook receiver not configured: %s", reply.error_code)
        elif reply.status >= 400:
            log.warning("rejected an INVO webhook: %s", reply.error_code or reply.text)
        return HttpResponse(reply.text, status=reply.status)

    view: View = csrf_exempt(invo_webhook)
    return view


urlpatterns = [
    path("invo/webhooks", make_webhook_view()),
]


if __name__ == "__main__":
    from django.core.management import (  # type: ignore[import-untyped]
        execute_from_command_line,
    )

    logging.basicConfig(level=logging.INFO)
    execute_from_command_line(sys.argv)
