"""The figures of the console's report page: the very functions of `hallmesh report`
(gateway/reports/), fed the same period and the same records, so the page and the CLI can
never disagree. Blocking (a year of events): called through console.run().

A report is asked for with the query of /console/reports: period (day, month, quarter, year
or range), date (a day in that period) or from/to (a range), by (hall, window, staff,
service). ReportQueryError names what in the query is wrong.
"""
import datetime
import os
import tempfile
from dataclasses import dataclass

from gateway.engine.days import DAY_S
from gateway.reports import awards, charts, records, render, xlsx
from gateway.reports.period import PERIODS, around, days, local_day
from gateway.reports.periodic import BY, hourly_waits, report_rows
from gateway.reports.words import period_label, say
from gateway.store import open_store

KINDS = PERIODS + ("range",)
CHARTS = ("satisfaction_by_window", "waiting_by_hour")


class ReportQueryError(ValueError):
    """A report query that cannot be answered; the text says which field and why."""


@dataclass
class Report:
    hall: object
    period: object
    by: str
    rows: list          # [(group key, figures)] as periodic.report_rows gives them
    total: object       # the hall's own figures for the period, or None
    window_rows: list
    staff_rows: list
    cases: list
    log: object
    now: float


def _date(query, field):
    text = str(query.get(field) or "").strip()
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        raise ReportQueryError("%s: %r is not a date like 2026-11-23" % (field, text[:20]))


def choose_period(hall, query, latest_at):
    """The Period of a query; with no date, the day of the log's latest event (as the CLI)."""
    kind = str(query.get("period") or "day")
    if kind not in KINDS:
        raise ReportQueryError("period: %r is none of %s" % (kind[:20], ", ".join(KINDS)))
    if kind == "range":
        first, last = _date(query, "from"), _date(query, "to")
        if first is None:
            raise ReportQueryError("from: a range needs its first day")
        try:
            return days(hall, first, last or first)
        except ValueError as exc:
            raise ReportQueryError(str(exc))
    day = _date(query, "date") or (local_day(hall, latest_at) if latest_at is not None else datetime.date.today())
    return around(hall, kind, day)


def choose_by(query):
    by = str(query.get("by") or "window")
    if by not in BY:
        raise ReportQueryError("by: %r is none of %s" % (by[:20], ", ".join(BY)))
    return by


def read_period(store, period):
    """The period's records, streamed from the store with a day's margin either side, exactly
    as the CLI reads them (gateway/reports/cli.py _read_period)."""
    margin = DAY_S + 3600
    return records.read(store.iter_events_between(period.start - margin, period.end + margin))


def build(hall, store_path, query, now):
    """The Report a query asks for, read from its own connection to the store (SQLite readers
    never wait for the gateway's writer, and the gateway's lock is not held for a year's read)."""
    by = choose_by(query)
    with open_store(store_path) as store:
        period = choose_period(hall, query, store.last_event_at())
        log = read_period(store, period)
    rows = report_rows(log, hall, period, by, now)
    hall_rows = report_rows(log, hall, period, "hall", now)
    window_rows = rows if by == "window" else report_rows(log, hall, period, "window", now)
    staff_rows = rows if by == "staff" else report_rows(log, hall, period, "staff", now)
    cases = sorted((c for c in log.cases.values() if period.holds(c["opened_at"])), key=lambda c: c["case"])
    return Report(hall, period, by, rows, hall_rows[0][1] if hall_rows else None, window_rows, staff_rows,
                  cases, log, now)


def table(report):
    """Headers and rows for the page: each cell the CLI's text (render.figure_cells) beside
    the raw number (render.COLUMNS' value, as in the CSV) for a test or a tooltip."""
    words = render.words(report.hall)
    headers = [words["by"][report.by]] + [words["columns"][c] for c in render.TABLE_COLUMNS]
    body = [{"key": str(key), "cells": render.figure_cells(report.by, key, f), "raw": _raw(f)}
            for key, f in report.rows]
    total = None
    if report.total is not None and report.by != "hall":
        total = {"key": words["total"], "cells": render.figure_cells(report.by, None, report.total),
                 "raw": _raw(report.total)}
    return {"headers": headers, "rows": body, "total": total, "raw_columns": render.COLUMNS}


def _raw(f):
    return {c: ("" if f[c] is None else round(f[c], 4) if isinstance(f[c], float) else f[c]) for c in render.COLUMNS}


def ranking(report):
    """The red-flag windows and service stars with the rule spelled out (reports/awards.py)."""
    hall, rule = report.hall, report.hall.awards
    spelled = say(hall, "rule", min_ratings=rule.min_ratings, sat=100 * rule.min_satisfaction,
                  on_time=100 * rule.min_on_time, misuse=100 * rule.max_misuse_share, red=rule.red_flags,
                  stars=rule.stars)
    words = render.words(hall)
    out = []
    for name, title, rows, count in (("red_flag", words["red_flag"], report.window_rows, rule.red_flags),
                                     ("star", words["star"], report.staff_rows, rule.stars)):
        ranked = [{"place": place, "key": str(key), "interval": render.interval_text(f),
                   "on_time": render.share_text(f["on_time"]), "counted": f["counted"], "award": award, "why": why}
                  for place, key, f, award, why in awards.rank(rows, rule, count, hall.language)]
        out.append({"name": name, "title": title, "ranked": ranked})
    return {"rule": spelled, "lists": out, "heading": say(hall, "ranking", period=period_label(hall, report.period))}


def heading(report):
    return say(report.hall, "heading", hall=report.hall.name, id=report.hall.id,
               period=period_label(report.hall, report.period), by=render.words(report.hall)["by"][report.by])


# --- downloads --------------------------------------------------------------------------------

def csv_bytes(report):
    """The CLI's --format csv, UTF-8 with a byte-order mark (as --out writes it: Excel then
    shows Chinese right)."""
    return render.report_csv(report.by, report.rows, report.total, report.hall).encode("utf-8-sig")


def xlsx_bytes(report):
    """The CLI's --format xlsx --awards workbook: figures, ranking and the period's cases."""
    text = render.awards_text(report.hall, report.window_rows, report.staff_rows, period=report.period)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "report.xlsx")
        xlsx.figures_workbook(path, report.hall, report.period, report.by, report.rows, report.total, text,
                              cases=report.cases, now=report.now)
        with open(path, "rb") as f:
            return f.read()


def chart_bytes(report, name, ext="png"):
    """One of the CLI's --chart files (charts.write), drawn with the hall's satisfaction target."""
    if name not in CHARTS or ext not in ("png", "svg"):
        raise ReportQueryError("chart: %r is none of %s" % (str(name)[:40], ", ".join(CHARTS)))
    hours = hourly_waits(report.log, report.hall, report.period)
    with tempfile.TemporaryDirectory() as folder:
        charts.write(folder, report.hall, report.window_rows, hours, report.period, report.hall.awards.min_satisfaction)
        with open(os.path.join(folder, "%s.%s" % (name, ext)), "rb") as f:
            return f.read()


def file_stem(report):
    """report-<hall>-<period>-<by>, safe as a download's file name."""
    label = report.period.label.replace(" ", "_")
    return "report-%s-%s-by-%s" % (report.hall.id, label, report.by)
