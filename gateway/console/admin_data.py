"""What the administration page reads and changes besides engine commands: the staff
roster, an appointments file's preview (the CLI's own parser and engine dry run), the device
registry (gateway/fleet/) and the hall file's check before a restart (gateway/hallchange.py).
Blocking (the disk, a store read): page handlers call these through console.run()."""
import os
import tempfile

from gateway import bookings, config, hallchange, snapshots
from gateway.engine import days
from gateway.fleet import FleetError
from gateway.fleet.broker_auth import write_broker_files
from gateway.fleet.registry import Registry
from gateway.store import StoreError, open_store

PREVIEW_ROWS_MAX = 500        # rows shown in a preview; the import takes every row


def roster(gateway, staff_accounts):
    """[{window, services, staff, status}] of every window, and the staff accounts' names."""
    with gateway.lock:
        windows = [{"window": n, "services": ", ".join(w.services), "staff": w.staff or "", "status": w.status}
                   for n, w in sorted(gateway.service.state.windows.items())]
    return {"windows": windows, "staff_names": sorted(a["name"] for a in staff_accounts)}


# --- appointments ---------------------------------------------------------------------------

def _parsed(hall, data):
    """bytes of an uploaded file -> (numbered book commands, problems); BookingError passes
    through. The file goes through bookings.read_csv, which decodes what offices save
    (GB18030, a BOM, CRLF, tabs: gateway/textfile.py), exactly as the CLI reads it."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "appointments.csv")
        with open(path, "wb") as f:
            f.write(data)
        return bookings.read_csv(hall, path)


def preview(hall, store_path, data, now):
    """What importing `data` would do, writing nothing: {"good": [row], "bad": [(line, why)],
    "text": the decoded file (UTF-8) for the confirm form}. The engine decides each booking on
    a state rebuilt from the store (as `hallmesh appointments import` does)."""
    cmds, problems = _parsed(hall, data)
    with open_store(store_path) as store:
        state = snapshots.rebuild(hall, store).state
    _, refused = bookings.book_all(state, cmds, now)
    refused_lines = {line for line, _ in refused}
    good = [{"line": line, "code": cmd["code"], "svc": cmd["svc"], "name": cmd["name"],
             "time": days.local_datetime(hall, cmd["at"]).strftime("%Y-%m-%d %H:%M")}
            for line, cmd in cmds if line not in refused_lines]
    return {"good": good[:PREVIEW_ROWS_MAX], "good_count": len(good), "bad": sorted(problems + refused)}


def commands_of(hall, data):
    """The book commands of a confirmed file, [(line, command)], and the lines refused already."""
    return _parsed(hall, data)


# --- devices ------------------------------------------------------------------------------------

def registry(fleet_path, hall, create=False):
    """The device registry at fleet_path, bound to the hall; FleetError naming a missing one."""
    if not fleet_path or (not create and not os.path.exists(fleet_path)):
        raise FleetError("no device registry at %s yet: enrol the first device here or with "
                         "`hallmesh devices add`" % (fleet_path or "(none configured)"))
    return Registry(fleet_path, hall=hall)


def devices(fleet_path, hall):
    """({"devices": [row], "error": ""}) the registry's devices, removed ones included."""
    try:
        listed = registry(fleet_path, hall).list(include_removed=True)
    except FleetError as exc:
        return {"devices": [], "error": str(exc)}
    rows = [{"id": d.id, "kind": d.kind, "place": d.place, "board": d.board, "fw": d.fw or "-",
             "state": "removed" if d.revoked_at else ("online" if d.online else "offline"),
             "removed": bool(d.revoked_at)} for d in listed]
    return {"devices": rows, "error": ""}


def enrol(fleet_path, hall, kind, window, board):
    """Registry.add, as `hallmesh devices add`: -> the Device; FleetError says what is wrong."""
    return registry(fleet_path, hall, create=True).add(kind, window or None, board or None)


def remove(fleet_path, hall, device_id):
    return registry(fleet_path, hall).remove(device_id)


def broker_files(fleet_path, hall, out_dir, listen="0.0.0.0:1883"):
    """`hallmesh devices broker-files`: -> {name: path written}."""
    host, _, port = listen.rpartition(":")
    return write_broker_files(registry(fleet_path, hall), out_dir, host or "0.0.0.0", int(port))


# --- the hall file ------------------------------------------------------------------------------

def hall_check(hall_file, store_path, now):
    """`hallmesh hall check` of the hall file as it is on disk now: (ok, lines)."""
    try:
        edited = config.load(hall_file)
    except config.ConfigError as exc:
        return False, ["the hall file cannot be used: %s" % exc]
    except OSError as exc:
        return False, ["the hall file %s cannot be read: %s" % (hall_file, exc.strerror or exc)]
    try:
        with open_store(store_path) as store:
            hallchange.check_identity(store, edited)
            code, lines = hallchange.dry_run(store, snapshots.rebuild(edited, store).state, edited, now)
    except StoreError as exc:
        return False, ["REFUSED: %s" % exc]
    return code == 0, lines
