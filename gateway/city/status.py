"""What an operator sees of replication: the position the city confirmed, the backlog (events
in the local log not yet in the city) and the lag (how old the oldest of them is, s).

Kept in memory for the metrics and written to a small JSON file beside the store, atomically
and at most every WRITE_EVERY_S, so `hallmesh replicate status` can tell it from another
process even while the city is unreachable (the backlog is always counted from the log)."""
import json
import os

WRITE_EVERY_S = 1.0


class ReplicationStatus:
    def __init__(self, path, hall_id):
        self.path, self.hall_id = path, hall_id
        saved = read(path) or {}
        if saved.get("hall") != hall_id:
            saved = {}                   # another hall's file (a copied store): start from the city's word
        self.position = saved.get("position", 0)
        self.shipped = 0                 # events shipped by this process
        self.error, self.error_at = saved.get("error"), saved.get("error_at")
        self.advanced_at = saved.get("advanced_at")
        self._written_at = None

    def advanced(self, position, shipped, now):
        recovered = self.error is not None
        self.position, self.error = position, None
        self.shipped += shipped
        if shipped:
            self.advanced_at = now
        self._write(now, force=recovered or (bool(shipped) and self._written_at is None))

    def failed(self, text, now):
        self.error, self.error_at = text, now
        self._write(now, force=True)

    def figures(self, source, now, connected):
        backlog, oldest_at = source.backlog(self.position)
        return {"hall": self.hall_id, "position": self.position, "backlog": backlog,
                "lag_s": max(0.0, now - oldest_at) if oldest_at is not None else 0.0,
                "connected": connected and self.error is None, "error": self.error,
                "shipped": self.shipped, "advanced_at": self.advanced_at}

    def _write(self, now, force=False):
        if not force and self._written_at is not None and now - self._written_at < WRITE_EVERY_S:
            return
        body = {"hall": self.hall_id, "position": self.position, "advanced_at": self.advanced_at,
                "error": self.error, "error_at": self.error_at, "written_at": now}
        tmp = self.path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(body, f)
        os.replace(tmp, self.path)
        self._written_at = now


def read(path):
    """The saved status dict, or None if there is none (or it is unreadable)."""
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
