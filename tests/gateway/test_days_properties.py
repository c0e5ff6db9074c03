"""Many hall days, property-based (issue 10): random key presses at printers and pads, time
passing, day boundaries with and without the gateway's timer, clock steps both ways, and
restarts from the snapshot and from a full replay, run through the real gateway Service on a
real SQLite store and checked against a small reference model written here:

- no number is issued twice in a day, and each is the one the model expects;
- no ticket of a closed day is called, and a call is refused exactly when the model has
  nobody of today waiting for that window;
- the current day never goes back, whatever the clock does;
- every step of the clock beyond the threshold is logged once, and nothing else is;
- a restart from the latest snapshot + the log's tail gives the very state a fold of the whole
  log gives, and so does the running gateway's own state.

To extend it (reflashed devices, hall-file edits, ratings): add an action to ACTIONS and a
method `do_<name>` on HallRun that sends it and checks the answer against the model.
"""
import dataclasses
import json
import tempfile

from hypothesis import HealthCheck, given, settings, strategies as st

from gateway import config, snapshots
from gateway.engine import apply, days, new_state
from gateway.service import CLOCK_STEP_S, Service
from gateway.store import open_store
from protocol import topics
from tests.gateway.hall_fixture import T0, hall_dict, small_hall

PRINTER_KEYS = {"k1": "A", "k2": "B", "k4": "C"}     # no green key: the model keeps lines FIFO
PAD_WINDOWS = {"pad-1": 1, "pad-2": 2}


class Model:
    """What the hall must look like: today's numbers, who waits and who is served."""

    def __init__(self, hall):
        self.hall = hall
        self.day = None
        self.numbers = {}          # service -> last number issued today
        self.waiting = []          # (service, number) of today, in issue order
        self.serving = {}          # window -> number being served there

    def see_clock(self, now):
        """The gateway has looked at the clock: a later day begins, an earlier one never."""
        day = days.day_of(self.hall, now)
        if self.day is None or day > self.day:
            self.day, self.numbers, self.waiting, self.serving = day, {}, [], {}

    def issued(self, svc):
        self.numbers[svc] = self.numbers.get(svc, 0) + 1
        no = "%s%03d" % (svc, self.numbers[svc])
        self.waiting.append((svc, no))
        return no

    def callable(self, window):
        services = self.hall.windows[window].services
        return [no for svc, no in self.waiting if svc in services]


class Clocks:
    def __init__(self, wall):
        self.wall, self.mono = wall, 5000.0


class HallRun:
    """One hall driven through the Service, with its model; every do_* checks as it goes."""

    def __init__(self, folder, hall):
        self.folder, self.hall = folder, hall
        self.clocks = Clocks(T0)
        self.model = Model(hall)
        self.acks = {}
        self.seq = 0
        self.steps_made = 0
        self.service = self._start()

    def _start(self, full_replay=False):
        store = open_store(self.folder + "/hall.db")
        if full_replay:
            store = NoSnapshots(store)
        service = Service(self.hall, store, self._publish, clock=lambda: self.clocks.wall,
                          monotonic=lambda: self.clocks.mono)
        service.begin_session(1)
        return service

    def _publish(self, topic, payload, retain):
        if topic.endswith("/ack"):
            ack = json.loads(payload)
            self.acks[ack["ack"]] = ack

    def send(self, device, key):
        self.seq += 1
        event_id = "%s-%d" % (device, self.seq)
        body = json.dumps({"v": 1, "id": event_id, "t": "key", "at": 0, "key": key}).encode()
        self.service.on_message(topics.device(self.hall.id, device, topics.EVENTS), body)
        self.model.see_clock(self.clocks.wall)
        self.check_day()
        return self.acks[event_id]

    def check_day(self):
        assert self.service.state.day == self.model.day, "the current day went wrong"

    # --- actions ----------------------------------------------------------------------

    def do_issue(self, key):
        ack = self.send("printer-1", key)
        assert ack["ok"], ack
        expected = self.model.issued(PRINTER_KEYS[key])
        assert ack["res"]["ticket"]["no"] == expected, "a number twice, or one skipped"

    def do_call(self, pad):
        window = PAD_WINDOWS[pad]
        busy = window in self.model.serving
        ack = self.send(pad, "call")
        candidates = self.model.callable(window)
        if busy or not candidates:
            assert not ack["ok"], "called %s with nobody of today waiting" % ack.get("res")
            return
        assert ack["ok"], ack
        no = ack["res"]["ticket"]
        assert no in candidates, "%s is not waiting today (a ticket of a closed day?)" % no
        self.model.waiting = [(svc, n) for svc, n in self.model.waiting if n != no]
        self.model.serving[window] = no

    def do_finish(self, pad):
        window = PAD_WINDOWS[pad]
        ack = self.send(pad, "finish")
        assert ack["ok"] == (window in self.model.serving), ack
        self.model.serving.pop(window, None)

    def do_skip(self, pad):
        """With the hall's rejoin_max 0 a skipped ticket is void: it leaves like a finished one."""
        window = PAD_WINDOWS[pad]
        ack = self.send(pad, "skip")
        assert ack["ok"] == (window in self.model.serving), ack
        self.model.serving.pop(window, None)

    def do_wait(self, seconds, tick):
        self.clocks.wall += seconds
        self.clocks.mono += seconds
        if tick:
            self.tick()

    def do_boundary(self, late_s, tick):
        """On to the next day's start (+ a little); `tick` False: the timer has not fired yet."""
        following = days.next_day(days.current_day(self.service.state, self.clocks.wall))
        target = days.day_start(self.hall, following) + late_s
        if target > self.clocks.wall:
            self.do_wait(target - self.clocks.wall, tick)

    def do_step(self, seconds):
        before = self.service.state.clock_steps
        self.clocks.wall += seconds
        self.tick()
        expected = 1 if abs(seconds) > CLOCK_STEP_S else 0
        assert self.service.state.clock_steps - before == expected, "a step of %+d s" % seconds

    def do_restart(self, full_replay):
        """Stop and start again; both ways of rebuilding must give the state a full fold gives."""
        self.service.store.close()
        self.clocks.mono += 10.0                       # the gateway was away for a moment
        self.clocks.wall += 10.0
        self.service = self._start(full_replay)
        assert_same(self.service.state, full_fold(self.hall, self.folder))
        self.tick()

    def tick(self):
        self.service.tick()
        self.model.see_clock(self.clocks.wall)
        self.check_day()

    # --- at the end -------------------------------------------------------------------

    def check_log(self):
        """The log as a whole: numbers once per day, calls of today only, one end per ticket."""
        with open_store(self.folder + "/hall.db") as store:
            events = [ev for _, ev in store.iter_events()]
        day, issued, day_of_tid, ended = None, set(), {}, set()
        for ev in events:
            if ev["type"] == "day_started":
                assert day is None or ev["day"] > day, "a day began twice or went back"
                day = ev["day"]
                for tid in ev["expired"] + ev["ended"]:
                    assert tid not in ended, "ticket %d ended twice" % tid
                    ended.add(tid)
            elif ev["type"] == "ticket_issued":
                assert ev["day"] == day and (day, ev["no"]) not in issued, "%s twice on %s" % (ev["no"], day)
                issued.add((day, ev["no"]))
                day_of_tid[ev["tid"]] = day
            elif ev["type"] == "ticket_called":
                assert day_of_tid[ev["tid"]] == day, "%s of %s called on %s" % (ev["no"], day_of_tid[ev["tid"]], day)
        assert_same(self.service.state, full_fold(self.hall, self.folder))


class NoSnapshots:
    """The store as if it held no snapshot: the gateway folds the whole log."""

    def __init__(self, store):
        self.store = store

    def latest_snapshot(self, hall, version):
        return None

    def __getattr__(self, name):
        return getattr(self.store, name)


def full_fold(hall, folder):
    with open_store(folder + "/hall.db") as store:
        state = new_state(hall)
        for _, ev in store.iter_events():
            apply(state, ev)
    return state


def assert_same(state, other):
    """Field by field, by the objects' own equality (not through the snapshot's encoding, so a
    field the snapshot forgets shows up here)."""
    for field in dataclasses.fields(state):
        if field.name != "hall":
            assert getattr(state, field.name) == getattr(other, field.name), "state.%s differs" % field.name


def berlin_hall():
    data = hall_dict()
    del data["hall"]["utc_offset"]
    data["hall"].update({"time_zone": "Europe/Berlin", "day_starts": "05:00"})
    return config.parse(data, "berlin.toml")


HALLS = {"shanghai": small_hall(), "berlin": berlin_hall()}

ACTIONS = st.one_of(
    st.tuples(st.just("issue"), st.sampled_from(sorted(PRINTER_KEYS))),
    st.tuples(st.just("call"), st.sampled_from(sorted(PAD_WINDOWS))),
    st.tuples(st.just("finish"), st.sampled_from(sorted(PAD_WINDOWS))),
    st.tuples(st.just("skip"), st.sampled_from(sorted(PAD_WINDOWS))),
    st.tuples(st.just("wait"), st.integers(1, 4 * 3600), st.booleans()),
    st.tuples(st.just("boundary"), st.integers(0, 300), st.booleans()),
    st.tuples(st.just("step"), st.one_of(st.integers(-3 * 86400, 3 * 86400), st.integers(-60, 60))),
    st.tuples(st.just("restart"), st.booleans()),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hall=st.sampled_from(sorted(HALLS)), actions=st.lists(ACTIONS, min_size=5, max_size=60))
def test_many_days_keep_their_rules(hall, actions):
    with tempfile.TemporaryDirectory() as folder:
        run = HallRun(folder, HALLS[hall])
        try:
            run.tick()
            for name, *args in actions:
                getattr(run, "do_" + name)(*args)
            run.check_log()
        finally:
            run.service.store.close()


def test_the_snapshot_schedule_keeps_restarts_short(tmp_path):
    """A day boundary takes a snapshot: a restart then folds only what came after it."""
    run = HallRun(str(tmp_path), HALLS["shanghai"])
    run.tick()
    for _ in range(5):
        run.do_issue("k1")
    run.do_boundary(5, True)
    run.do_issue("k1")
    run.service.store.close()
    again = run._start()
    assert again.rebuilt.from_snapshot > 0 and again.rebuilt.tail == 1
    assert_same(again.state, full_fold(run.hall, str(tmp_path)))
    assert snapshots.hall_key(run.hall) == snapshots.hall_key(small_hall())
    again.store.close()
