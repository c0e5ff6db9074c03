"""Properties of the engine over random command sequences: whatever staff and citizens press,
no ticket is issued twice, none is served twice, and every counted rating belongs to exactly
one ticket finished at that window, within the timeout."""
import json

from hypothesis import given, settings, strategies as st

from gateway.engine.ratings import ARRIVAL_ALLOWANCE_S
from gateway.engine import Refused, apply, commands as c, decide, fold, new_state
from tests.gateway.hall_fixture import DAY, T0, small_hall

HALL = small_hall()
WINDOWS = st.sampled_from([1, 2, 3])
# LAST: what a pad shows after a finish, the last ticket finished at its window
LAST = "<last finished here>"
SHOWN = st.sampled_from([LAST, LAST, LAST, "", "A001", "A002", "B001", "C001", "X999"])

issue = st.builds(c.issue, st.sampled_from(["A", "B", "C"]), st.just("printer-1"), st.booleans())
rate = st.builds(lambda w, lvl, shown: c.rate(w, lvl, shown, None), WINDOWS, st.integers(1, 6), SHOWN)
single = st.one_of(issue, st.builds(c.call, WINDOWS), st.builds(c.finish, WINDOWS),
                   st.builds(c.recall, WINDOWS), st.builds(c.skip, WINDOWS),
                   st.builds(c.pause, WINDOWS), st.builds(c.resume, WINDOWS), rate)
# a whole visit at one window, so the random walk often reaches finishes and ratings
visit = st.builds(lambda w, lvl, again: [c.call(w), c.finish(w), c.rate(w, lvl, LAST, None)] +
                  ([c.rate(w, lvl, LAST, None)] if again else []),
                  WINDOWS, st.integers(1, 5), st.booleans())
command = st.one_of(single.map(lambda cmd: [cmd]), issue.map(lambda cmd: [cmd, cmd]), visit)
# time steps: mostly seconds, sometimes past the rating timeout, rarely a whole day
step = st.sampled_from(["short"] * 12 + ["long"] * 3 + ["day"]).flatmap(
    lambda kind: {"short": st.integers(0, 20), "long": st.integers(25, 120), "day": st.just(DAY)}[kind])


def run(script):
    state, log, now = new_state(HALL), [], T0
    for macro, dt in script:
        for cmd in macro:
            now += dt
            log += _try(state, cmd, now)
    return state, log


def _try(state, cmd, now):
    if cmd["type"] == "rate":
        # the pad claims an early press time: only the arrival (`now`) may decide the timeout
        cmd = dict(cmd, pressed_at=now - 1000, ticket=_shown(state, cmd))
    try:
        events = decide(state, cmd, now)
    except Refused:
        return []
    for ev in events:
        apply(state, ev)
    return events


def _shown(state, cmd):
    if cmd["ticket"] != LAST:
        return cmd["ticket"]
    finished_here = state.windows[cmd["window"]].finished_by_no
    return state.tickets[max(finished_here.values())].no if finished_here else ""


def check_tickets(log):
    issued = [ev for ev in log if ev["type"] == "ticket_issued"]
    assert len({ev["tid"] for ev in issued}) == len(issued)
    assert len({(ev["day"], ev["no"]) for ev in issued}) == len(issued)
    for kind in ("ticket_called", "ticket_finished", "ticket_skipped"):
        tids = [ev["tid"] for ev in log if ev["type"] == kind]
        assert len(tids) == len(set(tids)), kind + " twice for one ticket"
    ended = [ev["tid"] for ev in log if ev["type"] in ("ticket_finished", "ticket_skipped")]
    assert len(ended) == len(set(ended)), "a ticket both finished and skipped"
    called = {ev["tid"] for ev in log if ev["type"] == "ticket_called"}
    assert set(ended) <= called


def check_ratings(log):
    finished = {}
    counted = set()
    for ev in log:
        if ev["type"] == "ticket_finished":
            finished[ev["tid"]] = ev
        elif ev["type"] == "rating_counted":
            done = finished.get(ev["tid"])
            assert done is not None, "a counted rating for a ticket not finished"
            assert done["window"] == ev["window"]
            assert ev["at"] <= done["at"] + HALL.rating_timeout_s + ARRIVAL_ALLOWANCE_S
            assert ev["tid"] not in counted, "two counted ratings for one ticket"
            counted.add(ev["tid"])
        elif ev["type"] == "rating_flagged":
            assert ev["reason"] in ("nothing_to_rate", "already_rated", "timed_out", "wrong_ticket")


def check_windows(state):
    serving = [w.current for w in state.windows.values() if w.current is not None]
    assert len(serving) == len(set(serving)), "one ticket at two windows"
    for win in state.windows.values():
        assert (win.status == "serving") == (win.current is not None)
    waiting = [tid for line in state.waiting.values() for tid in line]
    assert len(waiting) == len(set(waiting))
    assert all(state.tickets[tid].status == "waiting" for tid in waiting)
    for line in state.waiting.values():
        greens = [state.tickets[tid].green for tid in line]
        assert greens == sorted(greens, reverse=True), "a walk-in ahead of a green ticket"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(command, step), min_size=20, max_size=120))
def test_random_sequences_keep_the_rules(script):
    state, log = run(script)
    check_tickets(log)
    check_ratings(log)
    check_windows(state)
    # the log alone rebuilds the very same state, also after a trip through JSON
    assert repr(fold(HALL, json.loads(json.dumps(log)))) == repr(state)
