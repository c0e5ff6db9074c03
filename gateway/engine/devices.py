"""What devices report about themselves: print outcomes and part conditions (paper out ...).

They change no queue rule yet; they are logged so a failed print is never lost silently and
the fleet view can show which printer needs paper. A ticket a printer was given (in an ack
or a print command) stays in `state.unprinted` until that printer reports it on paper: a
reset or UART fault between the ack and the print leaves it there, and the gateway prints it
again when the printer is back, or staff see it listed (hallmesh hall unprinted).
"""
from gateway.engine import commands
from gateway.engine.state import WAITING


def decide_printed(state, cmd, now):
    return [{"type": "ticket_printed", "at": now, "device": cmd["device"], "no": cmd["ticket"],
             "ok": cmd["ok"], "why": cmd.get("why", "")}]


def decide_status(state, cmd, now):
    return [{"type": "device_status", "at": now, "device": cmd["device"], "part": cmd["part"],
             "state": cmd["state"]}]


def awaiting_print(state, ticket, ev):
    """A ticket issued online through a printer is owed to it until reported printed. One
    issued offline is on paper already; one that left its line needs no paper any more."""
    device = state.hall.devices.get(ev["device"])
    if ev.get("offline") or device is None or device.kind != "printer":
        return
    owed = state.unprinted.setdefault(ev["device"], [])
    # what _waiting says, inlined: this runs over the printer's owed list at every issue
    tickets = state.tickets
    owed[:] = [tid for tid in owed if (t := tickets.get(tid)) is not None and t.status == WAITING]
    owed.append(ticket.tid)


def unprinted(state):
    """{printer: [Ticket]} of tickets given to a printer, never reported printed, still waiting."""
    out = {}
    for dev_id in state.unprinted:
        owed = reprints_owed(state, dev_id)
        if owed:
            out[dev_id] = owed
    return out


def apply_printed(state, ev):
    owed = state.unprinted.setdefault(ev["device"], [])
    tid = _latest_tid(state, ev["no"])
    if not ev["ok"]:
        state.print_failures.append((ev["device"], ev["no"], ev["why"]))
        if tid is not None and tid not in owed:
            owed.append(tid)
    elif tid in owed:
        owed.remove(tid)


def _latest_tid(state, no):
    """Today's ticket with this number (numbers repeat from day to day, tids never)."""
    return state.by_no.get(no)


def on_paper(state, device, no):
    """True when today's ticket `no`, acked to `device`, is owed to it no more: reported
    printed there, or out of its line (called, served) so paper is moot. A press the printer
    sends again after a reset is then answered "printed" and not printed twice. Read from
    the log's state, so a gateway restart in between forgets nothing."""
    tid = _latest_tid(state, no)
    return tid is not None and tid in state.tickets and tid not in state.unprinted.get(device, [])


def reprints_owed(state, device):
    """Tickets `device` failed to print, or never reported printed, that still wait in the
    queue, oldest first: the printer prints them again once it can (a ticket no longer
    waiting is not printed again)."""
    return [state.tickets[tid] for tid in state.unprinted.get(device, []) if _waiting(state, tid)]


def _waiting(state, tid):
    """A ticket of a closed day may have left memory (engine.days): it waits no more."""
    ticket = state.tickets.get(tid)
    return ticket is not None and ticket.status == WAITING


def apply_status(state, ev):
    state.parts.setdefault(ev["device"], {})[ev["part"]] = ev["state"]


DECIDERS = {commands.PRINTED: decide_printed, commands.STATUS: decide_status}
APPLIERS = {"ticket_printed": apply_printed, "device_status": apply_status}
