"""Bookings into the event log: parse a CSV file of appointments, and append them as events.

CSV columns (a header row is required, names in any order):
  code     the booking code the citizen types or scans at the printer (1-16 characters)
  service  the service code (A, B ...)
  time     the booked time in the hall's local time: 2026-11-23 10:30
  name     optional: who booked
Every faulty row is reported with its line number; good rows are still loaded. The file may
be saved as Excel saves it in China (GB18030/GBK, or UTF-8 with a byte-order mark, CRLF line
ends, tab-separated "Unicode text"): see gateway/textfile.py.
"""
import csv
import datetime
import io

from gateway import snapshots, textfile
from gateway.engine import Refused, apply, commands, days, decide

REQUIRED = ("code", "service", "time")
# the same columns as a Chinese office names them in its own spreadsheet
ALIASES = {"预约号": "code", "预约码": "code", "业务": "service", "业务代码": "service", "时间": "time",
           "预约时间": "time", "姓名": "name"}


class BookingError(ValueError):
    """A bookings file that cannot be read at all (missing columns, not a file)."""


def parse_time(hall, text):
    """'2026-11-23 10:30' in the hall's local time -> seconds since the epoch."""
    local = datetime.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    return local.replace(tzinfo=days.hall_zone(hall)).timestamp()


def _column(name):
    name = (name or "").strip().lower()
    return ALIASES.get(name, name)


def read_csv(hall, path):
    """-> ([book command], [(line number, problem)])."""
    try:
        text, encoding = textfile.read(path)
    except OSError as exc:
        raise BookingError("%s: cannot read: %s" % (path, exc.strerror or exc))
    except textfile.EncodingError as exc:
        raise BookingError("%s: cannot read the bookings: the file %s" % (path, exc))
    first_line = text.split("\n", 1)[0]
    # Excel's "Unicode text" separates with tabs; its CSV with commas
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = list(reader)
    header = [_column(name) for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if rows and missing:
        raise BookingError("%s: missing column(s) %s (need %s; the header read as %s is %s)"
                           % (path, ", ".join(missing), ", ".join(REQUIRED), encoding, ", ".join(header)))
    rows = [{_column(k): v for k, v in row.items()} for row in rows]
    cmds, problems = [], []
    for line, row in enumerate(rows, 2):
        try:
            at = parse_time(hall, row["time"] or "")
        except ValueError:
            problems.append((line, "time %r is not like 2026-11-23 10:30" % row["time"]))
            continue
        cmds.append((line, commands.book((row["code"] or "").strip(), (row["service"] or "").strip(), at,
                                         (row.get("name") or "").strip())))
    return cmds, problems


def book_all(state, numbered_cmds, now):
    """Decide and apply each booking on `state`: -> (events, [(line, refusal)])."""
    events, problems = [], []
    for line, cmd in numbered_cmds:
        try:
            new = decide(state, cmd, now)
        except Refused as exc:
            problems.append((line, str(exc)))
            continue
        for ev in new:
            apply(state, ev)
        events += new
    return events, problems


def import_file(hall, store, path, now):
    """The `hallmesh appointments import` work: -> (number booked, [(line, problem)]).
    The events go to the store in one append; a gateway running on the same store sees
    them after its next start (it folds the log then)."""
    cmds, problems = read_csv(hall, path)
    state = snapshots.rebuild(hall, store).state      # latest snapshot + tail, not the whole log
    events, refused = book_all(state, cmds, now)
    if events:
        store.append(events)
    return len(events), sorted(problems + refused)
