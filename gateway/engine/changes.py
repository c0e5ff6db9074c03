"""A hall file that changed between restarts: windows, services and devices added, removed,
renumbered or renamed. Pure, like the rest of the engine.

The log outlives every version of the hall file, so folding it must work whatever the file
says now: an event naming a window or service the file no longer has gets a place to land
(make_room). After the fold, `reconcile` compares what the log knows with the hall file in
use and yields one `hall_changed` event that says what changed and ends, with a reason,
every open item that lost its window or service:
  a ticket called at a removed window, or waiting in / called for a removed service: ended
  ("expired", with `ended`);
  a ticket sent to a removed window by a transfer: back in its service's line, by issue time.
Removed windows keep their history (retired_windows) and removed services their last name
(service_names), so reports show them under the names they had.
"""
from collections import deque

from gateway.engine import lines
from gateway.engine.state import CALLED, EXPIRED, HISTORY, IDLE, WAITING, WindowState

HALL_CHANGED = "hall_changed"


def make_room(state, ev):
    """Before an event is folded in: a window or service it names exists in the state. Runs
    for every event of a replay, so the common case is two lookups."""
    number = ev.get("window")
    if number is not None and number not in state.windows:
        _add_window(state, number)
    code = ev.get("svc")
    if code is not None and code not in state.waiting:
        _add_service(state, code)
    if ev["type"] == "ticket_transferred":
        if ev.get("to_window") is not None and ev["to_window"] not in state.windows:
            _add_window(state, ev["to_window"])
        if ev.get("to_svc") is not None and ev["to_svc"] not in state.waiting:
            _add_service(state, ev["to_svc"])


def _add_window(state, number):
    if isinstance(number, int) and not isinstance(number, bool):
        state.windows[number] = state.retired_windows.pop(number, None) or WindowState(number, ())
        state.directed.setdefault(number, [])


def _add_service(state, code):
    if isinstance(code, str):
        state.waiting[code] = []
        state.durations[code] = deque(maxlen=HISTORY)


def structure(hall):
    """What of a hall file the log remembers: windows with their services, service names,
    devices with their kind. JSON-able (window numbers as text keys)."""
    return {"hall": hall.id,
            "windows": {str(n): list(w.services) for n, w in hall.windows.items()},
            "services": {code: svc.name for code, svc in hall.services.items()},
            "devices": {dev.id: dev.kind for dev in hall.devices.values()}}


def reconcile(state, hall, now):
    """[] when the state already stands on `hall`'s structure, else [hall_changed]."""
    new = structure(hall)
    windows_now = {str(n): list(w.services) for n, w in state.windows.items()}
    names_now = {code: state.service_names.get(code) for code in state.waiting}
    removed_windows = sorted(int(n) for n in windows_now if n not in new["windows"])
    removed_services = sorted(code for code in names_now if code not in new["services"])
    # what was added or regrouped is told against the last recorded file (none: a first record)
    recorded = state.hall_record.get("windows", new["windows"])
    added_windows = sorted(int(n) for n in new["windows"] if n not in recorded)
    added_services = sorted(code for code in new["services"]
                            if code not in names_now or (state.hall_record and code not in state.hall_record["services"]))
    regrouped = sorted(int(n) for n in new["windows"] if n in recorded and recorded[n] != new["windows"][n])
    renamed = {code: [names_now[code], name] for code, name in new["services"].items()
               if names_now.get(code) not in (None, name)}
    unnamed = sorted(code for code in new["services"] if code in names_now and names_now[code] is None)
    if not (removed_windows or removed_services or added_windows or added_services or regrouped
            or renamed or unnamed):
        return []
    ended, rejoined = _casualties(state, set(removed_windows), set(removed_services))
    return [dict(new, type=HALL_CHANGED, at=now, removed_windows=removed_windows,
                 removed_services=removed_services, added_windows=added_windows,
                 added_services=added_services, regrouped=regrouped, renamed=renamed,
                 ended=ended, rejoined=rejoined)]


def _casualties(state, gone_windows, gone_services):
    """([[tid, why]] of open tickets that end, [tid] of tickets back in their service's line)."""
    ended, rejoined = [], []
    for ticket in state.tickets.values():
        if ticket.status == CALLED and ticket.window in gone_windows:
            ended.append([ticket.tid, "window %d was removed from the hall file" % ticket.window])
        elif ticket.status in (WAITING, CALLED) and ticket.svc in gone_services:
            ended.append([ticket.tid, "service %s was removed from the hall file" % ticket.svc])
        elif ticket.status == WAITING and ticket.to_window in gone_windows:
            rejoined.append(ticket.tid)
    return ended, rejoined


def apply_hall_changed(state, ev):
    for tid, why in ev["ended"]:
        if tid in state.tickets:          # (a closed day's ticket may have left memory)
            _end(state, state.tickets[tid], why, ev["at"])
    for tid in ev["rejoined"]:
        ticket = state.tickets.get(tid)
        if ticket is None or ticket.status != WAITING:
            continue
        lines.remove(state, ticket)
        ticket.to_window = None
        line = state.waiting[ticket.svc]
        line.insert(lines.place(state, line, ticket.prio, ticket.issued_at), tid)
    for number in ev["removed_windows"]:
        state.retired_windows[number] = state.windows.pop(number)
        state.directed.pop(number, None)
        state.last_calls.pop(number, None)
    for code in ev["removed_services"]:
        state.waiting.pop(code, None)
        state.durations.pop(code, None)
    for text, services in ev["windows"].items():
        number = int(text)
        win = state.windows.get(number) or state.retired_windows.pop(number, None) or WindowState(number, ())
        win.services = tuple(services)
        state.windows[number] = win
        state.directed.setdefault(number, [])
    state.hall_record = {"windows": ev["windows"], "services": ev["services"]}
    for code, name in ev["services"].items():
        state.service_names[code] = name
        state.waiting.setdefault(code, [])
        state.durations.setdefault(code, deque(maxlen=HISTORY))


def _end(state, ticket, why, at):
    if ticket.status == WAITING:
        lines.remove(state, ticket)
    elif ticket.status == CALLED:
        win = state.windows.get(ticket.window)
        if win is not None and win.current == ticket.tid:
            win.status, win.current = IDLE, None
    ticket.status, ticket.ended, ticket.finished_at = EXPIRED, why, at


DECIDERS = {}
APPLIERS = {HALL_CHANGED: apply_hall_changed}
