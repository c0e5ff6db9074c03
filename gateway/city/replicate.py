"""Ship a hall's event log to the city's PostgreSQL: in order, exactly once per (hall, log
position), resumable.

The SQLite log is the queue. The replicated position lives in PostgreSQL (city_halls), in
the same transaction as the rows it covers, so a crash of either side at any instant leaves
"rows up to position P are there, none after": the next batch starts from P read back from
the city, never from a local guess. The local status file (status.py) only tells an operator
how far it got while the city is unreachable.

Runs in a thread of its own (or a process: `hallmesh replicate run`): the gateway's event
path never waits on the WAN. A failed connection or batch is retried with a capped backoff,
forever: a WAN outage of hours just grows the backlog, which drains by itself after.
"""
import logging
import threading
import time

import psycopg

from gateway.city import schema
from gateway.city.source import LogSource
from gateway.city.status import ReplicationStatus

log = logging.getLogger("hallmesh.city")

BATCH_EVENTS = 2000        # rows per transaction: big enough for COPY to pay, small enough to retry
IDLE_POLL_S = 0.5          # how often an idle shipper looks for new events in the log
RETRY_FIRST_S = 0.5
RETRY_MAX_S = 30.0         # an outage is noticed over within half a minute of its end
CONNECT_TIMEOUT_S = 10


class Replicator:
    def __init__(self, db_path, dsn, hall_id=None, clock=time.time, status_path=None,
                 batch_events=BATCH_EVENTS, idle_poll_s=IDLE_POLL_S, retry_max_s=RETRY_MAX_S):
        self.db_path, self.dsn, self.clock = str(db_path), dsn, clock
        self.batch_events, self.idle_poll_s, self.retry_max_s = batch_events, idle_poll_s, retry_max_s
        self.source = LogSource(self.db_path)
        self.hall_id = hall_id or self.source.hall_id()
        if not self.hall_id:
            raise ValueError("%s: the store names no hall (run the gateway once, or give the hall id)"
                             % self.db_path)
        self.status = ReplicationStatus(status_path or self.db_path + ".city.json", self.hall_id)
        self._progress = threading.Condition()
        self._stopping = threading.Event()
        self._thread = None
        self._conn = None

    # -- running ------------------------------------------------------------------------
    def start(self):
        self._thread = threading.Thread(target=self.run, name="city-replicator", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout_s=10.0):
        self._stopping.set()
        with self._progress:
            self._progress.notify_all()
        if self._thread:
            self._thread.join(timeout_s)
        self._disconnect()
        self.source.close()

    def run(self):
        """Ship until stop(): connect, drain the backlog, poll; on any database error, back off
        and start over from the position the city holds."""
        delay = RETRY_FIRST_S
        while not self._stopping.is_set():
            try:
                self._connect()
                delay = RETRY_FIRST_S
                while not self._stopping.is_set():
                    if not self.ship_batch():
                        self._stopping.wait(self.idle_poll_s)
            except psycopg.Error as exc:
                self._disconnect()
                self._note_error("city database unreachable or refused: %s" % _one_line(exc))
                self._stopping.wait(delay)
                delay = min(delay * 2, self.retry_max_s)

    # -- one batch ----------------------------------------------------------------------
    def ship_batch(self):
        """Ship the next batch; True if it shipped anything. One transaction: lock the hall's
        row, read its position, COPY the events after it, advance it."""
        conn = self._conn
        with conn.transaction():
            position = self._locked_position(conn)
            rows = self.source.batch_after(position, self.batch_events)
            if rows:
                with conn.cursor().copy("COPY city_events (hall, pos, type, at, body) FROM STDIN") as copy:
                    for pos, kind, at, body in rows:
                        copy.write_row((self.hall_id, pos, kind, at, body))
                conn.execute("UPDATE city_halls SET position = %s, shipped_at = %s WHERE hall = %s",
                             (rows[-1][0], self.clock(), self.hall_id))
        shipped_to = rows[-1][0] if rows else position
        self._note_progress(shipped_to, len(rows))
        return bool(rows)

    def _locked_position(self, conn):
        conn.execute("INSERT INTO city_halls (hall) VALUES (%s) ON CONFLICT (hall) DO NOTHING", (self.hall_id,))
        return conn.execute("SELECT position FROM city_halls WHERE hall = %s FOR UPDATE",
                            (self.hall_id,)).fetchone()[0]

    # -- connection ---------------------------------------------------------------------
    def _connect(self):
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True,
                                         application_name="hallmesh-replicate-%s" % self.hall_id)
            schema.ensure(self._conn)
            log.info("city: connected, hall %s", self.hall_id)

    def _disconnect(self):
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None

    # -- what it tells ------------------------------------------------------------------
    def _note_progress(self, position, shipped):
        self.status.advanced(position, shipped, self.clock())
        with self._progress:
            self._progress.notify_all()

    def _note_error(self, text):
        if self.status.error != text:
            log.warning("city: %s; the hall keeps working, its events queue in the local log", text)
        self.status.failed(text, self.clock())
        with self._progress:
            self._progress.notify_all()

    def wait_for(self, position, timeout_s):
        """True once the city holds every event up to `position` (for tests and tools)."""
        return self.wait_until(lambda status: status.position >= position, timeout_s)

    def wait_until(self, condition, timeout_s):
        """True once condition(status) holds, checked at each batch and each failure."""
        deadline = time.monotonic() + timeout_s
        with self._progress:
            while not condition(self.status):
                left = deadline - time.monotonic()
                if left <= 0 or self._stopping.is_set():
                    return False
                self._progress.wait(left)
        return True

    def figures(self):
        """{position, backlog, lag_s, connected, error, shipped}: what the CLI and metrics show."""
        return self.status.figures(self.source, self.clock(), connected=self._conn is not None)


def _one_line(exc):
    return " ".join(str(exc).split())[:300]
