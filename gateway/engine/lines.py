"""Where a ticket stands in its service's line. One place for every rule that inserts:
issue, appointment check-in, rejoin after a skip, transfer, a staff upgrade to green.

A line is a list of tids called from the front. The classes (state.GREEN, APPOINTMENT,
WALK_IN) keep this order unless the hall limits how far a green ticket may jump:
  green       behind every earlier green ticket, ahead of walk-ins (at most `green_jump` of them)
  appointment behind greens at the front and earlier appointments, ahead of walk-ins
  walk-in     at the end; a transferred one by its original issue time among walk-ins
  rejoin      behind `rejoin_after` others, never ahead of the priority tickets at the front
"""
from gateway.engine.state import APPOINTMENT, GREEN, WALK_IN


def _last_index(tickets, line, test):
    for i in range(len(line) - 1, -1, -1):
        if test(tickets[line[i]]):
            return i
    return -1


def _front_run(tickets, line, test):
    n = 0
    while n < len(line) and test(tickets[line[n]]):
        n += 1
    return n


def place(state, line, prio, issued_at):
    """Index at which a ticket of class `prio` issued at `issued_at` joins `line`."""
    tickets = state.tickets
    if prio == GREEN:
        after_greens = _last_index(tickets, line, lambda t: t.prio == GREEN) + 1
        jump = state.hall.rules.green_jump
        return after_greens if jump < 0 else max(after_greens, len(line) - jump)
    if prio == APPOINTMENT:
        after_appts = _last_index(tickets, line, lambda t: t.prio == APPOINTMENT) + 1
        return max(after_appts, _front_run(tickets, line, lambda t: t.prio == GREEN))
    for i, tid in enumerate(line):
        t = tickets[tid]
        if t.prio == WALK_IN and t.issued_at > issued_at:
            return max(i, _front_run(tickets, line, lambda t: t.prio != WALK_IN))
    return len(line)


def rejoin_place(state, line):
    front = _front_run(state.tickets, line, lambda t: t.prio != WALK_IN)
    return min(len(line), max(state.hall.rules.rejoin_after, front))


def insert(state, svc, tid, index):
    state.waiting[svc].insert(index, tid)


def remove(state, ticket):
    """Take a ticket out of whichever line holds it (service line or a window's own)."""
    if ticket.to_window is not None:
        state.directed[ticket.to_window].remove(ticket.tid)
    else:
        state.waiting[ticket.svc].remove(ticket.tid)
