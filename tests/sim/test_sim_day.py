"""A short accelerated day with every fault kind: the invariant check holds, and a second run
with the same seed gives the same deterministic report."""
import textwrap

from sim import scenario as scenariolib
from sim.day import run_day
from sim.faults import KINDS

HALL = __file__.rsplit("/tests/", 1)[0] + "/halls/sim-riverside.toml"

FAULTY_DAY = textwrap.dedent("""
    [scenario]
    name = "short faulty morning"
    hall = "%s"
    date = "2026-03-02"
    start = "09:00"
    end = "09:06"
    drain_min = 30
    speed = 40
    seed = 11

    [population]
    no_show = 0.15
    green_share = 0.2
    rate_share = 0.9
    rate_delay_s = [2, 8]
    bounce_share = 0.3

    [service.A]
    arrivals = { "09" = 70 }
    service_min = [2, 1]

    [service.C]
    arrivals = { "09" = 50 }
    service_min = [1.5, 0.5]

    [[fault]]
    kind = "wifi_loss"
    target = "pads"
    at_s = 30
    duration_s = 40

    [[fault]]
    kind = "paper_out"
    target = "printer-2"
    at_s = 60
    duration_s = 60

    [[fault]]
    kind = "key_bounce"
    target = "printer-*"
    at_s = 0
    duration_s = 300
    bounces = 6

    [[fault]]
    kind = "clock_skew"
    target = "pad-3"
    at_s = 0
    duration_s = 400
    ppm = 20000
    offset_ms = 3000

    [[fault]]
    kind = "gateway_kill"
    at_s = 140
    duration_s = 30

    [[fault]]
    kind = "power_cycle"
    target = "display-5"
    at_s = 180
    duration_s = 20

    [[fault]]
    kind = "power_cycle"
    target = "printer-1"
    at_s = 200
    duration_s = 20

    [[fault]]
    kind = "broker_kill"
    at_s = 260
    duration_s = 20
    """) % HALL


def test_a_faulty_accelerated_day_keeps_every_invariant_and_repeats(tmp_path):
    path = tmp_path / "faulty.toml"
    path.write_text(FAULTY_DAY)
    reports = []
    for run in ("first", "second"):
        scenario = scenariolib.load(str(path))
        assert {f.kind for f in scenario.faults} == set(KINDS)
        passed, data, report, results = run_day(scenario, str(tmp_path / run))
        assert passed, "\n".join("%s: %s" % (name, detail) for name, ok, detail in results if not ok)
        reports.append(data["deterministic"])
        text = open(report).read()
        assert "all invariants hold" in text and "![](charts/tickets-per-service.png)" in text
    assert reports[0] == reports[1]
    issued = reports[0]["issued_per_service"]
    assert sum(issued.values()) == reports[0]["planned_total"] > 0
