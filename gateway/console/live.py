"""What the supervisor's live hall shows, as plain dicts: every window, every service's line,
the green channel, appointments due, the devices and the alerts. Pure: the gateway's state,
its fleet (device presence) and `now` in, dict out; read it under the gateway's lock and
render it outside (gateway/console/hall.py).
"""
from gateway.engine import days
from gateway.engine.cases import RESOLVED, overdue
from gateway.engine.estimate import wait_range
from gateway.engine.state import GREEN, PAUSED

APPOINTMENTS_AHEAD_S = 30 * 60      # bookings shown from half an hour before their slot
STEP_SHOWN_S = 12 * 3600            # a clock step stays an alert for half a day
FAULTY = ("out", "low", "jam", "error", "fault", "open")   # a part in one of these is an alert


def hall_now(state, fleet, now):
    """Everything on the live hall page at `now` (s since the epoch)."""
    hall = state.hall
    return {"day": state.day or days.current_day(state, now), "at": now, "clock": _clock(hall, now),
            "applied": state.applied,
            "windows": [window_row(state, number, now) for number in sorted(state.windows)],
            "services": [service_row(state, code, now) for code in hall.services],
            "green": green_channel(state, now),
            "appointments": appointments_due(state, now),
            "devices": [device_row(state, fleet, device, now) for device in hall.devices.values()],
            "alerts": alerts(state, fleet, now)}


def window_row(state, number, now):
    win = state.windows[number]
    ticket = state.current(number)
    row = {"number": number, "services": "/".join(win.services), "staff": win.staff or "",
           "paused": win.status == PAUSED, "status": win.status, "ticket": "", "svc": "",
           "since": "", "served_min": 0, "overrun": False}
    if ticket is not None and ticket.called_at is not None:
        limit_s = state.hall.services[ticket.svc].time_limit_min * 60 if ticket.svc in state.hall.services else 0
        row.update(ticket=ticket.no, svc=ticket.svc, since=_clock(state.hall, ticket.called_at),
                   served_min=int((now - ticket.called_at) // 60),
                   overrun=bool(limit_s) and now - ticket.called_at > limit_s)
    return row


def service_row(state, code, now):
    service = state.hall.services[code]
    waiting = [state.tickets[tid] for tid in state.waiting.get(code, ())]
    oldest = min((t.issued_at for t in waiting), default=None)
    low, high = wait_range(state, code, len(waiting))
    return {"code": code, "name": service.name, "waiting": len(waiting),
            "oldest_min": int((now - oldest) // 60) if oldest is not None else None,
            "estimate": "%d-%d" % (low, high), "windows": _open_windows(state, code)}


def _open_windows(state, code):
    return sum(1 for w in state.windows.values() if code in w.services and w.status != PAUSED and w.staff)


def green_channel(state, now):
    """The green-channel tickets waiting (elderly, disabled ...), oldest first."""
    rows = []
    for code, tids in state.waiting.items():
        for tid in tids:
            ticket = state.tickets[tid]
            if ticket.green or ticket.prio == GREEN:
                rows.append({"no": ticket.no, "svc": code, "waited_min": int((now - ticket.issued_at) // 60)})
    return sorted(rows, key=lambda row: -row["waited_min"])


def appointments_due(state, now):
    """Bookings not checked in whose slot is within the next half hour or past (not too late)."""
    late_s = state.hall.rules.appt_late_min * 60
    rows = []
    for booking in state.bookings.values():
        slot = booking["slot"]
        if booking["used"] or not slot - APPOINTMENTS_AHEAD_S <= now <= slot + late_s:
            continue
        rows.append({"code": booking["code"], "svc": booking["svc"], "name": booking.get("name", ""),
                     "slot": _clock(state.hall, slot), "late": now > slot})
    return sorted(rows, key=lambda row: row["slot"])


def device_row(state, fleet, device, now):
    seen = fleet.devices.get(device.id)
    parts = state.parts.get(device.id, {})
    return {"id": device.id, "kind": device.kind, "window": device.window or "",
            "online": bool(seen and seen.online), "paper": parts.get("paper", ""),
            "parts": {part: value for part, value in sorted(parts.items())},
            "fw": seen.fw if seen else "", "heap": seen.heap if seen else None,
            "rssi": seen.rssi if seen else None,
            "last_seen": _clock(state.hall, seen.last_change) if seen and seen.last_change else "",
            "error": ("%s at %s" % (seen.err, seen.where or "?")) if seen and seen.err else ""}


def alerts(state, fleet, now):
    """[{"kind", "what"}]: devices offline, parts out (paper), low ratings today, cases past
    their deadline, a clock step within STEP_SHOWN_S. The words are the page's (kind is a key)."""
    out = []
    for device in state.hall.devices.values():
        seen = fleet.devices.get(device.id)
        if not (seen and seen.online):
            out.append({"kind": "device_offline", "what": device.id,
                        "since": _clock(state.hall, seen.last_change) if seen and seen.last_change else ""})
        for part, condition in sorted(state.parts.get(device.id, {}).items()):
            if str(condition).lower() in FAULTY:
                out.append({"kind": "paper_out" if part == "paper" else "part_fault",
                            "what": "%s: %s %s" % (device.id, part, condition)})
    today = state.day or days.current_day(state, now)
    for case in sorted(state.cases.values(), key=lambda c: c["case"]):
        if case["status"] == RESOLVED:
            continue
        if overdue(state.hall, case, now):
            out.append({"kind": "case_overdue", "what": "#%d %s (window %s)" % (case["case"], case["no"], case["window"])})
        elif days.hall_day(state, case["opened_at"]) == today:
            out.append({"kind": "low_rating", "what": "%s: %d (window %s%s)" % (
                case["no"], case["level"], case["window"], ", " + case["staff"] if case["staff"] else "")})
    step = state.last_clock_step
    if step and now - step["at"] <= STEP_SHOWN_S:
        out.append({"kind": "clock_step", "what": "%+.0f s at %s" % (step["step_s"], _clock(state.hall, step["at"]))})
    return out


def _clock(hall, at):
    return days.local_datetime(hall, at).strftime("%H:%M")
