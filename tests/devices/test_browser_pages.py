"""The device approval page and the Steam web checkout page in real headless Chromium
(selenium): a player opens ``verification_uri_complete`` and approves or declines, while the
game server polls with the SDK. Skipped without /usr/bin/chromium unless
INVO_REQUIRE_BROWSER=1."""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from decimal import Decimal
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
PLAYERS = [
    {"email": "ada@example.com", "name": "Ada", "phone": "+15555550100", "balance": "500"},
    {"email": "bob@example.com", "name": "Bob", "phone": "+15555550111"},
]


def _require_browser() -> None:
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.path.exists(p)]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed (apt-get install chromium chromium-driver)"
    if os.environ.get("INVO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"INVO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


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
def sb() -> Iterator[Sandbox]:
    with Sandbox(players=PLAYERS) as sandbox:
        yield sandbox


def _transfer(sb: Sandbox) -> tuple[Any, str]:
    invo = sb.client()
    made = invo.initiate_transfer(
        client_request_id="b-1", source_player_name="Ada", source_player_email="ada@example.com",
        source_player_phone="+15555550100", target_player_email="bob@example.com",
        target_player_phone="+15555550111", target_game_id=2002, amount="12.00")
    return invo, str(made.transaction_id)


def _wait(driver: Any) -> Any:
    """A wait that tolerates the page being replaced while it looks (form post, redirect)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 10, ignored_exceptions=(NoSuchElementException,
                                                         StaleElementReferenceException))


def _state(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, "invo-device").get_attribute("data-state"))


def test_the_phone_approves_while_the_console_polls(driver: Any, sb: Sandbox) -> None:
    from selenium.webdriver.common.by import By
    invo, txn = _transfer(sb)
    player = invo.mint_player_token(player_email="ada@example.com").token
    grant = invo.begin_device_approval(player_token=player, transaction_id=txn, flow="transfer")
    outcome: dict[str, Any] = {}

    def console() -> None:  # the game server's loop, fake-clocked by the sandbox
        stop = threading.Event()
        outcome["result"] = invo.complete_device_approval(
            player_token=player, transaction_id=txn, flow="transfer",
            device_code=grant.device_code, interval=grant.interval,
            sleep=lambda s: (sb.advance_time(s), stop.wait(0.05)),
            should_stop=lambda: sb.now() > 400 + outcome["start"])

    outcome["start"] = sb.now()
    worker = threading.Thread(target=console)
    worker.start()
    driver.get(grant.verification_uri_complete)
    assert _state(driver) == "pending"
    assert "12.00" in driver.find_element(By.TAG_NAME, "h1").text
    driver.find_element(By.ID, "invo-approve").click()
    # "settled" once the console's settle moved the money (both say "Approved" to the player)
    _wait(driver).until(lambda d: _state(d) in ("approved", "settled"))
    worker.join(30)
    assert not worker.is_alive()
    result = outcome["result"]
    assert result.status == "approved" and result.settlement.claim_code == sb.claim_code(txn)
    assert sb.balance("ada@example.com") == Decimal("488")
    invo.close()


def test_the_player_types_the_code_and_declines(driver: Any, sb: Sandbox) -> None:
    from selenium.webdriver.common.by import By
    invo, txn = _transfer(sb)
    player = invo.mint_player_token(player_email="ada@example.com").token
    grant = invo.begin_device_approval(player_token=player, transaction_id=txn, flow="transfer")
    driver.get(grant.verification_uri)  # a TV with no camera: the player types the code
    assert _state(driver) == "enter_code"
    driver.find_element(By.ID, "invo-user-code").send_keys(grant.user_code.lower())
    driver.find_element(By.ID, "invo-continue").click()
    _wait(driver).until(lambda d: _state(d) == "pending")
    driver.find_element(By.ID, "invo-deny").click()
    _wait(driver).until(lambda d: _state(d) == "denied")
    poll = invo.poll_device_approval(player_token=player, device_code=grant.device_code)
    assert poll.status == "access_denied"
    invo.close()


def test_a_first_time_phone_enrolls_with_a_match_code(driver: Any, sb: Sandbox) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    invo, txn = _transfer(sb)
    player = invo.mint_player_token(player_email="ada@example.com").token
    grant = invo.begin_device_approval(player_token=player, transaction_id=txn, flow="transfer")
    driver.get(grant.verification_uri_complete)
    Select(driver.find_element(By.ID, "invo-device-label")).select_by_visible_text("iPad")
    driver.find_element(By.ID, "invo-enroll").click()
    _wait(driver).until(lambda d: d.find_elements(By.ID, "invo-match"))
    shown = driver.find_element(By.ID, "invo-match").text
    poll = invo.poll_device_approval(player_token=player, device_code=grant.device_code)
    assert poll.enrollment is not None and poll.enrollment.device_label == "iPad"
    assert poll.enrollment.match_code in shown  # the screen and the phone show the same code
    invo.confirm_device_enrollment(player_token=player, device_code=grant.device_code,
                                   decision="approve")
    driver.refresh()
    driver.find_element(By.ID, "invo-approve").click()
    _wait(driver).until(lambda d: _state(d) == "approved")
    sb.advance_time(5)
    assert invo.poll_device_approval(player_token=player,
                                     device_code=grant.device_code).status == "approved"
    invo.close()


def test_steam_web_checkout_page(driver: Any, sb: Sandbox) -> None:
    from selenium.webdriver.common.by import By

    with sb.client() as invo:
        opened = invo.steam_init_purchase(player_email="bob@example.com", steamid="7656",
                                          pack_id="steam_large", purchase_reference="w-1",
                                          usersession="web", player_ip="203.0.113.9")
        driver.get(opened.steam_checkout_url)
        driver.find_element(By.ID, "steam-approve").click()
        _wait(driver).until(
            lambda d: d.find_element(By.ID, "steam-checkout").get_attribute("data-state")
            == "Approved")
        done = invo.steam_finalize_purchase(order_id=opened.order_id)
    assert done.credited is True and done.new_balance == "139.00"
