"""A loopback INVO stand-in for the fork tests: it mints a token equal to the email it was given.

Run as a script: ``python echo_token_server.py SECONDS MAX_REQUESTS``. It binds 127.0.0.1 on
a free port, prints the port on the first line of stdout, serves keep-alive HTTP/1.1 (one
thread per connection), and exits by itself after SECONDS or MAX_REQUESTS answers, whichever
comes first. Each answer is written in one ``sendall`` with ``TCP_NODELAY``: a head and a
body sent as two small segments would make every answer wait for a delayed ACK (~40 ms),
which spaces the calls out and hides the very race the tests look for.

Any path answers: a POST whose JSON body has ``player_email`` gets ``{"token": <that email>}``;
anything else gets ``{"token": "unknown"}``. A response carries ``x-request-id`` with the
server's own process id and a counter, for debugging.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time


def _read_request(stream: socket.SocketIO, buffer: bytearray) -> bytes | None:
    """One request's body (b"" for none), or None when the peer closed the connection."""
    while b"\r\n\r\n" not in buffer:
        chunk = stream.read(65536)
        if not chunk:
            return None
        buffer.extend(chunk)
    head, _, rest = bytes(buffer).partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(rest) < length:
        chunk = stream.read(65536)
        if not chunk:
            return None
        rest += chunk
    buffer[:] = rest[length:]
    return rest[:length]


def _answer(body: bytes, counter: int) -> bytes:
    try:
        email = json.loads(body or b"{}").get("player_email", "unknown")
    except ValueError:
        email = "unknown"
    payload = json.dumps({"token": email, "expires_at": "2099-01-01T00:00:00Z"}).encode()
    head = (
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n"
        f"x-request-id: {os.getpid()}-{counter}\r\n"
        "Connection: keep-alive\r\n\r\n"
    ).encode()
    return head + payload


class _Server:
    def __init__(self, seconds: float, max_requests: int) -> None:
        self.deadline = time.monotonic() + seconds
        self.remaining = max_requests
        self.lock = threading.Lock()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(128)
        self.listener.settimeout(0.2)

    def take(self) -> int:
        """Count one answer; 0 when the budget is spent."""
        with self.lock:
            if self.remaining <= 0:
                return 0
            self.remaining -= 1
            return self.remaining + 1

    def serve_connection(self, conn: socket.socket) -> None:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn.settimeout(5.0)
        stream = socket.SocketIO(conn, "rb")
        buffer = bytearray()
        try:
            while time.monotonic() < self.deadline:
                body = _read_request(stream, buffer)
                counter = self.take() if body is not None else 0
                if not counter:
                    return
                conn.sendall(_answer(body or b"", counter))
        except OSError:
            return
        finally:
            conn.close()

    def run(self) -> None:
        print(self.listener.getsockname()[1], flush=True)
        while time.monotonic() < self.deadline and self.remaining > 0:
            try:
                conn, _ = self.listener.accept()
            except socket.timeout:
                continue
            threading.Thread(target=self.serve_connection, args=(conn,), daemon=True).start()
        self.listener.close()


if __name__ == "__main__":
    _Server(float(sys.argv[1]), int(sys.argv[2])).run()
