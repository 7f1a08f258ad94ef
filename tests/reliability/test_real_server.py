"""The SDK against a real local HTTP/1.1 server: keep-alive, retries, error pages, threads.

Counts come from the server: accepted TCP connections and arrived requests.
"""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import faultserver as fs
import pytest
from method_cases import METHODS, new_token

from invonetwork import InvoError
from invonetwork.errors import NetworkError, RequestTimeoutError, ServerError


def _method(name: str) -> Any:
    return next(m for m in METHODS if m.name == name)


def test_sequential_calls_reuse_one_connection(server: fs.FaultServer,
                                               make_client: Any) -> None:
    client = make_client(server.url)
    for i in range(200):
        method = METHODS[i % len(METHODS)]
        token = new_token()
        assert method.echo_of(method.call(client, token)) == token
    assert server.count() == 200  # one request per call (history is a single short page)
    assert server.connections_accepted == 1


def test_error_answers_keep_the_connection(server: fs.FaultServer, make_client: Any) -> None:
    """4xx/5xx/redirect answers are read to the end, so the connection goes back to the pool."""
    client = make_client(server.url, max_retries=0)
    answers = [fs.json_body(400, {"error": "no"}), fs.status(502, b"<html>bad</html>"),
               fs.redirect("http://127.0.0.1:9"), fs.json_body(429, {"retry_after": 60}),
               fs.gzip_garbage(503), fs.status(200, b"not json"), fs.ok()]
    server.script(*answers)
    for _ in answers:
        with contextlib.suppress(InvoError):
            client.get_transfer_status(new_token())
    assert server.count() == len(answers)
    assert server.connections_accepted == 1


def test_with_options_shares_the_pool(server: fs.FaultServer, make_client: Any) -> None:
    client = make_client(server.url)
    quick = client.with_options(timeout=5, max_retries=0)
    for _ in range(5):
        client.get_send_status(new_token())
        quick.get_send_status(new_token())
    assert server.connections_accepted == 1


@pytest.mark.parametrize("fault", [fs.reset_after_read(), fs.close_after_read(),
                                   fs.reset_before_read()], ids=["reset", "fin", "reset-unread"])
def test_dropped_connection_is_retried_for_idempotent_calls(server: fs.FaultServer,
                                                            make_client: Any,
                                                            fault: Any) -> None:
    client = make_client(server.url)
    server.script(fault)
    token = new_token()
    result = client.get_player_balance(player_email=f"{token}@players.example")
    assert result.raw["echo"] == token
    assert server.settled_count(token, 2) == 2
    assert server.connections_accepted == 2  # the dropped one, and its replacement


@pytest.mark.parametrize("fault", [fs.reset_after_read(), fs.close_after_read(),
                                   fs.reset_before_read()], ids=["reset", "fin", "reset-unread"])
def test_dropped_connection_is_not_retried_for_create_checkout(server: fs.FaultServer,
                                                               make_client: Any,
                                                               fault: Any) -> None:
    client = make_client(server.url)
    server.script(fault)
    token = new_token()
    with pytest.raises(NetworkError) as info:
        client.create_checkout(player_email=f"{token}@x.example", usd_amount="4.99")
    assert info.value.status == 0 and info.value.code == "NETWORK_ERROR"
    assert server.settled_count(token, 1) == 1
    # The next call works, on a fresh connection.
    token = new_token()
    assert client.create_checkout(player_email=f"{token}@x.example",
                                  usd_amount="4.99").raw["echo"] == token


def test_read_timeout_is_retried_for_idempotent_calls(server: fs.FaultServer,
                                                      make_client: Any) -> None:
    client = make_client(server.url, timeout=(2.0, 0.2))
    server.script(fs.stall(1.0), fs.stall_mid_body(1.0))
    token = new_token()
    assert client.purchase_item(
        client_request_id=token, player_email="a@x.example", player_name="Ann",
        item_id="sword", item_name="Sword", item_quantity=1, unit_price="5",
        total_price="5.00").transaction_id == f"txn_{token}"
    assert server.settled_count(token, 3) == 3


def test_read_timeout_is_not_retried_for_create_checkout(server: fs.FaultServer,
                                                         make_client: Any) -> None:
    client = make_client(server.url, timeout=(2.0, 0.2))
    for fault in (fs.stall(1.0), fs.stall_mid_body(1.0)):
        server.script(fault)
        token = new_token()
        with pytest.raises(RequestTimeoutError) as info:
            client.create_checkout(player_email=f"{token}@x.example", usd_amount=10)
        assert info.value.code == "TIMEOUT" and info.value.status == 0
        assert server.settled_count(token, 1) == 1


def test_502_html_page_is_a_clean_server_error(server: fs.FaultServer,
                                               make_client: Any) -> None:
    page = (b"<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n"
            b"<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center>"
            b"</body></html>\n")
    server.always(fs.status(502, page))
    client = make_client(server.url, max_retries=1)
    token = new_token()
    with pytest.raises(ServerError) as info:
        client.get_inbound_pending(player_email=f"{token}@x.example")
    err = info.value
    assert err.status == 502
    assert err.code is None
    assert err.body == page.decode()
    assert err.message == page.decode()
    assert err.request_id == f"req_{token}"
    assert "status=502" in repr(err)
    assert server.settled_count(token, 2) == 2


def test_sixteen_threads_share_one_client(server: fs.FaultServer, make_client: Any) -> None:
    client = make_client(server.url)
    calls_per_thread = 40
    errors: list[BaseException] = []
    mismatches: list[tuple[str, str, Any]] = []
    start = threading.Barrier(16)

    def worker(index: int) -> None:
        start.wait()
        for i in range(calls_per_thread):
            method = METHODS[(index + i) % len(METHODS)]
            token = new_token()
            try:
                echoed = method.echo_of(method.call(client, token))
            except BaseException as exc:
                errors.append(exc)
                continue
            if echoed != token:
                mismatches.append((method.name, token, echoed))

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(worker, range(16)))
    assert errors == []
    assert mismatches == []
    assert server.count() == 16 * calls_per_thread
    assert server.connections_accepted <= 16


def test_closed_client_refuses_without_touching_the_network(server: fs.FaultServer,
                                                            make_client: Any) -> None:
    client = make_client(server.url)
    client.close()
    with pytest.raises(InvoError) as info:
        client.get_send_status(new_token())
    assert info.value.code == "CLIENT_CLOSED"
    assert server.count() == 0
