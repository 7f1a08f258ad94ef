"""Payout constants: the statuses of payees and payouts, and the return reason codes."""

from __future__ import annotations

__all__: list[str] = []
