"""The README's error handling and hooks, as functions the tests call against the sandbox.

README.md shows the regions below; ``tests/examples/test_readme.py`` runs them.
"""

# --8<-- [start:errors]
from invonetwork import InvoError, InvoServer


def buy_sword(invo: InvoServer, player_email: str, request_id: str) -> str:
    """Spend 150 currency on a sword; say what happened instead of string-matching errors."""
    try:
        invo.purchase_item(
            client_request_id=request_id, player_email=player_email, player_name="Ada",
            item_id="sword_001", item_name="Flaming Sword", item_quantity=1,
            unit_price="150.00", total_price="150.00",
        )
    except InvoError as err:
        if err.is_insufficient_balance:
            return f"not enough currency: {err.body.get('required_amount')} needed"
        if err.is_duplicate_request:
            return "already bought"  # this client_request_id was already used
        if err.retry_after is not None:
            return f"busy: try again in {err.retry_after:.0f} s"  # throttled
        raise
    return "bought"
# --8<-- [end:errors]


# --8<-- [start:hooks]
import logging  # noqa: E402  (the README block starts here)

from invonetwork import ErrorInfo, Hooks, InvoServer, RequestInfo, ResponseInfo  # noqa: E402

log = logging.getLogger("mygame.invo")


def client_with_hooks(game_secret: str, base_url: str) -> InvoServer:
    """A client that logs every attempt, answer and failure (never the secret)."""

    def on_request(info: RequestInfo) -> None:
        log.debug("attempt %d: %s %s", info.attempt, info.method, info.url)

    def on_response(info: ResponseInfo) -> None:
        log.info("%s %s -> %d in %.0f ms (request id %s)", info.method, info.url,
                 info.status, info.duration_ms, info.request_id)

    def on_error(info: ErrorInfo) -> None:
        log.warning("%s %s failed: %s (retrying: %s)", info.method, info.url,
                    info.error.code, info.will_retry)

    return InvoServer(game_secret, base_url,
                      hooks=Hooks(on_request=on_request, on_response=on_response,
                                  on_error=on_error))
# --8<-- [end:hooks]
