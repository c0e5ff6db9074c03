"""A year's quarterly red-flag window / service star ranking read from the store, the way
`hallmesh report --awards --period quarter` reads it: each quarter's events streamed from the
store by the index on event time (gateway/reports/cli.py), one record per ticket of that
quarter, the figures and the ranking text.

Baseline in the same run: a plain SQL pass over the same rows, the least any ranking needs:
per quarter, one GROUP BY query each for windows and staff counting finished tickets, counted
ratings and satisfied ratings inside SQLite.
"""
import datetime
import sqlite3
import time

from bench.stats import best_of, row
from gateway import config
from gateway.reports import render
from gateway.reports.cli import _read_period
from gateway.reports.period import around
from gateway.reports.periodic import report_rows
from gateway.store import open_store

PLAIN_SQL = """
SELECT json_extract(body, '$.%s') AS who,
       SUM(type = 'ticket_finished'),
       SUM(type = 'rating_counted'),
       SUM(type = 'rating_counted' AND json_extract(body, '$.level') >= ?)
FROM events
WHERE at >= ? AND at < ? AND type IN ('ticket_finished', 'rating_counted')
GROUP BY who
"""


def quarters(hall, first, last):
    periods, day = [], datetime.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while day <= last:
        periods.append(around(hall, "quarter", day))
        month = day.month + 3
        day = datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return periods


def ranking_from_store(hall, db_path, periods):
    """The ranking text of every quarter, each read from the store as the report command does."""
    texts = []
    with open_store(db_path) as store:
        for period in periods:
            log = _read_period(store, period)
            windows = report_rows(log, hall, period, "window")
            staff = report_rows(log, hall, period, "staff")
            texts.append(render.report_text(hall, period, "window", windows, (windows, staff)))
    return texts


def plain_sql(hall, db_path, periods):
    """Served, counted and satisfied per window and per staff member, per quarter, in SQL."""
    good = hall.rating_levels - 2        # the national scheme: the top three of five are good reviews
    out = []
    db = sqlite3.connect(db_path)
    try:
        for period in periods:
            for column in ("window", "staff"):
                out.append(db.execute(PLAIN_SQL % column, (good, period.start, period.end)).fetchall())
    finally:
        db.close()
    return out


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def year_ranking(ctx):
    db_path, summary = ctx.history()
    hall = config.load(ctx.hall_file)
    first, last = (datetime.date.fromisoformat(summary[k]) for k in ("first", "last"))
    periods = quarters(hall, first, last)
    store_runs, sql_runs = [], []
    texts = []
    for _ in range(ctx.size["repeats"]):
        seconds, texts = _timed(ranking_from_store, hall, db_path, periods)
        store_runs.append(seconds)
        sql_runs.append(_timed(plain_sql, hall, db_path, periods)[0])
    return [row("quarterly ranking of a year, read from the store", best_of(store_runs), "s",
                baseline=best_of(sql_runs), baseline_name="plain SQL GROUP BY over the same rows",
                limit="JSON-decoding each quarter's events in Python, a record per ticket, quantiles",
                note="%d quarters (%d chars of ranking text) over %d events, each quarter streamed by the "
                     "index on event time, never the whole log in memory; best of %d"
                     % (len(texts), sum(len(t) for t in texts), summary["events"], ctx.size["repeats"]))]
