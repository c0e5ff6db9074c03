# Peak heap of one firmware app under MicroPython after a long run of events, on the fake
# hardware of the unit cases. Run by bench/memory.py through tools/upy/run.mjs --exec, one
# process per app so that no app pays for another's modules. Prints
#   "heap <device> <events> <baseline> <peak>"
# in bytes of live heap (gc.mem_alloc() right after gc.collect(), sampled every 10 events, the
# sampling's own cost taken off);
# the baseline is taken before any firmware, fake or test module is imported, so the figure
# peak - baseline includes the fakes and test helpers too: it errs on the high side.
import asyncio
import gc
import time

gc.collect()
START = gc.mem_alloc()

from umqtt import simple  # noqa: E402

from protocol import messages  # noqa: E402
from tests.firmware import rig as cases  # noqa: E402

ARGS = globals().get("ARGS") or ["printer-1"]     # set by tools/upy/run.mjs --arg
EVENTS = int(ARGS[1]) if len(ARGS) > 1 else 400
SAMPLE_EVERY = 10
TICKET = cases.TICKET


async def live():
    # In the WebAssembly build a collection only frees what the JS side's stack does not
    # pin; yielding to the event loop first gives it a clean stack.
    await asyncio.sleep(0)
    gc.collect()
    return gc.mem_alloc()


def drain(client):
    # what the fakes recorded (published messages, UART bytes) is the test's memory, not the app's
    del client.published[:]
    for uart in cases.machine.uarts.values():
        uart.written = bytearray()


def printer_round(dev, client, i):
    cases.press(dev.board["keys"]["k" + str(1 + i % 6)])
    time.sleep_ms(25)
    dev.step()
    cases.machine.pins[dev.board["keys"]["k" + str(1 + i % 6)]].drive(1)
    for event in list(dev.outbox.items):
        res = {"ticket": dict(TICKET, no="A" + str(i))} if event["t"] == "key" else None
        cases.deliver(dev, "ack", messages.ack(event["id"], result=res))


def display_round(dev, client, i):
    no = "A" + str(i % 999)
    cases.deliver(dev, "view", {"kind": "window", "seq": i, "win": 3, "ticket": no, "state": "serving",
                                "call": i, "lines": [{"t": "Window 3"}, {"t": no}], "due": 1795420800,
                                "over": {"t": "Over time"}})


def hall_round(dev, client, i):
    rows = [["A" + str(i - w), w, i] for w in range(1, 9)]
    lines = [{"t": r[0] + " \u8bf7\u5230", "gb": "QTEwMSDH67W9"} for r in rows]
    say = [{"t": "say " + r[0], "gb": "x+vHyw==", "w": r[1], "n": r[2]} for r in rows]
    cases.deliver(dev, "view", {"kind": "hall", "seq": i, "rows": rows, "notice": "Welcome", "lines": lines,
                                "say": say})
    dev.app.quiet_at = time.ticks_ms()
    for _ in range(8):
        dev.step()


def pad_round(dev, client, i):
    cases.deliver(dev, "view", {"kind": "pad", "seq": i, "win": 3, "serving": "", "rate": "A" + str(i),
                                "levels": 5, "timeout": 30, "lines": [{"t": "Window open"},
                                                                      {"t": "Please rate A" + str(i)}]})
    key = "r" + str(1 + i % 5)
    cases.press(dev.board["keys"][key])
    time.sleep_ms(25)
    dev.step()
    cases.machine.pins[dev.board["keys"][key]].drive(1)
    for event in list(dev.outbox.items):
        cases.deliver(dev, "ack", messages.ack(event["id"], result={"counted": True, "ticket": "A" + str(i)}))


async def probe_cost(samples=100):
    """Each sample itself leaves ~30 bytes behind in this build (the event-loop turn that
    lets gc.collect see a clean stack): measured here so it can be taken off the peak."""
    first = await live()
    for _ in range(samples):
        last = await live()
    return (last - first) / samples


async def measure(kind, name, one_round):
    cost = await probe_cost()
    simple.reset()
    dev = cases.make(kind, name)
    client = cases.online(dev)
    base = await live()
    peak, samples = base, 1
    for i in range(EVENTS):
        one_round(dev, client, i)
        drain(client)
        if i % SAMPLE_EVERY == 0 or i == EVENTS - 1:
            peak = max(peak, await live() - int(samples * cost))
            samples += 1
    print("heap", name, EVENTS, START, peak)


APPS = {"printer-1": ("printer", printer_round), "display-3": ("display", display_round),
        "hall-display": ("display", hall_round), "pad-3": ("pad", pad_round)}
kind, one_round = APPS[ARGS[0]]
await measure(kind, ARGS[0], one_round)
