"""The sandbox's payouts, one rule per test, through the SDK over real local HTTP; and the
whole path from a creator's registration to a paid payout."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import requests

from invonetwork import InvoError, InvoServer, WebhookEvent, verify_webhook
from invonetwork.sandbox import Sandbox, SandboxError, WebhookReceiver
from invonetwork.webhooks import PayeeStatusChangedData, PayoutStatusChangedData

UA = {"User-Agent": "invonetwork-python-sdk/test"}


@pytest.fixture(scope="module")
def running() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sb(running: Sandbox) -> Sandbox:
    running.reset()
    return running


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    client = sb.client(retry_base_delay=0)
    yield client
    client.close()


def _register(invo: InvoServer, ref: str = "cr-1", email: str = "ada@creators.test") -> str:
    made = invo.payouts.register_payee(partner_reference=ref, legal_name="Ada Lovelace",
                                       email=email, country="GB", payee_type="individual")
    assert made.payee is not None
    return made.payee.payee_id


def _typed(sb: Sandbox, event_type: str) -> list[Any]:
    return [WebhookEvent.from_payload(e).payload() for e in sb.events_of(event_type)]


def _payable(sb: Sandbox, invo: InvoServer, ref: str = "cr-1") -> str:
    payee_id = _register(invo, ref)
    sb.verify_payee(payee_id)
    return payee_id


# -- payees -------------------------------------------------------------------------------------


def test_registration_invites_the_creator(sb: Sandbox, invo: InvoServer) -> None:
    made = invo.payouts.register_payee(partner_reference="cr-1", legal_name="Ada",
                                       email="ada@creators.test", country="gb",
                                       payee_type="individual")
    assert made.duplicate is False and made["duplicate"] is False
    assert made.payee is not None and made.payee.payee_id.startswith("cp_")
    assert made.payee.status == "invited" and made.payee.country == "GB"
    assert made.payee.payable is False and "not_verified" in made.payee.payable_blockers
    assert made.invite is not None and made.invite.sent is True and made.invite.expires_at
    assert made["payee"]["payee_id"] == made.payee.payee_id == made["payee"]["id"]


def test_an_undeliverable_email_still_registers(sb: Sandbox, invo: InvoServer) -> None:
    made = invo.payouts.register_payee(partner_reference="cr-1", legal_name="Ada",
                                       email="ada@nowhere.invalid", country="US",
                                       payee_type="business")
    assert made.invite is not None and made.invite.sent is False
    assert made.invite.error_code == "EMAIL_UNDELIVERABLE"
    assert made.payee is not None and made.payee.status == "invited"


def test_the_same_reference_is_a_duplicate_or_a_conflict(sb: Sandbox,
                                                        invo: InvoServer) -> None:
    first = _register(invo)
    again = invo.payouts.register_payee(partner_reference="cr-1", legal_name="Ada Lovelace",
                                        email="ada@creators.test", country="GB",
                                        payee_type="individual")
    assert again.duplicate is True and again.payee is not None
    assert again.payee.payee_id == first and len(sb.events_of("payee.status_changed")) == 1
    with pytest.raises(InvoError) as info:
        invo.payouts.register_payee(partner_reference="cr-1", legal_name="Someone Else",
                                    email="x@creators.test", country="GB",
                                    payee_type="individual")
    assert (info.value.status, info.value.code) == (409, "PARTNER_REFERENCE_CONFLICT")


@pytest.mark.parametrize("country, code", [("KP", "COUNTRY_NOT_SUPPORTED"),
                                           ("USA", "INVALID_INPUT")])
def test_countries_are_checked(sb: Sandbox, invo: InvoServer, country: str, code: str) -> None:
    with pytest.raises(InvoError) as info:
        invo.payouts.register_payee(partner_reference="cr-1", legal_name="A",
                                    email="a@creators.test", country=country,
                                    payee_type="individual")
    assert (info.value.status, info.value.code) == (400, code)


def test_get_and_list_payees(sb: Sandbox, invo: InvoServer) -> None:
    first, second = _register(invo, "cr-1"), _register(invo, "cr-2", "b@creators.test")
    sb.verify_payee(second)
    assert invo.payouts.get_payee(first).status == "invited"
    listed = invo.payouts.list_payees()
    assert listed.total == 2 and [p.payee_id for p in listed.items] == [second, first]
    assert [p["payee_id"] for p in listed["items"]] == [second, first]
    verified = invo.payouts.list_payees(status="verified", limit=1, offset=0)
    assert verified.total == 1 and verified.items[0].payable is True and verified.limit == 1
    with pytest.raises(InvoError) as info:
        invo.payouts.get_payee("cp_unknown")
    assert (info.value.status, info.value.code) == (404, "NOT_FOUND")


def test_the_status_machine_of_a_payee(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _register(invo)
    assert sb.submit_payee_details(payee_id)["status"] == "details_submitted"
    assert sb.set_payee_status(payee_id, "rejected")["status"] == "rejected"
    with pytest.raises(SandboxError) as info:
        sb.set_payee_status(payee_id, "verified")  # rejected must resubmit first
    assert info.value.status == 409
    sb.verify_payee(payee_id)
    assert invo.payouts.get_payee(payee_id).payable is True
    sb.set_payee_status(payee_id, "suspended")
    assert invo.payouts.get_payee(payee_id).payable_blockers == ["not_payable_now"]
    sb.set_payee_status(payee_id, "verified")
    sb.set_payee_status(payee_id, "expired")
    assert "verification_expired" in invo.payouts.get_payee(payee_id).payable_blockers
    changes = [(d.previous_status, d.status) for d in _typed(sb, "payee.status_changed")]
    assert changes == [(None, "invited"), ("invited", "details_submitted"),
                       ("details_submitted", "rejected"), ("rejected", "details_submitted"),
                       ("details_submitted", "verified"), ("verified", "suspended"),
                       ("suspended", "verified"), ("verified", "expired")]
    for data in _typed(sb, "payee.status_changed"):
        assert isinstance(data, PayeeStatusChangedData) and data.created_via == "api"
        assert "email" not in data.raw and "legal_name" not in data.raw


def test_the_invitation_page_takes_the_creators_details(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _register(invo)
    url = sb.payee_invite_url(payee_id)
    page = requests.get(url, headers=UA, timeout=5)
    assert page.status_code == 200 and "Submit my details" in page.text
    done = requests.post(url + "/submit", headers=UA, timeout=5)
    assert done.status_code == 200 and done.json()["status"] == "details_submitted"
    assert invo.payouts.get_payee(payee_id).status == "details_submitted"


def test_a_resend_kills_the_old_link_and_is_limited(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _register(invo)
    old = sb.payee_invite_url(payee_id)
    invite = invo.payouts.resend_payee_invite(payee_id)
    assert invite.sent is True and invite["sent"] is True
    assert requests.get(old, headers=UA, timeout=5).status_code == 410
    for _ in range(3):
        invo.payouts.resend_payee_invite(payee_id)
    with pytest.raises(InvoError) as info:
        invo.payouts.resend_payee_invite(payee_id)
    assert (info.value.status, info.value.code) == (429, "INVITE_RATE_LIMITED")
    assert info.value.body["retry_after_seconds"] > 0
    sb.advance_time(3601)
    invo.payouts.resend_payee_invite(payee_id)


def test_no_invite_is_needed_once_details_are_in(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _register(invo)
    sb.submit_payee_details(payee_id)
    with pytest.raises(InvoError) as info:
        invo.payouts.resend_payee_invite(payee_id)
    assert (info.value.status, info.value.code) == (409, "INVITE_NOT_NEEDED")


def test_remove_closes_unless_a_payout_is_in_flight(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _payable(sb, invo)
    payout = invo.payouts.request_payout(amount_usd="100", contact_email="ops@studio.test",
                                         payee_id=payee_id).payout
    assert payout is not None and payout.payout_id is not None
    with pytest.raises(InvoError) as info:
        invo.payouts.remove_payee(payee_id)
    assert info.value.code == "PAYEE_HAS_PAYOUTS_IN_FLIGHT"
    assert info.value.body["payouts_in_flight_by_status"] == {"requested": 1}
    invo.payouts.cancel_payout(payout.payout_id)
    closed = invo.payouts.remove_payee(payee_id)
    assert closed.status == "closed" and closed.payable_blockers == ["closed"]
    with pytest.raises(InvoError) as again:
        invo.payouts.remove_payee(payee_id)
    assert again.value.code == "ALREADY_CLOSED"


# -- payouts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("prepare, code", [
    (lambda sb, p: None, "PAYEE_NOT_VERIFIED"),
    (lambda sb, p: sb.verify_payee(p) and sb.set_payee_status(p, "expired"),
     "PAYEE_VERIFICATION_EXPIRED"),
    (lambda sb, p: sb.verify_payee(p) and sb.set_payee_status(p, "suspended"),
     "PAYEE_NOT_PAYABLE"),
])
def test_only_a_payable_creator_is_paid(sb: Sandbox, invo: InvoServer, prepare: Any,
                                        code: str) -> None:
    payee_id = _register(invo)
    prepare(sb, payee_id)
    with pytest.raises(InvoError) as info:
        invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                    payee_id=payee_id)
    assert (info.value.status, info.value.code) == (409, code)
    with pytest.raises(InvoError) as unknown:
        invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                    payee_id="cp_nobody")
    assert (unknown.value.status, unknown.value.code) == (404, "PAYEE_NOT_FOUND")


def test_the_fee_is_one_percent_between_10_and_500(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_owed_balance("100000")
    fees = {}
    for amount in ("250", "5000", "80000"):
        made = invo.payouts.request_payout(amount_usd=amount, contact_email="o@s.test",
                                           bank_account_id=1).payout
        assert made is not None
        fees[amount] = (made.offboarding_fee_usd, made.net_payout_usd)
    assert fees == {"250": ("10.00", "240.00"), "5000": ("50.00", "4950.00"),
                    "80000": ("500.00", "79500.00")}
    assert sb.owed_balance() == Decimal("100000") - 85250


def test_what_is_owed_bounds_a_payout(sb: Sandbox, invo: InvoServer) -> None:
    sb.set_owed_balance("300")
    with pytest.raises(InvoError) as info:
        invo.payouts.request_payout(amount_usd="300.01", contact_email="o@s.test")
    assert info.value.code == "INSUFFICIENT_OWED_BALANCE"


def test_a_key_replays_the_first_payout(sb: Sandbox, invo: InvoServer) -> None:
    first = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                        client_request_id="po-1")
    again = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                        client_request_id="po-1")
    assert first.duplicate is False and again.duplicate is True and again["duplicate"] is True
    assert first.payout == again.payout and invo.payouts.list_payouts().total == 1
    with pytest.raises(InvoError) as info:
        invo.payouts.request_payout(amount_usd="200", contact_email="o@s.test",
                                    client_request_id="po-1")
    assert (info.value.status, info.value.code) == (409, "IDEMPOTENCY_KEY_REUSED")


def test_a_keyed_request_survives_a_lost_answer(sb: Sandbox, invo: InvoServer) -> None:
    sb.fail_next(1, status=503, path="/api/partner-payouts/request")
    made = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                       client_request_id="po-2")
    assert made.payout is not None and sb.request_count("/api/partner-payouts/request") == 2
    sb.fail_next(1, status=503, path="/api/partner-payouts/request")
    with pytest.raises(InvoError):
        invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test")
    assert sb.request_count("/api/partner-payouts/request") == 3


def test_an_own_bank_payout_and_its_return(sb: Sandbox, invo: InvoServer) -> None:
    made = invo.payouts.request_payout(amount_usd="1000", contact_email="o@s.test")
    payout = made.payout
    assert payout is not None and payout.payout_id is not None
    assert payout.bank_account_id == 1 and payout.bank_account is not None
    assert payout.owner_confirmation_required is False and payout.payee_id is None
    with pytest.raises(InvoError) as info:
        invo.payouts.cancel_payout(payout.payout_id)
    assert (info.value.status, info.value.code) == (404, "NOT_FOUND")
    sb.complete_payout(payout.payout_id)
    back = sb.set_payout_status(payout.payout_id, "returned", return_reason_code="no_account")
    assert back["return_reason_code"] == "no_account" and back["returned_at"]
    assert sb.owed_balance() == Decimal("10000")
    created = _typed(sb, "payout.status_changed")[0]
    assert created.bank_account is not None and created.bank_account.account_number_last4


def test_cancel_only_while_requested(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _payable(sb, invo)
    made = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                       payee_id=payee_id).payout
    assert made is not None and made.payout_id is not None
    sb.confirm_payout_as_owner(made.payout_id)
    sb.set_payout_status(made.payout_id, "approved")
    with pytest.raises(InvoError) as info:
        invo.payouts.cancel_payout(made.payout_id)
    assert (info.value.status, info.value.code) == (409, "PAYOUT_NOT_CANCELLABLE")
    with pytest.raises(InvoError) as unknown:
        invo.payouts.get_payout(999)
    assert unknown.value.status == 404


def test_the_first_creator_payout_waits_for_the_owner(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _payable(sb, invo)
    first = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                        payee_id=payee_id).payout
    second = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                         payee_id=payee_id).payout
    assert first is not None and second is not None and first.payout_id is not None
    assert first.owner_confirmation_required and not second.owner_confirmation_required
    with pytest.raises(SandboxError) as info:
        sb.set_payout_status(first.payout_id, "approved")
    assert info.value.code == "OWNER_CONFIRMATION_PENDING"
    sb.confirm_payout_as_owner(first.payout_id)
    assert sb.set_payout_status(first.payout_id, "approved")["reviewed_at"]


def test_failures_and_rejections_give_the_money_back(sb: Sandbox, invo: InvoServer) -> None:
    one = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test").payout
    two = invo.payouts.request_payout(amount_usd="200", contact_email="o@s.test").payout
    assert one is not None and two is not None and one.payout_id and two.payout_id
    assert sb.owed_balance() == Decimal("9700")
    sb.set_payout_status(one.payout_id, "rejected")
    sb.set_payout_status(two.payout_id, "approved")
    sb.set_payout_status(two.payout_id, "processing")
    sb.set_payout_status(two.payout_id, "failed")
    assert sb.owed_balance() == Decimal("10000")
    with pytest.raises(SandboxError):
        sb.set_payout_status(two.payout_id, "completed")


def test_list_payouts_filters(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _payable(sb, invo)
    invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test")
    made = invo.payouts.request_payout(amount_usd="50", contact_email="o@s.test",
                                       payee_id=payee_id)
    everything = invo.payouts.list_payouts()
    assert everything.total == 2 and everything["total"] == 2
    assert everything.items[0].payout_id == made["payout"]["payout_id"]  # newest first
    mine = invo.payouts.list_payouts(payee_id=payee_id)
    assert [p.payee_id for p in mine.items] == [payee_id]
    assert invo.payouts.list_payouts(status="completed").total == 0


def test_the_admin_endpoints_drive_the_same_rules(sb: Sandbox, invo: InvoServer) -> None:
    payee_id = _register(invo)
    admin = sb.root_url + "/__sandbox__"
    verified = requests.post(f"{admin}/payees/{payee_id}/verify", timeout=5)
    assert verified.status_code == 200 and verified.json()["status"] == "verified"
    made = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                       payee_id=payee_id).payout
    assert made is not None
    done = requests.post(f"{admin}/payouts/{made.payout_id}/complete", timeout=5)
    assert done.json()["status"] == "completed"
    wrong = requests.post(f"{admin}/payouts/{made.payout_id}/status",
                          json={"status": "approved"}, timeout=5)
    assert wrong.status_code == 409


# -- end to end ---------------------------------------------------------------------------------


def test_from_registration_to_a_paid_payout_with_its_webhooks(sb: Sandbox,
                                                              invo: InvoServer) -> None:
    with WebhookReceiver() as rx:
        sb.set_webhook_url(rx.url, ["*", "payee.status_changed"])
        payee_id = _register(invo)
        requests.post(sb.payee_invite_url(payee_id) + "/submit", headers=UA, timeout=5)
        sb.set_payee_status(payee_id, "verified")
        assert invo.payouts.get_payee(payee_id)["payable"] is True
        made = invo.payouts.request_payout(amount_usd="2500.00",
                                           contact_email="ops@studio.test",
                                           payee_id=payee_id, client_request_id="june")
        assert made.payout is not None and made.payout.payout_id is not None
        payout_id = made.payout.payout_id
        sb.complete_payout(payout_id)
        done = invo.payouts.get_payout(payout_id)
        assert done.status == "completed" and done["net_payout_usd"] == "2475.00"
        assert sb.flush_webhooks(10)
        got = [verify_webhook(h.body, h.signature, sb.webhook_secret) for h in rx.received]
    kinds = [(e.event_type, e.data["status"]) for e in got]
    assert sorted(kinds) == sorted([("payee.status_changed", "invited"),
                     ("payee.status_changed", "details_submitted"),
                     ("payee.status_changed", "verified"),
                     ("payout.status_changed", "requested"),
                     ("payout.status_changed", "approved"),
                     ("payout.status_changed", "processing"),
                     ("payout.status_changed", "completed")])
    events = _typed(sb, "payout.status_changed")
    assert all(isinstance(e, PayoutStatusChangedData) for e in events)
    assert events[0].previous_status is None and events[0].client_request_id == "june"
    assert events[0].initiated_by == "api" and events[0].bank_account is None
    assert events[0].owed_balance_at_request_usd == Decimal("10000.00")
    assert "initiated_by" not in events[1].raw and events[3].net_payout_usd == Decimal("2475")


def test_payee_events_are_opt_in(sb: Sandbox, invo: InvoServer) -> None:
    with WebhookReceiver() as rx:
        sb.set_webhook_url(rx.url, ["*"])
        payee_id = _register(invo)
        sb.verify_payee(payee_id)
        invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                    payee_id=payee_id)
        assert sb.flush_webhooks(10)
        received = [h.event_type for h in rx.received]
    assert received == ["payout.status_changed"]
    assert len(sb.events_of("payee.status_changed")) == 3  # emitted, not delivered


def test_concurrent_requests_with_one_key_make_one_payout(sb: Sandbox,
                                                          invo: InvoServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def ask(_: int) -> Any:
        made = invo.payouts.request_payout(amount_usd="100", contact_email="o@s.test",
                                           client_request_id="same")
        assert made.payout is not None
        return made.payout.payout_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        ids = set(pool.map(ask, range(12)))
    assert len(ids) == 1 and invo.payouts.list_payouts().total == 1
    assert sb.owed_balance() == Decimal("9900")
