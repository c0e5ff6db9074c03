"""The real Chromium of the system's packages, driven by Selenium through Debian's
chromium-driver, at an office screen's size; screenshots go to build/artifacts/."""
import os
import shutil

from selenium import webdriver
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.e2e.conftest import REPO

ARTIFACTS = os.path.join(REPO, "build", "artifacts")
OFFICE_SCREEN = (1366, 768)
WAIT_S = 30


def chromium():
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    assert binary and os.path.exists(driver), "Chromium and chromium-driver are missing: `make test-deps` installs them"
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=%d,%d" % OFFICE_SCREEN, "--lang=en-US"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=DriverService(driver), options=options)
    browser.set_page_load_timeout(WAIT_S)
    return browser


def wait_for(browser, check, what):
    """Wait for the page to show `check(browser)` true; the failure names what never came."""
    return WebDriverWait(browser, WAIT_S, poll_frequency=0.05).until(
        lambda b: check(b), message="the page never showed %s; it shows: %s" % (what, _body(browser)))


def text_of(browser, css):
    found = browser.find_elements(By.CSS_SELECTOR, css)
    return found[0].text.strip() if found else None


def sign_in(browser, base, name, password):
    browser.get(base + "/console/login")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    browser.find_element(By.ID, "sign-in").click()
    wait_for(browser, lambda b: text_of(b, "#who") is not None, "the signed-in name")


def screenshot(browser, name):
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, name + ".png")
    if os.path.exists(path):
        os.remove(path)
    assert browser.save_screenshot(path), path
    return path


def _body(browser):
    try:
        return browser.find_element(By.TAG_NAME, "body").text[:600]
    except Exception:  # noqa: BLE001 - only for the failure message
        return "?"
