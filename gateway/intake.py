"""Device events -> engine commands, and engine events -> the ack result for the device.

What a key means comes from the hall config, never from the payload: a printer's key maps to
a service through its `keys`, a pad's keys act for the pad's own window only.
"""
from gateway.engine import Refused, commands, leases
from protocol import events, messages


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
        return _printer_command(device, msg, now)
    if device.kind == "pad":
        return _pad_command(device, msg, now)
    raise Refused("a display sends no %s events" % kind)


def _printer_command(device, msg, now):
    kind = msg["t"]
    if kind == messages.KEY and msg.get("code"):
        return commands.check_in(msg["code"], device.id)
    if kind == messages.KEY:
        target = device.key_target(msg["key"])
        if target is None:
            raise Refused("key %s is not mapped on %s" % (msg["key"], device.id))
        svc, green = target
        if msg.get("offline"):     # printed from the printer's lease while it was offline
            return leases.issue_offline(svc, device.id, msg["offline"], press_time(msg, now), green)
        return commands.issue(svc, device.id, green)
    if kind == messages.PRINTED:
        return commands.printed(device.id, msg["ticket"], msg["ok"], msg.get("why", ""))
    raise Refused("a printer sends no %s events" % kind)


def _pad_command(device, msg, now):
    kind = msg["t"]
    if kind == messages.KEY:
        key = msg["key"]
        if _is_reason_key(key):
            return commands.reason(device.window, int(key[1:]), device.id)
        if key == "transfer":
            return _transfer(device, msg)
        if key not in messages.STAFF_KEYS:
            raise Refused("key %s is not a staff key (%s)" % (key, ", ".join(messages.STAFF_KEYS)))
        return commands.window_action(key, device.window)
    if kind == messages.RATE:
        level = device.hall_level(msg["level"])
        if level is None:
            raise Refused("rating key %d is not mapped on %s" % (msg["level"], device.id))
        return commands.rate(device.window, level, msg["ticket"], press_time(msg, now), device.id)
    raise Refused("a pad sends no %s events" % kind)


def _is_reason_key(key):
    prefix = messages.REASON_KEY_PREFIX
    return key.startswith(prefix) and events.ascii_digits(key[len(prefix):]) and len(key) == len(prefix) + 1


def _transfer(device, msg):
    """`to` is a service code ("B") or a window ("w3")."""
    target = msg.get("to", "")
    if target[:1] == "w" and events.ascii_digits(target[1:]):
        return commands.transfer(device.window, to_window=int(target[1:]))
    if target:
        return commands.transfer(device.window, to_svc=target)
    raise Refused("transfer needs 'to': a service code like B or a window like w3")


def ticket_result(hall, ev):
    """The ticket as printed: what the printer needs and nothing it must look up.
    `appt` (booking code) and `late` are there only for a checked-in appointment."""
    result = {"no": ev["no"], "svc": ev["svc"], "name": hall.services[ev["svc"]].name,
              "ahead": ev["ahead"], "wait": list(ev["wait"]), "at": int(ev["at"]),
              "hall": hall.name, "green": ev["green"]}
    if ev.get("appt"):
        result["appt"] = ev["appt"]
        result["late"] = bool(ev.get("late"))
    return result


_TICKET_AT_WINDOW = ("ticket_called", "ticket_recalled", "ticket_skipped", "ticket_finished",
                     "ticket_transferred")


def ack_result(hall, events):
    """The `res` of the ack for the events one command produced (None when there is nothing)."""
    for n, ev in enumerate(events):
        kind = ev["type"]
        if kind == "ticket_issued":
            return {"ticket": ticket_result(hall, ev)}
        if kind in _TICKET_AT_WINDOW:
            return {"ticket": ev["no"], "window": ev["window"]}
        if kind == "rating_counted":
            res = {"counted": True, "ticket": ev["no"]}
            opened = [e for e in events[n + 1:] if e["type"] == "case_opened"]
            if opened:   # a low rating: the pad now asks for a reason
                res["case"] = opened[0]["case"]
                res["reasons"] = list(hall.rules.reasons)
            return res
        if kind == "case_reason":
            return {"case": ev["case"], "reason": ev["reason"]}
        if kind in ("staff_signed_in", "staff_signed_out"):
            return {"window": ev["window"], "staff": ev["staff"]}
        if kind == "rating_flagged":
            return {"counted": False, "flag": ev["reason"]}
        if kind in ("window_paused", "window_resumed"):
            return {"window": ev["window"], "state": "paused" if kind == "window_paused" else "idle"}
    return None
