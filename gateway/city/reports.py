"""City reports: the figures of every window and staff member of every hall per period, from
PostgreSQL (figures_sql.py does the counting), ranked district-wide with the hall report's own
award rule (gateway/reports/awards.py) and printed with it.

The figures are the hall report's (gateway/reports/periodic.py) for the same tickets: served,
no-show, on-time rate, counted ratings, satisfaction with its Wilson 95 % interval, response
rate (counted / served), misuse, bad-review cases and overdue cases."""
import time

from gateway.city.figures_sql import CASES, FIGURES, period_params
from gateway.engine import cases as case_rules
from gateway.reports import render
from gateway.reports.stats import share, wilson


def _figures(raw):
    interval = wilson(raw["satisfied"], raw["counted"])
    return {"served": raw["served"], "no_show": raw["no_show"], "on_time": share(raw["on_time"], raw["served"]),
            "counted": raw["counted"], "satisfaction": share(raw["satisfied"], raw["counted"]),
            "sat_low": interval[0] if interval else None, "sat_high": interval[1] if interval else None,
            "response": share(raw["counted"], raw["served"]), "misuse": raw["misuse"],
            "cases": raw.get("cases", 0), "cases_overdue": raw.get("cases_overdue", 0)}


def city_figures(conn, hall, periods, now=None):
    """{(period label, "window"|"staff", hall id, window number or staff id): figures}.
    `hall` is the district's reference hall config: its satisfied levels and calendar."""
    now = time.time() if now is None else now
    params = period_params(periods, hall.rules.satisfied_from)
    raw = {}
    for h, label, win, staff, by_staff, *counts in conn.execute(FIGURES, params):
        key = (label, "staff", h, staff) if by_staff else (label, "window", h, win)
        raw[key] = dict(zip(("served", "no_show", "on_time", "counted", "satisfied", "misuse"), counts))
    for h, label, win, staff, svc, opened_at, status, _called_back in conn.execute(CASES, params):
        overdue = case_rules.overdue(hall, {"status": status, "opened_at": opened_at}, now)
        for key in ((label, "window", h, win), (label, "staff", h, staff)):
            row = raw.setdefault(key, dict.fromkeys(("served", "no_show", "on_time", "counted", "satisfied",
                                                     "misuse"), 0))
            row["cases"] = row.get("cases", 0) + 1
            row["cases_overdue"] = row.get("cases_overdue", 0) + (1 if overdue else 0)
    return {key: _figures(r) for key, r in raw.items()}


def ranking_text(hall, periods, figures):
    """Per period: every window and staff member of every hall ranked together (red-flag
    window, service star), the rule printed first; keys read 'hall #window' / 'hall/staff'."""
    parts = []
    for period in periods:
        windows = [("%s #%s" % (h, w), f) for (label, by, h, w), f in sorted(figures.items(), key=_order)
                   if label == period.label and by == "window"]
        staff = [("%s/%s" % (h, s), f) for (label, by, h, s), f in sorted(figures.items(), key=_order)
                 if label == period.label and by == "staff" and s != "-"]
        parts.append(render.awards_text(hall, windows, staff, period=period))
    return "\n\n".join(parts)


def _order(item):
    (label, by, h, who), _ = item
    return (label, by, h, (0, who, "") if isinstance(who, int) else (1, 0, str(who)))
