"""`hallmesh demo`: a short scripted morning in the example hall, on an embedded broker.

Everything is real except the people: the gateway with its SQLite store, the devices running
the firmware files from firmware/, the MQTT traffic between them. What happens is printed as
it happens (the gateway's own narration), then the day's report.
"""
import argparse
import logging
import os
import random
import signal
import tempfile
import threading
import time

from gateway import config
from gateway.broker import EmbeddedBroker
from gateway.mqtt import Gateway
from gateway.reports import report_text
from gateway.engine.state import WAITING
from sim.hall import SimHall

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "halls", "example.toml")
WAIT = 15.0
def say(text):
    print(text, flush=True)


def parse(argv):
    p = argparse.ArgumentParser(prog="hallmesh demo", description=__doc__.splitlines()[0])
    p.add_argument("--hall", default=EXAMPLE, help="hall config (default: the example hall)")
    p.add_argument("--db", help="SQLite store (default: a fresh one in a temporary folder)")
    p.add_argument("--citizens", type=int, default=14, help="citizens in the scripted morning")
    p.add_argument("--seed", type=int, default=7, help="seed of the morning's choices")
    p.add_argument("--forever", action="store_true", help="keep the hall running after the morning")
    return p.parse_args(argv)


class Morning:
    """Citizens take tickets, staff call and finish them, citizens rate."""

    def __init__(self, hall, devices, rng, queue):
        self.hall, self.devices, self.rng = hall, devices, rng
        self.queue = queue                     # () -> {service code: tickets waiting}, the staff screen
        self.printers = [d for d in devices.devices.values() if d.kind == "printer"]
        self.key_of = {}                       # service code -> printer key
        for dev in hall.devices.values():
            if dev.kind == "printer":
                for key, target in dev.keys.items():
                    self.key_of.setdefault(target, key)

    def arrive(self):
        printer = self.rng.choice(self.printers)
        svc = self.rng.choice(sorted(s for s in self.key_of if ":" not in s))
        say("  . a citizen presses %s (%s) on %s" % (svc, self.hall.services[svc].name, printer.id))
        before = len(printer.tickets())
        printer.press(self.key_of[svc])
        self.devices.wait_until(lambda: len(printer.tickets()) > before, WAIT, "a ticket from " + printer.id)

    def has_work(self, window):
        waiting = self.queue()
        return any(waiting.get(svc) for svc in self.hall.windows[window].services)

    def serve(self, window):
        if not self.has_work(window):
            return False
        pad = self.devices["pad-%d" % window]
        display = self.devices["display-%d" % window]
        pad.press("call")
        self.devices.wait_until(lambda: display.shows().split("\n")[1] not in ("-", ""), WAIT,
                                "a call at window %d" % window)
        ticket = display.shows().split("\n")[1]
        if self.rng.random() < 0.1:
            pad.press("recall")
            pad.press("skip")       # the citizen never came
            return True
        pad.press("finish")
        self.devices.wait_until(lambda: "Please rate" in pad.shows(), WAIT, "the rating prompt on " + pad.id)
        if self.rng.random() < 0.85:   # most citizens rate; mostly well
            level = self.rng.choice([5, 5, 5, 4, 4, 3, 2, 1])
            say("  . the citizen with %s rates %d at window %d" % (ticket, level, window))
            pad.press("r%d" % level)
            self.devices.wait_until(lambda: "Thank you" in pad.shows(), WAIT, "thanks on " + pad.id)
        return True

    def play(self, citizens):
        for _ in range(citizens):
            self.arrive()
        windows = sorted(self.hall.windows)
        while any(self.queue().values()):   # staff work through the queue window by window
            for window in windows:
                self.serve(window)


def start_hall(ns, workdir):
    hall = config.load(ns.hall)
    broker = EmbeddedBroker().start()
    say("hallmesh demo: %s, broker %s:%d, store %s" % (hall.name, broker.host, broker.port, ns.db))
    gateway = Gateway.from_files(hall, ns.db, broker.host, broker.port)
    gateway.start(wait=WAIT)
    devices = SimHall(hall, broker.host, broker.port, os.path.join(workdir, "flash")).start()
    devices.wait_ready(30)
    say("%d devices online, running firmware/ unchanged" % len(devices.devices))
    return hall, broker, gateway, devices


def main(argv=None):
    ns = parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    for noisy in ("amqtt", "transitions", "hallmesh.sim"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    workdir = tempfile.mkdtemp(prefix="hallmesh-demo-")
    ns.db = ns.db or os.path.join(workdir, "hall.db")
    hall, broker, gateway, devices = start_hall(ns, workdir)
    try:
        Morning(hall, devices, random.Random(ns.seed), lambda: waiting(gateway)).play(ns.citizens)
        say("\n--- the morning's report ---\n")
        with gateway.lock:
            say(report_text(gateway.state))
        if ns.forever:
            forever(gateway)
    finally:
        devices.stop()
        gateway.stop()
        broker.stop()
    return 0


def waiting(gateway):
    """Tickets waiting per service, as the staff's queue screen shows them."""
    counts = {}
    with gateway.lock:
        for ticket in gateway.state.tickets.values():
            if ticket.status == WAITING:
                counts[ticket.svc] = counts.get(ticket.svc, 0) + 1
    return counts


def forever(gateway):
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    say("the hall keeps running (Ctrl-C to stop); store: %s" % gateway.store.path)
    while not stop.wait(1.0):
        pass
