"""`hallmesh demo`: a short scripted morning in a hall (the example hall unless --hall names
another), on a real Mosquitto where one is installed.

Everything is real except the people: the broker, the gateway with its SQLite store, the
devices running the firmware files from firmware/, the MQTT traffic between them. What happens
is printed as it happens (the gateway's own narration, in the hall's language), then the
morning's summary. Outside the hall's issuing hours, or on a store that already holds a later
time, the morning runs on a simulated clock set to the hall's next morning (sim/demo_clock.py).
"""
import argparse
import datetime
import logging
import os
import random
import secrets
import signal
import sys
import tempfile
import threading

from gateway import config
from gateway.broker import EmbeddedBroker, free_port
from gateway.engine import days
from gateway.logtext import EscapingFilter
from gateway.mqtt import Gateway
from gateway.reports.table import report_text
from gateway.store import open_store
from sim import demo_clock
from sim.demo_morning import Morning, say
from sim.demo_words import say as words
from sim.hall import SimHall, SimTimeout
from sim.processes import Mosquitto, mosquitto_binary
from sim.timebase import Timebase

EXAMPLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "halls", "example.toml")
WAIT_S = 20.0
READY_S = 60.0
DEMO_ADMIN, DEMO_STAFF = "demo", "demo-staff"     # the demo's console accounts


def parse(argv):
    p = argparse.ArgumentParser(prog="hallmesh demo", description=__doc__.splitlines()[0])
    p.add_argument("--hall", default=EXAMPLE, help="hall config (default: the example hall)")
    p.add_argument("--db", help="SQLite store (default: a fresh one in a temporary folder)")
    p.add_argument("--citizens", type=int, default=14, help="citizens in the scripted morning")
    p.add_argument("--seed", type=int, default=7, help="seed of the morning's choices")
    p.add_argument("--forever", action="store_true", help="keep the hall running after the morning")
    p.add_argument("--now", type=_local_time, metavar="YYYY-MM-DDTHH:MM",
                   help="take this hall-local time as now (default: the clock); e.g. 22:40 shows what "
                        "the demo does outside a hall's issuing hours")
    p.add_argument("--http-port", type=int, default=0, metavar="PORT",
                   help="serve the status pages and the hall console on this port (default: a free one)")
    p.add_argument("--embedded-broker", action="store_true",
                   help="use the in-process amqtt broker even where Mosquitto is installed")
    return p.parse_args(argv)


def _local_time(text):
    try:
        return datetime.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a time like 2026-12-01T22:40, got %r" % text)


# --- the broker -------------------------------------------------------------------------

class DemoBroker:
    """Mosquitto on a free port with the project's config (sim/processes.py), else amqtt."""

    def __init__(self, hall, workdir, embedded=False):
        self.hall, self.workdir, self.kind, self.proc = hall, workdir, None, None
        self.embedded = embedded

    def start(self):
        if not self.embedded and mosquitto_binary():
            try:
                folder = os.path.join(self.workdir, "broker")
                os.makedirs(folder, exist_ok=True)
                self.proc = Mosquitto(workdir=folder).start()
                self.kind, self.port = "Mosquitto", self.proc.port
                return self
            except (OSError, RuntimeError) as exc:
                say(words(self.hall, "mosquitto_failed", why=str(exc).splitlines()[0]))
        elif not self.embedded:
            say(words(self.hall, "no_mosquitto"))
        self.proc = EmbeddedBroker(port=free_port()).start()
        self.kind, self.port = "amqtt", self.proc.port
        return self

    @property
    def errors(self):
        return getattr(self.proc, "errors", 0)

    def stop(self):
        if self.proc is not None:
            self.proc.stop()


# --- the clock --------------------------------------------------------------------------

def latest_event_at(db):
    if not os.path.exists(db):
        return 0.0
    with open_store(db) as store:
        events = store.load_events()
    return max((ev.get("at", 0) for ev in events[-50:]), default=0.0)


def morning_clock(hall, ns):
    """The gateway's clock for the demo (real or simulated) and what to say about it."""
    now = ns.now.replace(tzinfo=days.hall_zone(hall)).timestamp() if ns.now else None
    real = Timebase().now()
    now = real if now is None else now
    latest = latest_event_at(ns.db)
    start, why = demo_clock.demo_start(hall, now, latest)
    if why is None and ns.now is None:
        return Timebase().now, None
    shown = lambda at: days.local_datetime(hall, at).strftime("%Y-%m-%d %H:%M")
    note = None
    if why == demo_clock.OUTSIDE_HOURS:
        note = words(hall, "outside_hours", now=days.local_datetime(hall, now).strftime("%H:%M"), hall=hall.name,
                     hours=demo_clock.hours_text(hall), start=shown(start))
    elif why == demo_clock.STORE_AHEAD:
        note = words(hall, "store_ahead", hall=hall.name, latest=shown(latest), start=shown(start))
    return Timebase(day_start=start).now, note


class HallTimeFormatter(logging.Formatter):
    """Log lines stamped with the hall's (possibly simulated) time, so they match the tickets."""

    def __init__(self, hall, clock):
        logging.Formatter.__init__(self, "%(asctime)s %(message)s")
        self.hall, self.clock = hall, clock

    def formatTime(self, record, datefmt=None):
        return days.local_datetime(self.hall, self.clock()).strftime("%H:%M:%S")


def narrate_only(hall, clock):
    """The gateway's narration and every warning; not the technician's lines (births, leases)."""
    handler = logging.StreamHandler()
    handler.setFormatter(HallTimeFormatter(hall, clock))
    handler.addFilter(EscapingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.WARNING)
    logging.getLogger("hallmesh.gateway.narration").setLevel(logging.INFO)
    for noisy in ("amqtt", "transitions"):
        logging.getLogger(noisy).setLevel(logging.ERROR)


# --- the run ----------------------------------------------------------------------------

def main(argv=None):
    ns = parse(argv)
    try:
        hall = config.load(ns.hall)
    except config.ConfigError as exc:
        print("hallmesh demo: %s" % exc, file=sys.stderr)
        return 2
    workdir = tempfile.mkdtemp(prefix="hallmesh-demo-")
    ns.db = ns.db or os.path.join(workdir, "hall.db")
    clock, note = morning_clock(hall, ns)
    narrate_only(hall, clock)
    if note:
        say(note)
    broker = DemoBroker(hall, workdir, ns.embedded_broker).start()
    say(words(hall, "start", hall=hall.name, broker=broker.kind, host="127.0.0.1", port=broker.port, db=ns.db))
    gateway = devices = web = None
    try:
        gateway = Gateway.from_files(hall, ns.db, "127.0.0.1", broker.port, clock=clock)
        gateway.start(wait=WAIT_S)
        web = open_console(hall, gateway, ns.http_port)
        devices = SimHall(hall, "127.0.0.1", broker.port, os.path.join(workdir, "flash")).start()
        devices.wait_ready(READY_S)
        say(words(hall, "online", n=len(devices.devices)))
        Morning(hall, devices, random.Random(ns.seed), gateway).play(ns.citizens)
        with gateway.lock:
            summary = report_text(gateway.state, clock())
        if ns.forever:
            say(summary)
            forever(hall, gateway)
    except (SimTimeout, RuntimeError) as exc:
        say(words(hall, "failed", why=exc))
        return 1
    finally:
        if devices is not None:
            devices.stop()
        if web is not None:
            web.stop()
        if gateway is not None:
            gateway.stop()
        broker.stop()
    if broker.errors:
        say(words(hall, "broker_errors", n=broker.errors))
    say(words(hall, "report"))
    say(summary)
    return 0


def open_console(hall, gateway, port):
    """The status pages and the hall console on 127.0.0.1, with two demo accounts whose
    password is made for this run (printed: a demo is watched, not defended)."""
    from gateway.console.accounts import AccountError
    from gateway.web import StatusServer
    web = StatusServer(gateway, "127.0.0.1", port, console=True).start()
    password = "demo-" + secrets.token_hex(4)
    accounts = web.console.accounts
    for name, role in ((DEMO_ADMIN, "admin"), (DEMO_STAFF, "staff")):
        try:
            accounts.add(name, role, password)
        except AccountError:              # a reused --db: the account is there, new password
            accounts.set_password(name, password)
    say(words(hall, "console", url=web.console_url(), admin=DEMO_ADMIN, staff=DEMO_STAFF, password=password))
    return web


def forever(hall, gateway):
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    say(words(hall, "forever", db=gateway.store.path))
    while not stop.wait(1.0):
        pass
