"""Hall days end to end (issue 10), against a real Mosquitto: the gateway runs with a wall clock
the test sets (and a monotonic clock that only moves forward, as a machine's does), devices
are MQTT clients speaking the documented protocol.

- the morning before the first ticket: at the boundary the displays show the new day at
  once, with nothing pressed; a call then finds nobody waiting, although a ticket waited
  last night;
- a clock stepped back into yesterday: the next ticket is A002 of today, not a second A001,
  the step is counted, and no ticket expires twice.
"""
import threading

from gateway.mqtt import Gateway
from gateway.store import open_store
from tests.gateway.conftest import FakeDevice, wait_until
from tests.gateway.hall_fixture import T0, small_hall

HALL = small_hall()
MIDNIGHT = T0 + 15 * 3600          # 2026-11-24 00:00 in the hall (UTC+8)
WAIT = 20.0


class SetClock:
    """Wall and monotonic clocks the test moves; read from the gateway's threads."""

    def __init__(self, wall):
        self._lock = threading.Lock()
        self._wall, self._mono = wall, 1000.0

    def wall(self):
        with self._lock:
            return self._wall

    def mono(self):
        with self._lock:
            return self._mono

    def advance(self, seconds):
        with self._lock:
            self._wall += seconds
            self._mono += seconds

    def step(self, seconds):
        with self._lock:
            self._wall += seconds


def start_gateway(port, db, clock):
    gw = Gateway(HALL, open_store(db), "127.0.0.1", port, clock=clock.wall, owns_store=True,
                 monotonic=clock.mono)
    assert gw.start(wait=WAIT), "gateway did not come online"
    return gw


def test_the_new_day_shows_at_once_and_calls_nobody_of_yesterday(mosquitto, tmp_path):
    clock = SetClock(MIDNIGHT - 120)                 # 23:58, last night
    gw = start_gateway(mosquitto.port, str(tmp_path / "hall.db"), clock)
    printer, pad, display, board = (FakeDevice(mosquitto.port, d) for d in
                                    ("printer-1", "pad-1", "display-1", "hall-display"))
    try:
        assert printer.wait_ack(printer.send("p-1", "key", key="k1"))["res"]["ticket"]["no"] == "A001"
        assert printer.wait_ack(printer.send("p-2", "key", key="k1"))["res"]["ticket"]["no"] == "A002"
        assert pad.wait_ack(pad.send("s-1", "key", key="call"))["ok"]
        display.wait_view(lambda v: v["ticket"] == "A001" and v["state"] == "serving", "A001 served")
        board.wait_view(lambda v: [row[0] for row in v["rows"]] == ["A001"], "A001 on the hall display")

        clock.advance(125)                           # 00:00:05: nobody presses anything
        display.wait_view(lambda v: v["ticket"] == "" and v["state"] == "idle", "the new day's idle window")
        board.wait_view(lambda v: v["rows"] == [], "the new day's empty hall display")

        refused = pad.wait_ack(pad.send("s-2", "key", key="call"))
        assert not refused["ok"] and "no ticket waiting for window 1" in refused["err"], refused
        assert printer.wait_ack(printer.send("p-3", "key", key="k1"))["res"]["ticket"]["no"] == "A001"
        with gw.lock:
            assert gw.state.day == "2026-11-24" and gw.stats["days_begun"] == 2
    finally:
        for dev in (printer, pad, display, board):
            dev.close()
        gw.stop()
    with open_store(str(tmp_path / "hall.db")) as store:
        began = [ev for _, ev in store.iter_events() if ev["type"] == "day_started"]
    assert [ev["day"] for ev in began] == ["2026-11-23", "2026-11-24"]
    assert began[1]["expired"] == [2] and began[1]["ended"] == [1] and began[1]["at"] < MIDNIGHT + 60


def test_a_clock_stepped_back_issues_no_second_a001_and_expires_nothing_twice(mosquitto, tmp_path):
    db = str(tmp_path / "hall.db")
    clock = SetClock(MIDNIGHT + 8 * 3600)            # 08:00 of 2026-11-24
    gw = start_gateway(mosquitto.port, db, clock)
    printer = FakeDevice(mosquitto.port, "printer-1")
    try:
        assert printer.wait_ack(printer.send("p-1", "key", key="k1"))["res"]["ticket"]["no"] == "A001"
        clock.step(-10 * 3600)                       # NTP lost: 22:00 of the day before
        # the step is noticed within a tick of the gateway's worker
        wait_until(lambda: gw.stats["clock_step_back"] == 1, what="the clock step noticed")
        again = printer.wait_ack(printer.send("p-2", "key", key="k1"))
        assert again["res"]["ticket"]["no"] == "A002", "a second A001 for a day already begun"
        gw.stop()
        gw = start_gateway(mosquitto.port, db, clock)   # a restart with the clock still behind
        third = printer.wait_ack(printer.send("p-3", "key", key="k1"))
        assert third["res"]["ticket"]["no"] == "A003"
        assert gw.stats["clock_step_back"] == 1        # at start: the clock is behind the log
        with gw.lock:
            assert gw.state.day == "2026-11-24"
    finally:
        printer.close()
        gw.stop()
    with open_store(db) as store:
        events = [ev for _, ev in store.iter_events()]
    assert [ev["day"] for ev in events if ev["type"] == "day_started"] == ["2026-11-24"]
    assert [ev["type"] for ev in events].count("clock_stepped") == 2
    issued = [(ev["day"], ev["no"]) for ev in events if ev["type"] == "ticket_issued"]
    assert issued == [("2026-11-24", "A001"), ("2026-11-24", "A002"), ("2026-11-24", "A003")]
