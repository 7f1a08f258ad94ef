"""How an answer's body becomes ``code``, ``raw_code``, ``public_code`` and ``message``
(players-purchases-reads.md §2), through the functions ``error_from_response`` calls."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invonetwork._classifiers import (
    PROMOTED_ERROR_TOKENS,
    ErrorFields,
    code_from_body,
    error_fields_from_body,
    message_from_body,
    parse_retry_after,
    parse_retry_after_header,
    promoted_token,
    public_code_from_body,
    raw_code_from_body,
    retry_after_seconds,
)

from .support import err

TOKENS = [
    "flow_paused", "spending_limit_exceeded", "receiver_not_enrolled_use_claim_code",
    "no_channel_on_file", "rate_limited", "service_unavailable", "authorization_pending",
    "slow_down", "expired_token", "access_denied", "invalid_grant",
]


def test_the_eleven_tokens() -> None:
    assert set(TOKENS) == PROMOTED_ERROR_TOKENS and len(PROMOTED_ERROR_TOKENS) == 11


# wire = raw_code_from_body (code, else error_code); raw = ErrorFields.raw_code (wire, else code)
@pytest.mark.parametrize(("body", "code", "wire", "raw", "public"), [
    ({"error_code_public": "BELOW_CARD_MINIMUM", "code": "BELOW_STRIPE_MINIMUM",
      "error_code": "E"},
     "BELOW_CARD_MINIMUM", "BELOW_STRIPE_MINIMUM", "BELOW_STRIPE_MINIMUM", "BELOW_CARD_MINIMUM"),
    ({"error_code_public": "P", "error_code": "E"}, "P", "E", "E", "P"),
    ({"error_code_public": "P"}, "P", None, "P", "P"),
    ({"code": "C", "error_code": "E"}, "C", "C", "C", None),
    ({"error_code": "E"}, "E", "E", "E", None),
    ({"code": "", "error_code": "E"}, "E", "E", "E", None),  # empty strings are no code
    ({"error_code_public": "", "code": "C"}, "C", "C", "C", None),
    ({"error_code_public": 7, "code": ["x"], "error_code": "E"}, "E", "E", "E", None),
    ({"code": None, "error_code": True}, None, None, None, None),
    ({"error": "flow_paused"}, "flow_paused", None, "flow_paused", None),
    ({"error": "flow_paused", "code": "C"}, "C", "C", "C", None),
    ({"error": "flow_paused", "error_code_public": "P"}, "P", None, "P", "P"),
    ({"error": "Flow_Paused"}, None, None, None, None),
    ({"error": " flow_paused"}, None, None, None, None),
    ({"error": "player_not_found"}, None, None, None, None),
    ({}, None, None, None, None),
    (None, None, None, None, None),
    ("error_code_public: P", None, None, None, None),
    (["code", "C"], None, None, None, None),
])
def test_code_raw_code_and_public_code(
    body: Any, code: Any, wire: Any, raw: Any, public: Any
) -> None:
    fields = error_fields_from_body(409, body)
    assert (fields.code, fields.raw_code, fields.public_code) == (code, raw, public)
    assert code_from_body(body) == code
    assert raw_code_from_body(body) == wire
    assert public_code_from_body(body) == public


@pytest.mark.parametrize("token", TOKENS)
def test_every_token_is_promoted_with_its_message(token: str) -> None:
    body = {"error": token, "message": "Slow down a little."}
    assert promoted_token(body) == token
    assert error_fields_from_body(429, body) == ErrorFields(
        code=token, raw_code=token, public_code=None, message="Slow down a little."
    )


@pytest.mark.parametrize(("body", "message"), [
    ({"error": "rate_limited", "message": "Too many."}, "Too many."),
    ({"error": "rate_limited", "message": ""}, "rate_limited"),
    ({"error": "rate_limited", "message": "   "}, "rate_limited"),
    ({"error": "rate_limited", "message": 5}, "rate_limited"),
    ({"error": "rate_limited"}, "rate_limited"),
    # not promoted: the plain rule, body error first
    ({"error": "Card declined", "message": "Try another card."}, "Card declined"),
    ({"code": "C", "error": "rate_limited", "message": "Too many."}, "rate_limited"),
    ({"message": "Only a message."}, "Only a message."),
    ({"error": "  ", "message": "Fallback."}, "Fallback."),
    ({"error": 3}, "INVO request failed (HTTP 418)"),
    ({}, "INVO request failed (HTTP 418)"),
    ("Bad gateway page", "Bad gateway page"),
    ("   ", "INVO request failed (HTTP 418)"),
    (None, "INVO request failed (HTTP 418)"),
    ([1, 2], "INVO request failed (HTTP 418)"),
])
def test_message(body: Any, message: str) -> None:
    assert message_from_body(418, body) == message
    assert error_fields_from_body(418, body).message == message


@given(token=st.sampled_from(TOKENS), text=st.text(min_size=1).filter(str.strip))
def test_a_promoted_token_takes_any_non_blank_body_message(token: str, text: str) -> None:
    assert message_from_body(503, {"error": token, "message": text}) == text


@given(error=st.text().filter(lambda text: text not in PROMOTED_ERROR_TOKENS))
def test_no_other_error_value_is_promoted(error: str) -> None:
    assert promoted_token({"error": error}) is None
    assert code_from_body({"error": error}) is None


def test_fields_feed_the_classifiers() -> None:
    body = {"code": "BELOW_STRIPE_MINIMUM", "error_code_public": "BELOW_CARD_MINIMUM",
            "error": "Below the card minimum", "min_usd": 0.5}
    fields = error_fields_from_body(400, body)
    error = err(fields.message, code=fields.code, status=400, body=body,
                raw_code=fields.raw_code, public_code=fields.public_code)
    assert error.is_below_card_minimum and error.min_usd == "0.50"
    assert str(error) == "Below the card minimum"

    body = {"error": "rate_limited", "message": "Easy.", "retry_after": "2"}
    fields = error_fields_from_body(429, body)
    error = err(fields.message, code=fields.code, status=429, body=body,
                raw_code=fields.raw_code, retry_after_header="9")
    assert error.is_rate_limited and error.retry_after == 2.0 and str(error) == "Easy."


def test_retry_after_functions() -> None:
    assert parse_retry_after("3") == 3.0 and parse_retry_after(True) is None
    assert parse_retry_after_header("3.25") == 3.25 and parse_retry_after_header(3) is None
    assert retry_after_seconds({"retry_after": "x"}, "4") == 4.0
    assert retry_after_seconds("retry_after=1", None) is None
