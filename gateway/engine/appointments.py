"""Appointments: bookings are loaded as events, then checked in at a printer (booking code)
or by staff. The check-in issues a ticket of the booked service:
  earlier than `appt_early_min` before the booked time -> refused, with the time to come back
  up to `appt_late_min` after it                       -> ahead of walk-ins of that service
  later                                                -> an ordinary walk-in ticket
A booked ticket is not bound by issuing hours or the daily cap: the hall agreed to it already.
"""
from gateway.engine import commands, days
from gateway.engine.state import APPOINTMENT, WALK_IN, Refused
from gateway.engine.tickets import check_service, issue_events

MAX_CODE = 16


def decide_book(state, cmd, now):
    code, svc, at = cmd["code"], cmd["svc"], cmd["at"]
    if not isinstance(code, str) or not code.strip() or len(code) > MAX_CODE:
        raise Refused("booking code must be 1-%d characters, got %r" % (MAX_CODE, code))
    if code in state.bookings:
        raise Refused("booking code %s exists already" % code)
    check_service(state, svc)
    if isinstance(at, bool) or not isinstance(at, (int, float)):
        raise Refused("booking %s: time must be seconds since the epoch, got %r" % (code, at))
    return [{"type": "appointment_booked", "at": now, "code": code, "svc": svc, "slot": at,
             "name": cmd.get("name", "")}]


def _clock(state, seconds):
    return days.local_datetime(state.hall, seconds).strftime("%H:%M")


def decide_check_in(state, cmd, now):
    code = cmd["code"]
    booking = state.bookings.get(code)
    if booking is None:
        raise Refused("booking code %s is not known" % code)
    if booking["used"] is not None:
        used = state.tickets.get(booking["used"])
        raise Refused("booking %s was checked in already (%s)" % (code, used.no if used else "an earlier day"))
    rules = state.hall.rules
    opens = booking["slot"] - rules.appt_early_min * 60
    if now < opens:
        raise Refused("booking %s is for %s: check in from %s" % (code, _clock(state, booking["slot"]),
                                                               _clock(state, opens)))
    late = now > booking["slot"] + rules.appt_late_min * 60
    events = issue_events(state, booking["svc"], now, WALK_IN if late else APPOINTMENT,
                          cmd["device"], False, appt=code, rules=late)
    events[-1]["late"] = late
    return events


def apply_booked(state, ev):
    state.bookings[ev["code"]] = {"code": ev["code"], "svc": ev["svc"], "slot": ev["slot"],
                                  "name": ev["name"], "used": None}


DECIDERS = {commands.BOOK: decide_book, commands.CHECK_IN: decide_check_in}
APPLIERS = {"appointment_booked": apply_booked}
