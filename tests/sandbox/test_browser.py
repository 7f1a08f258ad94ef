"""The hosted checkout page in real headless Chromium (selenium).

Skipped when /usr/bin/chromium is missing, unless INVO_REQUIRE_BROWSER=1 (CI sets it), in
which case a missing browser fails the test.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from invonetwork.sandbox import Sandbox

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CHROME_FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
    "--disable-dev-shm-usage",
)


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("INVO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"INVO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


class _GamePages(BaseHTTPRequestHandler):
    """The game's own pages: one embeds the checkout in an iframe, one is the success URL."""

    checkout_url = ""

    def do_GET(self) -> None:
        if self.path.startswith("/store"):
            body = (
                "<!DOCTYPE html><html><body><h1>My game store</h1>"
                "<script>window.__invoMessages = [];"
                "window.addEventListener('message', function (e) {"
                "  if (e.data && e.data.type === 'INVO_CHECKOUT_COMPLETE') {"
                "    window.__invoMessages.push(e.data); } });</script>"
                f"<iframe id='invo' src='{self.checkout_url}' style='width:440px;height:720px'>"
                "</iframe></body></html>"
            )
        else:
            body = "<!DOCTYPE html><html><body><h1 id='thanks'>Thanks!</h1></body></html>"
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def game_site() -> Iterator[tuple[str, type[_GamePages]]]:
    handler = type("Pages", (_GamePages,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def driver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    monkeypatch.setenv("SE_OFFLINE", "true")  # never let selenium-manager download anything
    profile = tempfile.mkdtemp(prefix="invo-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    browser = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    browser.set_page_load_timeout(20)
    try:
        yield browser
    finally:
        browser.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(players=[{"email": "ada@example.com", "balance": "10"}]) as sb:
        yield sb


def test_framed_checkout_posts_invo_checkout_complete_to_the_parent(
    driver: Any, sandbox: Sandbox, game_site: tuple[str, type[_GamePages]]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, pages = game_site
    with sandbox.client() as invo:
        checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="2.00")
    pages.checkout_url = checkout.checkout_url
    driver.get(f"{site}/store")
    driver.switch_to.frame(driver.find_element(By.ID, "invo"))
    WebDriverWait(driver, 10).until(lambda d: d.find_element(By.ID, "invo-pay").is_enabled())
    driver.find_element(By.ID, "invo-pay").click()
    driver.switch_to.default_content()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return window.__invoMessages.length") > 0
    )
    (message,) = driver.execute_script("return window.__invoMessages")
    assert message["type"] == "INVO_CHECKOUT_COMPLETE"
    data = message["data"]
    assert data["status"] == "success"
    assert data["currency_received"] == "20.00" and data["new_balance"] == "30.00"
    assert data["transaction_id"].startswith("txn_")
    assert driver.current_url == f"{site}/store"  # the top window was not redirected
    assert sandbox.balance("ada@example.com") == Decimal("30")
    assert [e["data"]["transaction_id"] for e in sandbox.events_of("purchase.completed")] == [
        data["transaction_id"]]


def test_top_level_checkout_redirects_to_success_url(
    driver: Any, sandbox: Sandbox, game_site: tuple[str, type[_GamePages]]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, _ = game_site
    with sandbox.client() as invo:
        checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="3.00",
                                        success_url=f"{site}/success")
        driver.get(checkout.checkout_url)
        assert "Pay $3.00" in driver.find_element(By.ID, "invo-pay").text
        driver.find_element(By.ID, "invo-pay").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url == f"{site}/success")
        assert driver.find_element(By.ID, "thanks").text == "Thanks!"
        balance = invo.get_player_balance(player_email="ada@example.com")
        assert balance.balances[0].available_balance == "40.00"
        driver.get(checkout.checkout_url)  # single use: the page now refuses
        assert "already used" in driver.find_element(By.TAG_NAME, "h1").text


def test_cancel_in_a_frame_reports_cancelled(
    driver: Any, sandbox: Sandbox, game_site: tuple[str, type[_GamePages]]
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    site, pages = game_site
    with sandbox.client() as invo:
        checkout = invo.create_checkout(player_email="ada@example.com", usd_amount="2.00")
    pages.checkout_url = checkout.checkout_url
    driver.get(f"{site}/store")
    driver.switch_to.frame(driver.find_element(By.ID, "invo"))
    driver.find_element(By.ID, "invo-cancel").click()
    driver.switch_to.default_content()
    WebDriverWait(driver, 10).until(
        lambda d: d.execute_script("return window.__invoMessages.length") > 0
    )
    (message,) = driver.execute_script("return window.__invoMessages")
    assert message["data"]["status"] == "cancelled"
    assert sandbox.balance("ada@example.com") == Decimal("10")
