"""A replayed synthetic month for the example hall: citizens arrive, windows call, serve,
skip, transfer; citizens rate (and sometimes press twice, late, or at nothing); low ratings
get reasons and follow-up. Every event comes from decide/apply with a seeded RNG, so the
month is the same on every run and the reports can be checked against it."""
import datetime
import heapq
import itertools
import random
import tomllib
from pathlib import Path

from gateway import config
from gateway.engine import Refused, apply, commands as c, decide, new_state

EXAMPLE = Path(__file__).parents[2] / "halls" / "example.toml"
OPEN_H, LAST_ARRIVAL_H, CLOSE_H = 9, 16.5, 17.5
MEAN_SERVICE_MIN = {"A": 9, "B": 14, "C": 6, "D": 8, "E": 11, "F": 4}
ARRIVALS_PER_HOUR = {"A": 9, "B": 4, "C": 8, "D": 4, "E": 5, "F": 7}
# window -> chance that a rating is in the top two levels: window 6 is the weak one
GOOD = {1: 0.97, 2: 0.95, 3: 0.96, 4: 0.93, 5: 0.98, 6: 0.75, 7: 0.92, 8: 0.96}
STAFF = {n: ["s%d%s" % (n, shift) for shift in "ab"] for n in range(1, 9)}


def month_hall(**overrides):
    data = tomllib.loads(EXAMPLE.read_text())
    data["hall"].update({"utc_offset": "+08:00", "rejoin_max": 1, "rejoin_after": 2, "starve_after_min": 25},
                        **overrides)
    for window in data["window"]:
        if window["number"] == 8:
            window.update(profile="ordered")
        if window["number"] == 3:
            window.update(profile="weighted", weights=[2, 1])
    data["awards"] = {"min_ratings": 100, "min_satisfaction": 0.85, "min_on_time": 0.5, "max_misuse_share": 0.2}
    return config.parse(data, str(EXAMPLE))


def local(day, hours, hall):
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp()
    return midnight - hall.utc_offset_s + hours * 3600


class Month:
    def __init__(self, hall, seed=7):
        self.hall, self.rng, self.state, self.log = hall, random.Random(seed), new_state(hall), []
        self.queue, self.seq = [], itertools.count()
        self.refused = 0

    def do(self, cmd, now):
        try:
            events = decide(self.state, cmd, now)
        except Refused:
            self.refused += 1
            return []
        for ev in events:
            apply(self.state, ev)
        self.log += events
        return events

    def at(self, when, action, *args):
        heapq.heappush(self.queue, (when, next(self.seq), action, args))

    def run_day(self, day):
        rng, hall = self.rng, self.hall
        for n in hall.windows:
            staff = STAFF[n][day.toordinal() % 2]
            self.at(local(day, OPEN_H, hall), self.sign_in, n, staff)
            self.at(local(day, CLOSE_H, hall), self.sign_out, n)
        for svc, per_hour in ARRIVALS_PER_HOUR.items():
            t = local(day, OPEN_H, hall)
            while True:
                t += rng.expovariate(per_hour / 3600.0)
                if t > local(day, LAST_ARRIVAL_H, hall):
                    break
                self.at(t, self.arrive, svc)
        for k in range(rng.randint(2, 5)):      # bookings made the day before
            slot = local(day, rng.choice([9.5, 10, 10.5, 11, 14, 15]), hall)
            code = "%s%02d" % (day.strftime("%m%d"), k)
            self.do(c.book(code, rng.choice("ABE"), slot), slot - 86400)
            self.at(slot + rng.uniform(-40, 20) * 60, self.check_in, code)
        while self.queue:
            when, _, action, args = heapq.heappop(self.queue)
            action(when, *args)

    # --- actions ----------------------------------------------------------------

    def sign_in(self, now, window, staff):
        self.do(c.sign_in(window, staff), now)
        self.at(now + 1, self.call, window)

    def sign_out(self, now, window):
        if self.state.windows[window].current is not None:
            return self.at(now + 60, self.sign_out, window)
        self.do(c.sign_out(window), now)

    def arrive(self, now, svc):
        self.do(c.issue(svc, "printer-%d" % self.rng.randint(1, 2), self.rng.random() < 0.05), now)

    def check_in(self, now, code):
        if not self.do(c.check_in(code, "printer-1"), now):
            self.at(now + 600, self.check_in, code)     # too early: come back later

    def call(self, now, window):
        if self.state.windows[window].staff is None:
            return
        events = self.do(c.call(window), now)
        if not events:
            return self.at(now + 30, self.call, window)
        rng, svc = self.rng, events[-1]["svc"]
        roll = rng.random()
        if roll < 0.05:
            self.do(c.recall(window), now + 30)
            self.at(now + 90, self.skip, window)
        elif roll < 0.08 and len(self.state.windows[window].services) >= 1:
            self.at(now + 120, self.transfer, window)
        else:
            self.at(now + 60 * rng.lognormvariate(0, 0.45) * MEAN_SERVICE_MIN[svc], self.finish, window)

    def skip(self, now, window):
        self.do(c.skip(window), now)
        self.at(now + 5, self.call, window)

    def transfer(self, now, window):
        ticket = self.state.current(window)
        others = [s for s in self.hall.services if s != ticket.svc]
        self.do(c.transfer(window, to_svc=self.rng.choice(others)), now)
        self.at(now + 5, self.call, window)

    def finish(self, now, window):
        events = self.do(c.finish(window), now)
        no = events[-1]["no"]
        rng = self.rng
        if rng.random() < 0.75:
            when = now + rng.uniform(2, 25) if rng.random() < 0.93 else now + rng.uniform(35, 90)
            good = rng.random() < GOOD[window]
            level = rng.choice([4, 5, 5]) if good else rng.choice([1, 2, 3])
            self.at(when, self.rate, window, level, no)
            if rng.random() < 0.05:
                self.at(when + 3, self.rate, window, rng.randint(1, 5), no)      # pressed again
        if rng.random() < 0.02:
            self.at(now + 3, self.rate, window, 5, "")                          # nothing shown
        self.at(now + 10, self.call, window)

    def rate(self, now, window, level, no):
        events = self.do(c.rate(window, level, no, now), now)
        if len(events) == 2 and self.rng.random() < 0.6:      # a case opened: maybe a reason
            self.do(c.reason(window, self.rng.randint(1, len(self.hall.rules.reasons))), now + 5)
        if len(events) == 2:
            case = events[1]["case"]
            roll = self.rng.random()
            if roll < 0.5:
                self.do(c.case_update(case, "called_back", "phoned", "office"), now + 3600)
            if roll < 0.3:
                self.do(c.case_update(case, "resolved", "", "office"), now + 7200)


def replay_month(first=datetime.date(2026, 11, 2), workdays=20, seed=7, hall=None):
    month = Month(hall or month_hall(), seed)
    day, done = first, 0
    while done < workdays:
        if day.weekday() < 5:
            month.run_day(day)
            done += 1
        day += datetime.timedelta(days=1)
    return month
