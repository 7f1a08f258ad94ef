"""Steam one-time currency packs: INVO's catalogue, init, the player's Steam authorization,
finalize (credits once), INVO's reconciler, and Steam's chargebacks and partial refunds.

One order per ``purchase_reference``. An order opens with Steam status ``Init``; the player
approves it in the Steam overlay (a test: :meth:`SteamPurchases.authorize`) or on the web
checkout page; finalize then credits ``currency_amount`` coins once. Steam may instead end it
(``Failed``, ``Cancelled`` ...): finalize answers ``not_authorized`` with that status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Optional

from ._fields import new_id, random_digits
from ._model import DomainError, Order, bad_request, fmt
from ._state import State

__all__ = ["PACKS", "STEAM_SHARE", "VAT_RATES", "SteamOrder", "SteamPurchases", "SteamTables"]

#: INVO's catalogue: pack id -> (label, price in USD, VAT included).
PACKS: dict[str, tuple[str, Decimal]] = {
    "steam_small": ("Pouch of coins", Decimal("4.99")),
    "steam_medium": ("Chest of coins", Decimal("9.99")),
    "steam_large": ("Vault of coins", Decimal("19.99")),
}
#: The player's VAT rate (percent) by country; a country not listed pays none.
VAT_RATES: dict[str, Decimal] = {
    "US": Decimal("0"), "FR": Decimal("20"), "DE": Decimal("19"), "GB": Decimal("20"),
    "IT": Decimal("22"), "ES": Decimal("21"), "NL": Decimal("21"), "SE": Decimal("25"),
}
#: What Steam keeps of the price after VAT.
STEAM_SHARE = Decimal("0.30")
#: Steam statuses after which an order can never be credited.
DEAD_STATUSES = ("Failed", "Cancelled", "Refunded", "PartialRefund", "Chargedback")
#: The Steam status of an order the player approved.
AUTHORIZED = "Approved"


@dataclass
class SteamOrder:
    """One Steam order and where it stands."""

    order: Order
    purchase_reference: str
    steamid: str
    pack_id: str
    price_usd: Decimal
    currency_amount: Decimal
    country: str
    vat_rate_pct: Decimal
    steam_transid: str
    usersession: str
    metadata: Any
    steam_status: str = "Init"
    credited: Optional[bool] = None  # None: not finished; False: refused (reason_code)
    reason_code: Optional[str] = None
    settled_elsewhere: bool = False
    app_changed: bool = False
    debited: Decimal = Decimal("0")

    @property
    def order_id(self) -> str:
        return self.order.order_id


@dataclass
class SteamTables:
    """The Steam area's tables and the title's Steam setup (test knobs)."""

    orders: dict[str, SteamOrder] = field(default_factory=dict)
    by_reference: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)  # steamid -> country
    locked: set[str] = field(default_factory=set)  # steamids of locked Steam accounts
    entitled: bool = True
    configured: bool = True
    partner_refusal: Optional[str] = None  # PARTNER_* code init answers with
    payments_paused: bool = False
    refuse_credit: Optional[str] = None  # reason_code of the next refused credit


def coins_for(price: Decimal, vat_rate_pct: Decimal, per_usd: Decimal) -> Decimal:
    """Coins a pack gives: the price less VAT, less Steam's share, at the peg, rounded down."""
    net = price / (1 + vat_rate_pct / 100) * (1 - STEAM_SHARE)
    return (net * per_usd).quantize(Decimal("1"), rounding=ROUND_FLOOR)


class SteamPurchases:
    """The Steam road: packs, init, finalize, and what Steam and INVO's reconciler do."""

    def __init__(self, state: State) -> None:
        self.state = state

    @property
    def tables(self) -> SteamTables:
        return self.state.area("steam", SteamTables)

    # -- catalogue ----------------------------------------------------------------------------

    def _country(self, steamid: str) -> str:
        return self.tables.countries.get(steamid, "US")

    def packs(self, steamid: Optional[str]) -> dict[str, Any]:
        """The catalogue, priced for ``steamid``'s country (no VAT without one)."""
        with self.state.lock:
            if not self.tables.entitled:
                raise _not_entitled()
            per_usd = self.state.config.currency_per_usd
            answer: dict[str, Any] = {}
            rate = Decimal("0")
            if steamid:
                country = self._country(steamid)
                rate = VAT_RATES.get(country, Decimal("0"))
                answer["country"] = country
            answer["vat_rate_pct"] = f"{rate.normalize():f}"
            answer["packs"] = [
                {"pack_id": pack_id, "label": label, "price_usd": fmt(price),
                 "currency_amount": fmt(coins_for(price, rate, per_usd))}
                for pack_id, (label, price) in PACKS.items()
            ]
            return answer

    # -- init -----------------------------------------------------------------------------------

    def init(self, body: dict[str, Any]) -> dict[str, Any]:
        """Open an order (every refusal gate runs before anything is charged)."""
        s, t = self.state, self.tables
        with s.lock:
            email = body.get("player_email")
            if not isinstance(email, str) or not email.strip():
                raise bad_request("player_email is required", "player_email")
            steamid = body.get("steamid")
            steamid = str(steamid) if isinstance(steamid, (str, int)) else ""
            if not steamid.isascii() or not steamid.isdigit():
                raise bad_request("steamid must be a SteamID64 (digits)", "steamid")
            pack_id = body.get("pack_id")
            if not isinstance(pack_id, str) or not pack_id:
                raise bad_request("pack_id is required", "pack_id")
            reference = body.get("purchase_reference")
            if not isinstance(reference, str) or not reference:
                raise DomainError(400, "purchase_reference is required",
                                  "MISSING_PURCHASE_REFERENCE")
            session = body.get("usersession") or "client"
            if session == "web" and not body.get("player_ip"):
                raise DomainError(400, "A web Steam session needs player_ip",
                                  "MISSING_PLAYER_IP")
            existing = t.by_reference.get(reference)
            if existing is not None:
                raise DomainError(
                    409, "Duplicate request: this purchase_reference already opened an order",
                    "DUPLICATE_REQUEST", order_id=existing,
                )
            self._gates(pack_id, steamid)
            return self._open(email, steamid, pack_id, reference, str(session), body)

    def _gates(self, pack_id: str, steamid: str) -> None:
        t = self.tables
        if not t.entitled:
            raise _not_entitled()
        if not t.configured:
            raise DomainError(503, "This title's Steam app id and publisher key are not "
                              "registered with INVO", "STEAM_NOT_CONFIGURED")
        if t.partner_refusal is not None:
            raise DomainError(409, "The studio's settlement with INVO cannot cover this "
                              "purchase", t.partner_refusal)
        if t.payments_paused:
            raise DomainError(403, "New payments are paused on this account",
                              "PAYMENTS_PAUSED")
        if pack_id not in PACKS:
            raise DomainError(400, f"Unknown Steam pack {pack_id!r}", "UNKNOWN_STEAM_PACK",
                              valid_pack_ids=list(PACKS))
        if steamid in t.locked:
            raise DomainError(409, "This Steam account is locked", "STEAM_ACCOUNT_LOCKED")

    def _open(self, email: str, steamid: str, pack_id: str, reference: str, session: str,
              body: dict[str, Any]) -> dict[str, Any]:
        s, t = self.state, self.tables
        player = s.player_for_write(email, body.get("player_name") or None)
        country = self._country(steamid)
        rate = VAT_RATES.get(country, Decimal("0"))
        price = PACKS[pack_id][1]
        coins = coins_for(price, rate, s.config.currency_per_usd)
        now = s.clock.now()
        metadata = body.get("metadata")
        order = Order(
            kind="currency_purchase", order_id=new_id("ord"), transaction_id=new_id("txn"),
            player_email=player.email, status="pending_authorization", created_at=now,
            details={"rail": "steam", "source": "steam", "pack_id": pack_id,
                     "metadata": metadata if isinstance(metadata, dict) else {}},
            financial_summary={"usd_amount": fmt(price), "currency_amount": fmt(coins),
                               "currency_name": s.home.currency_name},
        )
        order.mark("pending_authorization", now)
        s.orders[order.order_id] = order
        steam = SteamOrder(
            order=order, purchase_reference=reference, steamid=steamid, pack_id=pack_id,
            price_usd=price, currency_amount=coins, country=country, vat_rate_pct=rate,
            steam_transid=random_digits(18), usersession=session,
            metadata=metadata if isinstance(metadata, dict) else {},
        )
        t.orders[order.order_id] = steam
        t.by_reference[reference] = order.order_id
        answer: dict[str, Any] = {
            "status": "pending_authorization", "order_id": order.order_id,
            "steam_transid": steam.steam_transid, "pack_id": pack_id,
            "charged_usd": fmt(price), "currency_amount": fmt(coins),
        }
        if session == "web":
            answer["steam_checkout_url"] = f"{s.public_base()}/steam/checkout/{order.order_id}"
        return answer

    # -- Steam's side (the player, Steam itself) -----------------------------------------------

    def order(self, order_id: str) -> SteamOrder:
        """The Steam order, or 404 ``ORDER_NOT_FOUND``."""
        found = self.tables.orders.get(order_id)
        if found is None:
            raise DomainError(404, "Order not found", "ORDER_NOT_FOUND")
        return found

    def set_steam_status(self, order_id: str, status: str) -> SteamOrder:
        """Steam moves the order (the player approved, or it failed, was cancelled ...)."""
        with self.state.lock:
            steam = self.order(order_id)
            if steam.credited is not None and status not in DEAD_STATUSES:
                raise DomainError(409, "The order is already finished", "ORDER_NOT_PENDING")
            steam.steam_status = status
            return steam

    # -- finalize and the reconciler -----------------------------------------------------------

    def finalize(self, order_id: Any) -> dict[str, Any]:
        """Credit an authorised order once; a repeat answers ``already_processed``."""
        with self.state.lock:
            if not isinstance(order_id, str) or not order_id:
                raise bad_request("order_id is required", "order_id")
            steam = self.order(order_id)
            if steam.app_changed:
                raise DomainError(409, "The order was started against another Steam app",
                                  "STEAM_APP_CHANGED")
            if steam.settled_elsewhere:
                raise DomainError(409, "Order is not finalizable")
            if steam.credited is not None:
                return self._finished(steam)
            if steam.steam_status != AUTHORIZED:
                refusal = DomainError(409, "Steam has not authorized this order")
                refusal.body.update(status="not_authorized", steam_status=steam.steam_status)
                raise refusal
            return self._credit(steam)

    def reconcile(self, order_id: str) -> SteamOrder:
        """INVO's reconciler credits an authorised order nobody finalized."""
        with self.state.lock:
            steam = self.order(order_id)
            if steam.steam_status != AUTHORIZED or steam.credited is not None:
                raise DomainError(409, "Nothing to reconcile on this order", "ORDER_NOT_PENDING")
            self._credit(steam)
            return steam

    def _finished(self, steam: SteamOrder) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "status": "success", "order_id": steam.order_id,
            "transaction_id": steam.order.transaction_id, "already_processed": True,
            "credited": bool(steam.credited),
        }
        if steam.credited is False and steam.reason_code:
            answer["reason_code"] = steam.reason_code
        return answer

    def _credit(self, steam: SteamOrder) -> dict[str, Any]:
        s, t = self.state, self.tables
        gid = s.config.game_id
        order = steam.order
        if t.refuse_credit is not None:
            steam.credited, steam.reason_code, t.refuse_credit = False, t.refuse_credit, None
            order.mark("credit_refused", s.clock.now(), steam.reason_code)
            return {"status": "success", "order_id": steam.order_id,
                    "transaction_id": order.transaction_id, "credited": False,
                    "reason_code": steam.reason_code}
        player = s.player_for_write(order.player_email)
        player.available[gid] = player.balance(gid) + steam.currency_amount
        steam.credited = True
        order.mark("completed", s.clock.now())
        balance = fmt(player.balance(gid))
        order.details["new_balance"] = balance
        metadata = {
            **steam.metadata,
            "steam_wallet_currency": "USD",
            "steam_country": steam.country,
            "steam_account_status": "Active",
            "vat_rate_pct": f"{steam.vat_rate_pct.normalize():f}",
        }
        s.emit("purchase.completed", {
            "transaction_id": order.transaction_id,
            "order_id": order.order_id,
            "player_email": player.email,
            "identity_id": player.identity_id,
            "usd_amount": fmt(steam.price_usd),
            "currency_amount": fmt(steam.currency_amount),
            "currency_name": s.home.currency_name,
            "new_balance": balance,
            "rail": "steam",
            "channel": None,
            "metadata": metadata,
        })
        s.balance_changed(player, gid, "purchase", order.transaction_id)
        return {"status": "success", "order_id": order.order_id,
                "transaction_id": order.transaction_id, "new_balance": balance,
                "credited": True}

    # -- money going back ---------------------------------------------------------------------

    def _debit(self, steam: SteamOrder, coins: Decimal) -> tuple[Decimal, Decimal]:
        """Take back up to ``coins`` (never below zero): ``(debited, new balance)``."""
        s = self.state
        gid = s.config.game_id
        player = s.player_for_write(steam.order.player_email)
        taken = min(coins, max(player.balance(gid), Decimal("0")))
        player.available[gid] = player.balance(gid) - taken
        steam.debited += taken
        if taken:
            s.balance_changed(player, gid, "refund", steam.order.transaction_id)
        return taken, player.balance(gid)

    def chargeback(self, order_id: str) -> dict[str, Any]:
        """A Steam chargeback: ``purchase.disputed`` (lost), the coins clawed back."""
        s = self.state
        with s.lock:
            steam = self.order(order_id)
            if steam.credited is not True:
                raise DomainError(409, "Only a credited order can be charged back",
                                  "ORDER_NOT_CREDITED")
            steam.steam_status = "Chargedback"
            taken, balance = self._debit(steam, steam.currency_amount - steam.debited)
            player = s.player_for_write(steam.order.player_email)
            data = {
                "transaction_id": steam.order.transaction_id, "order_id": steam.order_id,
                "player_email": player.email, "identity_id": player.identity_id,
                "dispute_status": "lost", "payment_intent_id": None, "charge_id": None,
                "dispute_id": None, "currency_debited": fmt(taken), "new_balance": fmt(balance),
                "rail": "steam", "steam_transid": steam.steam_transid,
            }
            s.emit("purchase.disputed", data)
            return data

    def partial_refund(self, order_id: str, coins: Decimal) -> dict[str, Any]:
        """A Steam partial refund: ``purchase.refunded`` with ``fully_refunded`` false."""
        s = self.state
        with s.lock:
            steam = self.order(order_id)
            if steam.credited is not True:
                raise DomainError(409, "Only a credited order can be refunded",
                                  "ORDER_NOT_CREDITED")
            steam.steam_status = "PartialRefund"
            taken, balance = self._debit(steam, min(coins, steam.currency_amount - steam.debited))
            data = {
                "order_id": steam.order_id, "transaction_id": steam.order.transaction_id,
                "currency_debited": fmt(taken), "new_balance": fmt(balance), "rail": "steam",
                "steam_transid": steam.steam_transid, "fully_refunded": False,
            }
            s.emit("purchase.refunded", data)
            return data


def _not_entitled() -> DomainError:
    return DomainError(403, "INVO has not registered this title as Steam-distributed",
                       "STEAM_RAIL_NOT_ENTITLED")
