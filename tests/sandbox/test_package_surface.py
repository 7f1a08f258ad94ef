"""The public names of invonetwork.sandbox load on first use and nothing else starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

import invonetwork.sandbox as sandbox


def test_public_names_resolve_lazily_and_are_listed() -> None:
    for name in sandbox.__all__:
        assert getattr(sandbox, name) is not None
        assert name in dir(sandbox)
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        _ = sandbox.Nope  # type: ignore[attr-defined]


def test_importing_the_package_starts_and_loads_nothing_heavy() -> None:
    code = (
        "import sys, threading, invonetwork.sandbox\n"
        "loaded = [m for m in ('invonetwork.sandbox._server', 'invonetwork.sandbox._world', "
        "'invonetwork.sandbox._http', 'requests') if m in sys.modules]\n"
        "assert not loaded, loaded\n"
        "assert threading.active_count() == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_the_testing_helpers_and_the_delivery_builder_never_load_requests() -> None:
    code = (
        "import sys, invonetwork.testing, invonetwork.webhooks._delivery\n"
        "assert 'requests' not in sys.modules and 'urllib3' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)


def test_the_receiver_needs_no_client() -> None:
    code = (
        "import sys\n"
        "from invonetwork.sandbox import WebhookReceiver\n"
        "with WebhookReceiver() as rx: assert rx.url.startswith('http://127.0.0.1:')\n"
        "assert 'requests' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=30)
