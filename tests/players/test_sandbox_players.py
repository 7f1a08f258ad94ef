"""The sandbox's players and phones, through the SDK over real HTTP on 127.0.0.1: minting
(C3), registering, setting a phone, phone change requests and their confirmation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from invonetwork import InvoError, InvoServer, PlayerPhoneChangedData
from invonetwork.sandbox import Sandbox, SandboxError

ADA, ADA_PHONE = "ada@example.com", "+15555550100"
BOB, BOB_PHONE = "bob@example.com", "+15555550111"
NEW_PHONE = "+15555550177"


@pytest.fixture(scope="module")
def shared() -> Iterator[Sandbox]:
    with Sandbox() as sb:
        yield sb


@pytest.fixture
def sb(shared: Sandbox) -> Sandbox:
    shared.reset()
    shared.add_player(ADA, name="Ada", phone=ADA_PHONE, balance=100)
    shared.add_player(BOB, name="Bob", phone=BOB_PHONE)
    return shared


@pytest.fixture
def invo(sb: Sandbox) -> Iterator[InvoServer]:
    with sb.client(max_retries=0) as client:
        yield client


def _error(fn: object, **kwargs: object) -> InvoError:
    with pytest.raises(InvoError) as caught:
        fn(**kwargs)  # type: ignore[operator]
    return caught.value


# -- C3: minting ---------------------------------------------------------------------------------


def test_mint_for_an_unknown_email_without_a_phone_is_a_404(invo: InvoServer) -> None:
    err = _error(invo.mint_player_token, player_email="new@example.com")
    assert err.status == 404 and err.is_player_not_found


def test_mint_with_a_phone_creates_the_player(sb: Sandbox, invo: InvoServer) -> None:
    made = invo.mint_player_token(player_email="new@example.com", player_phone=NEW_PHONE,
                                  player_name="Newt")
    assert made.created and not made.phone_mismatch
    player = next(p for p in sb.snapshot()["players"] if p["player_email"] == "new@example.com")
    assert (player["player_phone"], player["player_name"]) == (NEW_PHONE, "Newt")
    again = invo.mint_player_token(player_email="new@example.com")
    assert not again.created


def test_mint_never_changes_an_existing_players_phone_or_name(sb: Sandbox,
                                                              invo: InvoServer) -> None:
    made = invo.mint_player_token(player_email=ADA, player_phone=NEW_PHONE, player_name="X")
    assert made.phone_mismatch and not made.created
    ada = next(p for p in sb.snapshot()["players"] if p["player_email"] == ADA)
    assert (ada["player_phone"], ada["player_name"]) == (ADA_PHONE, "Ada")
    assert not invo.mint_player_token(player_email=ADA, player_phone=ADA_PHONE).phone_mismatch


def test_mint_with_another_emails_phone_needs_consent(invo: InvoServer) -> None:
    err = _error(invo.mint_player_token, player_email="eve@example.com", player_phone=BOB_PHONE)
    assert err.status == 409 and err.code == "PHONE_SHARE_APPROVAL_REQUIRED"
    assert err.phone_share_last4 == "0111"


# -- register_player -----------------------------------------------------------------------------


def test_register_creates_then_finds(invo: InvoServer) -> None:
    made = invo.register_player(player_email="cy@example.com", player_phone=NEW_PHONE,
                                player_name="Cy")
    assert made.status == "created" and made.identity_id and made.player_token
    assert made.player_token_expires_at
    again = invo.register_player(player_email="cy@example.com", player_phone=NEW_PHONE)
    assert again.status == "exists" and again.identity_id == made.identity_id


def test_register_with_another_phone_is_phone_mismatch(invo: InvoServer) -> None:
    err = _error(invo.register_player, player_email=ADA, player_phone=NEW_PHONE)
    assert err.status == 409 and err.is_phone_mismatch


def test_register_with_a_phone_of_another_email_needs_consent(invo: InvoServer) -> None:
    err = _error(invo.register_player, player_email="eve@example.com", player_phone=ADA_PHONE)
    assert err.status == 409 and err.code == "PHONE_SHARE_APPROVAL_REQUIRED"


def test_register_refuses_a_bad_phone_with_invalid_phone(sb: Sandbox) -> None:
    import requests

    answer = requests.post(f"{sb.base_url}/api/sdk/players", timeout=5,
                           headers={"X-Game-Secret-Key": sb.game_secret},
                           json={"player_email": "z@example.com", "player_phone": "12"})
    assert answer.status_code == 400 and answer.json()["code"] == "INVALID_PHONE"


# -- update_player_phone -------------------------------------------------------------------------


def test_update_gives_a_phoneless_player_a_phone_and_rekeys(sb: Sandbox,
                                                            invo: InvoServer) -> None:
    sb.add_player("nophone@example.com")
    before = invo.mint_player_token(player_email="nophone@example.com").identity_id
    done = invo.update_player_phone(player_email="nophone@example.com", new_phone=NEW_PHONE)
    assert done.status == "updated" and done.identity_rekeyed and done.player_token
    assert done.identity_id != before
    same = invo.update_player_phone(player_email="nophone@example.com", new_phone=NEW_PHONE)
    assert same.status == "unchanged" and not same.identity_rekeyed
    assert sb.events_of("player.phone_changed") == []  # update messages nobody


def test_update_of_a_phone_on_file_needs_verification(sb: Sandbox, invo: InvoServer) -> None:
    err = _error(invo.update_player_phone, player_email=ADA, new_phone=NEW_PHONE)
    assert err.status == 409 and err.is_phone_change_requires_verification
    assert err.change_request_endpoint == "/sandbox/api/sdk/players/phone/change-requests"


def test_update_of_an_unknown_player_is_a_codeless_404(invo: InvoServer) -> None:
    err = _error(invo.update_player_phone, player_email="who@example.com", new_phone=NEW_PHONE)
    assert err.status == 404 and err.is_player_not_found and err.body == {
        "error": "player_not_found"}


def test_update_to_a_phone_another_player_holds_needs_consent(sb: Sandbox,
                                                              invo: InvoServer) -> None:
    sb.add_player("nophone@example.com")
    err = _error(invo.update_player_phone, player_email="nophone@example.com",
                 new_phone=BOB_PHONE)
    assert err.code == "PHONE_SHARE_APPROVAL_REQUIRED"


# -- phone change requests -----------------------------------------------------------------------


def test_a_change_request_waits_for_the_player_then_changes_the_phone(
    sb: Sandbox, invo: InvoServer
) -> None:
    asked = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    assert (asked.status, asked.delivery, asked.confirmation) == (
        "pending_confirmation", "email", "email_code")
    assert sb.email_outbox[-1]["to"] == ADA and sb.email_outbox[-1]["code"]
    pending = invo.get_phone_change(asked.change_request_id)
    assert pending.status == "pending" and pending.new_phone_masked == "+1******0177"
    identity = invo.mint_player_token(player_email=ADA).identity_id
    with pytest.raises(SandboxError):
        sb.confirm_phone_change(asked.change_request_id, code="000000x")
    sb.confirm_phone_change(asked.change_request_id, code=sb.email_outbox[-1]["code"])
    done = invo.get_phone_change(asked.change_request_id)
    assert (done.status, done.confirmed_via) == ("confirmed", "hosted_page")
    assert done.confirmed_at
    ada = next(p for p in sb.snapshot()["players"] if p["player_email"] == ADA)
    assert ada["player_phone"] == NEW_PHONE
    [event] = sb.events_of("player.phone_changed")
    data = PlayerPhoneChangedData.from_data(event["data"])
    assert (data.source, data.new_phone, data.new_phone_included) == ("player", NEW_PHONE, True)
    assert data.previous_identity_id == identity and data.identity_id != identity
    assert (data.previous_phone_masked, data.new_phone_masked) == ("+1******0100",
                                                                   "+1******0177")


def test_the_game_cannot_confirm_a_change(sb: Sandbox, invo: InvoServer) -> None:
    import requests

    asked = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    answer = requests.post(
        f"{sb.base_url}/api/sdk/players/phone/change-requests/{asked.change_request_id}/confirm",
        headers={"X-Game-Secret-Key": sb.game_secret}, json={"code": "123456"}, timeout=5)
    assert answer.status_code == 409 and answer.json()["code"] == "CONFIRM_ON_INVO_PAGE"


def test_a_new_request_replaces_the_pending_one(invo: InvoServer) -> None:
    first = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    invo.request_phone_change(player_email=ADA, new_phone="+15555550188")
    assert invo.get_phone_change(first.change_request_id).status == "cancelled"


def test_change_requests_expire_and_can_be_declined(sb: Sandbox, invo: InvoServer) -> None:
    first = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    sb.advance_time(3601)
    assert invo.get_phone_change(first.change_request_id).status == "expired"
    second = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    sb.decline_phone_change(second.change_request_id)
    assert invo.get_phone_change(second.change_request_id).status == "denied"
    with pytest.raises(SandboxError):
        sb.confirm_phone_change(second.change_request_id)


@pytest.mark.parametrize("email,phone,status,code", [
    ("who@example.com", NEW_PHONE, 404, "PLAYER_NOT_FOUND"),
    (ADA, ADA_PHONE, 409, "PHONE_SAME"),
    (ADA, BOB_PHONE, 409, "PHONE_IN_USE_BY_ANOTHER_PLAYER"),
])
def test_change_request_refusals(invo: InvoServer, email: str, phone: str, status: int,
                                 code: str) -> None:
    err = _error(invo.request_phone_change, player_email=email, new_phone=phone)
    assert (err.status, err.code) == (status, code)


def test_a_phoneless_player_has_no_phone_to_change(sb: Sandbox, invo: InvoServer) -> None:
    sb.add_player("nophone@example.com")
    err = _error(invo.request_phone_change, player_email="nophone@example.com",
                 new_phone=NEW_PHONE)
    assert err.is_phone_not_set


def test_too_many_change_requests(invo: InvoServer) -> None:
    for _ in range(5):
        invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    err = _error(invo.request_phone_change, player_email=ADA, new_phone=NEW_PHONE)
    assert err.status == 429 and err.is_too_many_change_requests and err.retry_after is None


def test_pending_transfers_to_the_old_phone_block_a_change(sb: Sandbox,
                                                           invo: InvoServer) -> None:
    sb.add_player(BOB, balance=50, phone=BOB_PHONE, passkey_enrolled=True)
    txn = invo.initiate_send(
        client_request_id="s1", sender_player_name="Bob", sender_player_email=BOB,
        sender_player_phone=BOB_PHONE, receiver_player_phone=ADA_PHONE,
        receiving_game_id=2002, amount="10.00").transaction_id
    sb.approve_transaction(str(txn))
    err = _error(invo.request_phone_change, player_email=ADA, new_phone=NEW_PHONE)
    assert err.is_pending_transfers_to_old_phone


def test_an_unknown_or_foreign_change_request_is_a_404(invo: InvoServer) -> None:
    err = _error(invo.get_phone_change, change_request_id="pcr_nope")
    assert err.status == 404 and err.is_change_request_not_found


def test_a_support_change_is_sent_with_source_support(sb: Sandbox) -> None:
    sb.change_phone_by_support(ADA, NEW_PHONE)
    [event] = sb.events_of("player.phone_changed")
    data = PlayerPhoneChangedData.from_data(event["data"])
    assert data.source == "support" and data.new_phone is None and not data.new_phone_included


def test_the_confirmation_admin_endpoint(sb: Sandbox, invo: InvoServer) -> None:
    import requests

    asked = invo.request_phone_change(player_email=ADA, new_phone=NEW_PHONE)
    answer = requests.post(
        f"{sb.root_url}/__sandbox__/phone-changes/{asked.change_request_id}/confirm", timeout=5)
    assert answer.status_code == 200 and answer.json()["status"] == "confirmed"
    emails = requests.get(f"{sb.root_url}/__sandbox__/emails", timeout=5).json()["emails"]
    assert emails[-1]["change_request_id"] == asked.change_request_id
