"""The first working hall, end to end (issue 2, checks 1-7)."""
import json
import logging
import threading

import paho.mqtt.client as mqtt

from protocol import codec, messages, topics
from tests.e2e.conftest import WAIT, stored_events


def take_ticket(devices, key="k1"):
    printer = devices["printer-1"]
    before = len(printer.tickets())
    printer.press(key)
    tickets = devices.wait_until(lambda: printer.tickets()[before:], WAIT, "a ticket from printer-1")
    return tickets[0]


def shows(device, text):
    return lambda: text in device.shows()


def test_a_citizen_gets_the_ticket_the_gateway_allocated(gateway, devices):
    ticket = take_ticket(devices)
    issued = [ev for ev in stored_events(gateway.store.path) if ev["type"] == "ticket_issued"]
    assert len(issued) == 1
    assert ticket.largest().text == issued[0]["no"] == "A001"
    assert ticket.cut
    assert "Residence permits" in ticket.text()
    second = take_ticket(devices, "k2")
    assert second.largest().text == "B001"


def test_a_call_at_window_3_shows_on_its_display_and_the_hall_display(gateway, devices):
    take_ticket(devices)
    devices["pad-3"].press("call")
    devices.wait_until(shows(devices["display-3"], "A001"), WAIT, "A001 on display-3",
                       seen=devices["display-3"].shows)
    devices.wait_until(shows(devices["hall-display"], "A001 -> window 3"), WAIT, "the call on the hall display",
                       seen=devices["hall-display"].shows)
    assert devices["display-3"].panel().blink[1], "a new call blinks"
    devices.wait_until(lambda: devices["hall-display"].spoken(), WAIT, "an announcement")
    assert devices["hall-display"].spoken() == ["Ticket A001, please go to window 3"]


def test_finish_prompts_the_pad_and_the_rating_is_stored_for_window_3(gateway, devices):
    take_ticket(devices)
    pad = devices["pad-3"]
    pad.press("call")
    devices.wait_until(shows(pad, "Serving A001"), WAIT, "the pad showing the ticket", seen=pad.shows)
    pad.press("finish")
    devices.wait_until(shows(pad, "Please rate A001"), WAIT, "the rating prompt", seen=pad.shows)
    pad.press("r5")
    devices.wait_until(shows(pad, "Thank you"), WAIT, "thanks on the pad", seen=pad.shows)
    events = stored_events(gateway.store.path)
    finished = [ev for ev in events if ev["type"] == "ticket_finished"]
    rated = [ev for ev in events if ev["type"] == "rating_counted"]
    assert [(ev["no"], ev["window"]) for ev in finished] == [("A001", 3)]
    assert [(ev["no"], ev["window"], ev["level"]) for ev in rated] == [("A001", 3, 5)]
    assert rated[0]["tid"] == finished[0]["tid"]


def _client(port, name):
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=name)
    client.connect("127.0.0.1", port)
    client.loop_start()
    return client


def test_the_same_event_delivered_twice_is_applied_once(gateway, mosquitto, hall):
    acks = []
    got_two = threading.Event()

    def on_ack(client, userdata, msg):
        acks.append(codec.decode(msg.payload))
        if len(acks) == 2:
            got_two.set()

    client = _client(mosquitto.port, "test-dup")
    client.on_message = on_ack
    subscribed = threading.Event()
    client.on_subscribe = lambda *args: subscribed.set()
    client.subscribe(topics.device(hall.id, "printer-1", topics.ACK), 1)
    assert subscribed.wait(WAIT)
    payload = codec.encode(messages.event("printer-1-99-1", "key", 0, key="k3"))
    for _ in range(2):
        client.publish(topics.device(hall.id, "printer-1", topics.EVENTS), payload, qos=1).wait_for_publish(5)
    assert got_two.wait(WAIT), "two acks expected, got %r" % acks
    client.loop_stop()
    client.disconnect()
    assert acks[0] == acks[1] and acks[0]["res"]["ticket"]["no"] == "C001"
    issued = [ev for ev in stored_events(gateway.store.path) if ev["type"] == "ticket_issued"]
    assert len(issued) == 1
    assert gateway.stats["duplicate"] == 1


def test_a_rating_pressed_while_the_pad_is_cut_off_arrives_exactly_once(gateway, devices):
    take_ticket(devices)
    pad = devices["pad-3"]
    pad.press("call")
    pad.press("finish")
    devices.wait_until(shows(pad, "Please rate A001"), WAIT, "the rating prompt", seen=pad.shows)
    pad.cut_network()
    pad.press("r4")
    pending = devices.wait_until(pad.outbox, WAIT, "the rating kept in the pad's flash outbox")
    assert [(ev["t"], ev["level"], ev["ticket"]) for ev in pending] == [("rate", 4, "A001")]
    pad.restore_network()
    devices.wait_until(lambda: not pad.outbox(), WAIT * 2, "the outbox to drain", seen=pad.outbox)
    events = stored_events(gateway.store.path)
    rated = [ev for ev in events if ev["type"] in ("rating_counted", "rating_flagged")]
    assert [(ev["type"], ev["window"], ev["level"]) for ev in rated] == [("rating_counted", 3, 4)]


def test_bad_payloads_and_unknown_devices_are_rejected_and_counted(gateway, devices, mosquitto, hall, caplog):
    caplog.set_level(logging.WARNING, logger="hallmesh.gateway")
    client = _client(mosquitto.port, "test-bad")
    evt = topics.device(hall.id, "printer-1", topics.EVENTS)
    bad = [
        (evt, b"\xff\xfenot json"),
        (evt, b"[1, 2]"),
        (evt, json.dumps({"v": 99, "id": "x", "t": "key", "key": "k1"}).encode()),
        (evt, codec.encode({"id": "x1", "t": "key"})),
        (evt, codec.encode({"id": "x2", "t": "teleport"})),
        (topics.device(hall.id, "stranger", topics.EVENTS), codec.encode(messages.event("s-1-1", "key", key="k1"))),
        (evt, b"x" * 5000),
    ]
    for topic, payload in bad:
        client.publish(topic, payload, qos=1).wait_for_publish(5)
    expected = {"malformed": 2, "too_large": 1, "bad_version": 1, "bad_field": 2, "unknown_device": 1}
    devices.wait_until(lambda: all(gateway.counters[k] >= n for k, n in expected.items()), WAIT,
                       "every bad message counted", seen=lambda: dict(gateway.counters))
    client.loop_stop()
    client.disconnect()
    assert dict((k, gateway.counters[k]) for k in expected) == expected
    logged = caplog.text
    assert "not UTF-8 JSON" in logged and "unsupported protocol version 99" in logged
    assert "lacks field 'key'" in logged and "'stranger' is not a device of this hall" in logged
    # and the hall goes on: a citizen still gets a ticket
    assert take_ticket(devices).largest().text == "A001"
