"""An outage of two simulated hours (issue 12): the printer, cut off from the broker, resets
itself every 15 minutes to start Wi-Fi afresh, keeps the time in its RTC through each reset,
goes on printing offline tickets from its lease all along, and never falls into safe mode;
when the network is back its reports reach the gateway."""
import json
import time

import paho.mqtt.client as mqtt

from protocol import codec, messages, topics
from sim import clock
from sim.hall import SimHall, SimTimeout
from tests.e2e.conftest import KEEPALIVE, WAIT

SPEED = 240                       # two simulated hours in 30 s
RECONNECT_SPEED = 10
OUTAGE_S = 2 * 3600 if SPEED > 1 else 20
PRESS_EVERY_S = 15 * 60 if SPEED > 1 else 3           # a citizen every quarter of an hour: 8 of the lease's 10 numbers
# the watchdog in simulated time: 60 s are a quarter of a real second at this speed, less than
# a busy machine may hold a thread up; a watchdog reset there is the simulator's, not the firmware's
# and a publish's bound (stall_ms) in simulated time too: the broker answers in real time
FAST = {"offline_after_s": 1, "wdt_ms": 20 * 60000, "stall_ms": 5000 * SPEED}


def tell_time(port, hall_id, now_s):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-time")
    client.connect("127.0.0.1", port)
    client.loop_start()
    cmd = codec.encode(messages.command(messages.CMD_TIME, now=now_s))
    client.publish(topics.device(hall_id, "printer-1", topics.COMMAND), cmd, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def flash(printer, name):
    try:
        with open(printer.root + name) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def reported(gateway):
    """The offline numbers the gateway has issued (they are the block's, from A990 up)."""
    with gateway.lock:
        return sorted(t.no for t in gateway.state.tickets.values() if t.no >= "A990")


def issue_one(sim, printer, when):
    """A citizen presses k1 for a ticket, and again if none comes out: a press while the board
    boots after its offline reset (a few simulated seconds at this speed) is not seen."""
    before = len(printer.tickets())
    for _ in range(5):
        printer.press("k1", hold_ms=3000, lift_ms=3000)
        try:
            return sim.wait_until(lambda: len(printer.tickets()) > before, 1.0, "a ticket")
        except SimTimeout:
            continue
    raise AssertionError("no offline ticket %s (boots %d, errors %r, outbox %r)"
                         % (when, printer.boots, flash(printer, "errors.json"), printer.outbox()[-2:]))


def test_two_hours_without_a_broker_offline_tickets_all_along_and_no_safe_mode(mosquitto, hall, gateway, tmp_path):
    sim = SimHall(hall, "127.0.0.1", mosquitto.port, str(tmp_path / "flash"), keepalive=KEEPALIVE,
                  only={"printer-1"}, extra=FAST).start()
    printer = sim["printer-1"]
    try:
        sim.wait_ready(WAIT)
        lease = sim.wait_until(lambda: (flash(printer, "lease.json") or {}).get("lease", {}).get("A"), WAIT,
                               "the lease in the printer's flash")
        # 01:00 at the hall: two hours on are still the lease's day, whenever the test runs
        told_s = lease["from"] + 3600
        tell_time(mosquitto.port, hall.id, told_s)
        sim.wait_until(lambda: abs((printer.firmware_time_s() or 0) - told_s) < 60, WAIT,
                       "the printer on the told time", seen=printer.firmware_time_s)
        printer.cut_network()
        sim.wait_until(printer.issues_offline, WAIT, "the printer issuing offline")
        boots = printer.boots
        clock.set_speed(SPEED)
        try:
            start_ms = clock.sim_ms()
            while clock.sim_ms() - start_ms < OUTAGE_S * 1000:
                issue_one(sim, printer, "%d simulated minutes into the outage" % ((clock.sim_ms() - start_ms) // 60000))
                next_at = (clock.sim_ms() - start_ms) // (PRESS_EVERY_S * 1000) * PRESS_EVERY_S + PRESS_EVERY_S
                while clock.sim_ms() - start_ms < next_at * 1000:
                    time.sleep(0.05)
            during = printer.tickets()
            # back at a pace the broker's round trips keep up with, yet past the reconnect
            # backoff (up to 45 simulated s) soon
            clock.set_speed(RECONNECT_SPEED)
            printer.restore_network()
            # the offline reports reach the gateway and are acknowledged: the link is back
            sim.wait_until(lambda: len(reported(gateway)) >= len(during) and not printer.outbox(), WAIT,
                           "the offline reports acknowledged", seen=lambda: (reported(gateway), printer.outbox()))
        finally:
            clock.set_speed(1)
        numbers = [t.largest().text for t in during]
        # one a quarter of an hour at least (a press right after a reset, before the printer
        # counts itself offline again, is kept for the gateway instead: the retry then issues)
        assert len(numbers) >= OUTAGE_S // PRESS_EVERY_S and numbers == ["A%d" % (990 + i) for i in range(len(numbers))], numbers
        assert all("Offline ticket" in t.text() and not t.problems for t in during)
        assert printer.boots - boots >= 6, "the printer reset itself through the outage (offline reset)"
        assert int(open(printer.root + "unstable").read() or 0) < 5, "never near safe mode"
        assert reported(gateway) == numbers
    finally:
        clock.set_speed(1)
        sim.stop()
