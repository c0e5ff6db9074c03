"""The page a ticket's QR code opens: where the citizen stands now, served over HTTP and read
in a real browser (Chromium, headless)."""
import dataclasses
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

from gateway import status_page
from gateway.engine import commands as c
from gateway.engine import execute, fold
from gateway.web import StatusServer
from tests.gateway.hall_fixture import small_hall

T0 = 1_795_420_800.0          # 2026-11-23 16:00 at the hall (+08:00)
DAY = "2026-11-23"


def hall_with_queue():
    hall = small_hall()
    state = fold(hall, [])
    for _ in range(3):
        execute(state, c.issue("A", "printer-1"), T0)
    execute(state, c.window_action("call", 1), T0 + 60)
    return hall, state


def test_the_page_says_where_the_citizen_stands():
    hall, state = hall_with_queue()
    first, third = status_page.ticket_status(state, DAY, "A001"), status_page.ticket_status(state, DAY, "A003")
    assert first == {"state": "called", "no": "A001", "day": DAY, "svc": "A", "service": "Residence permits",
                     "window": 1, "serving": [("A001", 1)]}
    assert third["state"] == "waiting" and third["ahead"] == 1 and third["wait"][0] <= third["wait"][1]
    assert status_page.ticket_status(state, "2026-11-22", "A001")["state"] == "unknown", "numbers repeat daily"
    page = status_page.render(hall, third)
    assert "1 ahead of you" in page and "<h1 id=\"ticket\">A003</h1>" in page
    zh = status_page.render(dataclasses.replace(hall, language="zh"), first)
    assert "请到1号窗口办理" in zh


class FakeGateway:
    def __init__(self, hall, state):
        self.hall, self.state, self.lock = hall, state, threading.Lock()


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def test_the_pages_are_served_and_bad_requests_get_a_404_that_says_why():
    hall, state = hall_with_queue()
    server = StatusServer(FakeGateway(hall, state), "127.0.0.1", 0).start()
    base = "http://127.0.0.1:%d" % server.port
    try:
        code, body = get(base + "/t/%s/%s/A002" % (hall.id, DAY))
        assert code == 200 and 'data-state="waiting"' in body and "0 ahead of you" in body
        code, body = get(base + "/t/%s/%s/A009" % (hall.id, DAY))
        assert code == 404 and "No ticket A009 on 2026-11-23" in body
        code, body = get(base + "/t/otherhall/%s/A001" % DAY)
        assert code == 404 and "not of hall otherhall" in body
        code, body = get(base + "/etc/passwd")
        assert code == 404 and "Not a ticket page" in body and "/t/%s/" % hall.id in body
    finally:
        server.stop()


def test_a_real_browser_shows_the_ticket_and_its_window():
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Chromium is missing: `make test` installs it (Debian package chromium)"
    hall, state = hall_with_queue()
    server = StatusServer(FakeGateway(hall, state), "127.0.0.1", 0).start()
    try:
        url = "http://127.0.0.1:%d/t/%s/%s/A001" % (server.port, hall.id, DAY)
        run = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
                             capture_output=True, text=True, timeout=120)
        dom = run.stdout
        assert '<h1 id="ticket">A001</h1>' in dom, run.stderr[-2000:]
        assert "Please go to window 1" in dom
    finally:
        server.stop()
