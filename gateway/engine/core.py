"""decide and apply: the two functions the whole engine is reached through.

decide(state, command, now) -> [event]   reads the state, never changes it; Refused if not allowed
apply(state, event) -> state             folds one event in; deterministic, no checks of rules

The caller stores the events first and applies them after, so what is in the log and what is
in memory never differ. `now` is seconds since the epoch, handed in: the engine reads no clock.

Every command is judged within the current day (engine.days). When `now` is already in a later
day than the state's (the gateway's day-boundary timer has not fired yet, or a tool decides
after a night), decide first closes the day: it returns the day_started event followed by the
command's events, decided as if the new day had begun. So nothing of an earlier day can be
called, whoever forgets the timer.
"""
import copy

from gateway.engine import appointments, audit, calls, changes, commands, days, devices, leases, ratings, tickets
from gateway.engine.state import Refused, new_state

_MODULES = (days, tickets, calls, ratings, devices, appointments, leases, changes, audit)
DECIDERS = {}
APPLIERS = {}
# commands that touch nothing of a day: an office tool's booking import or case update writes
# no day_started of its own
_DAYLESS = (commands.NEW_DAY, commands.CLOCK_STEP, commands.BOOK, commands.CASE_UPDATE)
for _module in _MODULES:
    DECIDERS.update(_module.DECIDERS)
    APPLIERS.update(_module.APPLIERS)


def decide(state, command, now):
    decider = DECIDERS.get(command.get("type"))
    if decider is None:
        raise Refused("unknown command %r" % (command.get("type"),))
    if command["type"] in _DAYLESS:
        return decider(state, command, now)
    opening = days.decide_new_day(state, {}, now)
    if not opening:
        return decider(state, command, now)
    return opening + decider(_after(state, opening), command, now)


def _after(state, events):
    """A scratch copy of the state with `events` applied: decide never changes the state.
    Copying happens once a day at most (the first command after a boundary), and the state
    is one day's worth."""
    scratch = copy.deepcopy(state, {id(state.hall): state.hall})
    for event in events:
        apply(scratch, event)
    return scratch


def apply(state, event):
    """Fold one event into the state (in place) and return the state."""
    applier = APPLIERS.get(event["type"])
    if applier is None:
        raise ValueError("unknown event type %r in the log" % (event["type"],))
    changes.make_room(state, event)      # a window or service the hall file no longer has
    applier(state, event)
    state.applied += 1
    at = event.get("at")
    if isinstance(at, (int, float)) and at > state.last_at:
        state.last_at = at          # the latest moment the log has seen: a clock behind it stepped back
    return state


def fold(hall, events):
    """The state after a whole log: how the gateway rebuilds itself on start."""
    state = new_state(hall)
    for event in events:
        apply(state, event)
    return state


def execute(state, command, now):
    """decide then apply, for tests and tools that keep no log."""
    events = decide(state, command, now)
    for event in events:
        apply(state, event)
    return events
