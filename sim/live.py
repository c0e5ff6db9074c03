"""The live terminal view of a simulated day (rich), made to fit a terminal of 80x24: a
progress line with the simulated clock and the real time left (ETA), every window in a
compact grid, the queues on one line, the devices summed up with the troubled ones named,
and the latest hall events (calls, tickets, ratings, faults) filling the rest of the height.
Redrawn after each of the day's checks (about 1/s); every figure comes from the gateway's
log (folded) or from the simulated devices themselves.
"""
import time

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from gateway import narrate
from sim.timebase import local_hhmm

WINDOW_CELL = 19          # characters per window in the grid: 4 across 80 columns
FRAME_ROWS = 2            # the panel's top and bottom border
MIN_EVENTS = 3


class LiveView:
    def __init__(self, day, console=None):
        self.day = day
        self.live = None
        self.console = console
        self.progress = Progress(TextColumn("{task.fields[clock]}"), BarColumn(bar_width=None),
                                 TextColumn("{task.percentage:>3.0f}%"), TextColumn("ETA"), TimeRemainingColumn(),
                                 expand=True)
        self.task = self.progress.add_task("simulated day", total=day.horizon_s(), clock="")

    def start(self):
        self.live = Live(self.render(), console=self.console, refresh_per_second=2, transient=False,
                         vertical_overflow="crop")
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

    def _size(self):
        console = self.live.console if self.live is not None else self.console
        if console is None:
            return 80, 24
        return console.size.width, console.size.height

    def render(self):
        width, height = self._size()
        day = self.day
        rig = day.rig
        sim = rig.timebase.sim_s()
        clock = local_hhmm(rig.timebase.now(), rig.hall.utc_offset_s)
        real = time.monotonic() - (day.started_real or time.monotonic())
        self.progress.update(self.task, completed=min(sim, day.horizon_s()),
                             clock="%s x%g %.0fs" % (clock, rig.speed, real))
        parts = [self.progress]
        if day.state is not None:
            parts += [self._windows(width), self._queues()]
        parts.append(self._devices(width))
        used = FRAME_ROWS + 1 + sum(_rows(p, width) for p in parts[1:]) + 1     # +1: the events' heading
        parts.append(self._events(max(MIN_EVENTS, height - used - 1)))
        return Panel(Group(*parts), title="hallmesh sim: %s" % day.scenario.name, padding=(0, 1))

    def _windows(self, width):
        """Every window: number, staff (short), state, ticket, served today."""
        state, staff = self.day.state, self.day.scenario.staff
        served = {}
        for t in state.tickets.values():
            if t.status == "finished" and t.window is not None:
                served[t.window] = served.get(t.window, 0) + 1
        across = max(1, (width - 4) // WINDOW_CELL)
        grid = Table.grid(padding=(0, 1))
        for _ in range(across):
            grid.add_column(width=WINDOW_CELL - 1, no_wrap=True)
        cells = []
        for number, win in sorted(state.windows.items()):
            current = state.current(number)
            mark = {"serving": "▶", "paused": "‖"}.get(win.status, "·")
            person = staff.get(number)
            who = (person.name.split()[-1][:5] if person else "")
            # 18 characters: "12 ▶ A012 Lin    41" (window, state, ticket, staff, served today)
            cells.append(Text("%2d %s %-5s%-5s%3d" % (number, mark, current.no if current else "", who,
                                                    served.get(number, 0)),
                              style="bold" if win.status == "serving" else "dim" if win.status == "paused" else ""))
        for row in range(0, len(cells), across):
            grid.add_row(*cells[row:row + across])
        return grid

    def _queues(self):
        state = self.day.state
        now = self.day.rig.timebase.now()
        parts = []
        for code, line in sorted(state.waiting.items()):
            oldest = max((now - state.tickets[tid].issued_at for tid in line), default=0)
            parts.append("%s %d" % (code, len(line)) + (" (%.0f min)" % (oldest / 60) if line else ""))
        return Text("waiting: " + " · ".join(parts), no_wrap=False)

    def _devices(self, width):
        devices = list(self.day.rig.devices.devices.values())
        troubled = []
        for dev in devices:
            if not dev.board.power.is_set():
                troubled.append("%s off" % dev.id)
            elif not (dev.board.net_up and dev.board.sockets):
                troubled.append("%s no link" % dev.id)
            elif dev.outbox():
                troubled.append("%s outbox %d" % (dev.id, len(dev.outbox())))
        text = "devices: %d, %d fine" % (len(devices), len(devices) - len(troubled))
        if troubled:
            shown = ", ".join(troubled)
            room = 2 * (width - 4) - len(text) - 4          # at most two lines
            if len(shown) > room:
                shown = shown[:max(0, room - 6)].rsplit(",", 1)[0] + ", ..."
            text += "; " + shown
        return Text(text, style="yellow" if troubled else "")

    def _events(self, rows):
        """The run's notes (faults, the population) and the hall's own events (from the
        gateway's log), newest last, as many as fit."""
        rig = self.day.rig
        offset = rig.hall.utc_offset_s
        lines = [(rig.timebase.epoch + t, text) for t, text in rig.events[-rows:]]
        for ev in (getattr(self.day, "log", None) or [])[-4 * rows:]:
            said = narrate.line(rig.hall, ev)
            if said:
                lines.append((ev["at"], said))
        lines.sort(key=lambda pair: pair[0])
        shown = ["%s %s" % (local_hhmm(at, offset), text) for at, text in lines[-rows:]]
        return Group(Text("last events", style="bold"), Text("\n".join(shown) or "-", no_wrap=True,
                                                             overflow="ellipsis"))


def _rows(renderable, width):
    """How many terminal rows a part takes at this width."""
    from rich.console import Console
    console = Console(width=width - 4, height=1000, file=_Null(), color_system=None)
    return len(console.render_lines(renderable, console.options, pad=False))


class _Null:
    def write(self, text):
        return len(text)

    def flush(self):
        pass
