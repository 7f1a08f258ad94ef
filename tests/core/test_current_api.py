"""The current API's changes to existing methods (issue 13, section 3), over the recording
server on 127.0.0.1: new keywords and body rules, refusals before anything is sent."""

from __future__ import annotations

from typing import Any, Dict

import pytest

from invonetwork import InvoError, InvoServer

from .recorder import Recorder
from .support import EMAIL, SEND_ARGS, TRANSFER_ARGS


def _refused(srv: Recorder, fn: Any, **kwargs: Any) -> InvoError:
    with pytest.raises(InvoError) as caught:
        fn(**kwargs)
    assert caught.value.code == "INVALID_INPUT" and caught.value.status == 0
    assert srv.requests == [], "a refused call must send nothing"
    return caught.value


# -- C1: mint_player_token(player_name=...) ---------------------------------------------------

@pytest.mark.parametrize("name", ["Ada", "", "  "])
def test_mint_sends_player_name_whenever_not_none(srv: Recorder, invo: InvoServer,
                                                  name: str) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_name=name)
    assert srv.last.json == {"player_email": EMAIL, "player_name": name}


def test_mint_leaves_player_name_out_when_none(srv: Recorder, invo: InvoServer) -> None:
    srv.reply(200, {"token": "t"})
    invo.mint_player_token(player_email=EMAIL, player_phone="+15555550100", player_name=None)
    assert srv.last.json == {"player_email": EMAIL, "player_phone": "+15555550100"}


@pytest.mark.parametrize("name", [1, b"Ada", ["Ada"], True])
def test_mint_refuses_a_player_name_that_is_not_text(srv: Recorder, invo: InvoServer,
                                                     name: Any) -> None:
    error = _refused(srv, invo.mint_player_token, player_email=EMAIL, player_name=name)
    assert "player_name" in error.message


# -- C4/C5: optional receiver/target email ------------------------------------------------------

@pytest.mark.parametrize("method,args,key", [
    ("initiate_send", SEND_ARGS, "receiver_player_email"),
    ("initiate_transfer", TRANSFER_ARGS, "target_player_email"),
])
def test_initiate_leaves_the_other_email_out_when_none(srv: Recorder, invo: InvoServer,
                                                       method: str, args: Dict[str, Any],
                                                       key: str) -> None:
    srv.reply(200, {"transaction_id": "t1"})
    srv.reply(200, {"transaction_id": "t1"})
    without = {k: v for k, v in args.items() if k != key}
    getattr(invo, method)(**without)
    sent = srv.last.json
    assert key not in sent
    assert sent == {k: v for k, v in args.items() if k != key}
    getattr(invo, method)(**{**args, key: None})
    assert key not in srv.last.json
    getattr(invo, method)(**args)
    assert srv.last.json[key] == args[key]


# -- K4: history stop guard reads total_count, then total ---------------------------------------

@pytest.mark.parametrize("pagination", [
    {"total_count": 2},
    {"total_count": "2", "total": 99},
    {"total_count": None, "total": 2},
    {"total_count": "many", "total": 2},
])
def test_history_stops_at_total_count_then_total(srv: Recorder, invo: InvoServer,
                                                 pagination: Dict[str, Any]) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}], "pagination": pagination}
    for _ in range(3):
        srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert rows == [{"i": 1}, {"i": 2}] and len(srv.requests) == 1


def test_history_total_count_wins_over_total(srv: Recorder, invo: InvoServer) -> None:
    page = {"item_purchase_history": [{"i": 1}, {"i": 2}],
            "pagination": {"total_count": 4, "total": 2}}
    srv.reply(200, page)
    srv.reply(200, page)
    srv.reply(200, page)
    rows = list(invo.iterate_item_purchase_history(player_email=EMAIL, page_size=2))
    assert len(rows) == 4 and len(srv.requests) == 2
