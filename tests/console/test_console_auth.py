"""Accounts, sessions, CSRF, throttling and the audit trail of the console, over HTTP against
the real server; the audit events leave the queue as it was."""
import io
import subprocess
import sys

import pytest

from gateway.console.accounts import AccountError, Accounts
from gateway.engine import audit, commands, fold
from tests.console.harness import PASSWORD, REPO, Browser, serve


@pytest.fixture
def hall(tmp_path):
    gw, server = serve(tmp_path)
    server.console.accounts.add("wang", "supervisor", PASSWORD)
    server.console.accounts.add("li", "staff", PASSWORD)
    yield gw, server
    server.stop()
    gw.store.close()


def log_types(gw):
    return [ev["type"] for _, ev in gw.store.iter_events()]


def test_every_console_page_needs_a_sign_in_and_the_status_pages_do_not(hall):
    gw, server = hall
    browser = Browser(server)
    status, headers, _ = browser.get("/console/")
    assert status == 302 and headers["Location"].startswith("/console/login?next=")
    status, _, text = browser.get("/t/%s/2026-11-23/A001" % gw.hall.id)
    assert status == 404 and "No ticket A001" in text, "the citizens' page answers without a sign-in"
    status, _, text = browser.get("/metrics")
    assert status == 200 and "hallmesh" in text


def test_sign_in_with_the_right_password_only_and_each_is_in_the_log(hall):
    gw, server = hall
    browser = Browser(server)
    status, _, text = browser.login("wang", "wrong password")
    assert status == 401 and "Wrong name or password" in text
    status, headers, _ = browser.login("wang")
    assert status == 302 and headers["Location"] == "/console/"
    status, _, text = browser.get("/console/")
    assert status == 200 and "wang (supervisor)" in text
    token = browser.csrf("/console/")
    status, headers, _ = browser.post("/console/logout", {"_csrf": token})
    assert status == 302 and headers["Location"] == "/console/login"
    assert browser.get("/console/")[0] == 302, "signed out"
    trail = [ev for _, ev in gw.store.iter_events() if ev["type"] in audit.AUDIT_TYPES]
    assert [(ev["type"], ev["actor"]) for ev in trail] == [
        (audit.LOGIN_REFUSED, "wang"), (audit.LOGIN, "wang"), (audit.LOGOUT, "wang")]
    assert fold(gw.hall, [ev for _, ev in gw.store.iter_events()]).tickets == {}, "the queue is untouched"


def test_a_form_without_its_csrf_token_is_refused(hall):
    gw, server = hall
    browser = Browser(server)
    assert browser.login("wang")[0] == 302
    status, _, text = browser.post("/console/logout", {})
    assert status == 403 and "CSRF" in text
    status, _, _ = browser.post("/console/logout", {"_csrf": "forged"})
    assert status == 403
    assert browser.get("/console/")[0] == 200, "still signed in: the forged sign-out did nothing"
    assert audit.LOGOUT not in log_types(gw)


def test_sign_ins_are_throttled_after_five_failures_even_with_the_right_password(hall):
    gw, server = hall
    browser = Browser(server)
    for _ in range(5):
        assert browser.login("li", "not it at all")[0] == 401
    status, _, text = browser.login("li")
    assert status == 429 and "Too many failed sign-ins" in text
    assert log_types(gw).count(audit.LOGIN_REFUSED) == 6 and audit.LOGIN not in log_types(gw)
    status, _, _ = Browser(server).login("wang")
    assert status == 429, "the address that failed five times is held back for every name (no password spraying)"


def test_the_throttle_lets_a_name_try_again_after_the_lockout():
    from gateway.console.guard import Throttle
    now = [0.0]
    throttle = Throttle(clock=lambda: now[0], max_failures=3, window_s=60, lockout_s=30)
    key = ("name", "li")
    for _ in range(2):
        throttle.failed(key)
    assert throttle.refused_for_s(key) == 0, "two failures: still allowed"
    throttle.failed(key)
    assert throttle.refused_for_s(key) == 30
    now[0] = 29.0
    assert throttle.refused_for_s(key) == pytest.approx(1.0)
    now[0] = 30.5
    assert throttle.refused_for_s(key) == 0


def test_execute_runs_the_pads_command_under_the_lock_with_the_actor_in_the_log(hall):
    gw, server = hall
    console = server.console
    refused = console.actions.execute(commands.call(1, "li"), "li")
    assert not refused.ok and refused.text == "no ticket waiting for window 1 (A)"
    assert console.actions.execute(commands.sign_in(1, "li"), "li").ok
    with gw.lock:
        gw.service.commit_own(__import__("gateway.engine", fromlist=["decide"]).decide(
            gw.state, commands.issue("A", "printer-1"), gw.clock()))
    called = console.actions.execute(commands.call(1, "li"), "li")
    assert called.ok and [ev["type"] for ev in called.events] == ["ticket_called"]
    assert gw.state.windows[1].current is not None
    actions = [ev for _, ev in gw.store.iter_events() if ev["type"] == audit.ACTION]
    assert [(ev["actor"], ev["command"]["type"], ev["ok"]) for ev in actions] == [
        ("li", "call", False), ("li", "sign_in", True), ("li", "call", True)]
    assert any(topic.endswith("/view") for topic, _ in gw.published), "the views went out"


def test_accounts_refuse_bad_names_roles_short_passwords_and_twins(tmp_path):
    accounts = Accounts(tmp_path / "a.db")
    with pytest.raises(AccountError, match="at least 8"):
        accounts.add("zhang", "staff", "short")
    with pytest.raises(AccountError, match="role 'boss'"):
        accounts.add("zhang", "boss", PASSWORD)
    with pytest.raises(AccountError, match="no spaces"):
        accounts.add("zhang san", "staff", PASSWORD)
    accounts.add("张三", "staff", PASSWORD)
    with pytest.raises(AccountError, match="exists already"):
        accounts.add("张三", "admin", PASSWORD)
    assert accounts.verify("张三", PASSWORD)["role"] == "staff"
    assert accounts.verify("张三", PASSWORD + "x") is None
    assert accounts.verify("nobody", PASSWORD) is None


def test_the_first_administrator_is_one_command(tmp_path):
    db = tmp_path / "hall.db"
    from gateway.store import open_store
    open_store(str(db)).close()
    run = subprocess.run([sys.executable, "-m", "gateway", "console", "add-user", "--role", "admin", "chen",
                          "--hall", "%s/halls/example.toml" % REPO, "--db", str(db)],
                         input=PASSWORD + "\n", capture_output=True, text=True, cwd=REPO, timeout=120)
    assert run.returncode == 0, run.stderr
    assert Accounts(db).verify("chen", PASSWORD)["role"] == "admin"
    with open_store(str(db)) as store:
        added = [ev for _, ev in store.iter_events() if ev["type"] == audit.ACCOUNT_ADDED]
    assert [(ev["actor"], ev["name"], ev["role"]) for ev in added] == [("cli", "chen", "admin")]
    again = subprocess.run([sys.executable, "-m", "gateway", "console", "add-user", "--role", "admin", "chen",
                            "--hall", "%s/halls/example.toml" % REPO, "--db", str(db)],
                           input="short\n", capture_output=True, text=True, cwd=REPO, timeout=120)
    assert again.returncode == 2 and "at least 8 characters" in again.stderr and "Traceback" not in again.stderr
