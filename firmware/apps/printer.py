# Ticket printer: a citizen presses a service key, the gateway allocates the ticket (in the
# ack), the printer prints it and reports the outcome. When the gateway has been out of reach
# for a while, the printer issues from the block of numbers the gateway leased it (runtime/
# lease.py), marks the ticket offline and reports it through the outbox; without a usable
# lease a press is kept in the outbox until the gateway answers, and then gets its ticket.
import time

from machine import UART, Pin

from apps.base import App
from drivers.scanner import Scanner
from runtime.lease import Leases

COLUMNS = {58: 32, 80: 48}       # font A columns by paper width in mm (drivers/escpos.py wraps to them)
OFFLINE_AFTER_S = 10     # a short blip (a gateway restart) is waited out: its ticket has an estimate


class Printer(App):
    def __init__(self, device):
        App.__init__(self, device)
        spec = device.board["printer"]
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 9600), tx=spec.get("tx"),
                         rx=spec.get("rx"))
        self.cols = COLUMNS.get(spec.get("paper_mm", 58), 32)
        self.fs_and = spec.get("fs_and", True)     # False: the printer is always in GB mode
        sensor = device.board.get("paper_sensor")
        self.paper = Pin(sensor, Pin.IN) if sensor is not None else None
        self.paper_out = False
        self.printed = 0
        self.checked = time.ticks_ms()
        spec = device.board.get("scanner")
        self.scanner = Scanner(spec) if spec else None
        self.leases = Leases(device.root + "lease.json", device.root + "offline-")
        self.reached = time.ticks_ms()            # when the gateway was last within reach
        self.offline_after_ms = device.cfg.get("offline_after_s", OFFLINE_AFTER_S) * 1000

    def on_view(self, view):
        if view.get("kind") == "printer":      # "lease" in the view: from a gateway before 0.4
            self.leases.update(view.get("keys"), view.get("lease"))

    def on_lease(self, svc, lease):
        # one service's lease on its own retained topic (docs/protocol.md, "Offline issuing")
        self.leases.update(None, {svc: lease})

    def offline(self):
        """The gateway has been out of reach (link down, or the gateway away) long enough."""
        if self.device.gateway_on and self.device.link.up():
            self.reached = time.ticks_ms()
            return False
        return time.ticks_diff(time.ticks_ms(), self.reached) > self.offline_after_ms

    def on_key(self, name):
        if self.offline() and self.issue_offline(name):
            return
        if self.device.send("key", key=name) is None:
            self.leds.blink("status", 3000)     # outbox full: the press is refused visibly
        elif self.offline():
            self.leds.blink("status", 1500)     # no lease or no time: kept, printed when back
        else:
            self.leds.blink("status", 600)

    def issue_offline(self, name):
        """Print a ticket from the lease: the number is spent in flash, then the event that
        reports it is in the outbox, then it is printed. False when it cannot be done (no
        lease for today, no time, no paper, no room to report it): the press goes online."""
        target = self.leases.service(name)
        outbox = self.device.outbox
        if target is None or len(outbox) + 2 > outbox.limit or self._paper_out():
            return False
        now_s = self.device.clock.now_ms() // 1000
        no = self.leases.take(target[0], now_s)
        if no is None:
            return False
        self.device.send("key", key=name, offline=no)
        from apps import offline_ticket          # here: an online printer never loads it
        offline_ticket.print_ticket(self.uart, self.cols, self.fs_and, self.leases, target[0], no, now_s)
        self.printed += 1
        self.device.report("printed", ticket=no, ok=True)
        self.leds.blink("status", 600)
        return True

    def on_ack(self, event, ack):
        if event["t"] != "key":
            return
        if "offline" in event:                  # printed already; a refusal is the gateway's to log
            return
        res = ack.get("res") or {}
        ticket = res.get("ticket")
        if not ack["ok"] or not isinstance(ticket, dict):
            self.leds.blink("status", 3000)     # refused: e.g. the service is closed
            return
        if res.get("printed"):
            # the answer to a press resent after a reset: the gateway has this ticket's print
            # report already, so it is on paper
            return
        self.print_ticket(ticket)

    def on_command(self, cmd):
        if cmd["c"] == "print" and isinstance(cmd.get("ticket"), dict):
            self.print_ticket(cmd["ticket"])

    def print_ticket(self, ticket):
        no = ticket.get("no", "")
        # the press this ticket answers stays in flash until the outcome is written with the
        # next write: a reset before that sends it again and the gateway's answer prints it
        if self._paper_out():
            self.device.report("printed", ticket=no, ok=False, why="paper out")
            return
        from drivers import escpos      # at the first print: a printer boots without it
        escpos.ticket(self.uart, ticket, self.cols, self.fs_and)
        self.printed += 1
        self.device.report("printed", ticket=no, ok=True)

    def tick(self):
        App.tick(self)
        self.offline()                          # notes when the gateway was last in reach
        if self.scanner:
            for code in self.scanner.poll():
                # a booking code: the gateway checks it in and the ack carries the ticket
                self.leds.blink("status", 600 if self.device.send("key", key="scan", code=code) else 3000)
        # look at the paper once a second: a refill is reported (and the gateway reprints
        # what failed) without waiting for the next citizen
        if time.ticks_diff(time.ticks_ms(), self.checked) > 1000:
            self.checked = time.ticks_ms()
            self._paper_out()

    def _paper_out(self):
        # the sensor's switch pulls the pin low when the roll runs out
        out = self.paper is not None and self.paper.value() == 0
        if out != self.paper_out:
            self.paper_out = out
            self.leds.set("paper", out)
            self.device.send("status", part="paper", state="out" if out else "ok")
        return out
