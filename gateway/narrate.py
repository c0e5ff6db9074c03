"""One human line per engine event, for the log a demo audience reads."""


def _issued(hall, ev):
    green = " (green channel)" if ev["green"] else ""
    low, high = ev["wait"]
    return "%s: ticket %s (%s)%s issued, %d ahead, wait %d-%d min" % (
        ev["device"], ev["no"], hall.services[ev["svc"]].name, green, ev["ahead"], low, high)


def _flagged(hall, ev):
    shown = ev["ticket"] or "nothing"
    return "window %d: rating %d/%d flagged %s (pad showed %s), not counted" % (
        ev["window"], ev["level"], hall.rating_levels, ev["reason"], shown)


def _printed(hall, ev):
    if ev["ok"]:
        return "%s: printed %s" % (ev["device"], ev["no"])
    return "%s: printing %s FAILED: %s" % (ev["device"], ev["no"], ev["why"] or "no reason given")


def _day(hall, ev):
    expired = len(ev["expired"])
    if not expired:
        return "new day %s: numbers start again" % ev["day"]
    return "new day %s: numbers start again, %d tickets still waiting from before expired" % (ev["day"], expired)


_LINES = {
    "day_started": _day,
    "ticket_issued": _issued,
    "ticket_called": lambda h, ev: "window %d: calls %s" % (ev["window"], ev["no"]),
    "ticket_recalled": lambda h, ev: "window %d: calls %s again" % (ev["window"], ev["no"]),
    "ticket_skipped": lambda h, ev: "window %d: %s did not come (skipped)" % (ev["window"], ev["no"]),
    "ticket_finished": lambda h, ev: "window %d: %s finished" % (ev["window"], ev["no"]),
    "rating_counted": lambda h, ev: "window %d: %s rated %d/%d" % (
        ev["window"], ev["no"], ev["level"], h.rating_levels),
    "rating_flagged": _flagged,
    "window_paused": lambda h, ev: "window %d: paused" % ev["window"],
    "window_resumed": lambda h, ev: "window %d: open again" % ev["window"],
    "ticket_printed": _printed,
    "device_status": lambda h, ev: "%s: %s %s" % (ev["device"], ev["part"], ev["state"]),
}


def line(hall, ev):
    """The sentence for one event, or None for an event type with nothing to say."""
    describe = _LINES.get(ev["type"])
    return describe(hall, ev) if describe else None
