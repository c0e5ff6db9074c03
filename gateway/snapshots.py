"""Snapshots of the gateway's state: when they are taken, and how the state is rebuilt from
the latest one plus the events logged after it.

The state is one day plus open items (engine.days), so a snapshot is small, and a restart
reads that snapshot and the log's tail, never the whole log: the time to serve again does
not grow with the years in the store. A snapshot is taken at every day boundary and after
every SNAPSHOT_EVERY events. It is used only with the hall file and engine version it was
made with; otherwise (a changed hall file, a new engine) the gateway folds the whole log,
streamed, and takes a new snapshot at once.
"""
import dataclasses
import hashlib
import logging
import time

from gateway.engine import apply, new_state, snapshot
from gateway.engine.days import DAY_STARTED

log = logging.getLogger("hallmesh.gateway")

SNAPSHOT_EVERY = 5000      # events between two snapshots within a day


def hall_key(hall):
    """What the hall file says, as a short digest (where the file lies does not matter)."""
    text = repr(dataclasses.replace(hall, source=""))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


@dataclasses.dataclass
class Rebuilt:
    state: object
    position: int          # every event up to here is in `state`
    from_snapshot: int     # log position of the snapshot used, 0 for none
    tail: int              # events folded after it
    seconds: float


def rebuild(hall, store):
    """The state after every event of the store: latest usable snapshot + the tail."""
    start = time.perf_counter()
    found = store.latest_snapshot(hall_key(hall), snapshot.VERSION)
    if found is not None:
        position, body = found
        state, used = snapshot.load(hall, body), position
    else:
        state, position, used = new_state(hall), 0, 0
    tail = 0
    for position, event in store.iter_events(position):
        apply(state, event)
        tail += 1
    return Rebuilt(state, position, used, tail, time.perf_counter() - start)


def take(store, hall, state, position):
    """Save the state as it is after every event up to `position`."""
    store.save_snapshot(position, hall_key(hall), snapshot.VERSION, state.day, snapshot.dump(state))


class Schedule:
    """Says when the next snapshot is due: at a day boundary, or SNAPSHOT_EVERY events on."""

    def __init__(self, every=SNAPSHOT_EVERY, since=0):
        self.every, self.since = every, since

    def note(self, events):
        """Count applied events; True when a snapshot should be taken now."""
        self.since += len(events)
        return self.since >= self.every or any(ev["type"] == DAY_STARTED for ev in events)

    def taken(self):
        self.since = 0
