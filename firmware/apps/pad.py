# Rating pad at a window. Staff keys (call, recall, skip, finish, pause, resume) act for
# this window; rating keys r1..rN rate the ticket the gateway says is open for rating (r1
# worst). The view says what the rating keys mean, one thing at a time: "rate" (a rating),
# else "reasons" (the reason for a bad review), else, after the transfer key, "to" (the
# service to send the citizen to). The pad sends every rating press; the gateway decides
# whether it counts. The gateway composes the text (view "lines", "thanks").
import time

from machine import Pin

from apps.base import App
from drivers.panel import Panel
from drivers.text import line_bytes
from protocol.messages import STAFF_KEYS

THANKS_MS = 5000
REFUSAL_MS = 8000        # long enough to read a refusal that scrolls
CHOOSE_MS = 10000
AWAY = {"t": "Service paused"}
THANKS = {"t": "Thank you!"}


class Pad(App):
    def __init__(self, device):
        App.__init__(self, device)
        self.panel = Panel(device.board["panel"])
        self.view = None
        self.rate = ""             # the ticket open for rating, from the view
        self.thanked_at = None     # ticks when the last rating was counted
        self.refusal = None        # (text, ticks) of the last refused key, shown a while
        self.choosing = None       # ticks the transfer key was pressed, while choosing
        if device.board.get("buzzer") is not None:   # driven like an LED: a blink is a beep
            self.leds.pins["buzzer"] = Pin(device.board["buzzer"], Pin.OUT, value=0)

    def on_key(self, name):
        if name == "transfer":
            # the next rating key chooses where the citizen goes (view "to", "choose"); no
            # "to" while the keys ask a rating or a reason: a long blink says not now
            self.choosing = time.ticks_ms() if (self.view or {}).get("to") else None
            if self.choosing is None:
                self._sent(None)
            self._show()
        elif name in STAFF_KEYS:
            self._sent(self.device.send("key", key=name))
        elif name[:1] == "r" and name[1:].isdigit():
            if self.choosing is not None:
                self._transfer(int(name[1:]))
            elif not self.rate and self.view and self.view.get("reasons"):
                # after a bad review the same keys give the reason, by the hall's list
                self._sent(self.device.send("key", key=name))
            else:
                self._sent(self.device.send("rate", level=int(name[1:]), ticket=self.rate))

    def _transfer(self, index):
        targets = (self.view or {}).get("to") or []
        self.choosing = None
        if 1 <= index <= len(targets):
            self._sent(self.device.send("key", key="transfer", to=targets[index - 1]))
        self._show()

    def _sent(self, event):
        self.leds.blink("status", 300 if event else 3000)

    def on_view(self, view):
        if view["kind"] != "pad":
            return
        rate = view.get("rate", "")
        if rate and rate != self.rate:
            self.thanked_at = None
            self.leds.blink("buzzer", 250)       # a beep: the citizen is asked to rate
        self.rate = rate
        self.view = view
        if not view.get("to"):
            self.choosing = None     # the keys mean something else now (a rating, a reason)
        self._show()

    def on_ack(self, event, ack):
        if not ack["ok"]:
            # staff see why nothing happened ("no ticket waiting for window 3 (A, B)")
            # "line": the reason in the hall's language, as the panel draws it
            self.refusal = (ack.get("line") or {"t": ack.get("err") or "refused"}, time.ticks_ms())
            self._show()
            return
        res = ack.get("res") or {}
        if event["t"] == "rate" and res.get("counted"):
            self.thanked_at = time.ticks_ms()
            self.leds.blink("buzzer", 120)
            self._show()

    def on_gateway(self, on):
        self._show()

    def tick(self):
        App.tick(self)
        self.panel.tick()        # a refusal or reason list longer than the pad scrolls
        now = time.ticks_ms()
        if self.thanked_at is not None and time.ticks_diff(now, self.thanked_at) > THANKS_MS:
            self.thanked_at = None
            self._show()
        if self.refusal is not None and time.ticks_diff(now, self.refusal[1]) > REFUSAL_MS:
            self.refusal = None
            self._show()
        if self.choosing is not None and time.ticks_diff(now, self.choosing) > CHOOSE_MS:
            self.choosing = None     # staff changed their mind: back to normal
            self._show()

    def _show(self):
        lines = (self.view or {}).get("lines") or []
        top = lines[0] if lines else None
        bottom = lines[1] if len(lines) > 1 else None
        if not self.device.gateway_on:
            top = (self.view or {}).get("away") or self.device.cfg.get("away_text") or AWAY
        if self.thanked_at is not None:
            bottom = (self.view or {}).get("thanks") or THANKS
        if self.refusal is not None:
            bottom = self.refusal[0]
        choose = (self.view or {}).get("choose")
        if self.choosing is not None and choose:
            top, bottom = choose[0], choose[1]
        self.panel.show(0, line_bytes(top) if top else b"")
        self.panel.show(1, line_bytes(bottom) if bottom else b"")
        self._light_rating_keys()

    def _light_rating_keys(self):
        """The rating keys light up while they mean something: a rating or a reason is asked."""
        asking = bool(self.rate) or bool(self.view and self.view.get("reasons")) or self.choosing is not None
        for name in self.leds.pins:
            if name[:1] == "r" and name[1:].isdigit():
                self.leds.set(name, asking)
