"""Commands: what someone asks the engine to do. Plain dicts so they log and test easily.

`staff` is carried already so a later change can attribute calls and ratings to a person.
"""

ISSUE, CALL, RECALL, SKIP, FINISH = "issue", "call", "recall", "skip", "finish"
PAUSE, RESUME, RATE = "pause", "resume", "rate"
PRINTED, STATUS = "printed", "status"

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


def rate(window, level, ticket, pressed_at, device=""):
    """`ticket` is what the pad showed ("" if nothing); `pressed_at` in seconds."""
    return {"type": RATE, "window": window, "level": level, "ticket": ticket,
            "pressed_at": pressed_at, "device": device}


def printed(device, ticket, ok, why=""):
    return {"type": PRINTED, "device": device, "ticket": ticket, "ok": bool(ok), "why": why}


def status(device, part, state):
    return {"type": STATUS, "device": device, "part": part, "state": state}
