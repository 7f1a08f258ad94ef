"""Real Redis and PostgreSQL servers for the store tests, on 127.0.0.1, free ports, temp dirs.

Each server is a child process of the test run, started from the distribution's binaries
(``redis-server``; PostgreSQL's ``initdb`` and ``postgres``, run as the ``postgres`` user
when the tests run as root, since PostgreSQL refuses root). ``stop()`` ends it by its own
pid and removes its directory. Missing binaries skip the tests with a reason, or fail them
when ``INVO_REQUIRE_STORES=1`` (CI).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from typing import Any, Optional

import pytest

REQUIRED = os.environ.get("INVO_REQUIRE_STORES") == "1"


def unavailable(reason: str) -> Any:
    """Skip (or, in CI with INVO_REQUIRE_STORES=1, fail) for a missing server or driver."""
    if REQUIRED:
        pytest.fail(f"INVO_REQUIRE_STORES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def require_module(name: str) -> Any:
    """Import a store driver, or skip/fail as :func:`unavailable` says."""
    try:
        return __import__(name)
    except ImportError:
        return unavailable(f"the Python package {name!r} is not installed (the dev extra)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s")


def _end(proc: Optional[subprocess.Popen[bytes]], sig: int = signal.SIGTERM) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(20)


class RedisServer:
    """``redis-server`` with an append-only file, so a restart keeps the keys."""

    def __init__(self, appendfsync: str = "always") -> None:
        self.appendfsync = appendfsync
        binary = shutil.which("redis-server") or (
            "/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None
        )
        if binary is None:
            unavailable("redis-server is not installed (apt-get install redis-server)")
        self.binary = str(binary)
        self.dir = tempfile.mkdtemp(prefix="invo-redis-")
        self.port = free_port()
        self.proc: Optional[subprocess.Popen[bytes]] = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", self.dir,
             "--save", "", "--appendonly", "yes", "--appendfsync", self.appendfsync,
             "--protected-mode", "yes", "--daemonize", "no", "--logfile", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(self.port, self.proc, "redis-server")

    def kill(self) -> None:
        """Stop at once, as a crash would (the append-only file keeps what was written)."""
        _end(self.proc, signal.SIGKILL)

    def stop(self) -> None:
        _end(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


def _postgres_bin() -> Optional[str]:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(os.path.realpath(found))
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(candidates[-1]) if candidates else None


class PostgresServer:
    """A throwaway PostgreSQL cluster (trust auth on 127.0.0.1 only)."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            unavailable("PostgreSQL is not installed (apt-get install postgresql)")
        self.bindir = str(bindir)
        self.user: Optional[str] = None
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                unavailable("running as root and there is no 'postgres' user to run PostgreSQL")
            self.user = "postgres"
        self.dir = tempfile.mkdtemp(prefix="invo-pg-")
        self.data = os.path.join(self.dir, "data")
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self.port = free_port()
        self.proc: Optional[subprocess.Popen[bytes]] = None
        subprocess.run(
            [os.path.join(self.bindir, "initdb"), "-D", self.data, "-U", "postgres",
             "--auth=trust", "-E", "UTF8", "--no-sync"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
            **self._as_user(),
        )
        self.start()

    def _as_user(self) -> dict[str, Any]:
        if self.user is None:
            return {}
        entry = pwd.getpwnam(self.user)
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [],
                "cwd": self.dir}

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres?connect_timeout=5"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [os.path.join(self.bindir, "postgres"), "-D", self.data, "-p", str(self.port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.dir}",
             "-c", "fsync=off", "-c", "max_connections=100"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **self._as_user(),
        )
        _wait_port(self.port, self.proc, "postgres")
        psycopg = require_module("psycopg")
        deadline = time.monotonic() + 30
        while True:  # listening comes a moment before accepting logins
            try:
                psycopg.connect(self.url).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def kill(self) -> None:
        """Immediate shutdown, as a crash would (committed data survives)."""
        _end(self.proc, signal.SIGQUIT)

    def stop(self) -> None:
        _end(self.proc, signal.SIGINT)  # fast shutdown
        shutil.rmtree(self.dir, ignore_errors=True)
