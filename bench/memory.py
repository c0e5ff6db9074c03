"""Firmware memory: each app under MicroPython (the official WebAssembly build, 32-bit like an
ESP32) for a long run of events in a heap of 64 KB that may not grow (tests/firmware/heap_run.py,
one MicroPython process per app). The firmware is precompiled with mpy-cross as flash.sh puts
it on a board; the printer gets the retained messages the gateway's own code builds for a
printer of `services` services with a lease each.

Figures per app: `live`, the most bytes in use right after a collection; `need`, the most in
use at the end of one step of the main loop, before anything of it was freed (this build
collects only between steps, an ESP32 also inside one, so `need` errs high). Both include the
test harness, the fake hardware and the rig (`baseline`: what the harness holds before any of
them is imported). The heap is 64 KB on top of that baseline (measured in a first, empty
run), and the run fails when the heap's total size changed: some step needed more.
"""
import json
import os
import re
import tempfile

from bench.stats import row, unavailable
from tests.support import micropython

APPS = ("printer-1", "display-3", "hall-display", "pad-3")
BUDGET = 64 * 1024
MICROPYTHON = "1.27.0"
SERVICES = 6                       # the printer of the example halls: six services, six leases
COMPILED = ("protocol", "firmware", "tests/firmware")
SOURCE_ONLY = ("heap_run.py",)     # run from source by run.mjs --exec
T0 = 1795420800                    # 2026-11-23 09:00 at the hall (UTC+8)


class HeapGrew(AssertionError):
    """A step needed more heap than the run was given."""


def compile_firmware(out):
    """protocol/, firmware/ and the test rig as .mpy files under `out` (as on a board)."""
    from gateway.fleet.build import MpyCompiler
    compiler = MpyCompiler(MICROPYTHON)
    for top in COMPILED:
        for folder, dirs, files in os.walk(os.path.join(micropython.REPO, top)):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            rel = os.path.relpath(folder, micropython.REPO)
            os.makedirs(os.path.join(out, rel), exist_ok=True)
            for name in files:
                if name.endswith(".py") and name not in SOURCE_ONLY and not name.startswith("test_"):
                    compiler.one(os.path.join(folder, name), os.path.join(out, rel, name[:-3] + ".mpy"))
    open(os.path.join(out, "tests", "__init__.py"), "w").close()


def printer_hall(services):
    from gateway import config
    codes = [chr(65 + i // 26) + chr(65 + i % 26) if services > 26 else chr(65 + i) for i in range(services)]
    hall = {"hall": {"id": "riverside", "name": "Riverside Service Centre", "utc_offset": "+08:00"},
            "service": [{"code": c, "name": "Residence and business permits %s" % c, "time_limit_min": 20}
                        for c in codes],
            "window": [{"number": 1, "services": codes}],
            "device": [{"id": "printer-1", "kind": "printer", "board": "hm-printer-v1",
                        "keys": {"k%d" % (i + 1): c for i, c in enumerate(codes)}}]}
    return config.parse(hall, "bench.toml")


def busy_hall(language="zh"):
    """The 20-window service centre of the simulator, in Chinese (longer device text), with
    every window serving a ticket it called: the largest views its displays and pads get."""
    import tomllib

    from gateway import config
    path = os.path.join(micropython.REPO, "halls", "sim-service-centre-20.toml")
    with open(path, "rb") as f:
        data = tomllib.load(f)
    data["hall"]["language"] = language
    return config.parse(data, path)


def _retained(state, device, now):
    from gateway import device_text, views
    out = []
    for suffix, body in views.device_messages(state, device, now):
        # as the gateway publishes them (service._refresh_view)
        if suffix == "view":
            msg = device_text.decorate_view(state.hall, dict(body, seq=1))
        else:
            msg = device_text.decorate_lease(state.hall, body)
        out.append([suffix, msg])
    return out


def gateway_messages(services=SERVICES, rounds=4):
    """{app: [[[topic suffix, message], ...], ...]}: what the gateway publishes retained for
    each device, round after round, built by the gateway's own code (views, device text, leases). The printer's hall
    has `services` services with a lease each; the displays' and pads' is busy_hall(), called
    `rounds` times over so a display sees new calls."""
    from gateway import views
    from gateway.engine import apply, commands, decide, execute, leases, new_state
    hall = printer_hall(services)
    state = new_state(hall)
    printer = hall.devices["printer-1"]
    for ev in decide(state, leases.lease(printer.id, views.printer_services(printer)), T0):
        apply(state, ev)
    sent = {"printer-1": [_retained(state, printer, T0)]}
    hall = busy_hall()
    state = new_state(hall)
    now = T0
    kinds = {"hall-display": lambda d: d.kind == "display" and d.shows == "hall",
             "display-3": lambda d: d.kind == "display" and d.shows != "hall",
             "pad-3": lambda d: d.kind == "pad"}
    for app in kinds:
        sent[app] = []
    for _ in range(rounds):
        for number, window in sorted(hall.windows.items()):
            for svc in window.services:
                now += 7
                execute(state, commands.issue(svc, "printer-1"), now)
            if state.current(number) is not None:
                execute(state, commands.finish(number), now)
            execute(state, commands.call(number), now)
        for app, fits in kinds.items():
            device = next(d for d in hall.devices.values() if fits(d))
            sent[app].append(_retained(state, device, now))
    return sent


def _total(out):
    sizes = re.findall(r"GC: total: (\d+)", out)
    return int(sizes[-1]) if sizes else None


def heapsize(usable):
    """The heapsize option that gives `usable` bytes of heap: the collector keeps 3 bits of
    tables per 16-byte block (65,536 gives 64,000)."""
    return (usable * 131 + 127) // 128 + 64


def _run(tmp, app, events, heap):
    return micropython.run([], ["boards"], heap=heap, paths=["tests/firmware/fakes", "firmware"],
                           script="tests/firmware/heap_run.py", args=[app, str(events), "/gateway.json"],
                           files={"/lib": os.path.join(tmp, "lib"), "/gateway.json": os.path.join(tmp, "gw.json")},
                           timeout=600)



def peak_heap(app, events, services=SERVICES, budget=BUDGET):
    """{baseline, live, need, total, worst} bytes for one app after `events` rounds, in a heap
    of `budget` bytes on top of what the harness holds; HeapGrew when a step needed more."""
    with tempfile.TemporaryDirectory() as tmp:
        compile_firmware(os.path.join(tmp, "lib"))
        with open(os.path.join(tmp, "gw.json"), "w") as f:   # "<round> <suffix> <payload>" lines, this app's
            for number, sent in enumerate(gateway_messages(services).get(app, [])):
                for suffix, msg in sent:
                    f.write("%d %s %s\n" % (number, suffix, json.dumps(dict(msg, v=1), ensure_ascii=False)))
        code, out = _run(tmp, "baseline", 0, heapsize(budget))
        found = re.search(r"baseline (\d+)", out)
        if code != 0 or not found:
            raise RuntimeError("heap baseline run failed:\n%s" % out[-2000:])
        heap = budget + int(found.group(1))
        code, out = _run(tmp, app, events, heapsize(heap))
    if (_total(out) or 0) < heap:
        raise RuntimeError("asked for a heap of %d bytes, MicroPython made %s" % (heap, _total(out)))
    grew = re.search(r"heap-grew (\S+) (\d+) (\d+) (\S+)", out)
    if grew:
        raise HeapGrew("%s needed more than its %d-byte heap at event %s (step %s): the heap grew by %s bytes"
                       % (app, heap, grew.group(2), grew.group(4), grew.group(3)))
    found = re.search(r"heap (\S+) (\d+) (\d+) (\d+) (\d+) (\S+)", out)
    if code != 0 or not found:
        raise RuntimeError("heap run of %s failed:\n%s" % (app, out[-2000:]))
    return {"baseline": int(found.group(3)), "live": int(found.group(4)), "need": int(found.group(5)),
            "worst": found.group(6), "total": _total(out)}


def firmware_memory(ctx):
    if not micropython.runner_ready():
        return [unavailable("firmware peak heap per app", "MicroPython WebAssembly runner not installed")]
    events = 100 if ctx.quick else 1000
    rows = []
    for app in APPS:
        try:
            got = peak_heap(app, events)
        except HeapGrew as exc:
            rows.append(unavailable("firmware heap need, %s (%d events)" % (app, events), str(exc)))
            continue
        rows.append(row("firmware heap need, %s (%d events)" % (app, events), (got["need"] - got["baseline"]) / 1024.0,
                        "KB", baseline=BUDGET / 1024.0, baseline_name="heap given: 64 KB, may not grow",
                        limit="most in use at the end of a step (%s) above the harness's %.1f KB, fakes and "
                              "rig included; live after collection %.1f KB"
                              % (got["worst"], got["baseline"] / 1024.0, (got["live"] - got["baseline"]) / 1024.0),
                        note="MicroPython %s WebAssembly (32-bit), firmware as .mpy" % MICROPYTHON))
    return rows
