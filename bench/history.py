"""A synthetic year of a busy hall, made through the engine itself (decide, then apply) with a
seeded RNG, and written to a SQLite store through the store API. Same seed, same year.

Each working day: staff sign in at every window, citizens arrive all day (busier mid-morning
and mid-afternoon), printers report each print, windows call, serve (a few no-shows), finish,
and most citizens rate; some rate twice or late (flagged), low ratings get a reason. Each day
begins at its boundary (the gateway's timer: tickets still waiting at closing expire then),
and the store gets a snapshot of the state after each day but the last, as a running gateway
takes one at each day boundary: a restart then folds the last day's events as its tail.
"""
import datetime
import heapq
import math
import random

from gateway import config, snapshots
from gateway.engine import commands as cmds
from gateway.engine import days
from gateway.engine.core import apply, decide
from gateway.engine.state import IDLE, Refused, new_state
from gateway.store import open_store

OPEN_MIN, CLOSE_MIN = 8 * 60 + 30, 17 * 60 + 30      # local opening hours
ARRIVALS_PER_DAY = 480                               # a busy hall: near its 8 windows' capacity
STAFF = ["staff-%02d" % n for n in range(1, 15)]
FIRST_DAY = datetime.date(2025, 1, 6)


def working_days(days, first=FIRST_DAY):
    """`days` dates, Monday to Saturday (halls open on Saturdays serve most)."""
    out, day = [], first
    while len(out) < days:
        if day.weekday() != 6:
            out.append(day)
        day += datetime.timedelta(days=1)
    return out


def _busyness(minute):
    """Relative arrival rate through the day: two peaks, a lunch dip."""
    return 1.0 + 0.6 * math.exp(-((minute - 600) / 60.0) ** 2) + 0.4 * math.exp(-((minute - 900) / 60.0) ** 2) \
        - 0.4 * math.exp(-((minute - 750) / 40.0) ** 2)


class DayRun:
    """One working day driven through the engine; `events` collects what it produced."""

    def __init__(self, state, rng, day, printers):
        self.state, self.rng, self.printers = state, rng, printers
        hall = state.hall
        self.day_start = days.day_start(hall, day)
        midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()
        self.base = midnight - hall.utc_offset_s
        self.events, self.refused = [], 0
        self.heap, self.seq = [], 0
        self.codes = list(hall.services)
        self.weights = [3, 1, 3, 2, 2, 2][: len(self.codes)] + [1] * max(0, len(self.codes) - 6)
        self.windows = list(hall.windows)
        self.idle = set()

    def at(self, minute):
        return self.base + minute * 60.0

    def run(self):
        self.command(cmds.new_day(), self.day_start)      # the gateway's day-boundary timer
        self._open()
        self._arrivals()
        while self.heap:
            now, _, kind, arg = heapq.heappop(self.heap)
            getattr(self, "_on_" + kind)(now, arg)
        self._close()
        return self.events

    def command(self, command, now):
        """decide, then apply: the engine's own path; a refusal is counted, not fatal."""
        try:
            events = decide(self.state, command, now)
        except Refused:
            self.refused += 1
            return []
        for event in events:
            apply(self.state, event)
        self.events.extend(events)
        return events

    def later(self, now, kind, arg=None):
        self.seq += 1
        heapq.heappush(self.heap, (now, self.seq, kind, arg))

    def _open(self):
        start = self.at(OPEN_MIN - 5)
        for number, staff in zip(self.windows, self.rng.sample(STAFF, len(self.windows))):
            self.command(cmds.sign_in(number, staff), start)
            self.idle.add(number)

    def _arrivals(self):
        """A thinned Poisson process over opening hours."""
        peak = ARRIVALS_PER_DAY / float(CLOSE_MIN - OPEN_MIN) * 1.6
        minute = float(OPEN_MIN)
        while True:
            minute += self.rng.expovariate(peak)
            if minute >= CLOSE_MIN:
                return
            if self.rng.random() * 1.6 < _busyness(minute):
                self.later(self.at(minute), "arrive")

    def _on_arrive(self, now, _):
        svc = self.rng.choices(self.codes, self.weights)[0]
        printer = self.rng.choice(self.printers)
        issued = [ev for ev in self.command(cmds.issue(svc, printer, self.rng.random() < 0.03), now)
                  if ev["type"] == "ticket_issued"]
        if not issued:
            return
        ok = self.rng.random() > 0.004
        self.later(now + self.rng.uniform(1.0, 3.0), "printed", (printer, issued[0]["no"], ok))
        for number in sorted(self.idle):
            if svc in self.state.hall.windows[number].services:
                self.later(now + self.rng.uniform(2.0, 20.0), "free", number)

    def _on_printed(self, now, arg):
        printer, no, ok = arg
        self.command(cmds.printed(printer, no, ok, "" if ok else "paper jam"), now)

    def _on_free(self, now, number):
        if number not in self.idle:
            return
        if not self.command(cmds.call(number), now):
            return
        self.idle.discard(number)
        if self.rng.random() < 0.04:          # a no-show: called again, then skipped
            self.later(now + 45.0, "recall", number)
            return
        svc = self.state.current(number).svc
        limit = self.state.hall.services[svc].time_limit_min * 60.0
        self.later(now + limit * self.rng.lognormvariate(math.log(0.5), 0.45), "finish", number)

    def _on_recall(self, now, number):
        self.command(cmds.recall(number), now)
        self.later(now + 60.0, "skip", number)

    def _on_skip(self, now, number):
        self.command(cmds.skip(number), now)
        self._free_soon(now, number)

    def _on_finish(self, now, number):
        finished = self.command(cmds.finish(number), now)
        self._free_soon(now, number)
        if not finished or self.rng.random() > 0.78:
            return
        no = finished[0]["no"]
        late = self.rng.random() < 0.02
        delay = self.state.hall.rating_timeout_s + 5 if late else self.rng.uniform(2.0, 15.0)
        self.later(now + delay, "rate", (number, no))
        if self.rng.random() < 0.03:          # pressed again: flagged, never counted
            self.later(now + delay + 2.0, "rate", (number, no))

    def _on_rate(self, now, arg):
        number, no = arg
        level = self.rng.choices([5, 4, 3, 2, 1], [70 + number, 18, 6, 3, 3])[0]
        events = self.command(cmds.rate(number, level, no, now, "pad-%d" % number), now)
        if any(ev["type"] == "case_opened" for ev in events) and self.rng.random() < 0.6:
            self.later(now + self.rng.uniform(3.0, 20.0), "reason", number)

    def _on_reason(self, now, number):
        self.command(cmds.reason(number, self.rng.randint(1, len(self.state.hall.rules.reasons)),
                                 "pad-%d" % number), now)

    def _free_soon(self, now, number):
        self.idle.add(number)
        self.later(now + self.rng.uniform(10.0, 60.0), "free", number)

    def _close(self):
        end = self.at(CLOSE_MIN + 45)
        for number in self.windows:
            if self.state.windows[number].status != IDLE and self.state.windows[number].current is not None:
                self.command(cmds.finish(number), end)
            self.command(cmds.sign_out(number), end + 1)


def make_year(hall, days, seed=7):
    """Yields (date, events) per working day; the engine state is carried from day to day."""
    for day, events, _ in make_year_states(hall, days, seed):
        yield day, events


def make_year_states(hall, count, seed=7):
    """Yields (date, events, state after them) per working day (the state object is reused)."""
    state = new_state(hall)
    rng = random.Random(seed)
    printers = [d.id for d in hall.devices.values() if d.kind == "printer"] or ["printer-1"]
    for day in working_days(count):
        yield day, DayRun(state, rng, day, printers).run(), state


def write_year(hall_file, db_path, days=300, seed=7):
    """Write the synthetic year into a fresh store at db_path: one transaction per day, as a
    bulk import would. Returns a summary (days, events, tickets, first and last day)."""
    hall = config.load(hall_file)
    store = open_store(db_path)
    total = tickets = 0
    first = last = None
    try:
        for n, (day, events, state) in enumerate(make_year_states(hall, days, seed)):
            if events:
                store.append(events)
            if n < days - 1:
                snapshots.take(store, hall, state, store.log_position())
            total += len(events)
            tickets += sum(1 for ev in events if ev["type"] == "ticket_issued")
            first, last = first or day, day
    finally:
        store.close()
    return {"days": days, "events": total, "tickets": tickets,
            "first": first.isoformat() if first else None, "last": last.isoformat() if last else None}
