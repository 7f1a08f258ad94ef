"""``python -m invonetwork``: the same as the ``invonetwork`` command."""

from __future__ import annotations

from ._cli import main

raise SystemExit(main())
