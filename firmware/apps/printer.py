# Ticket printer: a citizen presses a service key, the gateway allocates the ticket (in the
# ack), the printer prints it and reports the outcome. A press is kept in the outbox until
# the gateway answers, so a press during an outage still gets its ticket.
import time

from machine import UART, Pin

from apps.base import App
from drivers import escpos
from drivers.scanner import Scanner


class Printer(App):
    def __init__(self, device):
        App.__init__(self, device)
        spec = device.board["printer"]
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 9600), tx=spec.get("tx"),
                         rx=spec.get("rx"))
        sensor = device.board.get("paper_sensor")
        self.paper = Pin(sensor, Pin.IN) if sensor is not None else None
        self.paper_out = False
        self.printed = 0
        self.checked = time.ticks_ms()
        spec = device.board.get("scanner")
        self.scanner = Scanner(spec) if spec else None

    def on_key(self, name):
        if self.device.send("key", key=name) is None:
            self.leds.blink("status", 3000)     # outbox full: the press is refused visibly
        else:
            self.leds.blink("status", 600)

    def on_ack(self, event, ack):
        if event["t"] != "key":
            return
        ticket = (ack.get("res") or {}).get("ticket")
        if not ack["ok"] or not isinstance(ticket, dict):
            self.leds.blink("status", 3000)     # refused: e.g. the service is closed
            return
        self.print_ticket(ticket)

    def on_command(self, cmd):
        if cmd["c"] == "print" and isinstance(cmd.get("ticket"), dict):
            self.print_ticket(cmd["ticket"])

    def print_ticket(self, ticket):
        no = ticket.get("no", "")
        if self._paper_out():
            self.device.send("printed", ticket=no, ok=False, why="paper out")
            return
        self.uart.write(escpos.ticket(ticket))
        self.printed += 1
        self.device.send("printed", ticket=no, ok=True)

    def tick(self):
        App.tick(self)
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
