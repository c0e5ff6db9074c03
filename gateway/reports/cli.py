"""The office side of `hallmesh`: `report`, `case update`, `appointments import`.
Registered by gateway/cli.py; everything reads (or appends to) the gateway's store."""
import datetime
import os
import sys
import time

from gateway import snapshots
from gateway.engine import Refused, commands, decide
from gateway.engine.days import DAY_S
from gateway.reports import records, render, svg
from gateway.reports.period import PERIODS, around, days, everything, local_day
from gateway.reports.periodic import BY, hourly_waits, report_rows
from gateway.reports.table import report_text as state_report_text


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        import argparse
        raise argparse.ArgumentTypeError("expected a date like 2026-11-23, got %r" % text)


def add_report_arguments(rep):
    rep.add_argument("what", nargs="?", choices=("figures", "cases"), default="figures",
                     help="figures (default) or the follow-up cases")
    rep.add_argument("--period", choices=PERIODS, help="the day/month/quarter/year holding --date")
    rep.add_argument("--date", type=_date, help="a day in the period (default: the log's latest day)")
    rep.add_argument("--from", dest="first", type=_date, help="first day of a range")
    rep.add_argument("--to", dest="last", type=_date, help="last day of a range (default: --from)")
    rep.add_argument("--by", choices=BY, default="window", help="group figures by (default window)")
    rep.add_argument("--format", choices=("table", "csv"), default="table")
    rep.add_argument("--chart", metavar="DIR", help="also write SVG charts into DIR")
    rep.add_argument("--awards", action="store_true",
                     help="add the red-flag window / service star ranking (quarterly by default)")


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


def _store(ns):
    """The store to read, opened; LookupError naming what is wrong."""
    from gateway.store import StoreError, open_store
    if not os.path.exists(ns.db):
        raise LookupError("no store at %s (run the gateway first)" % ns.db)
    try:
        return open_store(ns.db)
    except StoreError as exc:
        raise LookupError(str(exc))


def _period(ns, hall, store):
    if ns.first or ns.last:
        first = ns.first or ns.last
        return days(hall, first, ns.last or first)
    kind = ns.period or ("quarter" if ns.awards else None)
    if kind is None:
        return None
    latest = store.last_event_at()
    day = ns.date or (local_day(hall, latest) if latest is not None else datetime.date.today())
    return around(hall, kind, day)


def _read_period(store, period):
    """The records of a period, streamed from the store: the period's events and a day either
    side (a ticket's events all fall within its own hall day, which may start or end at
    another wall-clock time than the period's)."""
    if period is None:
        return records.read(event for _, event in store.iter_events())
    margin = DAY_S + 3600
    return records.read(store.iter_events_between(period.start - margin, period.end + margin))


def run_report(ns, hall):
    from gateway.store import StoreError
    try:
        store = _store(ns)
    except LookupError as exc:
        return _fail(exc)
    try:
        with store:
            return _report(ns, hall, store)
    except StoreError as exc:
        return _fail(exc)


def _report(ns, hall, store):
    if ns.what == "cases":
        log = _read_period(store, None)
        sys.stdout.write(render.cases_table(sorted(log.cases.values(), key=lambda c: c["case"])) + "\n")
        return 0
    try:
        period = _period(ns, hall, store)
    except ValueError as exc:
        return _fail(exc)
    log = _read_period(store, period)
    rows = report_rows(log, hall, period or everything(), ns.by)
    if ns.format == "csv":
        sys.stdout.write(render.report_csv(ns.by, rows))
    else:
        if period is None:     # no period asked: the queue as it stands, then the whole log
            sys.stdout.write(state_report_text(snapshots.rebuild(hall, store).state) + "\n")
        awards = None
        if ns.awards:
            p = period or everything()
            awards = (report_rows(log, hall, p, "window"), report_rows(log, hall, p, "staff"))
        sys.stdout.write(render.report_text(hall, period or everything(), ns.by, rows, awards))
    if ns.chart:
        _charts(ns.chart, log, hall, period or everything())
    return 0


def _charts(directory, log, hall, period):
    os.makedirs(directory, exist_ok=True)
    windows = report_rows(log, hall, period, "window")
    charts = {"satisfaction_by_window.svg": svg.satisfaction_by_window(windows, "Satisfaction by window, " + period.label),
              "waiting_by_hour.svg": svg.waiting_by_hour(hourly_waits(log, hall, period),
                                                         "Waiting time by hour of issue, " + period.label)}
    for name, text in charts.items():
        with open(os.path.join(directory, name), "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s" % os.path.join(directory, name), file=sys.stderr)


def _append_decision(ns, hall, command):
    """Decide `command` against the log and append what it yields; a running gateway applies
    it within a second (it reads what other tools append). Returns an exit code."""
    try:
        store = _store(ns)
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
    from gateway import bookings
    from gateway.store import StoreError, open_store
    try:
        with open_store(ns.db) as store:
            booked, problems = bookings.import_file(hall, store, ns.file, time.time())
    except (bookings.BookingError, StoreError) as exc:
        return _fail(exc)
    for line, problem in problems:
        print("%s line %d: %s" % (ns.file, line, problem), file=sys.stderr)
    print("%d booking(s) loaded, %d refused" % (booked, len(problems)))
    return 0 if not problems else 1
