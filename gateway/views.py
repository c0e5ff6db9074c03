"""What each device shows, as the view dicts of docs/protocol.md. Pure: state in, dict out.

`seq` is handed in by the adapter, which numbers every view it publishes. `now` matters
only for the pad: a rating request disappears from its view when the timeout passes.
"""
from gateway.engine import rating_open
from protocol import VERSION


def window_view(state, window, seq=0):
    win = state.windows[window]
    current = state.current(window)
    return {"v": VERSION, "kind": "window", "seq": seq, "win": window,
            "ticket": current.no if current else "", "state": win.status, "call": win.calls}


def hall_rows(state):
    """[[ticket, window], ...]: the latest call of each window, newest first."""
    latest = sorted(state.last_calls.items(), key=lambda item: item[1][0], reverse=True)
    return [[state.tickets[tid].no, window] for window, (_, tid) in latest]


def hall_view(state, seq=0, notice=""):
    return {"v": VERSION, "kind": "hall", "seq": seq, "rows": hall_rows(state), "notice": notice}


def pad_view(state, window, now, seq=0):
    current = state.current(window)
    to_rate = rating_open(state, window, now)
    timeout = state.hall.rating_timeout_s
    return {"v": VERSION, "kind": "pad", "seq": seq, "win": window,
            "serving": current.no if current else "", "rate": to_rate.no if to_rate else "",
            "levels": state.hall.rating_levels,
            "timeout": int(timeout) if float(timeout).is_integer() else timeout}


def printer_view(device, seq=0):
    """Key name -> what it issues: a service code, or "green:A" for a green-channel key."""
    return {"v": VERSION, "kind": "printer", "seq": seq, "keys": dict(device.keys)}


def device_view(state, device, now, seq=0):
    """The view of one configured device (gateway.config.Device)."""
    if device.kind == "printer":
        return printer_view(device, seq)
    if device.kind == "pad":
        return pad_view(state, device.window, now, seq)
    if device.shows == "hall":
        return hall_view(state, seq)
    return window_view(state, device.window, seq)


def all_views(state, now):
    """device id -> view (seq 0) for every device of the hall."""
    return {dev_id: device_view(state, dev, now) for dev_id, dev in state.hall.devices.items()}
