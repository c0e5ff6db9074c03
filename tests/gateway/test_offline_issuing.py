"""Offline issuing (issue 4): blocks of numbers leased to printers, online numbering that never
takes a leased number, and offline tickets reported after an outage placed by their press time."""
import json

import pytest

from gateway import intake, views
from gateway.engine import Refused, apply, commands as c, execute, fold, leases, new_state
from gateway.service import Service
from gateway.store import open_store
from protocol import ProtocolError, codec, events, messages, topics
from tests.gateway.hall_fixture import DAY, T0, small_hall

HALL = small_hall()
DAY0 = "2026-11-23"


def run(state, cmd, at):
    """execute, keeping the events for a replay check; returns those of the command itself
    (the first command of a day also begins the day: engine.days)."""
    events = execute(state, cmd, at)
    state.log = getattr(state, "log", []) + events
    return [ev for ev in events if ev["type"] != "day_started"]


def leased(state, at=T0, device="printer-1", svcs=("A",), count=10):
    return run(state, leases.lease(device, svcs, count), at)


def offline(state, no, pressed_at, reported_at, device="printer-1", svc="A", green=False):
    return run(state, leases.issue_offline(svc, device, no, pressed_at, green), reported_at)


def line(state, svc="A"):
    return [state.tickets[tid].no for tid in state.waiting[svc]]


# --- leasing ---------------------------------------------------------------------------

def test_each_printer_gets_a_block_per_service_from_the_top_of_the_day():
    state = new_state(HALL)
    events = leased(state, svcs=("B", "A"))
    assert [(e["type"], e["svc"], e["first"], e["count"], e["day"]) for e in events] == [
        ("numbers_leased", "A", 990, 10, DAY0), ("numbers_leased", "B", 990, 10, DAY0)]
    assert leased(state, at=T0 + 60) == [], "an unspent block of today is kept"
    assert [(e["svc"], e["first"]) for e in leased(state, device="printer-2")] == [("A", 980)]


def test_a_spent_block_or_a_new_day_brings_a_new_block():
    state = new_state(HALL)
    leased(state, count=2)
    offline(state, "A998", T0 + 1, T0 + 5)
    assert leased(state, at=T0 + 6) == [], "one number left"
    offline(state, "A999", T0 + 2, T0 + 7)
    assert [(e["first"], e["count"]) for e in leased(state, at=T0 + 8, count=2)] == [(996, 2)]
    tomorrow = leased(state, at=T0 + DAY, count=2)
    assert [(e["day"], e["first"]) for e in tomorrow] == [("2026-11-24", 998)]


def test_a_lease_is_refused_a_bad_size_and_left_out_when_the_day_has_no_room():
    state = new_state(HALL)
    with pytest.raises(Refused, match="1-99 numbers"):
        leased(state, count=0)
    with pytest.raises(Refused, match="unknown service 'Z'"):
        leased(state, svcs=("Z",))
    apply(state, {"type": "ticket_issued", "at": T0, "tid": 1, "no": "A995", "svc": "A", "green": False,
                  "device": "printer-1", "day": DAY0, "ahead": 0, "prio": 2, "appt": "", "wait": [0, 0]})
    assert leased(state, at=T0 + 1) == [], "A990-A999 would meet the online numbers"


# --- online numbering --------------------------------------------------------------------

def test_online_numbering_never_takes_a_leased_number():
    state = new_state(HALL)
    leased(state, count=10)
    apply(state, {"type": "numbers_leased", "at": T0, "device": "printer-2", "svc": "A", "day": DAY0,
                  "first": 3, "count": 2})        # a block low down, as a smaller hall might lease
    numbers = [run(state, c.issue("A", "printer-1"), T0 + i)[-1]["no"] for i in range(4)]
    assert numbers == ["A001", "A002", "A005", "A006"]
    state.numbers["A"] = 989
    with pytest.raises(Refused, match="issued all 999 numbers"):
        run(state, c.issue("A", "printer-1"), T0 + 11)


def test_offline_tickets_count_against_the_daily_cap():
    hall = small_hall()
    capped = hall.services["A"].__class__(**dict(hall.services["A"].__dict__, daily_cap=2))
    state = new_state(hall.__class__(**dict(hall.__dict__, services=dict(hall.services, A=capped))))
    leased(state)
    offline(state, "A990", T0, T0 + 1)
    run(state, c.issue("A", "printer-1"), T0 + 2)
    with pytest.raises(Refused, match="all 2 tickets for today"):
        run(state, c.issue("A", "printer-1"), T0 + 3)


# --- offline tickets ---------------------------------------------------------------------

def test_an_offline_ticket_joins_the_line_by_its_press_time():
    state = new_state(HALL)
    leased(state)
    for at in (0, 60, 120):
        run(state, c.issue("A", "printer-1"), T0 + at)
    events = offline(state, "A990", T0 + 30, T0 + 200)
    issued = events[-1]
    assert (issued["no"], issued["at"], issued["ahead"], issued["offline"], issued["reported"]) == (
        "A990", T0 + 30, 1, True, T0 + 200)
    assert line(state) == ["A001", "A990", "A002", "A003"]
    assert run(state, c.issue("A", "printer-1"), T0 + 201)[-1]["no"] == "A004", "online numbering goes on"
    offline(state, "A991", T0 + 500, T0 + 300)            # the device clock ran ahead: dated now
    assert state.tickets[max(state.tickets)].issued_at == T0 + 300
    assert line(state)[-1] == "A991"
    offline(state, "A992", T0 + 10, T0 + 301, green=True)
    assert line(state)[0] == "A992", "a green offline ticket goes ahead of walk-ins"
    assert fold(HALL, state.log).waiting == state.waiting, "a replay places them the same"


@pytest.mark.parametrize("no, device, svc, pressed, reported, why", [
    ("A500", "printer-1", "A", T0, T0 + 5, "not in a block of numbers leased to printer-1 for 2026-11-23"),
    ("A990", "printer-2", "A", T0, T0 + 5, "not in a block of numbers leased to printer-2"),
    ("B990", "printer-1", "A", T0, T0 + 5, "'B990' is not a ticket number of service A"),
    ("A990", "printer-1", "A", T0 - DAY, T0 + 5, "issued on 2026-11-22, a day that is over"),
    ("A990", "printer-1", "A", 0, T0 + 5, "no press time"),
    ("A990", "printer-1", "Z", T0, T0 + 5, "unknown service 'Z'"),
])
def test_offline_tickets_that_cannot_be_placed_are_refused_with_the_reason(no, device, svc, pressed, reported, why):
    state = new_state(HALL)
    leased(state)
    with pytest.raises(Refused, match=why.replace("(", r"\(")):
        offline(state, no, pressed, reported, device=device, svc=svc)


def test_a_number_is_issued_once_and_a_new_days_lease_voids_yesterdays():
    state = new_state(HALL)
    leased(state)
    offline(state, "A990", T0, T0 + 5)
    with pytest.raises(Refused, match="A990 was issued already"):
        offline(state, "A990", T0 + 1, T0 + 6)
    leased(state, at=T0 + DAY)
    with pytest.raises(Refused, match="A991 was issued on 2026-11-23, a day that is over"):
        offline(state, "A991", T0 + 10, T0 + DAY + 5)
    events = offline(state, "A990", T0 + DAY + 1, T0 + DAY + 6)
    assert [(e["type"], e["no"]) for e in events] == [("ticket_issued", "A990")], "a new day's number may come again"
    began = [e for e in state.log if e["type"] == "day_started"]
    assert [e["day"] for e in began] == ["2026-11-23", "2026-11-24"] and began[1]["expired"] == [1]


# --- views, intake, service --------------------------------------------------------------

def test_the_printer_view_carries_its_leases_with_the_days_bounds():
    state = new_state(HALL)
    device = HALL.devices["printer-1"]
    assert "lease" not in views.device_view(state, device, T0), "no lease, no field"
    leased(state, svcs=("A", "B", "C"))
    offline(state, "A990", T0, T0 + 5)
    offline(state, "A991", T0 + 1, T0 + 6)
    view = views.device_view(state, device, T0 + 6)
    start = T0 - 9 * 3600            # 2026-11-23 00:00 at UTC+8 (T0 is 09:00 there)
    assert view["lease"]["A"] == {"day": DAY0, "first": 990, "count": 10, "prefix": "A", "from": start,
                                  "until": start + DAY, "used": 2, "tz": 8 * 3600}
    assert sorted(view["lease"]) == ["A", "B", "C"]
    assert messages.check_view(codec.decode(codec.encode(view)))


def test_a_key_event_with_an_offline_number_becomes_an_offline_issue():
    device = HALL.devices["printer-1"]
    msg = events.check_event(messages.event("printer-1-2-5", "key", int(T0 * 1000), key="k3", offline="A993"))
    assert intake.to_command(device, msg, T0 + 60) == leases.issue_offline("A", "printer-1", "A993", T0, True)
    for bad, why in (({"offline": "993"}, "like A017"), ({"offline": "A99x"}, "like A017"),
                     ({"offline": "A993", "at": 0}, "needs its press time")):
        event = dict(messages.event("printer-1-2-6", "key", int(T0 * 1000), key="k1"), **bad)
        with pytest.raises(ProtocolError, match=why):
            events.check_event(event)


class Journal:
    def __init__(self):
        self.out = []

    def __call__(self, topic, payload, retain):
        self.out.append((topic, json.loads(payload)))

    def on(self, dev, channel):
        return [m for t, m in self.out if t == topics.device(HALL.id, dev, channel)]


def test_the_service_leases_at_birth_and_takes_the_report_once(tmp_path):
    journal = Journal()
    clock = [T0]
    service = Service(small_hall(), open_store(tmp_path / "hall.db"), journal, clock=lambda: clock[0])
    service.begin_session(1)
    state_topic = topics.device(HALL.id, "printer-1", topics.STATE)
    service.on_message(state_topic, codec.encode(messages.birth(1, "printer", "0.3", "hm-printer-v1", 1, 1, "power")))
    lease = {m["svc"]: m for t, m in journal.out if t.startswith(topics.lease(HALL.id, "printer-1", "A")[:-1])}
    assert [(svc, lease[svc]["first"]) for svc in sorted(lease)] == [("A", 990), ("B", 990), ("C", 990)]
    evt = topics.device(HALL.id, "printer-1", topics.EVENTS)
    service.on_message(evt, codec.encode(messages.event("printer-1-1-1", "key", 0, key="k1")))
    clock[0] = T0 + 90
    report = codec.encode(messages.event("printer-1-1-2", "key", int((T0 + 30) * 1000), key="k1", offline="A990"))
    service.on_message(evt, report)
    service.on_message(evt, report)                      # resent after a lost ack
    acks = journal.on("printer-1", topics.ACK)
    assert acks[1]["ok"] and acks[1]["res"]["ticket"]["no"] == "A990"
    # the resend is answered with the same ticket, and says it is on paper (the printer made it)
    assert acks[2]["res"] == dict(acks[1]["res"], printed=True) and acks[2]["ack"] == acks[1]["ack"]
    refused = codec.encode(messages.event("printer-1-1-3", "key", int((T0 + 40) * 1000), key="k1", offline="A990"))
    service.on_message(evt, refused)
    assert journal.on("printer-1", topics.ACK)[-1]["err"] == "A990 was issued already"
    issued = [e for e in service.store.load_events() if e["type"] == "ticket_issued"]
    assert [(e["no"], e["at"], e.get("offline", False)) for e in issued] == [("A001", T0, False), ("A990", T0 + 30, True)]
    service.refresh_views()
    assert [m for t, m in journal.out if t == topics.lease(HALL.id, "printer-1", "A")][-1]["used"] == 1
    assert fold(HALL, service.store.load_events()).leases == service.state.leases, "the log rebuilds the leases"
