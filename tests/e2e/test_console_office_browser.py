"""The office pages in the real Chromium (Selenium + chromium-driver): a supervisor calls a
case back and resolves it; an administrator's report page shows the CLI's figures and draws
its charts; an appointments file's preview names its bad row. Waits are on page elements."""
import pytest
from selenium.webdriver.common.by import By

from tests.console.harness import PASSWORD
from tests.console.office_fixtures import bad_review, cli_csv, start
from tests.e2e.console_browser import chromium, screenshot, sign_in, text_of, wait_for


@pytest.fixture
def browser():
    driver = chromium()
    yield driver
    driver.quit()


def served(tmp_path, history_days=0):
    gw, server = start(tmp_path, history_days=history_days)
    return gw, server, "http://127.0.0.1:%d" % server.port


def test_a_supervisor_calls_a_case_back_and_resolves_it(tmp_path, browser):
    gw, server, base = served(tmp_path)
    try:
        case = bad_review(gw)
        sign_in(browser, base, "wang", PASSWORD)
        browser.get(base + "/console/cases")
        row = "#case-%d" % case
        wait_for(browser, lambda b: text_of(b, row + " .status") == "open", "the case open")
        browser.find_element(By.CSS_SELECTOR, row + " input[name=note]").send_keys("phoned the citizen")
        browser.find_element(By.ID, "case-%d-called_back" % case).click()
        wait_for(browser, lambda b: text_of(b, row + " .status") == "called_back", "the case called back")
        assert "phoned the citizen" in text_of(browser, row + " .notes")
        browser.find_element(By.CSS_SELECTOR, row + " input[name=note]").send_keys("desk procedure fixed")
        browser.find_element(By.ID, "case-%d-resolved" % case).click()
        wait_for(browser, lambda b: text_of(b, row + " .status") == "resolved", "the case resolved")
        assert text_of(browser, "#flash") == "Case %d: resolved." % case
        assert "wang: desk procedure fixed" in text_of(browser, row + " .notes")
        assert gw.state.cases[case]["status"] == "resolved"
        screenshot(browser, "console-cases-resolved")
    finally:
        server.stop()
        gw.store.close()


def test_the_report_page_shows_the_clis_figures_and_its_charts(tmp_path, browser):
    gw, server, base = served(tmp_path, history_days=12)
    try:
        sign_in(browser, base, "chen", PASSWORD)
        browser.get(base + "/console/reports")
        wait_for(browser, lambda b: b.find_elements(By.ID, "report-form"), "the report form")
        browser.find_element(By.CSS_SELECTOR, "#rep-period option[value=month]").click()
        browser.execute_script("document.getElementById('rep-date').value = '2025-01-10';")
        browser.find_element(By.CSS_SELECTOR, "#rep-by option[value=staff]").click()
        browser.find_element(By.ID, "rep-show").click()
        wait_for(browser, lambda b: "2025-01" in (text_of(b, "#report-heading") or ""), "January's report")
        expected = cli_csv(tmp_path / "hall.db", "--period", "month", "--date", "2025-01-10", "--by", "staff")
        rows = browser.find_elements(By.CSS_SELECTOR, "tr.figure-row, tr.total-row")
        shown = {r.get_attribute("data-key"): r for r in rows}
        assert set(shown) == set(expected) and len(shown) > 3
        for key, row in expected.items():
            cells = shown[key].find_elements(By.TAG_NAME, "td")
            assert cells[1].text == row["served"], (key, "served as the page shows it")
            assert shown[key].get_attribute("data-satisfaction") == row["satisfaction"]
            assert shown[key].get_attribute("data-wait-median") == row["wait_median"]
        assert "lower end of the 95% Wilson interval" in text_of(browser, "#award-rule")
        for chart in ("chart-sat", "chart-wait"):
            wait_for(browser, lambda b: b.execute_script(
                "var i = document.getElementById(arguments[0]); return i.complete && i.naturalWidth > 0;", chart),
                "the %s image drawn" % chart)
        screenshot(browser, "console-report-month")
        browser.execute_script("document.getElementById('charts').scrollIntoView();")
        screenshot(browser, "console-report-charts")
    finally:
        server.stop()
        gw.store.close()


def test_the_appointments_preview_names_the_bad_row(tmp_path, browser):
    gw, server, base = served(tmp_path)
    try:
        bookings = tmp_path / "预约.csv"
        bookings.write_bytes("预约号,业务,预约时间,姓名\r\nK1,A,2026-11-24 10:30,张三\r\nK2,A,明天上午,李四\r\n"
                             .encode("gb18030"))
        sign_in(browser, base, "chen", PASSWORD)
        browser.get(base + "/console/admin")
        browser.find_element(By.ID, "appointments-file").send_keys(str(bookings))
        browser.find_element(By.ID, "appointments-preview").click()
        wait_for(browser, lambda b: b.find_elements(By.ID, "bad-line-3"), "line 3 named")
        assert "is not like 2026-11-23 10:30" in text_of(browser, "#bad-line-3")
        assert text_of(browser, "#good-count").startswith("1 booking(s) can be loaded")
        assert "张三" in text_of(browser, "#good-rows")
        browser.execute_script("document.getElementById('appointments').scrollIntoView();")
        screenshot(browser, "console-appointments-preview")
        browser.find_element(By.ID, "appointments-import").click()
        wait_for(browser, lambda b: text_of(b, "#flash") == "1 booking(s) loaded, 1 refused.", "the import done")
        assert "K1" in gw.state.bookings
    finally:
        server.stop()
        gw.store.close()
