"""Everything one simulator run stands up and tears down: timebase, broker, gateway, devices.

The device settings follow the speed factor so that the firmware does the same work per
*real* second at any speed (CPU stays flat) and nothing bound to real time (socket timeouts)
trips a timer bound to simulated time (watchdog):
  poll_ms      50 x speed        about 20 loop passes a real second per device
  keepalive    max(10, 5 x speed) s   pings every few real seconds, not every few ms
  resend_ms    max(4000, 500 x speed) resends at most twice a real second
  wdt_ms       max(60000, 15000 x speed)  a 5 s blocking socket read never starves the watchdog
"""
import logging
import os
import tempfile
import threading
import time

from gateway import config
from sim.faults import Injector
from sim.hall import SimHall
from sim.stack import Broker, GatewayProc, store_events
from sim.timebase import Timebase

log = logging.getLogger("hallmesh.sim")


def device_settings(speed, poll_ms=None):
    poll = int(poll_ms or round(50 * speed))
    return {"poll_ms": poll, "keepalive": int(max(10, 5 * speed)),
            "extra": {"resend_ms": int(max(4000, 500 * speed)), "wdt_ms": int(max(60000, 15000 * speed)),
                      # a key's debounce, like the loop, in real ms: a thread switch (5 real ms,
                      # 200 simulated at x40) inside contact chatter is no second press
                      "debounce_ms": int(max(30, 30 * speed)),
                      # the bound on a publish, in simulated ms: real sockets answer in real time
                      "stall_ms": int(max(5000, 5000 * speed))}}


class Rig:
    def __init__(self, hall_path, workdir=None, speed=1.0, day_start=None, broker=None,
                 gateway=True, only=None, poll_ms=None, echo=None):
        self.hall_path = os.path.abspath(hall_path)
        self.hall = config.load(self.hall_path)
        self.workdir = workdir or tempfile.mkdtemp(prefix="hallmesh-sim-")
        os.makedirs(self.workdir, exist_ok=True)
        self.db = os.path.join(self.workdir, "hall.db")
        self.speed = speed
        self.timebase = Timebase(speed, day_start)
        self.broker = Broker(self.workdir, external=broker)
        self.gateway = None
        self.want_gateway = gateway
        self.only = only
        self.poll_ms = poll_ms
        self.devices = None
        self.injector = None
        self.events = []                      # (sim s, text): the run's own log
        self.echo = echo                      # callable(text) to print events as they happen
        self._lock = threading.Lock()

    def note(self, text):
        stamp = self.timebase.sim_s()
        with self._lock:
            self.events.append((stamp, text))
        if self.echo:
            self.echo("[%9.1fs] %s" % (stamp, text))

    def start(self, ready_timeout=60.0):
        self.broker.start()
        self.note("broker %s (%s)" % (self.broker.address, self.broker.kind))
        if self.want_gateway:
            self.gateway = GatewayProc(self.hall_path, self.db, self.broker, self.timebase, self.workdir).start()
            self.note("gateway started (store %s)" % self.db)
        settings = device_settings(self.speed, self.poll_ms)
        self.devices = SimHall(self.hall, self.broker.host, self.broker.port, os.path.join(self.workdir, "flash"),
                               keepalive=settings["keepalive"], poll_ms=settings["poll_ms"], only=self.only,
                               extra=settings["extra"])
        self.poll_ms = settings["poll_ms"]
        self.injector = Injector(self.devices, self.broker, self.gateway, self.timebase, self.note)
        self.devices.start()
        started = time.monotonic()
        self.devices.wait_ready(ready_timeout)
        self.note("%d devices in service after %.1f real s" % (len(self.devices.devices), time.monotonic() - started))
        return self

    def press_timing(self):
        """(hold_ms, lift_ms) in simulated ms: long enough for three loop passes, so the
        firmware's debounce sees the key down at any speed, even on a loaded machine."""
        return 3 * self.poll_ms + 60, self.poll_ms + 20

    def press(self, device_id, key, bounces=None):
        dev = self.devices[device_id]
        if bounces is None:
            bounces = self.injector.bounces.get(device_id, 0)
        hold, lift = self.press_timing()
        dev.press(key, hold_ms=hold, bounces=bounces, lift_ms=lift)

    def events_in_store(self):
        return store_events(self.db)

    def stop(self):
        if self.devices is not None:
            for dev in self.devices.devices.values():
                try:
                    dev.power_off()
                except RuntimeError as exc:
                    log.warning("%s", exc)
        if self.gateway is not None:
            self.gateway.stop()
        self.broker.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
