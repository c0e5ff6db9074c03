"""The administration page over HTTP: staff sign-in/out, the appointments preview naming bad
rows (GB18030 with CRLF too) and the import, device enrolment/removal/broker files, and the
hall file's check; each change is an event in the log with the administrator as actor."""
import re
import urllib.request
import uuid

import pytest

from gateway.engine import audit
from tests.console.harness import Browser
from tests.console.office_fixtures import start

GOOD_AND_BAD = ("code,service,time,name\r\n"
                "K100,A,2026-11-24 10:30,张三\r\n"
                "K101,Z,2026-11-24 10:40,李四\r\n"
                "K102,A,tomorrow at ten,王五\r\n")


@pytest.fixture
def hall(tmp_path):
    gw, server = start(tmp_path)
    server.console.fleet_path = str(tmp_path / "fleet.db")
    browser = Browser(server)
    browser.login("chen")
    yield gw, server, browser
    server.stop()
    gw.store.close()


def upload(browser, path, token, name, data):
    boundary = uuid.uuid4().hex
    body = ("--%s\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n%s\r\n" % (boundary, token)).encode()
    body += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"%s\"\r\n"
             "Content-Type: text/csv\r\n\r\n" % (boundary, name)).encode() + data + ("\r\n--%s--\r\n" % boundary).encode()
    request = urllib.request.Request(browser.base + path, data=body,
                                     headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
    return browser._open(request)


def actions(gw):
    return [(ev["actor"], ev["command"]["type"], ev["ok"]) for _, ev in gw.store.iter_events()
            if ev["type"] == audit.ACTION]


def test_the_administrator_signs_staff_in_and_out_at_a_window(hall):
    gw, server, browser = hall
    token = browser.csrf("/console/admin")
    browser.post("/console/admin/staff/sign-in", {"_csrf": token, "window": "3", "name": "zhang"})
    assert gw.state.windows[3].staff == "zhang"
    assert "zhang signed in at window 3." in browser.get("/console/admin")[2]
    browser.post("/console/admin/staff/sign-out", {"_csrf": token, "window": "3"})
    assert gw.state.windows[3].staff is None
    browser.post("/console/admin/staff/sign-in", {"_csrf": token, "window": "77", "name": "zhang"})
    assert "Choose a window of this hall" in browser.get("/console/admin")[2]
    assert actions(gw) == [("chen", "sign_in", True), ("chen", "sign_out", True)]
    supervisor = Browser(server)
    supervisor.login("wang")
    assert supervisor.get("/console/admin")[0] == 403


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_the_appointments_preview_names_each_bad_row_and_writes_nothing(hall, encoding):
    gw, _, browser = hall
    token = browser.csrf("/console/admin")
    before = gw.store.log_position()
    status, _, text = upload(browser, "/console/admin/appointments/preview", token, "bookings.csv",
                             GOOD_AND_BAD.encode(encoding))
    assert status == 200, text[:300]
    assert "1 booking(s) can be loaded" in text and "2 row(s) will be refused" in text
    line3 = re.search(r'id="bad-line-3"><td>3</td><td>(.*?)</td>', text).group(1)
    line4 = re.search(r'id="bad-line-4"><td>4</td><td>(.*?)</td>', text).group(1)
    assert "Z" in line3 and "service" in line3, line3
    assert "is not like 2026-11-23 10:30" in line4
    assert "张三" in text, "the good row is shown, decoded"
    assert gw.store.log_position() == before, "a preview writes nothing"


def test_the_confirmed_import_books_the_good_rows_as_the_administrator(hall):
    gw, _, browser = hall
    token = browser.csrf("/console/admin")
    _, _, text = upload(browser, "/console/admin/appointments/preview", token, "b.csv", GOOD_AND_BAD.encode("gb18030"))
    carried = re.search(r'name="upload" value="([^"]+)"', text).group(1)
    browser.post("/console/admin/appointments/import", {"_csrf": token, "upload": carried})
    assert "1 booking(s) loaded, 2 refused." in browser.get("/console/admin")[2]
    assert "K100" in gw.state.bookings
    assert ("chen", "book", True) in actions(gw)


def test_a_file_without_the_columns_is_told(hall):
    _, _, browser = hall
    token = browser.csrf("/console/admin")
    _, _, text = upload(browser, "/console/admin/appointments/preview", token, "x.csv", b"who,when\nme,now\n")
    assert "missing column(s) code, service, time" in text and "x.csv" in text


def test_devices_are_enrolled_removed_and_the_broker_files_written_with_an_audit_trail(hall, tmp_path):
    gw, server, browser = hall
    token = browser.csrf("/console/admin")
    assert "no device registry at" in browser.get("/console/admin")[2]
    browser.post("/console/admin/devices/add", {"_csrf": token, "kind": "pad", "window": "2", "board": ""})
    text = browser.get("/console/admin")[2]
    enrolled = re.search(r"Enrolled (pad-\d+): pad at window 2", text)
    assert enrolled, text[:1500]
    browser.post("/console/admin/devices/add", {"_csrf": token, "kind": "pad", "window": "99", "board": ""})
    assert "Refused:" in browser.get("/console/admin")[2]
    browser.post("/console/admin/devices/broker-files", {"_csrf": token})
    assert (tmp_path / "broker" / "acl").exists() and enrolled.group(1) in (tmp_path / "broker" / "acl").read_text()
    browser.post("/console/admin/devices/remove", {"_csrf": token, "device": enrolled.group(1)})
    assert "Removed %s" % enrolled.group(1) in browser.get("/console/admin")[2]
    trail = [(ev["actor"], ev["what"]) for _, ev in gw.store.iter_events() if ev["type"] == audit.FLEET_CHANGED]
    assert trail == [("chen", "enrol"), ("chen", "broker-files"), ("chen", "remove")]


def test_the_hall_check_shows_what_a_restart_would_do(hall):
    _, _, browser = hall
    token = browser.csrf("/console/admin")
    status, _, text = browser.post("/console/admin/hall-check", {"_csrf": token})
    assert status == 200 and 'data-ok="1"' in text and "the hall file changes nothing the store knows" in text
