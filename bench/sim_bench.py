"""The simulator's own figures: how many devices running the real firmware one machine holds
(sim/scale.py, a synthetic hall, loop period 1 s), and how much faster than real time an
accelerated day runs while every invariant holds (sim/day.py)."""
import os
import resource
import tempfile
import textwrap

from bench.stats import row
from sim import scenario as scenariolib
from sim.day import run_day
from sim.scale import measure

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HALL = os.path.join(REPO, "halls", "sim-riverside.toml")


def scale(ctx):
    """Devices held at once: the largest size whose every device came into service and whose
    printer still printed; press-to-print there beside the smallest size's."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))     # a socket and files per device
    sizes = (20, 100) if ctx.quick else (100, 1000)
    rows = [measure(n, poll_ms=1000, presses=5) for n in sizes]
    held = [r for r in rows if r["held"]]
    if not held:
        return [row("simulator scale: devices held at once", 0, "devices", note="none held: %s" % rows[0].get("error"))]
    top, base = held[-1], held[0]
    steps = "; ".join("%d devices: in service %.0f s after power-on, idle CPU %.0f %% of a core, press-to-print "
                      "%d ms" % (r["devices"], r["ready_s"], 100 * r["idle_cpu_share"], r["ticket_ms_p50"])
                      if r["held"] else "%d devices: not held (%s)" % (r["devices"], r.get("error")) for r in rows)
    return [row("simulator scale: devices held at once", top["devices"], "devices",
                limit="one thread per device in one process (GIL), firmware loop every 1 s, 2 cores",
                note="real firmware, each in service, no crash; " + steps),
            row("  press-to-print with %d devices running" % top["devices"], top["ticket_ms_p50"], "ms",
                baseline=base["ticket_ms_p50"], baseline_name="same with %d devices" % base["devices"],
                limit="every device's loop shares the CPU", note="from the key going down to the ticket cut; with a 1 s loop the key is seen up to 1 s late")]


# a busy but servable hour: A is served at windows 1-3 (35 x 4 min < 3 x 60 min), C at 5-6
DAY = """
[scenario]
name = "benchmark morning"
hall = "%s"
date = "2026-03-02"
start = "09:00"
end = "%s"
drain_min = 30
speed = %d
seed = 5

[population]
no_show = 0.1
rate_share = 0.9
rate_delay_s = [2, 8]

[service.A]
arrivals = { "09" = 35 }
service_min = [4, 1]

[service.C]
arrivals = { "09" = 25 }
service_min = [3, 1]
"""


def accelerated_day(ctx):
    """Simulated time / wall time of a day run at a speed factor, invariants checked."""
    end, speed = ("09:20", 40) if ctx.quick else ("10:00", 60)
    folder = tempfile.mkdtemp(prefix="hallmesh-bench-day-")
    path = os.path.join(folder, "day.toml")
    with open(path, "w") as f:
        f.write(textwrap.dedent(DAY % (HALL, end, speed)))
    passed, data, report, results = run_day(scenariolib.load(path), os.path.join(folder, "out"))
    wall, simulated = data["measured"]["real_s"], data["measured"]["sim_s"]
    failed = [name for name, ok, _ in results if not ok]
    return [row("accelerated day: simulated / wall time", simulated / wall, "x", baseline=speed,
                baseline_name="the speed factor asked for",
                limit="devices, gateway and population share 2 cores; a slower machine falls behind the factor",
                note="%.0f simulated min in %.0f s wall, invariants %s" % (
                    simulated / 60, wall, "all held" if passed else "BROKEN: " + ", ".join(failed)))]
