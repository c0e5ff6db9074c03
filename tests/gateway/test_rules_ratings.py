"""Ratings, follow-up cases and appointments, table-driven where the rule is a single step."""
import datetime

import pytest

from gateway import bookings, intake, views
from gateway.engine import Refused, commands as c, execute, new_state
from tests.gateway.hall_fixture import T0
from tests.gateway.rules_fixture import MIN, hall_with, last, play

HALL = hall_with()
SERVED = [(0, c.issue("A", "printer-1")), (1, c.call(1)), (2, c.finish(1))]

# name, script after A001 was finished at window 1 at T0+2, expected (type, field, value) per event
RATINGS = [
    ("top level counts, no case", [(5, c.rate(1, 5, "A001", T0 + 5))], [("rating_counted", "level", 5)]),
    ("middle level counts, no case", [(5, c.rate(1, 3, "A001", T0 + 5))], [("rating_counted", "level", 3)]),
    ("level 2 opens a case", [(5, c.rate(1, 2, "A001", T0 + 5))],
     [("rating_counted", "level", 2), ("case_opened", "level", 2)]),
    ("level 1 opens a case for the ticket", [(5, c.rate(1, 1, "A001", T0 + 5))],
     [("rating_counted", "no", "A001"), ("case_opened", "no", "A001")]),
    ("a flagged low press opens no case", [(5, c.rate(1, 5, "A001", T0 + 5)), (6, c.rate(1, 1, "A001", T0 + 6))],
     [("rating_flagged", "reason", "already_rated")]),
    ("a timed out press", [(60, c.rate(1, 1, "A001", T0 + 60))], [("rating_flagged", "reason", "timed_out")]),
    ("nothing to rate", [(5, c.rate(2, 1, "", T0 + 5))], [("rating_flagged", "reason", "nothing_to_rate")]),
    ("the reason for a low rating", [(5, c.rate(1, 1, "A001", T0 + 5)), (8, c.reason(1, 2))],
     [("case_reason", "reason", "staff attitude")]),
    ("a case called back", [(5, c.rate(1, 1, "A001", T0 + 5)), (99, c.case_update(1, "called_back", "phoned"))],
     [("case_updated", "status", "called_back")]),
    ("a case resolved without call back", [(5, c.rate(1, 2, "A001", T0 + 5)), (99, c.case_update(1, "resolved"))],
     [("case_updated", "status", "resolved")]),
]


@pytest.mark.parametrize("name,script,expected", RATINGS, ids=[case[0] for case in RATINGS])
def test_rating(name, script, expected):
    _, events = last(HALL, SERVED + script)
    assert [(ev["type"], ev[f]) for ev, (_, f, _) in zip(events, expected)] == [(k, v) for k, _, v in expected]
    assert len(events) == len(expected)


REFUSED = [
    ("a reason with no low rating", [(5, c.reason(1, 1))], "no rating at window 1 asks for a reason"),
    ("a reason after its timeout", [(5, c.rate(1, 1, "A001", T0 + 5)), (5 + 61, c.reason(1, 1))], "asks for a reason"),
    ("a second reason", [(5, c.rate(1, 1, "A001", T0 + 5)), (6, c.reason(1, 1)), (7, c.reason(1, 2))],
     "asks for a reason"),
    ("a reason key beyond the list", [(5, c.rate(1, 1, "A001", T0 + 5)), (6, c.reason(1, 5))], "outside 1-4"),
    ("a case goes back", [(5, c.rate(1, 1, "A001", T0 + 5)), (6, c.case_update(1, "resolved")),
                          (7, c.case_update(1, "called_back"))], "resolved already"),
    ("an unknown case", [(6, c.case_update(9, "resolved"))], "no follow-up case 9"),
    ("an unknown status", [(5, c.rate(1, 1, "A001", T0 + 5)), (6, c.case_update(1, "closed"))], "status must be"),
]


@pytest.mark.parametrize("name,script,reason", REFUSED, ids=[case[0] for case in REFUSED])
def test_refused(name, script, reason):
    with pytest.raises(Refused) as info:
        last(HALL, SERVED + script)
    assert reason in str(info.value)


def test_default_levels_are_the_national_five():
    assert HALL.rules.rating_labels == ("非常不满意", "不满意", "基本满意", "满意", "非常满意")
    assert HALL.rules.low_levels == 2


def test_a_four_key_pad_maps_onto_five_levels():
    pad = {"id": "pad-3", "kind": "pad", "board": "hm-pad-v1", "window": 3, "rating_map": [1, 2, 4, 5]}
    hall = hall_with(devices=[pad])
    device = hall.devices["pad-3"]
    cmd = intake.to_command(device, {"t": "rate", "id": "x", "at": 0, "level": 3, "ticket": "C001"}, T0)
    assert cmd["level"] == 4
    with pytest.raises(Refused, match="rating key 5 is not mapped"):
        intake.to_command(device, {"t": "rate", "id": "x", "at": 0, "level": 5, "ticket": "C001"}, T0)
    state = new_state(hall)
    assert views.device_view(state, device, T0)["levels"] == 4


def test_the_pad_asks_for_a_reason_after_a_low_rating():
    state, _ = play(HALL, SERVED + [(5, c.rate(1, 1, "A001", T0 + 5))])
    assert views.pad_view(state, 1, T0 + 6)["reasons"] == list(HALL.rules.reasons)
    assert "reasons" not in views.pad_view(state, 1, T0 + 5 + 61)
    pad = HALL.devices["pad-1"]
    cmd = intake.to_command(pad, {"t": "key", "id": "x", "at": 0, "key": "r3"}, T0 + 7)
    events = execute(state, cmd, T0 + 7)
    assert intake.ack_result(HALL, events) == {"case": 1, "reason": "matter not solved"}
    assert "reasons" not in views.pad_view(state, 1, T0 + 8)


def test_the_ack_of_a_low_rating_lists_the_reasons():
    state, _ = play(HALL, SERVED)
    events = execute(state, c.rate(1, 2, "A001", T0 + 5), T0 + 5)
    res = intake.ack_result(HALL, events)
    assert res["counted"] is True and res["case"] == 1 and res["reasons"][0] == "waited too long"


# --- appointments -------------------------------------------------------------------

SLOT = T0 + 60 * MIN    # 10:00 in the hall
BOOK = (0, c.book("X7K2", "A", SLOT, "Zhang"))


def checkin(at):
    return (at, c.check_in("X7K2", "printer-1"))


APPOINTMENTS = [
    ("on time goes ahead of walk-ins", [(50 * MIN, c.issue("A", "p")), checkin(55 * MIN)], ("ahead", 0)),
    ("on time is an appointment", [checkin(60 * MIN)], ("prio", 1)),
    ("within the late limit is still on time", [checkin(70 * MIN)], ("late", False)),
    ("late is a walk-in", [(50 * MIN, c.issue("A", "p")), checkin(71 * MIN)], ("ahead", 1)),
    ("late carries the flag", [checkin(71 * MIN)], ("late", True)),
    ("appointments keep their own order", [checkin(55 * MIN), (56 * MIN, c.issue("A", "p")),
                                           (57 * MIN, c.book("Q1", "A", SLOT)),
                                           (58 * MIN, c.check_in("Q1", "printer-1"))], ("ahead", 1)),
]


@pytest.mark.parametrize("name,script,expected", APPOINTMENTS, ids=[case[0] for case in APPOINTMENTS])
def test_appointment(name, script, expected):
    _, events = last(HALL, [BOOK] + script)
    field, value = expected
    assert events[-1]["type"] == "ticket_issued" and events[-1]["appt"] in ("X7K2", "Q1")
    assert events[-1][field] == value


APPOINTMENTS_REFUSED = [
    ("too early", [checkin(29 * MIN)], "booking X7K2 is for 10:00: check in from 09:30"),
    ("unknown code", [(0, c.check_in("NOPE", "p"))], "booking code NOPE is not known"),
    ("checked in twice", [checkin(55 * MIN), checkin(56 * MIN)], "checked in already (A001)"),
    ("booked twice", [BOOK], "exists already"),
    ("booking an unknown service", [(0, c.book("Z1", "Z", SLOT))], "unknown service"),
]


@pytest.mark.parametrize("name,script,reason", APPOINTMENTS_REFUSED, ids=[case[0] for case in APPOINTMENTS_REFUSED])
def test_appointment_refused(name, script, reason):
    with pytest.raises(Refused) as info:
        last(HALL, [BOOK] + script)
    assert reason in str(info.value)


def test_an_on_time_appointment_ignores_the_daily_cap_a_late_one_does_not():
    hall = hall_with(services={"A": {"daily_cap": 1}})
    script = [BOOK, (0, c.book("L1", "A", SLOT)), (50 * MIN, c.issue("A", "p")), checkin(55 * MIN),
              (80 * MIN, c.check_in("L1", "p"))]
    _, results = play(hall, script)
    assert results[3][-1]["appt"] == "X7K2"
    assert isinstance(results[4], Refused) and "all 1 tickets" in str(results[4])


def test_a_booking_code_at_the_printer_checks_in():
    printer = HALL.devices["printer-1"]
    cmd = intake.to_command(printer, {"t": "key", "id": "x", "at": 0, "key": "k1", "code": "X7K2"}, T0)
    assert cmd == c.check_in("X7K2", "printer-1")
    state, _ = play(HALL, [BOOK])
    events = execute(state, cmd, SLOT)
    ticket = intake.ack_result(HALL, events)["ticket"]
    assert ticket["appt"] == "X7K2" and ticket["late"] is False and ticket["no"] == "A001"
    assert set(ticket) >= {"no", "svc", "name", "ahead", "wait", "at", "hall", "green"}


def test_bookings_from_csv(tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_text("code,service,time,name\nX7K2,A,2026-11-23 10:00,Zhang\nBAD1,Z,2026-11-23 10:00,\n"
                    "BAD2,A,tomorrow,\nX7K2,A,2026-11-23 11:00,again\n", encoding="utf-8")
    cmds, problems = bookings.read_csv(HALL, path)
    assert problems == [(4, "time 'tomorrow' is not like 2026-11-23 10:30")]
    assert cmds[0][1] == c.book("X7K2", "A", SLOT, "Zhang")
    state = new_state(HALL)
    events, refused = bookings.book_all(state, cmds, T0)
    assert [ev["code"] for ev in events] == ["X7K2"]
    assert [line for line, _ in refused] == [3, 5]
    assert "unknown service" in refused[0][1] and "exists already" in refused[1][1]


def test_a_csv_without_the_needed_columns_is_refused_whole(tmp_path):
    path = tmp_path / "b.csv"
    path.write_text("code,when\nX,10:00\n")
    with pytest.raises(bookings.BookingError, match="missing column"):
        bookings.read_csv(HALL, path)


def test_slot_time_is_the_halls_local_time():
    assert bookings.parse_time(HALL, "2026-11-23 09:00") == T0
    assert datetime.datetime.fromtimestamp(SLOT, datetime.timezone.utc).hour == 2
