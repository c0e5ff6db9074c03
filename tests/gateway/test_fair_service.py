"""Fair service against a real Mosquitto: one device's flood neither starves another device
nor gets past its budget, and a retained event is refused and never handled twice."""
import json

import pytest

from gateway.inbox import Budget
from gateway.mqtt import Gateway
from gateway.store import open_store
from tests.gateway.conftest import FakeDevice, wait_until


def start_gateway(hall, db, port, **kwargs):
    gw = Gateway(hall, open_store(db), "127.0.0.1", port, owns_store=True, **kwargs)
    assert gw.start(wait=15), "gateway did not come online"
    return gw


@pytest.fixture
def watcher(mosquitto):
    """pad-2 (the flooding device) that also hears printer-1's acks on the same connection,
    so the order of what it received is the order the gateway answered in."""
    dev = FakeDevice(mosquitto.port, "pad-2")
    dev.client.subscribe("hm/testhall/dev/printer-1/ack", 1)
    yield dev
    dev.close()


def flood(dev, count, tag):
    """`count` pad presses from pad-2 as fast as paho sends them (each refused: nothing to
    call, but each one stored and acked), then a ticket request from printer-1 right behind
    them on the same connection."""
    for n in range(count):
        event = {"v": 1, "id": "pad-2-%s-%d" % (tag, n), "t": "key", "at": 0, "key": "call"}
        dev.client.publish(dev.topic("evt"), json.dumps(event), qos=1)
    ticket = {"v": 1, "id": "printer-1-%s" % tag, "t": "key", "at": 0, "key": "k1"}
    dev.client.publish("hm/testhall/dev/printer-1/evt", json.dumps(ticket), qos=1).wait_for_publish(10)
    return ticket["id"]


def answered(dev):
    return [json.loads(p)["ack"] for t, p, r in list(dev.received) if t.endswith("/ack")]


def test_a_flooding_device_does_not_make_another_wait_behind_its_queue(mosquitto, hall, tmp_path, watcher):
    gw = start_gateway(hall, tmp_path / "hall.db", mosquitto.port, budget=Budget(rate_per_s=0.0, burst=10_000))
    try:
        watcher.wait_ack(watcher.send("pad-2-sync", "key", key="call"))
        # the gateway busy (its lock held here) while the flood and the ticket arrive: a
        # gateway keeping up would answer each as it comes, and order would prove nothing
        with gw.lock:
            ticket_id = flood(watcher, 200, "fair")
            wait_until(lambda: gw.queue_depth() >= 200, what="the flood and the ticket in the inbox")
        wait_until(lambda: ticket_id in answered(watcher), what="printer-1's ticket")
        wait_until(lambda: len(answered(watcher)) == 202, what="every press answered")
        order = answered(watcher)
        floods_before = order.index(ticket_id) - 1          # the sync press came first
        # one FIFO would answer all 200 presses first; served in turn, the ticket is
        # answered among the first
        assert floods_before < 10, floods_before
        assert gw.counters["refused_budget"] == 0
    finally:
        gw.stop()


def test_beyond_its_budget_a_device_is_dropped_and_counted(mosquitto, hall, tmp_path, watcher):
    gw = start_gateway(hall, tmp_path / "hall.db", mosquitto.port, budget=Budget(rate_per_s=0.0, burst=21))
    try:
        watcher.wait_ack(watcher.send("pad-2-sync", "key", key="call"))   # spent one of the 21
        first = flood(watcher, 60, "over")
        watcher.wait_ack(first)                                 # printer-1 has a budget of its own
        wait_until(lambda: len(answered(watcher)) == 22, what="20 presses within budget answered")
        second = "printer-1-after"
        watcher.client.publish("hm/testhall/dev/printer-1/evt", json.dumps(
            {"v": 1, "id": second, "t": "key", "at": 0, "key": "k1"}), qos=1)
        watcher.wait_ack(second)
        assert len(answered(watcher)) == 23                     # no 21st press got through
        assert gw.counters["refused_budget"] == 40
    finally:
        gw.stop()


def test_a_retained_event_is_refused_erased_and_never_handled_twice(mosquitto, hall, tmp_path, devices):
    db = tmp_path / "hall.db"
    gw = start_gateway(hall, db, mosquitto.port)
    printer = devices("printer-1")
    printer.publish(printer.topic("evt"), {"v": 1, "id": "printer-1-r1", "t": "key", "at": 0, "key": "k1"},
                    retain=True)
    assert printer.wait_ack("printer-1-r1")["res"]["ticket"]["no"] == "A001"   # the live copy
    gw.stop()
    gw = start_gateway(hall, db, mosquitto.port)          # subscribes again: the broker sends the kept copy
    try:
        wait_until(lambda: gw.counters["retained_event"] == 1, what="the retained copy refused")
        later = printer.wait_ack(printer.send("printer-1-r2", "key", key="k1"))
        assert later["res"]["ticket"]["no"] == "A002"
        issued = [ev for ev in open_store(db).load_events() if ev["type"] == "ticket_issued"]
        assert [ev["no"] for ev in issued] == ["A001", "A002"]
        assert gw.counters["malformed"] == 0                # our own erasing is not a bad message
        # the broker keeps nothing on the event topic: a new subscriber gets the retained
        # messages of its filters in order, so once the gateway's birth is in, so would be it
        probe = FakeDevice(mosquitto.port, "printer-1", subscribe=False)
        probe.client.subscribe([("hm/testhall/dev/printer-1/evt", 1), ("hm/testhall/gw/state", 1)])
        wait_until(lambda: probe.messages("state"), what="the gateway's retained birth")
        assert not [t for t, p, r in probe.received if t.endswith("/evt")]
        probe.close()
    finally:
        gw.stop()
