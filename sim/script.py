"""Scripted checks on named devices: firmware CI for a whole mesh.

A script is a TOML file (docs/simulator.md has the full reference):

    [script]
    name = "a ticket and a call"
    hall = "../halls/example.toml"        # relative to the script; --hall overrides
    devices = ["printer-1", "pad-3", "display-3", "hall-display"]   # default: all
    timeout_s = 20                        # default patience of every wait, in real seconds

    [[step]]
    press = "printer-1:k1"                # DEVICE:KEY, optional bounces = 3
    [[step]]
    expect_ticket = "printer-1"           # a printed ticket containing the text
    contains = "A001"
    [[step]]
    wait_show = "display-3"               # the display's panel shows the text
    text = "A001"
    timeout_s = 10

Step kinds (the first key of the step names it): press, wait_show, wait_hidden,
expect_ticket, expect_led (DEVICE:LED with on = true|false), expect_pin (DEVICE:PART with
level = 0|1), expect_spoken, expect_outbox_empty, fault (KIND[:TARGET], optional duration_s
and fault parameters), repair (the same text as an earlier fault), set_input (DEVICE:PART,
level), power_cycle, picture (DEVICE, optional file), sleep_s.
Every expectation waits up to its timeout, then fails naming the step, what was expected and
what was seen; the run stops at the first failure.
"""
import os
import threading
import time
from dataclasses import dataclass, field

from gateway import tomlfile
from sim import faults as faultlib

KINDS = ("press", "wait_show", "wait_hidden", "expect_ticket", "expect_led", "expect_pin", "expect_spoken",
         "expect_outbox_empty", "fault", "repair", "set_input", "power_cycle", "picture", "sleep_s")
OPTIONS = {"bounces", "contains", "text", "on", "level", "timeout_s", "duration_s", "file", "count",
           "bounces", "offset_ms", "ppm", "note"}


class ScriptError(ValueError):
    """A script that cannot be run as written (bad file, unknown step or device)."""


class StepFailed(AssertionError):
    def __init__(self, number, step, expected, seen):
        AssertionError.__init__(self, "step %d (%s) failed\n  expected: %s\n  seen:     %s"
                                % (number, step.describe(), expected, seen))
        self.number, self.expected, self.seen = number, expected, seen


@dataclass
class Step:
    kind: str
    subject: object
    options: dict = field(default_factory=dict)

    def describe(self):
        return "%s = %r" % (self.kind, self.subject)


@dataclass
class Script:
    name: str
    hall: str
    devices: list
    timeout_s: float
    steps: list
    path: str = ""


def load(path, hall_override=None):
    return parse(tomlfile.read(path, "script", ScriptError), path, hall_override)


def parse(data, path="<script>", hall_override=None):
    head = data.get("script", {})
    hall = tomlfile.hall_file(path, head.get("hall"), hall_override, ScriptError,
                              "%s: no hall: give [script] hall = \"...\" or --hall" % path)
    steps = [_step(entry, n, path) for n, entry in enumerate(data.get("step", []), 1)]
    if not steps:
        raise ScriptError("%s: no [[step]] entries" % path)
    devices = head.get("devices")
    if devices is not None and (not isinstance(devices, list) or not all(isinstance(d, str) for d in devices)):
        raise ScriptError("%s: [script] devices must be a list of device ids" % path)
    return Script(head.get("name", os.path.basename(path)), hall, devices, float(head.get("timeout_s", 20)),
                  steps, path)


def _step(entry, number, path):
    where = "%s: step %d" % (path, number)
    kinds = [k for k in entry if k in KINDS]
    if len(kinds) != 1:
        raise ScriptError("%s: needs exactly one of %s, got %s" % (where, ", ".join(KINDS), sorted(entry)))
    unknown = set(entry) - set(KINDS) - OPTIONS
    if unknown:
        raise ScriptError("%s: unknown option(s) %s" % (where, ", ".join(sorted(unknown))))
    kind = kinds[0]
    options = {k: v for k, v in entry.items() if k != kind}
    return Step(kind, entry[kind], options)


def _split(subject, what, number):
    device, sep, part = str(subject).partition(":")
    if not sep or not device or not part:
        raise ScriptError("step %d: %s must be DEVICE:%s, got %r" % (number, what, what.split(":")[-1], subject))
    return device, part


class Runner:
    """Runs a Script's steps on a started sim.rig.Rig."""

    def __init__(self, script, rig, picture_dir, say=print):
        self.script, self.rig, self.picture_dir, self.say = script, rig, picture_dir, say
        self.active = {}            # fault text -> Fault still applied
        self.timers = []
        self.pictures = []

    def check_devices(self):
        """Every device a step names exists in the hall: fail before anything runs."""
        known = self.rig.devices.devices
        for number, step in enumerate(self.script.steps, 1):
            if step.kind in ("fault", "repair", "sleep_s"):
                continue
            device = str(step.subject).partition(":")[0]
            if device not in known:
                raise ScriptError("step %d (%s): no device %r in the simulated hall (have: %s)"
                                  % (number, step.describe(), device, ", ".join(known)))

    def run(self):
        self.check_devices()
        try:
            for number, step in enumerate(self.script.steps, 1):
                started = time.monotonic()
                getattr(self, "_" + step.kind)(number, step)
                self.say("step %2d ok  %-48s (%.1f s)" % (number, step.describe()[:48], time.monotonic() - started))
        finally:
            for timer in self.timers:
                timer.cancel()
            for fault in list(self.active.values()):
                self.rig.injector.undo(fault)

    # --- helpers -------------------------------------------------------------------

    def _timeout(self, step):
        return float(step.options.get("timeout_s", self.script.timeout_s))

    def _wait(self, number, step, predicate, expected, seen):
        deadline = time.monotonic() + self._timeout(step)
        while True:
            if predicate():
                return
            if time.monotonic() >= deadline:
                raise StepFailed(number, step, expected + " within %g s" % self._timeout(step), seen())
            time.sleep(0.05)

    def _device(self, name):
        return self.rig.devices[name]

    # --- step kinds ----------------------------------------------------------------

    def _press(self, number, step):
        device, key = _split(step.subject, "DEVICE:KEY", number)
        dev = self._device(device)
        if key not in dev.spec.get("keys", {}):
            raise ScriptError("step %d: %s has no key %r (keys: %s)" % (number, device, key, ", ".join(dev.spec.get("keys", {}))))
        bounces = step.options.get("bounces")
        self.rig.press(device, key, bounces=int(bounces) if bounces is not None else None)

    def _wait_show(self, number, step):
        dev, text = self._device(step.subject), str(step.options.get("text", ""))
        self._wait(number, step, lambda: text in dev.shows(), "%s to show %r" % (step.subject, text), dev.shows)

    def _wait_hidden(self, number, step):
        dev, text = self._device(step.subject), str(step.options.get("text", ""))
        self._wait(number, step, lambda: text not in dev.shows(), "%s to stop showing %r" % (step.subject, text),
                   dev.shows)

    def _expect_ticket(self, number, step):
        dev = self._device(step.subject)
        text = str(step.options.get("contains", ""))
        count = step.options.get("count")

        def texts():
            return [t.text() for t in dev.tickets()]

        def met():
            found = texts()
            if count is not None and len(found) != int(count):
                return False
            return any(text in t for t in found) if text else bool(found)
        what = "a printed ticket containing %r" % text if text else "a printed ticket"
        if count is not None:
            what += " (%d tickets in all)" % int(count)
        self._wait(number, step, met, what, lambda: "%d ticket(s): %r" % (len(texts()), [t.replace("\n", " | ") for t in texts()][-3:]))

    def _expect_led(self, number, step):
        device, led = _split(step.subject, "DEVICE:LED", number)
        dev = self._device(device)
        if led not in dev.spec.get("leds", {}):
            raise ScriptError("step %d: %s has no LED %r" % (number, device, led))
        want = 1 if step.options.get("on", True) else 0
        self._wait(number, step, lambda: dev.led(led) == want, "LED %s %s" % (led, "on" if want else "off"),
                   lambda: "LED %s %s" % (led, "on" if dev.led(led) else "off"))

    def _expect_pin(self, number, step):
        device, part = _split(step.subject, "DEVICE:PART", number)
        dev = self._device(device)
        if not isinstance(dev.spec.get(part), int):
            raise ScriptError("step %d: %s has no pin named %r" % (number, device, part))
        want = int(step.options.get("level", 1))
        pin = dev.board.pin(dev.spec[part])
        self._wait(number, step, lambda: pin.level == want, "pin %s at level %d" % (part, want),
                   lambda: "level %d" % pin.level)

    def _expect_spoken(self, number, step):
        dev, text = self._device(step.subject), str(step.options.get("text", ""))
        self._wait(number, step, lambda: any(text in s for s in dev.spoken()), "an announcement with %r" % text,
                   lambda: dev.spoken()[-3:])

    def _expect_outbox_empty(self, number, step):
        dev = self._device(step.subject)
        self._wait(number, step, lambda: not dev.outbox(), "an empty outbox",
                   lambda: "%d event(s) waiting: %s" % (len(dev.outbox()), [e.get("id") for e in dev.outbox()][:5]))

    def _fault_of(self, number, step):
        params = {k: step.options[k] for k in faultlib.PARAMS if k in step.options}
        kind, _, target = str(step.subject).partition(":")
        try:
            return faultlib.check(faultlib.Fault(kind, self.rig.timebase.sim_s(), float(step.options.get("duration_s", 0)),
                                                 target, params), "step %d" % number)
        except faultlib.FaultError as exc:
            raise ScriptError(str(exc))

    def _fault(self, number, step):
        fault = self._fault_of(number, step)
        self.rig.injector.apply(fault)
        self.active[str(step.subject)] = fault
        if fault.duration:
            timer = threading.Timer(self.rig.timebase.real_s(fault.duration), self._repair_text, (str(step.subject),))
            timer.daemon = True
            self.timers.append(timer)
            timer.start()

    def _repair_text(self, text):
        fault = self.active.pop(text, None)
        if fault is not None:
            self.rig.injector.undo(fault)

    def _repair(self, number, step):
        if str(step.subject) not in self.active:
            raise ScriptError("step %d: repair %r: no such fault is active (active: %s)"
                              % (number, step.subject, ", ".join(self.active) or "none"))
        self._repair_text(str(step.subject))

    def _set_input(self, number, step):
        device, part = _split(step.subject, "DEVICE:PART", number)
        self._device(device).set_input(part, int(step.options.get("level", 1)))

    def _power_cycle(self, number, step):
        self._device(step.subject).power_cycle()

    def _picture(self, number, step):
        from sim.pictures import device_picture
        dev = self._device(step.subject)
        name = step.options.get("file") or "step%02d-%s.png" % (number, dev.id)
        path = os.path.join(self.picture_dir, name)
        os.makedirs(self.picture_dir, exist_ok=True)
        if not device_picture(dev, path):
            raise StepFailed(number, step, "something to picture on %s" % dev.id, "no ticket printed yet")
        self.pictures.append(path)
        self.say("          picture %s" % path)

    def _sleep_s(self, number, step):
        time.sleep(float(step.subject))
