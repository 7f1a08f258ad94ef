"""The ``invonetwork`` command (also ``python -m invonetwork``).

::

    invonetwork sandbox [--port 8787] [--player email=ada@example.com,balance=500] ...
    invonetwork webhooks sign   --secret S [--file body.json]        # prints the header
    invonetwork webhooks verify --signature "t=...,v1=..." --secret S [--file body.json]
    invonetwork webhooks send   --url http://127.0.0.1:8000/hooks --secret S [--type ...]
    invonetwork --version

Secrets may come from ``INVO_WEBHOOK_SECRET`` instead of ``--secret`` (keeps them out of the
shell history and the process list). Exit codes: 0 success, 1 failure (invalid signature,
receiver refused, server error), 2 usage error.
"""

from __future__ import annotations

import argparse
import errno
import http.client
import json
import os
import shlex
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from typing import Any, Optional, TextIO
from urllib.parse import urlsplit

from ._version import __version__

__all__ = ["main"]

SECRET_ENV = "INVO_WEBHOOK_SECRET"  # noqa: S105  (a variable name, not a secret)
# errno values for "address already in use" (Linux, macOS/BSD, Windows) and "access denied".
_ADDRESS_IN_USE = frozenset({errno.EADDRINUSE, 48, 98, 10048})
_ACCESS_DENIED = frozenset({errno.EACCES, 10013})
_ANSWER_BYTES = 64 * 1024  # read at most this much of a receiver's answer
_ANSWER_SHOWN = 500  # and show at most this many characters of it
_TRUE = {"1", "true", "yes", "y", "on"}
_FALSE = {"0", "false", "no", "n", "off"}
_PLAYER_KEYS = {
    "email": "email",
    "name": "name",
    "phone": "phone",
    "balance": "balance",
    "passkey": "passkey_enrolled",
    "passkey_enrolled": "passkey_enrolled",
    "minor": "is_minor",
    "is_minor": "is_minor",
}


class UsageError(Exception):
    """Bad command-line input (exit code 2)."""


# -- argument parsing --------------------------------------------------------------------------


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="invonetwork",
        description="INVO network tools: a local sandbox and webhook signing helpers.",
    )
    parser.add_argument("--version", action="version", version=f"invonetwork {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    _sandbox_parser(commands)
    _webhooks_parser(commands)
    return parser


def _sandbox_parser(commands: Any) -> None:
    sandbox = commands.add_parser(
        "sandbox",
        help="run the local INVO sandbox until Ctrl-C",
        description="Serve an offline, stateful INVO emulator on http://127.0.0.1.",
    )
    sandbox.add_argument("--port", type=int, default=8787,
                         help="port on 127.0.0.1 (default 8787; 0 picks a free one)")
    sandbox.add_argument(
        "--player", action="append", default=[], metavar="SPEC",
        help="seed a player: email=ada@example.com,balance=500[,name=Ada][,phone=+1555...]"
             "[,passkey=yes][,minor=yes] (repeatable)",
    )
    sandbox.add_argument(
        "--phone-owner", action="append", default=[], metavar="PHONE=EMAIL",
        help="mark PHONE as owned by another INVO account (phone-share consent needed)",
    )
    sandbox.add_argument("--webhook-url", help="deliver webhooks to this URL")
    sandbox.add_argument("--webhook-events", default="*",
                         help="comma-separated event types for --webhook-url (default: *)")
    sandbox.add_argument("--webhook-gzip", action="store_true",
                         help="gzip webhook bodies (Content-Encoding: gzip)")
    sandbox.add_argument("--retry-scale", type=float, default=1.0,
                         help="multiply the webhook retry schedule (e.g. 0.01)")
    sandbox.add_argument("--prefix", default="/sandbox",
                         help="path prefix also served (default /sandbox; '' for none)")
    sandbox.add_argument("--game-id", type=int, default=1001, help="your game's id")
    sandbox.add_argument("--tenant-type", choices=("game", "platform"), default="game",
                         help="a game (default) or a platform tenant (platform commerce)")
    sandbox.add_argument("--game-secret", help="accept this game secret instead of a new one "
                                               "(or set INVO_SANDBOX_GAME_SECRET)")
    sandbox.add_argument("--webhook-secret", help="sign with this secret instead of a new one "
                                                  "(or set INVO_SANDBOX_WEBHOOK_SECRET)")
    sandbox.add_argument("--exit-after", type=float, default=None, metavar="SECONDS",
                         help="stop by itself after SECONDS (for scripts)")
    sandbox.add_argument("--verbose", action="store_true", help="log every request")


def _webhooks_parser(commands: Any) -> None:
    webhooks = commands.add_parser("webhooks", help="sign, verify or send test webhooks")
    hooks = webhooks.add_subparsers(dest="webhooks_command", metavar="ACTION")

    sign = hooks.add_parser("sign", help="print the X-Invo-Signature header for a body")
    _body_options(sign)
    _secret_option(sign, "signing secret (repeat during a rotation)")
    sign.add_argument("--timestamp", type=int, help="unix time to sign with (default: now)")

    verify = hooks.add_parser("verify", help="check a body against an X-Invo-Signature header")
    _body_options(verify)
    verify.add_argument("--signature", required=True, help="the X-Invo-Signature value")
    _secret_option(verify, "signing secret (repeat to accept several)")
    verify.add_argument("--tolerance", type=float, default=300.0,
                        help="accepted clock distance in seconds (default 300)")
    verify.add_argument("--gzip", action="store_true",
                        help="the body is gzip-compressed (Content-Encoding: gzip)")

    send = hooks.add_parser("send", help="POST a correctly signed test event to a URL")
    send.add_argument("--url", required=True, help="the receiver URL (http:// or https://)")
    _secret_option(send, "signing secret")
    send.add_argument("--type", dest="event_type", default="webhook.test",
                      help="event type (default webhook.test; any type is accepted)")
    send.add_argument("--data", help="event data as a JSON object; it replaces the whole "
                                     "sample data of --type (default: the sample)")
    send.add_argument("--tenant-id", default="1001", help="tenant_id (your game id)")
    send.add_argument("--gzip", action="store_true", help="send Content-Encoding: gzip")
    send.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")


def _body_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--file", default="-",
                        help="file holding the raw body ('-' or absent: standard input)")


def _secret_option(parser: argparse.ArgumentParser, text: str) -> None:
    parser.add_argument("--secret", action="append", default=[],
                        help=f"{text}; default: ${SECRET_ENV}")


def _secrets(args: argparse.Namespace) -> list[str]:
    given = [s for s in args.secret if s.strip()]
    if not given:
        env = os.environ.get(SECRET_ENV, "")
        if env.strip():
            given = [env]
    if not given:
        raise UsageError(f"a signing secret is required: pass --secret or set {SECRET_ENV}")
    return given


def _read_body(path: str, stdin: TextIO) -> bytes:
    if path == "-":
        if stdin.isatty():
            raise UsageError("no body: pass --file PATH or pipe the body on standard input")
        buffer = getattr(stdin, "buffer", None)
        return buffer.read() if buffer is not None else stdin.read().encode("utf-8")
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def _flag(value: str, key: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise UsageError(f"{key}={value!r}: expected yes or no")


def parse_player(spec: str) -> dict[str, Any]:
    """``"email=a@b.c,balance=5,passkey=yes"`` -> keyword arguments for a seeded player."""
    player: dict[str, Any] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in _PLAYER_KEYS:
            raise UsageError(
                f"--player {spec!r}: expected key=value pairs with keys "
                f"{', '.join(sorted(set(_PLAYER_KEYS)))}"
            )
        name = _PLAYER_KEYS[key]
        value = value.strip()
        player[name] = _flag(value, key) if name in ("passkey_enrolled", "is_minor") else value
    if "@" not in str(player.get("email", "")):
        raise UsageError(f"--player {spec!r}: email=... is required")
    return player


# -- commands ----------------------------------------------------------------------------------


def _phone_owners(specs: list[str]) -> dict[str, str]:
    owners: dict[str, str] = {}
    for item in specs:
        phone, sep, email = item.partition("=")
        if not sep or not phone.strip() or "@" not in email:
            raise UsageError(f"--phone-owner {item!r}: expected PHONE=EMAIL")
        owners[phone.strip()] = email.strip()
    return owners


def _cmd_sandbox(args: argparse.Namespace, out: TextIO) -> int:
    from .sandbox import Sandbox

    players = [parse_player(spec) for spec in args.player]
    owners = _phone_owners(args.phone_owner)
    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be in 0..65535")
    if args.retry_scale < 0:
        raise UsageError("--retry-scale must be >= 0")
    game_secret = args.game_secret or os.environ.get("INVO_SANDBOX_GAME_SECRET") or None
    webhook_secret = args.webhook_secret or os.environ.get("INVO_SANDBOX_WEBHOOK_SECRET") or None
    events = [e.strip() for e in args.webhook_events.split(",") if e.strip()] or ["*"]
    try:
        sandbox = Sandbox(
            port=args.port,
            game_secret=game_secret,
            game_id=args.game_id,
            tenant_type=args.tenant_type,
            players=players,
            phone_owners=owners,
            path_prefix=args.prefix,
            webhook_url=args.webhook_url,
            webhook_events=events,
            webhook_gzip=args.webhook_gzip,
            webhook_secret=webhook_secret,
            webhook_retry_scale=args.retry_scale,
            verbose=args.verbose,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        sandbox.start()
    except OSError as exc:
        print(_listen_failure(args.port, exc), file=sys.stderr)
        return 1
    stop = threading.Event()
    previous = _install_stop_handlers(stop)
    try:
        print(_sandbox_banner(sandbox, args, game_secret, webhook_secret), file=out, flush=True)
        _wait_for_stop(stop, args.exit_after)
    except KeyboardInterrupt:
        pass
    finally:
        _restore_handlers(previous)
        sandbox.stop()
    print("INVO sandbox stopped.", file=out, flush=True)
    return 0


def _sandbox_banner(
    sandbox: Any, args: argparse.Namespace, game_secret: Optional[str],
    webhook_secret: Optional[str],
) -> str:
    """What ``invonetwork sandbox`` prints once it listens (the export lines included)."""
    shown_secret = "(the one you gave)" if game_secret else sandbox.game_secret
    shown_hook = "(the one you gave)" if webhook_secret else sandbox.webhook_secret
    lines = [
        "INVO sandbox running (offline emulator; nothing leaves this machine)",
        f"  base URL:        {sandbox.base_url}",
        f"  game id:         {sandbox.game_id}",
        f"  game secret:     {shown_secret}",
        f"  webhook secret:  {shown_hook}",
        "  webhook URL:     "
        + (args.webhook_url or "(none: restart with --webhook-url "
           "http://127.0.0.1:8000/invo/webhooks to deliver to your app, or PUT "
           f"/api/dev/webhooks/games/{sandbox.game_id})"),
        f"  admin API:       {sandbox.root_url}/__sandbox__/state",
        "",
        "Run your app in another shell with these lines pasted first:",
        *_env_lines(sandbox.base_url,
                    None if game_secret else sandbox.game_secret,
                    None if webhook_secret else sandbox.webhook_secret),
    ]
    lines.append("Press Ctrl-C to stop.")
    return "\n".join(lines)


def _wait_for_stop(stop: threading.Event, exit_after: Optional[float]) -> None:
    deadline = None if exit_after is None else time.monotonic() + exit_after
    while not stop.is_set():
        remaining = 0.5 if deadline is None else min(0.5, deadline - time.monotonic())
        if remaining <= 0:
            break
        stop.wait(remaining)


def _install_stop_handlers(stop: threading.Event) -> dict[int, Any]:
    previous: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return previous

    def handler(signum: int, frame: Any) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        previous[sig] = signal.signal(sig, handler)
    return previous


def _restore_handlers(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)


def _cmd_sign(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from .webhooks._signing import compute_signature, format_signature_header

    secrets = _secrets(args)
    body = _read_body(args.file, stdin)
    timestamp = int(time.time()) if args.timestamp is None else args.timestamp
    if timestamp < 0:
        raise UsageError("--timestamp must be >= 0")
    header = format_signature_header(
        timestamp, [compute_signature(s, timestamp, body) for s in secrets]
    )
    print(header, file=out)
    return 0


def _cmd_verify(args: argparse.Namespace, out: TextIO, err: TextIO, stdin: TextIO) -> int:
    from .errors import InvoError
    from .webhooks import verify_webhook

    secrets = _secrets(args)
    body = _read_body(args.file, stdin)
    if args.tolerance < 0:
        raise UsageError("--tolerance must be >= 0")
    try:
        event = verify_webhook(
            body, args.signature, secrets, tolerance_seconds=args.tolerance,
            content_encoding="gzip" if args.gzip else None,
        )
    except InvoError as exc:
        print(f"invalid: {exc.code}: {exc.message}", file=err)
        return 1
    print(f"valid: {event.event_type} (idempotency key {event.idempotency_key or '-'})", file=out)
    return 0


def _cmd_send(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from .webhooks._delivery import build_delivery, event_body, sample_event_data

    secrets = _secrets(args)
    if not args.url.startswith(("http://", "https://")):
        raise UsageError("--url must start with http:// or https://")
    if not args.event_type.strip():
        raise UsageError("--type must not be empty")
    if args.data is not None:
        try:
            data = json.loads(args.data)
        except ValueError as exc:
            raise UsageError(f"--data is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise UsageError("--data must be a JSON object")
    else:
        data = sample_event_data(args.event_type)
    key = str(uuid.uuid4())
    event = event_body(
        args.event_type, data, event_id=key, idempotency_key=key, tenant_id=str(args.tenant_id)
    )
    delivery = build_delivery(event, secrets=secrets, timestamp=int(time.time()), gzip=args.gzip)
    headers = {**delivery.headers, "User-Agent": f"invonetwork-cli/{__version__}"}
    status, answer, error = _post_for_answer(args.url, delivery.body, headers, args.timeout)
    if args.data is not None:
        print(f"data: your --data object, as given (it replaces the whole sample data of "
              f"{args.event_type})", file=out)
    if status is not None and 200 <= status < 300:
        print(f"sent {args.event_type} ({key}): HTTP {status}", file=out)
        return 0
    print(_send_failure(args.url, status, answer, error), file=err)
    return 1


# -- what the commands print ---------------------------------------------------------------


def _env_lines(
    base_url: str, game_secret: Optional[str], webhook_secret: Optional[str]
) -> list[str]:
    """Lines to paste into another shell so that an app talks to this sandbox.

    A secret the user passed in is not printed (they have it); ``None`` leaves its line out.
    PowerShell syntax on Windows, POSIX shells elsewhere.
    """
    values = [("INVO_BASE_URL", base_url), ("INVO_GAME_SECRET", game_secret),
              ("INVO_WEBHOOK_SECRET", webhook_secret)]
    if os.name == "nt":
        return [f'  $env:{name} = "{value}"' for name, value in values if value is not None]
    return [f"  export {name}={shlex.quote(value)}" for name, value in values if value is not None]


def _listen_failure(port: int, exc: OSError) -> str:
    """Why the sandbox could not listen, and what to do about it."""
    reason = exc.strerror or str(exc)
    text = f"invonetwork: cannot listen on 127.0.0.1:{port}: {reason}"
    if exc.errno in _ADDRESS_IN_USE:
        return (f"{text}\n  Another sandbox or program already uses port {port}. Stop it, or "
                f"run on another port: --port {port + 1 if 0 < port < 65535 else 8788}, or "
                "--port 0 for any free one (the base URL printed then shows it).")
    if exc.errno in _ACCESS_DENIED:
        return f"{text}\n  Ports below 1024 need privileges: use --port 8787, or --port 0."
    return f"{text}\n  Try another port with --port, or --port 0 for any free one."


def _post_for_answer(
    url: str, body: bytes, headers: dict[str, str], timeout: float
) -> tuple[Optional[int], bytes, Optional[str]]:
    """POST once; ``(status, first bytes of the answer, None)`` or ``(None, b"", reason)``."""
    parts = urlsplit(url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn: http.client.HTTPConnection
    try:
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=timeout)
        else:
            conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=timeout)
    except (ValueError, OSError) as exc:
        return None, b"", f"bad --url: {exc}"
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read(_ANSWER_BYTES), None
    except (socket.timeout, TimeoutError):
        return None, b"", f"no answer within {timeout:g} s"
    except ConnectionRefusedError:
        return None, b"", "connection refused"
    except (OSError, http.client.HTTPException) as exc:
        return None, b"", f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    finally:
        conn.close()


def _send_failure(url: str, status: Optional[int], answer: bytes, error: Optional[str]) -> str:
    """``not accepted: ...`` with the receiver's answer and a likely next step."""
    if status is None:
        where = urlsplit(url)
        port = where.port or (443 if where.scheme == "https" else 80)
        hint = (f"is your app running and listening on {where.hostname}:{port}?"
                if error == "connection refused" else "check --url and that your app is up")
        return f"not accepted: {error} ({url})\n  {hint}"
    text = answer.decode("utf-8", "replace")
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else "?" for ch in text).strip()
    if len(text) > _ANSWER_SHOWN:
        text = text[:_ANSWER_SHOWN] + "..."
    lines = [f"not accepted: HTTP {status} from {url}",
             "  answer: " + (text.replace("\n", "\n          ") if text else "(empty body)")]
    if status == 400:
        lines.append("  A 400 usually means the receiver could not verify the signature: does "
                     f"it use the same signing secret (--secret or ${SECRET_ENV})?")
    elif status in (404, 405):
        lines.append("  Check the path in --url: it must be your receiver's POST route.")
    elif status >= 500:
        lines.append("  The receiver failed or is not configured (a missing signing secret "
                     "answers 500): see its log.")
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failure, 2 usage error)."""
    parser = _parser()
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(args_list)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code) if isinstance(exc.code, int) else 2
    out, err, stdin = sys.stdout, sys.stderr, sys.stdin
    try:
        if args.command == "sandbox":
            return _cmd_sandbox(args, out)
        if args.command == "webhooks":
            action = args.webhooks_command
            if action == "sign":
                return _cmd_sign(args, out, stdin)
            if action == "verify":
                return _cmd_verify(args, out, err, stdin)
            if action == "send":
                return _cmd_send(args, out, err)
            print("invonetwork: error: webhooks needs an action: sign, verify or send",
                  file=err)
            return 2
        parser.print_help(err)
        return 2
    except UsageError as exc:
        print(f"invonetwork: error: {exc}", file=err)
        return 2
    except SystemExit as exc:
        return int(exc.code) if isinstance(exc.code, int) else 2
