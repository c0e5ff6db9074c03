"""The ticket status page on a phone: the real Chromium opens it at a phone's size, for the
shipped Chinese hall and the English one, and takes a screenshot (build/artifacts/, looked at
by whoever changes the page). The shipped halls' status_url points at the gateway's route."""
import os
import shutil
import subprocess
import threading
import urllib.parse

import pytest
from PIL import Image

from gateway import config, device_text, web
from gateway.engine import commands as c
from gateway.engine import execute, fold
from gateway.web import StatusServer

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ARTIFACTS = os.path.join(REPO, "build", "artifacts")
PHONE = (390, 844)            # CSS pixels of a common phone
T0 = 1_795_420_800.0


class FakeGateway:
    def __init__(self, hall, state):
        self.hall, self.state, self.lock = hall, state, threading.Lock()


def busy_morning(hall_file):
    """Six tickets of service A, two windows serving two of them: three wait before A006."""
    hall = config.load(os.path.join(REPO, "halls", hall_file))
    state = fold(hall, [])
    for n in range(6):
        execute(state, c.issue("A", "printer-1"), T0 + n)
    for window in (1, 2):
        execute(state, c.window_action("call", window), T0 + 60)
    day = state.tickets[1].day
    return hall, state, day


def browser():
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: `make test` installs it (Debian package chromium)"
    return found


def chromium(*args, timeout=120):
    run = subprocess.run([browser(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                          "--force-device-scale-factor=2", *args], capture_output=True, text=True, timeout=timeout)
    return run


@pytest.mark.parametrize("hall_file, words", [
    ("example-zh.toml", ["您的号码", "前面等候人数", "预计等候", "正在办理", "1号窗口", "本页每15秒自动刷新"]),
    ("example.toml", ["Your ticket", "people ahead", "estimated wait", "Now serving", "window 1",
                      "updates itself every 15 seconds"])])
def test_the_page_on_a_phone_in_the_halls_language(hall_file, words, tmp_path):
    hall, state, day = busy_morning(hall_file)
    server = StatusServer(FakeGateway(hall, state), "127.0.0.1", 0).start()
    try:
        url = "http://127.0.0.1:%d/t/%s/%s/A006" % (server.port, hall.id, day)
        dom = chromium("--dump-dom", url)
        assert '<h1 id="ticket">A006</h1>' in dom.stdout, dom.stderr[-2000:]
        for word in words:
            assert word in dom.stdout, word
        assert '<b id="ahead">3</b>' in dom.stdout, "A003, A004 and A005 wait before A006"
        assert 'http-equiv="refresh"' in dom.stdout
        assert "A001" in dom.stdout and "A002" in dom.stdout, "the tickets being served now"
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "status-page-%s.png" % hall.language)
        if os.path.exists(shot):
            os.remove(shot)
        run = chromium("--screenshot=%s" % shot, "--window-size=%d,%d" % PHONE, url)
        assert os.path.exists(shot), run.stderr[-2000:]
        with Image.open(shot) as png:
            assert png.size == (2 * PHONE[0], 2 * PHONE[1])
            dark = sum(png.convert("L").histogram()[:100])
            assert dark > 2000, "text on the page (a blank or failed render has none)"
    finally:
        server.stop()


def test_every_shipped_halls_status_url_is_the_gateways_route():
    checked = []
    for name in sorted(os.listdir(os.path.join(REPO, "halls"))):
        hall = config.load(os.path.join(REPO, "halls", name))
        if hall.status_url:
            path = urllib.parse.urlsplit(device_text.status_url(hall, "A001", "2026-11-23")).path
            assert web.ROUTE.match(path), "%s: %s is not the gateway's route /t/<hall>/<day>/<no>" % (name, path)
            checked.append(name)
    assert "example-zh.toml" in checked
