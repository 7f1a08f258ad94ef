"""The classifier properties that are not rule A (players-purchases-reads.md §2, §2.1).

One test per property, with the negative cases its rule implies: another status, a bool
where a number is wanted, blank strings, a body that is not an object.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invonetwork._classifiers import ErrorClassifiers

from .support import _E, CHANGED, NAMED_ELSEWHERE, OTHER_48, RULE_A_NAMES, err

NOT_OBJECTS: list[Any] = [None, "text body", ["a", "list"], 42]
ALL_NAMES = RULE_A_NAMES + OTHER_48 + CHANGED


# -- the set of names ---------------------------------------------------------------------------


def test_the_mixin_has_exactly_the_listed_names() -> None:
    public = {name for name in dir(ErrorClassifiers) if not name.startswith("_")}
    assert len(OTHER_48) == len(set(OTHER_48)) == 48
    assert public == set(ALL_NAMES)


@pytest.mark.parametrize("name", sorted(set(NAMED_ELSEWHERE)))
def test_every_classifier_the_api_names_exists(name: str) -> None:
    getattr(err(), name)  # raises AttributeError when missing


@pytest.mark.parametrize("name", ALL_NAMES)
def test_every_classifier_is_documented_and_read_only(name: str) -> None:
    assert (getattr(ErrorClassifiers, name).__doc__ or "").strip()
    error = err()
    with pytest.raises(AttributeError):
        setattr(error, name, True)
    with pytest.raises(AttributeError):
        delattr(error, name)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_no_classifier_fires_on_a_plain_error(name: str) -> None:
    value = getattr(_E("nothing to see"), name)
    assert value in (False, None, []), name


@pytest.mark.parametrize("body", NOT_OBJECTS)
@pytest.mark.parametrize("name", OTHER_48 + CHANGED)
def test_body_rules_ignore_a_body_that_is_not_an_object(name: str, body: Any) -> None:
    assert getattr(err(status=409, body=body), name) in (False, None, [])


def test_docs_list_every_classifier() -> None:
    page = (Path(__file__).parents[2] / "docs" / "errors.md").read_text(encoding="utf-8")
    section = page[page.index("## Classifiers by area"):]
    missing = [name for name in ALL_NAMES if f"`{name}`" not in section]
    assert missing == []


# -- changed rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(("error", "expected"), [
    (err(code="INSUFFICIENT_BALANCE", status=400), True),
    (err(status=400, body={"required_amount": "5.00"}), True),
    (err(status=400, body={"current_balance": "0.00"}), True),
    (err(status=400, body={"current_balance": None}), True),  # "has the key"
    (err("Insufficient Balance", status=400), True),
    (err("error: INSUFFICIENT_BALANCE", status=400), True),
    (err("insufficient  balance", status=400), False),
    (err(status=400, body={"balance": "0.00"}), False),
    (err(status=400, body="current_balance required_amount"), False),
    (err(status=400, body=[{"current_balance": 0}]), False),
    (err(code="INSUFFICIENT_BALANCE", status=429), False),
    (err(status=429, body={"current_balance": "0"}), False),
    (err("insufficient_balance_blocked", status=429), False),
    (err(code="INSUFFICIENT_BALANCE"), False),  # status 0
])
def test_is_insufficient_balance(error: Any, expected: bool) -> None:
    assert error.is_insufficient_balance is expected


@pytest.mark.parametrize(("error", "expected"), [
    (err(code="DUPLICATE_REQUEST"), True),
    (err(code="DUPLICATE_CLIENT_REQUEST_ID", status=409), True),
    (err(code="DUPLICATE_CLIENT_REQUEST_ID", status=400), True),
    (err("Duplicate request", status=409), True),
    (err("a DUPLICATE key", status=409), True),
    (err("Duplicate request", status=400), False),
    (err(code="duplicate_request", status=400), False),
    (err(status=409, body={"error": "duplicate"}), False),
    (err(raw_code="DUPLICATE_CLIENT_REQUEST_ID", status=400), False),
])
def test_is_duplicate_request(error: Any, expected: bool) -> None:
    assert error.is_duplicate_request is expected


@pytest.mark.parametrize(("body", "header", "expected"), [
    ({"retry_after": 5}, None, 5.0),
    ({"retry_after": 2.5}, "9", 2.5),  # the body wins
    ({"retry_after": "7"}, None, 7.0),
    ({"retry_after": 0}, "9", 0.0),
    ({"retry_after": True}, None, None),
    ({"retry_after": True}, "4", 4.0),  # a bool is not a number: the header speaks
    ({"retry_after": -1}, "3", 3.0),
    ({"retry_after": float("nan")}, None, None),
    ({"retry_after": "inf"}, None, None),
    ({"retry_after": "2026-12-01T10:00:00Z"}, "30", 30.0),
    ({}, "120", 120.0),
    ({}, "1.5", 1.5),
    ({}, " 8 ", 8.0),
    (None, "8", 8.0),
    ("text", "8", 8.0),
    ({}, "-1", None),
    ({}, "+1", None),
    ({}, "1e3", None),
    ({}, "1.", None),
    ({}, ".5", None),
    ({}, "", None),
    ({}, "   ", None),
    ({}, "Wed, 21 Oct 2015 07:28:00 GMT", None),
    ({}, "\u0665", None),  # an Arabic-Indic digit is not an ASCII digit
    ({}, "9" * 400, None),  # digits, but not a finite float
    ({}, None, None),
])
def test_retry_after(body: Any, header: Any, expected: Any) -> None:
    assert err(status=429, body=body, retry_after_header=header).retry_after == expected


@given(seconds=st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_retry_after_reads_any_non_negative_number_and_its_string(seconds: float) -> None:
    assert err(body={"retry_after": seconds}).retry_after == seconds
    assert err(body={"retry_after": repr(seconds)}).retry_after == seconds
    assert err(body={"retry_after": -seconds - 0.5}).retry_after is None


@given(text=st.from_regex(r"\A[0-9]{1,9}(\.[0-9]{1,6})?\Z"))
def test_retry_after_reads_a_seconds_header(text: str) -> None:
    assert err(body={}, retry_after_header=text).retry_after == float(text)


@given(text=st.text(max_size=12).filter(lambda t: not t.strip().replace(".", "", 1).isdigit()))
def test_retry_after_ignores_a_header_that_is_not_seconds(text: str) -> None:
    assert err(body={}, retry_after_header=text).retry_after is None


def test_retry_after_without_the_header_attribute() -> None:
    assert _E("m", body={"retry_after": 3}).retry_after == 3.0
    assert _E("m", body={}).retry_after is None


# -- players and phones ----------------------------------------------------------------------------


def test_is_player_not_found() -> None:
    assert err(code="PLAYER_NOT_FOUND", status=404).is_player_not_found
    assert err(code="PLAYER_NOT_FOUND", status=400).is_player_not_found
    assert err(status=404, body={"error": "player_not_found"}).is_player_not_found
    assert not err(status=400, body={"error": "player_not_found"}).is_player_not_found
    assert not err(status=404, body={"error": "PLAYER_NOT_FOUND"}).is_player_not_found
    assert not err(status=404, body={"code": "PLAYER_NOT_FOUND"}).is_player_not_found
    assert not err(status=404, body="player_not_found").is_player_not_found
    assert not err(status=404).is_player_not_found


def test_is_phone_mismatch() -> None:
    assert err(code="PHONE_MISMATCH", status=409).is_phone_mismatch
    assert err(code="INVALID_AMOUNT", body={"error_code": "PHONE_MISMATCH"}).is_phone_mismatch
    assert not err(code="phone_mismatch").is_phone_mismatch
    assert not err(body={"code": "PHONE_MISMATCH"}).is_phone_mismatch
    assert not err(body="PHONE_MISMATCH").is_phone_mismatch


def test_is_phone_share_refused() -> None:
    error = err(code="PHONE_SHARE_APPROVAL_REQUIRED", status=409)
    assert error.is_phone_share_refused and error.is_phone_share_approval_required
    assert not err(code="PHONE_SHARE_ALREADY_APPROVED", status=409).is_phone_share_refused


@pytest.mark.parametrize(("name", "key"), [
    ("phone_share_last4", "phone_last4"),
    ("change_request_endpoint", "change_request_endpoint"),
    ("enforced_from", "enforced_from"),
    ("game_status", "game_status"),
    ("steam_transferable_max", "transferable_max"),
    ("steam_origin_amount", "steam_origin_amount"),
    ("device_approval_expires_at", "expires_at"),
    ("error_ref", "error_ref"),
    ("existing_subscription_id", "subscription_id"),
    ("refund_request_id", "request_id"),
    ("decision_reason", "decision_reason"),
    ("period_charged_at", "period_charged_at"),
    ("refund_window_closed_at", "window_closed_at"),
])
def test_body_text(name: str, key: str) -> None:
    """"text": a non-empty string as sent, else None."""
    assert getattr(err(body={key: "4821"}), name) == "4821"
    assert getattr(err(body={key: " "}), name) == " "  # non-empty, kept as sent
    for value in ("", None, 4821, 12.5, True, ["x"], {"x": 1}):
        assert getattr(err(body={key: value}), name) is None
    assert getattr(err(body={}), name) is None
    assert getattr(err(body=f"{key}: 4821"), name) is None


def test_refund_request_id_is_not_the_backend_request_id() -> None:
    error = _E("m", status=409, body={}, request_id="req-backend")
    assert error.refund_request_id is None
    assert err(body={"request_id": "rr_1"}).refund_request_id == "rr_1"


def test_is_phone_change_needs_support() -> None:
    for code in ("STEP_UP_UNAVAILABLE", "IDENTITY_COLLISION", "AMBIGUOUS_IDENTITY"):
        assert err(code=code, status=409).is_phone_change_needs_support
    assert not err(code="PHONE_CHANGE_LOCKED", status=409).is_phone_change_needs_support
    assert not err(body={"code": "IDENTITY_COLLISION"}).is_phone_change_needs_support


def test_is_phone_change_unavailable() -> None:
    for code in ("PHONE_CHANGE_UNAVAILABLE", "CONFIRMATION_EMAIL_UNAVAILABLE"):
        assert err(code=code, status=503).is_phone_change_unavailable
    assert not err(code="PHONE_UPDATE_UNAVAILABLE", status=503).is_phone_change_unavailable
    assert not err(status=503).is_phone_change_unavailable


def test_is_reward_unavailable() -> None:
    assert err(code="inventory_exhausted", status=409).is_reward_unavailable
    assert err(code="conflict", status=409).is_reward_unavailable
    assert not err(code="INVENTORY_EXHAUSTED", status=409).is_reward_unavailable
    assert not err(code="CONFLICT", status=409).is_reward_unavailable
    assert not err(status=409).is_reward_unavailable


def test_is_rate_limited() -> None:
    assert err(code="RATE_LIMITED", status=429).is_rate_limited
    assert err(code="rate_limited", status=503).is_rate_limited
    assert err(code="TOO_MANY_CHANGE_REQUESTS", status=429).is_rate_limited
    assert err(status=429).is_rate_limited
    assert not err(code="Rate_Limited", status=400).is_rate_limited
    assert not err(status=503, body={"error": "rate_limited"}).is_rate_limited
    assert not err("rate limited", status=400).is_rate_limited


def test_is_flow_paused() -> None:
    assert err(code="flow_paused", status=503).is_flow_paused
    assert err(code="FLOW_PAUSED", status=503).is_flow_paused
    assert not err(code="Flow_Paused", status=503).is_flow_paused
    assert not err(status=503).is_flow_paused


@pytest.mark.parametrize("where", ["code", "raw_code", "public_code", "body.error_code",
                                   "body.code"])
def test_is_key_for_other_environment(where: str) -> None:
    wanted = "KEY_FOR_OTHER_ENVIRONMENT"
    fields: dict[str, Any] = {"status": 401, "raw_code": None}
    if where.startswith("body."):
        fields["body"] = {where[5:]: wanted}
    else:
        fields[where] = wanted
    assert err(**fields).is_key_for_other_environment
    assert not err(status=401, body={"error": wanted}).is_key_for_other_environment
    assert not err(status=401, code="key_for_other_environment").is_key_for_other_environment
    assert not err(status=401, body=wanted).is_key_for_other_environment


@pytest.mark.parametrize(("name", "code"), [
    ("is_checkout_session_mismatch", "SESSION_MISMATCH"),
    ("is_checkout_session_expired", "SESSION_EXPIRED"),
    ("is_user_verification_required", "WEBAUTHN_UV_REQUIRED"),
    ("is_not_platform_tenant", "NOT_A_PLATFORM_TENANT"),
])
def test_renamed_single_code(name: str, code: str) -> None:
    assert getattr(err(code=code, status=403), name) is True
    assert getattr(err(code=code.lower(), status=403), name) is False
    assert getattr(err(body={"code": code}, status=403), name) is False
    assert getattr(err(raw_code=code, public_code=code), name) is False


# -- card purchases -----------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["BELOW_CARD_MINIMUM", "BELOW_STRIPE_MINIMUM"])
@pytest.mark.parametrize("where", ["code", "raw_code", "public_code"])
def test_is_below_card_minimum(code: str, where: str) -> None:
    fields: dict[str, Any] = {"status": 400, "raw_code": None, where: code}
    assert err(**fields).is_below_card_minimum


def test_is_below_card_minimum_negative() -> None:
    assert not err(status=400, body={"code": "BELOW_CARD_MINIMUM"}).is_below_card_minimum
    assert not err(status=400, body={"error_code": "BELOW_STRIPE_MINIMUM"}).is_below_card_minimum
    assert not err(code="below_card_minimum", status=400).is_below_card_minimum
    assert not err(code="ABOVE_CARD_MAXIMUM", status=400).is_below_card_minimum


@pytest.mark.parametrize(("value", "expected"), [
    (0.5, "0.50"),
    (2.99, "2.99"),
    (3, "3.00"),
    (2.995, "3.00"),  # half up on the decimal written, not the binary float
    (0, "0.00"),
    (1e16, "10000000000000000.00"),
    ("2.99", "2.99"),
    ("about two dollars", "about two dollars"),
    (" ", " "),
    ("", None),
    (True, None),
    (False, None),
    (None, None),
    (float("nan"), None),
    (float("inf"), None),
    ([2.99], None),
])
def test_min_usd(value: Any, expected: Any) -> None:
    assert err(status=400, body={"min_usd": value}).min_usd == expected


@given(cents=st.integers(min_value=0, max_value=10**12))
def test_min_usd_keeps_every_two_decimal_amount(cents: int) -> None:
    amount = cents / 100
    assert err(body={"min_usd": amount}).min_usd == f"{cents // 100}.{cents % 100:02d}"


@pytest.mark.parametrize("name", ["expected_total_usd", "acknowledged_total_usd",
                                  "untaxed_total_usd"])
@pytest.mark.parametrize(("value", "expected"), [
    ("12.34", "12.34"),
    ("", ""),
    (12, "12"),
    (12.5, "12.5"),
    (True, None),
    (False, None),
    (None, None),
    (float("nan"), None),
    (float("inf"), None),
    ({"usd": "1"}, None),
])
def test_totals(name: str, value: Any, expected: Any) -> None:
    assert getattr(err(status=409, body={name: value}), name) == expected


def test_is_amount_below_minimum() -> None:
    assert err(code="AMOUNT_BELOW_MINIMUM", status=400).is_amount_below_minimum
    assert err(code="INVALID_AMOUNT", status=400,
               body={"error_code": "AMOUNT_BELOW_MINIMUM"}).is_amount_below_minimum
    assert not err(code="INVALID_AMOUNT", body={"code": "AMOUNT_BELOW_MINIMUM"}
                   ).is_amount_below_minimum
    assert not err(code="AMOUNT_ABOVE_MAXIMUM").is_amount_below_minimum
    assert not err(body="AMOUNT_BELOW_MINIMUM").is_amount_below_minimum


def test_is_amount_above_maximum() -> None:
    assert err(code="AMOUNT_ABOVE_MAXIMUM", status=400).is_amount_above_maximum
    assert err(code="INVALID_AMOUNT", body={"error_code": "AMOUNT_ABOVE_MAXIMUM"}
               ).is_amount_above_maximum
    assert not err(code="AMOUNT_BELOW_MINIMUM").is_amount_above_maximum
    assert not err(body={"error_code": "amount_above_maximum"}).is_amount_above_maximum


@pytest.mark.parametrize(("name", "key"), [
    ("minimum_amount", "minimum_amount"),
    ("maximum_amount", "maximum_amount"),
    ("limit_currency_name", "currency_name"),
])
def test_limits_any_string(name: str, key: str) -> None:
    assert getattr(err(body={key: "10.00"}), name) == "10.00"
    assert getattr(err(body={key: ""}), name) == ""  # "a string": even an empty one
    for value in (10, 10.0, True, None, ["10"]):
        assert getattr(err(body={key: value}), name) is None


@pytest.mark.parametrize(("value", "expected"), [
    ("2026-12-02T10:00:00Z", "2026-12-02T10:00:00Z"),
    ("tomorrow", "tomorrow"),
    ("30", None),
    (" 2.5 ", None),
    ("1e3", None),
    ("nan", None),  # parses as a float
    ("", None),
    ("   ", None),
    (30, None),
    (True, None),
    (None, None),
])
def test_retry_after_at(value: Any, expected: Any) -> None:
    assert err(status=403, body={"retry_after": value}).retry_after_at == expected


def test_is_partner_settlement_unavailable() -> None:
    for code in ("PARTNER_RAIL_SUSPENDED", "PARTNER_CREDIT_UNAVAILABLE"):
        error = err(code=code, status=409)
        assert error.is_partner_settlement_unavailable
    assert not err(code="PARTNER_BILLING_NOT_SET_UP").is_partner_settlement_unavailable


# -- Steam authorization ------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "pending", "dead"), [
    ({"status": "not_authorized", "steam_status": "Init"}, True, False),
    ({"status": "not_authorized", "steam_status": "INIT"}, True, False),
    ({"status": "not_authorized", "steam_status": ""}, True, False),
    ({"status": "not_authorized"}, True, False),
    ({"status": "not_authorized", "steam_status": None}, True, False),
    ({"status": "not_authorized", "steam_status": 3}, True, False),  # not a string: missing
    ({"status": "not_authorized", "steam_status": "Failed"}, False, True),
    ({"status": "not_authorized", "steam_status": "Chargedback"}, False, True),
    ({"status": "not_authorized", "steam_status": " "}, False, True),
    ({"status": "not_authorized", "steam_status": "Initiated"}, False, True),
    ({"status": "NOT_AUTHORIZED", "steam_status": "Init"}, False, False),
    ({"status": "pending", "steam_status": "Failed"}, False, False),
    ({"steam_status": "Failed"}, False, False),
    ("not_authorized", False, False),
])
def test_steam_authorization(body: Any, pending: bool, dead: bool) -> None:
    error = err(status=409, body=body)
    assert error.is_steam_authorization_pending is pending
    assert error.is_steam_authorization_dead is dead


def test_steam_authorization_pending_by_code() -> None:
    error = err(code="STEAM_AUTHORIZATION_PENDING", status=409)
    assert error.is_steam_authorization_pending and not error.is_steam_authorization_dead


# -- settle ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("message", "expected_status"), [
    ("Transaction not pending (current status: completed)", "completed"),
    ("transaction NOT PENDING (status: refunded)", "refunded"),
    ("Transfer cannot be confirmed (current status:  expired )", "expired"),
    ("It cannot be confirmed now (Status: cancelled)", "cancelled"),
])
def test_is_transaction_not_pending_by_message(message: str, expected_status: str) -> None:
    error = err(message, status=400)
    assert error.is_transaction_not_pending
    assert error.current_transaction_status == expected_status
    assert not err(message, status=409).is_transaction_not_pending
    assert not err(message, status=0).is_transaction_not_pending


@pytest.mark.parametrize("message", [
    "Transaction not pending",  # no status clause
    "Transaction not pending (current status: )",  # a clause naming nothing
    "The transaction not pending (status: completed)",  # not at the start
    "Transaction not pendingx (status: completed)",  # not a whole word
    "Transfer cannot be confirmedx (status: completed)",
    "Transfer can't be confirmed (status: completed)",
    "Transfer cannot be confirmed (state: completed)",
])
def test_is_transaction_not_pending_negative(message: str) -> None:
    assert not err(message, status=400).is_transaction_not_pending


def test_is_transaction_not_pending_by_code() -> None:
    assert err(code="TRANSACTION_NOT_PENDING", status=409).is_transaction_not_pending
    assert not err(code="transaction_not_pending", status=409).is_transaction_not_pending


_WORDS = st.text(alphabet=st.characters(blacklist_characters="()\n", max_codepoint=0x24F),
                 max_size=20)
_STATUS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_ ", min_size=1, max_size=15).filter(
    lambda text: text.strip()
)


@given(
    opening=st.sampled_from(["Transaction not pending", "TRANSACTION NOT PENDING",
                             "transaction not pending:", "This move cannot be confirmed",
                             "CANNOT BE CONFIRMED"]),
    middle=_WORDS,
    clause=st.sampled_from(["(current status: {})", "(status: {})", "(Current Status:{})"]),
    status_word=_STATUS,
    tail=_WORDS,
)
def test_transaction_not_pending_clause_pattern(
    opening: str, middle: str, clause: str, status_word: str, tail: str
) -> None:
    message = f"{opening} {middle} {clause.format(status_word)}{tail}"
    error = err(message, status=400)
    assert error.is_transaction_not_pending
    assert error.current_transaction_status == status_word.strip()
    assert not err(message, status=409).is_transaction_not_pending
    without_clause = f"{opening} {middle}{tail}"
    assert not err(without_clause, status=400).is_transaction_not_pending


def test_current_transaction_status() -> None:
    both = err("Transaction not pending (status: completed)", status=400,
               body={"current_status": "refunded"})
    assert both.current_transaction_status == "refunded"  # the body wins
    assert err(body={"current_status": ""}).current_transaction_status is None
    assert err(body={"current_status": 5}).current_transaction_status is None
    first = err("x (status: ) then (current status: a) (status: b)")
    assert first.current_transaction_status == "a"
    assert err("no clause", body="current_status").current_transaction_status is None


def test_is_settle_fault() -> None:
    for code in ("SEND_APPROVE_FAILED", "TRANSFER_APPROVE_FAILED", "CONFIRM_RECEIPT_FAILED"):
        assert err(code=code, status=400).is_settle_fault
    assert not err(code="SEND_APPROVE_FAILED_", status=400).is_settle_fault
    assert not err(code="send_approve_failed", status=400).is_settle_fault


# -- refunds and subscriptions --------------------------------------------------------------------


@pytest.mark.parametrize(("error", "expected"), [
    (err(code="ALREADY_REFUNDED", status=409), True),
    (err(code="ALREADY_REFUNDED", status=400), True),
    (err("Order already refunded", status=409), True),
    (err("ALREADY\tREFUNDED", status=409), True),
    (err("Order already refunded", status=400), False),
    (err("already-refunded", status=409), False),
    (err("Order already refunded", code="REFUND_REMAINING_REQUIRES_CONFIRMATION",
         status=409), False),
    (err("already refunded", code="REFUND_RECENTLY_ISSUED", status=409), False),
    (err(status=409, body={"error": "already refunded"}), False),
])
def test_is_already_refunded(error: Any, expected: bool) -> None:
    assert error.is_already_refunded is expected


@pytest.mark.parametrize(("value", "expected"), [
    (["amount_usd", "interval"], ["amount_usd", "interval"]),
    ([], []),
    (["amount_usd", 3, None, "wallet_only"], ["amount_usd", "wallet_only"]),
    (("amount_usd",), []),  # a list only
    ("amount_usd", []),
    (None, []),
])
def test_mismatched_fields(value: Any, expected: list[str]) -> None:
    error = err(code="IDEMPOTENT_REPLAY_MISMATCH", status=409,
                body={"mismatched_fields": value})
    assert error.mismatched_fields == expected


def test_mismatched_fields_is_a_fresh_list() -> None:
    body = {"mismatched_fields": ["interval"]}
    error = err(body=body)
    error.mismatched_fields.append("changed")
    assert error.mismatched_fields == ["interval"] and body["mismatched_fields"] == ["interval"]


def test_is_consent_disclosed_trial_invalid() -> None:
    for part in ("AMOUNT", "DAYS", "END"):
        code = f"CONSENT_DISCLOSED_TRIAL_{part}_INVALID"
        assert err(code=code, status=400).is_consent_disclosed_trial_invalid
    assert not err(code="CONSENT_DISCLOSED_TRIAL_INVALID").is_consent_disclosed_trial_invalid
    assert not err(code="TRIAL_AMOUNT_INVALID").is_consent_disclosed_trial_invalid


def test_is_not_authorized() -> None:
    assert err(status=409, body={"status": "not_authorized"}).is_not_authorized
    assert err(code="not_authorized", status=409).is_not_authorized
    assert not err(code="NOT_AUTHORIZED", status=409).is_not_authorized
    assert not err(status=409, body={"status": "Not_Authorized"}).is_not_authorized
    assert not err(status=409, body={"error": "not_authorized"}).is_not_authorized
    assert not err("not_authorized", status=409).is_not_authorized


@pytest.mark.parametrize(("value", "expected"), [
    (14, 14),
    (0, 0),
    (True, None),
    (False, None),
    (14.0, None),
    ("14", None),
    (None, None),
])
def test_refund_window_days(value: Any, expected: Any) -> None:
    assert err(status=409, body={"refund_window_days": value}).refund_window_days == expected


@given(st.one_of(st.integers(), st.floats(), st.text(), st.booleans(), st.none()))
def test_refund_window_days_is_an_int_or_none(value: Any) -> None:
    got = err(body={"refund_window_days": value}).refund_window_days
    expected = value if type(value) is int else None
    assert got == expected and type(got) is type(expected)

