"""Every result carries the INVO request id of the answer it was read from."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from otel_support import ScriptServer, script_server
from test_otel_canary import CALLS

from invonetwork import InvoServer, PlayerToken

SECRET = "ivsdk_test_request_ids"


@pytest.fixture
def server() -> Iterator[ScriptServer]:
    with script_server() as srv:
        yield srv


@pytest.mark.parametrize("name", sorted(n for n in CALLS if not n.startswith("iterate_")))
def test_every_result_has_the_answers_request_id(name: str, server: ScriptServer) -> None:
    server.then(200, None, {"x-invo-request-id": f"req_{len(name)}_ok"})
    with InvoServer(SECRET, server.url) as invo:
        result = CALLS[name](invo)
    assert result.request_id == f"req_{len(name)}_ok"


def test_x_request_id_is_the_fallback_and_none_when_absent(server: ScriptServer) -> None:
    server.then(200, {"token": "pt"}, {"x-request-id": "edge_7"}).then(200, {"token": "pt"})
    with InvoServer(SECRET, server.url) as invo:
        assert invo.mint_player_token(player_email="a@example.com").request_id == "edge_7"
        assert invo.mint_player_token(player_email="a@example.com").request_id is None


def test_the_id_of_the_attempt_that_succeeded_after_a_retry(server: ScriptServer) -> None:
    server.then(503, {"error": "busy"}, {"x-invo-request-id": "first"})
    server.then(200, {"token": "pt"}, {"x-invo-request-id": "second"})
    with InvoServer(SECRET, server.url, retry_base_delay=0.001) as invo:
        assert invo.mint_player_token(player_email="a@example.com").request_id == "second"


def test_request_id_leaves_equality_repr_and_fields_alone(server: ScriptServer) -> None:
    server.then(200, {"token": "pt"}, {"x-invo-request-id": "one"})
    server.then(200, {"token": "pt"}, {"x-invo-request-id": "two"})
    with InvoServer(SECRET, server.url) as invo:
        first = invo.mint_player_token(player_email="a@example.com")
        second = invo.mint_player_token(player_email="a@example.com")
    assert first == second and first.request_id != second.request_id
    assert "request_id" not in [f.name for f in dataclasses.fields(first)]
    assert PlayerToken.from_body({"token": "pt"}).request_id is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.request_id = "x"  # type: ignore[misc]
