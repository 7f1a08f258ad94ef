"""The retry decision, driven directly: one test per row of the contract's retry rules.

No HTTP and no patched ``time.sleep``: the policy is a pure function of the route's
idempotency, the outcome (an ``InvoError``) and the attempt, with an injected random source.
"""

from __future__ import annotations

from typing import Any, Optional

import pytest

from invonetwork import InvoServer
from invonetwork._retry import RetryPolicy
from invonetwork._routes import ALL_ROUTES
from invonetwork.errors import (
    ConfigurationError,
    ConnectTimeoutError,
    InvalidInputError,
    InvalidResponseError,
    InvoError,
    MaybeSentError,
    NotSentError,
    ReadTimeoutError,
    error_from_response,
)

# random() == 0 makes the backoff its fixed half: exact numbers to compare with.
POLICY = RetryPolicy(max_retries=3, base_delay=1.0, random=lambda: 0.0)


def status(code: int, body: Any = None, retry_after_header: Optional[str] = None) -> InvoError:
    return error_from_response(code, body, None, retry_after_header)


NOT_SENT = NotSentError("refused", code="NETWORK_ERROR")
MAYBE_SENT = MaybeSentError("reset", code="NETWORK_ERROR")
CONNECT_TIMEOUT = ConnectTimeoutError("connect", code="TIMEOUT")
READ_TIMEOUT = ReadTimeoutError("read", code="TIMEOUT")
RETRYABLE_OUTCOMES = [NOT_SENT, MAYBE_SENT, CONNECT_TIMEOUT, READ_TIMEOUT, status(429),
                      status(500), status(502), status(503), status(504),
                      status(503, {"error": "flow_paused"})]


def decide(error: InvoError, attempt: int = 0, *, idempotent: bool = True,
           policy: RetryPolicy = POLICY) -> Optional[float]:
    return policy.decide(idempotent=idempotent, error=error, attempt=attempt)


# -- row: a route marked "no" is never retried ----------------------------------------------


@pytest.mark.parametrize("error", RETRYABLE_OUTCOMES, ids=repr)
def test_non_idempotent_route_is_never_retried(error: InvoError) -> None:
    assert decide(error, idempotent=False) is None


def test_every_route_marked_no_in_the_contract_is_not_idempotent() -> None:
    never = {"/api/checkout/sessions", "/api/transfers/verify-sms",
             "/api/currency-sends/verify-sms", "/api/transfers/claim-transfer",
             "/api/currency-sends/claim-currency", "/api/wallet/phone-share/initiate",
             "/api/wallet/phone-share/approve", "/api/dev/webhooks/games/{game_id}",
             "/api/dev/webhooks/games/{game_id}/rotate-secret"}
    assert {r.path for r in ALL_ROUTES if not r.idempotent} == never


# -- row: network failures and timeouts ------------------------------------------------------


@pytest.mark.parametrize("error", [NOT_SENT, MAYBE_SENT, CONNECT_TIMEOUT, READ_TIMEOUT],
                         ids=repr)
def test_network_failure_and_timeout_back_off(error: InvoError) -> None:
    assert decide(error, 0) == 0.5
    assert decide(error, 1) == 1.0


# -- row: 500, 502, 503, 504 -------------------------------------------------------------------


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_server_errors_back_off(code: int) -> None:
    assert decide(status(code), 2) == 2.0


@pytest.mark.parametrize("code", [300, 301, 302, 400, 401, 403, 404, 405, 409, 410, 422, 501,
                                  505, 599])
def test_every_other_status_is_raised(code: int) -> None:
    assert decide(status(code)) is None


@pytest.mark.parametrize("error", [
    InvalidResponseError("2xx garbage", code="INVALID_RESPONSE"),
    InvalidInputError("bad", code="INVALID_INPUT"),
    InvoError("closed", code="CLIENT_CLOSED"),
], ids=repr)
def test_failures_that_are_not_the_exchange_are_raised(error: InvoError) -> None:
    assert decide(error) is None


# -- row: 429 ------------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "wait"), [
    ({"retry_after": 3}, 3.0), ({"retry_after": "2.5"}, 2.5), ({"retry_after": 0}, 0.0),
    ({"retry_after": 20}, 20.0),
])
def test_429_waits_the_body_retry_after(body: Any, wait: float) -> None:
    assert decide(status(429, body)) == wait


def test_429_falls_back_to_the_retry_after_header() -> None:
    assert decide(status(429, {"error": "slow down"}, "7")) == 7.0
    assert decide(status(429, None, " 1.5 ")) == 1.5


def test_429_body_wins_over_the_header() -> None:
    assert decide(status(429, {"retry_after": 2}, "9")) == 2.0


@pytest.mark.parametrize(("body", "header"), [
    ({"retry_after": 20.5}, None), ({"retry_after": 3600}, None), (None, "60"),
    ({"error": "x"}, "21"),
])
def test_429_asking_for_more_than_20_seconds_is_raised_at_once(body: Any,
                                                               header: Optional[str]) -> None:
    assert decide(status(429, body, header)) is None


@pytest.mark.parametrize(("body", "header"), [
    (None, None), ({"retry_after": "soon"}, None), ({"retry_after": True}, None),
    ({"retry_after": -1}, None), (None, "Wed, 21 Oct 2037 07:28:00 GMT"), (None, "-3"),
])
def test_429_without_a_usable_wait_backs_off(body: Any, header: Optional[str]) -> None:
    assert decide(status(429, body, header), 1) == 1.0


def test_a_blocked_pin_check_429_is_not_retried() -> None:
    blocked = status(429, {"code": "sms_verification_blocked", "retry_after": 5})
    assert decide(blocked, idempotent=False) is None


# -- row: attempts ---------------------------------------------------------------------------


@pytest.mark.parametrize("error", RETRYABLE_OUTCOMES, ids=repr)
def test_no_attempts_left_raises(error: InvoError) -> None:
    assert decide(error, 2) is not None
    assert decide(error, 3) is None
    assert decide(error, 0, policy=POLICY.replace(max_retries=0)) is None


# -- backoff -----------------------------------------------------------------------------------


def test_backoff_is_exponential_with_equal_jitter_and_capped() -> None:
    low = RetryPolicy(base_delay=0.25, max_backoff=8.0, random=lambda: 0.0)
    high = low.replace(random=lambda: 0.999999)
    for attempt, ceiling in enumerate([0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]):
        assert low.backoff(attempt) == ceiling / 2
        assert ceiling / 2 < high.backoff(attempt) < ceiling


def test_zero_base_delay_never_waits() -> None:
    policy = RetryPolicy(base_delay=0, random=lambda: 0.7)
    assert policy.decide(idempotent=True, error=status(503), attempt=0) == 0.0


# -- the object ------------------------------------------------------------------------------


@pytest.mark.parametrize("changes", [{"max_retries": -1}, {"max_retries": True},
                                     {"max_retries": 1.5}, {"base_delay": -0.1},
                                     {"base_delay": float("nan")}, {"max_retry_after": "20"}],
                         ids=repr)
def test_bad_settings_are_configuration_errors(changes: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError) as info:
        POLICY.replace(**changes)
    assert isinstance(info.value, ValueError) and info.value.code == "INVALID_CONFIGURATION"


def test_policy_is_frozen_and_its_sleep_is_injectable() -> None:
    slept: list[float] = []
    policy = RetryPolicy(sleep=slept.append)
    with pytest.raises(AttributeError):
        policy.max_retries = 5  # type: ignore[misc]
    policy.sleep(0.25)
    assert slept == [0.25]


def test_client_builds_its_policy_from_the_constructor_arguments() -> None:
    invo = InvoServer("ivsdk_test_x", max_retries=4, retry_base_delay=0.5)
    policy = invo._options.retry
    assert (policy.max_retries, policy.base_delay) == (4, 0.5)
    assert invo.with_options(max_retries=1)._options.retry.max_retries == 1
    assert invo._options.retry.max_retries == 4
    invo.close()
