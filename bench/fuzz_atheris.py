"""Coverage-guided fuzzing with atheris (libFuzzer), run by hand; not part of CI.

    .venv/bin/pip install atheris
    .venv/bin/python bench/fuzz_atheris.py errors  -atheris_runs=200000
    .venv/bin/python bench/fuzz_atheris.py webhook -atheris_runs=200000
    .venv/bin/python bench/fuzz_atheris.py money   -atheris_runs=50000

Targets (each must only ever raise the SDK's own errors):

``errors``
    ``error_from_response(status, body)`` with a status and a body decoded from the input as
    JSON when it parses, else as text; every classifier property is read.
``webhook``
    ``verify_webhook(raw_body, header, secret)`` with all three taken from the input, half of
    the time with a header correctly signed over the fuzzed body (so the parser behind the
    signature is reached too). Only ``WebhookVerificationError`` / ``InvalidInputError`` may
    escape.
``money``
    ``InvoServer.purchase_item`` with fuzzed prices and quantity, against a closed local
    port with no retries: a rejected value must be ``InvalidInputError`` raised before the
    network, an accepted one must reach the network (``NetworkError``).

Extra arguments go to libFuzzer (``-atheris_runs``, ``-max_len``, a corpus directory ...).
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import sys
from typing import Any, Callable

import atheris

with atheris.instrument_imports():
    from invonetwork import Hooks, InvoServer
    from invonetwork.errors import (
        APIError,
        InvalidInputError,
        InvoError,
        NetworkError,
        WebhookVerificationError,
        error_from_response,
    )
    from invonetwork.webhooks import verify_webhook

CLASSIFIERS = ("is_token_expired", "is_receiver_not_enrolled", "is_insufficient_balance",
               "is_duplicate_request", "is_enrollment_authorization_required",
               "is_enrollment_proof_required", "is_phone_share_approval_required",
               "is_phone_share_already_approved", "retry_after", "phone_share_approval_id")


def fuzz_errors(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    status = fdp.ConsumeIntInRange(-1000, 100_000)
    text = fdp.ConsumeUnicodeNoSurrogates(fdp.remaining_bytes())
    body: Any
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        body = text
    err = error_from_response(status, body, "req_1")
    if not isinstance(err, APIError):
        raise AssertionError(f"not an APIError: {err!r}")
    for name in CLASSIFIERS:
        getattr(err, name)
    repr(err)
    if str(err) != err.message:
        raise AssertionError("str(err) is not the message")


def fuzz_webhook(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    secret = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 40))
    signed = fdp.ConsumeBool()
    header = fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 200))
    body = fdp.ConsumeBytes(fdp.remaining_bytes())
    if signed and secret:
        mac = hmac.new(secret.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
        header = f"t=1700000000,v1={mac}"
    with contextlib.suppress(WebhookVerificationError, InvalidInputError):
        verify_webhook(body, header, secret, now=1700000000.0)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Counter:
    attempts = 0

    @classmethod
    def hook(cls, info: Any) -> None:
        cls.attempts += 1


_CLIENT: list[InvoServer] = []


def _money_value(fdp: Any) -> Any:
    kind = fdp.ConsumeIntInRange(0, 4)
    if kind == 0:
        return fdp.ConsumeUnicodeNoSurrogates(fdp.ConsumeIntInRange(0, 16))
    if kind == 1:
        return fdp.ConsumeInt(8)
    if kind == 2:
        return fdp.ConsumeFloat()
    if kind == 3:
        from decimal import Decimal, InvalidOperation

        try:
            return Decimal(fdp.ConsumeUnicodeNoSurrogates(12))
        except InvalidOperation:
            return Decimal("NaN")
    return fdp.ConsumeBool()


def fuzz_money(data: bytes) -> None:
    if not _CLIENT:
        _CLIENT.append(InvoServer("ivsdk_test_fuzz", f"http://127.0.0.1:{_closed_port()}",
                                  max_retries=0, hooks=Hooks(on_request=_Counter.hook)))
    client = _CLIENT[0]
    fdp = atheris.FuzzedDataProvider(data)
    unit, total = _money_value(fdp), _money_value(fdp)
    quantity = fdp.ConsumeIntInRange(-2, 1002)
    before = _Counter.attempts
    try:
        client.purchase_item(client_request_id="r", player_email="a@x.example",
                             player_name="Ann", item_id="i", item_name="Item",
                             item_quantity=quantity, unit_price=unit, total_price=total)
    except InvalidInputError:
        if _Counter.attempts != before:
            raise AssertionError("a rejected value reached the network") from None
    except NetworkError:
        if _Counter.attempts != before + 1:
            raise AssertionError("an accepted value did not reach the network") from None
    except InvoError as exc:
        raise AssertionError(f"unexpected SDK error {exc!r}") from exc


TARGETS: dict[str, Callable[[bytes], None]] = {
    "errors": fuzz_errors, "webhook": fuzz_webhook, "money": fuzz_money,
}


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        raise SystemExit(f"usage: {sys.argv[0]} {{{','.join(TARGETS)}}} [libFuzzer options]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
