"""Issue 10's ratings end to end: real Mosquitto, the gateway, the pad running firmware/apps/pad.py.
The next citizen after a bad review is asked to rate and their press counts for their own
ticket; 基本满意 (level 3) is a good review; a press that arrives late is not counted whatever
time the pad claims for it."""
import time

import pytest

from gateway.engine.cases import REASON_ENDED
from gateway.engine.ratings import ARRIVAL_ALLOWANCE_S
from gateway.mqtt import Gateway
from gateway.reports.table import report_text
from tests.e2e.conftest import WAIT, stored_events


class SkewedClock:
    """The gateway's clock, which a test may move forward: a press then arrives 'late'."""

    def __init__(self):
        self.skew_s = 0.0

    def __call__(self):
        return time.time() + self.skew_s


@pytest.fixture
def clock():
    return SkewedClock()


@pytest.fixture
def gateway(mosquitto, hall, tmp_path, clock):
    gw = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port, clock=clock)
    assert gw.start(wait=WAIT), "gateway did not come online"
    yield gw
    gw.stop()


def shows(device, text):
    return lambda: text in device.shows()


def serve(devices, pad, no):
    pad.press("call")
    devices.wait_until(shows(pad, "Serving " + no), WAIT, "%s at the pad" % no, seen=pad.shows)
    pad.press("finish")
    devices.wait_until(shows(pad, "Please rate " + no), WAIT, "the rating prompt for " + no, seen=pad.shows)


def take_tickets(devices, count):
    printer = devices["printer-1"]
    for n in range(count):
        printer.press("k1")
        devices.wait_until(lambda: len(printer.tickets()) > n, WAIT, "ticket %d" % (n + 1))


def of_type(gateway, *kinds):
    return [ev for ev in stored_events(gateway.store.path) if ev["type"] in kinds]


def test_the_next_citizen_after_a_bad_review_is_asked_to_rate_and_it_counts(gateway, devices):
    take_tickets(devices, 2)
    pad = devices["pad-3"]
    serve(devices, pad, "A001")
    pad.press("r2")
    devices.wait_until(shows(pad, "Why? Press 1-4"), WAIT, "the reason question", seen=pad.shows)
    serve(devices, pad, "A002")          # well inside the 60 s the reason question lasts
    assert "Why?" not in pad.shows()
    pad.press("r4")
    devices.wait_until(shows(pad, "Thank you"), WAIT, "thanks for A002", seen=pad.shows)
    counted = of_type(gateway, "rating_counted")
    assert [(ev["no"], ev["window"], ev["level"]) for ev in counted] == [("A001", 3, 2), ("A002", 3, 4)]
    assert of_type(gateway, "case_reason") == []
    ended = of_type(gateway, REASON_ENDED)
    assert [(ev["case"], ev["window"]) for ev in ended] == [(1, 3)]
    with gateway.lock:
        assert gateway.state.cases[1]["status"] == "open" and gateway.state.cases[1]["reason"] == ""


def test_a_level_3_rating_is_counted_satisfied(gateway, devices):
    take_tickets(devices, 1)
    pad = devices["pad-3"]
    serve(devices, pad, "A001")
    pad.press("r3")
    devices.wait_until(shows(pad, "Thank you"), WAIT, "thanks on the pad", seen=pad.shows)
    assert [(ev["no"], ev["level"]) for ev in of_type(gateway, "rating_counted")] == [("A001", 3)]
    assert of_type(gateway, "case_opened") == []
    with gateway.lock:
        text = report_text(gateway.state)
    window_3 = next(line for line in text.split("Windows")[1].splitlines() if line.split()[:1] == ["3"])
    assert window_3.split()[3:6] == ["1", "100.0", "%"], window_3      # 1 rating, 100 % satisfied


def test_a_late_rating_with_an_early_press_time_is_not_counted(gateway, devices, clock):
    take_tickets(devices, 1)
    pad = devices["pad-3"]
    serve(devices, pad, "A001")
    pad.cut_network()
    pad.press("r5")                      # pressed in time: the pad stamps it now
    pending = devices.wait_until(pad.outbox, WAIT, "the rating kept in the pad's flash outbox")
    assert [(ev["t"], ev["ticket"]) for ev in pending] == [("rate", "A001")]
    finished = of_type(gateway, "ticket_finished")[0]["at"]
    clock.skew_s = gateway.hall.rating_timeout_s + ARRIVAL_ALLOWANCE_S + 5    # the link comes back late
    pad.restore_network()
    flagged = devices.wait_until(lambda: of_type(gateway, "rating_flagged"), WAIT * 2, "the late press stored")
    assert [(ev["reason"], ev["ticket"]) for ev in flagged] == [("timed_out", "A001")]
    assert flagged[0]["pressed_at"] < finished + gateway.hall.rating_timeout_s    # it claimed an early time
    assert of_type(gateway, "rating_counted") == []
    devices.wait_until(lambda: not pad.outbox(), WAIT, "the outbox drained (the flagged press was acked)")
