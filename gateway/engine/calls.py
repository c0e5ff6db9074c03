"""What staff do at a window: sign in/out, call next, recall, skip (no-show), transfer,
finish, pause, resume.

Calling while a ticket is still being served is refused rather than finishing it silently:
a finish opens the rating for that ticket, and a rating must only be asked for a ticket the
staff really finished. So the order is always call -> (recall)* -> finish | skip | transfer -> call.

Which ticket a window calls (next_ticket):
1. tickets transferred to this very window, first come first served;
2. starvation fallback: among the heads of the window's service lines, whoever has waited
   longer than the hall's `starve_after_min`, longest first, so no service starves;
3. the window's profile across the heads of its lines, green channel heads always first:
   longest  - the longest waiting head (a tie goes to the window's first service)
   ordered  - the first service in the window's list that has anyone waiting
   weighted - the service whose calls today, divided by its weight, are fewest
Within one service the line order (green, appointments, walk-ins) is never broken.
"""
from gateway.engine import cases, commands, lines
from gateway.engine.state import (CALLED, FINISHED, GREEN, IDLE, PAUSED, SERVING, SKIPPED, WAITING,
                                  WALK_IN, Refused)


def _window(state, cmd):
    number = cmd["window"]
    if number not in state.windows:
        raise Refused("window %r is not a window of this hall" % (number,))
    return state.windows[number]


def _staff(win, cmd):
    """Who acts: named in the command, else whoever is signed in at the window."""
    return cmd.get("staff") or win.staff


def _ticket_event(kind, ticket, win, cmd, now, **extra):
    ev = {"type": kind, "at": now, "tid": ticket.tid, "no": ticket.no, "svc": ticket.svc,
          "window": win.number, "staff": _staff(win, cmd)}
    ev.update(extra)
    return ev


def _heads(state, win):
    for rank, svc in enumerate(win.services):
        line = state.waiting.get(svc)
        if line:
            yield rank, svc, state.tickets[line[0]]


def next_ticket(state, win, now=None):
    """The ticket the window calls next (see the module text), or None."""
    own = state.directed.get(win.number)
    if own:
        return state.tickets[own[0]]
    heads = list(_heads(state, win))
    if not heads:
        return None
    limit = state.hall.rules.starve_after_min * 60.0
    if now is not None and limit > 0:
        starving = [(t.issued_at, rank, t) for rank, svc, t in heads if now - t.issued_at > limit]
        if starving:
            return min(starving, key=lambda item: item[:2])[2]
    profile = state.hall.windows[win.number].profile
    return min(heads, key=lambda item: _profile_key(state, win, profile, *item))[2]


def _profile_key(state, win, profile, rank, svc, head):
    green = 0 if head.prio == GREEN else 1
    if profile == "ordered":
        return (green, rank)
    if profile == "weighted":
        weight = state.hall.windows[win.number].weights[rank]
        return (green, win.svc_calls.get(svc, 0) / weight, rank)
    return (green, head.issued_at, rank, head.tid)


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
    ticket = next_ticket(state, win, now)
    if ticket is None:
        raise Refused("no ticket waiting for window %d (%s)" % (win.number, ", ".join(win.services)))
    # the previous citizen's reason question ends: the pad's keys are the next citizen's now
    return cases.end_reason_question(state, win.number, now) + [
        _ticket_event("ticket_called", ticket, win, cmd, now, waited_s=max(0.0, now - ticket.issued_at))]


def decide_recall(state, cmd, now):
    win = _window(state, cmd)
    ticket = _serving(state, win)
    cap = state.hall.rules.recall_max
    if ticket.recalls >= cap:
        raise Refused("%s was called again %d times already (limit %d): skip or finish it"
                      % (ticket.no, ticket.recalls, cap))
    return [_ticket_event("ticket_recalled", ticket, win, cmd, now)]


def decide_skip(state, cmd, now):
    """A no-show: the ticket rejoins the line (while it has rejoins left) or is void."""
    win = _window(state, cmd)
    ticket = _serving(state, win)
    rejoin = ticket.skips < state.hall.rules.rejoin_max
    return [_ticket_event("ticket_skipped", ticket, win, cmd, now, rejoin=rejoin)]


def decide_transfer(state, cmd, now):
    win = _window(state, cmd)
    ticket = _serving(state, win)
    to_svc, to_window = cmd.get("to_svc"), cmd.get("to_window")
    if to_svc is None and to_window is None:
        raise Refused("transfer needs a service or a window to send %s to" % ticket.no)
    svc = to_svc or ticket.svc
    if svc not in state.hall.services:
        raise Refused("unknown service %r" % (svc,))
    if to_window is not None:
        if to_window not in state.windows:
            raise Refused("window %r is not a window of this hall" % (to_window,))
        if to_window == win.number:
            raise Refused("%s is at window %d already" % (ticket.no, win.number))
        if svc not in state.windows[to_window].services:
            raise Refused("window %d does not serve service %s" % (to_window, svc))
    elif svc == ticket.svc:
        raise Refused("%s is for service %s already" % (ticket.no, svc))
    elif not state.hall.windows_serving(svc):
        raise Refused("no window open for service %s" % svc)
    return [_ticket_event("ticket_transferred", ticket, win, cmd, now, to_svc=svc, to_window=to_window,
                          served_s=max(0.0, now - ticket.called_at))]


def decide_finish(state, cmd, now):
    win = _window(state, cmd)
    ticket = _serving(state, win)
    served = max(0.0, now - ticket.called_at)
    limit_s = state.hall.services[ticket.svc].time_limit_min * 60.0
    return [_ticket_event("ticket_finished", ticket, win, cmd, now, served_s=served,
                          on_time=served <= limit_s, limit_s=limit_s)]


def decide_pause(state, cmd, now):
    win = _window(state, cmd)
    if win.status == PAUSED:
        raise Refused("window %d is already paused" % win.number)
    if win.status == SERVING:
        no = state.tickets[win.current].no
        raise Refused("window %d is serving %s: finish or skip it before pausing" % (win.number, no))
    return [{"type": "window_paused", "at": now, "window": win.number, "staff": _staff(win, cmd)}]


def decide_resume(state, cmd, now):
    win = _window(state, cmd)
    if win.status != PAUSED:
        raise Refused("window %d is not paused" % win.number)
    return [{"type": "window_resumed", "at": now, "window": win.number, "staff": _staff(win, cmd)}]


def decide_sign_in(state, cmd, now):
    win = _window(state, cmd)
    staff = cmd.get("staff")
    if not isinstance(staff, str) or not staff.strip():
        raise Refused("sign-in needs a staff name or number")
    if win.staff is not None:
        raise Refused("%s is signed in at window %d: sign out first" % (win.staff, win.number))
    for other in state.windows.values():
        if other.staff == staff:
            raise Refused("%s is signed in at window %d already" % (staff, other.number))
    return [{"type": "staff_signed_in", "at": now, "window": win.number, "staff": staff}]


def decide_sign_out(state, cmd, now):
    win = _window(state, cmd)
    if win.staff is None:
        raise Refused("nobody is signed in at window %d" % win.number)
    if win.status == SERVING:
        raise Refused("window %d is serving %s: finish it before signing out"
                      % (win.number, state.tickets[win.current].no))
    return [{"type": "staff_signed_out", "at": now, "window": win.number, "staff": win.staff}]


def _mark_call(state, win, ticket):
    win.calls += 1
    ticket.calls += 1
    state.call_seq += 1
    state.last_calls[win.number] = (state.call_seq, ticket.tid)


def _leave_window(win):
    win.status, win.current = IDLE, None


def apply_called(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    lines.remove(state, ticket)
    ticket.to_window = None
    ticket.status, ticket.window, ticket.staff, ticket.called_at = CALLED, win.number, ev["staff"], ev["at"]
    ticket.recalls = 0
    win.status, win.current = SERVING, ticket.tid
    win.svc_calls[ticket.svc] = win.svc_calls.get(ticket.svc, 0) + 1
    _mark_call(state, win, ticket)


def apply_recalled(state, ev):
    ticket = state.tickets[ev["tid"]]
    ticket.recalls += 1
    _mark_call(state, state.windows[ev["window"]], ticket)


def apply_skipped(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    _leave_window(win)
    if ev.get("rejoin"):
        # a missed call costs the priority: the ticket goes behind `rejoin_after` others
        ticket.status, ticket.prio, ticket.skips = WAITING, WALK_IN, ticket.skips + 1
        line = state.waiting[ticket.svc]
        line.insert(lines.rejoin_place(state, line), ticket.tid)
    else:
        ticket.status, ticket.finished_at = SKIPPED, ev["at"]


def apply_transferred(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    _leave_window(win)
    ticket.status, ticket.svc, ticket.transfers = WAITING, ev["to_svc"], ticket.transfers + 1
    if ev["to_window"] is not None:
        ticket.to_window = ev["to_window"]
        state.directed[ev["to_window"]].append(ticket.tid)
    else:
        line = state.waiting[ticket.svc]
        # keeps its original issue time: it does not start again at the end of the new line
        line.insert(lines.place(state, line, ticket.prio, ticket.issued_at), ticket.tid)


def apply_finished(state, ev):
    ticket, win = state.tickets[ev["tid"]], state.windows[ev["window"]]
    ticket.status, ticket.finished_at = FINISHED, ev["at"]
    ticket.on_time = ev.get("on_time")
    ticket.staff = ev["staff"]       # whoever finished it is rated, also after a mid-visit sign-in
    _leave_window(win)
    win.open_rating = ticket.tid
    win.finished_by_no[ticket.no] = ticket.tid
    state.durations[ticket.svc].append(ev["served_s"])


def apply_paused(state, ev):
    state.windows[ev["window"]].status = PAUSED


def apply_resumed(state, ev):
    state.windows[ev["window"]].status = IDLE


def apply_signed_in(state, ev):
    state.windows[ev["window"]].staff = ev["staff"]


def apply_signed_out(state, ev):
    state.windows[ev["window"]].staff = None


DECIDERS = {commands.CALL: decide_call, commands.RECALL: decide_recall,
            commands.SKIP: decide_skip, commands.FINISH: decide_finish,
            commands.PAUSE: decide_pause, commands.RESUME: decide_resume,
            commands.TRANSFER: decide_transfer, commands.SIGN_IN: decide_sign_in,
            commands.SIGN_OUT: decide_sign_out}
APPLIERS = {"ticket_called": apply_called, "ticket_recalled": apply_recalled,
            "ticket_skipped": apply_skipped, "ticket_finished": apply_finished,
            "ticket_transferred": apply_transferred,
            "window_paused": apply_paused, "window_resumed": apply_resumed,
            "staff_signed_in": apply_signed_in, "staff_signed_out": apply_signed_out}
