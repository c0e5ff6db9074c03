"""Crash consistency: the gateway process is SIGKILLed at random moments while a printer keeps
asking for tickets and two pads call, finish and rate, against a real Mosquitto. Devices
behave as the firmware does: every event is kept until its ack comes, and sent again after a
second without one. Afterwards every acked event is in the store with the very ack the device
got, no number was issued twice, and nothing was applied twice."""
import json
import os
import random
import signal
import sqlite3
import threading
import time

import paho.mqtt.client as mqtt

from gateway.store import open_store
from tests.gateway.conftest import FakeDevice, wait_until
from tests.gateway.test_one_gateway import Gateways

KILLS = 5
RESEND_AFTER_S = 1.0
PRINTER_IN_FLIGHT = 3
ACKS_BETWEEN_KILLS = 6        # each kill comes after this many fresh acks: the hall is busy


class Device:
    """One device's link: an outbox of unacknowledged events, resent until answered."""

    def __init__(self, port, dev_id):
        self.dev_id = dev_id
        self.lock = threading.Lock()
        self.pending = {}          # event id -> [payload, last sent]
        self.acks = {}             # event id -> the ack
        self.sent = 0
        self.resent = 0            # sends of an event already sent: its ack did not come
        self._seq = 0
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="load-" + dev_id)
        self.client.on_message = self._on_ack
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        self.client.subscribe("hm/testhall/dev/%s/ack" % dev_id, 1)

    def send(self, kind, **fields):
        self._seq += 1
        event_id = "%s-load-%d" % (self.dev_id, self._seq)
        payload = json.dumps(dict({"v": 1, "id": event_id, "t": kind, "at": 0}, **fields))
        with self.lock:
            self.pending[event_id] = [payload, time.monotonic()]
        self._publish(payload)
        return event_id

    def resend_due(self):
        now = time.monotonic()
        with self.lock:
            due = [entry for entry in self.pending.values() if now - entry[1] >= RESEND_AFTER_S]
            for entry in due:
                entry[1] = now
            self.resent += len(due)
        for payload, _ in due:
            self._publish(payload)

    def wait(self, event_id, running):
        """The ack of event_id, resending meanwhile; None if the run ends first."""
        while running.is_set():
            with self.lock:
                if event_id in self.acks:
                    return self.acks[event_id]
            self.resend_due()
            time.sleep(0.01)
        return None

    def in_flight(self):
        with self.lock:
            return len(self.pending)

    def _publish(self, payload):
        self.sent += 1
        self.client.publish("hm/testhall/dev/%s/evt" % self.dev_id, payload, qos=1)

    def _on_ack(self, client, userdata, msg):
        ack = json.loads(msg.payload)
        with self.lock:
            if ack["ack"] in self.pending:
                del self.pending[ack["ack"]]
                self.acks[ack["ack"]] = ack

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def printer_load(printer, running):
    keys = ("k1", "k2")
    n = 0
    while running.is_set():
        if printer.in_flight() < PRINTER_IN_FLIGHT:
            printer.send("key", key=keys[n % 2])
            n += 1
        printer.resend_due()
        time.sleep(0.02)


def pad_load(pad, running, rng):
    """call -> finish -> rate the finished ticket, round and round."""
    while running.is_set():
        called = pad.wait(pad.send("key", key="call"), running)
        if not called or not called["ok"]:
            time.sleep(0.05)          # nothing waiting for this window yet
            continue
        ticket = called["res"]["ticket"]
        if pad.wait(pad.send("key", key="finish"), running) is None:
            return
        pad.wait(pad.send("rate", level=rng.choice((4, 5)), ticket=ticket), running)


def drain(devices, timeout_s=60):
    deadline = time.monotonic() + timeout_s
    while any(dev.in_flight() for dev in devices):
        assert time.monotonic() < deadline, "events never acked: %s" % {d.dev_id: d.in_flight() for d in devices}
        for dev in devices:
            dev.resend_due()
        time.sleep(0.05)


def dedup_acks(db):
    with sqlite3.connect(db) as conn:
        return {(device, event_id): json.loads(ack) for device, event_id, ack in
                conn.execute("SELECT device, event_id, ack FROM dedup")}


def test_sigkill_while_tickets_and_ratings_flow_loses_and_repeats_nothing(mosquitto, tmp_path):
    seed = int(os.environ.get("HM_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    gateways = Gateways(tmp_path, mosquitto.port)
    watcher = FakeDevice(mosquitto.port, "hall-display")
    printer, pads = Device(mosquitto.port, "printer-1"), [Device(mosquitto.port, p) for p in ("pad-1", "pad-2")]
    devices = [printer] + pads
    running = threading.Event()
    running.set()
    loads = [threading.Thread(target=printer_load, args=(printer, running), daemon=True)]
    loads += [threading.Thread(target=pad_load, args=(pad, running, random.Random(rng.random())), daemon=True)
              for pad in pads]
    in_flight_at_kill = []

    def acked():
        return sum(len(dev.acks) for dev in devices)

    def presence():
        states = watcher.messages("state")
        return states[-1] if states else {}

    try:
        gw = gateways.start("hall.db")
        wait_until(lambda: presence().get("on") is True, what="gateway online (seed %d)" % seed)
        for thread in loads:
            thread.start()
        for kill in range(KILLS):
            target = acked() + ACKS_BETWEEN_KILLS
            wait_until(lambda: acked() >= target, timeout=60, what="acks flowing before kill %d" % (kill + 1))
            time.sleep(rng.uniform(0.0, 0.3))          # somewhere in the middle of the flow
            in_flight_at_kill.append(sum(dev.in_flight() for dev in devices))
            gw.send_signal(signal.SIGKILL)
            gw.wait(10)
            wait_until(lambda: presence().get("on") is False, what="the will after kill %d" % (kill + 1))
            # the hall stays without its gateway until a device has sent an event again
            # (a restart quicker than that would leave the resending untested)
            resent_at_kill = sum(dev.resent for dev in devices)
            wait_until(lambda: sum(dev.resent for dev in devices) > resent_at_kill, timeout=30,
                       what="a device resending after kill %d" % (kill + 1))
            gw = gateways.start("hall.db")
            wait_until(lambda: presence().get("on") is True, what="back online after kill %d" % (kill + 1))
        target = acked() + ACKS_BETWEEN_KILLS
        wait_until(lambda: acked() >= target, timeout=60, what="acks flowing after the last kill")
        running.clear()
        for thread in loads:
            thread.join(10)
        drain(devices)
        gw.send_signal(signal.SIGTERM)
        assert gw.wait(20) == 0
    finally:
        running.clear()
        for dev in devices:
            dev.close()
        watcher.close()
        gateways.close()

    assert all(n > 0 for n in in_flight_at_kill), ("every kill hit events in flight", in_flight_at_kill, seed)
    db = str(tmp_path / "hall.db")
    stored_acks = dedup_acks(db)
    for dev in devices:               # every ack a device got is the store's, word for word
        for event_id, ack in dev.acks.items():
            assert dict(stored_acks.get((dev.dev_id, event_id)), v=1) == ack, (dev.dev_id, event_id, seed)
    events = open_store(db).load_events()
    issued = [ev["no"] for ev in events if ev["type"] == "ticket_issued"]
    assert len(issued) == len(set(issued)), ("a number issued twice", seed)
    printed = sorted(ack["res"]["ticket"]["no"] for ack in printer.acks.values() if ack["ok"])
    assert printed == sorted(issued), ("tickets in the store are exactly those acked", seed)
    for kind in ("ticket_called", "ticket_finished", "rating_counted"):
        numbers = [ev["no"] for ev in events if ev["type"] == kind]
        assert len(numbers) == len(set(numbers)), ("%s applied twice" % kind, seed)
    rated = sorted(ack["res"]["ticket"] for pad in pads for ack in pad.acks.values()
                   if ack["ok"] and (ack.get("res") or {}).get("counted"))
    assert rated == sorted(ev["no"] for ev in events if ev["type"] == "rating_counted")
    assert rated, "ratings flowed"
    assert sum(dev.resent for dev in devices) >= KILLS, "the kills made devices send again"
