"""One human line per engine event, for the log a demo audience reads, in the hall's language
(the English lines below, the Chinese ones in narrate_zh.py)."""
from gateway import narrate_zh


def _issued(hall, ev):
    green = " (green channel)" if ev["green"] else ""
    low, high = ev["wait"]
    return "%s: ticket %s (%s)%s issued, %d ahead, wait %d-%d min" % (
        ev["device"], ev["no"], hall.services[ev["svc"]].name, green, ev["ahead"], low, high)


def _flagged(hall, ev):
    shown = ev["ticket"] or "nothing"
    return "window %d: rating %d/%d flagged %s (pad showed %s), not counted" % (
        ev["window"], ev["level"], hall.rating_levels, ev["reason"], shown)


def _skipped(hall, ev):
    back = ", rejoins the line" if ev.get("rejoin") else ""
    return "window %d: %s did not come (skipped%s)" % (ev["window"], ev["no"], back)


def _transferred(hall, ev):
    where = "window %d" % ev["to_window"] if ev["to_window"] is not None else "service %s" % ev["to_svc"]
    return "window %d: %s transferred to %s" % (ev["window"], ev["no"], where)


def _finished(hall, ev):
    late = "" if ev.get("on_time", True) else " (over the time limit)"
    return "window %d: %s finished%s" % (ev["window"], ev["no"], late)


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
    "ticket_skipped": _skipped,
    "ticket_finished": _finished,
    "ticket_transferred": _transferred,
    "ticket_prioritised": lambda h, ev: "%s moved to the green channel" % ev["no"],
    "staff_signed_in": lambda h, ev: "window %d: %s signed in" % (ev["window"], ev["staff"]),
    "staff_signed_out": lambda h, ev: "window %d: %s signed out" % (ev["window"], ev["staff"]),
    "case_opened": lambda h, ev: "window %d: low rating for %s, follow-up case %d opened" % (
        ev["window"], ev["no"], ev["case"]),
    "case_reason": lambda h, ev: "case %d: reason %s" % (ev["case"], ev["reason"]),
    "case_reason_ended": lambda h, ev: "case %d: no reason given (window %d called its next ticket)" % (
        ev["case"], ev["window"]),
    "case_updated": lambda h, ev: "case %d: %s" % (ev["case"], ev["status"]),
    "appointment_booked": lambda h, ev: "booking %s for service %s" % (ev["code"], ev["svc"]),
    "rating_counted": lambda h, ev: "window %d: %s rated %d/%d" % (
        ev["window"], ev["no"], ev["level"], h.rating_levels),
    "rating_flagged": _flagged,
    "window_paused": lambda h, ev: "window %d: paused" % ev["window"],
    "window_resumed": lambda h, ev: "window %d: open again" % ev["window"],
    "ticket_printed": _printed,
    "device_status": lambda h, ev: "%s: %s %s" % (ev["device"], ev["part"], ev["state"]),
}


_BY_LANGUAGE = {"en": _LINES, "zh": narrate_zh.LINES}


def line(hall, ev):
    """The sentence for one event, or None for an event type with nothing to say."""
    describe = _BY_LANGUAGE.get(hall.language, _LINES).get(ev["type"])
    return describe(hall, ev) if describe else None
