"""Issuing tickets: numbering per service and day, the waiting lines, the day change.

Numbers are the service code and three digits (A001 ... A999) and start again each calendar
day of the hall; the day comes from the `now` handed in, never from a clock. When a new day
starts, tickets still waiting from an earlier day expire: the hall was closed in between.
"""
import datetime

from gateway.engine import commands
from gateway.engine.estimate import wait_range
from gateway.engine.state import EXPIRED, WAITING, Refused, Ticket

MAX_NUMBER = 999


def hall_day(state, now):
    """The hall's calendar day ('2026-11-23') at `now` seconds since the epoch."""
    local = now + state.hall.utc_offset_s
    return datetime.datetime.fromtimestamp(local, tz=datetime.timezone.utc).date().isoformat()


def ticket_number(code, n):
    return "%s%03d" % (code, n)


def people_ahead(state, svc, green):
    """Green tickets wait only behind green ones; walk-ins behind everyone of the service."""
    line = state.waiting[svc]
    if green:
        return sum(1 for tid in line if state.tickets[tid].green)
    return len(line)


def decide_issue(state, cmd, now):
    svc = cmd["svc"]
    if svc not in state.hall.services:
        raise Refused("unknown service %r" % (svc,))
    if not state.hall.windows_serving(svc):
        raise Refused("no window open for service %s" % svc)
    day = hall_day(state, now)
    events = []
    if day != state.day:
        events.append(_day_started(state, day, now))
    number = 1 if day != state.day else state.numbers.get(svc, 0) + 1
    if number > MAX_NUMBER:
        raise Refused("service %s has issued all %d numbers today" % (svc, MAX_NUMBER))
    # the expired tickets leave the line, so count the ones that will still be there
    expiring = set(events[0]["expired"]) if events else set()
    ahead = people_ahead(state, svc, cmd["green"]) - _expiring_ahead(state, svc, cmd["green"], expiring)
    events.append({"type": "ticket_issued", "at": now, "tid": state.next_tid,
                   "no": ticket_number(svc, number), "svc": svc, "green": cmd["green"],
                   "device": cmd["device"], "day": day, "ahead": ahead,
                   "wait": wait_range(state, svc, ahead)})
    return events


def _expiring_ahead(state, svc, green, expiring):
    return sum(1 for tid in state.waiting[svc]
               if tid in expiring and (state.tickets[tid].green or not green))


def _day_started(state, day, now):
    expired = [tid for line in state.waiting.values() for tid in line
               if state.tickets[tid].day != day]
    return {"type": "day_started", "at": now, "day": day, "expired": sorted(expired)}


def apply_day_started(state, ev):
    state.day = ev["day"]
    state.numbers = {}
    gone = set(ev["expired"])
    for ticket in (state.tickets[tid] for tid in gone):
        ticket.status = EXPIRED
    for svc, line in state.waiting.items():
        state.waiting[svc] = [tid for tid in line if tid not in gone]


def apply_ticket_issued(state, ev):
    svc = ev["svc"]
    ticket = Ticket(tid=ev["tid"], no=ev["no"], svc=svc, green=ev["green"], day=ev["day"],
                    device=ev["device"], issued_at=ev["at"], ahead=ev["ahead"],
                    wait=tuple(ev["wait"]), status=WAITING)
    state.tickets[ticket.tid] = ticket
    state.next_tid = max(state.next_tid, ticket.tid + 1)
    state.day = ev["day"]
    state.numbers[svc] = int(ev["no"][len(svc):])
    line = state.waiting[svc]
    if ticket.green:
        # after the last green ticket, ahead of every walk-in
        greens = sum(1 for tid in line if state.tickets[tid].green)
        line.insert(greens, ticket.tid)
    else:
        line.append(ticket.tid)


DECIDERS = {commands.ISSUE: decide_issue}
APPLIERS = {"day_started": apply_day_started, "ticket_issued": apply_ticket_issued}
