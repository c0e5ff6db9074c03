"""The rules as a device meets them through the gateway: the printer is told in words why a
ticket is refused, a green key and a booking code issue the right ticket, pad keys transfer
and give reasons. Runs the real message handling (gateway.service) without a broker."""
import json

import pytest

from gateway import intake
from gateway.engine import Refused, apply, commands as c, decide
from gateway.service import Service
from gateway.store import open_store
from tests.gateway.hall_fixture import T0
from tests.gateway.rules_fixture import MIN, hall_with


def make(tmp_path, hall, at):
    acks = []

    def publish(topic, payload, retain):
        if topic.endswith("/ack"):
            acks.append(json.loads(payload))

    clock = {"now": at}
    service = Service(hall, open_store(tmp_path / "hall.db"), publish, clock=lambda: clock["now"])
    service.begin_session(1)
    return service, acks, clock


def send(service, device, event_id, **fields):
    msg = {"v": 1, "id": event_id, "at": 0}
    msg.update(fields)
    service.on_message("hm/testhall/dev/%s/evt" % device, json.dumps(msg).encode())


CLOSED = {"services": {"A": {"hours": ["13:30-17:00"]}, "B": {"daily_cap": 1}}}


@pytest.mark.parametrize("key,err", [
    ("k1", "Residence permits: tickets are issued 13:30-17:00 only"),
    ("k9", "key k9 is not mapped on printer-1"),
])
def test_a_refused_ticket_tells_the_printer_why(tmp_path, key, err):
    service, acks, _ = make(tmp_path, hall_with(**CLOSED), T0)
    send(service, "printer-1", "p-1", t="key", key=key)
    assert acks == [{"v": 1, "ack": "p-1", "ok": False, "err": err}]
    service.store.close()


def test_a_daily_cap_refusal_and_the_ticket_before_it(tmp_path):
    service, acks, _ = make(tmp_path, hall_with(**CLOSED), T0)
    send(service, "printer-1", "p-1", t="key", key="k2")
    send(service, "printer-1", "p-2", t="key", key="k2")
    assert acks[0]["ok"] and acks[0]["res"]["ticket"]["no"] == "B001"
    assert acks[1]["err"] == "Business licences: all 1 tickets for today are issued"
    service.store.close()


def test_green_key_and_booking_code_at_the_printer(tmp_path):
    service, acks, clock = make(tmp_path, hall_with(), T0)
    send(service, "printer-1", "p-1", t="key", key="k1")
    send(service, "printer-1", "p-2", t="key", key="k3")          # k3 = "green:A"
    booked = decide(service.state, c.book("X7K2", "A", T0), T0)      # as `appointments import` does
    service.store.append(booked)
    apply(service.state, booked[0])
    send(service, "printer-1", "p-3", t="key", key="k1", code="X7K2")
    tickets = [a["res"]["ticket"] for a in acks]
    assert [(t["no"], t["green"], t["ahead"]) for t in tickets] == [("A001", False, 0), ("A002", True, 0),
                                                                    ("A003", False, 1)]
    assert tickets[2]["appt"] == "X7K2" and tickets[2]["late"] is False
    send(service, "printer-1", "p-4", t="key", key="k1", code="NOPE")
    assert acks[-1]["err"] == "booking code NOPE is not known"
    service.store.close()


def test_pad_transfer_reason_and_staff(tmp_path):
    service, acks, clock = make(tmp_path, hall_with(), T0)
    send(service, "printer-1", "p-1", t="key", key="k1")
    send(service, "pad-1", "d-1", t="key", key="call")
    send(service, "pad-1", "d-2", t="key", key="transfer", to="B")
    assert acks[-1] == {"v": 1, "ack": "d-2", "ok": True, "res": {"ticket": "A001", "window": 1}}
    send(service, "pad-2", "d-3", t="key", key="call")
    assert acks[-1]["res"] == {"ticket": "A001", "window": 2}
    send(service, "pad-2", "d-4", t="key", key="finish")
    send(service, "pad-2", "d-5", t="rate", level=1, ticket="A001")
    assert acks[-1]["res"]["case"] == 1
    send(service, "pad-2", "d-6", t="key", key="r1")
    assert acks[-1]["res"] == {"case": 1, "reason": "waited too long"}
    assert service.state.cases[1]["reason"] == "waited too long"
    send(service, "pad-2", "d-7", t="key", key="transfer")
    assert acks[-1]["ok"] is False and "transfer needs 'to'" in acks[-1]["err"]
    service.store.close()


@pytest.mark.parametrize("to,expected", [("B", {"to_svc": "B", "to_window": None}),
                                         ("w2", {"to_svc": None, "to_window": 2})])
def test_transfer_targets(to, expected):
    hall = hall_with()
    cmd = intake.to_command(hall.devices["pad-1"], {"t": "key", "id": "x", "key": "transfer", "to": to}, T0)
    assert {k: cmd[k] for k in expected} == expected


def test_a_reason_key_is_not_a_staff_key():
    hall = hall_with()
    with pytest.raises(Refused, match="not a staff key"):
        intake.to_command(hall.devices["pad-1"], {"t": "key", "id": "x", "key": "r10"}, T0)


def test_day_starts_outside_the_opening_hours(tmp_path):
    hall = hall_with(hall={"day_starts": "05:00"})
    service, acks, clock = make(tmp_path, hall, T0)
    send(service, "printer-1", "p-1", t="key", key="k1")
    clock["now"] = T0 + 19 * 60 * MIN          # 04:00 the next morning: still the same hall day
    send(service, "printer-1", "p-2", t="key", key="k1")
    clock["now"] = T0 + 21 * 60 * MIN          # 06:00: a new day
    send(service, "printer-1", "p-3", t="key", key="k1")
    assert [a["res"]["ticket"]["no"] for a in acks] == ["A001", "A002", "A001"]
    service.store.close()
