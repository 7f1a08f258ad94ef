"""``examples/creator_payouts.py`` (shown in ``docs/payouts.md``) against the sandbox."""

from __future__ import annotations

import importlib
import runpy
import sys
from pathlib import Path

import pytest

from invonetwork import WebhookEvent
from invonetwork.sandbox import Sandbox

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:
    sys.path.insert(0, str(EXAMPLES))
payouts = importlib.import_module("creator_payouts")


def test_a_creator_is_paid_only_once_verified() -> None:
    with Sandbox() as sb, sb.client() as invo:
        creator = payouts.invite_creator(invo, creator_ref="c-1", name="Ada",
                                         email="ada@creators.example", country="GB")
        assert creator.status == "invited"
        again = invo.payouts.register_payee(partner_reference="c-1", legal_name="Ada",
                                            email="ada@creators.example", country="GB",
                                            payee_type="individual")
        assert payouts.show_registration(again) == (
            "invited=invited duplicate=True keys=['duplicate', 'invite', 'payee']")
        assert payouts.pay_creator(invo, payee_id=creator.payee_id, amount_usd="100",
                                   payout_ref="p-1") is None
        sb.verify_payee(creator.payee_id)
        paid = payouts.pay_creator(invo, payee_id=creator.payee_id, amount_usd="100",
                                   payout_ref="p-1")
        assert paid is not None and paid.status == "requested"
        assert payouts.pay_creator(invo, payee_id=creator.payee_id, amount_usd="100",
                                   payout_ref="p-1") == paid  # the key replays it
        assert sb.request_count("/api/partner-payouts/request") == 2


def test_an_unsent_invitation_is_reported(capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox() as sb, sb.client() as invo:
        payouts.invite_creator(invo, creator_ref="c-1", name="Ada",
                               email="ada@mail.invalid", country="GB")
        assert sb.events_of("payee.status_changed")
    assert "invitation not sent (EMAIL_UNDELIVERABLE)" in capsys.readouterr().out


def test_the_webhook_handler_reads_the_sandboxs_events() -> None:
    with Sandbox() as sb, sb.client() as client:
        made = client.payouts.request_payout(amount_usd="500", contact_email="o@s.test")
        assert made.payout is not None and made.payout.payout_id is not None
        sb.complete_payout(made.payout.payout_id)
        lines = [payouts.on_payout_event(WebhookEvent.from_payload(e))
                 for e in sb.events_of("payout.status_changed")]
    assert lines[0].endswith("is requested") and lines[-1].endswith("paid: 490.00 USD net")
    returned = WebhookEvent.from_payload({"event_type": "payout.status_changed", "data": {
        "payout_id": 1, "status": "returned"}})
    assert "money back" in payouts.on_payout_event(returned)


def test_the_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    runpy.run_path(str(EXAMPLES / "creator_payouts.py"), run_name="__main__")
    assert capsys.readouterr().out.splitlines()[-1] == "completed"
