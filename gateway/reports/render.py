"""Period report as a terminal table or CSV, with its definitions and the awards rule."""
import csv
import io

from gateway.engine import cases as case_rules
from gateway.reports import awards as awards_mod
from gateway.reports.period import local_day
from gateway.reports.periodic import DEFINITIONS
from gateway.reports.table import _table

COLUMNS = ["issued", "served", "no_show", "transferred", "wait_median", "wait_p90", "service_median",
           "service_p90", "on_time", "counted", "satisfaction", "sat_low", "sat_high", "response",
           "misuse", "in_range", "cases_open", "cases_called_back", "cases_resolved", "cases_overdue",
           "callback_rate"]
_SHARES = {"on_time", "satisfaction", "sat_low", "sat_high", "response", "in_range", "callback_rate"}
_MINUTES = {"wait_median", "wait_p90", "service_median", "service_p90"}


def _pct(v):
    return "-" if v is None else "%.1f%%" % (100.0 * v)


def _min(v):
    return "-" if v is None else "%.1f" % v


def _interval(f):
    if f["satisfaction"] is None:
        return "-"
    return "%s [%s-%s]" % (_pct(f["satisfaction"]), _pct(f["sat_low"]), _pct(f["sat_high"]))


def figures_table(by, rows):
    headers = [by, "issued", "served", "no-show", "transf", "wait med", "wait p90", "svc med", "svc p90",
               "on time", "ratings", "satisfied [95% CI]", "response", "misuse", "in range", "cases o/cb/r",
               "overdue", "call-back"]
    body = []
    for key, f in rows:
        issued = f["issued"] if by in ("hall", "service") else "-"
        body.append([str(key), issued, f["served"], f["no_show"], f["transferred"], _min(f["wait_median"]),
                     _min(f["wait_p90"]), _min(f["service_median"]), _min(f["service_p90"]), _pct(f["on_time"]),
                     f["counted"], _interval(f), _pct(f["response"]), f["misuse"], _pct(f["in_range"]),
                     "%d/%d/%d" % (f["cases_open"], f["cases_called_back"], f["cases_resolved"]),
                     f["cases_overdue"], _pct(f["callback_rate"])])
    return _table(headers, body)


def awards_text(hall, window_rows, staff_rows):
    rule = hall.awards
    out = ["Quarterly ranking", rule.text(hall.rules.satisfied_text())]
    for title, rows, count in (("Red-flag window", window_rows, rule.red_flags),
                               ("Service star", staff_rows, rule.stars)):
        out.append("")
        out.append(title)
        ranked = awards_mod.rank(rows, rule, count)
        if not ranked:
            out.append("  (nobody to rank)")
        for place, key, f, award, why in ranked:
            if place is None:
                out.append("  -  %-10s not eligible: %s" % (key, why))
            else:
                out.append("  %d. %-10s %s  on time %s  %d ratings%s" % (
                    place, key, _interval(f), _pct(f["on_time"]), f["counted"], "  <- AWARD" if award else ""))
    return "\n".join(out)


def report_text(hall, period, by, rows, awards=None):
    parts = ["%s (%s) - %s, by %s" % (hall.name, hall.id, period.label, by), "", figures_table(by, rows),
             "", "Times in minutes.", DEFINITIONS]
    if awards:
        parts += ["", awards_text(hall, *awards)]
    return "\n".join(parts) + "\n"


def report_csv(by, rows):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([by] + COLUMNS)
    for key, f in rows:
        writer.writerow([key] + ["" if f[c] is None else round(f[c], 4) if isinstance(f[c], float) else f[c]
                                 for c in COLUMNS])
    return out.getvalue()


def cases_table(hall, cases, now):
    """Every case with its opening day, deadline (15 working days) and whether it is overdue
    at `now`, then the overdue count and the call-back rate."""
    rows = [[c["case"], local_day(hall, c["opened_at"]).isoformat(), case_rules.deadline(hall, c).isoformat(),
             "OVERDUE" if case_rules.overdue(hall, c, now) else "", c["status"], c["no"], c["svc"], c["window"],
             c["staff"] or "-", c["level"], c["reason"] or case_rules.NO_REASON,
             c["notes"][-1][2] if c["notes"] else ""] for c in cases]
    table = _table(["case", "opened", "deadline", "overdue", "status", "ticket", "svc", "window", "staff", "level",
                    "reason", "last note"], rows)
    overdue = sum(1 for c in cases if case_rules.overdue(hall, c, now))
    called = sum(1 for c in cases if case_rules.called_back(c))
    return table + "\n%d case(s), %d overdue, call-back rate %s" % (
        len(cases), overdue, _pct(called / len(cases)) if cases else "-")
