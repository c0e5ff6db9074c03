"""The device registry: which devices may join the hall's broker, with what password, and where.

One SQLite file per hall (default run/fleet.db), apart from the event store. It holds each
device's broker password IN THE CLEAR, because flashing must write it into the device's
config.json; so the file is created with mode 0600 in a 0700 directory. Mosquitto only ever
sees hashes (broker_auth.py). Removing a device revokes it: the row stays (its id is never
given out again) but its password is wiped, so regenerated broker files leave it out.

Every call opens its own short connection, so the gateway's MQTT worker thread and the CLI can
use one Registry object or several at once.
"""
import os
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass

from gateway.fleet import FleetError, boards
from protocol import ProtocolError, topics

DEFAULT_PATH = os.environ.get("HALLMESH_FLEET", os.path.join("run", "fleet.db"))
GATEWAY_USER = "hallmesh-gw"       # the gateway's own broker account
TOOL_USER = "hallmesh-tool"        # read-only account for flash.sh's birth check and monitoring
RESERVED_PREFIX = "hallmesh-"      # device ids may not start with this: no clash with accounts
# What staff may type for --kind -> the kind the protocol and the hall config use.
KINDS = {"printer": "printer", "ticket-printer": "printer",
         "display": "display", "call-display": "display", "window-display": "display",
         "hall-display": "display", "pad": "pad", "rating-pad": "pad"}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS accounts (user TEXT PRIMARY KEY, role TEXT NOT NULL UNIQUE,
                                     password TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, board TEXT NOT NULL, win INTEGER,
    password TEXT NOT NULL, enrolled_at REAL NOT NULL, revoked_at REAL,
    online INTEGER NOT NULL DEFAULT 0, fw TEXT, seen_board TEXT, heap INTEGER, rssi INTEGER,
    ses INTEGER, rst TEXT, last_birth REAL, last_change REAL);
"""


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    board: str
    window: int | None          # None: in the hall (printers, the hall display)
    password: str
    enrolled_at: float
    revoked_at: float | None
    online: bool                # presence as the gateway last saw it
    fw: str | None
    seen_board: str | None      # the board the device itself reported in its birth
    heap: int | None
    rssi: int | None
    ses: int | None
    rst: str | None
    last_birth: float | None
    last_change: float | None

    @property
    def place(self):
        return "window %d" % self.window if self.window is not None else "hall"


def new_password():
    """144 random bits, URL-safe so it survives JSON, shells and Mosquitto's file unquoted."""
    return secrets.token_urlsafe(18)


def normalise_kind(kind):
    try:
        return KINDS[str(kind).strip().lower()]
    except KeyError:
        raise FleetError("unknown kind %r (use printer, display or pad; also %s)"
                         % (kind, ", ".join(k for k, v in KINDS.items() if k != v)))


def parse_window(value):
    """None, '' -> None; 5 or '5' -> 5; anything else is an error naming the value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise FleetError("window must be a window number (1, 2, ...), got %r" % (value,))
    return int(text)


class Registry:
    def __init__(self, path=DEFAULT_PATH, hall=None, boards_dir=boards.BOARDS_DIR, clock=time.time):
        """`hall` (a gateway.config.Hall) binds an empty registry to that hall and is then
        used to check windows and to take ids and boards from the hall's [[device]] list."""
        self.path, self.hall, self.boards_dir, self.clock = str(path), hall, boards_dir, clock
        _create_private(self.path)
        with self.transaction() as db:
            db.executescript(_SCHEMA)
            self._bind_hall(db)
            for role, user in (("gateway", GATEWAY_USER), ("tool", TOOL_USER)):
                db.execute("INSERT OR IGNORE INTO accounts VALUES (?, ?, ?)", (user, role, new_password()))

    @contextmanager
    def transaction(self):
        try:
            db = sqlite3.connect(self.path, timeout=10)
        except sqlite3.Error as exc:
            raise FleetError("cannot open the device registry %s: %s" % (self.path, exc))
        db.row_factory = sqlite3.Row
        try:
            with db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise FleetError("device registry %s: %s" % (self.path, exc))
        finally:
            db.close()

    def _bind_hall(self, db):
        stored = _meta(db, "hall")
        if self.hall is None:
            return
        if stored is not None and stored != self.hall.id:
            raise FleetError("%s is the registry of hall %r, not %r: use another --fleet file"
                             % (self.path, stored, self.hall.id))
        db.execute("INSERT OR REPLACE INTO meta VALUES ('hall', ?)", (self.hall.id,))
        if self.hall.source and os.path.exists(self.hall.source):
            db.execute("INSERT OR REPLACE INTO meta VALUES ('hall_file', ?)", (os.path.abspath(self.hall.source),))

    @property
    def hall_id(self):
        with self.transaction() as db:
            value = _meta(db, "hall")
        if value is None:
            raise FleetError("the registry %s belongs to no hall yet: pass --hall halls/<hall>.toml" % self.path)
        return value

    @property
    def hall_file(self):
        """The hall config this registry was last used with (None if never)."""
        with self.transaction() as db:
            return _meta(db, "hall_file")

    # -- enrolment ---------------------------------------------------------------------------

    def add(self, kind, window=None, board=None, device_id=None):
        """Enrol one device; returns its Device record (with a fresh broker password)."""
        with self.transaction() as db:
            row = self.plan(db, kind, window, board, device_id, pending=[])
            insert_row(db, row)
        return self.get(row["id"])

    def plan(self, db, kind, window, board, device_id, pending):
        """Check one enrolment against the registry, the hall and `pending` (rows of the same
        batch not inserted yet); returns the row to insert. FleetError names the fault."""
        kind = normalise_kind(kind)
        window = self._check_window(kind, parse_window(window))
        taken = {r["id"] for r in db.execute("SELECT id FROM devices")} | {p["id"] for p in pending}
        slot = self._hall_slot(kind, window, taken, device_id)
        board = (board or "").strip() or (slot.board if slot else "hm-%s-v1" % kind)
        board_kind = boards.load(board, self.boards_dir).get("kind")
        if board_kind != kind:
            raise FleetError("board %s is for a %s, not a %s" % (board, board_kind, kind))
        device_id = self._check_id(device_id, taken) if device_id else (slot.id if slot else self._next_id(kind, taken))
        self._check_place_free(db, kind, window, pending)
        return {"id": device_id, "kind": kind, "board": board, "win": window,
                "password": new_password(), "enrolled_at": self.clock()}

    def _check_window(self, kind, window):
        if kind == "pad" and window is None:
            raise FleetError("a pad belongs to one window: give --window (the window number)")
        if kind == "printer" and window is not None:
            raise FleetError("a printer serves the whole hall: leave out the window")
        if window is not None and self.hall is not None and window not in self.hall.windows:
            raise FleetError("window %d is not a window of hall %s (windows: %s)"
                             % (window, self.hall.id, ", ".join(str(w) for w in self.hall.windows)))
        return window

    def _hall_slot(self, kind, window, taken, device_id):
        """The hall config's device for this kind and place that is not enrolled yet (so
        `add --kind pad --window 5` on the example hall enrols the planned 'pad-5')."""
        if self.hall is None:
            return None
        if device_id and device_id in self.hall.devices:
            planned = self.hall.devices[device_id]
            if planned.kind != kind or planned.window != window:
                where = "window %d" % planned.window if planned.window else "the hall"
                raise FleetError("the hall config has %s as a %s at %s" % (device_id, planned.kind, where))
            return planned
        for planned in self.hall.devices.values():
            if planned.kind == kind and planned.window == window and planned.id not in taken:
                return planned
        return None

    def _check_id(self, device_id, taken):
        try:
            topics.check_name("device id", device_id)
        except ProtocolError as exc:
            raise FleetError(str(exc))
        if device_id.startswith(RESERVED_PREFIX):
            raise FleetError("device ids may not start with %r (kept for the broker accounts)" % RESERVED_PREFIX)
        if device_id in taken:
            raise FleetError("device id %r is already taken (ids of removed devices are never reused)" % device_id)
        return device_id

    def _next_id(self, kind, taken):
        known = set(taken) | set(self.hall.devices if self.hall else ())
        numbers = [int(m.group(1)) for m in (re.fullmatch(re.escape(kind) + r"-(\d+)", i) for i in known) if m]
        return "%s-%d" % (kind, max(numbers, default=0) + 1)

    def _check_place_free(self, db, kind, window, pending):
        """One pad and one window display per window; the hall may have many printers."""
        if kind == "printer" or window is None:
            return
        rows = db.execute("SELECT id FROM devices WHERE kind=? AND win=? AND revoked_at IS NULL",
                          (kind, window)).fetchall()
        clash = [r["id"] for r in rows] + [p["id"] for p in pending if p["kind"] == kind and p["win"] == window]
        if clash:
            raise FleetError("window %d already has a %s (%s): remove it first" % (window, kind, clash[0]))

    def remove(self, device_id):
        """Revoke a device: its password is wiped and it leaves the broker files."""
        device = self.get(device_id)
        with self.transaction() as db:
            db.execute("UPDATE devices SET revoked_at=?, password='', online=0 WHERE id=?",
                       (self.clock(), device.id))
        return device

    # -- reading -------------------------------------------------------------------------------

    def get(self, device_id):
        """The enrolled device `device_id`; FleetError telling how to enrol it otherwise."""
        with self.transaction() as db:
            row = db.execute("SELECT * FROM devices WHERE id=?", (device_id,)).fetchone()
        if row is None:
            raise FleetError("device %r is not enrolled: enrol it first with "
                             "`hallmesh devices add --kind KIND [--window N]`" % device_id)
        if row["revoked_at"] is not None:
            raise FleetError("device %r was removed on %s: enrol a new one with `hallmesh devices add`"
                             % (device_id, time.strftime("%Y-%m-%d %H:%M", time.localtime(row["revoked_at"]))))
        return _device(row)

    def list(self, include_removed=False):
        where = "" if include_removed else " WHERE revoked_at IS NULL"
        with self.transaction() as db:
            return [_device(r) for r in db.execute("SELECT * FROM devices" + where + " ORDER BY rowid")]

    def account(self, role):
        """(user, password) of the 'gateway' or 'tool' broker account."""
        with self.transaction() as db:
            row = db.execute("SELECT user, password FROM accounts WHERE role=?", (role,)).fetchone()
        if row is None:
            raise FleetError("no broker account with role %r (roles: gateway, tool)" % role)
        return row["user"], row["password"]

    def broker_users(self):
        """Every (user, password) the broker must accept: the accounts, then active devices."""
        with self.transaction() as db:
            accounts = [(r["user"], r["password"]) for r in db.execute("SELECT * FROM accounts ORDER BY role")]
        return accounts + [(d.id, d.password) for d in self.list()]

    # -- presence (fed by the gateway's MQTT adapter) ----------------------------------------

    def update_presence(self, device_id, birth, online, at):
        """Record a birth (online=True) or a last-will (online=False) seen at gateway time `at`.
        Returns False, changing nothing, for an unknown or removed device and for a will
        older than the latest birth (a quick reboot's late will): never raises on bad input."""
        birth = birth if isinstance(birth, dict) else {}
        ses = _int(birth.get("ses"))
        with self.transaction() as db:
            row = db.execute("SELECT ses, revoked_at FROM devices WHERE id=?", (str(device_id),)).fetchone()
            if row is None or row["revoked_at"] is not None:
                return False
            if not online:
                if ses is not None and row["ses"] is not None and ses < row["ses"]:
                    return False
                db.execute("UPDATE devices SET online=0, last_change=? WHERE id=?", (at, device_id))
                return True
            db.execute("UPDATE devices SET online=1, fw=?, seen_board=?, heap=?, rssi=?, ses=?, rst=?,"
                       " last_birth=?, last_change=? WHERE id=?",
                       (_text(birth.get("fw")), _text(birth.get("board")), _int(birth.get("heap")),
                        _int(birth.get("rssi")), ses, _text(birth.get("rst")), at, at, device_id))
        return True


def _create_private(path):
    """Create the registry file 0600 (in a 0700 directory if we make one) before SQLite does."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        os.chmod(path, 0o600)
    except OSError as exc:
        raise FleetError("cannot create the device registry %s: %s" % (path, exc.strerror or exc))


def _meta(db, key):
    row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
    return row["value"] if row else None


def insert_row(db, row):
    db.execute("INSERT INTO devices (id, kind, board, win, password, enrolled_at) VALUES"
               " (:id, :kind, :board, :win, :password, :enrolled_at)", row)


def _device(row):
    return Device(row["id"], row["kind"], row["board"], row["win"], row["password"], row["enrolled_at"],
                  row["revoked_at"], bool(row["online"]), row["fw"], row["seen_board"], row["heap"],
                  row["rssi"], row["ses"], row["rst"], row["last_birth"], row["last_change"])


def _int(value):
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value):
    return value[:32] if isinstance(value, str) else None
