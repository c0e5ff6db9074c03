"""Firmware memory: each app's peak heap under MicroPython (the official WebAssembly build)
after a long run of events on fake hardware (tests/firmware/heap_run.py, one MicroPython
process per app). Peak = highest live heap (gc.mem_alloc() right after gc.collect()) above
the interpreter's own start, fakes and test rig included, so it errs high. The limit is the
64 KB an ESP32 without PSRAM can spare for the application."""
import re

from bench.stats import row, unavailable
from tests.support import micropython

APPS = ("printer-1", "display-3", "hall-display", "pad-3")
MOUNTS = ["protocol", "firmware", "boards", "tests/firmware"]
PATHS = ["tests/firmware/fakes", "firmware"]
BUDGET = 64 * 1024


def peak_heap(app, events):
    """(baseline, peak) bytes of live heap for one app after `events` rounds."""
    code, out = micropython.run([], MOUNTS, paths=PATHS, script="tests/firmware/heap_run.py",
                                args=[app, str(events)], timeout=600)
    found = re.search(r"heap (\S+) (\d+) (\d+) (\d+)", out)
    if code != 0 or not found:
        raise RuntimeError("heap run of %s failed:\n%s" % (app, out[-2000:]))
    return int(found.group(3)), int(found.group(4))


def firmware_memory(ctx):
    if not micropython.runner_ready():
        return [unavailable("firmware peak heap per app", "MicroPython WebAssembly runner not installed")]
    events = 100 if ctx.quick else 1000
    rows = []
    for app in APPS:
        baseline, peak = peak_heap(app, events)
        used = peak - baseline
        rows.append(row("firmware peak heap, %s (%d events)" % (app, events), used / 1024.0, "KB",
                        baseline=BUDGET / 1024.0, baseline_name="ESP32 app budget 64 KB",
                        limit="modules compiled to RAM + JSON of each message; .mpy and frozen "
                              "modules would lower it", note="MicroPython %s WebAssembly" % "1.27"))
    return rows
