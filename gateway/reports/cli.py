"""The office side of `hallmesh`: `report`, `case update`, `appointments import`.
Registered by gateway/cli.py; everything reads (or appends to) the gateway's store."""
import datetime
import os
import sys
import time

from gateway import snapshots
from gateway.engine import Refused, commands, decide
from gateway.engine.days import DAY_S
from gateway.reports import charts, records, render, xlsx
from gateway.reports.period import PERIODS, around, days, everything, local_day
from gateway.reports.periodic import BY, hourly_waits, report_rows
from gateway.reports.table import report_text as state_report_text


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        import argparse
        raise argparse.ArgumentTypeError("expected a date like 2026-11-23, got %r" % text)


def _percent(text):
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        value = -1.0
    if not 0 < value <= 100:
        import argparse
        raise argparse.ArgumentTypeError("expected a percentage like 98, got %r" % text)
    return value / 100.0


FORMATS = ("table", "csv", "xlsx")


def add_report_arguments(rep):
    """Defaults are None where a flag must be known to be given: a flag that does not apply
    is refused (check_report_flags), never silently ignored."""
    rep.add_argument("what", nargs="?", choices=("figures", "cases"), default="figures",
                     help="figures (default) or the follow-up cases")
    rep.add_argument("--period", choices=PERIODS, help="the day/month/quarter/year holding --date")
    rep.add_argument("--date", type=_date, help="a day in --period (default: the log's latest day)")
    rep.add_argument("--from", dest="first", type=_date, help="first day of a range (instead of --period)")
    rep.add_argument("--to", dest="last", type=_date, help="last day of the range (default: --from)")
    rep.add_argument("--by", choices=BY, help="group figures by (default window)")
    rep.add_argument("--format", choices=FORMATS, help="table (default), csv, or xlsx (with --out)")
    rep.add_argument("--out", metavar="FILE", help="write the report to FILE instead of the terminal")
    rep.add_argument("--chart", metavar="DIR", help="also write the charts into DIR, as SVG and PNG")
    rep.add_argument("--target", type=_percent, metavar="PERCENT",
                     help="the satisfaction target drawn on the charts (default: the hall's "
                          "[awards] min_satisfaction)")
    rep.add_argument("--awards", action="store_true",
                     help="add the red-flag window / service star ranking (quarterly by default)")


def check_report_flags(ns):
    """'' or what is wrong with the combination of flags, in a sentence that says the fix."""
    if ns.period and (ns.first or ns.last):
        return "--period and --from/--to both choose the days: give one of them"
    if ns.date and not ns.period:
        return ("--date picks the day whose --period is reported: add --period day|month|quarter|year, "
                "or use --from %s for that day alone" % ns.date)
    if ns.last and not ns.first:
        return "--to needs --from (the first day of the range)"
    if ns.format == "xlsx" and not ns.out:
        return "--format xlsx writes a file: add --out FILE.xlsx"
    if ns.out and (ns.format or "table") == "xlsx" and not ns.out.lower().endswith(".xlsx"):
        return "--out %s: an Excel file must end in .xlsx" % ns.out
    if ns.target is not None and not ns.chart:
        return "--target is the line on the charts: add --chart DIR"
    if ns.what == "cases":
        for flag, given in (("--by", ns.by), ("--chart", ns.chart), ("--awards", ns.awards)):
            if given:
                return "%s is for figures; 'report cases' lists the cases (by period with --period or --from)" % flag
    elif ns.awards and ns.format == "csv":
        return "--awards is a ranking, not CSV rows: use --format table or xlsx for it"
    return ""


def add_office_parsers(sub):
    case = sub.add_parser("case", help="update a follow-up case of a low rating")
    case_sub = case.add_subparsers(dest="case_command", required=True)
    update = case_sub.add_parser("update", help="set a case's status: called_back or resolved")
    update.add_argument("case_id", type=int)
    update.add_argument("--status", required=True, choices=("called_back", "resolved"))
    update.add_argument("--note", default="")
    update.add_argument("--staff", default=None)
    for p in (update,):
        p.add_argument("--hall", required=True)
        p.add_argument("--db", required=True)
    staff = sub.add_parser("staff", help="sign a staff member in or out at a window")
    staff_sub = staff.add_subparsers(dest="staff_command", required=True)
    sign_in = staff_sub.add_parser("sign-in", help="ratings and figures of the window go to this person")
    sign_in.add_argument("--window", type=int, required=True)
    sign_in.add_argument("--name", required=True, help="the staff member (name or staff number)")
    sign_out = staff_sub.add_parser("sign-out", help="nobody is on duty at the window")
    sign_out.add_argument("--window", type=int, required=True)
    green = staff_sub.add_parser("green", help="move a waiting ticket into the green channel (elderly, disabled ...)")
    green.add_argument("--ticket", required=True, help="the ticket number, e.g. A012")
    green.add_argument("--name", default=None, help="who decided it (kept in the log)")
    for p in (sign_in, sign_out, green):
        p.add_argument("--hall", required=True)
        p.add_argument("--db", required=True)
    appts = sub.add_parser("appointments", help="load bookings")
    appts_sub = appts.add_subparsers(dest="appointments_command", required=True)
    imp = appts_sub.add_parser("import", help="bookings from a CSV file: code,service,time[,name]")
    imp.add_argument("file")
    imp.add_argument("--hall", required=True)
    imp.add_argument("--db", required=True)


def _fail(text):
    print("hallmesh: %s" % text, file=sys.stderr)
    return 2


def _store(ns, hall):
    """The store to read, opened; LookupError naming what is wrong (also a store of another
    hall: gateway/hallchange.py)."""
    from gateway import hallchange
    from gateway.store import StoreError, open_store
    if not os.path.exists(ns.db):
        raise LookupError("no store at %s (run the gateway first)" % ns.db)
    try:
        store = open_store(ns.db)
    except StoreError as exc:
        raise LookupError(str(exc))
    try:
        hallchange.check_identity(store, hall)
    except StoreError as exc:
        store.close()
        raise LookupError(str(exc))
    return store


def _period(ns, hall, store):
    """The days asked for (check_report_flags has refused contradictions), or None."""
    if ns.first:
        return days(hall, ns.first, ns.last or ns.first)
    kind = ns.period or ("quarter" if ns.awards else None)
    if kind is None:
        return None
    latest = store.last_event_at()
    day = ns.date or (local_day(hall, latest) if latest is not None else datetime.date.today())
    return around(hall, kind, day)


def _read_period(store, period):
    """The records of a period, streamed from the store (never the whole log in memory): the
    period's events and a day either side, since a ticket's events all fall within its own
    hall day, which may begin at another wall-clock time than the period. No period: all."""
    if period is None:
        return records.read(event for _, event in store.iter_events())
    margin = DAY_S + 3600
    return records.read(store.iter_events_between(period.start - margin, period.end + margin))


def _emit(ns, text):
    """The report to --out (UTF-8 with a BOM for CSV, so Excel shows Chinese right) or stdout."""
    if not ns.out:
        sys.stdout.write(text)
        return
    encoding = "utf-8-sig" if ns.format == "csv" else "utf-8"
    with open(ns.out, "w", encoding=encoding, newline="") as f:
        f.write(text)
    print("wrote %s" % ns.out, file=sys.stderr)


def run_report(ns, hall):
    problem = check_report_flags(ns)
    if problem:
        return _fail(problem)
    from gateway.store import StoreError
    try:
        store = _store(ns, hall)
    except LookupError as exc:
        return _fail(exc)
    with store:
        try:
            period = _period(ns, hall, store)
            # cases are filtered by when they were opened, so they read the whole log (streamed)
            log = _read_period(store, None if ns.what == "cases" else period)
            now = time.time()
            if ns.what == "cases":
                return _cases_report(ns, hall, log, period, now)
            return _figures_report(ns, hall, log, lambda: snapshots.rebuild(hall, store).state, period, now)
        except (ValueError, StoreError, OSError, charts.ChartError) as exc:
            return _fail(exc)


def _cases_report(ns, hall, log, period, now):
    period = period or everything()
    cases = sorted((c for c in log.cases.values() if period.holds(c["opened_at"])), key=lambda c: c["case"])
    if ns.format == "xlsx":
        xlsx.cases_workbook(ns.out, hall, cases, now, period)
        print("wrote %s" % ns.out, file=sys.stderr)
    elif ns.format == "csv":
        _emit(ns, render.cases_csv(hall, cases, now))
    else:
        _emit(ns, render.cases_table(hall, cases, now, period) + "\n")
    return 0


def _figures_report(ns, hall, log, current_state, period, now):
    by = ns.by or "window"
    shown = period or everything()
    rows = report_rows(log, hall, shown, by)
    hall_rows = report_rows(log, hall, shown, "hall")
    total = hall_rows[0][1] if hall_rows else None
    awards = None
    if ns.awards:
        awards = (report_rows(log, hall, shown, "window"), report_rows(log, hall, shown, "staff"))
    if ns.format == "xlsx":
        ranking = render.awards_text(hall, *awards, period=shown) if awards else None
        cases = sorted((c for c in log.cases.values() if shown.holds(c["opened_at"])), key=lambda c: c["case"])
        xlsx.figures_workbook(ns.out, hall, shown, by, rows, total, ranking, cases=cases, now=now)
        print("wrote %s" % ns.out, file=sys.stderr)
    elif ns.format == "csv":
        _emit(ns, render.report_csv(by, rows, total, hall))
    else:
        # no period asked: the queue as it stands, then the whole log
        before = state_report_text(current_state(), now) + "\n" if period is None else ""
        _emit(ns, before + render.report_text(hall, shown, by, rows, awards, total))
    if ns.chart:
        target = ns.target if ns.target is not None else hall.awards.min_satisfaction
        for path in charts.write(ns.chart, hall, report_rows(log, hall, shown, "window"),
                                 hourly_waits(log, hall, shown), shown, target):
            print("wrote %s" % path, file=sys.stderr)
    return 0


def _append_decision(ns, hall, command):
    """Decide `command` against the log and append what it yields; a running gateway applies
    it within a second (it reads what other tools append). Returns an exit code."""
    try:
        store = _store(ns, hall)
    except LookupError as exc:
        return _fail(exc)
    with store:
        try:
            new = decide(snapshots.rebuild(hall, store).state, command, time.time())
        except Refused as exc:
            return _fail(exc)
        store.append(new)
    return 0


def run_case(ns, hall):
    code = _append_decision(ns, hall, commands.case_update(ns.case_id, ns.status, ns.note, ns.staff))
    if code == 0:
        print("case %d: %s" % (ns.case_id, ns.status))
    return code


def run_staff(ns, hall):
    if ns.staff_command == "sign-in":
        code = _append_decision(ns, hall, commands.sign_in(ns.window, ns.name))
        done = "%s signed in at window %d" % (ns.name, ns.window)
    elif ns.staff_command == "green":
        code = _append_decision(ns, hall, commands.prioritise(ns.ticket, ns.name))
        done = "%s moved into the green channel" % ns.ticket
    else:
        code = _append_decision(ns, hall, commands.sign_out(ns.window))
        done = "window %d: signed out" % ns.window
    if code == 0:
        print(done)
    return code


def run_appointments(ns, hall):
    from gateway import bookings, hallchange
    from gateway.store import StoreError, open_store
    try:
        with open_store(ns.db) as store:
            hallchange.check_identity(store, hall)
            booked, problems = bookings.import_file(hall, store, ns.file, time.time())
    except (bookings.BookingError, StoreError) as exc:
        return _fail(exc)
    for line, problem in problems:
        print("%s line %d: %s" % (ns.file, line, problem), file=sys.stderr)
    print("%d booking(s) loaded, %d refused" % (booked, len(problems)))
    return 0 if not problems else 1
