"""The console's audit trail: who did what in the browser console, and when, as events of the
log itself. They change no queue state (apply only counts them), so a log with them folds to
the same queue as one without; reports read past them.

Each event: {"type": one of AUDIT_TYPES, "at": s since the epoch, "actor": account name, ...}
with what else says what happened (the role of an account made, the command a console action
ran and whether it was refused, and why).
"""

ACCOUNT_ADDED = "console_account_added"       # an account made (CLI or administration page)
ACCOUNT_CHANGED = "console_account_changed"   # role, password or disabled changed
LOGIN = "console_login"                       # a successful sign-in to the console
LOGIN_REFUSED = "console_login_refused"       # a wrong password, unknown name or throttled
LOGOUT = "console_logout"
ACTION = "console_action"                     # an engine command run from the console
FLEET_CHANGED = "console_fleet_changed"       # a device enrolled or removed, broker files written

AUDIT_TYPES = (ACCOUNT_ADDED, ACCOUNT_CHANGED, LOGIN, LOGIN_REFUSED, LOGOUT, ACTION, FLEET_CHANGED)


def event(kind, actor, at, **detail):
    """An audit event of `kind` by `actor` at `at`; ValueError for a kind that is not one."""
    if kind not in AUDIT_TYPES:
        raise ValueError("not a console audit event type: %r" % (kind,))
    return dict(detail, type=kind, at=float(at), actor=str(actor))


def _leave_the_queue_alone(state, ev):
    """Audit events are history, not state: nothing of the queue changes."""


DECIDERS = {}
APPLIERS = {kind: _leave_the_queue_alone for kind in AUDIT_TYPES}
