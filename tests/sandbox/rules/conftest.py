"""Unit tests of the sandbox's rules: services called directly, no HTTP, no threads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

import pytest

from invonetwork.sandbox._model import Clock, DomainError, Player
from invonetwork.sandbox._state import WorldConfig
from invonetwork.sandbox._svc_claims import Claim
from invonetwork.sandbox._svc_items import ItemPurchase
from invonetwork.sandbox._svc_players import PlayerSeed
from invonetwork.sandbox._svc_transfers import Initiation
from invonetwork.sandbox._world import World

ADA, BOB = "ada@example.com", "bob@example.com"
ADA_PHONE, BOB_PHONE, ZED_PHONE = "+15555550100", "+15555550111", "+15555550199"


def add(world: World, email: str, **fields: Any) -> Player:
    """Seed a player the way ``Sandbox.add_player`` does."""
    return world.players.add_player(PlayerSeed(email, **fields))


def make_world(**config: Any) -> World:
    """A world with Ada (500), Bob (20, passkey) and every event recorded."""
    world = World(WorldConfig(**config), Clock())
    add(world, ADA, name="Ada", phone=ADA_PHONE, balance="500")
    add(world, BOB, name="Bob", phone=BOB_PHONE, balance="20", passkey_enrolled=True)
    return world


@pytest.fixture
def world() -> World:
    return make_world()


def event_types(world: World) -> list[str]:
    return [e["event_type"] for e in world.state.events]


def refused(fn: Any, *args: Any, **kwargs: Any) -> DomainError:
    """Run ``fn`` and return the DomainError it must raise."""
    with pytest.raises(DomainError) as info:
        fn(*args, **kwargs)
    return info.value


def item(request_id: str = "r1", total: str = "150.00", quantity: int = 1,
         email: str = ADA, **extra: Any) -> ItemPurchase:
    unit = Decimal(total) / quantity
    return ItemPurchase(
        client_request_id=request_id, player_email=email, player_name="Ada",
        item_id="sword", item_name="Sword", quantity=quantity, unit_price=unit,
        total_price=Decimal(total), **extra,
    )


def initiation(kind: str = "send", request_id: str = "t1", amount: str = "50",
               sender: str = ADA, sender_phone: str = ADA_PHONE,
               receiver: str = "zed@example.com", receiver_phone: str = ZED_PHONE,
               game: int = 2002, fingerprint: Optional[str] = None) -> Initiation:
    return Initiation(
        kind=kind, client_request_id=request_id,
        fingerprint=fingerprint or f"{kind}:{request_id}:{amount}:{game}",
        sender_name="Sender", sender_email=sender, sender_phone=sender_phone,
        receiver_email=receiver, receiver_phone=receiver_phone, target_game_id=game,
        amount=Decimal(amount), amount_wire=amount,
    )


def claim(code: str, kind: str = "send", email: str = "zed@example.com",
          phone: str = ZED_PHONE, currency: Optional[int] = None,
          chosen: Optional[int] = None) -> Claim:
    return Claim(kind=kind, claim_code=code, receiver_name="Zed", receiver_email=email,
                 receiver_phone=phone, phone_field="receiver_player_phone",
                 currency_id=currency, chosen_player_id=chosen)


def verified(world: World, **kwargs: Any) -> str:
    """Initiate and verify a movement by SMS; returns its claim code."""
    mv = world.transfers.initiate(initiation(**kwargs))
    world.transfers.verify_sms(mv.kind, mv.transaction_id, mv.sms_pin or "")
    assert mv.claim_code is not None
    return mv.claim_code
