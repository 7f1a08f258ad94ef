"""``server.payouts`` on the wire: exact requests, checks in order, retries, readers."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

import invonetwork
import invonetwork.payouts
from invonetwork import (
    PAYEE_STATUSES,
    PAYOUT_STATUSES,
    InvoError,
    InvoServer,
    Payee,
    PayeeInvite,
    PayeeList,
    PayeeRegistration,
    Payout,
    PayoutList,
    PayoutRequestResult,
    Payouts,
)
from invonetwork.payouts import RETURN_REASON_CODES

BASE = "https://sandbox.invo.network/sandbox"
SECRET = "ivsdk_test_payouts0123456789"
PAYEE = {"payee_id": "cp_1", "status": "invited", "partner_reference": "ref-1",
         "legal_name": "Ada L", "email": "ada@creators.test", "country": "US",
         "payee_type": "individual", "payable": False,
         "payable_blockers": ["not_verified", "bank_not_verified"]}
PAYOUT = {"payout_id": 7, "status": "requested", "requested_amount_usd": "250.00",
          "offboarding_fee_usd": "10.00", "net_payout_usd": "240.00", "payee_id": "cp_1",
          "contact_email": "ops@studio.test", "owner_confirmation_required": True}


@pytest.fixture
def rsps() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def invo() -> Iterator[InvoServer]:
    client = InvoServer(SECRET, BASE, retry_base_delay=0)
    yield client
    client.close()


def _sent(rsps: responses.RequestsMock, index: int = -1) -> Any:
    return rsps.calls[index].request


def _body(rsps: responses.RequestsMock, index: int = -1) -> Any:
    raw = _sent(rsps, index).body
    return None if raw is None else json.loads(raw)


# -- public names -------------------------------------------------------------------------------


def test_public_names_and_constants() -> None:
    assert type(InvoServer(SECRET, BASE).payouts) is Payouts
    assert invonetwork.PAYEE_STATUSES == PAYEE_STATUSES == (
        "invited", "details_submitted", "verified", "rejected", "suspended", "expired", "closed")
    assert "returned" in PAYOUT_STATUSES and "cancelled" in PAYOUT_STATUSES
    assert len(PAYOUT_STATUSES) == 8
    assert RETURN_REASON_CODES[-1] == "returned" and "account_closed" in RETURN_REASON_CODES
    assert invonetwork.payouts.PAYEE_STATUSES is PAYEE_STATUSES
    assert invonetwork.payouts.Payouts is Payouts  # INVO's client exports it there too
    with pytest.raises(AttributeError):
        invonetwork.payouts.Nothing  # noqa: B018


#: Every method of the namespace and one valid call of it (the catalogue: a new public method
#: fails the test below until it is listed).
CALLS: dict[str, dict[str, Any]] = {
    "register_payee": dict(partner_reference="ref-1", legal_name="Ada", email="a@x.test",
                           country="US", payee_type="individual"),
    "list_payees": {},
    "get_payee": dict(payee_id="cp_1"),
    "resend_payee_invite": dict(payee_id="cp_1"),
    "remove_payee": dict(payee_id="cp_1"),
    "request_payout": dict(amount_usd="250", contact_email="ops@studio.test", payee_id="cp_1"),
    "get_payout": dict(payout_id=7),
    "list_payouts": {},
    "cancel_payout": dict(payout_id=7),
}


def test_the_catalogue_lists_every_public_method() -> None:
    public = {name for name, _ in inspect.getmembers(Payouts, inspect.isfunction)
              if not name.startswith("_")}
    assert public == set(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_method_answers_a_typed_mapping_result(
    rsps: responses.RequestsMock, invo: InvoServer, name: str
) -> None:
    body = {"payee": PAYEE, "invite": {"sent": True}, "duplicate": False, "total": 1,
            "limit": 50, "offset": 0, "items": [PAYEE], "payout_request": PAYOUT}
    for method in (responses.GET, responses.POST):
        rsps.add(method, re.compile(r".*/api/partner-pay.*"), json=body,
                 headers={"x-invo-request-id": "req_1"})
    result = getattr(invo.payouts, name)(**CALLS[name])
    assert hasattr(result, "raw") and result.request_id == "req_1"
    assert len(result) >= 1 and list(result) == list(result.keys())


# -- exact requests -----------------------------------------------------------------------------


def test_register_payee_sends_trimmed_text(rsps: responses.RequestsMock,
                                           invo: InvoServer) -> None:
    rsps.add(responses.POST, BASE + "/api/partner-payees",
             json={"payee": PAYEE, "invite": {"sent": True}, "duplicate": False})
    invo.payouts.register_payee(partner_reference=" ref-1 ", legal_name=" Ada L ",
                                email=" ada@creators.test ", country=" US ",
                                payee_type="individual")
    sent = _sent(rsps)
    assert sent.headers["X-Game-Secret-Key"] == SECRET
    assert _body(rsps) == {"partner_reference": "ref-1", "legal_name": "Ada L",
                           "email": "ada@creators.test", "country": "US",
                           "payee_type": "individual"}
    assert list(_body(rsps)) == ["partner_reference", "legal_name", "email", "country",
                                 "payee_type"]


def test_list_queries_in_order_and_only_when_given(rsps: responses.RequestsMock,
                                                   invo: InvoServer) -> None:
    rsps.add(responses.GET, BASE + "/api/partner-payees", json={})
    rsps.add(responses.GET, BASE + "/api/partner-payouts", json={})
    invo.payouts.list_payees()
    assert _sent(rsps).url == BASE + "/api/partner-payees"
    invo.payouts.list_payees(limit=10, offset=0, status="verified")
    assert _sent(rsps).url == BASE + "/api/partner-payees?limit=10&offset=0&status=verified"
    invo.payouts.list_payees(status="")
    assert _sent(rsps).url == BASE + "/api/partner-payees"
    invo.payouts.list_payees(limit="20", offset="40")  # as a query string gives them
    assert _sent(rsps).url == BASE + "/api/partner-payees?limit=20&offset=40"
    invo.payouts.list_payouts(limit=5, offset=10, status="completed", payee_id="cp_1")
    assert _sent(rsps).url == (BASE + "/api/partner-payouts?limit=5&offset=10&status=completed"
                               "&payee_id=cp_1")


def test_paths_quote_the_trimmed_payee_id_and_send_no_body(rsps: responses.RequestsMock,
                                                           invo: InvoServer) -> None:
    rsps.add(responses.GET, BASE + "/api/partner-payees/cp%2F1", json={"payee": PAYEE})
    rsps.add(responses.POST, BASE + "/api/partner-payees/cp_1/resend-invite",
             json={"invite": {"sent": True}})
    rsps.add(responses.POST, BASE + "/api/partner-payees/cp_1/remove", json={"payee": PAYEE})
    rsps.add(responses.GET, BASE + "/api/partner-payouts/7", json={"payout_request": PAYOUT})
    rsps.add(responses.POST, BASE + "/api/partner-payouts/7/cancel",
             json={"payout_request": PAYOUT})
    invo.payouts.get_payee(" cp/1 ")
    invo.payouts.resend_payee_invite("cp_1 ")
    assert _sent(rsps).body is None and "Content-Type" not in _sent(rsps).headers
    invo.payouts.remove_payee("cp_1")
    assert _sent(rsps).body is None
    invo.payouts.get_payout(7)
    invo.payouts.cancel_payout(7)
    assert _sent(rsps).method == "POST" and _sent(rsps).body is None


def test_request_payout_body(rsps: responses.RequestsMock, invo: InvoServer) -> None:
    rsps.add(responses.POST, BASE + "/api/partner-payouts/request",
             json={"payout_request": PAYOUT, "duplicate": False})
    invo.payouts.request_payout(amount_usd=" 250.5 ", contact_email=" ops@studio.test ")
    assert _body(rsps) == {"amount_usd": "250.5", "contact_email": "ops@studio.test"}
    invo.payouts.request_payout(amount_usd=Decimal("12.30"), contact_email="o@s.test",
                                payee_id=" cp_1 ", client_request_id=" k-1 ",
                                partner_note="", additional_emails=("b@s.test",))
    assert _body(rsps) == {"amount_usd": "12.30", "contact_email": "o@s.test",
                           "payee_id": "cp_1", "client_request_id": "k-1", "partner_note": "",
                           "additional_emails": ["b@s.test"]}
    invo.payouts.request_payout(amount_usd=99.5, contact_email="o@s.test", bank_account_id=3)
    assert _body(rsps) == {"amount_usd": "99.5", "contact_email": "o@s.test",
                           "bank_account_id": 3}
    invo.payouts.request_payout(amount_usd=10**6, contact_email="o@s.test")
    assert _body(rsps)["amount_usd"] == "1000000"  # no maximum here


# -- checks, in order ---------------------------------------------------------------------------


@pytest.mark.parametrize("kwargs, words", [
    (dict(partner_reference=" ", legal_name=" ", email="", country="", payee_type="robot"),
     "payee_type"),
    (dict(partner_reference=" ", legal_name=" ", email="", country="", payee_type="business"),
     "partner_reference"),
    (dict(partner_reference="r", legal_name=None, email="", country="", payee_type="business"),
     "legal_name"),
    (dict(partner_reference="r", legal_name="L", email="  ", country="", payee_type="business"),
     "email"),
    (dict(partner_reference="r", legal_name="L", email="e@x.test", country=7,
          payee_type="business"), "country"),
])
def test_register_checks_in_order(rsps: responses.RequestsMock, invo: InvoServer,
                                  kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(InvoError) as info:
        invo.payouts.register_payee(**kwargs)
    assert (info.value.code, info.value.status) == ("INVALID_INPUT", 0)
    assert words in info.value.message and not rsps.calls


@pytest.mark.parametrize("kwargs, words", [
    (dict(amount_usd="x", contact_email="", payee_id="", bank_account_id=1), "not both"),
    (dict(amount_usd="0", contact_email=""), "amount_usd"),
    (dict(amount_usd=True, contact_email="o@s.test"), "amount_usd"),
    (dict(amount_usd="1.005", contact_email="o@s.test"), "amount_usd"),
    (dict(amount_usd="-5", contact_email="o@s.test"), "amount_usd"),
    (dict(amount_usd=float("nan"), contact_email="o@s.test"), "amount_usd"),
    (dict(amount_usd="1e3", contact_email="o@s.test"), "amount_usd"),
    (dict(amount_usd="5", contact_email=" "), "contact_email"),
    (dict(amount_usd="5", contact_email="o@s.test", payee_id=" "), "payee_id"),
    (dict(amount_usd="5", contact_email="o@s.test", client_request_id=""), "client_request_id"),
])
def test_request_payout_checks_in_order(rsps: responses.RequestsMock, invo: InvoServer,
                                        kwargs: dict[str, Any], words: str) -> None:
    with pytest.raises(InvoError) as info:
        invo.payouts.request_payout(**kwargs)
    assert info.value.code == "INVALID_INPUT" and words in info.value.message
    assert not rsps.calls


@pytest.mark.parametrize("bad", [0, -1, True, "7", 7.0, None])
def test_payout_ids_are_positive_ints(rsps: responses.RequestsMock, invo: InvoServer,
                                      bad: Any) -> None:
    for call in (invo.payouts.get_payout, invo.payouts.cancel_payout):
        with pytest.raises(InvoError) as info:
            call(bad)
        assert info.value.code == "INVALID_INPUT"
    assert not rsps.calls


@pytest.mark.parametrize("kwargs", [dict(limit=0), dict(limit=True), dict(offset=-1),
                                    dict(limit="ten"), dict(offset="-1"), dict(limit=2.0),
                                    dict(status=3)])
def test_list_arguments_are_checked(rsps: responses.RequestsMock, invo: InvoServer,
                                    kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvoError):
        invo.payouts.list_payees(**kwargs)
    with pytest.raises(InvoError):
        invo.payouts.list_payouts(**kwargs)
    assert not rsps.calls


def test_blank_payee_ids_are_refused(rsps: responses.RequestsMock, invo: InvoServer) -> None:
    for call in (invo.payouts.get_payee, invo.payouts.resend_payee_invite,
                 invo.payouts.remove_payee):
        with pytest.raises(InvoError):
            call("  ")
    assert not rsps.calls


# -- retries ------------------------------------------------------------------------------------


def _status(rsps: responses.RequestsMock, method: str, url: str, then: Any) -> None:
    rsps.add(method, url, status=503, json={"error": "busy"})
    rsps.add(method, url, json=then)


@pytest.mark.parametrize("call, method, url, then", [
    (lambda p: p.register_payee(partner_reference="r", legal_name="L", email="e@x.test",
                                country="US", payee_type="business"),
     "POST", "/api/partner-payees", {"payee": PAYEE}),
    (lambda p: p.list_payees(), "GET", "/api/partner-payees", {}),
    (lambda p: p.get_payee("cp_1"), "GET", "/api/partner-payees/cp_1", {"payee": PAYEE}),
    (lambda p: p.get_payout(7), "GET", "/api/partner-payouts/7", {"payout_request": PAYOUT}),
    (lambda p: p.list_payouts(), "GET", "/api/partner-payouts", {}),
    (lambda p: p.request_payout(amount_usd="5", contact_email="o@s.test",
                                client_request_id="k"),
     "POST", "/api/partner-payouts/request", {"payout_request": PAYOUT}),
])
def test_retried_calls(rsps: responses.RequestsMock, invo: InvoServer, call: Any, method: str,
                       url: str, then: Any) -> None:
    _status(rsps, method, BASE + url, then)
    call(invo.payouts)
    assert len(rsps.calls) == 2


@pytest.mark.parametrize("call, url", [
    (lambda p: p.request_payout(amount_usd="5", contact_email="o@s.test"),
     "/api/partner-payouts/request"),
    (lambda p: p.resend_payee_invite("cp_1"), "/api/partner-payees/cp_1/resend-invite"),
    (lambda p: p.remove_payee("cp_1"), "/api/partner-payees/cp_1/remove"),
    (lambda p: p.cancel_payout(7), "/api/partner-payouts/7/cancel"),
])
def test_calls_sent_once(rsps: responses.RequestsMock, invo: InvoServer, call: Any,
                         url: str) -> None:
    _status(rsps, "POST", BASE + url, {})
    with pytest.raises(InvoError) as info:
        call(invo.payouts)
    assert info.value.status == 503 and len(rsps.calls) == 1


# -- readers and the mapping view ---------------------------------------------------------------


def test_registration_reads_both_ways() -> None:
    body = {"success": True, "payee": PAYEE, "invite": {"sent": False,
                                                        "error_code": "EMAIL_BOUNCED"},
            "duplicate": "yes"}
    res = PayeeRegistration.from_body(body)
    assert res.duplicate is False  # a flag: only JSON true
    assert res.payee is not None and res.payee.payee_id == "cp_1"
    assert res.payee.payable_blockers == ["not_verified", "bank_not_verified"]
    assert res.invite == PayeeInvite(sent=False, error_code="EMAIL_BOUNCED")
    # INVO's client returns {"payee", "invite", "duplicate"}: code indexing it runs unchanged
    assert res["payee"]["status"] == "invited" and res["invite"]["sent"] is False
    assert res["duplicate"] is False and res.get("success") is None and "success" not in res
    assert sorted(res) == ["duplicate", "invite", "payee"] and len(res) == 3
    assert res == {"payee": PAYEE, "invite": body["invite"], "duplicate": False}
    assert json.loads(json.dumps(dict(res)))["payee"] == PAYEE
    with pytest.raises(KeyError):
        res["nope"]
    assert "ada@creators.test" not in repr(res) and "Ada L" not in repr(res)


def test_object_results_are_mappings_over_the_object() -> None:
    payee = Payee.from_body(PAYEE)
    assert payee["payee_id"] == payee.payee_id == "cp_1" and payee.get("nope", 1) == 1
    assert dict(payee) == PAYEE and payee == PAYEE and payee != {**PAYEE, "status": "x"}
    assert payee.legal_name == "Ada L" and payee.payable is False
    payout = Payout.from_body({**PAYOUT, "payout_id": "7"})
    assert payout.payout_id == 7 and payout["payout_id"] == "7"
    assert Payout.from_body({"id": 9}).payout_id == 9
    assert Payee.from_body({"id": "cp_2"}).payee_id == "cp_2"
    assert payout.net_payout_usd == "240.00" and payout.owner_confirmation_required is True
    with pytest.raises(TypeError):
        hash(payout)
    assert Payee.from_body(PAYEE) == Payee.from_body(dict(PAYEE))
    assert Payee.from_body(PAYEE) != Payout.from_body(PAYOUT)


def test_lists_normalise_like_invos_client() -> None:
    found = PayeeList.from_body({"total": "2", "limit": None, "items": [PAYEE, "junk"]})
    assert (found.total, found.limit, found.offset) == (2, 0, 0)
    assert [p.payee_id for p in found.items] == ["cp_1"]
    assert found["items"] == [PAYEE, "junk"] and found["total"] == 2
    assert dict(found) == {"total": 2, "limit": 0, "offset": 0, "items": [PAYEE, "junk"]}
    payouts = PayoutList.from_body({"total": 3.5, "items": None})
    assert payouts.total == 0 and payouts.items == [] and dict(payouts) == {"total": 0,
                                                                              "items": []}


def test_request_payout_result_maps_payout_request_to_payout() -> None:
    res = PayoutRequestResult.from_body({"payout_request": PAYOUT, "duplicate": True})
    assert res.duplicate is True and res.payout is not None and res.payout.payout_id == 7
    assert res["payout"] == PAYOUT and dict(res) == {"payout": PAYOUT, "duplicate": True}
    assert PayoutRequestResult.from_body({})["payout"] is None


def test_a_missing_object_is_an_invalid_response(rsps: responses.RequestsMock,
                                                 invo: InvoServer) -> None:
    rsps.add(responses.GET, BASE + "/api/partner-payees/cp_1", json={"success": True})
    rsps.add(responses.GET, BASE + "/api/partner-payouts/7", json={"payout": PAYOUT})
    for call in (lambda: invo.payouts.get_payee("cp_1"), lambda: invo.payouts.get_payout(7)):
        with pytest.raises(InvoError) as info:
            call()
        assert info.value.code == "INVALID_RESPONSE"


def test_errors_keep_their_codes(rsps: responses.RequestsMock, invo: InvoServer) -> None:
    rsps.add(responses.POST, BASE + "/api/partner-payees/cp_1/resend-invite", status=429,
             json={"error": "slow down", "code": "INVITE_RATE_LIMITED",
                   "retry_after_seconds": 60})
    with pytest.raises(InvoError) as info:
        invo.payouts.resend_payee_invite("cp_1")
    assert (info.value.status, info.value.code) == (429, "INVITE_RATE_LIMITED")
    assert info.value.body["retry_after_seconds"] == 60 and len(rsps.calls) == 1


_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=8)
_bodies = st.dictionaries(
    st.sampled_from(["payee", "invite", "duplicate", "items", "total", "limit", "offset",
                     "payout_request", "payout_id", "id", "status", "payable_blockers",
                     "x"]) | st.text(max_size=6), _values, max_size=8)


@given(body=_bodies)
def test_object_results_map_exactly_what_was_sent(body: dict[str, Any]) -> None:
    for cls in (Payee, Payout, PayeeInvite):
        made = cls.from_body(body)
        assert dict(made) == body and list(made) == list(body) and len(made) == len(body)
        assert made == body and all(key in made for key in body)


@given(body=_bodies)
def test_envelopes_always_have_invos_keys(body: dict[str, Any]) -> None:
    assert set(PayeeRegistration.from_body(body)) == {"payee", "invite", "duplicate"}
    assert set(PayeeList.from_body(body)) == {"total", "limit", "offset", "items"}
    assert set(PayoutRequestResult.from_body(body)) == {"payout", "duplicate"}
    listed = PayoutList.from_body(body)
    assert set(listed) == {"total", "items"} and isinstance(listed["total"], int)
    assert len(listed.items) == sum(isinstance(row, dict) for row in listed["items"])


def test_personal_and_bank_details_stay_out_of_repr() -> None:
    payout = Payout.from_body({**PAYOUT, "additional_emails": ["boss@studio.test"],
                               "bank_account": {"routing_number": "110000000",
                                                "account_holder_name": "Studio LLC"}})
    shown = repr(PayoutList.from_body({"items": [dict(payout)]})) + repr(payout)
    for private in ("ops@studio.test", "boss@studio.test", "110000000", "Studio LLC"):
        assert private not in shown
    assert payout["contact_email"] == "ops@studio.test"  # still there to read
