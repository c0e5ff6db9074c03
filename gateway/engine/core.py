"""decide and apply: the two functions the whole engine is reached through.

decide(state, command, now) -> [event]   reads the state, never changes it; Refused if not allowed
apply(state, event) -> state             folds one event in; deterministic, no checks of rules

The caller stores the events first and applies them after, so what is in the log and what is
in memory never differ. `now` is seconds since the epoch, handed in: the engine reads no clock.
"""
from gateway.engine import appointments, calls, changes, devices, leases, ratings, tickets
from gateway.engine.state import Refused, new_state

_MODULES = (tickets, calls, ratings, devices, appointments, leases, changes)
DECIDERS = {}
APPLIERS = {}
for _module in _MODULES:
    DECIDERS.update(_module.DECIDERS)
    APPLIERS.update(_module.APPLIERS)


def decide(state, command, now):
    decider = DECIDERS.get(command.get("type"))
    if decider is None:
        raise Refused("unknown command %r" % (command.get("type"),))
    return decider(state, command, now)


def apply(state, event):
    """Fold one event into the state (in place) and return the state."""
    applier = APPLIERS.get(event["type"])
    if applier is None:
        raise ValueError("unknown event type %r in the log" % (event["type"],))
    changes.make_room(state, event)      # a window or service the hall file no longer has
    applier(state, event)
    state.applied += 1
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
