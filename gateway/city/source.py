"""The hall's SQLite event log read as a replication source, on a read-only connection of
its own: WAL lets it read while the gateway writes, and it never takes the gateway's store
lock, so shipping to the city cannot slow the hall's event path."""
import os
import sqlite3
import urllib.parse


class LogSource:
    def __init__(self, path, busy_ms=5000):
        self.path = str(path)
        uri = "file:%s?mode=ro" % urllib.parse.quote(os.path.abspath(self.path))
        self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self._db.execute("PRAGMA busy_timeout=%d" % busy_ms)

    def batch_after(self, position, limit):
        """[(pos, type, at, body text)] after `position`, in log order, at most `limit`."""
        return self._db.execute("SELECT seq, type, at, body FROM events WHERE seq > ? ORDER BY seq LIMIT ?",
                                (position, limit)).fetchall()

    def backlog(self, position):
        """(events after `position`, `at` of the first of them or None)."""
        count = self._db.execute("SELECT COUNT(*) FROM events WHERE seq > ?", (position,)).fetchone()[0]
        first = self._db.execute("SELECT at FROM events WHERE seq > ? ORDER BY seq LIMIT 1",
                                 (position,)).fetchone()
        return count, (first[0] if first else None)

    def hall_id(self):
        row = self._db.execute("SELECT value FROM meta WHERE key = 'hall_id'").fetchone()
        return row[0] if row else None

    def close(self):
        self._db.close()
