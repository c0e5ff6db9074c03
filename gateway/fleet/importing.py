"""Batch enrolment: a CSV file (columns kind,window,board and optionally id) or a hall config.

All or nothing: every row is checked first, and if any row is wrong nothing is enrolled and
the error lists every bad row by its line number, so staff fix the file and run it again
without wondering which devices already got in.
"""
import csv
import io

from gateway.fleet import FleetError
from gateway.fleet.registry import insert_row

COLUMNS = ("kind", "window", "board", "id")
REQUIRED = ("kind",)


def import_csv(registry, source):
    """Enrol every row of a CSV file (a path or an open text file); returns the new devices."""
    text = _read(source)
    reader = csv.DictReader(io.StringIO(text))
    header = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    _check_header(header, source)
    reader.fieldnames = header
    rows = []
    for record in reader:
        values = {k: (v or "").strip() for k, v in record.items() if k is not None}
        if not any(values.values()) or values.get("kind", "").startswith("#"):
            continue                        # blank lines and comment lines
        extra = record.get(None)
        rows.append((reader.line_num, values, extra))
    if not rows:
        raise FleetError("%s: no devices in the file (expected a header line kind,window,board)" % _name(source))
    return _enrol(registry, rows, source)


def import_hall(registry, hall):
    """Enrol each [[device]] of the hall config that is not enrolled yet, under its own id."""
    enrolled = {d.id for d in registry.list(include_removed=True)}
    rows = [(n, {"kind": d.kind, "window": d.window, "board": d.board, "id": d.id}, None)
            for n, d in enumerate(hall.devices.values(), 1) if d.id not in enrolled]
    return _enrol(registry, rows, hall.source or "hall config", what="[[device]] #") if rows else []


def _enrol(registry, rows, source, what="row "):
    errors, planned = [], []
    with registry.transaction() as db:
        for number, values, extra in rows:
            try:
                if extra:
                    raise FleetError("too many columns (expected %s)" % ",".join(COLUMNS))
                planned.append(registry.plan(db, values.get("kind", ""), values.get("window"),
                                             values.get("board"), values.get("id") or None, planned))
            except FleetError as exc:
                errors.append("%s%d: %s" % (what, number, exc))
        if errors:
            raise FleetError("%s: nothing enrolled, fix these and run again:\n  %s"
                             % (_name(source), "\n  ".join(errors)))
        for row in planned:
            insert_row(db, row)
    return [registry.get(row["id"]) for row in planned]


def _check_header(header, source):
    unknown = [h for h in header if h not in COLUMNS]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing:
        raise FleetError("%s: line 1 must be the header kind,window,board[,id]%s%s" % (
            _name(source), "; unknown column(s): " + ", ".join(repr(u) for u in unknown) if unknown else "",
            "; missing column(s): " + ", ".join(missing) if missing else ""))


def _read(source):
    if hasattr(source, "read"):
        return source.read()
    try:
        with open(source, newline="", encoding="utf-8-sig") as f:     # -sig: Excel's BOM
            return f.read()
    except OSError as exc:
        raise FleetError("cannot read %s: %s" % (source, exc.strerror or exc))
    except UnicodeDecodeError:
        raise FleetError("%s is not UTF-8 text: save it as CSV UTF-8" % source)


def _name(source):
    return getattr(source, "name", None) or str(source)
