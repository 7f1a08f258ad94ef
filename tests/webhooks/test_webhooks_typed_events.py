"""Every event type of the catalogue, typed: built from a signed delivery, verified, parsed."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from catalogue_payloads import PAYLOADS, TS

from invonetwork.errors import WebhookVerificationError
from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import (
    LEGACY_EVENT_TYPES,
    OPT_IN_EVENT_TYPES,
    EventType,
    ItemPurchasedData,
    OtherEventData,
    PayoutStatusChangedData,
    PurchaseCompletedData,
    PurchaseDisputedData,
    SubscriptionAuthenticationRequiredData,
    SubscriptionRefundedData,
    SubscriptionRenewedData,
    TransferClaimPendingData,
    WebhookEvent,
    verify_webhook,
)
from invonetwork.webhooks import _events as events_module

SECRET = "whsec_typed_events"
UNTYPED = {"purchase.failed", "purchase.fraud_warning", "purchase.dispute_lost",
           "transfer.sent", "transfer.received", "balance.updated", "webhook.test"}
WHEN = datetime(2026, 11, 30, 12, 34, 56, tzinfo=timezone.utc)


def received(event_type: str, data: dict[str, Any]) -> WebhookEvent:
    delivery = build_webhook_delivery(event_type, secret=SECRET, data=data)
    return verify_webhook(delivery.body, delivery.signature_header, SECRET,
                          now=delivery.timestamp)


def test_every_catalogue_type_is_typed_or_deliberately_loose() -> None:
    names = {member.value for member in EventType}
    assert len(names) == 32
    assert set(PAYLOADS) | UNTYPED == names
    assert set(events_module._PAYLOAD_TYPES) == set(PAYLOADS)
    assert {"platform_commerce.declined", "payee.status_changed"} == OPT_IN_EVENT_TYPES
    assert {"purchase.dispute_lost", "balance.updated"} == LEGACY_EVENT_TYPES


@pytest.mark.parametrize("event_type", sorted(PAYLOADS))
def test_each_typed_payload_from_a_signed_delivery(event_type: str) -> None:
    data = PAYLOADS[event_type]
    payload = received(event_type, data).payload()
    assert event_type == type(payload).EVENT_TYPE
    assert payload.raw == data
    assert dataclasses.is_dataclass(payload)
    with pytest.raises(dataclasses.FrozenInstanceError):
        payload.raw = {}  # type: ignore[misc]
    values = {f.name: getattr(payload, f.name) for f in dataclasses.fields(payload)}
    for name, value in values.items():
        if name in ("raw", "fees"):
            continue
        source = data.get(name)
        if isinstance(value, Decimal):
            assert value == Decimal(str(source)), name  # never through float
        elif isinstance(value, datetime):
            assert value == WHEN and value.tzinfo is not None, name
        elif dataclasses.is_dataclass(value):
            assert value.raw == source, name  # type: ignore[union-attr]
        elif name in data:
            assert value == source, name
        else:  # not sent: None, False, "" or {}
            assert value in (None, False, "", {}), name
    hash(payload)  # hashable: dict fields are left out of the hash
    assert payload == received(event_type, data).payload()


@pytest.mark.parametrize("event_type", sorted(UNTYPED | {"brand.new_event"}))
def test_loose_and_unknown_types_give_other_event_data(event_type: str) -> None:
    payload = received(event_type, {"anything": "1.00"}).payload()
    assert isinstance(payload, OtherEventData)
    assert payload.event_type == event_type
    assert payload.get("anything") == "1.00" and payload.get("missing", 5) == 5


def test_unknown_keys_stay_on_raw() -> None:
    data = dict(PAYLOADS["item.purchased"], brand_new_key={"x": 1})
    item = received("item.purchased", data).payload()
    assert isinstance(item, ItemPurchasedData)
    assert item.get("brand_new_key") == {"x": 1}
    assert item.fees is not None and item.fees.developer_revenue == Decimal("237.50")


def test_purchase_completed_old_spellings_and_renewal_mint_leg() -> None:
    old = {"transaction_id": "t", "order_id": "o", "usd_amount": "1.00", "amount": "100",
           "currency": "Gold", "metadata": {"source": "subscription_renewal",
                                            "subscription_id": "sub_1"}}
    typed = received("purchase.completed", old).purchase_completed()
    assert (typed.currency_amount, typed.currency_name) == (Decimal("100"), "Gold")
    assert (typed.new_balance, typed.rail, typed.channel) == (None, "", None)
    assert typed.is_renewal_mint_leg
    current = received("purchase.completed", PAYLOADS["purchase.completed"]).payload()
    assert isinstance(current, PurchaseCompletedData) and not current.is_renewal_mint_leg


def test_transfer_old_spellings_and_numeric_game_ids() -> None:
    emulator_shape = {"transaction_id": "txn", "order_id": "ord", "amount": "100.00",
                      "net_amount": "90.00", "source_game_id": 11, "target_game_id": 22,
                      "from_player_id": "plr", "flow": "send"}
    typed = received("transfer.claim_pending", emulator_shape).payload()
    assert isinstance(typed, TransferClaimPendingData)
    assert (typed.net_transfer_amount, typed.from_game_id, typed.to_game_id) == (
        Decimal("90.00"), "11", "22")
    assert (typed.flow, typed.direction, typed.claim_code_expires_at) == ("send", None, None)


def test_secrets_and_phone_numbers_stay_out_of_reprs() -> None:
    auth = received("subscription.authentication_required",
                    PAYLOADS["subscription.authentication_required"]).payload()
    assert isinstance(auth, SubscriptionAuthenticationRequiredData)
    assert auth.confirmation_url.endswith("secret-link")
    assert "secret-link" not in repr(auth)
    phone = received("player.phone_changed", PAYLOADS["player.phone_changed"]).payload()
    assert "+15550199" not in repr(phone)
    pending = received("transfer.claim_pending", PAYLOADS["transfer.claim_pending"]).payload()
    assert "+15550100" not in repr(pending)


def test_nested_blocks_and_helpers() -> None:
    renewed = received("subscription.renewed", PAYLOADS["subscription.renewed"]).payload()
    assert isinstance(renewed, SubscriptionRenewedData)
    assert renewed.funding is not None and renewed.funding.card_charged_usd == Decimal("4.99")
    assert renewed.split is not None and renewed.split.pass_through_status == "none"
    share = renewed.revenue_share_attribution
    assert share is not None and share.recipient_player_id == 77 and not share.settled_by_invo
    refunded = received("subscription.refunded", PAYLOADS["subscription.refunded"]).payload()
    assert isinstance(refunded, SubscriptionRefundedData) and refunded.refund is not None
    assert refunded.refund.balance_delta_coins == Decimal("-499")  # signed
    assert refunded.refund.partner_debit_usd == Decimal("4.74")  # the total, no newer figure
    disputed = received("purchase.disputed", PAYLOADS["purchase.disputed"]).payload()
    assert isinstance(disputed, PurchaseDisputedData) and disputed.is_lost
    payout = received("payout.status_changed", PAYLOADS["payout.status_changed"]).payload()
    assert isinstance(payout, PayoutStatusChangedData)
    assert payout.bank_account is not None and payout.bank_account.account_number_last4 == "6789"


@pytest.mark.parametrize(("event_type", "key", "bad"), [
    ("purchase.refunded", "currency_debited", "1e3"),
    ("purchase.refunded", "new_balance", None),
    ("item.purchased", "item_quantity", "two"),
    ("transfer.refunded", "refunded_amount", "NaN"),
    ("subscription.renewed", "period_seq", None),
    ("payout.status_changed", "payout_id", "po_test_1"),
    ("platform_commerce.declined", "total_price", True),
    ("subscription.canceled", "effective_at", "yesterday"),
    ("purchase.disputed", "currency_debited", "abc"),  # optional, but garbled is an error
])
def test_garbled_figures_are_malformed(event_type: str, key: str, bad: Any) -> None:
    event = received(event_type, dict(PAYLOADS[event_type], **{key: bad}))
    with pytest.raises(WebhookVerificationError) as info:
        event.payload()
    assert info.value.code == "WEBHOOK_MALFORMED"
    assert f"data.{key}" in info.value.message


def test_timestamps_in_both_forms_are_aware_utc() -> None:
    for stamp in (TS, "2026-11-30T12:34:56Z", "2026-11-30T14:34:56+02:00",
                  "2026-11-30T12:34:56.000Z", "2026-11-30T12:34:56.0000001+00:00"):
        data = dict(PAYLOADS["identity.passkey_reset"], cooldown_until=stamp)
        assert received("identity.passkey_reset", data).payload() \
            .cooldown_until == WHEN  # type: ignore[union-attr]


def test_from_data_works_without_an_event() -> None:
    typed = PurchaseCompletedData.from_data(PAYLOADS["purchase.completed"])
    assert typed.usd_amount == Decimal("9.99")


def test_exhaustive_match_type_checks() -> None:
    """mypy --strict accepts the exhaustive match of the typing example and refuses one with a
    case missing (so the check really runs)."""
    pytest.importorskip("mypy")
    example = Path(__file__).resolve().parents[1] / "typing" / "webhook_events_match.py"
    source = example.read_text(encoding="utf-8")
    broken = source.replace("        case OtherEventData():\n            return \"other\"\n", "")
    assert broken != source

    def check(code: str, tmp: Path) -> subprocess.CompletedProcess[str]:
        path = tmp / "check_match.py"
        path.write_text(code, encoding="utf-8")
        return subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
             "--no-incremental", "--cache-dir", os.devnull, str(path)],
            capture_output=True, text=True, timeout=300)

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        good = check(source, Path(tmp))
        assert good.returncode == 0, good.stdout + good.stderr
        bad = check(broken, Path(tmp))
        assert bad.returncode != 0 and "OtherEventData" in bad.stdout, bad.stdout
