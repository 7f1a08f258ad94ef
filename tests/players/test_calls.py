"""Players, phones, activity and rewards over the recording server on 127.0.0.1: the exact
request each call makes, the rules checked before anything is sent, retry eligibility."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.recorder import Recorder, Reply
from invonetwork import InvoError, InvoServer
from invonetwork._routes import ALL_ROUTES, OPERATIONS
from invonetwork._routes_players import (
    GET_PHONE_CHANGE,
    PLAYER_ACTIVITY,
    PLAYER_REWARDS,
    REGISTER_PLAYER,
    REQUEST_PHONE_CHANGE,
    UPDATE_PLAYER_PHONE,
)

EMAIL = "ada@example.com"
PHONE = "+15555550100"


def _refused(srv: Recorder, fn: Any, *args: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as caught:
        fn(*args, **kwargs)
    assert caught.value.code == "INVALID_INPUT" and caught.value.status == 0
    assert srv.requests == [], "a refused call must send nothing"
    return caught.value


# -- wire ----------------------------------------------------------------------------------------


def test_register_player_sends_all_three_in_order(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(201, {"status": "created", "identity_id": "idn_1"})
    result = invo.register_player(player_email=" Ada@Example.com ", player_phone=PHONE,
                                  player_name="Ada")
    assert (srv.last.method, srv.last.path) == ("POST", "/api/sdk/players")
    assert srv.last.body == json.dumps({"player_email": " Ada@Example.com ",
                                        "player_phone": PHONE, "player_name": "Ada"},
                                       separators=(",", ":")).encode()
    assert srv.last.header("X-Game-Secret-Key")
    assert result.status == "created" and result.created


def test_register_player_leaves_the_name_out_when_none(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"status": "exists"})
    invo.register_player(player_email=EMAIL, player_phone=PHONE)
    assert srv.last.json == {"player_email": EMAIL, "player_phone": PHONE}


@pytest.mark.parametrize("call,path", [
    ("update_player_phone", "/api/sdk/players/phone"),
    ("request_phone_change", "/api/sdk/players/phone/change-requests"),
])
def test_phone_calls_send_email_and_new_phone(srv: Recorder, invo: InvoServer, call: str,
                                              path: str) -> None:
    srv.reply(202, {"status": "updated", "change_request_id": "pcr_1"})
    getattr(invo, call)(player_email=EMAIL, new_phone=PHONE)
    assert (srv.last.method, srv.last.path) == ("POST", path)
    assert srv.last.body == json.dumps({"player_email": EMAIL, "new_phone": PHONE},
                                        separators=(",", ":")).encode()


def test_get_phone_change_quotes_the_id_without_stripping(srv: Recorder,
                                                          invo: InvoServer) -> None:
    srv.reply(200, {"change_request_id": "a b/c "})
    invo.get_phone_change("a b/c ")
    assert srv.last.method == "GET"
    assert srv.last.path == "/api/sdk/players/phone/change-requests/a%20b%2Fc%20"
    assert srv.last.body == b""


def test_activity_query_in_order_trimmed_and_joined(srv: Recorder, invo: InvoServer) -> None:
    invo.get_player_activity(player_email="  ada@example.com ", limit=20, cursor=" c1 ",
                             types=[" send", "transfer "])
    assert srv.last.path == "/api/sdk/players/activity"
    assert srv.last.query == ("player_email=ada%40example.com&limit=20&cursor=+c1+"
                              "&types=send%2Ctransfer")


def test_activity_leaves_absent_arguments_out(srv: Recorder, invo: InvoServer) -> None:
    invo.get_player_activity(player_email=EMAIL, types=("send",))
    assert srv.last.query == "player_email=ada%40example.com&types=send"


def test_rewards_sends_the_trimmed_email(srv: Recorder, invo: InvoServer) -> None:
    invo.get_player_rewards(" ada@example.com\t")
    assert (srv.last.method, srv.last.path) == ("GET", "/api/sdk/loyalty/players/rewards")
    assert srv.last.query == "player_email=ada%40example.com"
    assert srv.last.header("X-Game-Secret-Key")


# -- retry eligibility ---------------------------------------------------------------------------


def test_retry_eligibility_of_each_route() -> None:
    assert REGISTER_PLAYER.idempotent and GET_PHONE_CHANGE.idempotent
    assert PLAYER_ACTIVITY.idempotent and PLAYER_REWARDS.idempotent
    assert not UPDATE_PLAYER_PHONE.idempotent
    assert not REQUEST_PHONE_CHANGE.idempotent
    for route in (REGISTER_PLAYER, UPDATE_PLAYER_PHONE, REQUEST_PHONE_CHANGE, GET_PHONE_CHANGE,
                  PLAYER_ACTIVITY, PLAYER_REWARDS):
        assert route in ALL_ROUTES
    assert OPERATIONS[PLAYER_ACTIVITY] == "get_player_activity"


@pytest.mark.parametrize("call", ["update_player_phone", "request_phone_change"])
def test_phone_writes_are_sent_once_even_on_a_503(srv: Recorder, call: str) -> None:
    srv.reply(503, {"code": "PHONE_UPDATE_UNAVAILABLE"}).reply(200, {"status": "updated"})
    client = srv.client(max_retries=3, retry_base_delay=0.001)
    with pytest.raises(InvoError) as caught:
        getattr(client, call)(player_email=EMAIL, new_phone=PHONE)
    assert caught.value.status == 503
    assert len(srv.requests) == 1


def test_register_is_retried_after_a_503(srv: Recorder) -> None:
    srv.reply(503, {}).reply(200, {"status": "exists"})
    client = srv.client(max_retries=3, retry_base_delay=0.001)
    assert client.register_player(player_email=EMAIL, player_phone=PHONE).status == "exists"
    assert len(srv.requests) == 2


# -- client-side rules, in order -----------------------------------------------------------------


@pytest.mark.parametrize("kwargs,named", [
    ({"player_email": " ", "player_phone": "bad", "player_name": 1}, "player_email"),
    ({"player_email": None, "player_phone": PHONE}, "player_email"),
    ({"player_email": EMAIL, "player_phone": "+15555550100\n", "player_name": 1},
     "player_phone"),
    ({"player_email": EMAIL, "player_phone": " +15555550100"}, "player_phone"),
    ({"player_email": EMAIL, "player_phone": "+0555"}, "player_phone"),
    ({"player_email": EMAIL, "player_phone": PHONE, "player_name": 3}, "player_name"),
])
def test_register_rules_in_order(srv: Recorder, invo: InvoServer, kwargs: Any,
                                 named: str) -> None:
    assert named in _refused(srv, invo.register_player, **kwargs).message


@pytest.mark.parametrize("call", ["update_player_phone", "request_phone_change"])
@pytest.mark.parametrize("kwargs,named", [
    ({"player_email": "", "new_phone": "x"}, "player_email"),
    ({"player_email": EMAIL, "new_phone": "15555550100"}, "new_phone"),
    ({"player_email": EMAIL, "new_phone": None}, "new_phone"),
])
def test_phone_rules(srv: Recorder, invo: InvoServer, call: str, kwargs: Any,
                     named: str) -> None:
    assert named in _refused(srv, getattr(invo, call), **kwargs).message


@pytest.mark.parametrize("value", ["", "  ", None, 5])
def test_single_argument_reads_need_non_blank_text(srv: Recorder, invo: InvoServer,
                                                   value: Any) -> None:
    _refused(srv, invo.get_phone_change, value)
    _refused(srv, invo.get_player_rewards, value)


@pytest.mark.parametrize("kwargs,named", [
    ({"player_email": " "}, "player_email"),
    ({"player_email": EMAIL, "limit": 0}, "limit"),
    ({"player_email": EMAIL, "limit": 101}, "limit"),
    ({"player_email": EMAIL, "limit": True}, "limit"),
    ({"player_email": EMAIL, "limit": "20"}, "limit"),
    ({"player_email": EMAIL, "limit": 20.0}, "limit"),
    ({"player_email": EMAIL, "cursor": ""}, "cursor"),
    ({"player_email": EMAIL, "cursor": " "}, "cursor"),
    ({"player_email": EMAIL, "cursor": 7}, "cursor"),
    ({"player_email": EMAIL, "types": "send"}, "types"),
    ({"player_email": EMAIL, "types": []}, "types"),
    ({"player_email": EMAIL, "types": ["send", " "]}, "types"),
    ({"player_email": EMAIL, "types": ["send", 3]}, "types"),
    ({"player_email": EMAIL, "types": {"send"}}, "types"),
    ({"player_email": "", "limit": 0, "types": "x"}, "player_email"),
    ({"player_email": EMAIL, "limit": 0, "cursor": ""}, "limit"),
])
def test_activity_rules(srv: Recorder, invo: InvoServer, kwargs: Any, named: str) -> None:
    assert named in _refused(srv, invo.get_player_activity, **kwargs).message


@pytest.mark.parametrize("limit", [1, 100])
def test_activity_limit_bounds_are_sent(srv: Recorder, invo: InvoServer, limit: int) -> None:
    invo.get_player_activity(player_email=EMAIL, limit=limit)
    assert srv.last.params["limit"] == [str(limit)]


def test_unknown_type_names_are_left_to_invo(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(400, {"code": "INVALID_INPUT", "error": "unknown type"})
    with pytest.raises(InvoError) as caught:
        invo.get_player_activity(player_email=EMAIL, types=["nope"])
    assert caught.value.status == 400 and caught.value.is_invalid_input


@pytest.mark.parametrize("kwargs,named", [
    ({"player_email": ""}, "player_email"),
    ({"player_email": EMAIL, "page_size": 0}, "page_size"),
    ({"player_email": EMAIL, "page_size": 101}, "page_size"),
    ({"player_email": EMAIL, "page_size": False}, "page_size"),
    ({"player_email": EMAIL, "types": "send"}, "types"),
])
def test_iterator_checks_before_the_first_request(srv: Recorder, invo: InvoServer,
                                                  kwargs: Any, named: str) -> None:
    assert named in _refused(srv, invo.iterate_player_activity, **kwargs).message


# -- the iterator's stop rules -------------------------------------------------------------------


def _page(ids: list[str], cursor: Any, **extra: Any) -> dict[str, Any]:
    return {"activity": [{"id": i} for i in ids], "next_cursor": cursor, **extra}


def test_iterator_follows_cursors_until_none(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, _page(["a", "b"], "c1")).reply(200, _page(["c"], "c2"))
    srv.reply(200, _page(["d"], None, has_more=True))
    ids = [e.id for e in invo.iterate_player_activity(player_email=EMAIL, types=["send"],
                                                      page_size=2)]
    assert ids == ["a", "b", "c", "d"]
    cursors = [r.params.get("cursor") for r in srv.requests]
    assert cursors == [None, ["c1"], ["c2"]]
    assert all(r.params["types"] == ["send"] and r.params["limit"] == ["2"]
               for r in srv.requests)


def test_iterator_stops_when_the_cursor_repeats(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, _page(["a"], "same")).reply(200, _page(["b"], "same"))
    srv.reply(200, _page(["never"], None))
    ids = [e.id for e in invo.iterate_player_activity(player_email=EMAIL)]
    assert ids == ["a", "b"] and len(srv.requests) == 2


def test_iterator_without_page_size_sends_no_limit(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, _page([], ""))
    assert list(invo.iterate_player_activity(player_email=EMAIL)) == []
    assert srv.last.query == "player_email=ada%40example.com"
    assert len(srv.requests) == 1


def test_iterator_is_lazy(srv: Recorder, invo: InvoServer) -> None:
    pages = invo.iterate_player_activity(player_email=EMAIL)
    assert srv.requests == []
    srv.reply(200, _page(["a"], None))
    assert [e.id for e in pages] == ["a"]


def test_player_email_falls_back_to_the_trimmed_request(srv: Recorder,
                                                        invo: InvoServer) -> None:
    srv.reply(200, {"player_email": ""})
    assert invo.get_player_activity(player_email=" ada@example.com ").player_email == EMAIL
    srv.reply(200, {"player_email": "other@example.com"})
    assert invo.get_player_activity(player_email=EMAIL).player_email == "other@example.com"


def test_request_phone_change_reads_a_202(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(202, {"change_request_id": "pcr_1", "status": "pending_confirmation",
                    "delivery": "email", "confirmation": "email_code"})
    result = invo.request_phone_change(player_email=EMAIL, new_phone=PHONE)
    assert (result.change_request_id, result.status) == ("pcr_1", "pending_confirmation")


def test_a_missing_change_request_id_is_invalid_response(srv: Recorder,
                                                         invo: InvoServer) -> None:
    srv.reply_fn(lambda rec: Reply(202, {"status": "pending_confirmation"}))
    with pytest.raises(InvoError) as caught:
        invo.request_phone_change(player_email=EMAIL, new_phone=PHONE)
    assert caught.value.code == "INVALID_RESPONSE" and caught.value.status == 0


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.none(), st.sampled_from(["", "a", "b", "c"])), min_size=1,
                max_size=6))
def test_iterator_stop_rule_holds_for_any_cursor_sequence(srv: Recorder, invo: InvoServer,
                                                          cursors: list[Any]) -> None:
    """Pages answer ``cursors`` in turn; the walk stops at the first ``None``/``""`` or at a
    cursor equal to the one that produced the page, and never asks for more."""
    srv.requests.clear()
    srv._server.replies.clear()
    for n, cursor in enumerate(cursors):
        srv.reply(200, _page([f"r{n}"], cursor))
    expected_pages, sent = 0, None
    for cursor in cursors:
        expected_pages += 1
        if not cursor or cursor == sent:
            break
        sent = cursor
    else:
        expected_pages = len(cursors) + 1  # the script ran out: the recorder answers {}
    rows = list(invo.iterate_player_activity(player_email=EMAIL))
    assert len(srv.requests) == expected_pages
    assert [r.id for r in rows] == [f"r{n}" for n in range(min(expected_pages, len(cursors)))]
