"""After a fork, no process may read another process's answer (issue: fork safety).

The shape that broke: one ``InvoServer`` makes a call in the parent (a start-up check), the
process forks, then the parent and its children call at the same time. Before the fix the
children wrote on the parent's pooled keep-alive socket and read each other's answers: one
player's token handed to another player's request. The server mints ``token == email``, so a
crossed answer is visible as a token for someone else's email.

The echo server runs in its own process (the test process stays free of extra threads where
it can) and answers in one write with ``TCP_NODELAY``, so calls are not spaced out by delayed
ACKs and the race is exercised at full speed.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from invonetwork import InvoError, InvoServer
from invonetwork.webhooks import InMemoryIdempotencyStore, SQLiteIdempotencyStore

HERE = Path(__file__).parent
CALLS = 150
CHILDREN = 3

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture
def echo_url() -> Iterator[str]:
    """Base URL of a fresh echo server process; it is stopped (by its PID) afterwards."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "echo_token_server.py"), "60", "20000"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        port = int(proc.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _calls(client: InvoServer, tag: str, count: int) -> dict[str, int]:
    """Mint ``count`` tokens; count answers that were not this call's own, and failures."""
    wrong = errors = 0
    for i in range(count):
        email = f"{tag}-{i}@example.com"
        try:
            token = client.mint_player_token(player_email=email).token
        except InvoError:
            errors += 1
            continue
        if token != email:
            wrong += 1
    return {"wrong": wrong, "errors": errors, "calls": count}


def _fork_quietly() -> int:
    # Python 3.12+ warns when a process with threads forks; these children only run the SDK.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def _run_forked_children(client: InvoServer) -> list[dict[str, int]]:
    """Fork CHILDREN children that call with the parent, all released at once."""
    go_read, go_write = os.pipe()
    children: list[tuple[int, int]] = []
    for n in range(CHILDREN):
        result_read, result_write = os.pipe()
        pid = _fork_quietly()
        if pid == 0:  # the child: wait for "go", call, report, and leave without cleanup
            status = 1
            try:
                os.close(result_read)
                os.read(go_read, 1)
                report = json.dumps(_calls(client, f"child{n}", CALLS)).encode()
                os.write(result_write, report)
                status = 0
            finally:
                os._exit(status)
        os.close(result_write)
        children.append((pid, result_read))
    os.write(go_write, b"x" * CHILDREN)
    results = [_calls(client, "parent", CALLS)]
    for pid, result_read in children:
        with os.fdopen(result_read, "rb") as stream:
            raw = stream.read()
        _, status = os.waitpid(pid, 0)
        assert status == 0, f"child {pid} failed"
        results.append(json.loads(raw))
    os.close(go_read)
    os.close(go_write)
    return results


def _assert_clean(results: list[dict[str, int]]) -> None:
    total = {key: sum(r[key] for r in results) for key in ("wrong", "errors", "calls")}
    assert total["calls"] == CALLS * (CHILDREN + 1)
    assert total == {"wrong": 0, "errors": 0, "calls": CALLS * (CHILDREN + 1)}, results


def test_call_before_fork_then_parent_and_children_call_at_once(echo_url: str) -> None:
    client = InvoServer("ivsdk_test_fork", echo_url, max_retries=0)
    assert client.mint_player_token(player_email="warmup@example.com").token == (
        "warmup@example.com"
    )
    _assert_clean(_run_forked_children(client))
    # The parent's pool survived its children: it still answers, on the parent's own socket.
    assert client.mint_player_token(player_email="after@example.com").token == "after@example.com"
    client.close()


def test_without_a_call_before_fork_children_are_clean_too(echo_url: str) -> None:
    client = InvoServer("ivsdk_test_fork", echo_url, max_retries=0)
    _assert_clean(_run_forked_children(client))
    client.close()


def _mp_child(client: InvoServer, tag: str, go: Any, results: Any) -> None:
    go.wait(30)
    results.put(_calls(client, tag, CALLS))


def test_multiprocessing_fork_start_method(echo_url: str) -> None:
    ctx = multiprocessing.get_context("fork")
    client = InvoServer("ivsdk_test_fork", echo_url, max_retries=0)
    client.mint_player_token(player_email="warmup@example.com")
    go = ctx.Event()
    queue = ctx.Queue()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        procs = [
            ctx.Process(target=_mp_child, args=(client, f"mp{n}", go, queue))
            for n in range(CHILDREN)
        ]
        for proc in procs:
            proc.start()
    go.set()
    results = [_calls(client, "parent", CALLS)]
    results += [queue.get(timeout=60) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
        assert proc.exitcode == 0
    _assert_clean(results)
    client.close()


def test_close_in_a_child_leaves_the_parents_pool_working(echo_url: str) -> None:
    client = InvoServer("ivsdk_test_fork", echo_url, max_retries=0)
    client.mint_player_token(player_email="warmup@example.com")
    pid = _fork_quietly()
    if pid == 0:
        status = 1
        try:
            client.close()  # inherited pool: dropped, never closed or written to
            status = 0
        finally:
            os._exit(status)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert client.mint_player_token(player_email="still@example.com").token == "still@example.com"
    client.close()


def test_a_callers_own_session_warns_once_in_a_forked_child(echo_url: str) -> None:
    import requests

    session = requests.Session()
    client = InvoServer("ivsdk_test_fork", echo_url, max_retries=0, session=session)
    client.mint_player_token(player_email="warmup@example.com")
    read_end, write_end = os.pipe()
    pid = _fork_quietly()
    if pid == 0:
        status = 1
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                client.mint_player_token(player_email="a@example.com")
                client.mint_player_token(player_email="b@example.com")
            texts = [str(w.message) for w in caught if w.category is RuntimeWarning]
            os.write(write_end, json.dumps(texts).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        texts = json.loads(stream.read())
    os.waitpid(pid, 0)
    assert len(texts) == 1, texts
    assert "after a fork" in texts[0] and "ivsdk_test_fork" not in texts[0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the process that passed the session: no warning
        client.mint_player_token(player_email="c@example.com")
    client.close()
    session.close()


def test_sqlite_memory_store_in_a_child_gets_its_own_database() -> None:
    store = SQLiteIdempotencyStore(":memory:")
    assert store.claim("before-fork")
    read_end, write_end = os.pipe()
    pid = _fork_quietly()
    if pid == 0:
        status = 1
        try:
            outcome = [store.claim("in-child"), store.claim("in-child"), "before-fork" in store]
            os.write(write_end, json.dumps(outcome).encode())
            status = 0
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        outcome = json.loads(stream.read())
    os.waitpid(pid, 0)
    # The child's database is its own (SQLite connections must not cross a fork) ...
    assert outcome == [True, False, False]
    # ... and the parent's is untouched.
    assert "before-fork" in store and "in-child" not in store
    store.close()


def test_a_lock_held_by_another_thread_at_fork_does_not_deadlock_the_child() -> None:
    store = InMemoryIdempotencyStore()
    holding = threading.Event()
    release = threading.Event()

    def hold() -> None:
        with store._lock:  # simulate a claim in flight in another thread at the fork
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait(5)
    try:
        pid = _fork_quietly()
        if pid == 0:
            status = 1
            try:
                status = 0 if store.claim("child-key") else 2
            finally:
                os._exit(status)
        deadline = time.monotonic() + 10
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                pytest.fail("the child deadlocked on a lock inherited held")
            time.sleep(0.01)
        assert os.WEXITSTATUS(status) == 0
    finally:
        release.set()
        thread.join(10)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as answer:
        result: dict[str, Any] = json.loads(answer.read())
        return result


def _wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail("gunicorn exited during start-up")
        try:
            _get_json(url + "/?email=probe@example.com")
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("gunicorn did not come up within 30 s")


def test_gunicorn_preload_with_four_sync_workers(echo_url: str) -> None:
    pytest.importorskip("gunicorn", reason="gunicorn is in the dev extra")
    port = _free_port()
    env = dict(os.environ, FORK_TEST_INVO_URL=echo_url, FORK_TEST_LIFETIME="60")
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--preload", "--workers", "4",
         "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "fork_wsgi_app:app"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, proc)
        outcomes: list[dict[str, Any]] = []
        lock = threading.Lock()

        def caller(n: int) -> None:
            for i in range(50):
                email = f"g{n}-{i}@example.com"
                result = _get_json(f"{base}/?email={email}")
                with lock:
                    outcomes.append(result)

        threads = [threading.Thread(target=caller, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert len(outcomes) == 400
        bad = [o for o in outcomes if not o["ok"]]
        assert bad == []
        assert len({o["pid"] for o in outcomes}) > 1  # the work really was spread over workers
    finally:
        proc.terminate()
        proc.wait(timeout=30)
