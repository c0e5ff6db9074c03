"""Offline issuing end to end (issue 4): a printer cut off from the gateway goes on issuing from
the numbers the gateway leased it, and the gateway queues those tickets by their press time
when they arrive; a power cut during the outage never makes a number come out twice."""
import json
import time

import paho.mqtt.client as mqtt

from gateway.mqtt import Gateway
from protocol import codec, messages, topics
from sim.hall import SimHall, SimTimeout
from tests.e2e.conftest import KEEPALIVE, WAIT, stored_events

ONLY = {"printer-1"}
FAST = {"offline_after_s": 1}     # go offline after 1 s out of reach (10 s on a real printer)


def printer_hall(hall, mosquitto, tmp_path):
    sim = SimHall(hall, "127.0.0.1", mosquitto.port, str(tmp_path / "flash"), keepalive=KEEPALIVE, only=ONLY,
                  extra=FAST).start()
    sim.wait_ready(WAIT)
    return sim, sim["printer-1"]


def lease_in_flash(printer):
    try:
        with open(printer.root + "lease.json") as f:
            return json.load(f)["lease"].get("A")
    except (OSError, ValueError, KeyError):
        return None


def numbers(printer):
    return [t.largest().text for t in printer.tickets()]


def press_for_ticket(sim, printer, key="k1"):
    before = len(printer.tickets())
    printer.press(key)
    return sim.wait_until(lambda: printer.tickets()[before:], WAIT, "a ticket from " + printer.id)[0]


def go_offline(sim, printer):
    sim.wait_until(lambda: not printer.in_service(), WAIT, "the printer out of service")
    sim.wait_until(printer.issues_offline, WAIT, "the printer issuing offline")


def issued(db):
    return [(ev["no"], ev["at"], ev.get("offline", False)) for ev in stored_events(db) if ev["type"] == "ticket_issued"]


def test_a_cut_off_printer_issues_leased_numbers_that_the_gateway_queues_by_press_time(mosquitto, hall, gateway,
                                                                                      tmp_path):
    sim, printer = printer_hall(hall, mosquitto, tmp_path)
    try:
        lease = sim.wait_until(lambda: lease_in_flash(printer), WAIT, "the lease in the printer's flash")
        assert (lease["first"], lease["count"], lease["used"]) == (990, 10, 0)
        assert press_for_ticket(sim, printer).largest().text == "A001"
        printer.cut_network()
        go_offline(sim, printer)
        first, second = press_for_ticket(sim, printer), press_for_ticket(sim, printer)
        assert [first.largest().text, second.largest().text] == ["A990", "A991"]
        assert "Offline ticket" in first.text() and hall.name in first.text()
        assert first.problems == [] and second.problems == [], "as a real printer reads it"
        assert [ev.get("offline") for ev in printer.outbox() if ev["t"] == "key"] == ["A990", "A991"]
        printer.restore_network()
        sim.wait_until(lambda: len(issued(gateway.store.path)) == 3, WAIT * 2, "the offline tickets reported",
                       seen=lambda: issued(gateway.store.path))
        assert press_for_ticket(sim, printer).largest().text == "A002", "online numbers stay outside the block"
        tickets = issued(gateway.store.path)
        assert [(no, off) for no, at, off in tickets] == [("A001", False), ("A990", True), ("A991", True),
                                                          ("A002", False)]
        assert tickets[0][1] < tickets[1][1] < tickets[2][1] < tickets[3][1], "dated by their presses"
        with gateway.lock:
            line = [gateway.state.tickets[tid].no for tid in gateway.state.waiting["A"]]
        assert line == ["A001", "A990", "A991", "A002"]
        sim.wait_until(lambda: not printer.outbox(), WAIT, "the outbox drained", seen=printer.outbox)
    finally:
        sim.stop()
    assert numbers(printer) == ["A001", "A990", "A991", "A002"]


def _tell_time(port, hall_id):
    """What the gateway's time command does, sent by hand while the gateway is down."""
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-time")
    client.connect("127.0.0.1", port)
    client.loop_start()
    cmd = codec.encode(messages.command(messages.CMD_TIME, now=int(time.time())))
    client.publish(topics.device(hall_id, "printer-1", topics.COMMAND), cmd, qos=1).wait_for_publish(5)
    client.loop_stop()
    client.disconnect()


def tell_time_until_taken(sim, printer, port, hall_id):
    """The time command, again while the printer has not taken it: a printer just booted may
    not have subscribed yet (the gateway, were it up, would send it at the printer's birth)."""
    deadline = time.monotonic() + WAIT
    while printer.firmware_time_s() is None:
        if time.monotonic() > deadline:
            raise SimTimeout("the printer never took the time within %d s" % WAIT)
        _tell_time(port, hall_id)
        try:
            sim.wait_until(lambda: printer.firmware_time_s() is not None, 2.0, "the time taken")
        except SimTimeout:
            pass


def test_a_power_cut_while_the_gateway_is_away_never_repeats_a_number(mosquitto, hall, tmp_path):
    db = str(tmp_path / "hall.db")
    gateway = Gateway.from_files(hall, db, "127.0.0.1", mosquitto.port)
    assert gateway.start(wait=WAIT)
    sim, printer = printer_hall(hall, mosquitto, tmp_path)
    try:
        sim.wait_until(lambda: lease_in_flash(printer), WAIT, "the lease in the printer's flash")
        gateway.stop()
        go_offline(sim, printer)
        assert press_for_ticket(sim, printer).largest().text == "A990"
        printer.power_cycle()                 # RAM and the time lost; the retained view says "0 used"
        sim.wait_until(lambda: printer.led("status") == 0 and printer.boots >= 2, WAIT, "the printer booted")
        tell_time_until_taken(sim, printer, mosquitto.port, hall.id)
        sim.wait_until(printer.issues_offline, WAIT, "the printer issuing offline")
        assert press_for_ticket(sim, printer).largest().text == "A991", "on from flash, never A990 again"
        gateway = Gateway.from_files(hall, db, "127.0.0.1", mosquitto.port)
        assert gateway.start(wait=WAIT)
        sim.wait_until(lambda: len(issued(db)) == 2, WAIT * 2, "both offline tickets reported", seen=lambda: issued(db))
        assert [(no, off) for no, at, off in issued(db)] == [("A990", True), ("A991", True)]
        assert press_for_ticket(sim, printer).largest().text == "A001"
    finally:
        sim.stop()
        gateway.stop()
    assert numbers(printer) == ["A990", "A991", "A001"]
