"""Figures that need the simulated hall (sim/hall.py running the real firmware): press-to-print
and call-to-display latency with the hall busy, and how many devices this machine holds.

The gateway runs as its own process (`python -m gateway gateway`), as it is deployed; the
simulated devices share this process, as they share a board farm's bench. When the simulator
is absent these figures are reported as "not available" with the reason, never as a number.
"""
import os
import sys
import threading
import time

from bench.context import REPO
from bench.stats import row, summary_ms, unavailable
from sim.processes import ChildProcess

MEASURE = {"printer-1", "pad-3", "display-3"}
# busy: printer-2 issues C..F tickets; windows 5-8 serve only those, so window 3 calls the
# A tickets of printer-1 and each timed call is of a ticket this benchmark knows
BUSY_KEYS = ("k3", "k4", "k5", "k6")
BUSY_PADS = ("pad-5", "pad-6", "pad-7", "pad-8")
BUSY = {"printer-2", "hall-display", "display-5", "display-6", "display-7", "display-8"} | set(BUSY_PADS)
POLL_S = 0.001


def sim_missing():
    """None when the simulator can run here, else why not."""
    if not os.path.exists(os.path.join(REPO, "sim", "hall.py")):
        return "sim/hall.py does not exist yet"
    try:
        import sim.hall  # noqa: F401
    except Exception as exc:  # noqa: BLE001 - any import failure means: not runnable here
        return "sim.hall does not import: %s: %s" % (type(exc).__name__, exc)
    return None


class GatewayProcess(ChildProcess):
    """The gateway in its own process, as a hall runs it (and as a benchmark may kill it)."""

    def __init__(self, ctx, db, hall_file=None):
        ChildProcess.__init__(self, [sys.executable, "-m", "gateway", "gateway", "--hall", hall_file or ctx.hall_file,
                                     "--db", db, "--broker", "127.0.0.1:%d" % ctx.port], db + ".log")


class Finger:
    """Holds a key down until told to lift it, so the timed press has no fixed hold in it."""

    def __init__(self, device, key):
        pins = device.spec["keys"]
        self.pin = device.board.pin(pins[key])
        self.active = device.spec.get("key_active", 0)

    def down(self):
        self.pin.drive(self.active)

    def up(self):
        self.pin.drive(1 - self.active)


def wait_for(predicate, timeout, what):
    deadline = time.perf_counter() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.perf_counter() > deadline:
            raise TimeoutError("waited %.0f s for %s" % (timeout, what))
        time.sleep(POLL_S)


class UartWatch:
    """Sees new bytes on a device's UART without re-parsing everything on every poll."""

    def __init__(self, device, part):
        self.uart = device.board.uart(device.spec[part]["uart"])
        self.seen = len(self.uart.written)

    def grew(self):
        size = len(self.uart.written)
        if size != self.seen:
            self.seen = size
            return True
        return False


def timed_press(device, key, done, timeout=20.0, what="a result"):
    """Seconds from the key going down to done() being true (polled each ms); key then lifted."""
    finger = Finger(device, key)
    start = time.perf_counter()
    finger.down()
    try:
        wait_for(done, timeout, what)
        return time.perf_counter() - start
    finally:
        finger.up()
        time.sleep(0.12)      # off the key for more than a poll: the next press is a new one


class Busy:
    """Other citizens and windows at work while the timed presses run."""

    def __init__(self, sim):
        self.sim, self.stop_flag = sim, threading.Event()
        self.threads = [threading.Thread(target=self._printer, daemon=True)]
        self.threads += [threading.Thread(target=self._window, args=(pad,), daemon=True) for pad in BUSY_PADS]
        self.presses = 0

    def start(self):
        for t in self.threads:
            t.start()
        return self

    def stop(self):
        self.stop_flag.set()
        for t in self.threads:
            t.join(10)

    def _press(self, device, key):
        if not self.stop_flag.is_set():
            device.press(key)
            self.presses += 1

    def _printer(self):
        n = 0
        while not self.stop_flag.is_set():
            self._press(self.sim["printer-2"], BUSY_KEYS[n % len(BUSY_KEYS)])
            n += 1
            self.stop_flag.wait(0.15)

    def _window(self, pad_id):
        pad = self.sim[pad_id]
        while not self.stop_flag.is_set():
            for key in ("call", "finish", "r5"):
                self._press(pad, key)
            self.stop_flag.wait(0.2)


class HallUnderTest:
    """Broker (the run's), gateway process, and the simulated devices `only`."""

    def __init__(self, ctx, tag, only, hall_file=None):
        from gateway import config
        from sim.hall import SimHall
        self.ctx = ctx
        self.db = ctx.path("%s.db" % tag)
        self.gateway = GatewayProcess(ctx, self.db, hall_file)
        hall = config.load(hall_file or ctx.hall_file)
        self.sim = SimHall(hall, "127.0.0.1", ctx.port, ctx.path("flash-" + tag), only=only)

    def __enter__(self):
        self.gateway.start()
        self.sim.start()
        return self

    def __exit__(self, *exc):
        self.sim.stop()
        self.gateway.stop()


def _take_ticket(sim):
    printer = sim["printer-1"]
    watch = UartWatch(printer, "printer")
    seconds = timed_press(printer, "k1", watch.grew, what="printer-1 to print")
    return seconds, printer.tickets()[-1].largest().text


def _call(sim, number):
    display = sim["display-3"]
    watch = UartWatch(display, "panel")
    seconds = timed_press(sim["pad-3"], "call", lambda: watch.grew() and number in display.shows(),
                          what="%s on display-3" % number)
    return seconds


def _finish(sim, number):
    pad = sim["pad-3"]
    pad.press("finish")
    sim.wait_until(lambda: "Serving" not in pad.shows().split("\n")[0], 20, "pad-3 to finish %s" % number,
                   seen=pad.shows)


class EventSpy:
    """Notes when a device's event reaches the broker: splits a latency into the device's
    share (key to event out) and the rest (event to result)."""

    def __init__(self, port, hall_id, device_ids):
        from bench.mqtt_clients import Collector
        topics = ["hm/%s/dev/%s/%s" % (hall_id, d, ch) for d in device_ids for ch in ("evt", "ack")]
        self.spy = Collector(port, "bench-spy", topics)

    def first_after(self, topic_part, start, channel="/evt"):
        with self.spy.cond:
            for at, topic, _ in self.spy.messages:
                if at >= start and topic_part in topic and topic.endswith(channel):
                    return at - start
        return None

    def gateway_share(self, topic_part, start):
        """Seconds from the device's first event after `start` to the first ack after it."""
        sent = self.first_after(topic_part, start)
        acked = self.first_after(topic_part, start, "/ack")
        return None if sent is None or acked is None else acked - sent

    def close(self):
        self.spy.close()


def _median_ms(values):
    values = [v for v in values if v is not None]
    return summary_ms(values)["median"] if values else float("nan")


def latency(ctx):
    missing = sim_missing()
    if missing:
        return [unavailable("press-to-print latency", missing), unavailable("call-to-display latency", missing)]
    from bench.floor import broker_round_trip
    samples = ctx.size["latency_samples"]
    prints, calls, print_out, call_out, print_gw, call_gw = [], [], [], [], [], []
    with HallUnderTest(ctx, "latency", None) as hut:
        hut.sim.wait_ready(60)
        spy = EventSpy(ctx.port, hut.sim.hall.id, ["printer-1", "pad-3"])
        busy = Busy(hut.sim).start()
        try:
            time.sleep(1.0)
            floor = broker_round_trip(ctx.port, ctx.size["floor_samples"])
            for _ in range(samples):
                start = time.perf_counter()
                seconds, number = _take_ticket(hut.sim)
                prints.append(seconds)
                print_out.append(spy.first_after("/printer-1/", start))
                print_gw.append(spy.gateway_share("/printer-1/", start))
                start = time.perf_counter()
                calls.append(_call(hut.sim, number))
                call_out.append(spy.first_after("/pad-3/", start))
                call_gw.append(spy.gateway_share("/pad-3/", start))
                _finish(hut.sim, number)
        finally:
            busy.stop()
            spy.close()
    p, c = summary_ms(prints), summary_ms(calls)
    idle = ctx.floor()
    note = ("%d samples each, key down to ticket bytes on the printer UART / number on display-3's panel; "
            "hall busy: printer-2 and windows 5-8 pressing all along (%d presses), all %d devices of the hall "
            "running the firmware; floor measured meanwhile (idle floor %.2f ms)"
            % (samples, busy.presses, len(hut.sim.devices), idle["median"]))
    share = ("medians of the parts: key to event at the broker %.0f ms (edge-latched key, loop wakes on it), "
             "event to ack at the broker %.0f ms (gateway: SQLite commit with fsync, then the ack)")
    return [
        row("press-to-print latency, median", p["median"], "ms", baseline=floor["median"],
            baseline_name="broker round trip, busy", limit=share % (_median_ms(print_out), _median_ms(print_gw))
            + "; then the printer wakes on the ack and prints", note=note),
        row("press-to-print latency, p99", p["p99"], "ms", baseline=floor["p99"],
            baseline_name="broker round trip p99, busy",
            limit="firmware poll loop + thread scheduling of %d simulated devices on 2 cores" % len(hut.sim.devices)),
        row("call-to-display latency, median", c["median"], "ms", baseline=floor["median"],
            baseline_name="broker round trip, busy", limit=share % (_median_ms(call_out), _median_ms(call_gw))
            + "; then the view to the display, which wakes on it"),
        row("call-to-display latency, p99", c["p99"], "ms", baseline=floor["p99"],
            baseline_name="broker round trip p99, busy", limit="two device poll loops + thread scheduling on 2 cores"),
    ]


SERVICES = ("A", "B", "C", "D", "E", "F")


def hall_toml(windows):
    """A hall of `windows` windows, each with its display and pad, one printer, one hall display."""
    out = ['[hall]\nid = "scale"\nname = "Scale test hall"\nrating_levels = 5\nrating_timeout_s = 30\n']
    for code in SERVICES:
        out.append('[[service]]\ncode = "%s"\nname = "Service %s"\ntime_limit_min = 20\n' % (code, code))
    for n in range(1, windows + 1):
        out.append('[[window]]\nnumber = %d\nservices = ["%s"]\n' % (n, SERVICES[(n - 1) % len(SERVICES)]))
    keys = ", ".join('k%d = "%s"' % (i + 1, code) for i, code in enumerate(SERVICES))
    out.append('[[device]]\nid = "printer-1"\nkind = "printer"\nboard = "hm-printer-v1"\nkeys = { %s }\n' % keys)
    out.append('[[device]]\nid = "hall-display"\nkind = "display"\nboard = "hm-display-v1"\nshows = "hall"\n')
    for n in range(1, windows + 1):
        out.append('[[device]]\nid = "display-%d"\nkind = "display"\nboard = "hm-display-v1"\nwindow = %d\n' % (n, n))
        out.append('[[device]]\nid = "pad-%d"\nkind = "pad"\nboard = "hm-pad-v1"\nwindow = %d\n' % (n, n))
    return "\n".join(out)


def _all_in_service(sim):
    """Every status LED on, and still on a moment later (steady, not a blink)."""
    leds = [dev for dev in sim.devices.values() if "status" in dev.spec.get("leds", {})]
    if not all(dev.led("status") for dev in leds):
        return False
    time.sleep(0.1)
    return all(dev.led("status") for dev in leds)


def _scale_step(ctx, windows, presses):
    """(devices, seconds until all in service, [press-to-print seconds]) or raises on failure."""
    hall_file = ctx.path("scale-%d.toml" % windows)
    with open(hall_file, "w") as f:
        f.write(hall_toml(windows))
    hut = HallUnderTest(ctx, "scale-%d" % windows, None, hall_file)
    start = time.perf_counter()       # gateway process and every device powered on from here
    with hut:
        wait_for(lambda: _all_in_service(hut.sim), 30 + windows, "all %d devices in service" % len(hut.sim.devices))
        ready = time.perf_counter() - start
        times = [_take_ticket(hut.sim)[0] for _ in range(presses)]
        crashed = sum(dev.crashes for dev in hut.sim.devices.values())
        if crashed:
            raise RuntimeError("%d firmware crashes with %d devices" % (crashed, len(hut.sim.devices)))
        return len(hut.sim.devices), ready, times


def scale(ctx):
    missing = sim_missing()
    if missing:
        return [unavailable("simulator scale: devices held at once", missing)]
    ladder = [w for w in (4, 64, 256) if 2 * w + 2 <= ctx.size["scale_max"]] or [4]
    presses = 3 if ctx.quick else 6
    held, first, last, failure, steps = 0, None, None, "", []
    for windows in ladder:
        try:
            devices, ready, times = _scale_step(ctx, windows, presses)
        except Exception as exc:  # noqa: BLE001 - the step that fails is the limit we look for
            failure = "%d windows failed: %s: %s" % (windows, type(exc).__name__, exc)
            break
        median = summary_ms(times)["median"]
        steps.append("%d devices: all in service %.1f s after power-on, press-to-print %.0f ms" % (devices, ready, median))
        first = first or (devices, median)
        last, held = (devices, median), devices
        if median > 1000:
            failure = "press-to-print over 1 s at %d devices" % devices
            break
    if not held:
        return [unavailable("simulator scale: devices held at once", failure or "no step ran")]
    ceiling = failure or "top of the ladder (%d devices max in this preset)" % ctx.size["scale_max"]
    note = "; ".join(steps) + "; stopped: " + ceiling
    return [
        row("simulator scale: devices held at once", held, "devices",
            limit="one Python thread per device polling every 50 ms, all in one process (GIL), 2 cores",
            note="real firmware, every device in service (status LED steady), no crash; " + note),
        row("  press-to-print with %d devices running" % last[0], last[1], "ms", baseline=first[1],
            baseline_name="same with %d devices" % first[0],
            limit="CPU shared by every device's poll loop", note="%d presses per step, hall idle otherwise" % presses),
    ]


OUTAGE_S = 2.0


def _gateway_online(port, hall_id):
    """A probe on the gateway's retained state topic; .online() once it says on=True."""
    import json
    from bench.mqtt_clients import Collector
    probe = Collector(port, "bench-gw-probe-%d" % time.monotonic_ns(), ["hm/%s/gw/state" % hall_id])

    def online():
        with probe.cond:
            return any(json.loads(payload).get("on") for _, _, payload in probe.messages)
    return probe, online


def broker_restart(ctx):
    """Devices back in service and display-3 showing its ticket again after the broker went
    away for OUTAGE_S and came back empty (no persistence: every retained view is lost)."""
    missing = sim_missing()
    if missing:
        return [unavailable("recovery after a broker restart", missing)]
    runs, gw_runs = [], []
    with HallUnderTest(ctx, "restart", None) as hut:
        sim = hut.sim
        sim.wait_ready(60)
        _, number = _take_ticket(sim)
        _call(sim, number)
        display = sim["display-3"]
        for _ in range(ctx.size["repeats"]):
            ctx.broker.stop()
            sim.wait_until(lambda: "Service paused" in display.shows(), 60, "display-3 to notice the outage",
                           seen=display.shows)
            time.sleep(OUTAGE_S)
            ctx.broker.start()
            start = time.perf_counter()
            probe, gw_online = _gateway_online(ctx.port, sim.hall.id)
            try:
                wait_for(gw_online, 60, "the gateway back online")
                gw_runs.append(time.perf_counter() - start)
                for dev in sim.devices.values():
                    wait_for(dev.in_service, 90, "%s back in service" % dev.id)
                wait_for(lambda: number in display.shows() and "Service paused" not in display.shows(), 30,
                         "display-3 showing %s again" % number)
                runs.append(time.perf_counter() - start)
            finally:
                probe.close()
    best_gw = min(gw_runs)
    return [row("broker restart: all %d devices back, displays correct" % len(sim.devices), min(runs), "s",
                baseline=best_gw, baseline_name="gateway (paho) back online",
                limit="device link backoff after the outage (1 s doubling, with jitter) and keepalive",
                note="Mosquitto stopped for %.0f s and restarted empty, best of %d; measured from the broker "
                     "listening again until every status LED is steady and display-3 shows %s again"
                     % (OUTAGE_S, len(runs), number))]


WEAR_DEVICES = ("printer-1", "pad-3", "display-3")


def _acked_after(spy, device_id, start, timeout=20.0):
    wait_for(lambda: spy.first_after("/%s/" % device_id, start, "/ack") is not None, timeout,
             "an ack to %s" % device_id)


def _rate(sim, spy):
    start = time.perf_counter()
    sim["pad-3"].press("r5")
    _acked_after(spy, "pad-3", start)


def flash_wear(ctx):
    """Flash writes per online ticket and per rating, counted on the simulated boards' flash
    (sim/flash_meter.py: every file the firmware opens for writing), beside what writing at
    every outbox change would cost: an add and a removal for each event the device sent."""
    missing = sim_missing()
    if missing:
        return [unavailable("flash writes per online ticket", missing),
                unavailable("flash writes per rating", missing)]
    from sim.flash_meter import FlashMeter
    samples = max(6, ctx.size["latency_samples"] // 3)
    hut = HallUnderTest(ctx, "wear", set(WEAR_DEVICES))
    meter = FlashMeter({dev: hut.sim[dev].root for dev in WEAR_DEVICES})
    rating_writes, events = 0, {"printer-1": 0, "pad-3": 0}
    try:
        with hut:
            hut.sim.wait_ready(60)
            boot = dict(meter.writes)
            spy = EventSpy(ctx.port, hut.sim.hall.id, ["printer-1", "pad-3"])
            try:
                printer_from = meter.writes["printer-1"]
                for _ in range(samples):
                    _, number = _take_ticket(hut.sim)
                    _call(hut.sim, number)
                    _finish(hut.sim, number)
                    before = meter.writes["pad-3"]
                    _rate(hut.sim, spy)
                    rating_writes += meter.writes["pad-3"] - before
                ticket_writes = meter.writes["printer-1"] - printer_from
                with spy.spy.cond:
                    for _, topic, _ in spy.spy.messages:
                        for dev in events:
                            if "/%s/evt" % dev in topic:
                                events[dev] += 1
            finally:
                spy.close()
    finally:
        meter.close()
    per_ticket = ticket_writes / samples
    per_rating = rating_writes / samples
    printer_events = events["printer-1"] / samples      # a key and its print report, resends aside
    note = ("%d tickets printed online on printer-1 and %d ratings on pad-3 (each after a call and a finish); "
            "writes at boot: %s; display-3 wrote %d times after boot"
            % (samples, samples, ", ".join("%s %d" % (d, boot.get(d, 0)) for d in WEAR_DEVICES),
               meter.writes["display-3"] - boot.get("display-3", 0)))
    return [
        row("flash writes per online ticket", per_ticket, "writes", baseline=2 * printer_events,
            baseline_name="a write at every outbox change (%.1f events a ticket)" % printer_events,
            limit="the press is written before it is sent; the print report and the acks reach flash with the next press",
            note=note),
        row("flash writes per rating", per_rating, "writes", baseline=2.0,
            baseline_name="a write at every outbox change (the rating and its ack)",
            limit="the rating is written before it is sent; its ack reaches flash with the next press"),
    ]
