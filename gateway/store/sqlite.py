"""The event log and dedup records in one SQLite file.

WAL with synchronous=FULL: when append() returns, the transaction is on disk, so an ack sent
after it never promises something a power cut can take back. One connection, guarded by a
lock, because the gateway's worker writes while a report or a test may read.
"""
import json
import os
import sqlite3
import threading
import urllib.parse

from gateway.store.base import Store, StoreError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq  INTEGER PRIMARY KEY AUTOINCREMENT,
    type TEXT NOT NULL,
    at   REAL NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dedup (
    device   TEXT NOT NULL,
    event_id TEXT NOT NULL,
    digest   TEXT NOT NULL DEFAULT '',
    ack      TEXT NOT NULL,
    last_seq INTEGER,
    seen_at  REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (device, event_id, digest)
);
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshots (
    seq     INTEGER PRIMARY KEY,      -- the log position the snapshot holds every event up to
    hall    TEXT NOT NULL,            -- which hall file it was folded with (gateway/snapshots.py)
    version INTEGER NOT NULL,         -- engine.snapshot.VERSION
    day     TEXT,
    body    TEXT NOT NULL
);
"""
# tickets found by day and number without reading the log: status pages of earlier days,
# reprint lookups. A partial index: only ticket_issued rows are in it.
TICKET_INDEX = """
CREATE INDEX IF NOT EXISTS events_ticket ON events (json_extract(body, '$.day'), json_extract(body, '$.no'))
    WHERE type = 'ticket_issued'
"""
READ_BATCH = 5000       # events read per query when streaming the log
SNAPSHOTS_KEPT = 3


SQLITE_MAGIC = b"SQLite format 3\x00"
EVENT_COLUMNS = {"seq", "type", "at", "body"}


def check_before_open(path):
    """StoreError if `path` is not a hallmesh store or a new one: another application's SQLite
    file, a file that is no SQLite at all, or a damaged store. Looked at read-only, before
    anything (WAL mode, tables) is written, so a file refused here is left byte for byte."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise StoreError("%s: cannot read the store: %s" % (path, exc.strerror or exc))
    if not head:
        return                      # an empty file: sqlite makes a new database of it
    if head != SQLITE_MAGIC:
        raise StoreError("%s: cannot open the store: the file is not an SQLite database at all (it begins %r); "
                         "left untouched: give --db a new file name" % (path, head[:8]))
    try:
        db = sqlite3.connect("file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(path)), uri=True)
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
            if tables and not EVENT_COLUMNS <= columns:
                raise StoreError("%s: cannot open the store: it is another application's SQLite database "
                                 "(tables %s); left untouched: give --db a new file name"
                                 % (path, ", ".join(sorted(tables)[:6])))
            problems = [row[0] for row in db.execute("PRAGMA quick_check(5)")]
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        problems = [str(exc)]
    if problems and problems != ["ok"]:
        raise StoreError("%s: cannot open the store: it is damaged (SQLite check: %s); left untouched: restore it from a "
                         "backup, or start a new store with another --db" % (path, "; ".join(problems[:3])))


class SqliteStore(Store):
    def __init__(self, path):
        self.path = str(path)
        folder = os.path.dirname(os.path.abspath(self.path))
        os.makedirs(folder, exist_ok=True)
        self._lock = threading.Lock()
        self._db = None
        check_before_open(self.path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._upgrade_dedup()
            self._db.executescript(SCHEMA)
            self._db.execute("CREATE INDEX IF NOT EXISTS dedup_seen_at ON dedup (seen_at)")
            self._db.execute(TICKET_INDEX)
            self._db.execute("CREATE INDEX IF NOT EXISTS events_at ON events (at)")
            self._check_version()
        except sqlite3.DatabaseError as exc:
            self.close()
            raise StoreError("%s: cannot open the store: %s" % (self.path, exc))
        except StoreError:
            self.close()
            raise

    def _check_version(self):
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version == 0:
            self._db.execute("PRAGMA user_version=%d" % SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise StoreError("%s: store schema %d, this gateway knows %d" % (self.path, version, SCHEMA_VERSION))

    def _upgrade_dedup(self):
        """A store from before body digests: its dedup records move to the new table with an
        empty digest (gateway/dedup.py: they match any body) and the time of their event."""
        cols = [row[1] for row in self._db.execute("PRAGMA table_info(dedup)")]
        if not cols or "digest" in cols:
            return
        self._db.executescript("""
            BEGIN IMMEDIATE;
            ALTER TABLE dedup RENAME TO dedup_v1;
            %s
            INSERT INTO dedup (device, event_id, digest, ack, last_seq, seen_at)
                SELECT d.device, d.event_id, '', d.ack, d.last_seq, COALESCE(e.at, 0)
                FROM dedup_v1 d LEFT JOIN events e ON e.seq = d.last_seq;
            DROP TABLE dedup_v1;
            COMMIT;
        """ % SCHEMA)

    def _transaction(self, work):
        """Run work(db) inside BEGIN IMMEDIATE ... COMMIT; nothing stays written on any error."""
        with self._lock:
            db = self._open_db()
            try:
                db.execute("BEGIN IMMEDIATE")
                result = work(db)
                db.execute("COMMIT")
                return result
            except BaseException as exc:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise StoreError("%s: write failed: %s" % (self.path, exc)) from exc
                raise

    def _open_db(self):
        if self._db is None:
            raise StoreError("%s: the store is closed" % self.path)
        return self._db

    def append(self, events, dedup=None):
        return self.append_many([(events, dedup)])[0]

    def append_many(self, entries):
        """Several appends in one transaction, one fsync (the gateway's group commit)."""
        prepared = [([(ev["type"], float(ev["at"]), json.dumps(ev, ensure_ascii=False)) for ev in events],
                     None if dedup is None else _dedup_fields(dedup)) for events, dedup in entries]

        def work(db):
            return [_insert(db, rows, dedup) for rows, dedup in prepared]

        return self._transaction(work)

    def load_events(self):
        with self._lock:
            rows = self._open_db().execute("SELECT body FROM events ORDER BY seq").fetchall()
        return [json.loads(body) for (body,) in rows]

    def iter_events(self, after=0):
        """(position, event) appended after `after`, in order, read in batches: a long log is
        streamed, never held in memory at once, and the lock is not held between batches."""
        while True:
            with self._lock:
                rows = self._open_db().execute("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                               (after, READ_BATCH)).fetchall()
            for seq, body in rows:
                yield seq, json.loads(body)
            if len(rows) < READ_BATCH:
                return
            after = rows[-1][0]

    def iter_events_between(self, start_at, end_at):
        """Events whose `at` is in [start_at, end_at), in log order, streamed: a report over a
        quarter reads that quarter, not the years around it."""
        with self._lock:
            bounds = self._open_db().execute("SELECT MIN(seq), MAX(seq) FROM events WHERE at >= ? AND at < ?",
                                             (start_at, end_at)).fetchone()
        if bounds[0] is None:
            return
        for seq, event in self.iter_events(bounds[0] - 1):
            if seq > bounds[1]:
                return
            if start_at <= event["at"] < end_at:
                yield event

    def last_event_at(self):
        """`at` of the latest event appended, or None for an empty log."""
        with self._lock:
            row = self._open_db().execute("SELECT at FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def save_snapshot(self, position, hall, version, day, body):
        """Keep a snapshot (JSON-able `body`) of the state after every event up to `position`;
        the oldest beyond the last few are dropped."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))

        def work(db):
            db.execute("INSERT OR REPLACE INTO snapshots (seq, hall, version, day, body) VALUES (?, ?, ?, ?, ?)",
                       (position, hall, version, day, text))
            db.execute("DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)",
                       (SNAPSHOTS_KEPT,))
        self._transaction(work)

    def latest_snapshot(self, hall, version):
        """(position, body) of the newest snapshot folded with this hall and engine version, or None."""
        with self._lock:
            row = self._open_db().execute("SELECT seq, body FROM snapshots WHERE hall = ? AND version = ? "
                                          "ORDER BY seq DESC LIMIT 1", (hall, version)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def find_ticket(self, day, no):
        """The ticket_issued event of ticket `no` on hall day `day` (the latest, if the log has
        two), or None; by the index, without reading the log."""
        with self._lock:
            row = self._open_db().execute(
                "SELECT body FROM events WHERE type = 'ticket_issued' AND json_extract(body, '$.day') = ? "
                "AND json_extract(body, '$.no') = ? ORDER BY seq DESC LIMIT 1", (day, no)).fetchone()
        return json.loads(row[0]) if row else None

    def log_position(self):
        with self._lock:
            return self._open_db().execute("SELECT COALESCE(MAX(seq), 0) FROM events").fetchone()[0]

    def events_after(self, position):
        with self._lock:
            rows = self._open_db().execute("SELECT seq, body FROM events WHERE seq > ? ORDER BY seq",
                                           (position,)).fetchall()
        return [(seq, json.loads(body)) for seq, body in rows]

    def count_events(self):
        with self._lock:
            return self._open_db().execute("SELECT COUNT(*) FROM events").fetchone()[0]

    def seen(self, device, event_id):
        records = self.recall(device, event_id)
        return next(iter(records.values())) if records else None

    def recall(self, device, event_id):
        with self._lock:
            rows = self._open_db().execute("SELECT digest, ack FROM dedup WHERE device = ? AND event_id = ?",
                                           (device, event_id)).fetchall()
        return {digest: json.loads(ack) for digest, ack in rows}

    def heard_again(self, device, event_id, digest, at):
        self._transaction(lambda db: db.execute(
            "UPDATE dedup SET seen_at = MAX(seen_at, ?) WHERE device = ? AND event_id = ? AND digest = ?",
            (at, device, event_id, digest)))

    def prune_dedup(self, before):
        return self._transaction(lambda db: db.execute("DELETE FROM dedup WHERE seen_at < ?",
                                                       (before,)).rowcount)

    def count_dedup(self):
        with self._lock:
            return self._open_db().execute("SELECT COUNT(*) FROM dedup").fetchone()[0]

    def read_meta(self, key):
        with self._lock:
            row = self._open_db().execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def write_meta(self, key, value):
        self._transaction(lambda db: db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                                                (key, str(value))))

    def next_session(self):
        def work(db):
            row = db.execute("SELECT value FROM meta WHERE key = 'session'").fetchone()
            session = (int(row[0]) if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('session', ?)", (str(session),))
            return session

        return self._transaction(work)

    def load_totals(self):
        with self._lock:
            row = self._open_db().execute("SELECT value FROM meta WHERE key = 'totals'").fetchone()
        return json.loads(row[0]) if row else {}

    def save_totals(self, totals):
        body = json.dumps(totals, sort_keys=True)
        self._transaction(lambda db: db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('totals', ?)",
                                                (body,)))

    def close(self):
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def _insert(db, rows, dedup):
    """One append's rows and dedup record inside an open transaction; its last position."""
    last = None
    for row in rows:
        last = db.execute("INSERT INTO events (type, at, body) VALUES (?, ?, ?)", row).lastrowid
    if dedup is not None:
        device, event_id, ack, digest, seen_at = dedup
        db.execute("INSERT INTO dedup (device, event_id, digest, ack, last_seq, seen_at) VALUES (?, ?, ?, ?, ?, ?)",
                   (device, event_id, digest, json.dumps(ack, ensure_ascii=False), last, seen_at))
    return last


def _dedup_fields(dedup):
    """(device, event id, ack[, digest[, seen_at]]) -> all five; older callers give three."""
    device, event_id, ack = dedup[:3]
    digest = dedup[3] if len(dedup) > 3 else ""
    seen_at = dedup[4] if len(dedup) > 4 else 0.0
    return device, event_id, ack, digest, float(seen_at)
