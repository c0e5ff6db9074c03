"""Properties over random sequences that use every rule: green channel, appointments,
rejoins, transfers, staff, starvation, ratings and cases. Whatever is pressed:
no ticket is lost or issued twice, none is served twice, every counted rating belongs to
exactly one served ticket, each line keeps green/appointment/walk-in order, a window calls
the head of a line, green heads first, and never passes over a starving head."""
import json

from hypothesis import given, settings, strategies as st

from gateway.engine.ratings import ARRIVAL_ALLOWANCE_S
from gateway.engine import Refused, apply, commands as c, decide, fold, new_state
from gateway.engine.state import GREEN
from tests.gateway.hall_fixture import T0
from tests.gateway.rules_fixture import hall_with

HALL = hall_with(hall={"rejoin_max": 1, "rejoin_after": 1, "starve_after_min": 3, "recall_max": 1},
                 windows={2: {"profile": "ordered"}})
WINDOWS = st.sampled_from([1, 2, 3])
SERVICES = st.sampled_from(["A", "B", "C"])
LAST = "<last finished here>"

issue = st.builds(c.issue, SERVICES, st.just("printer-1"), st.booleans())
book = st.builds(lambda code, svc, dt: c.book(code, svc, dt), st.sampled_from(["K1", "K2", "K3"]), SERVICES,
                 st.integers(-1800, 3600))
staff = st.one_of(st.builds(c.sign_in, WINDOWS, st.sampled_from(["wang", "li", "zhao"])),
                  st.builds(c.sign_out, WINDOWS))
transfer = st.one_of(st.builds(lambda w, s: c.transfer(w, to_svc=s), WINDOWS, SERVICES),
                     st.builds(lambda w, t: c.transfer(w, to_window=t), WINDOWS, WINDOWS))
window_act = st.one_of(st.builds(c.call, WINDOWS), st.builds(c.finish, WINDOWS), st.builds(c.recall, WINDOWS),
                       st.builds(c.skip, WINDOWS), transfer)
# a pause is mostly followed by a resume, as in a hall; now and then a window stays paused
pause = st.builds(lambda w, back: [c.pause(w)] + ([c.resume(w)] if back else []), WINDOWS,
                  st.sampled_from([True, True, True, False]))
# whole visits at one window, so the random walk often reaches calls, finishes, skips, transfers
missed = st.builds(lambda w: [c.call(w), c.recall(w), c.skip(w)], WINDOWS)
sent_on = st.builds(lambda w, t: [c.call(w), t], WINDOWS, transfer)
other = st.one_of(st.builds(c.check_in, st.sampled_from(["K1", "K2", "K3", "K9"]), st.just("printer-1")),
                  st.builds(c.prioritise, st.sampled_from(["A001", "A002", "B001", "C002"])),
                  st.builds(c.reason, WINDOWS, st.integers(1, 5)),
                  st.builds(c.case_update, st.integers(1, 3), st.sampled_from(["called_back", "resolved"])))
visit = st.builds(lambda w, lvl: [c.call(w), c.finish(w), c.rate(w, lvl, LAST, None)], WINDOWS, st.integers(1, 5))
command = st.one_of(issue.map(lambda x: [x]), book.map(lambda x: [x]), staff.map(lambda x: [x]),
                    window_act.map(lambda x: [x]), other.map(lambda x: [x]), visit, visit, visit, missed, sent_on, pause,
                    issue.map(lambda x: [x, x, x]))
step = st.sampled_from([0, 5, 20, 60, 200, 400])


class Run:
    def __init__(self):
        self.state, self.log, self.now = new_state(HALL), [], T0

    def do(self, cmd):
        if cmd["type"] == "rate":
            cmd = dict(cmd, pressed_at=self.now, ticket=self.shown(cmd["window"]))
        if cmd["type"] == "book":
            cmd = dict(cmd, at=self.now + cmd["at"])
        try:
            events = decide(self.state, cmd, self.now)
        except Refused as exc:
            assert str(exc), "a refusal must say why"
            return
        for ev in events:
            if ev["type"] == "ticket_called":
                check_call(self.state, ev)
            apply(self.state, ev)
        self.log += events

    def shown(self, window):
        done = self.state.windows[window].finished_by_no
        return self.state.tickets[max(done.values())].no if done else ""


def check_call(state, ev):
    """Before the call is applied: the called ticket is a line head chosen by the rules."""
    win = state.windows[ev["window"]]
    ticket = state.tickets[ev["tid"]]
    assert ticket.status == "waiting"
    own = state.directed[win.number]
    if own:
        assert own[0] == ticket.tid
        return
    heads = [state.tickets[state.waiting[s][0]] for s in win.services if state.waiting[s]]
    assert ticket in heads, "a window called past the head of a line"
    limit = HALL.rules.starve_after_min * 60
    starving = [h for h in heads if ev["at"] - h.issued_at > limit]
    if starving:
        assert ticket.issued_at == min(h.issued_at for h in starving), "a starving ticket was passed over"
    elif any(h.prio == GREEN for h in heads):
        assert ticket.prio == GREEN, "a walk-in called before a waiting green ticket"


def check_log(log):
    issued = [ev for ev in log if ev["type"] == "ticket_issued"]
    assert len({ev["tid"] for ev in issued}) == len(issued)
    assert len({(ev["day"], ev["no"]) for ev in issued}) == len(issued)
    finished = [ev["tid"] for ev in log if ev["type"] == "ticket_finished"]
    assert len(finished) == len(set(finished)), "served twice"
    void = {ev["tid"] for ev in log if ev["type"] == "ticket_skipped" and not ev["rejoin"]}
    assert not void & set(finished)
    finished_ev, counted, low = {}, set(), set()
    for ev in log:
        if ev["type"] == "ticket_finished":
            finished_ev[ev["tid"]] = ev
        elif ev["type"] == "rating_counted":
            done = finished_ev[ev["tid"]]
            assert done["window"] == ev["window"] and done["staff"] == ev["staff"]
            assert ev["at"] <= done["at"] + HALL.rating_timeout_s + ARRIVAL_ALLOWANCE_S
            assert ev["tid"] not in counted
            counted.add(ev["tid"])
            if not HALL.rules.satisfied(ev["level"]):
                low.add(ev["tid"])
        elif ev["type"] == "case_opened":
            assert ev["tid"] in low, "a case without a low counted rating"
    used = [ev["appt"] for ev in issued if ev.get("appt")]
    assert len(used) == len(set(used)), "a booking checked in twice"


def check_state(state):
    where = {}
    for svc, line in state.waiting.items():
        prios = [state.tickets[tid].prio for tid in line]
        assert prios == sorted(prios), "line %s out of green/appointment/walk-in order" % svc
        for tid in line:
            where.setdefault(tid, []).append("line")
    for window, line in state.directed.items():
        for tid in line:
            where.setdefault(tid, []).append("window %d line" % window)
    for win in state.windows.values():
        assert (win.status == "serving") == (win.current is not None)
        if win.current is not None:
            where.setdefault(win.current, []).append("at window")
    for tid, ticket in state.tickets.items():
        places = where.get(tid, [])
        if ticket.status in ("waiting", "called"):
            assert len(places) == 1, "ticket %s is in %r" % (ticket.no, places)
        else:
            assert ticket.status in ("finished", "skipped", "expired") and not places


@settings(max_examples=120, deadline=None)
@given(st.lists(st.tuples(command, step), min_size=10, max_size=80))
def test_random_sequences_keep_every_rule(script):
    run = Run()
    for macro, dt in script:
        for cmd in macro:
            run.now += dt
            run.do(cmd)
    check_log(run.log)
    check_state(run.state)
    assert repr(fold(HALL, json.loads(json.dumps(run.log)))) == repr(run.state)
