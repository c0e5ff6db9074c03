"""A Chinese hall is Chinese everywhere a person looks. This walks every text a zh hall can
show a person: the views of each device kind through a busy morning (window and hall
displays, the hall's voice, pads asking for a rating, a reason, a transfer, paused, away),
the printed ticket, every refusal a device is told, the reports in each format (tables, CSV,
Excel), the charts' SVG text, and the ticket status page in each of its states; any English
word fails it. The English the walk allows is named: the hall's id and the Wilson interval."""
import base64
import datetime
import html.parser
import os
import re
import tomllib
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from gateway import config, device_text, intake, status_page, views, wording
from gateway.engine import Refused, commands as c, decide, execute, fold
from gateway.reports import charts, records, render, xlsx
from gateway.reports.period import around, everything
from gateway.reports.periodic import BY, hourly_waits, report_rows
from gateway.reports.table import report_text as state_report
from tests.gateway.synthetic_month import replay_month

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ZH_FILE = os.path.join(REPO, "halls", "example-zh.toml")
ARTIFACTS = os.path.join(REPO, "build", "artifacts")
ALLOWED = {"riverside", "zh", "Wilson"}       # the hall's id; a statistician's name
T0 = datetime.datetime(2026, 11, 23, 1, 0, tzinfo=datetime.timezone.utc).timestamp()   # 09:00 at +08:00
NOV = datetime.date(2026, 11, 10)


def english_words(text):
    return [w for w in re.findall(r"[A-Za-z]{2,}", text) if w not in ALLOWED]


def assert_chinese(where, texts):
    bad = [(t, english_words(t)) for t in texts if english_words(t)]
    assert not bad, "%s shows English: %s" % (where, bad[:5])
    assert any(re.search(r"[\u4e00-\u9fff]", t) for t in texts), "%s shows no Chinese at all" % where


def zh_hall(**hall_fields):
    with open(ZH_FILE, "rb") as f:
        data = tomllib.load(f)
    data["hall"].update({"utc_offset": "+08:00"}, **hall_fields)
    return config.parse(data, ZH_FILE)


def line_texts(node):
    """Every device text in a view or ack: {"t": ...} and {"gb": base64 GB2312} lines."""
    if isinstance(node, dict):
        if "gb" in node:
            return [base64.b64decode(node["gb"]).decode("gb2312")]
        if "t" in node and isinstance(node["t"], str):
            return [node["t"]]
        return [t for value in node.values() for t in line_texts(value)]
    if isinstance(node, list):
        return [t for value in node for t in line_texts(value)]
    return []


# --- devices ---------------------------------------------------------------------------------

def device_texts(state, now):
    texts = []
    for device in state.hall.devices.values():
        texts += line_texts(device_text.decorate_view(state.hall, views.device_view(state, device, now)))
    return texts


def busy_morning():
    """(hall, [every device text seen], [every ticket printed]) through a morning."""
    hall = zh_hall(notice="请保管好随身物品")
    state = fold(hall, [])
    seen, tickets, now = [], [], T0

    def step(cmd, dt=20):
        nonlocal now
        now += dt
        events = execute(state, cmd, now)
        result = intake.ack_result(hall, events) or {}
        if isinstance(result.get("ticket"), dict):
            tickets.append(device_text.decorate_ticket(hall, result["ticket"]))
        seen.extend(device_texts(state, now))
        return events

    execute(state, c.book("8801", "A", T0 + 600), T0)
    for svc in "AABCDEF":
        step(c.issue(svc, "printer-1"))
    step(c.issue("A", "printer-2", green=True))
    step(c.check_in("8801", "printer-1"))
    for window in (1, 2, 3, 5):
        step(c.sign_in(window, "张%d" % window))
        step(c.call(window))
    step(c.recall(1))
    step(c.finish(1), dt=600)                                  # over the time limit first
    no = state.windows[1].finished_by_no and list(state.windows[1].finished_by_no)[-1]
    step(c.rate(1, 1, no, now + 1), dt=2)                       # a bad review: the pad asks why
    step(c.reason(1, 2), dt=3)
    step(c.finish(2))
    step(c.rate(2, 5, list(state.windows[2].finished_by_no)[-1], now + 1), dt=2)   # thanks
    step(c.pause(3, "张3")) if state.windows[3].current is None else step(c.skip(3))
    step(c.pause(3))
    seen.extend(device_texts(state, now + 5))
    return hall, state, seen, tickets, now


@pytest.fixture(scope="module")
def morning():
    return busy_morning()


def test_every_device_view_through_a_morning_is_chinese(morning):
    hall, state, seen, _, _ = morning
    assert_chinese("the devices", seen)
    joined = "\n".join(seen)
    for expected in ("号窗口", "请 A00", "正在办理", "请为", "请按1-4选择原因", "等候时间太长",
                     "暂停服务", "系统维护 暂停服务", "请保管好随身物品", "谢谢您的评价", "转到哪项业务", "已超时"):
        assert expected in joined, "%r never shown" % expected


def test_the_printed_ticket_is_chinese(morning):
    _, _, _, tickets, _ = morning
    assert tickets
    for ticket in tickets:
        shown = [ticket[f] for f in ("hall", "name", "info", "time", "booking") if f in ticket]
        assert_chinese("ticket %s" % ticket["no"], shown)
    assert any("预约号 8801" == t.get("booking") for t in tickets)


REFUSED_KEYS = [("pad-4", {"t": "key", "key": "finish"}),
                ("pad-3", {"t": "key", "key": "call"}), ("pad-4", {"t": "key", "key": "resume"}),
                ("pad-5", {"t": "key", "key": "transfer", "to": "w5"}), ("pad-6", {"t": "key", "key": "r2"}),
                ("pad-5", {"t": "key", "key": "pause"}), ("pad-1", {"t": "key", "key": "recall"}),
                ("pad-5", {"t": "key", "key": "transfer", "to": "Z"}), ("pad-8", {"t": "key", "key": "sign_out"})]


def test_every_refusal_a_device_is_told_is_chinese(morning):
    hall, state, _, _, now = morning
    told = []
    for dev_id, msg in REFUSED_KEYS:
        msg = dict(msg, id="%s-1-1" % dev_id, at=now)
        try:
            decide(state, intake.to_command(hall.devices[dev_id], msg, now), now)
        except Refused as exc:
            ack = device_text.refused(hall, {"ack": msg["id"], "ok": False, "err": str(exc)})
            told.append((str(exc), line_texts(ack["line"])[0]))
        else:
            pytest.fail("%s %s was not refused" % (dev_id, msg))
    assert_chinese("the refusals", [zh for _, zh in told])
    generic = [en for en, zh in told if zh == wording.REFUSED_ZH]
    assert not generic, "refusals without their own Chinese: %s" % generic


def refusal_formats():
    """Every Refused("...") format string in the gateway's source."""
    found = set()
    for folder, _, files in os.walk(os.path.join(REPO, "gateway")):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    found |= set(re.findall(r'Refused\(\s*"((?:[^"\\]|\\.)*)"', f.read()))
    return found


def test_every_refusal_in_the_code_has_its_chinese():
    formats = refusal_formats()
    assert len(formats) > 30
    missing = sorted(f for f in formats if f not in wording.REFUSALS_ZH)
    assert not missing, "add these to gateway/wording.py REFUSALS_ZH: %s" % missing
    for english, chinese in wording.REFUSALS_ZH.items():
        device_text.encoded(chinese)            # a pad's panel can draw it (GB2312)
        assert not english_words(chinese), chinese


# --- reports ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def zh_month():
    hall = zh_hall(rejoin_max=1, rejoin_after=2, starve_after_min=25)
    month = replay_month(workdays=6, hall=hall)
    for ev in month.log:          # notes are what the office typed: a Chinese office types Chinese
        if ev["type"] == "case_updated" and ev.get("note"):
            ev["note"] = "已电话回访"
    return hall, month.log


def test_every_report_format_is_chinese(zh_month, tmp_path):
    hall, events = zh_month
    log = records.read(events)
    now = events[-1]["at"] + 86400
    month = around(hall, "month", NOV)
    texts = [state_report(fold(hall, events), now)]
    for by in BY:
        rows, total = report_rows(log, hall, month, by), report_rows(log, hall, month, "hall")[0][1]
        awards = (report_rows(log, hall, month, "window"), report_rows(log, hall, month, "staff"))
        texts.append(render.report_text(hall, month, by, rows, awards, total))
        texts.append(render.report_csv(by, rows, total, hall))
    cases = sorted(log.cases.values(), key=lambda case: case["case"])
    assert cases
    texts += [render.cases_table(hall, cases, now, month), render.cases_csv(hall, cases, now)]
    book = tmp_path / "report.xlsx"
    xlsx.figures_workbook(book, hall, month, "window", report_rows(log, hall, month, "window"), total,
                          render.awards_text(hall, *awards, period=month), cases, now)
    workbook = load_workbook(book)
    texts += workbook.sheetnames
    texts += [str(cell.value) for sheet in workbook for row in sheet.iter_rows() for cell in row
              if isinstance(cell.value, str)]
    assert_chinese("the reports", texts)


def test_the_charts_are_chinese(zh_month):
    hall, events = zh_month
    log = records.read(events)
    month = around(hall, "month", NOV)
    folder = os.path.join(ARTIFACTS, "charts-zh")
    written = charts.write(folder, hall, report_rows(log, hall, month, "window"), hourly_waits(log, hall, month),
                           month, 0.98)
    for path in written:
        if path.endswith(".svg"):
            texts = [el.text for el in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text") if el.text]
            assert_chinese(os.path.basename(path), texts)
            assert any("河畔政务服务中心" in t and "2026年11月" in t for t in texts), "hall and period in the title"
    assert sorted(os.path.basename(p) for p in written) == ["satisfaction_by_window.png", "satisfaction_by_window.svg",
                                                           "waiting_by_hour.png", "waiting_by_hour.svg"]


# --- the status page -------------------------------------------------------------------------

class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts, self._in_style = [], False

    def handle_starttag(self, tag, attrs):
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style and data.strip():
            self.texts.append(data.strip())


def page_texts(page):
    parser = _Text()
    parser.feed(page)
    return parser.texts


def test_the_status_page_is_chinese_in_each_state(morning):
    hall, state, _, _, _ = morning
    day = state.day
    shown = {}
    for no in [t.no for t in state.tickets.values()]:
        status = status_page.ticket_status(state, day, no)
        shown.setdefault(status["state"], status)
    shown["expired"] = {"state": "expired", "no": "A001", "day": day, "svc": "A", "service": "户籍办理"}
    shown["unknown"] = status_page.ticket_status(state, day, "A999")
    assert set(shown) >= {"waiting", "called", "finished", "expired", "unknown"}
    for kind, status in shown.items():
        assert_chinese("the status page (%s)" % kind, page_texts(status_page.render(hall, status)))


def test_the_not_found_answers_of_the_status_page_are_chinese(morning):
    hall = morning[0]
    assert_chinese("the status page's 404s", [status_page.not_found(hall), status_page.not_found(hall, "zh")])  # an id as typed into the address
    assert "/t/%s/" % hall.id in status_page.not_found(hall)
