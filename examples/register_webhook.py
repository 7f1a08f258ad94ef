"""Point INVO's webhooks at your receiver, and rotate the signing secret.

Run once per environment, from a machine that holds the game secret::

    export INVO_GAME_SECRET=ivsdk_test_...
    python examples/register_webhook.py 1001 https://yourgame.example/invo/webhooks

It prints the signing secret INVO returns on first creation: put it in your secret store at
once (as ``INVO_WEBHOOK_SECRET``), it cannot be read again. The framework guides include this
file, and ``tests/examples/test_flow_examples.py`` runs it against the local sandbox.
"""

from __future__ import annotations

import sys
from typing import Optional

from invonetwork import InvoServer

#: The events the framework examples act on; ``["*"]`` subscribes to every event type.
EVENTS = ["purchase.completed", "purchase.refunded", "purchase.dispute_lost", "item.purchased"]


# --8<-- [start:register]
def register_receiver(invo: InvoServer, *, game_id: int, target_url: str) -> Optional[str]:
    """Create or update the game's webhook endpoint; the signing secret when it is new."""
    endpoint = invo.register_webhook_endpoint(
        game_id=game_id,
        target_url=target_url,  # https on a public address; INVO refuses private ones
        subscribed_events=EVENTS,
    )
    if endpoint.created:
        return endpoint.signing_secret  # shown this once: store it now
    return None  # an update: the secret you stored still signs
# --8<-- [end:register]


# --8<-- [start:rotate]
def rotate_secret(invo: InvoServer, *, game_id: int) -> str:
    """A new signing secret; the old one keeps signing for 7 days alongside it."""
    return invo.rotate_webhook_secret(game_id=game_id).signing_secret
# --8<-- [end:rotate]


def main(argv: list[str]) -> int:
    """``register_webhook.py GAME_ID TARGET_URL``, or ``register_webhook.py GAME_ID --rotate``."""
    if len(argv) != 3:
        print(main.__doc__)
        return 2
    game_id = int(argv[1])
    with InvoServer.from_env() as invo:
        if argv[2] == "--rotate":
            secret: Optional[str] = rotate_secret(invo, game_id=game_id)
            print("new signing secret (set it as INVO_WEBHOOK_SECRET, the old one as "
                  "INVO_WEBHOOK_SECRET_PREVIOUS):")
        else:
            secret = register_receiver(invo, game_id=game_id, target_url=argv[2])
            if secret is None:
                print("endpoint updated; the signing secret you stored still applies")
                return 0
            print("endpoint created; store this signing secret now, it is shown once:")
        print(secret)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
