"""Scenario files, the seeded population plan, fault specs and the invariant checks (no hall runs)."""
import os

import pytest

from sim import faults, invariants, scenario
from sim.population import Records

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(REPO, "scenarios")


@pytest.mark.parametrize("name", ["morning-rush.toml", "service-centre-day.toml", "hospital-outpatient.toml"])
def test_shipped_scenarios_load_and_plan_the_same_day_for_the_same_seed(name):
    first = scenario.load(os.path.join(SCENARIOS, name))
    plan = scenario.arrivals(first)
    assert plan and plan == scenario.arrivals(scenario.load(os.path.join(SCENARIOS, name)))
    assert all(0 <= a.at < first.arrivals_end_s for a in plan)
    assert [a.at for a in plan] == sorted(a.at for a in plan)
    first.seed += 1
    assert scenario.arrivals(first) != plan


def test_arrivals_follow_the_hourly_rates():
    data = {"scenario": {"hall": os.path.join(REPO, "halls", "sim-riverside.toml"), "start": "08:00",
                         "end": "12:00", "seed": 5},
            "service": {"A": {"arrivals": {"08": 10, "09": 200}}, "B": {"arrivals": {"10": 50}}}}
    plan = scenario.arrivals(scenario.parse(data))
    per_hour = scenario.planned_per_hour(scenario.parse(data), plan)
    assert per_hour["A"]["09"] > 5 * per_hour["A"].get("08", 0)
    assert set(per_hour["B"]) == {"10"}


def test_the_green_share_uses_the_printers_green_keys():
    data = {"scenario": {"hall": os.path.join(REPO, "halls", "sim-riverside.toml"), "seed": 2, "start": "08:00",
                         "end": "10:00"},
            "population": {"green_share": 0.5}, "service": {"A": {"arrivals": {"08": 100, "09": 100}}}}
    plan = scenario.arrivals(scenario.parse(data))
    green = [a for a in plan if a.green]
    assert green and all(a.key == "k7" for a in green)
    assert all(a.key == "k1" for a in plan if not a.green)


def test_a_citizen_depends_only_on_the_seed_and_the_ticket():
    sc = scenario.load(os.path.join(SCENARIOS, "morning-rush.toml"))
    assert scenario.citizen(sc, "2026-03-02", "A012", "A") == scenario.citizen(sc, "2026-03-02", "A012", "A")
    people = [scenario.citizen(sc, "2026-03-02", "A%03d" % n, "A") for n in range(1, 200)]
    assert 0 < sum(p.no_show for p in people) < 40
    assert all(p.rating is None or 1 <= p.rating <= 5 for p in people)


@pytest.mark.parametrize("data, message", [
    ({"service": {"Z": {"arrivals": {"08": 1}}}}, "has no service Z"),
    ({"service": {"A": {"arrivals": {"25": 1}}}}, "hour '25' is not 00-23"),
    ({"service": {"A": {"service_min": [0, 1]}}}, "service_min must be [mean, spread]"),
    ({"service": {"A": {}}, "population": {"no_show": 2}}, "no_show must be a share"),
    ({"service": {"A": {}}, "staff": [{"window": 99}]}, "window 99 is not a window"),
    ({"service": {"A": {}}, "fault": [{"kind": "wifi_loss", "at": "09:00"}]}, "wifi_loss needs a target"),
    ({}, "no [service.X] tables"),
])
def test_scenario_faults_are_named(data, message):
    data = dict(data, scenario={"hall": os.path.join(REPO, "halls", "sim-riverside.toml")})
    with pytest.raises(scenario.ScenarioError) as err:
        scenario.parse(data, "day.toml")
    assert message in str(err.value) and "day.toml" in str(err.value)


def test_fault_specs_parse_and_bad_ones_are_named():
    f = faults.parse_spec("wifi_loss:display-*@600+120")
    assert (f.kind, f.target, f.at, f.duration) == ("wifi_loss", "display-*", 600, 120)
    skew = faults.parse_spec("clock_skew:pad-1@0,ppm=20000")
    assert skew.params == {"ppm": 20000}
    for bad, message in [("wifi_loss@3", "needs a target"), ("gateway_kill", "missing @AT"),
                         ("broker_kill@x", "AT and DURATION are seconds"), ("key_bounce:p@1,hops=2", "unknown parameter")]:
        with pytest.raises(faults.FaultError) as err:
            faults.parse_spec(bad)
        assert message in str(err.value)


class FakePrinter:
    kind = "printer"

    def __init__(self, numbers):
        from sim.escpos_model import EscPosInterpreter
        data = b"".join(b"\x1d\x21\x11" + no.encode() + b"\n\x1d\x21\x00\x1dV\x00" for no in numbers)
        interp = EscPosInterpreter()
        interp.feed(data)
        self._tickets = interp.tickets

    def tickets(self):
        return self._tickets


def issued(no, day="2026-03-02"):
    return {"type": "ticket_issued", "no": no, "day": day, "svc": no[0]}


def printed(no, ok=True):
    return {"type": "ticket_printed", "no": no, "ok": ok}


def test_the_ticket_invariant_catches_a_lost_and_a_doubled_ticket():
    good = [issued("A001"), printed("A001"), issued("A002"), printed("A002", ok=False)]
    name, ok, detail = invariants.check_tickets(good, {"p": FakePrinter(["A001"])}, 2)
    assert ok, detail
    _, ok, detail = invariants.check_tickets(good + [issued("A001")], {"p": FakePrinter(["A001"])}, 3)
    assert not ok and any("issued twice" in d for d in detail)
    _, ok, detail = invariants.check_tickets(good + [issued("A003")], {"p": FakePrinter(["A001", "A001"])}, 3)
    assert not ok and any("neither printed nor reported" in d for d in detail)
    assert any("printed twice on paper" in d for d in detail)
    _, ok, detail = invariants.check_tickets(good, {"p": FakePrinter(["A001"])}, 3)
    assert not ok and "3 presses answered with a ticket but 2 tickets issued" in detail


def test_the_rating_invariant_catches_a_double_count_and_a_wrong_ticket():
    finished = {"type": "ticket_finished", "no": "A001", "window": 3}
    counted = {"type": "rating_counted", "no": "A001", "window": 3, "level": 5}
    records = Records()
    records.rated["A001"] = (5, 3, True)
    assert invariants.check_ratings([finished, counted], records)[1]
    assert not invariants.check_ratings([finished, counted, counted], records)[1]
    records.rated["A001"] = (4, 3, True)
    _, ok, detail = invariants.check_ratings([finished, counted], records)
    assert not ok and "pressed 4 at window 3, counted 5" in detail[1]


@pytest.mark.parametrize("name", ["morning-rush.toml", "service-centre-day.toml", "hospital-outpatient.toml"])
def test_shipped_scenarios_ask_no_more_than_their_windows_can_drain(name):
    from sim import capacity
    loaded = scenario.load(os.path.join(SCENARIOS, name))
    needed = capacity.drain_needed_min(loaded, scenario.arrivals(loaded))
    too_much = {"".join(sorted(group)): round(minutes) for group, minutes in needed.items()
                if minutes > loaded.drain_s / 60.0}
    assert not too_much, "%s: windows need this many minutes to drain, more than drain_min %d: %s" % (
        name, loaded.drain_s / 60.0, too_much)


def test_the_capacity_check_sees_an_overloaded_morning():
    """The hospital morning as first shipped: 1.7 times what registration and payment can do."""
    data = {"scenario": {"hall": os.path.join(REPO, "halls", "sim-hospital.toml"), "start": "07:30",
                         "end": "12:00", "drain_min": 60, "seed": 31},
            "service": {"R": {"arrivals": {"07": 90, "08": 120, "09": 80, "10": 50, "11": 20}, "service_min": [2.5, 1]},
                        "P": {"arrivals": {"07": 20, "08": 60, "09": 90, "10": 70, "11": 40}, "service_min": [2, 1]},
                        "M": {"arrivals": {"07": 5, "08": 40, "09": 80, "10": 80, "11": 50}, "service_min": [3, 1.5]},
                        "I": {"arrivals": {"07": 4, "08": 8, "09": 8, "10": 6, "11": 4}, "service_min": [8, 4]}},
            "staff": [{"window": 6, "breaks": ["10:30-10:45"]}, {"window": 9, "shift": "08:00-12:30"}]}
    from sim import capacity
    loaded = scenario.parse(data)
    needed = capacity.drain_needed_min(loaded, scenario.arrivals(loaded))
    assert needed[frozenset("M")] > 60 and needed[frozenset("IPR")] > 60
    assert sorted(windows for _, windows in capacity.window_groups(loaded.hall)) == [[1, 2, 3, 4, 5, 9, 10], [6, 7, 8]]


def _day_at_the_end(state, outbox, pressed):
    import threading
    import types
    from sim.day import Day
    day = object.__new__(Day)
    done = threading.Event()
    done.set()
    printer = types.SimpleNamespace(kind="printer", outbox=lambda: outbox)
    day.state = state
    day.population = types.SimpleNamespace(arrivals_done=done, records=types.SimpleNamespace(pressed=pressed))
    day.rig = types.SimpleNamespace(devices=types.SimpleNamespace(devices={"printer-1": printer}))
    return day


def test_drained_means_an_empty_hall_and_no_press_on_its_way():
    from gateway import config
    from gateway.engine import commands as c
    from gateway.engine import execute, fold
    hall = config.load(os.path.join(REPO, "halls", "example.toml"))
    state = fold(hall, [])
    execute(state, c.issue("A", "printer-1"), 1.0e9)
    assert not _day_at_the_end(state, [], ["press"]).drained(), "a ticket still waits"
    execute(state, c.call(1), 1.0e9 + 60)
    assert not _day_at_the_end(state, [], ["press"]).drained(), "window 1 still serves"
    execute(state, c.finish(1), 1.0e9 + 120)
    assert not _day_at_the_end(state, [{"t": "key"}], ["press"]).drained(), "a press on its way"
    # two presses seen, one ticket: the tickets invariant reports it; the hall is drained
    assert _day_at_the_end(state, [], ["press", "press"]).drained()
