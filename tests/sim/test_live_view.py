"""The live view of a simulated day fits a terminal of 80x24: every window of a 20-window hall
is on it, the latest hall events (calls, tickets) are on it, and the progress line has an ETA."""
import io
import os
import types

from rich.console import Console

from gateway import config
from gateway.engine import commands as c
from gateway.engine import execute, fold
from sim.live import LiveView

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
T0 = 1_795_420_800.0


class Board:
    def __init__(self, on=True, linked=True):
        self.power = types.SimpleNamespace(is_set=lambda: on)
        self.net_up, self.sockets = linked, [object()] if linked else []


class Device:
    def __init__(self, dev_id, board):
        self.id, self.board = dev_id, board

    def outbox(self):
        return []


def a_busy_day(hall_file):
    hall = config.load(os.path.join(REPO, "halls", hall_file))
    log = []
    state = fold(hall, [])
    now = T0
    for n, svc in enumerate(list(hall.services) * 6):
        now += 7
        log += execute(state, c.issue(svc, next(d for d in hall.devices if d.startswith("printer"))), now)
    for number in sorted(hall.windows):
        now += 3
        log += execute(state, c.call(number), now)
    devices = {d: Device(d, Board(on=d != "pad-3", linked=d != "display-2")) for d in hall.devices}
        # the clock of the run, 10 simulated minutes in (sim.timebase's interface, no global speed)
    timebase = types.SimpleNamespace(epoch=T0 - 600, sim_s=lambda: now - (T0 - 600), now=lambda: now)
    rig = types.SimpleNamespace(hall=hall, speed=60.0, timebase=timebase,
                                devices=types.SimpleNamespace(devices=devices),
                                events=[(5.0, "fault   paper_out:printer-1@0s+240s")])
    day = types.SimpleNamespace(rig=rig, state=state, log=log, scenario=types.SimpleNamespace(name="a test day", staff={}),
                                horizon_s=lambda: 4 * 3600.0, started_real=None)
    return day, state


def screen(day, width=80, height=24):
    console = Console(width=width, height=height, file=io.StringIO(), record=True, color_system=None,
                      legacy_windows=False)
    view = LiveView(day, console)
    view.progress.update(view.task, completed=600)          # some progress: an ETA can be told
    console.print(view.render(), crop=True)
    return console.export_text().rstrip("\n").split("\n")


def test_a_20_window_hall_fits_80x24_with_every_window_and_the_latest_events():
    day, state = a_busy_day("sim-service-centre-20.toml")
    lines = screen(day)
    text = "\n".join(lines)
    assert len(lines) <= 24, "%d rows:\n%s" % (len(lines), text)
    assert all(len(line) <= 80 for line in lines), text
    for number in state.windows:
        ticket = state.current(number)
        assert ticket is not None and ticket.no in text, "window %d serving %s not shown:\n%s" % (
            number, ticket.no if ticket else None, text)
    last_call = day.log[-1]
    assert "window %d: calls %s" % (last_call["window"], last_call["no"]) in text, text
    assert "ETA" in text
    assert "pad-3 off" in text and "display-2 no link" in text


def test_a_small_hall_shows_more_events_in_the_same_height():
    day, _ = a_busy_day("example.toml")
    lines = screen(day)
    assert len(lines) <= 24
    events = lines[lines.index(next(l for l in lines if "last events" in l)) + 1:]
    assert sum(1 for l in events if "window" in l or "ticket" in l) >= 8, "\n".join(lines)
