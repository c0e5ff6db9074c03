"""The live hall and the window caller over HTTP: roles, the SSE feed, the pad's commands."""
import re
import urllib.request

import pytest

from gateway.engine import audit, commands, decide
from tests.console.harness import PASSWORD, Browser, serve

PAGES = ["/console/", "/console/hall", "/console/hall/live", "/console/window"]


@pytest.fixture
def hall(tmp_path):
    gw, server = serve(tmp_path)
    for name, role in (("wang", "supervisor"), ("li", "staff"), ("chen", "admin")):
        server.console.accounts.add(name, role, PASSWORD)
    yield gw, server
    server.stop()
    gw.store.close()


def issue(gw, svc="A"):
    with gw.lock:
        gw.service.commit_own(decide(gw.state, commands.issue(svc, "printer-1"), gw.clock()))


@pytest.mark.parametrize("path", PAGES)
def test_no_console_page_answers_without_a_sign_in(hall, path):
    _, server = hall
    status, _, text = Browser(server).get(path)
    assert status in (302, 401), (path, status)
    assert "Window" not in text and "Queues" not in text


def test_window_staff_may_not_watch_the_live_hall_but_supervisors_and_admins_may(hall):
    _, server = hall
    staff, supervisor, admin = Browser(server), Browser(server), Browser(server)
    staff.login("li"), supervisor.login("wang"), admin.login("chen")
    assert staff.get("/console/hall")[0] == 403
    assert staff.get("/console/window")[0] == 200
    for who in (supervisor, admin):
        status, _, text = who.get("/console/hall")
        assert status == 200 and 'id="queue-A"' in text and 'id="device-printer-1"' in text


def test_the_feed_sends_the_hall_again_when_a_ticket_is_issued(hall):
    gw, server = hall
    browser = Browser(server)
    browser.login("wang")
    stream = browser.opener.open(urllib.request.Request(browser.base + "/console/hall/live",
                                                        headers={"Accept": "text/event-stream"}), timeout=30)
    first = read_frame(stream)
    assert re.search(r'id="queue-A".*?class="waiting">0<', first, re.S)
    issue(gw)
    second = read_frame(stream)
    assert second != first, "a frame is sent only when the hall changed"
    assert re.search(r'id="queue-A".*?class="waiting">1<', second, re.S), second[:500]
    stream.close()


def read_frame(stream):
    lines = []
    while True:
        line = stream.readline().decode("utf-8")
        assert line, "the feed ended"
        if line == "\n" and lines:
            return "\n".join(lines)
        if line.startswith("data: "):
            lines.append(line[6:].rstrip("\n"))


def test_the_window_caller_signs_in_calls_and_finishes_with_the_pads_commands(hall):
    gw, server = hall
    browser = Browser(server)
    browser.login("li")
    token = browser.csrf("/console/window")
    assert browser.post("/console/window/sign-in", {"_csrf": token, "window": "1"})[0] == 302
    assert gw.state.windows[1].staff == "li"
    status, _, text = browser.post("/console/window/act", {"_csrf": token, "action": "call"})
    assert "no ticket waiting for window 1" in browser.get("/console/window")[2], "the refusal in words"
    issue(gw)
    browser.post("/console/window/act", {"_csrf": token, "action": "call"})
    status, _, text = browser.get("/console/window")
    assert '<p id="serving" class="big">A001</p>' in text
    assert gw.state.current(1).no == "A001" and gw.state.current(1).staff == "li"
    browser.post("/console/window/act", {"_csrf": token, "action": "finish"})
    assert gw.state.windows[1].current is None
    assert gw.state.tickets[1].status == "finished"
    done = [(ev["actor"], ev["command"]["type"], ev["ok"]) for _, ev in gw.store.iter_events()
            if ev["type"] == audit.ACTION]
    assert done == [("li", "sign_in", True), ("li", "call", False), ("li", "call", True), ("li", "finish", True)]


def test_a_forged_caller_form_runs_nothing(hall):
    gw, server = hall
    browser = Browser(server)
    browser.login("li")
    status, _, _ = browser.post("/console/window/sign-in", {"window": "1"})
    assert status == 403 and gw.state.windows[1].staff is None
    token = browser.csrf("/console/window")
    assert browser.post("/console/window/sign-in", {"_csrf": token, "window": "1"})[0] == 302
    assert gw.state.windows[1].staff == "li", "the same form with its token works"


def test_a_bad_window_or_action_is_told_not_crashed(hall):
    gw, server = hall
    browser = Browser(server)
    browser.login("li")
    token = browser.csrf("/console/window")
    browser.post("/console/window/sign-in", {"_csrf": token, "window": "99x"})
    assert "Choose a window of this hall" in browser.get("/console/window")[2]
    browser.post("/console/window/sign-in", {"_csrf": token, "window": "2"})
    browser.post("/console/window/act", {"_csrf": token, "action": "explode"})
    assert "Unknown action: explode" in browser.get("/console/window")[2]
    browser.post("/console/window/act", {"_csrf": token, "action": "transfer", "to_svc": "", "to_window": ""})
    assert "Refused:" in browser.get("/console/window")[2]


def test_a_chinese_hall_gets_its_console_in_chinese(tmp_path):
    gw, server = serve(tmp_path, "example-zh.toml")
    try:
        server.console.accounts.add("wang", "supervisor", PASSWORD)
        browser = Browser(server)
        status, _, text = browser.get("/console/login")
        assert '<html lang="zh-CN">' in text and "用户名" in text and "密码" in text
        assert browser.login("wang", "错的密码错的密码")[0] == 401
        assert "用户名或密码错误" in browser.login("wang", "错的密码错的密码")[2]
        browser.login("wang")
        status, _, text = browser.get("/console/hall")
        assert status == 200 and "大厅实况" in text and "等候人数" in text and "设备离线" in text
    finally:
        server.stop()
        gw.store.close()
