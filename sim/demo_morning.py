"""The demo's scripted morning in any hall: citizens take tickets at the printers, staff call and
finish them on each window's pad, citizens rate (and after a bad review may give a reason).
Everything waits for what a person would see: the printed ticket, the pad's text in the hall's
language."""
from gateway import wording
from gateway.engine.state import WAITING
from sim import demo_words

WAIT_S = 20.0
ROUNDS_PER_CITIZEN = 4           # a safety net: a morning that makes no progress stops with a reason
LIKED = (5, 5, 5, 4, 4, 3, 2, 1)   # how citizens mostly rate, on five levels


def say(text):
    print(text, flush=True)


class Morning:
    def __init__(self, hall, devices, rng, gateway):
        self.hall, self.devices, self.rng, self.gateway = hall, devices, rng, gateway
        self.printers = [dev for dev in hall.devices.values() if dev.kind == "printer"]
        self.pads = {dev.window: dev for dev in hall.devices.values() if dev.kind == "pad"}
        served = {svc for n in self.pads for svc in hall.windows[n].services}
        self.services = sorted({target for p in self.printers for target in p.keys.values()} & served)

    def text(self, key, **values):
        return wording.say(self.hall.language, key, **values)

    def tell(self, key, **values):
        say(demo_words.say(self.hall, key, **values))

    # --- citizens at the printers -------------------------------------------------------

    def arrive(self):
        svc = self.rng.choice(self.services)
        printer = self.rng.choice([p for p in self.printers if svc in p.keys.values()])
        key = next(k for k, target in sorted(printer.keys.items()) if target == svc)
        self.tell("presses", svc=svc, name=self.hall.services[svc].name, printer=printer.id)
        sim = self.devices[printer.id]
        before = len(sim.tickets())
        sim.press(key)
        self.devices.wait_until(lambda: len(sim.tickets()) > before, WAIT_S, "a ticket from " + printer.id)

    # --- staff at a window --------------------------------------------------------------

    def waiting_for(self, window):
        """Tickets waiting that this window may call: the staff's queue screen."""
        services = self.hall.windows[window].services
        with self.gateway.lock:
            state = self.gateway.state
            lines = [state.waiting.get(svc, []) for svc in services] + [state.directed.get(window, [])]
            return sum(1 for line in lines for tid in line if state.tickets[tid].status == WAITING)

    def serving(self, window):
        with self.gateway.lock:
            ticket = self.gateway.state.current(window)
            return ticket.no if ticket else None

    def shows(self, pad, text):
        return lambda: text in pad.shows()

    def serve(self, window):
        if not self.waiting_for(window):
            return False
        device = self.pads[window]
        pad = self.devices[device.id]
        pad.press("call")
        no = self.devices.wait_until(lambda: self.serving(window), WAIT_S, "a call at window %d" % window)
        self.devices.wait_until(self.shows(pad, self.text("serving", no=no)), WAIT_S,
                                "%s on %s" % (no, device.id), seen=pad.shows)
        if self.rng.random() < 0.1:
            pad.press("recall")
            pad.press("skip")       # the citizen never came
            self.devices.wait_until(lambda: self.serving(window) != no, WAIT_S, "the skip at window %d" % window)
            return True
        pad.press("finish")
        self.devices.wait_until(self.shows(pad, self.text("rate", no=no)), WAIT_S,
                                "the rating prompt on " + device.id, seen=pad.shows)
        if self.rng.random() < 0.85:        # most citizens rate; mostly well
            self.rate(device, pad, no)
        return True

    def rate(self, device, pad, no):
        levels, keys = self.hall.rating_levels, len(device.rating_map) or self.hall.rating_levels
        wanted = 1 + (self.rng.choice(LIKED) - 1) * (levels - 1) / 4.0
        # the pad's key whose level is nearest (a four-key pad maps its keys onto five levels)
        key = min(range(1, keys + 1), key=lambda k: (abs(device.hall_level(k) - wanted), -k))
        level = device.hall_level(key)
        self.tell("rates", no=no, level=level, label=self.hall.rules.rating_labels[level - 1], win=device.window)
        pad.press("r%d" % key)
        self.devices.wait_until(self.shows(pad, self.text("thanks")), WAIT_S, "thanks on " + device.id,
                                seen=pad.shows)
        if not self.hall.rules.satisfied(level):
            self.reason(device, pad)

    def reason(self, device, pad):
        reasons = self.hall.rules.reasons
        asked = self.text("why", n=len(reasons))
        self.devices.wait_until(self.shows(pad, asked), WAIT_S, "the reason question on " + device.id,
                                seen=pad.shows)
        if self.rng.random() < 0.5:
            self.tell("no_reason", win=device.window)
            return
        index = self.rng.randrange(len(reasons))
        self.tell("reason", reason=reasons[index])
        pad.press("r%d" % (index + 1))
        self.devices.wait_until(lambda: asked not in pad.shows(), WAIT_S, "the reason taken on " + device.id,
                                seen=pad.shows)

    # --- the whole morning --------------------------------------------------------------

    def play(self, citizens):
        for _ in range(citizens):
            self.arrive()
        for _ in range(ROUNDS_PER_CITIZEN * max(citizens, 1) + len(self.pads)):
            busy = [window for window in sorted(self.pads) if self.serve(window)]
            if not busy:
                return
        raise RuntimeError("tickets are still waiting after %d rounds of calls" % (ROUNDS_PER_CITIZEN * citizens))
