"""Model objects to wire bodies: what each endpoint answers, as INVO spells it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

from ._model import CheckoutSession, Game, Movement, Order, Player, fmt, iso
from ._state import State
from ._svc_claims import ClaimOutcome
from ._svc_items import HistoryPage, ItemReceipt
from ._svc_players import PlayerToken, Wallet
from ._svc_purchases import PurchaseOutcome
from ._svc_transfers import Destinations
from ._svc_webhooks import Rotation

Body = dict[str, Any]


def token(t: PlayerToken) -> Body:
    return {"success": True, "token": t.token, "expires_at": iso(t.expires_at),
            "identity_id": t.player.identity_id, "created": t.created,
            "phone_mismatch": t.phone_mismatch}


def _balance_row(state: State, player: Player, gid: int) -> Body:
    game = state.games[gid]
    available = player.balance(gid)
    reserved = player.reserved.get(gid, Decimal("0"))
    return {
        "currency_id": game.currency_id,
        "currency_name": game.currency_name,
        "currency_symbol": game.currency_symbol,
        "game_id": gid,
        "game_name": game.name,
        "available_balance": fmt(available),
        "reserved_balance": fmt(reserved),
        "total_balance": fmt(available + reserved),
        "last_transaction": player.last_transaction.get(gid),
    }


def balances(state: State, player: Player) -> Body:
    """One row per currency the player holds, and the totals."""
    with state.lock:
        gids = sorted(set(player.available) | set(player.reserved))
        rows = [_balance_row(state, player, gid) for gid in gids]
        available = sum((player.balance(g) for g in gids), Decimal("0"))
        reserved = sum((player.reserved.get(g, Decimal("0")) for g in gids), Decimal("0"))
    return {
        "success": True,
        "player": player.summary(),
        "balances": rows,
        "summary": {"currency_count": len(rows), "total_available": fmt(available),
                    "total_reserved": fmt(reserved)},
    }


def wallet(w: Wallet) -> Body:
    emails = [
        {"email": address, "primary": address == w.primary.email,
         "verified_at": iso(member.created_at)}
        for member in w.members for address in (member.email, *member.linked_emails)
    ]
    return {"success": True, "wallet_user_id": w.primary.wallet_user_id,
            "primary_email": w.primary.email, "primary_phone": w.primary.phone,
            "is_minor": w.primary.is_minor, "emails": emails}


def checkout(session: CheckoutSession, base: str) -> Body:
    return {"success": True, "session_id": session.session_id,
            "checkout_url": f"{base}/checkout/{session.session_id}",
            "expires_at": iso(session.expires_at)}


def purchase(outcome: PurchaseOutcome) -> Body:
    body: Body = {"success": True, "status": outcome.status,
                  "transaction_id": outcome.order.transaction_id,
                  "order_id": outcome.order.order_id}
    if outcome.status == "pending_payment":
        body["payment_url"] = outcome.payment_url
    elif outcome.status == "requires_action":
        body["client_secret"] = outcome.client_secret
        body["payment_intent_id"] = outcome.payment_intent_id
    if outcome.new_balance is not None:
        body["new_balance"] = fmt(outcome.new_balance)
    return body


def item_receipt(receipt: ItemReceipt, currency_name: str) -> Body:
    return {
        "success": True,
        "status": "success",
        "transaction_id": receipt.order.transaction_id,
        "order_id": receipt.order.order_id,
        "new_balance": receipt.order.details["new_balance"],
        "previous_balance": receipt.order.details["previous_balance"],
        "currency_name": currency_name,
        "financial_breakdown": receipt.split.wire,
    }


def _history_row(order: Order) -> Body:
    d = order.details
    return {"order_id": order.order_id, "transaction_id": order.transaction_id,
            "client_request_id": order.client_request_id, "item_id": d["item_id"],
            "item_name": d["item_name"], "item_quantity": d["item_quantity"],
            "unit_price": d["unit_price"], "total_price": d["total_price"],
            "currency_name": d["currency_name"], "status": order.status,
            "created_at": iso(order.created_at)}


def history(page: HistoryPage) -> Body:
    return {
        "success": True,
        "item_purchase_history": [_history_row(o) for o in page.orders],
        "pagination": {"total": page.total, "limit": page.limit, "offset": page.offset,
                       "has_more": page.offset + len(page.orders) < page.total},
    }


def initiated(mv: Movement, extra: Optional[Body] = None) -> tuple[int, Body]:
    """The FIRST answer of an initiate call (a replay renders the same); ``extra``: the
    re-keyed identity's fields, when the call gave an email-only sender a phone."""
    if mv.guardian_approval_id is not None:
        return 202, {
            "success": True, "status": "pending_guardian_approval",
            "transaction_id": mv.transaction_id, "verification_method": "sms",
            "guardian_approval": {"approval_id": mv.guardian_approval_id, "state": "pending",
                                  "expires_at": iso(mv.guardian_expires_at or 0)},
            **(extra or {}),
        }
    return 200, {"success": True, "status": "pending_verification",
                 "transaction_id": mv.transaction_id,
                 "verification_method": mv.verification_method,
                 "expires_at": iso(mv.expires_at), **(extra or {})}


def verified(mv: Movement, new_balance: Decimal) -> Body:
    return {"success": True, "status": "success", "transaction_id": mv.transaction_id,
            "claim_code": mv.claim_code,
            "claim_code_expires_at": iso(mv.claim_code_expires_at or 0),
            "new_balance": fmt(new_balance), "order_id": mv.order_id}


def movement_status(state: State, mv: Movement) -> Body:
    return {
        "success": True, "transaction_id": mv.transaction_id, "transaction_type": mv.kind,
        "transaction_status": mv.state, "verification_state": mv.verification_state(),
        "verification_method": mv.verification_method, "amount": fmt(mv.amount),
        "net_amount": fmt(mv.net_amount),
        "currency_id": state.games[mv.target_game_id].currency_id, "order_id": mv.order_id,
        "to_phone": mv.receiver_phone, "to_identity_id": mv.receiver_identity_id,
        "created_at": iso(mv.created_at),
    }


def _game_assets(game: Game, base: str) -> Body:
    return {"icon": game.icon(base),
            "currency_icon": f"{base}/assets/games/{game.game_id}/currency.png"}


def destinations(d: Destinations, base: str, direction: str) -> Body:
    linked = d.source.linked_game_ids
    assets = _game_assets(d.source, base)
    return {
        "status": "success",
        "source_game_id": d.source.game_id,
        "source_game_name": d.source.name,
        "source_game_icon": assets["icon"],
        "source_currency_name": d.source.currency_name,
        "source_currency_icon": assets["currency_icon"],
        "universal_transfers": linked is None,
        "transfer_mode": "universal" if linked is None else "linked",
        "available_games": [g.destination(base) for g in d.games],
        "total_destinations": len(d.games),
        "direction": direction,
        "linked_game_ids": list(linked) if linked is not None else None,
    }


def claim(state: State, outcome: ClaimOutcome) -> Body:
    mv = outcome.movement
    if outcome.receiver is None:
        return {"success": True, "status": "needs_account_selection",
                "transaction_id": mv.transaction_id,
                "candidates": [{"player_id": p.player_id, "player_name": p.name,
                                "player_email": p.email} for p in outcome.candidates]}
    game = state.games[mv.target_game_id]
    return {"success": True, "status": "success", "transaction_id": mv.transaction_id,
            "new_balance": fmt(outcome.receiver.balance(game.game_id)),
            "currency_name": game.currency_name, "order_id": mv.order_id,
            "player_id": outcome.receiver.player_id}


def inbound(state: State, movements: list[Movement]) -> Body:
    rows = [
        {"transaction_id": mv.transaction_id, "flow": mv.kind, "amount": fmt(mv.amount),
         "net_amount": fmt(mv.net_amount), "source_game_id": mv.source_game_id,
         "source_game": state.games[mv.source_game_id].name, "to_phone": mv.receiver_phone,
         "to_identity_id": mv.receiver_identity_id, "created_at": iso(mv.created_at),
         "claim_code_expires_at": iso(mv.claim_code_expires_at or 0)}
        for mv in movements
    ]
    return {"success": True, "inbound_pending": rows}


def approval(state: State, mv: Movement) -> Body:
    target = state.games[mv.target_game_id]
    verb = "send" if mv.kind == "send" else "transfer"
    return {
        "approval_id": mv.guardian_approval_id,
        "transaction_id": mv.transaction_id,
        "state": mv.guardian_state,
        "expires_at": iso(mv.guardian_expires_at or 0),
        "decided_at": iso(mv.guardian_decided_at) if mv.guardian_decided_at else None,
        "decision_source": mv.guardian_decision_source,
        "action_description": (
            f"{mv.sender_name} wants to {verb} {fmt(mv.amount)} {state.home.currency_name} "
            f"to {mv.receiver_email} in {target.name}"
        ),
    }


def subscription(state: State, secret_version: int) -> Optional[Body]:
    sub = state.subscription
    if sub is None:
        return None
    return {"game_id": sub.game_id, "target_url": sub.target_url,
            "subscribed_events": list(sub.subscribed_events), "secret_version": secret_version,
            "compression": sub.compression or "none", "active": True,
            "created_at": iso(sub.created_at), "updated_at": iso(sub.updated_at)}


def rotation(state: State, r: Rotation) -> Body:
    return {"success": True, "signing_secret": r.new.secret, "secret_version": r.new.version,
            "previous_secret_expires_at": iso(r.old.expires_at or 0),
            "subscription": subscription(state, r.new.version)}
