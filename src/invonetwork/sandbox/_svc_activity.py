"""The activity feed and loyalty rewards of a player, read from the sandbox's own records.

The feed is built on each read from the orders (currency and item purchases) and the
movements (sends and transfers, with their claims, refunds and expiries): nothing is stored
twice. Rows are newest first; a cursor is an opaque token that names its player, its
``types`` and the last row it covered.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Optional, Union

from ._model import DomainError, Movement, Order, Player, fmt, iso
from ._state import State
from ._svc_phones import tables

__all__ = ["ACTIVITY_TYPES", "Activity", "ActivityPage", "Rewards", "seed_cards"]

ACTIVITY_TYPES = ("currency_purchase", "item_purchase", "platform_commerce", "send", "transfer")
DEFAULT_LIMIT, MAX_LIMIT = 50, 100


@dataclass(frozen=True)
class ActivityPage:
    """One page of the feed."""

    player: Player
    types: list[str]
    rows: list[dict[str, Any]]
    limit: int
    has_more: bool
    next_cursor: Optional[str]


def _invalid(message: str, code: str = "INVALID_INPUT") -> DomainError:
    return DomainError(400, message, code)


def _encode(email: str, types: list[str], key: tuple[float, str]) -> str:
    raw = json.dumps({"e": email, "t": types, "k": [key[0], key[1]]}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str, email: str, types: list[str]) -> tuple[float, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        key = (float(data["k"][0]), str(data["k"][1]))
        owner, kinds = data["e"], data["t"]
    except (binascii.Error, ValueError, KeyError, TypeError, IndexError):
        raise _invalid("cursor is not a cursor of this feed", "INVALID_CURSOR") from None
    if owner != email or kinds != types:
        raise _invalid("cursor belongs to another player or other types", "INVALID_CURSOR")
    return key


class Activity:
    """A player's activity in the home game, newest first, in cursor pages."""

    def __init__(self, state: State) -> None:
        self.state = state

    def page(self, email: str, limit: Optional[str], cursor: Optional[str],
             types: Optional[str]) -> ActivityPage:
        """One page (``limit`` default 50, max 100); 400 / 404 as the API answers."""
        s = self.state
        size = DEFAULT_LIMIT
        if limit is not None:
            if not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
                raise _invalid(f"limit must be an integer from 1 to {MAX_LIMIT}")
            size = int(limit)
        kinds = [] if types is None else [t.strip() for t in types.split(",") if t.strip()]
        unknown = [t for t in kinds if t not in ACTIVITY_TYPES]
        if unknown:
            raise _invalid(f"unknown activity type(s): {', '.join(unknown)}")
        with s.lock:
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            after = None if cursor is None else _decode(cursor, player.email, kinds)
            # Keys first (cheap), rows rendered only for the page: a page costs one pass
            # over the player's records plus a sort, not a dict per record.
            keys = [k for k in self._keys(player) if not kinds or k[2] in kinds]
            if after is not None:
                keys = [k for k in keys if (k[0], k[1]) < after]
            keys.sort(key=lambda k: (k[0], k[1]), reverse=True)
            chosen, more = keys[:size], len(keys) > size
            last = chosen[-1] if chosen else None
            token = (_encode(player.email, kinds, (last[0], last[1]))
                     if more and last is not None else None)
            rows = [self._render(k[3], player) for k in chosen]
            return ActivityPage(player, kinds, rows, size, more, token)

    def _keys(self, player: Player) -> list[tuple[float, str, str, Union[Order, Movement]]]:
        """(created_at, id, type, record) of every record in the player's feed."""
        s = self.state
        made: list[tuple[float, str, str, Union[Order, Movement]]] = []
        for order in s.orders.values():
            if order.player_email == player.email:
                made.append((order.created_at, order.transaction_id, order.kind, order))
        for mv in s.movements.values():
            if mv.sender_email == player.email or self._receives(mv, player):
                made.append((mv.created_at, mv.transaction_id, mv.kind, mv))
        return made

    def _receives(self, mv: Movement, player: Player) -> bool:
        return mv.target_game_id == self.state.config.game_id and (
            mv.receiver_player_id == player.player_id
            or (mv.receiver_player_id is None and mv.receiver_email == player.email))

    def _render(self, record: Union[Order, Movement], player: Player) -> dict[str, Any]:
        if isinstance(record, Order):
            return self._order_row(record)
        return self._movement_row(record, outgoing=record.sender_email == player.email)

    def _currency(self, game_id: int) -> dict[str, Any]:
        game = self.state.games[game_id]
        return {"currency_id": game.currency_id, "currency_name": game.currency_name}

    def _order_row(self, order: Order) -> dict[str, Any]:
        completed = next((e["at"] for e in order.timeline if e["status"] == "completed"), None)
        purchase = order.kind == "currency_purchase"
        amount = (order.financial_summary.get("currency_amount") if purchase
                  else order.details.get("total_price"))
        return {
            "id": order.transaction_id, "type": order.kind,
            "direction": "in" if purchase else "out", "amount": amount,
            "amount_unit": "currency", "currency": self._currency(self.state.config.game_id),
            "status": order.status, "status_detail": None, "expiry_reason": None,
            "counterparty_game": None, "created_at": iso(order.created_at),
            "completed_at": completed, "order_id": order.order_id,
            "fee_amount": None, "net_amount": None, "gross_amount": None,
        }

    def _movement_row(self, mv: Movement, *, outgoing: bool) -> dict[str, Any]:
        s = self.state
        home = s.config.game_id
        both_here = mv.source_game_id == home and mv.target_game_id == home
        direction = "self" if both_here else ("out" if outgoing else "in")
        other = mv.target_game_id if outgoing else mv.source_game_id
        game = s.games.get(other)
        uncollected = mv.state in ("expired", "failed")
        fee = mv.amount - mv.net_amount
        row: dict[str, Any] = {
            "id": mv.transaction_id, "type": mv.kind, "direction": direction,
            "amount": fmt(mv.amount if outgoing else mv.net_amount), "amount_unit": "currency",
            "currency": self._currency(mv.source_game_id if outgoing else mv.target_game_id),
            "status": mv.state, "status_detail": mv.verification_state(),
            "expiry_reason": tables(s).expiry_reasons.get(mv.transaction_id),
            "counterparty_game": None if game is None or both_here
            else {"game_id": str(game.game_id), "game_name": game.name},
            "created_at": iso(mv.created_at),
            "completed_at": iso(tables(s).completed_at[mv.transaction_id])
            if mv.transaction_id in tables(s).completed_at else None,
            "order_id": mv.order_id,
            "fee_amount": None if uncollected else fmt(fee),
            "net_amount": None if uncollected or not outgoing else fmt(mv.net_amount),
            "gross_amount": None if uncollected or outgoing else fmt(mv.amount),
        }
        return row


# -- loyalty rewards --------------------------------------------------------------------------


def _mask(code: Any) -> Optional[str]:
    return None if not code else "****" + str(code)[-4:]


def seed_cards(cards: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Check seeded loyalty cards (see ``Sandbox.set_loyalty_cards``); a copy of each."""
    made = []
    for card in cards:
        if not isinstance(card, Mapping) or not isinstance(card.get("steps", []), list):
            raise ValueError("a loyalty card is a mapping with an optional 'steps' list")
        made.append(json.loads(json.dumps(dict(card), default=str)))
    return made


class Rewards:
    """Seedable loyalty cards, rendered as the rewards read answers them."""

    def __init__(self, state: State) -> None:
        self.state = state

    def set_cards(self, email: str, cards: Sequence[Mapping[str, Any]]) -> None:
        """Give ``email`` these cards (and switch the loyalty program on)."""
        checked = seed_cards(cards)
        with self.state.lock:
            t = tables(self.state)
            t.loyalty = {} if t.loyalty is None else t.loyalty
            t.loyalty[email.strip().lower()] = checked

    def enable(self) -> None:
        """Switch the loyalty program on with no cards."""
        with self.state.lock:
            t = tables(self.state)
            t.loyalty = {} if t.loyalty is None else t.loyalty

    def cards(self, email: str) -> dict[str, Any]:
        """The rewards read: 409 ``NO_TENANT`` without a program, 404 for an unknown player."""
        s = self.state
        if not email.strip() or "@" not in email:
            raise DomainError(400, "player_email must be an email address",
                              "INVALID_PLAYER_EMAIL")
        with s.lock:
            t = tables(s)
            if t.loyalty is None:
                raise DomainError(409, "No loyalty program is set up for this game", "NO_TENANT")
            player = s.find_player(email)
            if player is None:
                raise DomainError(404, "Player not found", "PLAYER_NOT_FOUND")
            seeded = t.loyalty.get(player.email, [])
            return {"success": True, "card_version": 1,
                    "cards": [self._card(card, i) for i, card in enumerate(seeded)]}

    def _card(self, card: Mapping[str, Any], number: int) -> dict[str, Any]:
        ordered = card.get("order_mode", "ordered") == "ordered"
        steps, blocked, done = [], False, 0
        for index, step in enumerate(card.get("steps", [])):
            target = step.get("target", 1)
            complete = bool(step.get("complete")) or step.get("progress", 0) >= target
            done += complete
            state = "complete" if complete else ("locked" if blocked else "open")
            if not complete and ordered:
                blocked = True
            current = target if complete else min(int(step.get("progress", 0)), target - 1)
            steps.append({
                "step_id": step.get("step_id", f"step_{number}_{index}"), "index": index,
                "action": step.get("action", "play"), "label": step.get("label", ""),
                "summary": step.get("summary", ""), "state": state,
                "window_hours": step.get("window_hours"),
                "progress": {"current": current, "target": target},
            })
        total = len(steps)
        status = card.get("status") or (
            "completed" if total and done == total else "in_progress" if done else "available")
        return {
            "card_version": 1, "steps_required": total, "steps_complete": done,
            "mode": card.get("mode", "quest"), "title": card.get("title", ""),
            "description": card.get("description", ""),
            "order_mode": "ordered" if ordered else "any", "status": status,
            "program_id": card.get("program_id", "prog_sandbox"),
            "quest_id": card.get("quest_id", f"quest_{number}"),
            "campaign_id": card.get("campaign_id"), "art_url": card.get("art_url"),
            "starts_at": card.get("starts_at"), "ends_at": card.get("ends_at"),
            "completion_note": card.get("completion_note"),
            "window_ends_at": card.get("window_ends_at"),
            "completed_at": card.get("completed_at"), "quest_version": 1,
            "completion_hours": card.get("completion_hours"), "brand": card.get("brand", {}),
            "reward": card.get("reward", {}), "steps": steps,
            "rewards": [self._reward(r) for r in card.get("rewards", [])],
        }

    def _reward(self, reward: Mapping[str, Any]) -> dict[str, Any]:
        state = reward.get("state", "unlocked")
        reward_id = reward.get("reward_id", "reward")
        return {
            "vault_entry_id": reward.get("vault_entry_id") or f"vault_{reward_id}",
            "reward_id": reward_id, "state": state,
            "unlocked_at": reward.get("unlocked_at", ""),
            "expires_at": reward.get("expires_at", ""),
            "redeemed_at": reward.get("redeemed_at"), "code_masked": _mask(reward.get("code")),
            "reveal_until": None, "can_redeem": state == "unlocked",
            "can_reveal_again": False,
        }
