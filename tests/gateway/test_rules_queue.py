"""Queue rules of a real hall, table-driven: each case is a hall option set, a script of
(seconds after T0, command) and what the last step must produce (an event field or a refusal)."""
import pytest

from gateway.engine import Refused, commands as c
from gateway.engine.estimate import wait_range
from tests.gateway.rules_fixture import MIN, hall_with, last, play

A = lambda at=0: (at, c.issue("A", "printer-1"))          # noqa: E731
B = lambda at=0: (at, c.issue("B", "printer-1"))          # noqa: E731
G = lambda at=0: (at, c.issue("A", "printer-1", True))    # noqa: E731

# name, hall options, script, (event type, field, expected) of the last event of the last step
CASES = [
    # green channel and how far it jumps
    ("green goes ahead of all walk-ins by default", {}, [A(), A(), A(), G()], ("ticket_issued", "ahead", 0)),
    ("green_jump 1 passes one walk-in only", {"hall": {"green_jump": 1}}, [A(), A(), A(), G()],
     ("ticket_issued", "ahead", 2)),
    ("green_jump 0 passes nobody", {"hall": {"green_jump": 0}}, [A(), A(), G()], ("ticket_issued", "ahead", 2)),
    ("green with a jump stays behind earlier greens", {"hall": {"green_jump": 1}},
     [A(), A(), G(1), A(2), A(3), G(4)], ("ticket_issued", "ahead", 4)),
    ("a limited-jump green is called before the walk-in it passed", {"hall": {"green_jump": 1}},
     [A(), A(1), G(2), (5, c.call(1)), (6, c.finish(1)), (7, c.call(1))], ("ticket_called", "no", "A003")),
    ("staff put a waiting ticket into the green channel", {}, [A(), A(1), (2, c.prioritise("A002")),
                                                              (3, c.call(1))], ("ticket_called", "no", "A002")),
    # call profiles of a window with several services (window 2 serves A and B)
    ("longest profile takes the longest waiting head", {}, [B(0), A(5), (9, c.call(2))],
     ("ticket_called", "svc", "B")),
    ("ordered profile prefers the first service", {"windows": {2: {"profile": "ordered"}}},
     [B(0), A(5), (9, c.call(2))], ("ticket_called", "svc", "A")),
    ("ordered profile takes the next service when the first is empty", {"windows": {2: {"profile": "ordered"}}},
     [B(0), (9, c.call(2))], ("ticket_called", "svc", "B")),
    ("green head beats the profile", {"windows": {2: {"profile": "ordered"}}},
     [A(0), (1, c.issue("B", "p", True)), (9, c.call(2))], ("ticket_called", "svc", "B")),
    ("weighted 2:1 - first two calls go A then B", {"windows": {2: {"profile": "weighted", "weights": [2, 1]}}},
     [A(), A(), B(), (1, c.call(2)), (2, c.finish(2)), (3, c.call(2))], ("ticket_called", "svc", "B")),
    ("starvation: a head past the limit is called first", {"windows": {2: {"profile": "ordered"}},
                                                          "hall": {"starve_after_min": 10}},
     [B(0), A(11 * MIN), (11 * MIN + 1, c.call(2))], ("ticket_called", "svc", "B")),
    ("no starvation yet: the profile decides", {"windows": {2: {"profile": "ordered"}},
                                                "hall": {"starve_after_min": 10}},
     [B(0), A(5 * MIN), (5 * MIN + 1, c.call(2))], ("ticket_called", "svc", "A")),
    ("starvation off with 0", {"windows": {2: {"profile": "ordered"}}, "hall": {"starve_after_min": 0}},
     [B(0), A(60 * MIN), (60 * MIN + 1, c.call(2))], ("ticket_called", "svc", "A")),
    # recall, skip and rejoin
    ("recall within the cap", {"hall": {"recall_max": 2}},
     [A(), (1, c.call(1)), (2, c.recall(1)), (3, c.recall(1))], ("ticket_recalled", "no", "A001")),
    ("skip without rejoins is void", {}, [A(), (1, c.call(1)), (2, c.skip(1))], ("ticket_skipped", "rejoin", False)),
    ("skip with rejoins left rejoins", {"hall": {"rejoin_max": 1}}, [A(), (1, c.call(1)), (2, c.skip(1))],
     ("ticket_skipped", "rejoin", True)),
    ("a rejoined ticket comes after N others", {"hall": {"rejoin_max": 1, "rejoin_after": 2}},
     [A(), A(), A(), A(), (1, c.call(1)), (2, c.skip(1)), (3, c.call(1)), (4, c.finish(1)), (5, c.call(1)),
      (6, c.finish(1)), (7, c.call(1))], ("ticket_called", "no", "A001")),
    ("a rejoined ticket is void after M skips", {"hall": {"rejoin_max": 1, "rejoin_after": 0}},
     [A(), (1, c.call(1)), (2, c.skip(1)), (3, c.call(1)), (4, c.skip(1))], ("ticket_skipped", "rejoin", False)),
    # transfer
    ("transfer to another service", {}, [A(), (1, c.call(1)), (2, c.transfer(1, to_svc="B"))],
     ("ticket_transferred", "to_svc", "B")),
    ("a transferred ticket keeps its issue time in the new line", {},
     [A(0), B(10), (20, c.call(1)), (30, c.transfer(1, to_svc="B")), (40, c.call(2))],
     ("ticket_called", "no", "A001")),
    ("transfer to a window: only that window calls it", {},
     [A(0), A(1), (2, c.call(1)), (3, c.transfer(1, to_window=2)), (4, c.call(1))],
     ("ticket_called", "no", "A002")),
    ("the target window calls the transferred ticket first", {},
     [A(0), A(1), (2, c.call(1)), (3, c.transfer(1, to_window=2)), (4, c.call(2))],
     ("ticket_called", "no", "A001")),
    # staff on duty
    ("sign in", {}, [(0, c.sign_in(1, "wang"))], ("staff_signed_in", "staff", "wang")),
    ("calls carry the staff on duty", {}, [(0, c.sign_in(1, "wang")), A(1), (2, c.call(1))],
     ("ticket_called", "staff", "wang")),
    ("a rating belongs to the staff who served", {},
     [(0, c.sign_in(1, "wang")), A(1), (2, c.call(1)), (3, c.finish(1)), (4, c.sign_out(1)),
      (5, c.sign_in(1, "li")), (6, c.rate(1, 5, "A001", 0))], ("rating_counted", "staff", "wang")),
    ("sign out", {}, [(0, c.sign_in(1, "wang")), (1, c.sign_out(1))], ("staff_signed_out", "staff", "wang")),
    ("a rating belongs to who finished, also after a sign-in mid-visit", {},
     [A(0), (1, c.call(1)), (2, c.sign_in(1, "wang")), (3, c.finish(1)), (4, c.rate(1, 5, "A001", 0))],
     ("rating_counted", "staff", "wang")),
    # issuing rules
    ("issuing within hours", {"services": {"A": {"hours": ["08:30-12:00"]}}}, [A(0)],
     ("ticket_issued", "no", "A001")),
    ("numbering restarts at day_starts", {"hall": {"day_starts": "09:30"}},
     [A(0), A(1), A(31 * MIN)], ("ticket_issued", "no", "A001")),
    ("before day_starts the numbering goes on", {"hall": {"day_starts": "09:30"}},
     [A(0), A(29 * MIN)], ("ticket_issued", "no", "A002")),
    # time limits (A: 20 minutes)
    ("finished within the time limit", {}, [A(), (1, c.call(1)), (1 + 20 * MIN, c.finish(1))],
     ("ticket_finished", "on_time", True)),
    ("finished over the time limit", {}, [A(), (1, c.call(1)), (2 + 20 * MIN, c.finish(1))],
     ("ticket_finished", "on_time", False)),
]


@pytest.mark.parametrize("name,options,script,expected", CASES, ids=[case[0] for case in CASES])
def test_rule(name, options, script, expected):
    _, events = last(hall_with(**options), script)
    kind, field, value = expected
    assert events[-1]["type"] == kind
    assert events[-1][field] == value


REFUSED = [
    ("recall over the cap", {"hall": {"recall_max": 1}},
     [A(), (1, c.call(1)), (2, c.recall(1)), (3, c.recall(1))], "called again 1 times already (limit 1)"),
    ("before issuing hours", {"services": {"A": {"hours": ["09:30-12:00", "13:30-17:00"]}}}, [A(0)],
     "Residence permits: tickets are issued 09:30-12:00, 13:30-17:00 only"),
    ("after issuing hours", {"services": {"A": {"hours": ["08:00-09:00"]}}}, [A(0)],
     "tickets are issued 08:00-09:00 only"),
    ("daily cap", {"services": {"A": {"daily_cap": 2}}}, [A(), A(), A()],
     "Residence permits: all 2 tickets for today are issued"),
    ("transfer to nowhere", {}, [A(), (1, c.call(1)), (2, c.transfer(1))], "needs a service or a window"),
    ("transfer to a window of another service", {}, [A(), (1, c.call(1)), (2, c.transfer(1, to_window=3))],
     "window 3 does not serve service A"),
    ("transfer to its own service", {}, [A(), (1, c.call(1)), (2, c.transfer(1, to_svc="A"))],
     "for service A already"),
    ("transfer with nobody served", {}, [(0, c.transfer(1, to_svc="B"))], "not serving"),
    ("sign in twice at a window", {}, [(0, c.sign_in(1, "wang")), (1, c.sign_in(1, "li"))],
     "wang is signed in at window 1"),
    ("one person at two windows", {}, [(0, c.sign_in(1, "wang")), (1, c.sign_in(2, "wang"))],
     "signed in at window 1 already"),
    ("sign out while serving", {}, [(0, c.sign_in(1, "wang")), A(0), (1, c.call(1)), (2, c.sign_out(1))],
     "finish it before signing out"),
    ("sign out with nobody there", {}, [(0, c.sign_out(1))], "nobody is signed in"),
    ("prioritise a ticket not waiting", {}, [(0, c.prioritise("A001"))], "no ticket A001 is waiting"),
]


@pytest.mark.parametrize("name,options,script,reason", REFUSED, ids=[case[0] for case in REFUSED])
def test_refused(name, options, script, reason):
    with pytest.raises(Refused) as info:
        last(hall_with(**options), script)
    assert reason in str(info.value)


def test_daily_cap_resets_the_next_day():
    hall = hall_with(services={"A": {"daily_cap": 1}})
    _, results = play(hall, [A(0), A(1), A(86400)])
    assert isinstance(results[1], Refused)
    assert results[2][-1]["no"] == "A001"


def test_estimate_uses_the_windows_open_for_the_service():
    hall = hall_with()
    state, _ = play(hall, [A(0), A(0), A(0), A(0)])
    both = wait_range(state, "A", 4)
    play_state, _ = play(hall, [(0, c.pause(2))])
    one = wait_range(play_state, "A", 4)
    assert one[1] > both[1] and one[0] >= both[0]


def test_estimate_range_comes_from_recent_service_times():
    hall = hall_with()
    script = [A(0)] * 6
    t = 10
    for minutes in (2, 4, 6, 8):          # A served at window 1 only: 2, 4, 6, 8 minutes
        script += [(t, c.call(1)), (t + minutes * MIN, c.finish(1))]
        t += minutes * MIN + 1
    state, _ = play(hall, script + [(t, c.pause(2))])
    # quartiles of 2,4,6,8 min: 3.5 and 6.5 min; one window open; 2 ahead
    assert wait_range(state, "A", 2) == [7, 20]


def test_printed_estimate_and_people_ahead_of_a_green_ticket():
    hall = hall_with()
    _, events = last(hall, [A(0), A(0), G(0), G(0)])
    ticket = events[-1]
    assert ticket["ahead"] == 1 and ticket["green"] is True
    assert ticket["wait"][0] <= ticket["wait"][1]


def test_weighted_profile_calls_in_proportion():
    hall = hall_with(windows={2: {"profile": "weighted", "weights": [2, 1]}})
    script = [A(0)] * 8 + [B(0)] * 8
    for n in range(9):
        script += [(1 + 2 * n, c.call(2)), (2 + 2 * n, c.finish(2))]
    _, results = play(hall, script)
    called = [r[0]["svc"] for r in results if not isinstance(r, Refused) and r[0]["type"] == "ticket_called"]
    assert called == ["A", "B", "A", "A", "B", "A", "A", "B", "A"]


def test_the_example_halls_load_with_their_rules():
    import os
    from gateway import config
    halls = os.path.join(os.path.dirname(__file__), "..", "..", "halls")
    example = config.load(os.path.join(halls, "example.toml"))
    assert example.rules.rejoin_max == 0 and example.rules.green_jump == -1     # the defaults
    outpatient = config.load(os.path.join(halls, "outpatient.toml"))
    assert outpatient.rules.day_starts_min == 5 * 60 and outpatient.rules.green_jump == 5
    assert outpatient.services["M"].hours == ((450, 690), (810, 990)) and outpatient.services["M"].daily_cap == 300
    assert outpatient.windows[2].weights == (2, 1) and outpatient.windows[3].profile == "ordered"
    assert outpatient.devices["pad-2"].hall_level(3) == 4
    assert outpatient.awards.min_ratings == 50


@pytest.mark.parametrize("section,field,value,message", [
    ("hall", "green_jump", -2, "green_jump must be"),
    ("hall", "day_starts", "25:00", "day_starts must be a time"),
    ("hall", "rating_labels", ["a", "b"], "rating_labels must be 5 names"),
    ("hall", "low_levels", 5, "low_levels must be 0-4"),
    ("service", "hours", ["12:00-08:00"], "ends before it starts"),
    ("service", "daily_cap", -1, "daily_cap must be at least 0"),
    ("window", "profile", "random", "profile must be one of"),
    ("window", "weights", [1], "weights are only for"),
    ("awards", "min_satisfaction", 1.5, "must be a share 0-1"),
    ("awards", "colour", "red", "unknown field 'colour'"),
])
def test_bad_rule_options_are_named(section, field, value, message):
    from gateway.config import ConfigError
    option = {section: {field: value}} if section in ("hall", "awards") else \
        {section + "s": {"A" if section == "service" else 2: {field: value}}}
    with pytest.raises(ConfigError) as info:
        hall_with(**option)
    assert message in str(info.value)
