"""Races over real HTTP: many connections, one sandbox, every rule applied once."""

from __future__ import annotations

import threading
from decimal import Decimal

import requests

from invonetwork.sandbox import Sandbox

from .conftest import UA, item_body


def _hammer(sb: Sandbox, n: int, path: str, body: dict[str, object]) -> list[int]:
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    lock = threading.Lock()

    def post() -> None:
        with requests.Session() as session:
            session.trust_env = False
            barrier.wait(5)
            r = session.post(sb.base_url + path, json=body, timeout=10,
                             headers={"User-Agent": UA, "X-Game-Secret-Key": sb.game_secret})
            with lock:
                statuses.append(r.status_code)

    threads = [threading.Thread(target=post) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    return sorted(statuses)


def test_one_request_id_from_many_connections_buys_once(sb: Sandbox) -> None:
    body = item_body("race", total_price="10.00", unit_price="10.00")
    statuses = _hammer(sb, 6, "/api/item-purchases/purchase-item", body)
    assert statuses == [200] + [409] * 5
    assert sb.balance("ada@example.com") == Decimal("490")
    assert len(sb.events_of("item.purchased")) == 1


def test_one_checkout_paid_from_many_connections_credits_once(sb: Sandbox) -> None:
    with requests.Session() as session:
        session.trust_env = False
        created = session.post(
            sb.base_url + "/api/checkout/sessions", timeout=10,
            json={"player_email": "bob@example.com", "usd_amount": "1.00"},
            headers={"User-Agent": UA, "X-Game-Secret-Key": sb.game_secret},
        ).json()
    statuses = _hammer(sb, 5, f"/checkout/{created['session_id']}/pay", {})
    assert statuses == [200] + [409] * 4
    assert sb.balance("bob@example.com") == Decimal("30")


def test_phone_share_calls_check_their_fields(sb: Sandbox) -> None:
    with requests.Session() as session:
        session.trust_env = False
        headers = {"User-Agent": UA}
        bad = session.post(sb.base_url + "/api/wallet/phone-share/initiate", timeout=10,
                           json={"phone": "555", "email": "a@example.com"}, headers=headers)
        assert bad.status_code == 400 and bad.json()["field"] == "phone"
        missing = session.post(sb.base_url + "/api/wallet/phone-share/approve", timeout=10,
                               json={"approval_id": "psa_x"}, headers=headers)
        assert missing.status_code == 400 and missing.json()["field"] == "otp"
        unknown = session.post(sb.base_url + "/api/wallet/phone-share/approve", timeout=10,
                               json={"approval_id": "psa_x", "otp": "1"}, headers=headers)
        assert unknown.status_code == 404
