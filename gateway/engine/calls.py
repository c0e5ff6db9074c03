"""What staff do at a window: call next, recall, skip (no-show), finish, pause, resume.

Calling while a ticket is still being served is refused rather than finishing it silently:
a finish opens the rating for that ticket, and a rating must only be asked for a ticket the
staff really finished. So the order is always call -> (recall)* -> finish | skip -> call.
"""
from gateway.engine import commands
from gateway.engine.state import (CALLED, FINISHED, IDLE, PAUSED, SERVING, SKIPPED, Refused)


def _window(state, cmd):
    number = cmd["window"]
    if number not in state.windows:
        raise Refused("window %r is not a window of this hall" % (number,))
    return state.windows[number]


def _ticket_event(kind, ticket, win, cmd, now, **extra):
    ev = {"type": kind, "at": now, "tid": ticket.tid, "no": ticket.no, "svc": ticket.svc,
          "window": win.number, "staff": cmd.get("staff")}
    ev.update(extra)
    return ev


def next_ticket(state, win):
    """The ticket a window calls next: green before walk-ins, then the longest waiting;
    on a tie the window's own order of services decides."""
    best, best_key = None, None
    for rank, svc in enumerate(win.services):
        line = state.waiting.get(svc)
        if not line:
            continue
        head = state.tickets[line[0]]
        key = (0 if head.green else 1, head.issued_at, rank, head.tid)
        if best_key is None or key < best_key:
            best, best_key = head, key
    return best


def _serving(state, win):
    if win.status != SERVING:
        raise Refused("window %d is not serving anyone" % win.number)
    return state.tickets[win.current]


def decide_call(state, cmd, now):
    win = _window(state, cmd)
    if win.status == PAUSED:
        raise Refused("window %d is paused: resume first" % win.number)
    if win.status == SERVING:
        no = state.tickets[win.current].no
        raise Refused("window %d is serving %s: finish or skip it first" % (win.number, no))
    ticket = next_ticket(state, win)
    if ticket is None:
        raise Refused("no ticket waiting for window %d (%s)" % (win.number, ", ".join(win.services)))
    return [_ticket_event("ticket_called", ticket, win, cmd, now, waited_s=now - ticket.issued_at)]


def decide_recall(state, cmd, now):
    win = _window(state, cmd)
    return [_ticket_event("ticket_recalled", _serving(state, win), win, cmd, now)]


def decide_skip(state, cmd, now):
    win = _window(state, cmd)
    return [_ticket_event("ticket_skipped", _serving(state, win), win, cmd, now)]


def decide_finish(state, cmd, now):
    win = _window(state, cmd)
    ticket = _serving(state, win)
    served = max(0.0, now - ticket.called_at)
    return [_ticket_event("ticket_finished", ticket, win, cmd, now, served_s=served)]


def decide_pause(state, cmd, now):
    win = _window(state, cmd)
    if win.status == PAUSED:
        raise Refused("window %d is already paused" % win.number)
    if win.status == SERVING:
        no = state.tickets[win.current].no
        raise Refused("window %d is serving %s: finish or skip it before pausing" % (win.number, no))
    return [{"type": "window_paused", "at": now, "window": win.number, "staff": cmd.get("staff")}]


def decide_resume(state, cmd, now):
    win = _window(state, cmd)
    if win.status != PAUSED:
        raise Refused("window %d is not paused" % win.number)
    return [{"type": "window_resumed", "at": now, "window": win.number, "staff": cmd.get("staff")}]


def _mark_call(state, win, ticket):
    win.calls += 1
    ticket.calls += 1
    state.call_seq += 1
    state.last_calls[win.number] = (state.call_seq, ticket.tid)


def apply_called(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    state.waiting[ticket.svc].remove(ticket.tid)
    ticket.status, ticket.window, ticket.staff, ticket.called_at = CALLED, win.number, ev["staff"], ev["at"]
    win.status, win.current = SERVING, ticket.tid
    _mark_call(state, win, ticket)


def apply_recalled(state, ev):
    _mark_call(state, state.windows[ev["window"]], state.tickets[ev["tid"]])


def apply_skipped(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    ticket.status, ticket.finished_at = SKIPPED, ev["at"]
    win.status, win.current = IDLE, None


def apply_finished(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    ticket.status, ticket.finished_at = FINISHED, ev["at"]
    win.status, win.current = IDLE, None
    win.open_rating = ticket.tid
    win.finished_by_no[ticket.no] = ticket.tid
    state.durations[ticket.svc].append(ev["served_s"])


def apply_paused(state, ev):
    state.windows[ev["window"]].status = PAUSED


def apply_resumed(state, ev):
    state.windows[ev["window"]].status = IDLE


DECIDERS = {commands.CALL: decide_call, commands.RECALL: decide_recall,
            commands.SKIP: decide_skip, commands.FINISH: decide_finish,
            commands.PAUSE: decide_pause, commands.RESUME: decide_resume}
APPLIERS = {"ticket_called": apply_called, "ticket_recalled": apply_recalled,
            "ticket_skipped": apply_skipped, "ticket_finished": apply_finished,
            "window_paused": apply_paused, "window_resumed": apply_resumed}
