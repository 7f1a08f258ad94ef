"""The hosted pages as functions: everything shown is escaped, forms post where they should."""

from __future__ import annotations

from decimal import Decimal

import pytest

from invonetwork.sandbox._checkout_page import error_page, render_checkout, result_page
from invonetwork.sandbox._model import CheckoutSession

EVIL = '<script>alert("x")</script>'


def session(**overrides: object) -> CheckoutSession:
    fields: dict[str, object] = {
        "session_id": "cs_1", "player_email": "ada@example.com", "usd_amount": Decimal("2.5"),
        "rail": "platform", "created_at": 0.0, "expires_at": 900.0,
    }
    fields.update(overrides)
    return CheckoutSession(**fields)  # type: ignore[arg-type]


def test_the_checkout_page_shows_the_offer_and_two_forms() -> None:
    page = render_checkout(session(), page_path="/sandbox/checkout/cs_1", game_name="Quest",
                           currency_amount="25.00", currency_name="Gold").decode()
    assert "$2.50" in page and "25.00 Gold" in page and "rail: platform" in page
    assert 'action="/sandbox/checkout/cs_1/pay"' in page
    assert 'action="/sandbox/checkout/cs_1/cancel"' in page
    assert 'data-session-id="cs_1"' in page and "Steam rail" not in page
    steam = render_checkout(session(rail="steam"), page_path="/p", game_name="Q",
                            currency_amount="1", currency_name="G").decode()
    assert "Steam rail" in steam


@pytest.mark.parametrize("field", ["game_name", "currency_name", "currency_amount"])
def test_everything_shown_on_the_checkout_page_is_escaped(field: str) -> None:
    values = {"game_name": "Q", "currency_name": "G", "currency_amount": "1", field: EVIL}
    page = render_checkout(session(player_email=EVIL, session_id=EVIL), page_path="/p",
                           **values).decode()
    assert EVIL not in page.split("<script>(function")[0]
    assert "&lt;script&gt;" in page


def test_result_and_error_pages_escape_too() -> None:
    done = result_page({"status": "success", "currency_received": EVIL,
                        "currency_name": "G", "new_balance": EVIL}).decode()
    assert EVIL not in done and "Payment complete" in done
    assert 'data-status="success"' in done
    cancelled = result_page({"status": "cancelled", "new_balance": "1.00"}).decode()
    assert "Checkout cancelled" in cancelled
    error = error_page(410, EVIL, EVIL).decode()
    assert EVIL not in error and "HTTP 410" in error and 'data-status="error"' in error
    assert "HTTP 404." in error_page(404, "gone", None).decode()
