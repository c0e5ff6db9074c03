"""Gateway test fixtures: an in-process gateway on the test Mosquitto, and plain paho clients
acting as devices."""
import itertools
import json
import threading
import time

import paho.mqtt.client as mqtt
import pytest

from gateway.mqtt import Gateway
from gateway.store import open_store
from tests.gateway.hall_fixture import small_hall

HALL_ID = "testhall"
_ids = itertools.count(1)


def wait_until(predicate, timeout=15.0, what="condition"):
    """Poll until predicate() is truthy; return its value or fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for " + what)
        time.sleep(0.02)


class FakeDevice:
    """A paho client that behaves like one device: publishes on its evt/state topics and
    records everything addressed to it (ack, cmd, view) plus the gateway's presence."""

    def __init__(self, port, dev_id, hall=HALL_ID, subscribe=True):
        self.dev_id, self.hall = dev_id, hall
        self.received = []          # (topic, payload bytes, retained)
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="%s-t%d" % (dev_id, next(_ids)))
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        if subscribe:
            self.client.subscribe([("hm/%s/dev/%s/+" % (hall, dev_id), 1), ("hm/%s/gw/state" % hall, 1)])
            assert self._subscribed.wait(10), "no SUBACK"

    def topic(self, channel):
        return "hm/%s/dev/%s/%s" % (self.hall, self.dev_id, channel)

    def _on_message(self, client, userdata, msg):
        with self._lock:
            self.received.append((msg.topic, bytes(msg.payload), bool(msg.retain)))

    def publish(self, topic, payload, retain=False):
        if isinstance(payload, dict):
            payload = json.dumps(payload)
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(10)

    def send(self, event_id, kind, **fields):
        msg = {"v": 1, "id": event_id, "t": kind, "at": 0}
        msg.update(fields)
        self.publish(self.topic("evt"), msg)
        return event_id

    def messages(self, channel):
        with self._lock:
            return [json.loads(p) for t, p, r in self.received if t.endswith("/" + channel) and p]

    def acks(self, event_id):
        return [m for m in self.messages("ack") if m.get("ack") == event_id]

    def wait_ack(self, event_id, count=1):
        return wait_until(lambda: self.acks(event_id)[count - 1:] and self.acks(event_id),
                          what="ack %s x%d on %s" % (event_id, count, self.dev_id))[count - 1]

    def wait_view(self, predicate, what="view"):
        def match():
            views = self.messages("view")
            return views and predicate(views[-1]) and views[-1]
        return wait_until(match, what="%s of %s" % (what, self.dev_id))

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def devices(mosquitto):
    made = []

    def make(dev_id, **kwargs):
        dev = FakeDevice(mosquitto.port, dev_id, **kwargs)
        made.append(dev)
        return dev

    yield make
    for dev in made:
        dev.close()


@pytest.fixture
def hall():
    return small_hall()


@pytest.fixture
def gateway(mosquitto, tmp_path, hall):
    gw = Gateway(hall, open_store(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port, owns_store=True)
    assert gw.start(wait=15), "gateway did not come online"
    yield gw
    gw.stop()
