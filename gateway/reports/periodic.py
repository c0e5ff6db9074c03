"""Figures for a period, grouped by hall, window, staff member or service. Pure: Log in, rows out.
The definitions below are printed under every report (DEFINITIONS).
"""
DEFINITIONS = """\
- a ticket counts in the period it was issued in, for the window and staff that called it last
  and the service it ended in (after transfers)
- issued: tickets issued in the period (hall and service only: a ticket has no window yet)
- served / no-show: finished / skipped for good; transferred: tickets sent on from here
- waiting time: issue -> first call; service time: call -> finish (minutes, median and p90)
- on time: served within the service's time limit (办结时限), share of served
- satisfaction: counted ratings that are good reviews (the hall's satisfied levels, by default
  the national 好差评 scheme: 3-5 of 5) / counted ratings, with the Wilson 95 % interval;
  response: counted ratings / served; misuse: flagged presses (never counted)
- cases: every bad review opens one, due within 15 working days of the hall's calendar;
  overdue: not resolved after its deadline; call-back rate: cases called back / cases opened
- in range: called tickets whose real wait fell inside the range printed on them"""
import time

from gateway.engine import cases as case_rules
from gateway.reports.stats import quantile, share, wilson

BY = ("hall", "window", "staff", "service")
CASE_STATUSES = ("open", "called_back", "resolved")


def satisfied(level, hall):
    return hall.rules.satisfied(level)


def _key(by, hall, window, staff, svc):
    return {"hall": hall.id, "window": window, "staff": staff or "-", "service": svc}[by]


def _empty():
    return {"issued": 0, "served": 0, "no_show": 0, "transferred": 0, "waits": [], "services": [],
            "on_time": 0, "counted": 0, "satisfied": 0, "misuse": 0, "in_range": 0, "called": 0,
            "cases": {s: 0 for s in CASE_STATUSES}, "cases_overdue": 0, "cases_called_back_ever": 0}


def _group(rows, key):
    if key not in rows:
        rows[key] = _empty()
    return rows[key]


def _add_record(rows, rec, by, hall, levels):
    if by in ("hall", "service"):
        _group(rows, _key(by, hall, None, None, rec.issued_svc))["issued"] += 1
    if rec.window is None and by in ("window", "staff"):
        return
    row = _group(rows, _key(by, hall, rec.window, rec.staff, rec.svc))
    if rec.wait_s is not None:
        row["called"] += 1
        row["waits"].append(rec.wait_s / 60.0)
        low, high = rec.printed_wait
        row["in_range"] += 1 if low <= rec.wait_s / 60.0 <= high else 0
    if rec.outcome == "served":
        row["served"] += 1
        row["services"].append(rec.served_s / 60.0)
        row["on_time"] += 1 if rec.on_time else 0
        if rec.rating is not None:
            row["counted"] += 1
            row["satisfied"] += 1 if satisfied(rec.rating, hall) else 0
    elif rec.outcome == "no_show":
        row["no_show"] += 1


def collect(log, hall, period, by, now=None):
    """{group key: raw counts and samples} for tickets issued in the period; cases overdue
    as of `now` (default: the machine's clock)."""
    now = time.time() if now is None else now
    if by not in BY:
        raise ValueError("by must be one of %s, got %r" % (", ".join(BY), by))
    rows = {}
    for rec in log.records.values():
        if not period.holds(rec.issued_at):
            continue
        _add_record(rows, rec, by, hall, hall.rating_levels)
        for at, window, staff, svc in rec.transfers:
            _group(rows, _key(by, hall, window, staff, svc))["transferred"] += 1
    for ev in log.flagged:
        if period.holds(ev["at"]):
            svc = log.records[ev["tid"]].svc if ev.get("tid") is not None else "-"
            _group(rows, _key(by, hall, ev["window"], ev.get("staff"), svc))["misuse"] += 1
    for case in log.cases.values():
        if period.holds(case["opened_at"]):
            row = _group(rows, _key(by, hall, case["window"], case["staff"], case["svc"]))
            row["cases"][case["status"]] += 1
            row["cases_overdue"] += 1 if case_rules.overdue(hall, case, now) else 0
            row["cases_called_back_ever"] += 1 if case_rules.called_back(case) else 0
    return rows


def figures(raw):
    """Raw counts of one group -> the published figures (None where there is no data)."""
    interval = wilson(raw["satisfied"], raw["counted"])
    return {
        "issued": raw["issued"], "served": raw["served"], "no_show": raw["no_show"],
        "transferred": raw["transferred"],
        "wait_median": quantile(raw["waits"], 0.5), "wait_p90": quantile(raw["waits"], 0.9),
        "service_median": quantile(raw["services"], 0.5), "service_p90": quantile(raw["services"], 0.9),
        "on_time": share(raw["on_time"], raw["served"]),
        "counted": raw["counted"], "satisfaction": share(raw["satisfied"], raw["counted"]),
        "sat_low": interval[0] if interval else None, "sat_high": interval[1] if interval else None,
        "response": share(raw["counted"], raw["served"]), "misuse": raw["misuse"],
        "in_range": share(raw["in_range"], raw["called"]),
        "cases_open": raw["cases"]["open"], "cases_called_back": raw["cases"]["called_back"],
        "cases_resolved": raw["cases"]["resolved"], "cases_overdue": raw["cases_overdue"],
        "callback_rate": share(raw["cases_called_back_ever"], sum(raw["cases"].values())),
    }


def _order(key):
    return (0, key) if isinstance(key, int) else (1, str(key))


def report_rows(log, hall, period, by, now=None):
    """[(group key, figures)] sorted by key (windows by number)."""
    raw = collect(log, hall, period, by, now)
    return [(key, figures(raw[key])) for key in sorted(raw, key=_order)]


def hourly_waits(log, hall, period):
    """{local hour of issue: [waiting minutes]} for the waiting-time distribution chart."""
    from gateway.reports.period import local_hour
    hours = {}
    for rec in log.records.values():
        if period.holds(rec.issued_at) and rec.wait_s is not None:
            hours.setdefault(local_hour(hall, rec.issued_at), []).append(rec.wait_s / 60.0)
    return dict(sorted(hours.items()))
