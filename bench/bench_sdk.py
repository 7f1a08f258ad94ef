"""Benchmark of the SDK against its floors (run by hand; not part of CI pass/fail).

    .venv/bin/python bench/bench_sdk.py              # everything
    .venv/bin/python bench/bench_sdk.py http verify  # some sections
    .venv/bin/python bench/bench_sdk.py --quick      # fewer rounds, for a smoke run

Sections:

``http``
    A local HTTPS server (nginx from the distribution, self-signed certificate made at run time
    in a temp dir, bound to 127.0.0.1, stopped by its PID at the end; a Python ``ssl`` server
    when nginx is missing) answers ``POST /api/sdk/player-token``. Three clients make the same
    call: ``InvoServer.mint_player_token``; a bare ``requests.Session`` used the obvious way
    (``session.post(url, json=..., headers=...)``, then ``.json()``); and ``http.client`` on a
    kept-alive connection (the floor). Sequential, and 8 threads sharing one client (one
    ``http.client`` connection per thread). Rounds are interleaved; medians are reported.
``verify``
    ``verify_webhook`` on 1 KB and 64 KB bodies against a bare ``hmac`` + ``compare_digest`` +
    ``json.loads`` of the same body; interleaved rounds, median of per-round ratios.
``import``
    Wall time of ``python -c "import invonetwork"`` and ``"import invonetwork.webhooks"`` in
    fresh processes, minus a bare interpreter (``python -c pass``); and whether
    ``invonetwork.webhooks`` pulled in ``requests``.

Targets (docs/performance.md): SDK >= 1.1x the bare session's calls/s; verify within 1.3x of
the floor at 1 KB and 1.2x at 64 KB; ``import invonetwork.webhooks`` < 40 ms over a bare
interpreter and no ``requests``.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

SECRET = "ivsdk_test_bench_secret_0123456789"
PATH = "/api/sdk/player-token"
ANSWER = b'{"token":"pt_bench_token","expires_at":"2030-01-01T00:00:00Z","identity_id":"idn_1"}'
HEADERS = {"X-Game-Secret-Key": SECRET, "Accept": "application/json",
           "User-Agent": "bench-python-sdk/0"}
THREADS = 8


# -- the local HTTPS server -------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _make_cert(workdir: Path) -> tuple[Path, Path]:
    cert, key = workdir / "cert.pem", workdir / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True)
    return cert, key


NGINX_CONF = """
worker_processes 2;
daemon off;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    keepalive_requests 10000000;
    keepalive_timeout 120s;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        default_type application/json;
        location / {{ return 200 '{answer}'; }}
    }}
}}
"""


def _wait_listening(port: int, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"the server did not start listening on {port}")


@contextmanager
def https_server() -> Iterator[tuple[str, Path, str]]:
    """(base_url, CA file, server kind); nginx when installed, else a Python ssl server."""
    with tempfile.TemporaryDirectory(prefix="invo-bench-") as tmp:
        work = Path(tmp)
        cert, key = _make_cert(work)
        port = _free_port()
        nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists()
                                          else None)
        if nginx:
            conf = work / "nginx.conf"
            conf.write_text(NGINX_CONF.format(work=work, port=port, cert=cert, key=key,
                                              answer=ANSWER.decode()))
            proc = subprocess.Popen([nginx, "-c", str(conf), "-p", str(work), "-e",
                                     str(work / "error.log")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                _wait_listening(port)
                yield f"https://127.0.0.1:{port}", cert, "nginx"
            finally:
                proc.send_signal(signal.SIGTERM)  # our own PID only: nginx's master
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait(5)
        else:
            with _python_https_server(port, cert, key):
                yield f"https://127.0.0.1:{port}", cert, "python-ssl"


@contextmanager
def _python_https_server(port: int, cert: Path, key: Path) -> Iterator[None]:
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(ANSWER)))
            self.end_headers()
            self.wfile.write(ANSWER)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


# -- the three clients --------------------------------------------------------------------------


def _sdk_client(base_url: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    from invonetwork import InvoServer

    client = InvoServer(SECRET, base_url)

    def call(i: int) -> None:
        token = client.mint_player_token(player_email=f"p{i}@bench.example")
        assert token.token == "pt_bench_token"

    return call, client.close


def _bare_session(base_url: str) -> tuple[Callable[[int], None], Callable[[], None]]:
    import requests

    session = requests.Session()
    url = base_url + PATH

    def call(i: int) -> None:
        response = session.post(url, json={"player_email": f"p{i}@bench.example"},
                                headers=HEADERS, timeout=30)
        response.raise_for_status()
        assert response.json()["token"] == "pt_bench_token"

    return call, session.close


def _raw_floor(base_url: str, cafile: Path) -> tuple[Callable[[int], None], Callable[[], None]]:
    host, port = base_url.split("//")[1].split(":")
    context = ssl.create_default_context(cafile=str(cafile))
    local = threading.local()
    made: list[http.client.HTTPSConnection] = []

    def call(i: int) -> None:
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPSConnection(host, int(port), context=context,
                                                            timeout=30)
            made.append(conn)
        body = json.dumps({"player_email": f"p{i}@bench.example"}).encode()
        conn.request("POST", PATH, body=body,
                     headers={**HEADERS, "Content-Type": "application/json"})
        response = conn.getresponse()
        data = response.read()
        assert response.status == 200
        assert json.loads(data)["token"] == "pt_bench_token"

    def close() -> None:
        for conn in made:
            conn.close()

    return call, close


def _rate(call: Callable[[int], None], calls: int, threads: int) -> float:
    """Calls per second of ``calls`` calls, sequential or spread over ``threads`` threads."""
    if threads == 1:
        started = time.perf_counter()
        for i in range(calls):
            call(i)
        return calls / (time.perf_counter() - started)
    per_thread = calls // threads
    barrier = threading.Barrier(threads + 1)

    def work(offset: int) -> None:
        barrier.wait()
        for i in range(per_thread):
            call(offset + i)

    with ThreadPoolExecutor(threads) as pool:
        futures = [pool.submit(work, t * per_thread) for t in range(threads)]
        barrier.wait()
        started = time.perf_counter()
        for future in futures:
            future.result()
        return per_thread * threads / (time.perf_counter() - started)


def bench_http(rounds: int, calls: int) -> list[str]:
    lines = []
    with https_server() as (base_url, cafile, kind):
        os.environ["REQUESTS_CA_BUNDLE"] = str(cafile)  # read by both requests clients
        lines.append(f"server: {kind} on {base_url} (TLS, keep-alive)")
        for threads in (1, THREADS):
            clients = {"sdk": _sdk_client(base_url), "bare requests.Session":
                       _bare_session(base_url), "http.client floor": _raw_floor(base_url, cafile)}
            rates: dict[str, list[float]] = {name: [] for name in clients}
            for call, _ in clients.values():  # warm-up: connections, TLS, imports
                _rate(call, max(threads * 10, 50), threads)
            for r in range(rounds):
                order = list(clients.items())
                if r % 2:
                    order.reverse()
                for name, (call, _) in order:
                    rates[name].append(_rate(call, calls, threads))
            for _, close in clients.values():
                close()
            medians = {name: statistics.median(values) for name, values in rates.items()}
            bare = medians["bare requests.Session"]
            floor = medians["http.client floor"]
            label = "sequential" if threads == 1 else f"{threads} threads"
            for name, value in medians.items():
                lines.append(f"{label:>12} | {name:<22} | {value:8.0f} calls/s | "
                             f"{value / bare:5.2f}x bare session | {value / floor:5.2f}x floor")
    return lines


# -- webhook verification ------------------------------------------------------------------


def _event_body(size: int) -> bytes:
    data: dict[str, Any] = {"transaction_id": "txn_1", "order_id": "ord_1",
                            "player_email": "p@bench.example", "usd_amount": "9.99",
                            "new_balance": "100.00", "metadata": {}}
    event = {"event_id": "evt_1", "idempotency_key": "idem_1",
             "event_type": "purchase.completed", "schema_version": "1.0",
             "created_at": "2030-01-01T00:00:00Z", "tenant_id": "1", "data": data}
    i = 0
    while len(json.dumps(event, separators=(",", ":"))) < size:
        data["metadata"][f"k{i:05d}"] = "v" * 24
        i += 1
    return json.dumps(event, separators=(",", ":")).encode()[: size * 2]


def _per_call(func: Callable[[], None], number: int) -> float:
    started = time.perf_counter()
    for _ in range(number):
        func()
    return (time.perf_counter() - started) / number


def bench_verify(rounds: int) -> list[str]:
    from invonetwork.webhooks import verify_webhook

    secret = "whsec_bench_0123456789abcdef"
    key = secret.encode()
    lines = []
    for size, number in ((1024, 3000), (64 * 1024, 150)):
        body = _event_body(size)
        stamp = int(time.time())
        signature = hmac.new(key, f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
        header = f"t={stamp},v1={signature}"
        expected = bytes.fromhex(signature)

        def verify(body: bytes = body, header: str = header, stamp: int = stamp) -> None:
            verify_webhook(body, header, secret, now=float(stamp))

        def floor(body: bytes = body, stamp: int = stamp, expected: bytes = expected) -> None:
            mac = hmac.new(key, f"{stamp}.".encode(), hashlib.sha256)
            mac.update(body)
            if not hmac.compare_digest(mac.digest(), expected):
                raise AssertionError("bad signature")
            json.loads(body)

        verify()
        floor()
        ratios, sdk_times, floor_times = [], [], []
        for r in range(rounds):
            pair = [verify, floor] if r % 2 == 0 else [floor, verify]
            took = {f: _per_call(f, number) for f in pair}
            sdk_times.append(took[verify])
            floor_times.append(took[floor])
            ratios.append(took[verify] / took[floor])
        sdk_us = statistics.median(sdk_times) * 1e6
        lines.append(f"{len(body):>6} B | verify_webhook {sdk_us:7.1f} us"
                     f" | floor {statistics.median(floor_times) * 1e6:7.1f} us | "
                     f"ratio {statistics.median(ratios):.3f}")
    return lines


# -- import time ----------------------------------------------------------------------------------


def _process_time(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - started


def bench_import(rounds: int) -> list[str]:
    codes = {"bare interpreter": "pass", "import invonetwork": "import invonetwork",
             "import invonetwork.webhooks": "import invonetwork.webhooks",
             "InvoServer (loads requests)": "from invonetwork import InvoServer"}
    times: dict[str, list[float]] = {name: [] for name in codes}
    for _ in range(rounds):
        for name, code in codes.items():
            times[name].append(_process_time(code))
    base = statistics.median(times["bare interpreter"])
    lines = [f"bare interpreter: {base * 1000:.1f} ms"]
    for name in list(codes)[1:]:
        lines.append(f"{name:<30} +{(statistics.median(times[name]) - base) * 1000:6.1f} ms")
    probe = ("import sys, invonetwork.webhooks; "
             "print(sorted(m for m in ('requests', 'urllib3', 'invonetwork._transport') "
             "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True,
                            text=True).stdout.strip()
    lines.append(f"modules loaded by import invonetwork.webhooks among "
                 f"requests/urllib3/_transport: {loaded}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sections", nargs="*", default=["http", "verify", "import"])
    parser.add_argument("--quick", action="store_true", help="fewer rounds (smoke run)")
    args = parser.parse_args()
    quick = args.quick
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} CPUs")
    if "http" in args.sections:
        print("\n== HTTP: mint_player_token over local HTTPS ==")
        for line in bench_http(rounds=3 if quick else 9, calls=400 if quick else 2000):
            print(line)
    if "verify" in args.sections:
        print("\n== verify_webhook vs hmac + compare_digest + json.loads ==")
        for line in bench_verify(rounds=5 if quick else 41):
            print(line)
    if "import" in args.sections:
        print("\n== import time (fresh processes, medians) ==")
        for line in bench_import(rounds=5 if quick else 21):
            print(line)


if __name__ == "__main__":
    main()
