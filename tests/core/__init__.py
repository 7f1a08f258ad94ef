"""The InvoServer suite, by behaviour: wire, rules, results, retries, errors, hooks, construction.

Each file holds the cases over a mocked transport (``responses``) and over the recording
server on 127.0.0.1 (``recorder.py``) for the same behaviour.
"""
