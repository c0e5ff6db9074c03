"""Issuing tickets: numbering per service and day, issuing hours and caps, the day change.

Numbers are the service code and three digits (A001 ... A999) and start again each day of the
hall (engine.days: the day begins at its boundary, and a clock stepped back never reopens a
closed day, so a number is never issued twice in a day). Numbers leased to printers for
offline issuing are skipped (engine.leases).

A refusal names the service and the rule, because the printer shows it to the citizen.
"""
from gateway.engine import commands, devices, leases, lines
from gateway.engine.days import minute_of_day
from gateway.engine.estimate import wait_range
from gateway.engine.leases import MAX_NUMBER
from gateway.engine.state import GREEN, WAITING, WALK_IN, Refused, Ticket


def ticket_number(code, n):
    return "%s%03d" % (code, n)


def people_ahead(state, svc, green):
    """How many stand before a new ticket of the service (green or walk-in)."""
    line = state.waiting[svc]
    return lines.place(state, line, GREEN if green else WALK_IN, float("inf"))


def _check_hours(state, svc, now):
    service = state.hall.services[svc]
    if not service.hours:
        return
    minute = minute_of_day(state, now)
    if not any(start <= minute < end for start, end in service.hours):
        raise Refused("%s: tickets are issued %s only" % (service.name, service.hours_text()))


def check_service(state, svc):
    if svc not in state.hall.services:
        raise Refused("unknown service %r" % (svc,))
    if not state.hall.windows_serving(svc):
        raise Refused("no window open for service %s" % svc)


def issue_events(state, svc, now, prio, device, green, appt="", rules=True):
    """[ticket_issued] in the current day; `rules` False for a booked appointment (no hours or
    cap). engine.core has begun the day `now` falls in before this runs."""
    check_service(state, svc)
    if rules:
        _check_hours(state, svc, now)
    day = state.day
    number = leases.skip_leased(state, svc, day, state.numbers.get(svc, 0) + 1)
    service = state.hall.services[svc]
    # the cap counts tickets, not numbers: those issued offline count, the skipped blocks do not
    issued = state.numbers.get(svc, 0) + leases.offline_issued(state, svc, day)
    if rules and service.daily_cap and issued >= service.daily_cap:
        raise Refused("%s: all %d tickets for today are issued" % (service.name, service.daily_cap))
    if number > MAX_NUMBER:
        raise Refused("service %s has issued all %d numbers today" % (svc, MAX_NUMBER))
    ahead = lines.place(state, state.waiting[svc], prio, now)
    return [{"type": "ticket_issued", "at": now, "tid": state.next_tid,
             "no": ticket_number(svc, number), "svc": svc, "green": green,
             "device": device, "day": day, "ahead": ahead, "prio": prio, "appt": appt,
             "wait": wait_range(state, svc, ahead)}]


def decide_issue(state, cmd, now):
    prio = GREEN if cmd["green"] else WALK_IN
    return issue_events(state, cmd["svc"], now, prio, cmd["device"], cmd["green"])


def apply_ticket_issued(state, ev):
    svc = ev["svc"]
    prio = ev.get("prio", GREEN if ev["green"] else WALK_IN)   # logs before priorities had none
    ticket = Ticket(tid=ev["tid"], no=ev["no"], svc=svc, green=ev["green"], day=ev["day"],
                    device=ev["device"], issued_at=ev["at"], ahead=ev["ahead"],
                    wait=tuple(ev["wait"]), status=WAITING, appt=ev.get("appt", ""), prio=prio)
    # the decision placed it; the event says where, so a replay never second-guesses it
    index = min(ev["ahead"], len(state.waiting[svc]))
    state.tickets[ticket.tid] = ticket
    state.by_no[ticket.no] = ticket.tid
    state.next_tid = max(state.next_tid, ticket.tid + 1)
    state.day = ev["day"] if state.day is None or ev["day"] > state.day else state.day
    if ev.get("offline"):
        leases.mark_used(state, ev)      # a leased number: online numbering goes on as it was
    else:
        state.numbers[svc] = int(ev["no"][len(svc):])
    lines.insert(state, svc, ticket.tid, index)
    devices.awaiting_print(state, ticket, ev)
    if ticket.appt:
        state.bookings[ticket.appt]["used"] = ticket.tid


def decide_prioritise(state, cmd, now):
    """A staff action: a waiting ticket joins the green channel (an elderly visitor noticed)."""
    ticket = _waiting_by_no(state, cmd["ticket"])
    if ticket.prio == GREEN:
        raise Refused("%s is in the green channel already" % ticket.no)
    return [{"type": "ticket_prioritised", "at": now, "tid": ticket.tid, "no": ticket.no,
             "svc": ticket.svc, "staff": cmd.get("staff")}]


def _waiting_by_no(state, no):
    ticket = state.tickets.get(state.by_no.get(no))
    if ticket is None or ticket.status != WAITING or ticket.to_window is not None:
        raise Refused("no ticket %s is waiting" % no)
    return ticket


def apply_prioritised(state, ev):
    ticket = state.tickets[ev["tid"]]
    line = state.waiting[ticket.svc]
    line.remove(ticket.tid)
    ticket.prio, ticket.green = GREEN, True
    line.insert(lines.place(state, line, GREEN, ticket.issued_at), ticket.tid)


DECIDERS = {commands.ISSUE: decide_issue, commands.PRIORITISE: decide_prioritise}
APPLIERS = {"ticket_issued": apply_ticket_issued,
            "ticket_prioritised": apply_prioritised}
