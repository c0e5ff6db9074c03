"""The live terminal view of a simulated day (rich): windows, queues, devices, last events,
and a progress bar in simulated time. Redrawn after each of the day's checks (about 1/s);
every figure comes from the gateway's log (folded) or from the simulated devices themselves.
"""
import time

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn
from rich.table import Table

from sim.timebase import local_hhmm


class LiveView:
    def __init__(self, day, console=None):
        self.day = day
        self.live = None
        self.console = console
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[clock]}"))
        self.task = self.progress.add_task("simulated day", total=day.horizon_s(), clock="")

    def start(self):
        self.live = Live(self.render(), console=self.console, refresh_per_second=2, transient=False)
        self.live.start()
        return self

    def stop(self):
        if self.live is not None:
            self.live.stop()
            self.live = None

    def update(self, day):
        if self.live is not None:
            self.live.update(self.render())

    # --- the parts -----------------------------------------------------------------

    def render(self):
        day = self.day
        rig = day.rig
        sim = rig.timebase.sim_s()
        clock = local_hhmm(rig.timebase.now(), rig.hall.utc_offset_s)
        self.progress.update(self.task, completed=min(sim, day.horizon_s()),
                             clock="%s  x%g  %.0f real s" % (clock, rig.speed, time.monotonic() - (day.started_real or time.monotonic())))
        parts = [self.progress]
        if day.state is not None:
            parts += [self._windows(), self._queues(sim)]
        parts += [self._devices(), self._events()]
        return Panel(Group(*parts), title="hallmesh sim: %s" % day.scenario.name)

    def _windows(self):
        state, staff = self.day.state, self.day.scenario.staff
        table = Table(title="windows", expand=True)
        for col in ("window", "staff", "state", "ticket", "served today"):
            table.add_column(col)
        served = {}
        for t in state.tickets.values():
            if t.status == "finished" and t.window is not None:
                served[t.window] = served.get(t.window, 0) + 1
        for number, win in sorted(state.windows.items()):
            current = state.current(number)
            person = staff.get(number)
            table.add_row(str(number), person.name if person else "-", win.status, current.no if current else "",
                          str(served.get(number, 0)))
        return table

    def _queues(self, sim):
        state = self.day.state
        now = self.day.rig.timebase.now()
        table = Table(title="queues", expand=True)
        for col in ("service", "waiting", "oldest wait"):
            table.add_column(col)
        for code, line in sorted(state.waiting.items()):
            oldest = max((now - state.tickets[tid].issued_at for tid in line), default=0)
            table.add_row(code, str(len(line)), "%.0f min" % (oldest / 60) if line else "-")
        return table

    def _devices(self):
        devices = self.day.rig.devices.devices.values()
        table = Table(title="devices", expand=True)
        for col in ("device", "power", "link", "heap", "RSSI", "outbox", "boots"):
            table.add_column(col)
        shown = list(devices)
        offline = [d for d in shown if not d.board.power.is_set() or not d.board.net_up]
        rest = [d for d in shown if d not in offline]
        for dev in (offline + rest)[:14]:     # the troubled ones first: the view must stay short
            table.add_row(dev.id, "on" if dev.board.power.is_set() else "OFF",
                          "up" if dev.board.net_up and dev.board.sockets else "DOWN",
                          str(dev.board.heap_free), str(dev.board.rssi), str(len(dev.outbox())), str(dev.boots))
        if len(shown) > 14:
            table.caption = "%d more devices, %d off or without Wi-Fi in all" % (len(shown) - 14, len(offline))
        return table

    def _events(self):
        rig = self.day.rig
        lines = ["%s  %s" % (local_hhmm(rig.timebase.epoch + t, rig.hall.utc_offset_s), text)
                 for t, text in rig.events[-8:]]
        return Panel("\n".join(lines) or "-", title="last events")
