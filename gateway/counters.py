"""The gateway's counters, kept in the store across restarts.

`Service.counters` and `Service.stats` count this run; `Totals` adds what the store held when
the gateway started and saves the sum every SAVE_EVERY_S (and on a clean stop), so a crash
loses at most those seconds of counting, never an event. `hallmesh stats` and the metrics
endpoint read the totals; the groups below say which counter is which kind.
"""
import collections
import logging
import time

from gateway.store import StoreError

log = logging.getLogger("hallmesh.gateway")

SAVE_EVERY_S = 5.0

# Service.counters names, by what they mean
REJECT_REASONS = ("malformed", "too_large", "too_deep", "bad_version", "bad_field", "unknown_device",
                  "bad_topic", "wrong_hall", "retained_event", "too_old")
INTERNAL_ERROR = "internal_error"
FAILURES = (INTERNAL_ERROR, "store_error", "view_error", "presence_error")
REFUSED_BUDGET = "refused_budget"          # counted by the inbound budget (gateway/mqtt.py)
# Service.stats names
EVENT_OUTCOMES = ("accepted", "refused", "duplicate")
CLOCK_STEP_PREFIX = "clock_step"           # clock_step_back, clock_step_forward (engine.days)


class Totals:
    def __init__(self, store, monotonic=time.monotonic):
        self.store, self.monotonic = store, monotonic
        try:
            saved = store.load_totals()
        except StoreError as exc:
            log.error("counters of earlier runs not read, counting from 0: %s", exc)
            saved = {}
        self.base_counters = collections.Counter(saved.get("counters", {}))
        self.base_stats = collections.Counter(saved.get("stats", {}))
        self._saved_at = monotonic()
        self._last = None

    def sum(self, counters, stats):
        """{"counters": {...}, "stats": {...}}: earlier runs plus this one."""
        return {"counters": dict(self.base_counters + counters), "stats": dict(self.base_stats + stats)}

    def save(self, counters, stats, gauges, now):
        """Write the totals and the gauges of the moment (shown by `hallmesh stats` as "last seen")."""
        totals = dict(self.sum(counters, stats), gauges=gauges, saved_at=int(now))
        try:
            self.store.save_totals(totals)
        except StoreError as exc:
            log.error("counters not saved: %s", exc)
            return
        self._saved_at = self.monotonic()
        self._last = (sorted(counters.items()), sorted(stats.items()))

    def due(self, counters, stats):
        """True when SAVE_EVERY_S passed and something was counted since the last save."""
        if self.monotonic() - self._saved_at < SAVE_EVERY_S:
            return False
        return self._last != (sorted(counters.items()), sorted(stats.items()))


def grouped(totals):
    """Totals -> {"events", "rejected", "failures", "refused_budget", "clock_steps", "other"}."""
    counters, stats = totals.get("counters", {}), totals.get("stats", {})
    known = set(REJECT_REASONS) | set(FAILURES) | {REFUSED_BUDGET}
    return {
        "events": {name: stats.get(name, 0) for name in EVENT_OUTCOMES},
        "rejected": {name: counters[name] for name in REJECT_REASONS if counters.get(name)},
        "failures": {name: counters.get(name, 0) for name in FAILURES},
        "refused_budget": counters.get(REFUSED_BUDGET, 0),
        "clock_steps": sum(n for name, n in stats.items() if name.startswith(CLOCK_STEP_PREFIX)),
        "other": {name: n for name, n in counters.items() if name not in known},
    }
