"""The hall console in the real Chromium (Selenium + chromium-driver): each role signs in,
the live hall follows a device's key press without a reload, a window caller calls and
finishes a ticket the window's display then shows, pages refuse the signed-out, a forged form
is refused. Every wait is on a page element or a device's screen, never a sleep."""
import pytest
from selenium.webdriver.common.by import By

from gateway.web import StatusServer
from tests.e2e.conftest import WAIT
from tests.e2e.console_browser import chromium, screenshot, sign_in, text_of, wait_for

PASSWORD = "a long demo password"
ROLES = {"chen": "admin", "wang": "supervisor", "li": "staff"}


@pytest.fixture
def console(gateway):
    server = StatusServer(gateway, "127.0.0.1", 0, console=True).start()
    for name, role in ROLES.items():
        server.console.accounts.add(name, role, PASSWORD)
    yield "http://127.0.0.1:%d" % server.port
    server.stop()


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


@pytest.mark.parametrize("name, pages, not_pages", [
    ("chen", ["Live hall", "Window caller"], []),
    ("wang", ["Live hall", "Window caller"], []),
    ("li", ["Window caller"], ["Live hall"])])
def test_each_role_signs_in_and_sees_its_pages(gateway, console, browser, name, pages, not_pages):
    sign_in(browser, console, name, PASSWORD)
    role_words = {"admin": "administrator", "supervisor": "supervisor", "staff": "window staff"}
    assert text_of(browser, "#who") == "%s (%s)" % (name, role_words[ROLES[name]])
    nav = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#nav a")]
    assert all(page in nav for page in pages) and not any(page in nav for page in not_pages), nav
    screenshot(browser, "console-home-%s" % ROLES[name])


def test_the_live_hall_follows_a_key_press_without_a_reload(gateway, devices, console, browser):
    sign_in(browser, console, "wang", PASSWORD)
    browser.get(console + "/console/hall")
    wait_for(browser, lambda b: text_of(b, "#queue-A .waiting") == "0", "nobody waiting for A")
    wait_for(browser, lambda b: b.find_element(By.ID, "device-printer-1").get_attribute("data-online") == "yes",
             "printer-1 online")
    browser.execute_script("window.sameLoad = 'yes';")     # gone if the page were reloaded
    devices["printer-1"].press("k1")
    wait_for(browser, lambda b: text_of(b, "#queue-A .waiting") == "1", "A001 waiting")
    assert browser.execute_script("return window.sameLoad;") == "yes", "updated in place, not reloaded"
    assert int(browser.find_element(By.ID, "live").get_attribute("data-updates")) >= 1
    screenshot(browser, "console-live-hall")


def test_a_window_caller_calls_and_finishes_what_the_display_shows(gateway, devices, console, browser):
    display, printer = devices["display-3"], devices["printer-1"]
    sign_in(browser, console, "li", PASSWORD)
    browser.get(console + "/console/window")
    browser.find_element(By.CSS_SELECTOR, "#window-choice option[value='3']").click()
    browser.find_element(By.ID, "sign-in-window").click()
    wait_for(browser, lambda b: b.find_elements(By.ID, "act-call"), "the caller of window 3")
    printer.press("k1")
    devices.wait_until(printer.tickets, WAIT, "a ticket")
    browser.find_element(By.ID, "act-call").click()
    wait_for(browser, lambda b: text_of(b, "#serving") == "A001", "A001 called")
    devices.wait_until(lambda: "A001" in display.shows(), WAIT, "A001 on window 3's display", seen=display.shows)
    screenshot(browser, "console-window-caller")
    browser.find_element(By.ID, "act-finish").click()
    wait_for(browser, lambda b: text_of(b, "#serving") == "nobody", "the window free again")
    devices.wait_until(lambda: display.shows().split("\n")[1] == "-", WAIT, "the display free again",
                       seen=display.shows)
    with gateway.lock:
        assert gateway.state.tickets[1].status == "finished" and gateway.state.tickets[1].staff == "li"


@pytest.mark.parametrize("path", ["/console/", "/console/hall", "/console/window"])
def test_a_signed_out_browser_is_sent_to_the_sign_in(gateway, console, browser, path):
    browser.get(console + path)
    wait_for(browser, lambda b: b.find_elements(By.ID, "login"), "the sign-in form")
    assert "/console/login" in browser.current_url
    assert not browser.find_elements(By.ID, "live") and not browser.find_elements(By.ID, "caller")


def test_a_forged_form_without_its_csrf_token_is_refused(gateway, console, browser):
    sign_in(browser, console, "li", PASSWORD)
    browser.get(console + "/console/window")
    browser.execute_script("document.querySelector('#choose-window input[name=_csrf]').remove();")
    browser.find_element(By.ID, "sign-in-window").click()
    wait_for(browser, lambda b: "CSRF" in b.find_element(By.TAG_NAME, "body").text, "the refusal")
    screenshot(browser, "console-forged-form")
    browser.get(console + "/console/window")
    wait_for(browser, lambda b: b.find_elements(By.ID, "choose-window"), "the window chooser again")
    with gateway.lock:
        assert all(w.staff is None for w in gateway.state.windows.values()), "nobody was signed in"


def test_the_live_hall_on_a_tablet_in_a_chinese_hall(mosquitto, tmp_path):
    from gateway import config
    from gateway.mqtt import Gateway
    from tests.e2e.conftest import REPO
    hall = config.load(REPO + "/halls/example-zh.toml")
    gw = Gateway.from_files(hall, str(tmp_path / "zh.db"), "127.0.0.1", mosquitto.port)
    assert gw.start(wait=WAIT)
    server = StatusServer(gw, "127.0.0.1", 0, console=True).start()
    driver = chromium()
    try:
        server.console.accounts.add("wang", "supervisor", PASSWORD)
        driver.set_window_size(1024, 768)          # a tablet held sideways
        sign_in(driver, "http://127.0.0.1:%d" % server.port, "wang", PASSWORD)
        driver.get("http://127.0.0.1:%d/console/hall" % server.port)
        wait_for(driver, lambda b: text_of(b, "#services h2") == "排队", "the queues in Chinese")
        width = driver.execute_script("return document.documentElement.scrollWidth;")
        assert width <= driver.execute_script("return window.innerWidth;"), "no sideways scrolling on a tablet"
        screenshot(driver, "console-live-hall-zh-tablet")
    finally:
        driver.quit()
        server.stop()
        gw.stop()
