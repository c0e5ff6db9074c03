"""Commands: what someone asks the engine to do. Plain dicts so they log and test easily.

`staff` names who acts; when a window action carries none, the staff member signed in at
that window is the one on duty and gets the credit (or the blame) in the reports.
"""

ISSUE, CALL, RECALL, SKIP, FINISH = "issue", "call", "recall", "skip", "finish"
PAUSE, RESUME, RATE = "pause", "resume", "rate"
PRINTED, STATUS = "printed", "status"
TRANSFER, SIGN_IN, SIGN_OUT, PRIORITISE = "transfer", "sign_in", "sign_out", "prioritise"
REASON, CASE_UPDATE = "reason", "case_update"
BOOK, CHECK_IN = "book", "check_in"
NEW_DAY, CLOCK_STEP = "new_day", "clock_step"

WINDOW_ACTIONS = (CALL, RECALL, SKIP, FINISH, PAUSE, RESUME)


def issue(svc, device, green=False):
    return {"type": ISSUE, "svc": svc, "device": device, "green": bool(green)}


def window_action(action, window, staff=None):
    if action not in WINDOW_ACTIONS:
        raise ValueError("unknown window action %r" % (action,))
    return {"type": action, "window": window, "staff": staff}


def call(window, staff=None):
    return window_action(CALL, window, staff)


def recall(window, staff=None):
    return window_action(RECALL, window, staff)


def skip(window, staff=None):
    return window_action(SKIP, window, staff)


def finish(window, staff=None):
    return window_action(FINISH, window, staff)


def pause(window, staff=None):
    return window_action(PAUSE, window, staff)


def resume(window, staff=None):
    return window_action(RESUME, window, staff)


def transfer(window, to_svc=None, to_window=None, staff=None):
    """Send the ticket served at `window` to another service's line and/or to one window."""
    return {"type": TRANSFER, "window": window, "to_svc": to_svc, "to_window": to_window, "staff": staff}


def sign_in(window, staff):
    return {"type": SIGN_IN, "window": window, "staff": staff}


def sign_out(window, staff=None):
    return {"type": SIGN_OUT, "window": window, "staff": staff}


def prioritise(ticket, staff=None):
    """Staff put a waiting ticket ("A012") into the green channel."""
    return {"type": PRIORITISE, "ticket": ticket, "staff": staff}


def rate(window, level, ticket, pressed_at, device=""):
    """`ticket` is what the pad showed ("" if nothing); `pressed_at` in seconds."""
    return {"type": RATE, "window": window, "level": level, "ticket": ticket,
            "pressed_at": pressed_at, "device": device}


def reason(window, index, device=""):
    """The citizen's reason (1-based index into the hall's reasons) for a low rating."""
    return {"type": REASON, "window": window, "index": index, "device": device}


def case_update(case, status, note="", staff=None):
    return {"type": CASE_UPDATE, "case": case, "status": status, "note": note, "staff": staff}


def book(code, svc, at, name=""):
    """A booking: code as given to the citizen, service, booked time (s since the epoch)."""
    return {"type": BOOK, "code": code, "svc": svc, "at": at, "name": name}


def check_in(code, device, staff=None):
    return {"type": CHECK_IN, "code": code, "device": device, "staff": staff}


def printed(device, ticket, ok, why=""):
    return {"type": PRINTED, "device": device, "ticket": ticket, "ok": bool(ok), "why": why}


def status(device, part, state):
    return {"type": STATUS, "device": device, "part": part, "state": state}


def new_day():
    """The gateway's day-boundary timer: begin the day `now` falls in, if it is a later one."""
    return {"type": NEW_DAY}


def clock_step(step_s):
    """The gateway's clock jumped by `step_s` seconds (negative: back)."""
    return {"type": CLOCK_STEP, "step_s": step_s}
