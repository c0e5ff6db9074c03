"""What each device shows, as the view dicts of docs/protocol.md. Pure: state in, dict out.

`seq` is handed in by the adapter, which numbers every view it publishes. `now` matters
only for the pad: a rating request disappears from its view when the timeout passes.
"""
from gateway.engine import leases, rating_open
from gateway.engine.cases import reason_open
from protocol import VERSION, topics


def due(state, ticket):
    """When the ticket's service time limit runs out (s since the epoch), 0 if not served:
    the device compares it with its own clock to show an overrun, so no view needs a timer."""
    if ticket is None or ticket.called_at is None:
        return 0
    return int(ticket.called_at + state.hall.services[ticket.svc].time_limit_min * 60)


def window_view(state, window, seq=0):
    win = state.windows[window]
    current = state.current(window)
    view = {"v": VERSION, "kind": "window", "seq": seq, "win": window,
            "ticket": current.no if current else "", "state": win.status, "call": win.calls}
    _optional(view, due=due(state, current), staff=win.staff)
    return view


def _optional(view, **fields):
    """Fields a device needs only sometimes are left out when empty: views stay small."""
    for name, value in fields.items():
        if value:
            view[name] = value


def hall_rows(state):
    """[[ticket, window, calls], ...]: the latest call of each window, newest first; `calls`
    counts the window's calls and recalls, so a recall changes the row and is announced."""
    latest = sorted(state.last_calls.items(), key=lambda item: item[1][0], reverse=True)
    return [[state.tickets[tid].no, window, state.windows[window].calls] for window, (_, tid) in latest]


def hall_view(state, seq=0, notice=None):
    notice = state.hall.notice if notice is None else notice
    return {"v": VERSION, "kind": "hall", "seq": seq, "rows": hall_rows(state), "notice": notice}


def pad_view(state, window, now, seq=0, keys=0):
    """`keys`: how many rating keys the pad has when fewer than the hall's levels (0 = same).
    The rating keys mean one thing at a time, and the view says which: `rate` (a ticket to
    rate), else `reasons` (what r1, r2 ... mean while a bad review waits for its reason), else
    `to` (the services the transfer key offers for the ticket being served)."""
    current = state.current(window)
    to_rate = rating_open(state, window, now)
    timeout = state.hall.rating_timeout_s
    asking = None if to_rate else reason_open(state, window, now)
    keys_free = not to_rate and not asking
    view = {"v": VERSION, "kind": "pad", "seq": seq, "win": window,
            "serving": current.no if current else "", "rate": to_rate.no if to_rate else "",
            "levels": keys or state.hall.rating_levels,
            "timeout": int(timeout) if float(timeout).is_integer() else timeout}
    _optional(view, due=due(state, current), reasons=list(state.hall.rules.reasons) if asking else [],
              paused=state.windows[window].status == "paused",
              to=[code for code in state.hall.services if code != current.svc] if current and keys_free else [])
    return view


def printer_view(device, seq=0, lease=None):
    """Key name -> what it issues: a service code, or "green:A" for a green-channel key;
    `lease`: service -> the block of numbers the printer may issue from while offline."""
    view = {"v": VERSION, "kind": "printer", "seq": seq, "keys": dict(device.keys)}
    _optional(view, lease=lease)
    return view


def printer_services(device):
    """The services a printer's keys issue (a green key issues its service too)."""
    return sorted({device.key_target(key)[0] for key in device.keys})


def device_view(state, device, now, seq=0):
    """The view of one configured device (gateway.config.Device)."""
    if device.kind == "printer":
        return printer_view(device, seq, leases.view(state, device.id, printer_services(device)))
    if device.kind == "pad":
        return pad_view(state, device.window, now, seq, len(device.rating_map))
    if device.shows == "hall":
        return hall_view(state, seq)
    return window_view(state, device.window, seq)


def all_views(state, now):
    """device id -> view (seq 0) for every device of the hall."""
    return {dev_id: device_view(state, dev, now) for dev_id, dev in state.hall.devices.items()}


def device_messages(state, device, now, seq=0):
    """[(topic suffix, body)] the gateway keeps retained for one device: its view, and for a
    printer each service's lease on a topic of its own ("lease/A"), so that no message a
    printer must read grows with the number of its services (docs/protocol.md)."""
    body = device_view(state, device, now, seq)
    leased = body.pop("lease", None) or {}
    out = [(topics.VIEW, body)]
    for svc in sorted(leased):
        out.append((topics.LEASE + "/" + svc, dict(leased[svc], kind="lease", svc=svc)))
    return out
