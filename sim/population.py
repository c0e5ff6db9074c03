"""The people of a simulated day: citizens who press printer keys and rate, staff who call,
serve, finish, skip no-shows and take breaks. They only touch the devices, as people do: a
citizen presses a key; staff read their pad to learn whom they called.

Threads: one walks the arrival plan in simulated time and hands each press to its printer's
queue (a printer is one key panel: presses on it happen one after another); one per window
plays its staff member and the citizens served there.
"""
import queue
import threading
import time

from sim.scenario import citizen

SETTLE_REAL_S = 3.0       # how long a person waits (real s) for a device to react before retrying
IDLE_SIM_S = 20.0         # staff with nobody to call look again after this long
RECALL_SIM_S = 30.0       # staff wait this long for a called citizen before recalling / skipping


class Records:
    """What the people did and saw: the population's side of the invariant check."""

    def __init__(self):
        self.lock = threading.Lock()
        self.pressed = []         # (sim s, printer, key, svc) of every ticket press made
        self.unpressed = []       # arrivals that found their printer dead until the end
        self.missed = []          # (sim s, printer, key) presses the firmware never registered
        self.called = {}          # ticket no -> window, as the pad showed it
        self.finished = {}        # ticket no -> window
        self.skipped = {}         # ticket no -> window
        self.rated = {}           # ticket no -> (level, window, thanked)
        self.retries = 0          # presses made again because nothing visible happened
        self.breaks = 0

    def add(self, name, key, value):
        with self.lock:
            getattr(self, name)[key] = value


def _wait(predicate, real_s, stop, step=0.03):
    deadline = time.monotonic() + real_s
    while not stop.is_set():
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(step)
    return False


class Population:
    def __init__(self, rig, scenario, plan, offset_s=0.0):
        """`offset_s`: simulated seconds between the rig's time zero and the day's start."""
        self.rig, self.scenario, self.plan = rig, scenario, plan
        self.offset_s = offset_s
        self.records = Records()
        self.stop = threading.Event()
        self.arrivals_done = threading.Event()
        self.printer_queues = {}
        self.threads = []
        self.windows_idle = {}        # window -> True while its staff found nobody to call
        self.day = None               # the hall day of the tickets, learnt from the first one

    # --- running -------------------------------------------------------------------

    def start(self):
        for printer in sorted({a.printer for a in self.plan}):
            q = queue.Queue()
            self.printer_queues[printer] = q
            self._thread("citizens-" + printer, self._printer_worker, printer, q)
        for window in sorted(self.scenario.staff):
            if self._pad(window) is not None:
                self._thread("staff-%d" % window, self._staff, window)
        self._thread("arrivals", self._arrivals)
        return self

    def _thread(self, name, target, *args):
        t = threading.Thread(target=target, args=args, name="sim-" + name, daemon=True)
        t.start()
        self.threads.append(t)

    def halt(self):
        self.stop.set()
        for t in self.threads:
            t.join(30)

    def sim_s(self):
        """Simulated seconds since the day's start (scenario times count from there)."""
        return self.rig.timebase.sim_s() - self.offset_s

    def _sleep_until(self, at):
        while not self.stop.is_set():
            left = at - self.sim_s()
            if left <= 0:
                return True
            self.stop.wait(min(0.2, self.rig.timebase.real_s(left)))
        return False

    def _sleep_sim(self, seconds):
        return self._sleep_until(self.sim_s() + seconds)

    # --- citizens at the printers --------------------------------------------------

    def _arrivals(self):
        for arrival in self.plan:
            if not self._sleep_until(arrival.at):
                return
            self.printer_queues[arrival.printer].put(arrival)
        for q in self.printer_queues.values():
            q.put(None)
            q.join()
        self.arrivals_done.set()

    def _printer_worker(self, printer, q):
        while True:
            arrival = q.get()
            try:
                if arrival is None:
                    return
                if self.stop.is_set():
                    continue
                self._take_ticket(arrival)
            finally:
                q.task_done()

    def _take_ticket(self, arrival):
        dev = self.rig.devices.devices.get(arrival.printer)
        if dev is None:          # a real printer takes this place (--exclude): not ours to press
            self.records.unpressed.append(arrival)
            return
        # a printer without power takes no press: the citizen waits for it (staff restart it)
        if not _wait(lambda: self._accepts_keys(dev, arrival.key), 60.0, self.stop):
            self.records.unpressed.append(arrival)
            return
        bounces = max(arrival.bounces, self.rig.injector.bounces.get(arrival.printer, 0))
        for attempt in range(3):
            before, made = len(dev.tickets()), len(dev.key_events)
            self.rig.press(arrival.printer, arrival.key, bounces=bounces)
            if not self._press_missed(dev, before, made):
                with self.records.lock:
                    self.records.pressed.append((round(self.sim_s(), 1), arrival.printer, arrival.key, arrival.svc))
                return
            # no ticket, no paper light, nothing kept: the firmware never saw the press (it
            # was booting, or its loop was blocked). The citizen presses again.
            with self.records.lock:
                self.records.missed.append((round(self.sim_s(), 1), arrival.printer, arrival.key))

    def _press_missed(self, dev, before, made):
        """True when the press came to nothing: no ticket came (nor the paper light for it),
        and the firmware made no key event for it that is still kept or was answered with
        a ticket (an offline printer keeps the press and prints when the gateway answers; a
        loaded machine may print late). A refused press counts as missed: it is pressed again."""
        def printed():     # the paper light alone says nothing of this press
            return len(dev.tickets()) > before or (dev.led("paper") and len(dev.key_events) > made)
        if _wait(printed, SETTLE_REAL_S, self.stop):
            return False
        if self.stop.is_set():
            return False
        for event_id in dev.key_events[made:]:
            ack = dev.key_answers.get(event_id)
            if ack is None or ack["ok"]:
                return False
        return True

    @staticmethod
    def _accepts_keys(dev, key):
        pin = dev.board.pin(dev.spec["keys"][key])
        return dev.board.power.is_set() and pin.handler is not None

    # --- staff and the citizens they serve --------------------------------------------

    def _pad(self, window):
        for dev in self.rig.devices.devices.values():
            if dev.kind == "pad" and self.rig.hall.devices[dev.id].window == window:
                return dev
        return None

    def _staff(self, window):
        staff = self.scenario.staff[window]
        pad = self._pad(window)
        if not self._sleep_until(staff.shift[0]):
            return
        breaks = list(staff.breaks)
        while not self.stop.is_set() and self.sim_s() < staff.shift[1]:
            if breaks and self.sim_s() >= breaks[0][0]:
                self._take_break(pad, breaks.pop(0))
                continue
            if not self._serve_next(window, pad):
                self.windows_idle[window] = True
                self._sleep_sim(IDLE_SIM_S)

    def _take_break(self, pad, span):
        if self._press_until(pad, "pause", lambda: "Paused" in self._window_display_text(pad)):
            self.records.breaks += 1
        self._sleep_until(span[1])
        self._press_until(pad, "resume", lambda: "Paused" not in self._window_display_text(pad))

    def _window_display_text(self, pad):
        window = self.rig.hall.devices[pad.id].window
        for dev in self.rig.devices.devices.values():
            if dev.kind == "display" and self.rig.hall.devices[dev.id].window == window:
                return dev.shows()
        return ""

    @staticmethod
    def _serving(pad):
        top = pad.shows().split("\n")[0]
        return top[len("Serving "):] if top.startswith("Serving ") else ""

    def _press_until(self, dev, key, seen, tries=3):
        """Press, and press again when nothing visible happens (as people do)."""
        for attempt in range(tries):
            if self.stop.is_set():
                return False
            if not _wait(lambda: self._accepts_keys(dev, key), 60.0, self.stop):
                return False
            if attempt:
                self.records.retries += 1
            self.rig.press(dev.id, key)
            if _wait(seen, SETTLE_REAL_S, self.stop):
                return True
        return False

    def _serve_next(self, window, pad):
        before = self._serving(pad)
        if before:      # still serving (an earlier finish was lost): finish it now
            return self._finish(window, pad, before, None)
        if not self._press_until(pad, "call", lambda: self._serving(pad) != "", tries=1):
            return False
        self.windows_idle[window] = False
        no = self._serving(pad)
        self.records.add("called", no, window)
        who = citizen(self.scenario, self._day(), no, no.rstrip("0123456789"))
        if who.no_show or not self._has_paper_ticket(no):
            return self._no_show(window, pad, no)
        self._sleep_sim(who.service_s)
        return self._finish(window, pad, no, who)

    def _day(self):
        return self.scenario.date

    def _has_paper_ticket(self, no):
        """A ticket that never came out of a printer (paper out) has nobody holding it."""
        for dev in self.rig.devices.devices.values():
            if dev.kind == "printer" and any(_ticket_no(t) == no for t in dev.tickets()):
                return True
        return False

    def _no_show(self, window, pad, no):
        self._sleep_sim(RECALL_SIM_S)
        self.rig.press(pad.id, "recall")
        self._sleep_sim(RECALL_SIM_S)
        if self._press_until(pad, "skip", lambda: self._serving(pad) != no):
            self.records.add("skipped", no, window)
        return True

    def _finish(self, window, pad, no, who):
        if not self._press_until(pad, "finish", lambda: self._serving(pad) != no):
            return True
        self.records.add("finished", no, window)
        if who is None or who.rating is None:
            return True
        prompt = "Please rate " + no
        if not _wait(lambda: prompt in pad.shows(), SETTLE_REAL_S, self.stop):
            return True
        self._sleep_sim(who.rate_delay_s)
        thanked = self._press_until(pad, "r%d" % who.rating, lambda: "Thank you" in pad.shows(), tries=1)
        self.records.add("rated", no, (who.rating, window, thanked))
        return True


def _ticket_no(ticket):
    line = ticket.largest()
    return line.text.strip() if line is not None else ""
