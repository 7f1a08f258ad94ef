"""The README's webhook receiver: a whole Flask app, the same pattern as every guide.

Run it (``invonetwork sandbox`` prints ``INVO_WEBHOOK_SECRET`` for the local sandbox)::

    export INVO_WEBHOOK_SECRET=whsec_...
    flask --app examples/readme_webhook.py run --port 8000
    invonetwork webhooks send --url http://127.0.0.1:8000/invo/webhooks --type item.purchased

README.md shows the region below; ``tests/examples/test_readme.py`` posts deliveries to it.
"""

# --8<-- [start:receiver]
import os

from flask import Flask, request

from invonetwork.webhooks import InMemoryIdempotencyStore, WebhookEvent, receive_webhook

app = Flask(__name__)
claims = InMemoryIdempotencyStore()  # one process; SQLiteIdempotencyStore or your database else


def grant(event: WebhookEvent) -> None:
    """Called once per event: credit the purchase, grant the item (raise to have it retried)."""
    print("processing", event.event_type, event.idempotency_key)


@app.post("/invo/webhooks")
def invo_webhook() -> tuple[str, int]:
    reply = receive_webhook(
        request.get_data(),  # the RAW bytes, never re-serialized JSON
        request.headers,  # X-Invo-Signature, Content-Encoding (gzip), X-Invo-Idempotency-Key
        [os.environ.get("INVO_WEBHOOK_SECRET", ""),  # during a rotation: both secrets
         os.environ.get("INVO_WEBHOOK_SECRET_PREVIOUS", "")],
        store=claims,  # dedupes on the signed event.idempotency_key
        handler=grant,
    )
    # 200 "ok" or "duplicate"; 400 "invalid webhook" or "no idempotency key";
    # 500 "receiver not configured" (no secret set). A handler that raises becomes a 500.
    return reply.text, reply.status
# --8<-- [end:receiver]
