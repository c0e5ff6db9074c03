"""Device events -> engine commands, and engine events -> the ack result for the device.

What a key means comes from the hall config, never from the payload: a printer's key maps to
a service through its `keys`, a pad's keys act for the pad's own window only.
"""
from gateway.engine import Refused, commands
from protocol import messages


def press_time(msg, now):
    """Seconds of the press: the device's own time (it may be a resend from an outage), but
    never later than now, since a device clock that runs ahead must not extend a timeout."""
    at_ms = msg.get("at", 0)
    if at_ms <= 0:
        return now
    return min(at_ms / 1000.0, now)


def to_command(device, msg, now):
    """A validated event from `device` (config.Device) -> command; Refused if it means nothing."""
    kind = msg["t"]
    if kind == messages.STATUS:
        return commands.status(device.id, msg["part"], msg["state"])
    if device.kind == "printer":
        return _printer_command(device, msg)
    if device.kind == "pad":
        return _pad_command(device, msg, now)
    raise Refused("a display sends no %s events" % kind)


def _printer_command(device, msg):
    kind = msg["t"]
    if kind == messages.KEY:
        target = device.key_target(msg["key"])
        if target is None:
            raise Refused("key %s is not mapped on %s" % (msg["key"], device.id))
        svc, green = target
        return commands.issue(svc, device.id, green)
    if kind == messages.PRINTED:
        return commands.printed(device.id, msg["ticket"], msg["ok"], msg.get("why", ""))
    raise Refused("a printer sends no %s events" % kind)


def _pad_command(device, msg, now):
    kind = msg["t"]
    if kind == messages.KEY:
        if msg["key"] not in messages.STAFF_KEYS:
            raise Refused("key %s is not a staff key (%s)" % (msg["key"], ", ".join(messages.STAFF_KEYS)))
        return commands.window_action(msg["key"], device.window)
    if kind == messages.RATE:
        return commands.rate(device.window, msg["level"], msg["ticket"], press_time(msg, now), device.id)
    raise Refused("a pad sends no %s events" % kind)


def ticket_result(hall, ev):
    """The ticket as printed: what the printer needs and nothing it must look up."""
    return {"no": ev["no"], "svc": ev["svc"], "name": hall.services[ev["svc"]].name,
            "ahead": ev["ahead"], "wait": list(ev["wait"]), "at": int(ev["at"]),
            "hall": hall.name, "green": ev["green"]}


def ack_result(hall, events):
    """The `res` of the ack for the events one command produced (None when there is nothing)."""
    for ev in events:
        kind = ev["type"]
        if kind == "ticket_issued":
            return {"ticket": ticket_result(hall, ev)}
        if kind in ("ticket_called", "ticket_recalled", "ticket_skipped", "ticket_finished"):
            return {"ticket": ev["no"], "window": ev["window"]}
        if kind == "rating_counted":
            return {"counted": True, "ticket": ev["no"]}
        if kind == "rating_flagged":
            return {"counted": False, "flag": ev["reason"]}
        if kind in ("window_paused", "window_resumed"):
            return {"window": ev["window"], "state": "paused" if kind == "window_paused" else "idle"}
    return None
