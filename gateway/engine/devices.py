"""What devices report about themselves: print outcomes and part conditions (paper out ...).

They change no queue rule yet; they are logged so a failed print is never lost silently and
the fleet view can show which printer needs paper.
"""
from gateway.engine import commands


def decide_printed(state, cmd, now):
    return [{"type": "ticket_printed", "at": now, "device": cmd["device"], "no": cmd["ticket"],
             "ok": cmd["ok"], "why": cmd.get("why", "")}]


def decide_status(state, cmd, now):
    return [{"type": "device_status", "at": now, "device": cmd["device"], "part": cmd["part"],
             "state": cmd["state"]}]


def apply_printed(state, ev):
    if not ev["ok"]:
        state.print_failures.append((ev["device"], ev["no"], ev["why"]))


def apply_status(state, ev):
    state.parts.setdefault(ev["device"], {})[ev["part"]] = ev["state"]


DECIDERS = {commands.PRINTED: decide_printed, commands.STATUS: decide_status}
APPLIERS = {"ticket_printed": apply_printed, "device_status": apply_status}
