"""complete_device_approval: the polling loop, with a fake sleep and scripted answers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional

import pytest
import responses

from core.support import SANDBOX, make_client
from invonetwork import DeviceApprovalEnrollment, InvoError, InvoServer

POLL = SANDBOX + "/api/sdk/approvals/device/poll"
CONFIRM = SANDBOX + "/api/sdk/approvals/device/confirm-enrollment"
SETTLE = SANDBOX + "/api/sdk/transfers/tx-1/approve"
APPROVED = {"transaction_id": "tx-1", "flow": "transfer", "approved_at": "2026-12-01T10:00:00Z"}


def pending(**extra: Any) -> tuple[int, dict[str, Any]]:
    return 400, {"error": "authorization_pending", **extra}


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    made = make_client(max_retries=0)  # the loop's own failure counting, not the transport's
    yield made
    made.close()


class Script:
    """Scripted poll answers (in order) and the settle answer; the sleeps the loop asked for."""

    def __init__(self, rsps: responses.RequestsMock, *answers: tuple[int, Any]) -> None:
        self.sleeps: list[float] = []
        for status, body in answers:
            if isinstance(body, Exception):
                rsps.add("POST", POLL, body=body)
            else:
                rsps.add("POST", POLL, json=body, status=status)
        rsps.add("POST", SETTLE, json={"status": "approved", "next": "pending_claim",
                                       "claim_code": "ABCD2345"})
        self.rsps = rsps

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def paths(self) -> list[str]:
        return [str(call.request.url).rsplit("/", 1)[-1] for call in self.rsps.calls]


def run(invo: InvoServer, script: Script, **options: Any) -> Any:
    return invo.complete_device_approval(player_token="pt", transaction_id="tx-1",
                                         flow="transfer", device_code="dc-1",
                                         sleep=script.sleep, **options)


def test_pending_then_approved_settles_once(invo: InvoServer,
                                            rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(), pending(interval=8), (200, APPROVED))
    done = run(invo, script)
    assert done.status == "approved"
    assert done.settlement is not None and done.settlement.claim_code == "ABCD2345"
    assert done.settlement.flow == "transfer" and done.settlement.transaction_id == "tx-1"
    assert done.last_poll is not None and done.last_poll.status == "approved"
    assert script.sleeps == [5, 5, 8]
    assert script.paths() == ["poll", "poll", "poll", "approve"]


@pytest.mark.parametrize(("interval", "first"), [(0, 5), (None, 5), (2.7, 2), (0.2, 1), (9, 9)])
def test_the_first_wait(interval: Any, first: float, invo: InvoServer,
                        rsps: responses.RequestsMock) -> None:
    script = Script(rsps, (200, APPROVED))
    run(invo, script, interval=interval)
    assert script.sleeps == [first]


def test_slow_down_adds_five_or_takes_the_stated_interval(
        invo: InvoServer, rsps: responses.RequestsMock) -> None:
    script = Script(rsps, (400, {"error": "slow_down"}),
                    (400, {"error": "slow_down", "interval": 30}),
                    (400, {"error": "slow_down", "interval": 2}),
                    pending(), (200, APPROVED))
    assert run(invo, script).status == "approved"
    assert script.sleeps == [5, 10, 30, 35, 35]


@pytest.mark.parametrize(("token", "status"), [("expired_token", "expired"),
                                               ("access_denied", "denied")])
def test_the_grant_ends_without_a_settle(token: str, status: str, invo: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(), (400, {"error": token}))
    done = run(invo, script)
    assert (done.status, done.settlement) == (status, None)
    assert done.last_poll is not None and done.last_poll.status == token
    assert script.paths() == ["poll", "poll"]


def test_should_stop_before_and_after_each_wait(invo: InvoServer,
                                                rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(), (200, APPROVED))
    assert run(invo, script, should_stop=lambda: True).status == "stopped"
    assert script.sleeps == [] and script.paths() == []
    answers = iter([False, True])
    stopped = run(invo, script, should_stop=lambda: next(answers))
    assert (stopped.status, stopped.last_poll) == ("stopped", None)
    assert script.sleeps == [5] and script.paths() == []
    answers = iter([False, False, False, True])
    after_poll = run(invo, script, should_stop=lambda: next(answers))
    assert after_poll.status == "stopped"
    assert after_poll.last_poll is not None
    assert after_poll.last_poll.status == "authorization_pending"


def test_transient_failures_are_counted_in_a_row(invo: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    import requests

    script = Script(rsps, (503, {"error": "busy"}), (0, requests.ConnectionError("down")),
                    pending(), (500, {"error": "x"}), (502, {"error": "x"}), (200, APPROVED))
    assert run(invo, script, max_transient_failures=3).status == "approved"
    assert len(script.sleeps) == 6


def test_too_many_transient_failures_raise(invo: InvoServer,
                                           rsps: responses.RequestsMock) -> None:
    script = Script(rsps, (503, {"error": "busy"}), (504, {"error": "busy"}),
                    (500, {"error": "busy"}), (200, APPROVED))
    with pytest.raises(InvoError) as info:
        run(invo, script, max_transient_failures=3)
    assert info.value.status == 500
    assert script.paths() == ["poll", "poll", "poll"]


def test_a_429_retry_after_lengthens_the_wait(invo: InvoServer,
                                              rsps: responses.RequestsMock) -> None:
    script = Script(rsps, (429, {"error": "rate_limited", "retry_after": 12}),
                    (429, {"error": "rate_limited", "retry_after": 3}), (200, APPROVED))
    run(invo, script)
    assert script.sleeps == [5, 12, 12]


@pytest.mark.parametrize("answer", [(401, {"error": "unauthorized"}),
                                    (400, {"error": "invalid_grant"}),
                                    (403, {"error": "x", "code": "FORBIDDEN"})])
def test_other_poll_errors_raise_at_once(answer: tuple[int, Any], invo: InvoServer,
                                         rsps: responses.RequestsMock) -> None:
    script = Script(rsps, answer, (200, APPROVED))
    with pytest.raises(InvoError) as info:
        run(invo, script, max_transient_failures=10)
    assert info.value.status == answer[0]
    assert script.paths() == ["poll"]


def test_settle_errors_propagate(invo: InvoServer, rsps: responses.RequestsMock) -> None:
    rsps.add("POST", POLL, json=APPROVED)
    rsps.add("POST", SETTLE, json={"error": "x", "code": "PASSKEY_RECOVERY_COOLDOWN",
                                   "retry_after": "2026-12-02T00:00:00Z"}, status=403)
    with pytest.raises(InvoError) as info:
        invo.complete_device_approval(player_token="pt", transaction_id="tx-1",
                                      flow="transfer", device_code="dc-1",
                                      sleep=lambda _s: None)
    assert info.value.is_passkey_recovery_cooldown


ENROLL_A = {"state": "awaiting_screen", "match_code": "48-27", "device_label": "iPhone",
            "recovery": False, "requested_at": "t1"}


def test_enrollment_is_published_when_it_changes(invo: InvoServer,
                                                 rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(), pending(enrollment=ENROLL_A),
                    pending(enrollment={**ENROLL_A, "requested_at": "t2"}),
                    pending(enrollment={**ENROLL_A, "state": "confirmed"}),
                    pending(), (200, APPROVED))
    rsps.add("POST", CONFIRM, json={"status": "confirmed"})
    seen: list[Optional[tuple[str, str]]] = []

    def on_enrollment(found: Optional[DeviceApprovalEnrollment], respond: Any) -> None:
        seen.append(None if found is None else (found.state, found.match_code))
        if found is not None and found.state == "awaiting_screen":
            respond("approve")

    assert run(invo, script, on_enrollment=on_enrollment).status == "approved"
    assert seen == [("awaiting_screen", "48-27"), ("confirmed", "48-27"), None]
    confirms = [c.request for c in rsps.calls if str(c.request.url) == CONFIRM]
    assert len(confirms) == 1
    assert confirms[0].headers["Authorization"] == "Bearer pt"


def test_nothing_is_published_before_an_enrollment(invo: InvoServer,
                                                   rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(), (400, {"error": "access_denied"}))
    seen: list[Any] = []
    run(invo, script, on_enrollment=lambda found, respond: seen.append(found))
    assert seen == []


@pytest.mark.parametrize(("status", "body", "swallowed"), [
    (409, {"error": "x", "code": "DEVICE_APPROVAL_ENROLLMENT_ALREADY_DECIDED"}, True),
    (409, {"error": "x", "code": "DEVICE_APPROVAL_NO_ENROLLMENT_PENDING"}, True),
    (400, {"error": "expired_token"}, True),
    (400, {"error": "invalid_grant"}, True),
    (400, {"error": "access_denied"}, False),
    (500, {"error": "boom"}, False),
])
def test_respond_swallows_only_the_stated_refusals(status: int, body: Any, swallowed: bool,
                                                   invo: InvoServer,
                                                   rsps: responses.RequestsMock) -> None:
    script = Script(rsps, pending(enrollment=ENROLL_A), (200, APPROVED))
    rsps.add("POST", CONFIRM, json=body, status=status)

    def on_enrollment(found: Any, respond: Any) -> None:
        if found is not None:
            respond("deny")

    if swallowed:
        assert run(invo, script, on_enrollment=on_enrollment).status == "approved"
    else:
        with pytest.raises(InvoError) as info:
            run(invo, script, on_enrollment=on_enrollment)
        assert info.value.status == status
    confirms = [c for c in rsps.calls if str(c.request.url) == CONFIRM]
    assert len(confirms) == 1  # never retried
