"""Faults a technician injects into a simulated hall, by hand or on a schedule.

Each fault is applied at `at` (simulated seconds after the run's start) and, when it has a
duration, undone `duration` seconds later:

  wifi_loss     TARGET   the devices' radio loses the access point (sockets become black holes)
  broker_kill            the broker process is SIGKILLed; restarted after the duration
  gateway_kill           the gateway process is SIGKILLed; restarted after the duration
  power_cycle   TARGET   power cut (RAM lost, flash kept); power back after the duration
  paper_out     TARGET   a printer's paper sensor reads "out"; paper refilled after the duration
  key_bounce    TARGET   every press on the devices bounces `bounces` times (default 5)
  clock_skew    TARGET   the board's ticks run `offset_ms` ahead and `ppm` fast (cleared after)

TARGET is a device id, a shell pattern ("display-*"), a kind ("printers", "displays",
"pads") or "all". Written on the command line as KIND[:TARGET]@AT[+DURATION][,name=value...],
e.g. `wifi_loss:display-*@600+120`, `gateway_kill@1200+30`, `clock_skew:pad-1@0,ppm=20000`.
"""
import fnmatch
import threading
from dataclasses import dataclass, field

KINDS = ("wifi_loss", "broker_kill", "gateway_kill", "power_cycle", "paper_out", "key_bounce", "clock_skew")
NEEDS_TARGET = ("wifi_loss", "power_cycle", "paper_out", "key_bounce", "clock_skew")
GROUPS = {"printers": "printer", "displays": "display", "pads": "pad"}
PARAMS = {"bounces": int, "offset_ms": int, "ppm": int}


class FaultError(ValueError):
    pass


@dataclass
class Fault:
    kind: str
    at: float                       # simulated seconds after the start
    duration: float = 0.0           # 0: never undone within the run (except where noted)
    target: str = ""
    params: dict = field(default_factory=dict)

    def label(self):
        where = ":" + self.target if self.target else ""
        span = "+%gs" % self.duration if self.duration else ""
        extra = "".join(",%s=%s" % kv for kv in sorted(self.params.items()))
        return "%s%s@%gs%s%s" % (self.kind, where, self.at, span, extra)


def check(fault, where="fault"):
    if fault.kind not in KINDS:
        raise FaultError("%s: unknown fault kind %r (one of %s)" % (where, fault.kind, ", ".join(KINDS)))
    if fault.kind in NEEDS_TARGET and not fault.target:
        raise FaultError("%s: %s needs a target (device id, pattern, printers/displays/pads or all)"
                         % (where, fault.kind))
    if fault.at < 0 or fault.duration < 0:
        raise FaultError("%s: at and duration must not be negative" % where)
    for name, value in fault.params.items():
        if name not in PARAMS:
            raise FaultError("%s: unknown parameter %r (known: %s)" % (where, name, ", ".join(PARAMS)))
        try:
            fault.params[name] = PARAMS[name](value)
        except (TypeError, ValueError):
            raise FaultError("%s: %s must be a whole number, got %r" % (where, name, value))
    return fault


def parse_spec(text):
    """KIND[:TARGET]@AT[+DURATION][,name=value...] -> Fault (FaultError names the fault)."""
    head, sep, when = text.partition("@")
    if not sep:
        raise FaultError("fault %r: missing @AT (e.g. wifi_loss:display-1@60+30)" % text)
    kind, _, target = head.partition(":")
    when, *extras = when.split(",")
    at_text, _, dur_text = when.partition("+")
    try:
        at, duration = float(at_text), float(dur_text or 0)
    except ValueError:
        raise FaultError("fault %r: AT and DURATION are seconds, e.g. @60+30" % text)
    params = {}
    for item in extras:
        name, eq, value = item.partition("=")
        if not eq:
            raise FaultError("fault %r: parameter %r is not name=value" % (text, item))
        params[name.strip()] = value.strip()
    return check(Fault(kind.strip(), at, duration, target.strip(), params), "fault %r" % text)


def from_table(entry, where):
    """A [[fault]] table of a scenario or script -> Fault."""
    known = {"kind", "at", "at_s", "duration_s", "target"} | set(PARAMS)
    unknown = set(entry) - known
    if unknown:
        raise FaultError("%s: unknown field(s) %s" % (where, ", ".join(sorted(unknown))))
    if "kind" not in entry:
        raise FaultError("%s: needs kind (one of %s)" % (where, ", ".join(KINDS)))
    at = entry.get("at_s", entry.get("at", 0))
    if not isinstance(at, (int, float)):
        raise FaultError("%s: at_s must be seconds after the start, got %r" % (where, at))
    params = {name: entry[name] for name in PARAMS if name in entry}
    return check(Fault(entry["kind"], float(at), float(entry.get("duration_s", 0)),
                       str(entry.get("target", "")), params), where)


def select(devices, target):
    """Device ids a target names, in hall order; FaultError if none."""
    if target == "all":
        chosen = list(devices)
    elif target in GROUPS:
        chosen = [d for d, dev in devices.items() if dev.kind == GROUPS[target]]
    else:
        chosen = [d for d in devices if fnmatch.fnmatchcase(d, target)]
    if not chosen:
        raise FaultError("fault target %r names no device of this hall" % target)
    return chosen


class Injector:
    """Applies and undoes faults on a running hall. `log(text)` records what happened."""

    def __init__(self, sim_hall, broker, gateway, timebase, log):
        self.hall, self.broker, self.gateway, self.timebase, self.log = sim_hall, broker, gateway, timebase, log
        self.bounces = {}              # device id -> bounces per press while key_bounce is on
        self.lock = threading.Lock()
        self.applied = []              # (sim s, label) of every fault applied

    def targets(self, fault):
        return select(self.hall.devices, fault.target)

    def apply(self, fault):
        with self.lock:
            getattr(self, "_on_" + fault.kind)(fault)
            self.applied.append((round(fault.at, 3), fault.label()))
        self.log("fault   %s" % fault.label())

    def undo(self, fault):
        with self.lock:
            getattr(self, "_off_" + fault.kind)(fault)
        self.log("repair  %s" % fault.label())

    # --- each kind: on and off ---------------------------------------------------------

    def _on_wifi_loss(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].cut_network()

    def _off_wifi_loss(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].restore_network()

    def _on_broker_kill(self, fault):
        if not self.broker.killable():
            raise FaultError("broker_kill: the broker %s is external" % self.broker.address)
        self.broker.kill()

    def _off_broker_kill(self, fault):
        self.broker.start()

    def _on_gateway_kill(self, fault):
        if self.gateway is None:
            raise FaultError("gateway_kill: the simulator runs no gateway (--no-gateway)")
        self.gateway.kill()

    def _off_gateway_kill(self, fault):
        self.gateway.start()

    def _on_power_cycle(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].power_off()

    def _off_power_cycle(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].start()

    def _on_paper_out(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].set_input("paper_sensor", 0)

    def _off_paper_out(self, fault):
        for dev in self.targets(fault):
            self.hall[dev].set_input("paper_sensor", 1)

    def _on_key_bounce(self, fault):
        for dev in self.targets(fault):
            self.bounces[dev] = fault.params.get("bounces", 5)

    def _off_key_bounce(self, fault):
        for dev in self.targets(fault):
            self.bounces.pop(dev, None)

    def _on_clock_skew(self, fault):
        from sim.clock import sim_ms
        for dev in self.targets(fault):
            board = self.hall[dev].board
            board.skew_from_ms = sim_ms()
            board.skew_ppm = fault.params.get("ppm", 0)
            board.skew_offset_ms = fault.params.get("offset_ms", 0)

    def _off_clock_skew(self, fault):
        for dev in self.targets(fault):
            board = self.hall[dev].board
            board.skew_ppm = board.skew_offset_ms = 0

    def undo_needed(self, fault):
        """Power cycles and kills are always undone: a run never ends with a dead part."""
        return fault.duration > 0 or fault.kind in ("broker_kill", "gateway_kill", "power_cycle")


class Schedule:
    """Runs faults at their simulated times on a thread of its own."""

    def __init__(self, injector, faults, timebase, offset_s=0.0):
        """Fault times count from `offset_s` simulated seconds after the rig's time zero."""
        self.injector, self.timebase = injector, timebase
        self.offset_s = offset_s
        self.actions = []
        for f in faults:
            self.actions.append((f.at, 0, "apply", f))
            if injector.undo_needed(f):
                self.actions.append((f.at + max(f.duration, 1.0), 1, "undo", f))
        self.actions.sort(key=lambda a: (a[0], a[1]))
        self.stop = threading.Event()
        self.errors = []
        self.thread = threading.Thread(target=self._run, name="sim-faults", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _run(self):
        for at, _, action, fault in self.actions:
            at += self.offset_s
            while not self.stop.is_set() and self.timebase.sim_s() < at:
                self.stop.wait(min(0.05, max(0.001, self.timebase.real_s(at - self.timebase.sim_s()))))
            if self.stop.is_set():
                return
            try:
                getattr(self.injector, action)(fault)
            except Exception as exc:  # noqa: BLE001 - a failed fault is reported, the run goes on
                self.errors.append("%s %s: %s" % (action, fault.label(), exc))

    def finish(self, timeout=60.0):
        """Wait for the remaining actions (every repair happens before the run is judged)."""
        self.thread.join(timeout)

    def end_s(self):
        """When the last action is due, in the rig's simulated seconds."""
        return self.offset_s + max((a[0] for a in self.actions), default=0.0)
