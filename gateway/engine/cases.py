"""Follow-up cases: a bad review opens one; the pad asks the citizen for a reason; staff call
back and resolve it within CASE_WORKING_DAYS working days of the hall's calendar (workdays.py).
Status only moves forward: open -> called_back -> resolved (a case may be resolved without a
call back, e.g. when the citizen came back in person).

The reason question belongs to the citizen who rated: it ends when they answer, when
`reason_timeout_s` passes, or when the window calls its next ticket (REASON_ENDED), so the next
citizen's key press is never taken for the previous citizen's complaint. The case stays open,
with no reason given.
"""
from gateway.engine import commands, days, workdays
from gateway.engine.state import Refused

REASON_ENDED = "case_reason_ended"
NEXT_CALLED = "next ticket called"
NO_REASON = "no reason given"

OPEN, CALLED_BACK, RESOLVED = "open", "called_back", "resolved"
STATUSES = (OPEN, CALLED_BACK, RESOLVED)


def opened(state, ticket, window, level, now):
    """The case_opened event that goes with a low counted rating."""
    return {"type": "case_opened", "at": now, "case": state.next_case, "tid": ticket.tid,
            "no": ticket.no, "svc": ticket.svc, "window": window, "staff": ticket.staff, "level": level}


def reason_open(state, window, now):
    """The case (dict) whose reason the window's pad asks for at `now`, or None."""
    case_id = state.windows[window].asking_reason
    if case_id is None:
        return None
    case = state.cases[case_id]
    if case["reason"] or now > case["opened_at"] + state.hall.rules.reason_timeout_s:
        return None
    return case


def end_reason_question(state, window, now, why=NEXT_CALLED):
    """[REASON_ENDED event] when the window's pad still asks for a reason at `now`, else []."""
    case = reason_open(state, window, now)
    if case is None:
        return []
    return [{"type": REASON_ENDED, "at": now, "case": case["case"], "window": window, "why": why}]


class _HallOnly:
    """What engine.days reads of a state, for a report that has the hall and not the state."""

    def __init__(self, hall):
        self.hall = hall


def deadline(hall, case):
    """The last hall day (a date) to rectify the case."""
    opened_day = days.hall_day(_HallOnly(hall), case["opened_at"])
    return workdays.case_deadline(hall.rules.calendar, opened_day)


def overdue(hall, case, now):
    """Not resolved and past its deadline at `now` (s since the epoch)."""
    if case["status"] == RESOLVED:
        return False
    today = days.hall_day(_HallOnly(hall), now)
    return today > deadline(hall, case).isoformat()


def called_back(case):
    """The citizen was phoned back (a case may skip straight to resolved: then it was not)."""
    return case["status"] == CALLED_BACK or any(note[1] == CALLED_BACK for note in case["notes"])


def decide_reason(state, cmd, now):
    window = cmd["window"]
    if window not in state.windows:
        raise Refused("window %r is not a window of this hall" % (window,))
    case = reason_open(state, window, now)
    if case is None:
        raise Refused("no rating at window %d asks for a reason now" % window)
    reasons = state.hall.rules.reasons
    index = cmd["index"]
    if not isinstance(index, int) or not 1 <= index <= len(reasons):
        raise Refused("reason %r is outside 1-%d" % (index, len(reasons)))
    return [{"type": "case_reason", "at": now, "case": case["case"], "window": window,
             "reason": reasons[index - 1], "device": cmd.get("device", "")}]


def decide_update(state, cmd, now):
    case = state.cases.get(cmd["case"])
    if case is None:
        raise Refused("no follow-up case %r" % (cmd["case"],))
    status = cmd["status"]
    if status not in STATUSES:
        raise Refused("status must be one of %s, got %r" % (", ".join(STATUSES), status))
    if STATUSES.index(status) <= STATUSES.index(case["status"]):
        raise Refused("case %d is %s already: it cannot become %s" % (case["case"], case["status"], status))
    return [{"type": "case_updated", "at": now, "case": case["case"], "status": status,
             "note": cmd.get("note", ""), "staff": cmd.get("staff")}]


def apply_opened(state, ev):
    state.cases[ev["case"]] = {"case": ev["case"], "tid": ev["tid"], "no": ev["no"], "svc": ev["svc"],
                               "window": ev["window"], "staff": ev["staff"], "level": ev["level"],
                               "opened_at": ev["at"], "status": OPEN, "reason": "", "notes": []}
    state.next_case = max(state.next_case, ev["case"] + 1)
    state.windows[ev["window"]].asking_reason = ev["case"]


def apply_reason(state, ev):
    state.cases[ev["case"]]["reason"] = ev["reason"]
    win = state.windows[ev["window"]]
    if win.asking_reason == ev["case"]:
        win.asking_reason = None


def apply_reason_ended(state, ev):
    win = state.windows[ev["window"]]
    if win.asking_reason == ev["case"]:
        win.asking_reason = None


def apply_updated(state, ev):
    case = state.cases[ev["case"]]
    case["status"] = ev["status"]
    case["notes"].append((ev["at"], ev["status"], ev["note"], ev["staff"]))


DECIDERS = {commands.REASON: decide_reason, commands.CASE_UPDATE: decide_update}
APPLIERS = {"case_opened": apply_opened, "case_reason": apply_reason, "case_updated": apply_updated,
            REASON_ENDED: apply_reason_ended}
