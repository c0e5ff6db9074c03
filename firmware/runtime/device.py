# The device's main loop and what every device kind shares: settings, the link to the
# broker, the outbox, gateway time, commands, the watchdog. The app of the device's kind
# (apps/printer.py, apps/display.py, apps/pad.py) adds what is particular to it.
import gc
import random
import sys
import time

import machine

from protocol import codec, messages, topics
from runtime import bootguard, settings
from runtime.clock import Clock
from runtime import flashfile
from runtime.link import Link
from runtime.outbox import Outbox, OutboxFull

FIRMWARE = "0.3.0"
INBOX_MAX = 16
IDLE_SLICE_MS = 5        # the loop looks for a key or a packet at least this often while idle
CRASH_LOOP_STEPS = 20     # steps failing one after another: the app cannot get out by itself
RELINK_AFTER_STEPS = 3    # ... and after this many the link starts afresh (it may be the cause)
BOOT_RETRY_MS = 2000      # an app that cannot start is retried by a reset after this long
ERRORS_FILE = "errors.json"
LEASE_PREFIX = topics.LEASE + "/"     # lease/<service>: a printer's lease of one service
RESET_CAUSES = {"PWRON_RESET": "power", "HARD_RESET": "hard", "WDT_RESET": "watchdog",
                "DEEPSLEEP_RESET": "deepsleep", "SOFT_RESET": "soft"}


def show_error(exc):
    """Print a traceback on the serial console (MicroPython and CPython spell it apart)."""
    if hasattr(sys, "print_exception"):
        sys.print_exception(exc)
    else:
        print("error:", repr(exc))


def reset_cause():
    cause = machine.reset_cause()
    for name in RESET_CAUSES:
        if getattr(machine, name, None) == cause:
            return RESET_CAUSES[name]
    return "other"


class Device:
    def __init__(self, root, cfg, board, session, safe=False, errors=None):
        self.root, self.cfg, self.board, self.session = root, cfg, board, session
        self.errors = errors          # runtime.errors.Errors once something failed (imported then)
        self.failing = 0              # main-loop steps failed one after another
        self.safe = safe              # too many failed boots: link only, no app (bootguard)
        self.announce_at = None       # ticks to re-announce at, after the gateway came back
        self.gone_while_linked = False
        self.inbox = []               # (channel, msg) received, for the main loop to handle
        self.id = cfg["id"]
        self.clock = Clock()
        self.outbox = Outbox(root + "outbox.json")
        self.ids_session, self.seq = "", 0   # event ids: runtime/eventid.py, drawn at the first
        self.sent = {}            # event id -> ticks of its last send, RAM only
        self.gateway_on = False
        self.rst = reset_cause()
        self.evt_topic = topics.device(cfg["hall"], self.id, topics.EVENTS)
        self.link = Link(cfg, self.birth, self.on_message)
        self.app = make_app(self)

    def birth(self):
        gc.collect()
        rssi = 0
        try:
            rssi = self.link.wlan.status("rssi")
        except Exception:
            pass
        msg = messages.birth(self.session, self.cfg["kind"], FIRMWARE, self.board.get("name", "?"),
                             gc.mem_free(), rssi, self.rst)
        if self.safe:
            msg["safe"] = True
        last = self.errors.last() if self.errors else last_error(self.root)
        if last is not None:          # the latest failure contained, for the technician
            msg["err"], msg["where"] = last["err"], last["where"]
        return msg

    # --- events out ------------------------------------------------------------------

    def send(self, kind, **fields):
        """Make an event, keep it in the outbox and send it. Returns it, or None when the
        outbox is full (the app tells the user; nothing accepted is dropped)."""
        return self._keep(False, kind, fields)

    def report(self, kind, **fields):
        """As send(), for a report whose loss in a reset costs nothing but a repeat (a print
        outcome: the event it follows is still in flash until the next write and is answered
        again). It reaches flash with the next write, sparing one write per ticket."""
        return self._keep(True, kind, fields)

    def _keep(self, later, kind, fields):
        from runtime import eventid   # here, not at boot: the boot is the printer's heap peak
        event = messages.event(eventid.next_id(self), kind, self.clock.now_ms(), **fields)
        try:
            self.outbox.add(event, later)
        except OutboxFull:
            return None
        self._transmit(event)
        return event

    def _transmit(self, event):
        self.sent[event["id"]] = time.ticks_ms()
        self.link.publish(self.evt_topic, codec.encode(dict(event)))

    def resend(self, force=False):
        """Send again what the gateway has not acknowledged: everything on (re)connect,
        otherwise what waited longer than resend_ms."""
        if not self.link.up() or not self.gateway_on:
            return
        now = time.ticks_ms()
        for event in list(self.outbox.items):
            last = self.sent.get(event["id"])
            if force or last is None or time.ticks_diff(now, last) > self.cfg["resend_ms"]:
                self._transmit(event)
                if not self.link.up():
                    return

    # --- messages in -----------------------------------------------------------------

    def on_message(self, channel, msg):
        """Called by the link, often from inside umqtt while it waits for a PUBACK or SUBACK:
        nothing may publish here (a nested publish would swallow the outer one's reply), so
        messages are only queued and the main loop handles them."""
        if len(self.inbox) >= INBOX_MAX:
            self.inbox.pop(0)     # the oldest goes; an ack lost so is resent by the outbox
            self.link.bad += 1
        self.inbox.append((channel, msg))

    def handle_inbox(self):
        while self.inbox:
            channel, msg = self.inbox.pop(0)
            try:
                self._dispatch(channel, msg)
            except Exception as exc:   # a bad message must never stop the device
                self.link.bad += 1
                show_error(exc)

    def _dispatch(self, channel, msg):
        if channel == "gw":
            return self._gateway(msg)
        if channel in ("up", "down"):
            self.gateway_on = self.gateway_on and channel == "up"
            return self.app.on_link(channel == "up")
        if channel == topics.ACK:
            messages.check_ack(msg)
            event = self.outbox.take(msg["ack"])   # refused or failed, it goes too: never resent
            if not msg["ok"]:
                print("refused:", msg["ack"], msg.get("err", ""))
            if event is not None:
                self.sent.pop(event["id"], None)
                self.app.on_ack(event, msg)
        elif channel == topics.VIEW:
            self.app.on_view(messages.check_view(msg))
        elif channel.startswith(LEASE_PREFIX):
            self.app.on_lease(channel[len(LEASE_PREFIX):], msg)
        elif channel == topics.COMMAND:
            self._command(messages.check_command(msg))

    def _gateway(self, msg):
        messages.check_presence(msg)
        was = self.gateway_on
        self.gateway_on = msg["on"]
        if "now" in msg:
            self.clock.set(msg["now"])
        if self.gateway_on != was:
            self.app.on_gateway(self.gateway_on)
        if self.gateway_on and not was and self.gone_while_linked:
            # a gateway back from a restart: say hello again and resend, each device after
            # its own short delay, so a hall of devices does not answer in one burst
            self.announce_at = time.ticks_add(time.ticks_ms(), random.getrandbits(12) * 3 // 4)
        elif self.gateway_on:
            self.resend(force=True)
        self.gone_while_linked = not self.gateway_on and self.link.up()

    def _command(self, cmd):
        name = cmd["c"]
        if name == messages.CMD_TIME:
            self.clock.set(cmd["now"])
        elif name == messages.CMD_CONFIG:
            self._change_config(cmd["set"])
        elif name == messages.CMD_REBOOT:
            self.outbox.flush()       # a planned reboot resends nothing already answered
            machine.reset()
        elif name == messages.CMD_IDENTIFY:
            self.app.leds.blink("status", cmd.get("s", 5) * 1000)
        else:
            self.app.on_command(cmd)

    def _change_config(self, updates):
        """A remote fix: write it, say so, and reboot into it (a fix also ends safe mode)."""
        try:
            settings.change(self.root, self.cfg, updates)
        except settings.ConfigError as exc:
            self.send("status", part="config", state=("rejected: " + str(exc))[:32])
            return
        bootguard.healthy(self.root)
        self.send("status", part="config", state="applied")
        machine.reset()

    # --- the loop --------------------------------------------------------------------

    def step(self):
        self.link.poll(self.session)
        self.handle_inbox()
        if self.announce_at is not None and time.ticks_diff(time.ticks_ms(), self.announce_at) >= 0:
            self.announce_at = None
            self.link.publish(self.link.state_topic, codec.encode(self.birth()), True)
            self.resend(force=True)
        for key in self.app.keys.poll():
            self.app.on_key(key)
        self.resend()
        self.app.tick()

    def idle(self, ms):
        """Wait up to `ms` for work: a latched key or a packet from the broker ends the wait
        at once (within a slice), so neither waits for the rest of a poll period."""
        until = time.ticks_add(time.ticks_ms(), ms)
        slice_ms = max(IDLE_SLICE_MS, ms // 5)
        while not (self.inbox or self.app.keys.waiting()):
            left = time.ticks_diff(until, time.ticks_ms())
            if left <= 0:
                return
            time.sleep_ms(min(slice_ms, left))
            self.link.poll(self.session)      # what arrived goes to the inbox: the wait ends


def make_app(device):
    """The app of the device's kind; imported here so a board loads only its own app."""
    kind = device.cfg["kind"]
    if device.safe:
        from apps.safe import Safe
        return Safe(device)
    if kind == "printer":
        from apps.printer import Printer
        return Printer(device)
    if kind == "pad":
        from apps.pad import Pad
        return Pad(device)
    from apps.display import Display
    return Display(device)


def error_ring(root):
    """The error ring in flash; its module is loaded only once something failed (heap)."""
    from runtime.errors import Errors
    return Errors(root + ERRORS_FILE)


def last_error(root):
    """The newest failure kept in flash, or None, without loading runtime.errors."""
    ring = flashfile.load(root + ERRORS_FILE, list, [])
    return ring[-1] if ring and isinstance(ring[-1], dict) and "err" in ring[-1] else None


def contain(device, exc):
    """A main-loop step failed: keep the error in flash, say it on the console, and go on.
    Failing step after step, the link starts afresh; failing for CRASH_LOOP_STEPS the board
    resets, which the boot guard counts: only such a crash loop ends in safe mode."""
    device.failing += 1
    if device.errors is None:
        device.errors = error_ring(device.root)
    device.errors.record(exc, device.session, device.clock.now_ms(), "step")
    show_error(exc)
    if device.failing == RELINK_AFTER_STEPS:
        device.link.drop("after failures: " + type(exc).__name__)
    if device.failing >= CRASH_LOOP_STEPS:
        if device.errors.dirty:
            device.errors.save()       # the count of the repeats, before RAM is lost
        machine.reset()


def start(root, cfg, board):
    """The device, or a reset after BOOT_RETRY_MS when it cannot be made (recorded first)."""
    session = settings.count_boot(root)
    safe = bootguard.boot(root)
    try:
        return Device(root, cfg, board, session, safe)
    except Exception as exc:
        error_ring(root).record(exc, session, 0, "boot")
        show_error(exc)
        time.sleep_ms(BOOT_RETRY_MS)
        machine.reset()


def run(root="", booted=None):
    """Boot: read flash, count the boot, start the app, loop for ever. The watchdog is fed
    only here, so a loop stuck anywhere resets the board. A failing step is contained
    (contain()); a minute of the loop turning proves the boot healthy, linked or not, so an
    outage of any length never leads to safe mode. `booted(device)`, if given, is told the
    device once it exists (a test bench's probe)."""
    cfg, board = settings.load(root)
    device = start(root, cfg, board)
    if booted is not None:
        booted(device)
    wdt = machine.WDT(timeout=cfg["wdt_ms"])
    poll_ms = cfg["poll_ms"]
    started = time.ticks_ms()
    proven = False
    while True:
        try:
            device.step()
            device.failing = 0
        except Exception as exc:       # MemoryError included; a reset is a BaseException
            contain(device, exc)
        if not proven and not device.failing and time.ticks_diff(time.ticks_ms(), started) > bootguard.HEALTHY_MS:
            bootguard.healthy(root)
            proven = True
        if device.link.offline_ms() > cfg["offline_reset_s"] * 1000:
            machine.reset()            # Wi-Fi from scratch; the time lives on in the RTC
        wdt.feed()
        device.idle(poll_ms)
