"""Typed results of one area of the API: subscriptions, saved cards, the sandbox clock.

Described with ``_results.wire`` and built by ``_results.read``, under the same rules as every
other result (see ``_results``). Each public name is listed in ``__all__``, which the
package exports.
"""

from __future__ import annotations

__all__: list[str] = []
