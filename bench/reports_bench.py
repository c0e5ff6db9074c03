"""Reports over a year of history: the quarterly red-flag window / service star ranking, as
`hallmesh report --awards --period quarter` produces it, for each quarter of the year.

Baseline in the same run: a plain pass over the same events that counts, per quarter and per
window and per staff member, the served tickets and the satisfied ratings: the least work any
ranking needs. If the reports package has no ranking (it is being extended), the existing
whole-log figures are timed instead and the row says so.
"""
import datetime
import time

from bench.stats import best_of, row
from gateway import config
from gateway.store import open_store


def _ranking_api():
    """The report modules the ranking needs, or None when this checkout has no ranking."""
    try:
        from gateway.reports import records, render
        from gateway.reports.period import around, local_day
        from gateway.reports.periodic import report_rows
    except ImportError:
        return None
    if not hasattr(render, "awards_text"):
        return None
    return {"records": records, "render": render, "around": around, "local_day": local_day,
            "report_rows": report_rows}


def quarters(api, first, last, hall):
    """The report periods of every quarter from day `first` to day `last`, oldest first."""
    periods, day = [], datetime.date(first.year, 3 * ((first.month - 1) // 3) + 1, 1)
    while day <= last:
        periods.append(api["around"](hall, "quarter", day))
        month = day.month + 3
        day = datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    return periods


def quarterly_ranking(api, hall, events, first, last):
    """The text `hallmesh report --awards` prints, for each quarter of the synthetic year."""
    log = api["records"].read(events)
    texts = []
    for period in quarters(api, first, last, hall):
        windows = api["report_rows"](log, hall, period, "window")
        staff = api["report_rows"](log, hall, period, "staff")
        texts.append(api["render"].report_text(hall, period, "window", windows, (windows, staff)))
    return texts


def whole_log_figures(hall, events):
    """Fallback when there is no ranking: the existing figures of the folded log."""
    from gateway.engine.core import fold
    from gateway.reports import report_text
    return [report_text(fold(hall, events))]


def plain_pass(hall, events, quarter_of):
    """Served and satisfied counts per (quarter, window) and (quarter, staff) in one loop."""
    top = hall.rating_levels - 1
    served, rated = {}, {}
    for ev in events:
        kind = ev["type"]
        if kind == "ticket_finished":
            q = quarter_of(ev["at"])
            for key in ((q, ev["window"]), (q, ev["staff"])):
                served[key] = served.get(key, 0) + 1
        elif kind == "rating_counted":
            q = quarter_of(ev["at"])
            good = 1 if ev["level"] >= top else 0
            for key in ((q, ev["window"]), (q, ev["staff"])):
                n, s = rated.get(key, (0, 0))
                rated[key] = (n + 1, s + good)
    return served, rated


def _quarter_of(hall):
    def quarter_of(at):
        day = datetime.datetime.fromtimestamp(at + hall.utc_offset_s, tz=datetime.timezone.utc)
        return day.year * 4 + (day.month - 1) // 3
    return quarter_of


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def year_reports(ctx):
    db_path, summary = ctx.history()
    hall = config.load(ctx.hall_file)
    api = _ranking_api()
    load_runs, work_runs, plain_runs = [], [], []
    produced = None
    first, last = (datetime.date.fromisoformat(summary[k]) for k in ("first", "last"))
    for _ in range(ctx.size["repeats"]):
        with open_store(db_path) as store:
            seconds, events = _timed(store.load_events)
        load_runs.append(seconds)
        if api is not None:
            seconds, produced = _timed(quarterly_ranking, api, hall, events, first, last)
        else:
            seconds, produced = _timed(whole_log_figures, hall, events)
        work_runs.append(seconds)
        plain_runs.append(_timed(plain_pass, hall, events, _quarter_of(hall))[0])
        del events
    work, plain, load = best_of(work_runs), best_of(plain_runs), best_of(load_runs)
    if api is not None:
        what = "quarterly red-flag/star ranking, %d quarters" % len(produced)
        how = "records.read + report_rows by window and staff + render.report_text with awards, per quarter"
        limit = "one Python pass building a record per ticket, then per-quarter grouping and quantiles"
    else:
        what = "report figures (no ranking in gateway.reports yet)"
        how = "fold + report_text of the whole log: gateway.reports has no ranking function in this checkout"
        limit = "folding the whole log into a state first"
    note = "%s over %d events (%d tickets); best of %d" % (how, summary["events"], summary["tickets"],
                                                          ctx.size["repeats"])
    return [
        row(what + ", in memory", work, "s", baseline=plain, baseline_name="plain pass over the events",
            limit=limit, note=note),
        row("  same, reading the year from the store first", load + work, "s", baseline=load + plain,
            baseline_name="store read + plain pass",
            limit="store.load_events: JSON-decoding every event (%.1f s of it)" % load,
            note="load_events %.2f s of a %.0f MB SQLite store, then as above" % (load, _size_mb(db_path))),
    ]


def _size_mb(path):
    import os
    return os.path.getsize(path) / 1e6
