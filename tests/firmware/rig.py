# The test rig of the firmware's unit cases: a device of a given kind on fake hardware
# (tests/firmware/fakes), connected to a fake broker, and ways to poke it. Runs under
# MicroPython and CPython.
import json
import os

import machine
import network
from umqtt import simple

from protocol import codec, messages, topics
from runtime import settings
from runtime.device import Device

BOARDS = __file__.rsplit("/", 3)[0] + "/boards/"
HALL = "riverside"


def fresh(name):
    """An empty flash folder for one test (relative to the runner's working folder)."""
    root = "fw-" + name
    try:
        os.mkdir(root)
    except OSError:
        pass
    for entry in os.listdir(root):
        os.remove(root + "/" + entry)
    return root + "/"


def write(root, name, body):
    with open(root + name, "w") as f:
        f.write(body if isinstance(body, str) else json.dumps(body))


def make(kind, name, window=3, **extra):
    machine.clear()
    simple.reset()
    network.link_up[0] = True
    root = fresh(name)
    cfg = {"id": name, "hall": HALL, "kind": kind, "wifi": {"ssid": "s", "key": "k"},
           "broker": {"host": "h", "port": 1883}, "keepalive": 1, "poll_ms": 10, "resend_ms": 200}
    cfg.update(extra)
    with open(BOARDS + "hm-" + kind + "-v1.json") as f:
        write(root, "board.json", f.read())
    write(root, "config.json", cfg)
    cfg, board = settings.load(root)
    dev = Device(root, cfg, board, settings.count_boot(root))
    return dev


def deliver(dev, channel, msg):
    """The broker hands the device a message on one of its topics, then the loop runs."""
    topic = topics.gateway_state(HALL) if channel == "gw" else topics.device(HALL, dev.id, channel)
    simple.last().inbox.append((topic.encode(), codec.encode(msg)))
    dev.step()


def online(dev):
    dev.step()
    assert dev.link.up(), "device did not connect: " + dev.link.last_error
    deliver(dev, "gw", messages.gateway_birth(1, 1795420800))
    assert dev.gateway_on
    return simple.last()


def events_sent(client, kind=None):
    out = []
    for topic, payload, retain, qos in client.published:
        if topic.endswith("/evt"):
            msg = json.loads(payload)
            if kind is None or msg["t"] == kind:
                out.append(msg)
    return out


def press(pin_no, bounces=0):
    pin = machine.pins[pin_no]
    for _ in range(bounces):
        pin.drive(0)
        pin.drive(1)
    pin.drive(0)


TICKET = {"no": "A023", "svc": "A", "name": "Residence permits", "ahead": 4, "wait": [6, 14],
          "at": 1795420800, "hall": "Riverside", "url": "https://q.example/t/A023"}
