"""Run the code that docs/sends-and-transfers.md, docs/sandbox.md and docs/webhooks.md include.

Sends, transfers and the sandbox run against the local sandbox; the idempotency store runs on
SQLite; the one answer the sandbox never gives (a phone-share 409 without an approval id) comes
from ``responses``.
"""

from __future__ import annotations

import importlib
import inspect
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import responses
from flask.testing import FlaskClient
from sandbox_pytest_recipes import (  # noqa: F401  (imported to be collected and run here)
    test_checkout_grants_currency,
    test_checkout_is_never_sent_twice,
)
from sandbox_recipes import (  # noqa: F401  (imported to be collected and run here)
    test_player_can_buy_a_sword,
    test_what_a_sandbox_gives_you,
)
from webhook_receiver_tests import (  # noqa: F401  (imported to be collected and run here)
    test_purchase_credits_the_player,
    test_retry_is_processed_once,
)
from webhooks_flask import create_app

from invonetwork import (
    BadRequestError,
    InvoServer,
    PhoneShareApprovalRequiredError,
    ServerError,
    WebhookVerificationError,
    webhooks,
)
from invonetwork.sandbox import Sandbox
from invonetwork.testing import build_webhook_delivery
from invonetwork.webhooks import InMemoryIdempotencyStore, PurchaseCompletedData, WebhookEvent

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ADA = {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"}
BOB_PHONE = "+15555550111"

sends = importlib.import_module("sends_and_transfers")
recipes = importlib.import_module("webhook_recipes")
sql_store = importlib.import_module("idempotency_store_sql")


# -- docs/sends-and-transfers.md --------------------------------------------------------------


@pytest.mark.invo_sandbox(players=[ADA])
def test_destinations_lists_every_other_game(
    invo_client: InvoServer, invo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    sends.print_destinations(invo_client, source_game_id=invo_sandbox.game_id)
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["2002 Star Racers Star Credits 1.00 10000.00",
                     "3003 Dungeon Depths Gems 1.00 10000.00"]


@pytest.mark.invo_sandbox(players=[ADA])
def test_a_send_confirmed_by_sms_pin_and_claimed_with_the_code(
    invo_client: InvoServer, invo_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]
) -> None:
    send = sends.send_fifty_to_bob(invo_client, receiving_game_id=2002)
    assert send.verification_method == "sms" and send.guardian_approval is None
    sends.print_send_status(invo_client, send)
    assert capsys.readouterr().out == "awaiting_verification awaiting 50.00 45.00\n"

    pin = invo_sandbox.last_sms_pin(send.transaction_id)  # what the sender's phone got
    assert pin is not None
    with pytest.raises(BadRequestError) as wrong:
        sends.check_the_pin(invo_client, send, "000000" if pin != "000000" else "111111")
    assert wrong.value.body["attempts_remaining"] == 4
    claim_code = sends.check_the_pin(invo_client, send, pin)
    assert claim_code == invo_sandbox.claim_code(send.transaction_id)
    assert capsys.readouterr().out == f"sent; claim code for the receiver: {claim_code}\n"
    assert invo_sandbox.balance("ada@example.com") == Decimal("450.00")

    sends.print_inbound_pending(invo_client, player_email="bob@example.com")
    [pending] = capsys.readouterr().out.splitlines()
    assert pending.startswith(f"{send.transaction_id} send 50.00 ")

    assert claim_code is not None
    claim = sends.bob_claims(invo_client, claim_code)
    assert claim.status == "success" and not claim.needs_account_selection
    assert invo_sandbox.balance("bob@example.com", game_id=2002) == Decimal("45.00")
    sends.print_send_status(invo_client, send)
    assert capsys.readouterr().out.split()[1] == "completed"


@pytest.mark.invo_sandbox(players=[ADA])
def test_pin_checks_and_claims_are_never_retried(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    send = sends.send_fifty_to_bob(invo_client, receiving_game_id=2002)
    invo_sandbox.fail_next(1, status=503, path="/api/currency-sends/verify-sms")
    with pytest.raises(ServerError):
        sends.check_the_pin(invo_client, send, invo_sandbox.last_sms_pin(
            send.transaction_id) or "")
    assert invo_sandbox.request_count("/api/currency-sends/verify-sms") == 1
    invo_sandbox.fail_next(1, status=503, path="/api/currency-sends/claim-currency")
    with pytest.raises(ServerError):
        sends.bob_claims(invo_client, "NOTACODE")
    assert invo_sandbox.request_count("/api/currency-sends/claim-currency") == 1


@pytest.mark.invo_sandbox(players=[{**ADA, "passkey_enrolled": True}])
def test_a_sender_with_a_passkey_approves_in_the_browser(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    send = sends.send_fifty_to_bob(invo_client, receiving_game_id=3003)
    assert send.verification_method == "in_app"
    approved = invo_sandbox.approve_transaction(send.transaction_id)  # the web SDK's part
    assert sends.bob_claims(invo_client, approved["claim_code"]).status == "success"
    assert invo_sandbox.balance("bob@example.com", game_id=3003) == Decimal("45.00")


@pytest.mark.invo_sandbox(players=[{**ADA, "is_minor": True}])
def test_a_minor_waits_for_the_guardian(invo_client: InvoServer, invo_sandbox: Sandbox) -> None:
    send = sends.send_fifty_to_bob(invo_client, receiving_game_id=2002)
    assert send.guardian_approval and send.verification_method is None  # no PIN screen
    assert sends.guardian_decision(invo_client, send) == "pending"
    invo_sandbox.guardian_approve(send.transaction_id)
    assert sends.guardian_decision(invo_client, send) == "approved"
    assert invo_sandbox.claim_code(send.transaction_id)


@pytest.mark.invo_sandbox(players=[ADA], phone_owners={BOB_PHONE: "owner@example.com"})
def test_a_shared_phone_needs_its_owners_consent(
    invo_client: InvoServer, invo_sandbox: Sandbox
) -> None:
    asked: list[str] = []

    def owner_types_the_otp() -> str:
        otp = invo_sandbox.last_otp(BOB_PHONE)
        assert otp is not None
        asked.append(otp)
        return otp

    token = sends.token_for_bob(invo_client, owner_types_the_otp)
    assert token.token.startswith("ivpt_") and len(asked) == 1
    assert invo_client.phone_share_status(phone=BOB_PHONE, email="bob@example.com").approved
    sends.token_for_bob(invo_client, owner_types_the_otp)  # approved once: no second OTP
    assert len(asked) == 1


@responses.activate
def test_a_phone_share_409_without_an_approval_id_is_raised() -> None:
    responses.post("https://sandbox.invo.network/sandbox/api/sdk/player-token", status=409,
                   json={"error": "Phone share approval required",
                         "code": "PHONE_SHARE_APPROVAL_REQUIRED"})
    with InvoServer("ivsdk_test_doc") as invo, pytest.raises(PhoneShareApprovalRequiredError):
        sends.token_for_bob(invo, lambda: pytest.fail("no approval to relay an OTP for"))
    assert len(responses.calls) == 1


def test_the_sends_script_runs(capsys: pytest.CaptureFixture[str]) -> None:
    sends.main()
    out = capsys.readouterr().out
    assert "sent; claim code for the receiver:" in out and "status='success'" in out


# -- docs/sandbox.md (the tests themselves are imported above) --------------------------------


# -- docs/webhooks.md: verifying ---------------------------------------------------------------


def test_the_verify_call_spells_out_the_real_defaults() -> None:
    defaults = {name: p.default for name, p in
                inspect.signature(webhooks.verify_webhook).parameters.items()
                if p.kind is inspect.Parameter.KEYWORD_ONLY}
    assert defaults == {"tolerance_seconds": 300, "now": None, "content_encoding": None,
                        "max_body_bytes": 5 * 1024 * 1024}
    source = inspect.getsource(recipes.verify_with_every_argument)
    for name in defaults:
        assert f"{name}=" in source


def test_the_verify_call_accepts_either_secret_of_a_rotation() -> None:
    delivery = build_webhook_delivery("purchase.completed", secret="whsec_old")
    header = delivery.headers["X-Invo-Signature"]
    event = recipes.verify_with_every_argument(delivery.body, header, ["whsec_new", "whsec_old"])
    assert event.event_type == "purchase.completed"
    assert recipes.verify_with_every_argument(delivery.body.decode(), header, "whsec_old")
    with pytest.raises(WebhookVerificationError) as err:
        recipes.verify_with_every_argument(delivery.body, header, ["whsec_new", ""])
    assert err.value.code == "WEBHOOK_SIGNATURE_INVALID"
    with pytest.raises(WebhookVerificationError) as err:
        recipes.verify_with_every_argument(delivery.body, None, "whsec_old")
    assert err.value.code == "WEBHOOK_SIGNATURE_MISSING"


# -- docs/webhooks.md: the store protocol and process_once -------------------------------------


def test_the_restated_protocol_is_the_sdks() -> None:
    for method in ("claim", "release"):
        ours = inspect.signature(getattr(recipes.IdempotencyStore, method))
        sdk = inspect.signature(getattr(webhooks.IdempotencyStore, method))
        assert ours == sdk
    public = {name for name in vars(webhooks.IdempotencyStore) if not name.startswith("_")}
    assert public == {"claim", "release"}


def _purchase_event(key: str = "idem-1") -> WebhookEvent:
    delivery = build_webhook_delivery("purchase.completed", secret="s", idempotency_key=key)
    return WebhookEvent.from_payload(delivery.payload)


def test_process_once_handles_the_first_delivery_only() -> None:
    store = InMemoryIdempotencyStore()
    handled: list[str] = []
    event = _purchase_event()
    recipes.process_once(store, event, lambda e: handled.append(e.idempotency_key))
    recipes.process_once(store, event, lambda e: handled.append(e.idempotency_key))
    assert handled == ["idem-1"]


def test_process_once_releases_the_key_when_the_handler_fails() -> None:
    store = InMemoryIdempotencyStore()
    event = _purchase_event()

    def broken(_: WebhookEvent) -> None:
        raise RuntimeError("database down")

    with pytest.raises(RuntimeError):
        recipes.process_once(store, event, broken)
    handled: list[WebhookEvent] = []
    recipes.process_once(store, event, handled.append)  # INVO's retry is processed
    assert handled == [event]


# -- docs/webhooks.md: the store on your own database (SQLite here) ----------------------------


@pytest.fixture
def db_path(tmp_path: Path) -> str:
    path = str(tmp_path / "claims.sqlite3")
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript((EXAMPLES / "invo_webhook_claims.sql").read_text(encoding="utf-8"))
    return path


def test_a_second_claim_of_a_key_is_refused(db_path: str) -> None:
    store = sql_store.sqlite_store(db_path)
    assert isinstance(store, webhooks.IdempotencyStore)
    assert store.claim("idem-1") is True
    assert store.claim("idem-1") is False  # the same key again: someone had it
    assert sql_store.sqlite_store(db_path).claim("idem-1") is False  # another "server"
    assert store.claim("idem-2") is True
    store.release("idem-1")
    store.release("never-claimed")  # no-op
    assert store.claim("idem-1") is True  # released: the retry is processed
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT key, claimed_at FROM invo_webhook_claims ORDER BY key")
        assert [(key, bool(at)) for key, at in rows] == [("idem-1", True), ("idem-2", True)]


def test_exactly_one_of_many_racing_claims_wins(db_path: str) -> None:
    store = sql_store.sqlite_store(db_path)
    start = threading.Barrier(8)
    results: list[bool] = []
    lock = threading.Lock()

    def racer() -> None:
        start.wait()
        won = store.claim("contended")
        with lock:
            results.append(won)

    threads = [threading.Thread(target=racer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [False] * 7 + [True]


def test_a_database_error_propagates_and_rolls_back(tmp_path: Path) -> None:
    store = sql_store.sqlite_store(str(tmp_path / "no-table.sqlite3"))
    with pytest.raises(sqlite3.OperationalError):
        store.claim("idem-1")


class _PyformatOnSqlite:
    """A sqlite3 connection that takes ``%s`` markers, as psycopg does (to run that SQL)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.statements: list[str] = []

    def cursor(self) -> _PyformatOnSqlite:
        return self

    def execute(self, sql: str, parameters: Sequence[Any]) -> None:
        self.statements.append(sql)
        self.rowcount = self.conn.execute(sql.replace("%s", "?"), parameters).rowcount

    def close(self) -> None:
        pass

    def commit(self) -> None:
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()


def test_the_postgres_paramstyle_sends_percent_s_markers(db_path: str) -> None:
    seen: list[_PyformatOnSqlite] = []

    @contextmanager
    def lend() -> Iterator[_PyformatOnSqlite]:
        with closing(sqlite3.connect(db_path)) as conn:
            seen.append(_PyformatOnSqlite(conn))
            yield seen[-1]

    store = sql_store.DbApiIdempotencyStore(lend, paramstyle="pyformat")  # psycopg.paramstyle
    assert store.claim("idem-1") is True
    assert store.claim("idem-1") is False
    store.release("idem-1")
    assert [s for conn in seen for s in conn.statements] == [
        "INSERT INTO invo_webhook_claims (key) VALUES (%s) ON CONFLICT (key) DO NOTHING",
        "INSERT INTO invo_webhook_claims (key) VALUES (%s) ON CONFLICT (key) DO NOTHING",
        "DELETE FROM invo_webhook_claims WHERE key = %s",
    ]


def test_the_store_refuses_what_it_cannot_build_sql_for(db_path: str) -> None:
    def lend() -> Any:
        return closing(sqlite3.connect(db_path))

    with pytest.raises(ValueError, match="paramstyle"):
        sql_store.DbApiIdempotencyStore(lend, paramstyle="named")
    with pytest.raises(ValueError, match="table"):
        sql_store.DbApiIdempotencyStore(lend, table="claims; DROP TABLE players")


def test_receivers_sharing_the_database_process_each_event_once(db_path: str) -> None:
    handled: list[str] = []
    servers = [create_app(secrets=["whsec_test"], store=sql_store.sqlite_store(db_path),
                          handler=lambda event: handled.append(event.idempotency_key))
               for _ in range(2)]
    first = build_webhook_delivery("purchase.completed", secret="whsec_test")
    retry = build_webhook_delivery("purchase.completed", secret="whsec_test",
                                   idempotency_key=first.idempotency_key)
    answers = [server.test_client().post("/invo/webhooks", data=d.body, headers=d.headers)
               for server, d in zip(servers, (first, retry))]
    assert [a.text for a in answers] == ["ok", "duplicate"]
    assert handled == [first.idempotency_key]


# -- docs/webhooks.md: the claim in the same transaction as the work ---------------------------


@pytest.fixture
def wallet_db(db_path: str) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(db_path)) as conn:
        conn.execute("CREATE TABLE wallets (email text PRIMARY KEY, coins text NOT NULL)")
        conn.execute("INSERT INTO wallets VALUES ('ada@example.com', '0')")
        conn.commit()
        yield conn


def _credit(conn: Any, purchase: PurchaseCompletedData) -> None:
    cur = conn.cursor()
    cur.execute("UPDATE wallets SET coins = ? WHERE email = ?",
                (str(Decimal(_coins(conn)) + purchase.currency_amount), "ada@example.com"))
    cur.close()


def _coins(conn: Any) -> str:
    return str(conn.execute("SELECT coins FROM wallets").fetchone()[0])


def test_the_claim_and_the_credit_commit_together(wallet_db: sqlite3.Connection) -> None:
    event = _purchase_event()
    amount = event.purchase_completed().currency_amount
    assert sql_store.credit_once(wallet_db, event, _credit, paramstyle="qmark") is True
    assert sql_store.credit_once(wallet_db, event, _credit, paramstyle="qmark") is False
    assert Decimal(_coins(wallet_db)) == amount  # credited once


def test_a_failed_credit_leaves_no_claim_behind(wallet_db: sqlite3.Connection) -> None:
    event = _purchase_event()

    def credit_then_crash(conn: Any, purchase: PurchaseCompletedData) -> None:
        _credit(conn, purchase)
        raise RuntimeError("crashed after the UPDATE, before the commit")

    with pytest.raises(RuntimeError):
        sql_store.credit_once(wallet_db, event, credit_then_crash, paramstyle="qmark")
    assert _coins(wallet_db) == "0"
    assert wallet_db.execute("SELECT count(*) FROM invo_webhook_claims").fetchone() == (0,)
    assert sql_store.credit_once(wallet_db, event, _credit, paramstyle="qmark") is True
    assert Decimal(_coins(wallet_db)) == event.purchase_completed().currency_amount


# -- docs/webhooks.md: testing your receiver (the tests themselves are imported above) ---------


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    """The ``client`` those tests take: the Flask receiver of examples/webhooks_flask.py."""
    app = create_app(secrets=["whsec_test"], handler=lambda event: None)
    with app.test_client() as test_client:
        yield test_client
