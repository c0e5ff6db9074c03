"""The live hall's update latency: an event committed by the gateway -> the supervisor's page
in the real Chromium showing it (the fragment swapped into the page, time taken by the page's
own script), beside the same event -> the raw Server-Sent Events frame reaching a plain Python
client on the same feed, in the same run. The difference is the browser's share (parsing the
frame, replacing the DOM); the baseline itself is the feed's share (its poll, building the
fragment under the gateway's lock, the write).

The event is a ticket issued, committed through the gateway's Service as a printer's key
press is (no MQTT: the broker's share is the `latency` benchmark's), so the feed hears of it
as of any device's event: by its signature poll, not by a console action's nudge.
"""
import http.cookiejar
import random
import re
import shutil
import threading
import time
import urllib.parse
import urllib.request

from bench.stats import row, summary_ms, unavailable
from gateway import config
from gateway.engine import commands, decide
from gateway.service import Service
from gateway.store import open_store
from gateway.console.feed import POLL_S
from gateway.web import StatusServer

PASSWORD = "bench password 1"
WAIT_S = 20.0
GAP_S = (0.02, 0.2)       # a random pause before each event: not in step with the feed's poll


def _pause(rng):
    """Events come at random moments of the feed's poll, as a hall's do (one right after a
    frame would always wait a whole poll)."""
    time.sleep(rng.uniform(*GAP_S))


class _Gateway:
    def __init__(self, hall, store):
        self.hall, self.store, self.clock = hall, store, time.time
        self.lock = threading.RLock()
        self.service = Service(hall, store, lambda *_: None, time.time)


def live_hall_latency(ctx):
    samples = 10 if ctx.quick else 40
    hall = config.load(ctx.hall_file)
    store = open_store(ctx.path("console.db"))
    gateway = _Gateway(hall, store)
    server = StatusServer(gateway, "127.0.0.1", 0, console=True).start()
    try:
        server.console.accounts.add("bench", "supervisor", PASSWORD)
        base = "http://127.0.0.1:%d" % server.port
        raw = _raw_frames(gateway, base, samples)
        page = _browser(gateway, base, samples)
    finally:
        server.stop()
        store.close()
    raw_ms = summary_ms(raw)
    note = "%d events (tickets issued) at random moments, example hall, feed poll %d ms" % (samples, POLL_S * 1000)
    rows = [row("live hall: event -> raw SSE frame, median (baseline)", raw_ms["median"], "ms", note=note,
                limit="the feed's poll of the state's signature, the fragment built under the lock")]
    if isinstance(page, str):
        return rows + [unavailable("live hall: event -> page updated in Chromium", page)]
    page_ms = summary_ms(page)
    return rows + [
        row("live hall: event -> page updated in Chromium, median", page_ms["median"], "ms",
            baseline=raw_ms["median"], baseline_name="raw SSE frame", note=note,
            limit="EventSource delivery + replacing the page's fragment"),
        row("live hall: event -> page updated in Chromium, p99", page_ms["p99"], "ms",
            baseline=raw_ms["p99"], baseline_name="raw SSE frame p99", note=note,
            limit="scheduler noise on a shared 2-core machine")]


def _issue(gateway):
    with gateway.lock:
        gateway.service.commit_own(decide(gateway.service.state, commands.issue("A", "printer-1"), time.time()))


def _opener(base):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    page = opener.open(base + "/console/login", timeout=WAIT_S).read().decode()
    token = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"_csrf": token, "name": "bench", "password": PASSWORD}).encode()
    opener.open(base + "/console/login", data=form, timeout=WAIT_S).read()
    return opener


def _raw_frames(gateway, base, samples):
    stream = _opener(base).open(urllib.request.Request(base + "/console/hall/live",
                                                       headers={"Accept": "text/event-stream"}), timeout=WAIT_S)
    arrived, frames = threading.Condition(), []

    def read():
        for line in stream:
            if line.startswith(b"event:"):
                with arrived:
                    frames.append(time.time())
                    arrived.notify_all()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    _wait(arrived, frames, 1)                     # the current hall, sent first
    seconds, rng = [], random.Random(1)
    for _ in range(samples):
        _pause(rng)
        seen = len(frames)
        start = time.time()
        _issue(gateway)
        _wait(arrived, frames, seen + 1)
        seconds.append(frames[seen] - start)
    stream.close()
    return seconds


def _wait(arrived, frames, count):
    with arrived:
        if not arrived.wait_for(lambda: len(frames) >= count, WAIT_S):
            raise RuntimeError("the live hall's feed sent no frame within %.0f s" % WAIT_S)


def _browser(gateway, base, samples):
    if not (shutil.which("chromium") or shutil.which("chromium-browser")) or not shutil.which("chromedriver"):
        return "Chromium or chromium-driver is not installed (make test-deps installs them)"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser")
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1366,768"):
        options.add_argument(arg)
    browser = webdriver.Chrome(service=DriverService(shutil.which("chromedriver")), options=options)
    try:
        browser.get(base + "/console/login")
        browser.find_element(By.ID, "name").send_keys("bench")
        browser.find_element(By.ID, "password").send_keys(PASSWORD)
        browser.find_element(By.ID, "sign-in").click()
        browser.get(base + "/console/hall")
        live = browser.find_element(By.ID, "live")
        wait = WebDriverWait(browser, WAIT_S, poll_frequency=0.02)
        wait.until(lambda b: live.get_attribute("data-updates"))       # the feed's first frame
        seconds, rng = [], random.Random(1)
        for _ in range(samples):
            _pause(rng)
            seen = int(live.get_attribute("data-updates"))
            start = time.time()
            _issue(gateway)
            wait.until(lambda b: int(live.get_attribute("data-updates")) > seen)
            seconds.append(int(live.get_attribute("data-updated-at")) / 1000.0 - start)
        return seconds
    finally:
        browser.quit()
