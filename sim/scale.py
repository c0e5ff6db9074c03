"""How many simulated devices one machine holds: a synthetic hall of N devices (one printer,
the rest window displays and pads), each running the real firmware in its own thread, with
a longer loop period. Prints, per size, how long the hall took to come into service and how
the press -> printed ticket latency grew.

    python -m sim.scale 200 500 1000 [--poll-ms 1000] [--json out.json]
"""
import argparse
import json
import os
import resource
import sys
import tempfile
import threading
import time

from gateway import config
from sim.rig import Rig


def synthetic_hall(devices, path):
    """A hall file with `devices` devices: printer-1, then display/pad pairs for windows."""
    windows = max(1, (devices - 1) // 2)
    lines = ["[hall]", 'id = "scale-%d"' % devices, 'name = "Synthetic hall of %d devices"' % devices,
             "rating_levels = 5", "rating_timeout_s = 30", "",
             "[[service]]", 'code = "A"', 'name = "Everything"', "time_limit_min = 20", ""]
    for n in range(1, windows + 1):
        lines += ["[[window]]", "number = %d" % n, 'services = ["A"]', ""]
    lines += ["[[device]]", 'id = "printer-1"', 'kind = "printer"', 'board = "hm-printer-v1"', 'keys = { k1 = "A" }', ""]
    made = 1
    for n in range(1, windows + 1):
        for kind, board in (("display", "hm-display-v1"), ("pad", "hm-pad-v1")):
            if made >= devices:
                break
            lines += ["[[device]]", 'id = "%s-%d"' % (kind, n), 'kind = "%s"' % kind, 'board = "%s"' % board,
                      "window = %d" % n, ""]
            made += 1
    with open(path, "w") as f:
        f.write("\n".join(lines))
    config.load(path)      # the synthetic file must be a valid hall
    return path


def measure(devices, poll_ms, presses=10, workdir=None):
    workdir = workdir or tempfile.mkdtemp(prefix="hallmesh-scale-")
    hall = synthetic_hall(devices, os.path.join(workdir, "hall.toml"))
    rig = Rig(hall, os.path.join(workdir, "run"), poll_ms=poll_ms)
    row = {"devices": devices, "poll_ms": poll_ms}
    started = time.monotonic()
    try:
        rig.start(ready_timeout=300.0)
        row["ready_s"] = round(time.monotonic() - started, 1)
        row["threads"] = threading.active_count()
        cpu0, t0 = time.process_time(), time.monotonic()
        time.sleep(5)
        row["idle_cpu_share"] = round((time.process_time() - cpu0) / (time.monotonic() - t0), 2)
        printer = rig.devices["printer-1"]
        latencies = []
        key = printer.board.pin(printer.spec["keys"]["k1"])
        for n in range(presses):
            before = len(printer.tickets())
            t = time.monotonic()        # from the finger going down to the ticket on paper
            key.drive(0)
            rig.devices.wait_until(lambda: len(printer.tickets()) > before, 60, "ticket %d" % (n + 1))
            latencies.append(time.monotonic() - t)
            key.drive(1)
            time.sleep(2.5 * poll_ms / 1000.0)   # the firmware sees the release before the next press
        latencies.sort()
        row["ticket_ms_p50"] = round(1000 * latencies[len(latencies) // 2])
        row["ticket_ms_max"] = round(1000 * latencies[-1])
        row["crashes"] = sum(d.crashes for d in rig.devices.devices.values())
        row["held"] = True
    except AssertionError as exc:
        row["held"] = False
        row["error"] = str(exc)[:200]
    finally:
        rig.stop()
    return row


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m sim.scale")
    p.add_argument("sizes", nargs="*", type=int, default=[200, 500, 1000])
    p.add_argument("--poll-ms", type=int, default=1000, help="firmware loop period (ms)")
    p.add_argument("--json", help="write the rows here too")
    ns = p.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # a socket and files per device
    rows = []
    for size in ns.sizes:
        row = measure(size, ns.poll_ms)
        rows.append(row)
        print(json.dumps(row), flush=True)
    if ns.json:
        with open(ns.json, "w") as f:
            json.dump(rows, f, indent=2)
    return 0 if all(r["held"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
