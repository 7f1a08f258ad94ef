"""Core contract tests for InvoServer (wire shapes, rules, results, errors, retries, hooks)."""
