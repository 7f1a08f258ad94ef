""""Every failure is an InvoError": odd argument values never leak TypeError & co."""

from __future__ import annotations

import contextlib
import inspect
from decimal import Decimal
from typing import Any, Dict

import pytest

from invonetwork import InvoError, InvoServer, verify_webhook

from .conftest import Recorder
from .test_results import CALLS

ODD = [5, -1, 1.5, [], {}, ["x"], {"a": 1}, object(), b"bytes", Decimal("1"), "\x00", True,
       "\ud800"]


def _cases() -> list:
    out = []
    for method, base in sorted(CALLS.items()):
        for key in base:
            out.extend((method, key, i) for i in range(len(ODD)))
    return out


@pytest.mark.parametrize("method,key,index", _cases())
def test_odd_values(srv: Recorder, invo: InvoServer, method: str, key: str, index: int) -> None:
    srv.reply(200, {"token": "t", "checkout_url": "https://c", "transaction_id": "t",
                    "order_id": "o"})
    kwargs: Dict[str, Any] = {**CALLS[method], key: ODD[index]}
    with contextlib.suppress(InvoError):
        getattr(invo, method)(**kwargs)


@pytest.mark.parametrize("metadata", [{"a": {1, 2}}, {"a": object()}, {1: float("nan")},
                                      {"d": Decimal("1.5")}])
def test_unserialisable_metadata(srv: Recorder, invo: InvoServer, metadata: Any) -> None:
    srv.reply(200, {"checkout_url": "https://c"})
    try:
        invo.create_checkout(player_email="a@b.io", usd_amount="1", metadata=metadata)
    except InvoError as err:
        assert err.status == 0
        assert srv.requests == []


def test_verify_webhook_signature() -> None:
    params = inspect.signature(verify_webhook).parameters
    assert list(params)[:3] == ["raw_body", "signature_header", "secret_or_secrets"]
    assert params["tolerance_seconds"].default == 300
    assert params["tolerance_seconds"].kind is inspect.Parameter.KEYWORD_ONLY
    assert params["now"].default is None
    assert params["now"].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize("args", [(None, None, None), (b"{}", 5, "k"), (5, "t=1,v1=a", "k"),
                                  (b"{}", "t=1,v1=a", {"k": 1}), (b"{}", b"t=1,v1=a", "k")])
def test_verify_webhook_odd_types(args: Any) -> None:
    with pytest.raises(InvoError):
        verify_webhook(*args)
