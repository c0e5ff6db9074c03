"""The MQTT adapter against a real Mosquitto, with plain paho clients acting as devices."""
import time

from gateway.engine.ratings import ARRIVAL_ALLOWANCE_S
from gateway.store import open_store
from tests.gateway.conftest import wait_until


def stored(gw, kind):
    return [ev for ev in open_store(gw.store.path).load_events() if ev["type"] == kind]


def test_a_printer_key_gets_an_ack_with_the_ticket(gateway, devices):
    printer = devices("printer-1")
    ack = printer.wait_ack(printer.send("printer-1-1-1", "key", key="k1"))
    assert ack["v"] == 1 and ack["ok"] is True
    ticket = ack["res"]["ticket"]
    assert ticket["no"] == "A001" and ticket["svc"] == "A" and ticket["name"] == "Residence permits"
    assert ticket["ahead"] == 0 and ticket["hall"] == "Test Hall" and ticket["green"] is False
    low, high = ticket["wait"]
    assert 0 <= low <= high
    green = printer.wait_ack(printer.send("printer-1-1-2", "key", key="k3"))
    assert green["res"]["ticket"]["no"] == "A002" and green["res"]["ticket"]["green"] is True
    assert len(stored(gateway, "ticket_issued")) == 2


def test_retained_views_and_gateway_birth_on_start(gateway, devices):
    printer = devices("printer-1")
    view = printer.wait_view(lambda v: v["kind"] == "printer")
    assert view["keys"] == {"k1": "A", "k2": "B", "k3": "green:A", "k4": "C"}
    birth = wait_until(lambda: printer.messages("state") and printer.messages("state")[-1])
    assert birth == {"v": 1, "on": True, "ses": gateway.session, "now": birth["now"]}
    hall_display = devices("hall-display")
    assert hall_display.wait_view(lambda v: True) == {"v": 1, "kind": "hall", "seq": hall_display.messages("view")[-1]["seq"],
                                                      "rows": [], "notice": "", "lines": [], "say": []}


def test_the_same_event_twice_is_applied_once(gateway, devices):
    printer = devices("printer-1")
    first = printer.wait_ack(printer.send("printer-1-4-9", "key", key="k2"))
    printer.send("printer-1-4-9", "key", key="k2")          # a resend after a lost ack
    second = printer.wait_ack("printer-1-4-9", count=2)
    assert first == second and first["res"]["ticket"]["no"] == "B001"
    assert len(stored(gateway, "ticket_issued")) == 1
    assert gateway.stats["duplicate"] == 1


def test_a_pad_calls_finishes_and_rates_for_its_own_window(gateway, devices):
    printer, pad, display, other_pad = devices("printer-1"), devices("pad-1"), devices("display-1"), devices("pad-2")
    printer.wait_ack(printer.send("printer-1-1-1", "key", key="k1"))
    call = pad.wait_ack(pad.send("pad-1-1-1", "key", key="call"))
    assert call["ok"] and call["res"] == {"ticket": "A001", "window": 1}
    display.wait_view(lambda v: v["ticket"] == "A001" and v["state"] == "serving" and v["call"] == 1)
    pad.wait_ack(pad.send("pad-1-1-2", "key", key="finish"))
    pad.wait_view(lambda v: v["rate"] == "A001" and v["serving"] == "")
    rated = pad.wait_ack(pad.send("pad-1-1-3", "rate", level=5, ticket="A001"))
    assert rated["ok"] and rated["res"] == {"counted": True, "ticket": "A001"}
    pad.wait_view(lambda v: v["rate"] == "")
    # the other window's pad cannot rate that ticket
    flagged = other_pad.wait_ack(other_pad.send("pad-2-1-1", "rate", level=1, ticket="A001"))
    assert flagged["res"] == {"counted": False, "flag": "wrong_ticket"}
    [counted] = stored(gateway, "rating_counted")
    assert counted["window"] == 1 and counted["no"] == "A001" and counted["level"] == 5
    [wrong] = stored(gateway, "rating_flagged")
    assert wrong["window"] == 2 and wrong["reason"] == "wrong_ticket"


def test_a_refused_command_gets_the_same_refusal_again(gateway, devices):
    pad = devices("pad-1")
    refused = pad.wait_ack(pad.send("pad-1-2-1", "key", key="call"))
    assert refused["ok"] is False and "no ticket waiting for window 1" in refused["err"]
    pad.send("pad-1-2-1", "key", key="call")
    assert pad.wait_ack("pad-1-2-1", count=2) == refused
    display = devices("display-1")
    unmapped = display.wait_ack(display.send("display-1-1-1", "key", key="k1"))
    assert unmapped["ok"] is False and "display" in unmapped["err"]
    assert gateway.stats["refused"] == 2


def test_bad_input_is_counted_and_the_gateway_keeps_serving(gateway, devices):
    printer = devices("printer-1")
    evt = printer.topic("evt")
    printer.publish(evt, b"{not json")
    printer.publish(evt, {"v": 2, "id": "x", "t": "key", "key": "k1"})
    printer.publish(evt, {"v": 1, "id": "printer-1-9-1", "t": "key"})            # no key field
    printer.publish("hm/testhall/dev/printer-9/evt", {"v": 1, "id": "p9-1", "t": "key", "key": "k1"})
    printer.publish("hm/testhall/dev/Printer 1/evt", {"v": 1, "id": "p-1", "t": "key", "key": "k1"})
    printer.publish(printer.topic("state"), {"v": 1, "on": "yes", "ses": 1})     # bad presence
    expected = {"malformed": 1, "bad_version": 1, "bad_field": 2, "unknown_device": 1, "bad_topic": 1}
    wait_until(lambda: all(gateway.counters[k] == n for k, n in expected.items()),
               what="counters %s, have %s" % (expected, dict(gateway.counters)))
    ack = printer.wait_ack(printer.send("printer-1-9-2", "key", key="k1"))
    assert ack["ok"] and ack["res"]["ticket"]["no"] == "A001"
    assert "internal_error" not in gateway.counters
    # every event whose id can be read is answered, so the device drops it
    refusal = printer.acks("printer-1-9-1")
    assert [(a["ok"], "lacks field 'key'" in a["err"]) for a in refusal] == [(False, True)]
    assert printer.acks("x")[0]["err"].startswith("bad_version")


def test_a_device_birth_gets_the_time_and_its_view(gateway, devices):
    pad = devices("pad-1")
    before = len(pad.messages("view"))
    pad.publish(pad.topic("state"), {"v": 1, "on": True, "ses": 5, "kind": "pad", "fw": "0.1.0",
                                     "board": "hm-pad-v1", "heap": 61234, "rssi": -58, "rst": "power"},
                retain=True)
    cmd = wait_until(lambda: pad.messages("cmd") and pad.messages("cmd")[-1], what="time command")
    assert cmd["c"] == "time" and abs(cmd["now"] - gateway.clock()) < 60
    wait_until(lambda: len(pad.messages("view")) > before, what="view again after birth")
    presence = wait_until(lambda: gateway.fleet.devices.get("pad-1"))
    assert presence.online and presence.fw == "0.1.0" and presence.heap == 61234 and presence.ses == 5
    # a late will of the previous boot is ignored; the will of this boot takes it offline
    pad.publish(pad.topic("state"), {"v": 1, "on": False, "ses": 4})
    pad.wait_ack(pad.send("pad-1-5-1", "key", key="pause"))   # handled after the will, in order
    assert gateway.fleet.devices["pad-1"].online
    pad.publish(pad.topic("state"), {"v": 1, "on": False, "ses": 5})
    wait_until(lambda: not gateway.fleet.devices["pad-1"].online, what="pad offline")


def test_a_clean_stop_says_offline(mosquitto, tmp_path, hall, devices):
    from gateway.mqtt import Gateway
    gw = Gateway.from_files(hall, tmp_path / "hall.db", port=mosquitto.port)
    assert gw.start(wait=15)
    watcher = devices("watcher", subscribe=True)
    wait_until(lambda: watcher.messages("state"), what="gateway birth")
    gw.stop()
    last = wait_until(lambda: watcher.messages("state")[-1]["on"] is False and watcher.messages("state")[-1])
    assert last == {"v": 1, "on": False, "ses": gw.session}


def test_a_rating_request_disappears_from_the_pad_after_the_timeout(mosquitto, tmp_path, devices):
    from gateway import config
    from gateway.mqtt import Gateway
    from tests.gateway.hall_fixture import hall_dict
    data = hall_dict()
    data["hall"]["rating_timeout_s"] = 1
    skew_s = [0.0]     # the gateway's clock jumps past the arrival allowance once the prompt is gone
    gw = Gateway.from_files(config.parse(data), tmp_path / "hall.db", port=mosquitto.port,
                            clock=lambda: time.time() + skew_s[0])
    assert gw.start(wait=15)
    try:
        printer, pad = devices("printer-1"), devices("pad-1")
        printer.wait_ack(printer.send("printer-1-1-1", "key", key="k1"))
        pad.wait_ack(pad.send("pad-1-1-1", "key", key="call"))
        pad.wait_ack(pad.send("pad-1-1-2", "key", key="finish"))
        pad.wait_view(lambda v: v["rate"] == "A001", what="rating request")
        pad.wait_view(lambda v: v["rate"] == "" and v["timeout"] == 1, what="rating request gone")
        skew_s[0] = ARRIVAL_ALLOWANCE_S
        late = pad.wait_ack(pad.send("pad-1-1-3", "rate", level=5, ticket="A001"))
        assert late["res"] == {"counted": False, "flag": "timed_out"}
    finally:
        gw.stop()
