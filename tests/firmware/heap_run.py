# One firmware app under MicroPython for a long run of events, in a heap that may not grow.
# Run by bench/memory.py through tools/upy/run.mjs --exec, one process per app so that no app
# pays for another's modules, with --heap 65536.
#
# Why the checks look like this: the WebAssembly build frees nothing while Python code runs
# (its collector cannot see what the JS side's stack holds), and when an allocation does not
# fit it adds a new heap area instead of failing. So the run is a generator that yields after
# every step of the device's main loop; run.mjs calls advance() for each step, and a collection
# at the end of one call frees that step's garbage by the next. Within a step, everything it
# allocates piles up uncollected. The run fails when the heap's total size
# (gc.mem_alloc() + gc.mem_free(), which this build reports including the room it could still
# add) ever changes: the step needed more than the heap it was given. This is stricter than an
# ESP32, which collects inside a step when it must.
# Prints at the end
#   "heap <app> <events> <baseline> <live> <need> <worst step>"
# baseline: bytes in use before any firmware, fake or test module is imported; live: the most
# bytes in use right after a collection; need: the most bytes in use just before one (live plus
# one step's garbage); micropython.mem_info() before it prints the heap's total size. Or
#   "heap-grew <app> <event> <bytes the total grew by> <the step>"
# and stops, when a step needed more. With the app "baseline" it prints only
#   "baseline <bytes>"
# so that bench/memory.py can give the next run 64 KB on top of what the harness holds.
import gc
import json
import micropython
import time

gc.collect()
START = gc.mem_alloc()
TOTAL = gc.mem_alloc() + gc.mem_free()

from umqtt import simple  # noqa: E402

from protocol import codec, messages, topics  # noqa: E402
from tests.firmware import rig  # noqa: E402

ARGS = globals().get("ARGS") or ["printer-1"]     # set by tools/upy/run.mjs --arg
EVENTS = int(ARGS[1]) if len(ARGS) > 1 else 400
GATEWAY_FILE = ARGS[2] if len(ARGS) > 2 else ""   # what the gateway sends each device (bench/memory.py)
RESEND_VIEWS_EVERY = 25
TICKET = rig.TICKET


class HeapGrew(Exception):
    pass


class Meter:
    def __init__(self):
        self.live = self.need = 0
        self.event = 0
        self.worst = "-"          # the step that needed most: what it handled, at which event

    def before(self):
        # run.mjs calls on a clean stack, after the last call's collection: what stays
        self.live = max(self.live, gc.mem_alloc())

    def after(self, what):
        """A step is done: note what it needed (nothing of it was freed yet), check the heap
        kept its size, and collect for the next step."""
        if what != "test" and gc.mem_alloc() > self.need:   # the test's own work is not the app's
            self.need = gc.mem_alloc()
            self.worst = what.replace(" ", "_") + "@" + str(self.event)
        grown = gc.mem_alloc() + gc.mem_free() - TOTAL
        if grown:
            raise HeapGrew(grown, what)
        gc.collect()


METER = Meter()


def step(dev, what="loop"):
    dev.step()
    yield what


def gateway_messages(app):
    """How many rounds of retained messages the gateway file holds (0 without one). The file
    has one message a line, "<round> <topic suffix> <payload>", and is read a line at a time
    when a round comes: holding them all would be the test's heap, not the app's."""
    if not GATEWAY_FILE:
        return 0
    rounds = 0
    with open(GATEWAY_FILE) as f:
        for line in f:
            rounds = max(rounds, int(line.split(" ", 1)[0]) + 1)
    return rounds


def arrive(dev, suffix, msg):
    """The broker hands the device one message. Its bytes are made in a step of their own (the
    test's work), then the device's step reads them as umqtt hands over a socket read."""
    topic = topics.ROOT + "/" + rig.HALL + "/dev/" + dev.id + "/" + suffix
    payload = msg if isinstance(msg, bytes) else codec.encode(msg)   # with "v", or the device refuses it
    simple.last().inbox.append((topic.encode(), payload))
    msg = payload = None
    yield "test"
    yield from step(dev, suffix)


deliver = arrive


def hall_view(i):
    """The hall view of a hall of 20 windows as bytes: the gateway keeps the newest calls that
    fit one payload (device_text._fit). Written row by row: the test must fit the heap too."""
    head = b'{"v": 1, "kind": "hall", "seq": %d, "notice": "Welcome", ' % i
    rows, lines, say = [], [], []
    size = len(head) + 40
    for w in range(1, 21):
        no = "A" + str(i - w)
        parts = (b'["%s", %d, %d]' % (no, w, i), b'{"t": "%s \\u8bf7\\u5230", "gb": "QTEwMSDH67W9"}' % no,
                 b'{"t": "say %s", "gb": "x+vHyw==", "w": %d, "n": %d}' % (no, w, i))
        size += sum(len(p) + 2 for p in parts)
        if size > 2048 - 96:
            break
        rows.append(parts[0])
        lines.append(parts[1])
        say.append(parts[2])
    return (head + b'"rows": [' + b", ".join(rows) + b'], "lines": [' + b", ".join(lines) + b'], "say": ['
            + b", ".join(say) + b"]}")


def drain(client):
    # what the fakes recorded (published messages, UART bytes) is the test's memory, not the app's
    del client.published[:]
    for uart in rig.machine.uarts.values():
        uart.written = bytearray()


def press(dev, key):
    pin = dev.board["keys"][key]
    rig.press(pin)
    time.sleep_ms(25)
    yield from step(dev, "key")
    rig.machine.pins[pin].drive(1)


def printer_round(dev, i, retained):
    if i % RESEND_VIEWS_EVERY == 0:
        yield from gateway_round(dev, i, retained)
    yield from press(dev, "k" + str(1 + i % 6))
    for event in list(dev.outbox.items):
        res = {"ticket": dict(TICKET, no="A" + str(i))} if event["t"] == "key" else None
        yield from deliver(dev, "ack", messages.ack(event["id"], result=res))


def gateway_round(dev, i, retained):
    """The retained messages of one of the gateway's rounds, as a reconnect brings them."""
    if not retained:
        return
    want = str(i % retained)
    with open(GATEWAY_FILE) as f:
        for line in f:
            number, suffix, payload = line.rstrip("\n").split(" ", 2)
            if number == want:
                line = None
                yield from arrive(dev, suffix, payload.encode())


def display_round(dev, i, retained):
    if retained:
        return (yield from gateway_round(dev, i, retained))
    no = "A" + str(i % 999)
    yield from deliver(dev, "view", {"kind": "window", "seq": i, "win": 3, "ticket": no, "state": "serving",
                                     "call": i, "lines": [{"t": "Window 3"}, {"t": no}], "due": 1795420800,
                                     "over": {"t": "Over time"}, "v": 1})


def hall_round(dev, i, retained):
    if retained and i % 2:
        yield from gateway_round(dev, i, retained)
    else:
        yield from deliver(dev, "view", hall_view(i))
    dev.app.quiet_at = time.ticks_ms()
    for _ in range(8):
        yield from step(dev)


def pad_round(dev, i, retained):
    if i % RESEND_VIEWS_EVERY == 0:
        yield from gateway_round(dev, i, retained)
    yield from deliver(dev, "view", {"kind": "pad", "seq": i, "win": 3, "serving": "", "rate": "A" + str(i),
                                "levels": 5, "timeout": 30, "v": 1,
                                "lines": [{"t": "Window open"}, {"t": "Please rate A" + str(i)}]})
    yield from press(dev, "r" + str(1 + i % 5))
    for event in list(dev.outbox.items):
        yield from deliver(dev, "ack", messages.ack(event["id"], result={"counted": True, "ticket": "A" + str(i)}))


# A board imports its modules one after another and may collect between them; so does this
# run (each import with a collection after it) before it makes the device.
COMMON = ("protocol.topics", "protocol.codec", "protocol.messages", "runtime.clock", "runtime.bootguard",
          "runtime.settings", "runtime.flashfile", "runtime.outbox", "runtime.keys", "runtime.link",
          "runtime.device", "drivers.leds", "apps.base")
MODULES = {"printer": ("drivers.text", "drivers.scanner", "runtime.lease", "apps.printer"),
           "display": ("drivers.text", "drivers.panel", "apps.display"),
           "pad": ("drivers.text", "drivers.panel", "apps.pad")}


def boot(kind, app):
    for name in COMMON + MODULES[kind]:
        __import__(name)
        yield "import " + name
    dev = rig.make(kind, app)
    yield "boot"
    client = rig.online(dev)
    yield "connect"
    return dev, client


APPS = {"printer-1": ("printer", printer_round), "display-3": ("display", display_round),
        "hall-display": ("display", hall_round), "pad-3": ("pad", pad_round)}


def measure(app):
    kind, one_round = APPS[app]
    retained = gateway_messages(app)
    yield "test"
    simple.reset()
    dev, client = yield from boot(kind, app)
    for i in range(EVENTS):
        METER.event = i
        yield from one_round(dev, i, retained)
        drain(client)
    micropython.mem_info()
    print("heap", app, EVENTS, START, METER.live, METER.need, METER.worst)


def baseline():
    print("baseline", START)
    yield "test"


RUN = baseline() if ARGS[0] == "baseline" else measure(ARGS[0])


def advance():
    """One step of the run; False when it is over (run.mjs calls this until then)."""
    try:
        METER.before()
        METER.after(next(RUN))
        return True
    except StopIteration:
        return False
    except HeapGrew as grew:
        micropython.mem_info()
        print("heap-grew", ARGS[0], METER.event, grew.args[0], grew.args[1].replace(" ", "_"))
        return False
