"""The supervisor's cases page and the administrator's reports page over HTTP, against the
real server and store: case updates are engine events with the account as actor, and the
report page's figures are the CLI's for the same store and period."""
import re

import pytest

from gateway.engine import audit
from tests.console.harness import Browser
from tests.console.office_fixtures import bad_review, cli_csv, start


@pytest.fixture
def hall(tmp_path):
    gw, server = start(tmp_path)
    yield gw, server
    server.stop()
    gw.store.close()


def signed_in(server, name):
    browser = Browser(server)
    browser.login(name)
    return browser


def test_cases_are_for_supervisors_and_list_the_deadline_and_status(hall):
    gw, server = hall
    case = bad_review(gw)
    assert signed_in(server, "li").get("/console/cases")[0] == 403
    status, _, text = signed_in(server, "wang").get("/console/cases")
    assert status == 200
    row = re.search(r'<tr id="case-%d" data-status="open".*?</tr>' % case, text, re.S)
    assert row, text[:2000]
    assert "2026-12-14" in row.group(0), "15 working days after 2026-11-24 by the hall's calendar"


def test_a_case_is_called_back_then_resolved_with_notes_and_the_log_names_the_supervisor(hall):
    gw, server = hall
    case = bad_review(gw)
    browser = signed_in(server, "wang")
    token = browser.csrf("/console/cases")
    assert browser.post("/console/cases/%d" % case, {"_csrf": token, "status": "called_back",
                                                      "note": "phoned, apologised"})[0] == 302
    assert gw.state.cases[case]["status"] == "called_back"
    text = browser.get("/console/cases")[2]
    assert "Case %d: called_back." % case in text and "phoned, apologised" in text
    browser.post("/console/cases/%d" % case, {"_csrf": token, "status": "resolved", "note": "form fixed"})
    assert gw.state.cases[case]["status"] == "resolved"
    assert [n[1:] for n in gw.state.cases[case]["notes"]] == [
        ("called_back", "phoned, apologised", "wang"), ("resolved", "form fixed", "wang")]
    actions = [(ev["actor"], ev["command"]["type"], ev["ok"]) for _, ev in gw.store.iter_events()
               if ev["type"] == audit.ACTION]
    assert actions == [("wang", "case_update", True), ("wang", "case_update", True)]


def test_a_case_cannot_go_back_and_a_bad_form_is_told(hall):
    gw, server = hall
    case = bad_review(gw)
    browser = signed_in(server, "wang")
    token = browser.csrf("/console/cases")
    browser.post("/console/cases/%d" % case, {"_csrf": token, "status": "resolved", "note": ""})
    browser.post("/console/cases/%d" % case, {"_csrf": token, "status": "called_back", "note": ""})
    assert "resolved already" in browser.get("/console/cases")[2]
    browser.post("/console/cases/abc", {"_csrf": token, "status": "resolved"})
    assert "No such case: abc." in browser.get("/console/cases")[2]
    browser.post("/console/cases/%d" % case, {"_csrf": token, "status": "closed"})
    assert "Choose called back or resolve." in browser.get("/console/cases")[2]
    assert browser.post("/console/cases/%d" % case, {"status": "resolved"})[0] == 403, "no CSRF token"


def test_overdue_cases_come_first(tmp_path):
    gw, server = start(tmp_path, now=1_795_420_800.0 + 3600)
    try:
        older = bad_review(gw, window=1)
        gw.clock = lambda: 1_795_420_800.0 + 30 * 86400     # a month later: the first is overdue
        newer = bad_review(gw, window=2, staff="staff-08")
        text = signed_in(server, "wang").get("/console/cases")[2]
        order = re.findall(r'<tr id="case-(\d+)" data-status="\w+" data-overdue="(\d)"', text)
        assert order == [(str(older), "1"), (str(newer), "0")]
    finally:
        server.stop()
        gw.store.close()


@pytest.fixture
def history(tmp_path):
    gw, server = start(tmp_path, history_days=12)
    yield gw, server, tmp_path / "hall.db"
    server.stop()
    gw.store.close()


def page_rows(text):
    """{key: {column: raw value}} from the page's figures table."""
    rows = {}
    for tr in re.findall(r'<tr class="(?:figure|total)-row" (.*?)>', text):
        attrs = dict(re.findall(r'data-([\w-]+)="([^"]*)"', tr))
        key = attrs.pop("key")
        rows["total" if key == "total" else key] = {k.replace("-", "_"): v for k, v in attrs.items()}
    return rows


@pytest.mark.parametrize("query, cli_args", [
    ("period=month&date=2025-01-10&by=window", ["--period", "month", "--date", "2025-01-10", "--by", "window"]),
    ("period=range&from=2025-01-07&to=2025-01-09&by=staff", ["--from", "2025-01-07", "--to", "2025-01-09", "--by", "staff"]),
    ("period=quarter&date=2025-01-10&by=service", ["--period", "quarter", "--date", "2025-01-10", "--by", "service"]),
])
def test_the_report_page_shows_the_clis_figures_for_the_same_store_and_period(history, query, cli_args):
    gw, server, db = history
    status, _, text = signed_in(server, "chen").get("/console/reports?" + query)
    assert status == 200, text[:500]
    shown = page_rows(text)
    expected = cli_csv(db, *cli_args)
    assert len(expected) > 1
    assert set(shown) == set(expected)
    for key, row in expected.items():
        by_column = next(iter(row))
        assert set(row) - {by_column} == set(shown[key]), "every figure of the CLI is on the page"
        for column, value in row.items():
            if column != by_column:
                assert shown[key][column] == value, (key, column)
    assert "lower end of the 95% Wilson interval" in text, "the award rule spelled out"


def test_the_downloads_are_the_clis_csv_and_a_real_excel_and_png(history):
    gw, server, db = history
    browser = signed_in(server, "chen")
    status, headers, text = browser.get("/console/reports/download?format=csv&period=range&from=2025-01-07&by=window")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert text.lstrip("\ufeff").splitlines()[0].startswith("window,issued,served")
    raw = browser.opener.open(browser.base + "/console/reports/download?format=xlsx&period=month&date=2025-01-07").read()
    assert raw[:2] == b"PK", "an xlsx is a zip"
    png = browser.opener.open(browser.base + "/console/reports/download?format=png&period=month&date=2025-01-07").read()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_bad_report_query_is_told_not_crashed(history):
    _, server, _ = history
    browser = signed_in(server, "chen")
    status, _, text = browser.get("/console/reports?period=range&from=2025-02-01&to=2025-01-01")
    assert status == 400 and "ends (2025-01-01) before it starts" in text
    status, _, text = browser.get("/console/reports?period=week")
    assert status == 400 and "period: &#39;week&#39; is none of" in text
    assert signed_in(server, "wang").get("/console/reports")[0] == 403, "administrators only"
