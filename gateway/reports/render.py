"""Period report as a terminal table or CSV, with its definitions and the awards rule, and the
follow-up cases list; all in the hall's language (gateway/reports/words.py)."""
import csv
import io

from gateway.engine import cases as case_rules
from gateway.engine.workdays import CASE_WORKING_DAYS
from gateway.reports import awards as awards_mod
from gateway.reports.period import everything, local_day
from gateway.reports.periodic import DEFINITIONS
from gateway.reports.table import _table
from gateway.reports.words import DEFINITIONS_ZH, column_name, period_label, say, words

COLUMNS = ["issued", "served", "no_show", "transferred", "wait_median", "wait_p90", "service_median",
           "service_p90", "on_time", "counted", "satisfaction", "sat_low", "sat_high", "response",
           "misuse", "in_range", "cases_open", "cases_called_back", "cases_resolved", "cases_overdue",
           "callback_rate"]
_SHARES = {"on_time", "satisfaction", "sat_low", "sat_high", "response", "in_range", "callback_rate"}
_MINUTES = {"wait_median", "wait_p90", "service_median", "service_p90"}
_TABLE_COLUMNS = ["issued", "served", "no_show", "transferred", "wait_median", "wait_p90", "service_median",
                  "service_p90", "on_time", "counted", "satisfaction", "response", "misuse", "in_range", "cases",
                  "cases_overdue", "callback_rate"]


def _pct(v):
    return "-" if v is None else "%.1f%%" % (100.0 * v)


def _min(v):
    return "-" if v is None else "%.1f" % v


def _interval(f):
    if f["satisfaction"] is None:
        return "-"
    return "%s [%s-%s]" % (_pct(f["satisfaction"]), _pct(f["sat_low"]), _pct(f["sat_high"]))


def _cells(by, key, f):
    issued = f["issued"] if by in ("hall", "service") or key is None else "-"
    return [issued, f["served"], f["no_show"], f["transferred"], _min(f["wait_median"]), _min(f["wait_p90"]),
            _min(f["service_median"]), _min(f["service_p90"]), _pct(f["on_time"]), f["counted"], _interval(f),
            _pct(f["response"]), f["misuse"], _pct(f["in_range"]),
            "%d/%d/%d" % (f["cases_open"], f["cases_called_back"], f["cases_resolved"]),
            f["cases_overdue"], _pct(f["callback_rate"])]


# the public names of the cells for other renderers (the console's report page)
TABLE_COLUMNS = _TABLE_COLUMNS
figure_cells = _cells
interval_text = _interval
share_text = _pct


def figures_table(hall, by, rows, total=None):
    """`total`: the figures of the whole hall for the period (periodic.report_rows by hall), so
    its medians and rates are the hall's own, not sums of the rows'."""
    w = words(hall)
    headers = [w["by"][by]] + [w["columns"][c] for c in _TABLE_COLUMNS]
    body = [[str(key)] + _cells(by, key, f) for key, f in rows]
    total_row = [w["total"]] + _cells(by, None, total) if total is not None and by != "hall" else None
    return _table(headers, body, total_row)


def awards_text(hall, window_rows, staff_rows, period=None):
    rule = hall.awards
    w = words(hall)
    out = [say(hall, "ranking", period=period_label(hall, period or everything())),
           say(hall, "rule", min_ratings=rule.min_ratings, sat=100 * rule.min_satisfaction,
               on_time=100 * rule.min_on_time, misuse=100 * rule.max_misuse_share, red=rule.red_flags,
               stars=rule.stars)]
    for title, rows, count in ((w["red_flag"], window_rows, rule.red_flags), (w["star"], staff_rows, rule.stars)):
        out += ["", title]
        ranked = awards_mod.rank(rows, rule, count, hall.language)
        if not ranked:
            out.append(w["nobody"])
        for place, key, f, award, why in ranked:
            if place is None:
                out.append(say(hall, "not_eligible", who="%-10s" % key, why=why))
            else:
                out.append(say(hall, "placed", place=place, who="%-10s" % key, interval=_interval(f),
                               on_time=_pct(f["on_time"]), counted=f["counted"], award=w["award"] if award else ""))
    return "\n".join(out)


def report_text(hall, period, by, rows, awards=None, total=None):
    heading = say(hall, "heading", hall=hall.name, id=hall.id, period=period_label(hall, period),
                  by=words(hall)["by"][by])
    parts = [heading, "", figures_table(hall, by, rows, total), "", say(hall, "minutes"),
             DEFINITIONS_ZH if hall.language == "zh" else DEFINITIONS]
    if awards:
        parts += ["", awards_text(hall, *awards, period=period)]
    return "\n".join(parts) + "\n"


def _csv_value(f, column):
    value = f[column]
    return "" if value is None else round(value, 4) if isinstance(value, float) else value


def report_csv(by, rows, total=None, hall=None):
    """Plain numbers (shares as fractions, minutes) for a spreadsheet; the total row last. The
    column names are the figures' own names (the same in every English hall's file), in a
    Chinese hall the Chinese ones: an office there opens it in Excel and reads it."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    english = hall is None or hall.language == "en"
    if english:
        writer.writerow([by] + COLUMNS)
    else:
        writer.writerow([words(hall)["by"][by]] + [column_name(hall, c) for c in COLUMNS])
    for key, f in rows:
        writer.writerow([key] + [_csv_value(f, c) for c in COLUMNS])
    if total is not None and by != "hall":
        writer.writerow(["total" if english else say(hall, "total")] + [_csv_value(total, c) for c in COLUMNS])
    return out.getvalue()


# --- follow-up cases ---------------------------------------------------------------------

def case_deadline(hall, case):
    """The last hall day to rectify the case: CASE_WORKING_DAYS working days of the hall's
    calendar after the day it was opened (engine/workdays.py)."""
    return case_rules.deadline(hall, case)


def case_overdue(hall, case, now):
    return case_rules.overdue(hall, case, now)


CASE_FIELDS = ("case", "opened", "deadline", "overdue", "status", "ticket", "svc", "window", "staff", "level",
               "reason", "note")


def case_rows(hall, cases, now):
    """[{field: value}] in CASE_FIELDS order: the cases list for the table, CSV and Excel."""
    labels = hall.rules.rating_labels
    out = []
    for c in cases:
        level = c["level"]
        out.append({"case": c["case"], "opened": local_day(hall, c["opened_at"]).isoformat(),
                    "deadline": case_deadline(hall, c).isoformat(), "overdue": case_overdue(hall, c, now),
                    "status": c["status"], "ticket": c["no"], "svc": c["svc"], "window": c["window"],
                    "staff": c["staff"] or "-", "level": level, "level_name": labels[level - 1],
                    "reason": c["reason"], "note": c["notes"][-1][2] if c["notes"] else "",
                    "called_back": case_rules.called_back(c)})
    return out


def level_text(hall, row):
    """'1 非常不满意' in a Chinese hall (the national scheme's names); the number elsewhere."""
    return "%d %s" % (row["level"], row["level_name"]) if hall.language == "zh" else row["level"]


def cases_total(hall, rows):
    count = {s: sum(1 for r in rows if r["status"] == s) for s in ("open", "called_back", "resolved")}
    called_back = sum(1 for r in rows if r["called_back"])
    return say(hall, "cases_total", n=len(rows), open=count["open"], called=count["called_back"],
               resolved=count["resolved"], overdue=sum(1 for r in rows if r["overdue"]), days=CASE_WORKING_DAYS,
               callback=_pct(called_back / len(rows)) if rows else "-")


def cases_table(hall, cases, now, period):
    w = words(hall)
    rows = case_rows(hall, cases, now)
    body = [[r["case"], r["opened"], r["deadline"], w["overdue_mark"] if r["overdue"] else "",
             w["case_status"][r["status"]], r["ticket"], r["svc"], r["window"], r["staff"],
             level_text(hall, r), r["reason"] or w["no_reason"], r["note"]] for r in rows]
    heading = say(hall, "cases_heading", hall=hall.name, id=hall.id, period=period_label(hall, period),
                  today=local_day(hall, now).isoformat())
    table = _table([w["case_columns"][f] for f in CASE_FIELDS], body)
    return "\n".join([heading, "", table, "", cases_total(hall, rows)])


def cases_csv(hall, cases, now):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    w = words(hall)
    english = hall.language == "en"
    writer.writerow(CASE_FIELDS if english else [w["case_columns"][f] for f in CASE_FIELDS])
    for r in case_rows(hall, cases, now):
        row = dict(r, overdue=w["yes"] if r["overdue"] else w["no"])
        if not english:
            row.update(status=w["case_status"][r["status"]], level=level_text(hall, r),
                       reason=r["reason"] or w["no_reason"])
        writer.writerow([row[f] for f in CASE_FIELDS])
    return out.getvalue()
