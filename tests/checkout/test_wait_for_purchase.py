"""wait_for_purchase (api-current §4.1): each read is a real HTTP request to a mocked INVO;
time is a fake clock that only the fake sleep moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

import pytest
import requests
import responses

from invonetwork import InvoServer, PurchaseStatusResult
from invonetwork.errors import (
    AuthenticationError,
    GoneError,
    InvalidInputError,
    InvoError,
    PermissionDeniedError,
)

SANDBOX = "https://sandbox.invo.network/sandbox"
URL = f"{SANDBOX}/api/checkout/sessions/cs_1"
TOKEN = "cst_token_1"


class FakeTime:
    """A monotonic clock that moves only when ``sleep`` is called."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    # max_retries=0: each loop read is one HTTP request, so the counts below are reads
    with InvoServer("ivsdk_test_wait", SANDBOX, max_retries=0) as client:
        yield client


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def answers(rsps: responses.RequestsMock, *bodies: Any) -> None:
    """Answer the reads in order (a status int means that HTTP error); the last repeats."""
    for body in bodies:
        if isinstance(body, int):
            rsps.get(URL, json={"error": "e", "code": f"E{body}"}, status=body)
        elif isinstance(body, Exception):
            rsps.get(URL, body=body)
        else:
            rsps.get(URL, json=body)


def wait(invo: InvoServer, fake: FakeTime, **options: Any) -> PurchaseStatusResult:
    options.setdefault("interval", 2)
    options.setdefault("timeout", 60)
    return invo.wait_for_purchase(session_id="cs_1", session_token=TOKEN, sleep=fake.sleep,
                                  clock=fake.clock, **options)


PENDING = {"status": "pending", "terminal": False}
CHARGED = {"status": "paid_pending_credit", "terminal": False}
CREDITED = {"status": "credited", "terminal": True, "coins_credited": "50.00"}


def test_returns_on_the_first_terminal_read(invo: InvoServer, fake: FakeTime,
                                            rsps: responses.RequestsMock) -> None:
    answers(rsps, PENDING, CHARGED, CHARGED, CREDITED)
    seen: list[str] = []
    result = wait(invo, fake, on_update=lambda r: seen.append(r.status))
    assert result.status == "credited" and result.terminal and result.coins_credited == "50.00"
    assert seen == ["pending", "paid_pending_credit", "paid_pending_credit", "credited"]
    assert fake.sleeps == [2.0, 2.0, 2.0] and len(rsps.calls) == 4
    assert all(c.request.headers["Authorization"] == f"Bearer {TOKEN}" for c in rsps.calls)


def test_only_terminal_stops_it_never_the_status_word(invo: InvoServer, fake: FakeTime,
                                                       rsps: responses.RequestsMock) -> None:
    # "credited" without terminal keeps polling; an unknown word with terminal stops it
    answers(rsps, {"status": "credited"}, {"status": "settled_somehow", "terminal": True})
    result = wait(invo, fake)
    assert result.status == "settled_somehow" and len(rsps.calls) == 2


def test_paid_pending_credit_never_ends_it_the_deadline_does(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock
) -> None:
    answers(rsps, CHARGED)
    result = wait(invo, fake, interval=10, timeout=35)
    # reads at t=0, 10, 20, 30; at 30, 30 + 10 >= 35: stop
    assert len(rsps.calls) == 4 and fake.sleeps == [10.0, 10.0, 10.0]
    assert result.status == "paid_pending_credit" and not result.terminal


def test_max_attempts_counts_reads(invo: InvoServer, fake: FakeTime,
                                   rsps: responses.RequestsMock) -> None:
    answers(rsps, PENDING)
    result = wait(invo, fake, max_attempts=3, timeout=10_000)
    assert len(rsps.calls) == 3 and len(fake.sleeps) == 2 and result.status == "pending"


def test_should_stop_is_asked_after_each_read_never_before_the_first(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock
) -> None:
    answers(rsps, PENDING)
    asked: list[int] = []

    def should_stop() -> bool:
        asked.append(len(rsps.calls))
        return len(asked) == 2

    result = wait(invo, fake, should_stop=should_stop)
    assert asked == [1, 2] and len(rsps.calls) == 2 and result.status == "pending"


def test_on_update_exceptions_are_swallowed(invo: InvoServer, fake: FakeTime,
                                            rsps: responses.RequestsMock) -> None:
    answers(rsps, PENDING, CREDITED)

    def boom(result: PurchaseStatusResult) -> None:
        raise RuntimeError("callback bug")

    assert wait(invo, fake, on_update=boom).is_credited


@pytest.mark.parametrize("failure", [429, 500, 503, requests.ConnectionError("refused")])
def test_transient_failures_are_ridden_out(invo: InvoServer, fake: FakeTime,
                                           rsps: responses.RequestsMock, failure: Any) -> None:
    answers(rsps, failure, PENDING, failure, CREDITED)
    assert wait(invo, fake).is_credited and len(rsps.calls) == 4


@pytest.mark.parametrize(("status", "cls"), [(401, AuthenticationError),
                                             (403, PermissionDeniedError), (410, GoneError),
                                             (400, InvoError), (404, InvoError)])
def test_other_errors_raise_at_once(invo: InvoServer, fake: FakeTime,
                                    rsps: responses.RequestsMock, status: int, cls: type) -> None:
    answers(rsps, PENDING, status)
    with pytest.raises(cls) as info:
        wait(invo, fake)
    assert info.value.status == status and len(rsps.calls) == 2


def test_after_stop_the_last_result_wins_over_a_later_failure(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock
) -> None:
    answers(rsps, PENDING, 503)
    result = wait(invo, fake, max_attempts=4)
    assert result.status == "pending" and not result.terminal and len(rsps.calls) == 4


def test_after_stop_with_no_result_the_last_failure_is_raised(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock
) -> None:
    answers(rsps, 500, 502, 429)
    with pytest.raises(InvoError) as info:
        wait(invo, fake, max_attempts=3)
    assert info.value.status == 429 and len(rsps.calls) == 3


def test_zero_timeout_still_reads_once_and_never_sleeps(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock
) -> None:
    answers(rsps, PENDING)
    assert wait(invo, fake, timeout=0).status == "pending"
    assert len(rsps.calls) == 1 and fake.sleeps == []


@pytest.mark.parametrize(("interval", "pause"), [(-5, 0.0), ("0.5", 0.5), (True, 1.0)])
def test_interval_is_floored_at_zero_as_a_float(invo: InvoServer, fake: FakeTime,
                                                rsps: responses.RequestsMock, interval: Any,
                                                pause: float) -> None:
    answers(rsps, PENDING, CREDITED)
    wait(invo, fake, interval=interval)
    assert fake.sleeps == [pause]


def test_the_default_sleep_and_clock_are_the_real_ones(invo: InvoServer,
                                                       rsps: responses.RequestsMock) -> None:
    answers(rsps, PENDING, CREDITED)
    result = invo.wait_for_purchase(session_id="cs_1", session_token=TOKEN, interval=0.01)
    assert result.is_credited and len(rsps.calls) == 2


@pytest.mark.parametrize(("kwargs", "where"), [
    ({"session_id": " "}, "session_id"), ({"session_token": ""}, "session_token"),
    ({"session_token": None}, "session_token"), ({"max_attempts": 0}, "max_attempts"),
    ({"max_attempts": True}, "max_attempts"), ({"max_attempts": 1.5}, "max_attempts"),
    ({"interval": "soon"}, "interval"), ({"timeout": None}, "timeout"),
])
def test_arguments_are_checked_before_the_first_read(
    invo: InvoServer, fake: FakeTime, rsps: responses.RequestsMock,
    kwargs: dict[str, Any], where: str
) -> None:
    options: dict[str, Optional[Any]] = {"session_id": "cs_1", "session_token": TOKEN,
                                         "sleep": fake.sleep, "clock": fake.clock, **kwargs}
    with pytest.raises(InvalidInputError) as info:
        invo.wait_for_purchase(**options)  # type: ignore[arg-type]
    assert info.value.status == 0 and where in str(info.value)
    assert len(rsps.calls) == 0 and fake.sleeps == []
