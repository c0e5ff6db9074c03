"""The hall file meets the store at start: whose store it is, and what a changed file does.

A store belongs to one hall: the hall id (and name) it was first run with are kept in its
meta table, and a hall file of another id is refused with both halls named. A file of the
same hall that changed (engine/changes.py) is reconciled with the log in one `hall_changed`
event; `hallmesh hall check` shows the same plan without writing anything.
"""
import logging

from gateway.engine import apply, changes
from gateway.engine.devices import unprinted
from gateway.store import StoreError

log = logging.getLogger("hallmesh.gateway")


class ForeignStore(StoreError):
    """The store holds another hall's log."""


def check_identity(store, hall):
    """ForeignStore when the store was run with another hall id; None if it is this hall's
    (or new, or from before stores knew their hall: it becomes this hall's at the first start)."""
    owner = store.read_meta("hall_id")
    if owner is None or owner == hall.id:
        return
    name = store.read_meta("hall_name") or "?"
    raise ForeignStore("the store %s belongs to hall %r (%s), but the hall file %s is hall %r (%s): refused, "
                       "so that two halls' queues never mix. Use this hall's own store (--db), or the "
                       "hall file of %r." % (getattr(store, "path", "?"), owner, name, hall.source or "?",
                                             hall.id, hall.name, owner))


def claim(store, hall):
    if store.read_meta("hall_id") != hall.id:
        store.write_meta("hall_id", hall.id)
    if store.read_meta("hall_name") != hall.name:
        store.write_meta("hall_name", hall.name)


def plan(state, hall, now):
    """The events a start with `hall` would append to a store folded into `state`."""
    return changes.reconcile(state, hall, now)


def adopt(store, state, hall, now):
    """At start: refuse a foreign store, then record and apply what the hall file changed.
    Returns the appended events ([] when nothing changed)."""
    check_identity(store, hall)
    events = plan(state, hall, now)
    if events:
        store.append(events)
        for ev in events:
            apply(state, ev)
        for line in describe(state, events[0]):
            log.info("hall file: %s", line)
    claim(store, hall)
    return events


def describe(state, ev):
    """Lines saying what one hall_changed event does, for the log and the dry run."""
    out = []
    for number in ev["removed_windows"]:
        out.append("window %d removed" % number)
    for number in ev["added_windows"]:
        out.append("window %d added (services %s)" % (number, ", ".join(ev["windows"][str(number)])))
    for number in ev["regrouped"]:
        out.append("window %d now serves %s" % (number, ", ".join(ev["windows"][str(number)])))
    for code in ev["removed_services"]:
        out.append("service %s (%s) removed" % (code, state.service_names.get(code) or "unnamed"))
    for code in ev["added_services"]:
        out.append("service %s (%s) added" % (code, ev["services"][code]))
    for code, (old, new) in sorted(ev["renamed"].items()):
        out.append("service %s renamed: %s -> %s" % (code, old, new))
    for tid, why in ev["ended"]:
        ticket = state.tickets[tid]
        out.append("ticket %s of %s ends: %s" % (ticket.no, ticket.day, why))
    for tid in ev["rejoined"]:
        ticket = state.tickets[tid]
        out.append("ticket %s, sent to a removed window, goes back to the line of service %s"
                   % (ticket.no, ticket.svc))
    return out


def dry_run(store, state, hall, now):
    """(exit code, lines): what starting the gateway with `hall` on this store would do."""
    try:
        check_identity(store, hall)
    except ForeignStore as exc:
        return 2, ["REFUSED: %s" % exc]
    events = plan(state, hall, now)
    owner = store.read_meta("hall_id")
    out = ["store %s: hall %s, %d events" % (getattr(store, "path", "?"), owner or "(not yet recorded)",
                                             store.log_position())]
    if not events:
        out.append("the hall file changes nothing the store knows")
    else:
        out += ["on the next start: " + line for line in describe(state, events[0])]
    out += _device_notes(state, hall)
    return 0, out


def _device_notes(state, hall):
    """Devices the store heard of that the file no longer has, and unprinted tickets."""
    out = []
    for dev_id, tickets in sorted(unprinted(state).items()):
        where = "" if dev_id in hall.devices else " (no longer in the hall file)"
        for ticket in tickets:
            out.append("ticket %s (%s) acknowledged to %s%s was never reported printed"
                       % (ticket.no, ticket.day, dev_id, where))
    return out
