"""Fixtures of the players suite: the recording server on 127.0.0.1 (from ``tests/core``)."""

from __future__ import annotations

from core.recorder import _server, invo, srv  # noqa: F401 - fixtures, re-exported
