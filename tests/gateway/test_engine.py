"""The queue engine's rules, table-driven: each case is a script of (seconds after T0, command)
whose last step is checked against the events it produced or the refusal it got."""
import json

import pytest

from gateway.engine import Refused, commands as c, decide, execute, fold, new_state
from gateway.engine.estimate import wait_range
from tests.gateway.hall_fixture import DAY, T0, small_hall

HALL = small_hall()


def run(script):
    """Execute all steps but the last; return (state, last command, its time)."""
    state = new_state(HALL)
    for at, cmd in script[:-1]:
        execute(state, cmd, T0 + at)
    at, cmd = script[-1]
    return state, cmd, T0 + at


def issued(state):
    return {t.tid: t for t in state.tickets.values()}


ISSUE_A = (0, c.issue("A", "printer-1"))
ISSUE_B = (0, c.issue("B", "printer-1"))
GREEN_A = (0, c.issue("A", "printer-1", green=True))

# name, script, expected (type, field, value) of the last event of the last step
ACCEPTED = [
    ("first ticket of a service", [ISSUE_A], ("ticket_issued", "no", "A001")),
    ("numbers per service", [ISSUE_A, ISSUE_A, ISSUE_B], ("ticket_issued", "no", "B001")),
    ("second A", [ISSUE_A, ISSUE_B, ISSUE_A], ("ticket_issued", "no", "A002")),
    ("numbers restart the next day", [ISSUE_A, ISSUE_A, (DAY, c.issue("A", "printer-1"))],
     ("ticket_issued", "no", "A001")),
    ("a new day keeps counting within the day", [(DAY, c.issue("A", "p")), (DAY + 5, c.issue("A", "p"))],
     ("ticket_issued", "no", "A002")),
    ("people ahead of a walk-in", [ISSUE_A, GREEN_A, ISSUE_A], ("ticket_issued", "ahead", 2)),
    ("green waits only behind green", [ISSUE_A, ISSUE_A, GREEN_A], ("ticket_issued", "ahead", 0)),
    ("green is called before walk-ins", [ISSUE_A, (5, c.issue("A", "p", True)), (9, c.call(1))],
     ("ticket_called", "no", "A002")),
    ("green tickets are FIFO among themselves",
     [ISSUE_A, (1, c.issue("A", "p", True)), (2, c.issue("A", "p", True)), (9, c.call(1))],
     ("ticket_called", "no", "A002")),
    ("FIFO within a service", [ISSUE_A, (5, c.issue("A", "p")), (9, c.call(1))],
     ("ticket_called", "no", "A001")),
    ("longest waiting across a window's services", [(0, c.issue("B", "p")), (5, c.issue("A", "p")),
                                                    (9, c.call(2))], ("ticket_called", "no", "B001")),
    ("a tie goes to the window's first service", [ISSUE_B, ISSUE_A, (9, c.call(2))],
     ("ticket_called", "no", "A001")),
    ("the call carries the window", [ISSUE_A, (9, c.call(2))], ("ticket_called", "window", 2)),
    ("recall while serving", [ISSUE_A, (1, c.call(1)), (2, c.recall(1))], ("ticket_recalled", "no", "A001")),
    ("skip is a no-show", [ISSUE_A, (1, c.call(1)), (2, c.skip(1))], ("ticket_skipped", "no", "A001")),
    ("finish records the service time", [ISSUE_A, (10, c.call(1)), (70, c.finish(1))],
     ("ticket_finished", "served_s", 60)),
    ("call after finish", [ISSUE_A, ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (3, c.call(1))],
     ("ticket_called", "no", "A002")),
    ("call after skip", [ISSUE_A, ISSUE_A, (1, c.call(1)), (2, c.skip(1)), (3, c.call(1))],
     ("ticket_called", "no", "A002")),
    ("pause an idle window", [(0, c.pause(1))], ("window_paused", "window", 1)),
    ("resume", [(0, c.pause(1)), (1, c.resume(1))], ("window_resumed", "window", 1)),
    ("rating within the timeout counts",
     [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (5, c.rate(1, 5, "A001", T0 + 5))],
     ("rating_counted", "level", 5)),
    ("a rating goes to the finishing window",
     [ISSUE_A, (1, c.call(2)), (2, c.finish(2)), (5, c.rate(2, 4, "A001", T0 + 5))],
     ("rating_counted", "window", 2)),
    ("the previous citizen may still rate after the next call",
     [ISSUE_A, ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (3, c.call(1)), (6, c.rate(1, 4, "A001", T0 + 6))],
     ("rating_counted", "no", "A001")),
    ("second press is flagged",
     [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (3, c.rate(1, 5, "A001", T0 + 3)),
      (4, c.rate(1, 1, "A001", T0 + 4))], ("rating_flagged", "reason", "already_rated")),
    ("late press is flagged",
     [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (43, c.rate(1, 5, "A001", T0 + 33))],
     ("rating_flagged", "reason", "timed_out")),
    ("a late press claiming an early time is flagged: the arrival judges",
     [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (600, c.rate(1, 5, "A001", T0 + 3))],
     ("rating_flagged", "reason", "timed_out")),
    ("a press arriving within the timeout and its allowance counts",
     [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (42, c.rate(1, 5, "A001", T0 + 32))],
     ("rating_counted", "no", "A001")),
    ("press with nothing shown is flagged", [(0, c.rate(1, 5, "", T0))],
     ("rating_flagged", "reason", "nothing_to_rate")),
    ("rating a ticket finished elsewhere is flagged",
     [ISSUE_A, (1, c.call(2)), (2, c.finish(2)), (3, c.rate(1, 5, "A001", T0 + 3))],
     ("rating_flagged", "reason", "wrong_ticket")),
    ("rating the ticket still served is flagged",
     [ISSUE_A, (1, c.call(1)), (3, c.rate(1, 5, "A001", T0 + 3))], ("rating_flagged", "reason", "wrong_ticket")),
    ("a skipped ticket cannot be rated",
     [ISSUE_A, (1, c.call(1)), (2, c.skip(1)), (3, c.rate(1, 5, "A001", T0 + 3))],
     ("rating_flagged", "reason", "wrong_ticket")),
    ("a printer reports a failed print", [(0, c.printed("printer-1", "A001", False, "paper out"))],
     ("ticket_printed", "ok", False)),
    ("a printer reports paper out", [(0, c.status("printer-1", "paper", "out"))],
     ("device_status", "state", "out")),
]


@pytest.mark.parametrize("name,script,expected", ACCEPTED, ids=[case[0] for case in ACCEPTED])
def test_accepted(name, script, expected):
    state, cmd, now = run(script)
    events = decide(state, cmd, now)
    kind, field, value = expected
    assert events[-1]["type"] == kind
    assert events[-1][field] == value
    for ev in events:
        assert ev["at"] == now
        assert json.loads(json.dumps(ev)) == ev


REFUSED = [
    ("unknown service", [(0, c.issue("Z", "p"))], "unknown service"),
    ("call with nobody waiting", [(0, c.call(1))], "no ticket waiting for window 1"),
    ("window only calls its own services", [ISSUE_B, (1, c.call(1))], "no ticket waiting for window 1"),
    ("call while serving", [ISSUE_A, ISSUE_A, (1, c.call(1)), (2, c.call(1))], "serving A001: finish or skip"),
    ("call while paused", [ISSUE_A, (0, c.pause(1)), (1, c.call(1))], "paused"),
    ("recall with nobody served", [(0, c.recall(1))], "not serving"),
    ("finish with nobody served", [(0, c.finish(1))], "not serving"),
    ("finish twice", [ISSUE_A, (1, c.call(1)), (2, c.finish(1)), (3, c.finish(1))], "not serving"),
    ("skip with nobody served", [(0, c.skip(3))], "not serving"),
    ("pause while serving", [ISSUE_A, (1, c.call(1)), (2, c.pause(1))], "before pausing"),
    ("pause twice", [(0, c.pause(1)), (1, c.pause(1))], "already paused"),
    ("resume when open", [(0, c.resume(1))], "not paused"),
    ("unknown window", [(0, c.call(9))], "window 9"),
    ("rating level above the hall's levels", [(0, c.rate(1, 6, "", T0))], "outside 1-5"),
    ("rating at an unknown window", [(0, c.rate(7, 5, "", T0))], "window 7"),
    ("unknown command", [(0, {"type": "dance"})], "unknown command"),
]


@pytest.mark.parametrize("name,script,reason", REFUSED, ids=[case[0] for case in REFUSED])
def test_refused(name, script, reason):
    state, cmd, now = run(script)
    with pytest.raises(Refused) as info:
        decide(state, cmd, now)
    assert reason in str(info.value)


def test_decide_does_not_change_the_state():
    state, cmd, now = run([ISSUE_A, ISSUE_A, (1, c.call(1))])
    before = repr(state)
    decide(state, cmd, now)
    assert repr(state) == before


def test_a_service_without_windows_gets_no_tickets():
    from gateway import config
    from tests.gateway.hall_fixture import hall_dict
    data = hall_dict()
    data["service"].append({"code": "D", "name": "Orphan", "time_limit_min": 5})
    state = new_state(config.parse(data))
    with pytest.raises(Refused, match="no window open for service D"):
        decide(state, c.issue("D", "p"), T0)


def test_numbers_run_out_at_999():
    state = new_state(HALL)
    for n in range(999):
        execute(state, c.issue("C", "p"), T0 + n)
    assert state.tickets[999].no == "C999"
    with pytest.raises(Refused, match="all 999 numbers"):
        decide(state, c.issue("C", "p"), T0 + 1000)
    assert decide(state, c.issue("C", "p"), T0 + DAY)[-1]["no"] == "C001"


def test_a_new_day_expires_yesterdays_waiting_tickets():
    state, cmd, now = run([ISSUE_A, ISSUE_A, (1, c.call(1)), (DAY, c.issue("A", "p"))])
    events = execute(state, cmd, now)
    assert [ev["type"] for ev in events] == ["day_started", "ticket_issued"]
    assert events[0]["expired"] == [2]
    assert events[0]["ended"] == [1]                  # the one still at the window ends too
    assert events[1]["ahead"] == 0 and events[1]["no"] == "A001"
    assert set(state.tickets) == {3}                  # yesterday is in the log, not in memory
    assert state.windows[1].status == "idle" and state.windows[1].current is None
    assert state.waiting["A"] == [3]


def test_the_day_is_the_halls_local_day():
    # 23:59 and 00:01 in the hall (UTC+8) are different days although both are 15:xx/16:xx UTC
    evening = T0 + 15 * 3600 - 60
    state = new_state(HALL)
    first = execute(state, c.issue("A", "p"), evening)
    second = execute(state, c.issue("A", "p"), evening + 120)
    assert first[0]["day"] == "2026-11-23" and second[0]["day"] == "2026-11-24"
    assert second[-1]["no"] == "A001"


def test_wait_estimate_before_history_uses_a_default():
    state = new_state(HALL)
    # A: 2 windows, default 5 min a visit -> fast 150 s, slow 450 s
    assert wait_range(state, "A", 0) == [0, 4]
    assert wait_range(state, "A", 4) == [5, 19]
    # C: time limit 10 min -> default capped at 5 min, served by one window
    assert wait_range(state, "C", 2) == [5, 23]


def test_wait_estimate_follows_recent_service_times():
    state = new_state(HALL)
    for n in range(4):
        execute(state, c.issue("C", "p"), T0)
    for n in range(4):
        execute(state, c.call(3), T0 + n * 1000)
        execute(state, c.finish(3), T0 + n * 1000 + 120)   # two minutes each
    assert wait_range(state, "C", 3) == [6, 8]
    issued_event = execute(state, c.issue("C", "p"), T0 + 5000)[-1]
    assert issued_event["ahead"] == 0 and issued_event["wait"] == [0, 2]


def test_paused_windows_do_not_serve_in_the_estimate():
    state = new_state(HALL)
    open_range = wait_range(state, "A", 4)
    execute(state, c.pause(2), T0)
    assert wait_range(state, "A", 4)[1] > open_range[1]


def test_the_log_rebuilds_the_same_state():
    state = new_state(HALL)
    log = []
    script = [ISSUE_A, GREEN_A, ISSUE_B, (1, c.call(1)), (2, c.call(2)), (3, c.finish(1)),
              (4, c.rate(1, 5, "A002", T0 + 4)), (5, c.skip(2)), (6, c.pause(2))]
    for at, cmd in script:
        log += execute(state, cmd, T0 + at)
    rebuilt = fold(HALL, json.loads(json.dumps(log)))
    assert repr(rebuilt) == repr(state)


def test_the_engine_imports_no_adapter_clock_or_io():
    import ast
    import pathlib
    # zoneinfo reads the zone database (data, like the hall file), never the clock
    allowed = {"collections", "copy", "dataclasses", "datetime", "functools", "math", "zoneinfo",
               "gateway.engine"}
    for path in pathlib.Path(__file__).parents[2].joinpath("gateway", "engine").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module]
            else:
                continue
            for name in names:
                assert any(name == ok or name.startswith(ok + ".") for ok in allowed), \
                    "%s imports %s" % (path.name, name)
