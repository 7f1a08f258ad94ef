"""The consoles-and-Steam flows end to end through the SDK against the local sandbox.

Run by hand: ``python bench/bench_devices.py``. Each flow is timed from its first call to its
last, over real HTTP on 127.0.0.1 (client and sandbox in this process), and the device loop
runs on the sandbox's clock (``sleep=sb.advance_time``), so no time is spent waiting out the
polling interval. The results are written in ``docs/performance.md``; nothing in CI asserts a
speed.
"""

from __future__ import annotations

import statistics
import time
from typing import Callable

from invonetwork import InvoError, InvoServer
from invonetwork.sandbox import Sandbox

PLAYERS = [{"email": "ada@example.com", "phone": "+15555550100", "balance": "1000000"},
           {"email": "bob@example.com", "phone": "+15555550111"}]


def device_flow(sb: Sandbox, invo: InvoServer, n: int) -> None:
    """initiate -> begin -> (phone approves) -> complete loop (2 polls) -> settle."""
    move = invo.initiate_transfer(
        client_request_id=f"b-{n}", source_player_name="Ada",
        source_player_email="ada@example.com", source_player_phone="+15555550100",
        target_player_email="bob@example.com", target_player_phone="+15555550111",
        target_game_id=2002, amount="1")
    token = invo.mint_player_token(player_email="ada@example.com").token
    txn = str(move.transaction_id)
    grant = invo.begin_device_approval(player_token=token, transaction_id=txn, flow="transfer")
    polls = [0]

    def sleep(seconds: float) -> None:
        polls[0] += 1
        if polls[0] == 2:
            sb.approve_device_code(grant.user_code)
        sb.advance_time(seconds)

    done = invo.complete_device_approval(player_token=token, transaction_id=txn,
                                         flow="transfer", device_code=grant.device_code,
                                         sleep=sleep)
    assert done.status == "approved"


def steam_flow(sb: Sandbox, invo: InvoServer, n: int) -> None:
    """packs -> init -> finalize (pending) -> (player authorizes) -> finalize (credited)."""
    invo.steam_packs(steamid="7656")
    order = invo.steam_init_purchase(player_email="bob@example.com", steamid="7656",
                                     pack_id="steam_small", purchase_reference=f"s-{n}")
    try:
        invo.steam_finalize_purchase(order_id=order.order_id)
    except InvoError as err:  # the expected "not authorized yet"
        assert err.is_steam_authorization_pending
    sb.steam_authorize(order.order_id)
    assert invo.steam_finalize_purchase(order_id=order.order_id).credited is True


def measure(name: str, flow: Callable[[Sandbox, InvoServer, int], None], rounds: int = 5,
            per_round: int = 100) -> None:
    rates: list[float] = []
    with Sandbox(players=PLAYERS) as sb, sb.client() as invo:
        count = 0
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(per_round):
                flow(sb, invo, count)
                count += 1
            rates.append(per_round / (time.perf_counter() - start))
    median = statistics.median(rates)
    print(f"{name:12s}: {median:7.1f} flows/s  ({1000 / median:6.2f} ms per flow; "
          f"rounds {', '.join(f'{r:.0f}' for r in rates)})")


def main() -> None:
    measure("device flow", device_flow)
    measure("steam flow", steam_flow)


if __name__ == "__main__":
    main()
