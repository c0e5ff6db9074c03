"""Rejected messages in the log without letting a flood fill the disk: each reason gets a few
lines per window, the rest are only counted and summed up when the window closes
("rejected in the last 60 s: malformed 18,204 (18,194 not logged)")."""
import collections
import logging
import time

from gateway.logtext import escape

log = logging.getLogger("hallmesh.gateway")

WINDOW_S = 60.0
LINES_PER_WINDOW = 10      # per reason


class RejectLog:
    def __init__(self, clock=time.monotonic, window_s=WINDOW_S, lines=LINES_PER_WINDOW):
        self.clock, self.window_s, self.lines = clock, window_s, lines
        self._opened = None
        self._seen = collections.Counter()     # reason -> rejects in this window
        self._logged = collections.Counter()   # reason -> of them, logged

    def reject(self, reason, topic, detail):
        """Log one rejected message (topic and detail are device-supplied: escaped)."""
        self.flush()
        if self._opened is None:
            self._opened = self.clock()
        self._seen[reason] += 1
        if self._logged[reason] < self.lines:
            self._logged[reason] += 1
            log.warning("rejected (%s) %s: %s", reason, escape(topic), escape(detail))

    def flush(self, force=False):
        """Close the window if it is over (or `force`): one summary line when lines were left out."""
        if self._opened is None or (not force and self.clock() - self._opened < self.window_s):
            return
        left_out = {r: n - self._logged[r] for r, n in self._seen.items() if n > self._logged[r]}
        if left_out:
            parts = ["%s %d (%d not logged)" % (r, self._seen[r], left_out[r]) for r in sorted(left_out)]
            log.warning("rejected in the last %d s: %s", round(self.clock() - self._opened), ", ".join(parts))
        self._opened = None
        self._seen.clear()
        self._logged.clear()
