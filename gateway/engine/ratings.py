"""Ratings from a window's pad. Every press is kept; only some count.

A press counts when the ticket the pad showed was finished at that pad's window, has not been
rated yet, and the press reached the gateway within the hall's rating timeout after the finish
plus ARRIVAL_ALLOWANCE_S. The gateway's clock at arrival judges it, never the pad's claimed
press time: a late or replayed press with an early `at` must not count. Any other press is
stored flagged with the reason and never counts, so a window's figures cannot be padded by
extra presses and a citizen's real rating is never thrown away unseen.

A counted rating that is a bad review (below the hall's `satisfied_from`, the national 好差评
scheme by default) opens a follow-up case (cases.py) and the pad asks for a reason.
"""
from gateway.engine import cases, commands
from gateway.engine.state import Refused

NOTHING_TO_RATE = "nothing_to_rate"   # the pad showed no ticket
ALREADY_RATED = "already_rated"       # a second press for the same ticket
TIMED_OUT = "timed_out"               # pressed after the rating window closed
WRONG_TICKET = "wrong_ticket"         # the shown ticket was not finished at this window
FLAG_REASONS = (NOTHING_TO_RATE, ALREADY_RATED, TIMED_OUT, WRONG_TICKET)
# a press made just before the timeout may take this long to arrive: the way through the
# broker plus one resend of the pad's outbox (resend_ms 4-5 s)
ARRIVAL_ALLOWANCE_S = 10.0


def rating_open(state, window, now):
    """The ticket (or None) a window's pad should ask a rating for at `now`."""
    tid = state.windows[window].open_rating
    if tid is None:
        return None
    ticket = state.tickets[tid]
    if ticket.rating is not None or now > ticket.finished_at + state.hall.rating_timeout_s:
        return None
    return ticket


def judge(state, window, shown, arrived_at):
    """(ticket, None) when the press counts, (ticket or None, reason) when it is flagged.
    `arrived_at`: the gateway's clock when the press arrived."""
    if not shown:
        return None, NOTHING_TO_RATE
    tid = state.windows[window].finished_by_no.get(shown)
    if tid is None:
        return None, WRONG_TICKET
    ticket = state.tickets[tid]
    if ticket.rating is not None:
        return ticket, ALREADY_RATED
    if arrived_at > ticket.finished_at + state.hall.rating_timeout_s + ARRIVAL_ALLOWANCE_S:
        return ticket, TIMED_OUT
    return ticket, None


def decide_rate(state, cmd, now):
    window, level = cmd["window"], cmd["level"]
    if window not in state.windows:
        raise Refused("window %r is not a window of this hall" % (window,))
    if not isinstance(level, int) or not 1 <= level <= state.hall.rating_levels:
        raise Refused("rating level %r is outside 1-%d" % (level, state.hall.rating_levels))
    ticket, reason = judge(state, window, cmd["ticket"], now)
    common = {"at": now, "window": window, "level": level, "pressed_at": cmd["pressed_at"],
              "device": cmd.get("device", "")}
    if reason is not None:
        # the staff on duty now: misuse at a window is that window's and shift's problem
        ev = {"type": "rating_flagged", "reason": reason, "ticket": cmd["ticket"],
              "tid": ticket.tid if ticket else None, "staff": state.windows[window].staff}
        ev.update(common)
        return [ev]
    ev = {"type": "rating_counted", "tid": ticket.tid, "no": ticket.no, "svc": ticket.svc,
          "staff": ticket.staff}
    ev.update(common)
    events = [ev]
    if not state.hall.rules.satisfied(level):
        events.append(cases.opened(state, ticket, window, level, now))
    return events


def apply_counted(state, ev):
    ticket = state.tickets.get(ev["tid"])    # a log from before days closed may rate one gone
    if ticket is not None:
        ticket.rating = ev["level"]
    win = state.windows[ev["window"]]
    if win.open_rating == ev["tid"]:
        win.open_rating = None


def apply_flagged(state, ev):
    state.windows[ev["window"]].flagged += 1
    state.flagged.append(ev)


DECIDERS = {commands.RATE: decide_rate}
DECIDERS.update(cases.DECIDERS)
APPLIERS_CASES = cases.APPLIERS
APPLIERS = {"rating_counted": apply_counted, "rating_flagged": apply_flagged}
APPLIERS.update(APPLIERS_CASES)
