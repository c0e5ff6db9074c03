import time
"""Reports over a replayed synthetic month, checked against figures computed here, directly
and independently from the same events (simple loops and the statistics module)."""
import csv
import datetime
import io
import math
import statistics
import time
import xml.etree.ElementTree as ET

import pytest

from gateway import cli
from gateway.reports import awards, records, render
from gateway.reports.period import around, days, everything
from gateway.reports.periodic import hourly_waits, report_rows
from gateway.reports.stats import wilson
from gateway.store import open_store
from tests.gateway.synthetic_month import month_hall, replay_month

NOV = datetime.date(2026, 11, 10)


@pytest.fixture(scope="module")
def month():
    return replay_month()


@pytest.fixture(scope="module")
def log(month):
    return records.read(month.log)


def p90(values):
    return statistics.quantiles(values, n=10, method="inclusive")[8] if len(values) > 1 else values[0]


def independent_by_window(events, levels):
    """Per window, straight from the events: what the report must say."""
    issued, first_call, last_window, served, no_show, rating, flagged = {}, {}, {}, {}, set(), {}, {}
    cases = {}
    for ev in events:
        kind = ev["type"]
        if kind == "ticket_issued":
            issued[ev["tid"]] = ev
        elif kind == "ticket_called":
            first_call.setdefault(ev["tid"], ev["at"])
            last_window[ev["tid"]] = ev["window"]
        elif kind == "ticket_finished":
            served[ev["tid"]] = ev
        elif kind == "ticket_skipped" and not ev["rejoin"]:
            no_show.add(ev["tid"])
        elif kind == "rating_counted":
            rating[ev["tid"]] = ev["level"]
        elif kind == "rating_flagged":
            flagged[ev["window"]] = flagged.get(ev["window"], 0) + 1
        elif kind == "case_opened":
            cases[ev["case"]] = [ev["window"], "open"]
        elif kind == "case_updated":
            cases[ev["case"]][1] = ev["status"]
    out = {}
    for window in sorted(set(last_window.values())):
        mine = [tid for tid, w in last_window.items() if w == window]
        done = [tid for tid in mine if tid in served]
        rated = [rating[tid] for tid in done if tid in rating]
        good = sum(1 for level in rated if level >= 3)     # 好差评: 基本满意 and better are good
        waits = [(first_call[tid] - issued[tid]["at"]) / 60 for tid in mine]
        times = [served[tid]["served_s"] / 60 for tid in done]
        out[window] = {
            "served": len(done), "no_show": sum(1 for tid in mine if tid in no_show),
            "wait_median": statistics.median(waits), "wait_p90": p90(waits),
            "service_median": statistics.median(times), "service_p90": p90(times),
            "on_time": sum(1 for tid in done if served[tid]["on_time"]) / len(done),
            "counted": len(rated), "satisfaction": good / len(rated), "response": len(rated) / len(done),
            "misuse": flagged.get(window, 0),
            "cases_open": sum(1 for w, s in cases.values() if w == window and s == "open"),
            "cases_resolved": sum(1 for w, s in cases.values() if w == window and s == "resolved"),
            "sat_low": _wilson_low(good, len(rated)),
        }
    return out


def _wilson_low(k, n, z=1.959964):
    p = k / n
    return (p + z * z / (2 * n) - z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))) / (1 + z * z / n)


def test_month_figures_by_window_match_the_events(month, log):
    period = around(month.hall, "month", NOV)
    rows = dict(report_rows(log, month.hall, period, "window"))
    expected = independent_by_window(month.log, month.hall.rating_levels)
    assert set(rows) == set(expected) == set(range(1, 9))
    for window, want in expected.items():
        got = rows[window]
        for name, value in want.items():
            assert got[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (window, name)


def test_month_totals_add_up(month, log):
    period = around(month.hall, "month", NOV)
    (key, hall_row), = report_rows(log, month.hall, period, "hall")
    issued = [ev for ev in month.log if ev["type"] == "ticket_issued"]
    assert key == "riverside" and hall_row["issued"] == len(issued) > 3000
    expired = sum(len(ev["expired"]) for ev in month.log if ev["type"] == "day_started")
    waiting = sum(len(line) for line in month.state.waiting.values()) + \
        sum(len(line) for line in month.state.directed.values())
    serving = sum(1 for w in month.state.windows.values() if w.current is not None)
    assert hall_row["served"] + hall_row["no_show"] + expired + waiting + serving == hall_row["issued"]
    assert hall_row["transferred"] == sum(1 for ev in month.log if ev["type"] == "ticket_transferred") > 0
    flagged = [ev for ev in month.log if ev["type"] == "rating_flagged"]
    assert hall_row["misuse"] == len(flagged) > 0
    by_service = report_rows(log, month.hall, period, "service")
    assert sum(f["issued"] for _, f in by_service) == hall_row["issued"]
    assert sum(f["served"] for _, f in by_service) == hall_row["served"]


def test_every_counted_rating_belongs_to_one_served_ticket(month):
    finished = {ev["tid"]: ev for ev in month.log if ev["type"] == "ticket_finished"}
    counted = [ev for ev in month.log if ev["type"] == "rating_counted"]
    assert len({ev["tid"] for ev in counted}) == len(counted)
    for ev in counted:
        assert finished[ev["tid"]]["window"] == ev["window"]
        assert finished[ev["tid"]]["staff"] == ev["staff"]


def test_the_printed_range_held_on_a_replayed_day(month, log):
    """How often the real wait fell inside the printed range, one day, counted here directly."""
    day = datetime.date(2026, 11, 4)
    period = days(month.hall, day, day)
    (_, hall_row), = report_rows(log, month.hall, period, "hall")
    first_call, hits, called = {}, 0, 0
    for ev in month.log:
        if ev["type"] == "ticket_called":
            first_call.setdefault(ev["tid"], ev["at"])
    for ev in month.log:
        if ev["type"] == "ticket_issued" and period.holds(ev["at"]) and ev["tid"] in first_call:
            called += 1
            low, high = ev["wait"]
            hits += low <= (first_call[ev["tid"]] - ev["at"]) / 60 <= high
    assert hall_row["in_range"] == hits / called
    assert 0.3 < hall_row["in_range"] < 1.0     # a real estimate: often right, not always


def test_cases_by_status_and_staff(month, log):
    period = around(month.hall, "month", NOV)
    rows = report_rows(log, month.hall, period, "staff")
    total = sum(f["cases_open"] + f["cases_called_back"] + f["cases_resolved"] for _, f in rows)
    assert total == sum(1 for ev in month.log if ev["type"] == "case_opened") > 0
    staff = {key for key, _ in rows}
    assert {"s6a", "s6b"} <= staff


def test_periods():
    hall = month_hall()
    nov = around(hall, "month", NOV)
    assert nov.label == "2026-11"
    assert datetime.datetime.fromtimestamp(nov.start, datetime.timezone.utc).isoformat() == "2026-10-31T16:00:00+00:00"
    assert nov.end - nov.start == 30 * 86400
    q4 = around(hall, "quarter", NOV)
    assert q4.label == "2026-Q4" and q4.start < nov.start and q4.end == around(hall, "year", NOV).end
    assert days(hall, NOV, NOV).end - days(hall, NOV, NOV).start == 86400
    with pytest.raises(ValueError, match="ends"):
        days(hall, NOV, NOV - datetime.timedelta(days=1))
    shifted = month_hall(day_starts="04:00")
    assert around(shifted, "day", NOV).start == around(hall, "day", NOV).start + 4 * 3600


def test_an_empty_period_has_no_rows(month, log):
    period = around(month.hall, "month", datetime.date(2027, 3, 1))
    assert report_rows(log, month.hall, period, "window") == []


def test_wilson_interval():
    low, high = wilson(5, 10)
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
    low, high = wilson(12, 12)
    assert high == 1.0 and low == pytest.approx(0.7575, abs=1e-4)
    assert wilson(0, 0) is None


def test_awards_rule_ranking(month, log):
    hall = month.hall
    period = around(hall, "quarter", NOV)
    windows = report_rows(log, hall, period, "window")
    ranked = awards.rank(windows, hall.awards, hall.awards.red_flags)
    eligible = [r for r in ranked if r[0] is not None]
    lows = [f["sat_low"] for _, _, f, _, _ in eligible]
    assert lows == sorted(lows, reverse=True)
    assert [r[3] for r in ranked].count(True) == 1 and ranked[0][3]
    window_6 = next(r for r in ranked if r[1] == 6)
    assert window_6[0] is None and "satisfaction" in window_6[4]
    text = render.awards_text(hall, windows, report_rows(log, hall, period, "staff"))
    assert "at least 100 counted ratings" in text and "satisfaction >= 85 %" in text
    assert "<- AWARD" in text


def test_awards_need_enough_ratings():
    hall = month_hall()
    few = {"counted": 3, "satisfaction": 1.0, "sat_low": 0.4, "on_time": 1.0, "misuse": 0}
    assert awards.rank([(1, few)], hall.awards, 1) == [(None, 1, few, False, "3 counted ratings < 100")]


# --- the command line ---------------------------------------------------------------

@pytest.fixture(scope="module")
def month_files(month, tmp_path_factory):
    import tomllib
    base = tmp_path_factory.mktemp("month")
    db = base / "hall.db"
    with open_store(db) as store:
        store.append(month.log)
    hall_file = base / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    assert tomllib.loads(hall_file.read_text())["hall"]["id"] == "riverside"
    return hall_file, db


def month_hall_dict():
    import tomllib
    from tests.gateway.synthetic_month import EXAMPLE
    data = tomllib.loads(EXAMPLE.read_text())
    data["hall"].update({"utc_offset": "+08:00", "rejoin_max": 1, "rejoin_after": 2, "starve_after_min": 25})
    for window in data["window"]:
        if window["number"] == 8:
            window["profile"] = "ordered"
        if window["number"] == 3:
            window.update(profile="weighted", weights=[2, 1])
    data["awards"] = {"min_ratings": 100, "min_satisfaction": 0.85, "min_on_time": 0.5, "max_misuse_share": 0.2}
    return data


def _toml(data):
    """Just enough TOML for a hall file (tables, arrays of tables, inline key maps)."""
    def value(v):
        if isinstance(v, str):
            return '"%s"' % v
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, list):
            return "[%s]" % ", ".join(value(x) for x in v)
        if isinstance(v, dict):
            return "{ %s }" % ", ".join("%s = %s" % (k, value(x)) for k, x in v.items())
        return repr(v)
    out = []
    for name in ("hall", "awards"):
        out.append("[%s]" % name)
        out += ["%s = %s" % (k, value(v)) for k, v in data[name].items()]
    for name in ("service", "window", "device"):
        for entry in data[name]:
            out.append("[[%s]]" % name)
            out += ["%s = %s" % (k, value(v)) for k, v in entry.items()]
    return "\n".join(out) + "\n"


def test_cli_month_csv_matches_the_figures(month, log, month_files, capsys):
    hall_file, db = month_files
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(db), "--period", "month",
                     "--date", "2026-11-10", "--by", "window", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    want = dict(report_rows(log, month.hall, around(month.hall, "month", NOV), "window"))
    total = rows.pop()
    hall_total = report_rows(log, month.hall, around(month.hall, "month", NOV), "hall")[0][1]
    assert total["window"] == "total" and int(total["served"]) == hall_total["served"] == sum(
        f["served"] for f in want.values())
    assert [int(r["window"]) for r in rows] == list(range(1, 9))
    for row in rows:
        f = want[int(row["window"])]
        assert int(row["served"]) == f["served"] and int(row["misuse"]) == f["misuse"]
        assert float(row["satisfaction"]) == pytest.approx(f["satisfaction"], abs=1e-4)


def test_cli_table_with_awards_and_charts(month_files, tmp_path, capsys):
    hall_file, db = month_files
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(db), "--awards", "--by", "staff",
                     "--chart", str(tmp_path / "charts")]) == 0
    out = capsys.readouterr().out
    assert "2026-Q4, by staff" in out and "Red-flag window" in out and "rule: ranked by" in out
    assert "satisfied [95% CI]" in out
    assert sorted(p.name for p in (tmp_path / "charts").iterdir()) == [
        "satisfaction_by_window.png", "satisfaction_by_window.svg", "waiting_by_hour.png", "waiting_by_hour.svg"]


def test_cli_date_range(month_files, capsys):
    hall_file, db = month_files
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(db), "--from", "2026-11-02",
                     "--to", "2026-11-03", "--by", "hall"]) == 0
    assert "2026-11-02 to 2026-11-03, by hall" in capsys.readouterr().out
    assert cli.main(["report", "--hall", str(hall_file), "--db", str(db), "--from", "2026-11-05",
                     "--to", "2026-11-03"]) == 2
    assert "ends" in capsys.readouterr().err


def test_cli_cases_list_and_update(month, tmp_path, capsys):
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    db = tmp_path / "hall.db"
    with open_store(db) as store:
        store.append(month.log)
    open_case = next(c for c in records.read(month.log).cases.values() if c["status"] == "open")
    args = ["--hall", str(hall_file), "--db", str(db)]
    assert cli.main(["case", "update", str(open_case["case"]), "--status", "called_back", "--note", "rang"] + args) == 0
    assert cli.main(["case", "update", str(open_case["case"]), "--status", "called_back"] + args) == 2
    assert "called_back already" in capsys.readouterr().err
    assert cli.main(["report", "cases"] + args) == 0
    line = next(l for l in capsys.readouterr().out.splitlines()
                if l.split()[:1] == [str(open_case["case"])] and "called_back" in l.split())
    assert line.rstrip().endswith("rang")


def test_cli_appointments_import(tmp_path, capsys):
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    db = tmp_path / "hall.db"
    bookings = tmp_path / "b.csv"
    bookings.write_text("code,service,time\nK1,A,2026-11-23 10:00\nK2,Q,2026-11-23 10:00\n")
    assert cli.main(["appointments", "import", str(bookings), "--hall", str(hall_file), "--db", str(db)]) == 1
    captured = capsys.readouterr()
    assert "1 booking(s) loaded, 1 refused" in captured.out and "line 3: unknown service 'Q'" in captured.err
    with open_store(db) as store:
        assert [ev["code"] for ev in store.load_events()] == ["K1"]


def test_cli_staff_sign_in_attributes_the_windows_work(tmp_path, capsys):
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    db = tmp_path / "hall.db"
    args = ["--hall", str(hall_file), "--db", str(db)]
    assert cli.main(["staff", "sign-in", "--window", "3", "--name", "Li Wei"] + args) == 2
    assert "no store" in capsys.readouterr().err
    open_store(db).close()                          # the gateway has run once
    assert cli.main(["staff", "sign-in", "--window", "3", "--name", "Li Wei"] + args) == 0
    assert "Li Wei signed in at window 3" in capsys.readouterr().out
    assert cli.main(["staff", "sign-in", "--window", "99", "--name", "Li Wei"] + args) == 2
    assert "99" in capsys.readouterr().err
    assert cli.main(["staff", "sign-out", "--window", "3"] + args) == 0
    with open_store(db) as store:
        kinds = [(ev["type"], ev["window"], ev["staff"]) for ev in store.load_events()
                 if ev["type"] != "day_started"]      # the tool began the hall's day as well
    assert kinds == [("staff_signed_in", 3, "Li Wei"), ("staff_signed_out", 3, "Li Wei")]


def test_cli_staff_moves_a_waiting_ticket_into_the_green_channel(tmp_path, capsys):
    from gateway import config
    from gateway.engine import commands, decide, fold
    hall_file = tmp_path / "hall.toml"
    hall_file.write_text(_toml(month_hall_dict()), encoding="utf-8")
    db = tmp_path / "hall.db"
    hall = config.load(str(hall_file))
    with open_store(db) as store:
        state = fold(hall, [])
        for _ in range(2):      # today: the tool judges its command within the current day
            events = decide(state, commands.issue("A", "printer-1"), time.time())
            store.append(events)
            state = fold(hall, store.load_events())
    args = ["--hall", str(hall_file), "--db", str(db)]
    assert cli.main(["staff", "green", "--ticket", "A002", "--name", "Li Wei"] + args) == 0
    assert "A002 moved into the green channel" in capsys.readouterr().out
    assert cli.main(["staff", "green", "--ticket", "A999"] + args) == 2
    assert "A999" in capsys.readouterr().err
    with open_store(db) as store:
        state = fold(hall, store.load_events())
    assert [state.tickets[tid].no for tid in state.waiting["A"]] == ["A002", "A001"]
