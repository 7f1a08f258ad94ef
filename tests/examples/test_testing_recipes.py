"""Run the pytest recipes of examples/testing_recipes.py (included by docs/testing.md)."""

from __future__ import annotations

from testing_recipes import (  # noqa: F401  (imported to be collected and run here)
    test_an_exact_answer_with_responses,
    test_buying_an_item,
    test_running_short,
    test_the_sandbox_signs_its_webhooks,
    test_the_webhook_receiver,
    test_throttled_after_retries,
    test_with_a_mock_client,
    test_without_the_fixture,
)
