"""Blocks of ticket numbers leased to printers, and the tickets a printer issues from them
while it cannot reach the gateway (docs/protocol.md, "Offline issuing").

A printer holds, per service, one block of numbers for one hall day. Blocks are cut from the
top of the day's numbers (A990-A999, then A980-A989 ...) while online tickets count up from
A001: the two meet only on a day that nearly runs out of numbers, and online numbering skips
every leased number all the same. A printer gets a new block once it has reported every
number of its block, or when the day changed.

An offline ticket reaches the gateway after the outage, in an event that names its number
and its press time. It joins its line by that press time, as if it had been issued then; it
is refused when its number is not in a block of that printer for that day, was issued
already, or belongs to a day that is over. The number is on paper by then, so no hours, cap
or open window are checked: the citizen holds the ticket whatever the gateway thinks.
"""
from gateway.engine import days, lines
from gateway.engine.estimate import wait_range
from gateway.engine.state import GREEN, WALK_IN, Refused

MAX_NUMBER = 999
LEASE_SIZE = 10
MAX_LEASE = 99
LEASE, ISSUE_OFFLINE = "lease", "issue_offline"


def lease(device, svcs, count=LEASE_SIZE):
    """Make sure `device` holds an unspent block of today's numbers for each service."""
    return {"type": LEASE, "device": device, "svcs": sorted(set(svcs)), "count": count}


def issue_offline(svc, device, no, pressed_at, green=False):
    """The printer issued `no` from its block at `pressed_at` (s since the epoch) while offline."""
    return {"type": ISSUE_OFFLINE, "svc": svc, "device": device, "no": no, "at": pressed_at,
            "green": bool(green)}


# --- what the state holds ----------------------------------------------------------------

def blocks(state, svc, day):
    return [b for b in state.leases.get(svc, ()) if b["day"] == day]


def _holds(block, n):
    return block["first"] <= n < block["first"] + block["count"]


def used(block):
    """How far into the block the printer has got, by the numbers it reported: it issues them
    in order, so the highest reported one says it (a lost flash restarts from there)."""
    return max(block["used"]) - block["first"] + 1 if block["used"] else 0


def current(state, device, svc, day):
    """The device's newest block of the service for the day, or None."""
    mine = [b for b in blocks(state, svc, day) if b["device"] == device]
    return mine[-1] if mine else None


def holds_any(state, device):
    """Whether the device was leased numbers (and so is due new blocks as it spends them)."""
    return any(b["device"] == device for held in state.leases.values() for b in held)


def skip_leased(state, svc, day, n):
    """The first number from n on that no block holds: online tickets never take a leased one."""
    moved = True
    while moved:
        moved = False
        for block in blocks(state, svc, day):
            if _holds(block, n):
                n = block["first"] + block["count"]
                moved = True
    return n


def offline_issued(state, svc, day):
    """Tickets of the service issued offline that day (they count against its daily cap)."""
    return sum(len(b["used"]) for b in blocks(state, svc, day))


def view(state, device, svcs):
    """{svc: lease} for the printer view: the device's newest block per service, with the
    day's bounds in seconds since the epoch (the device has the time, not the hall's zone)."""
    out = {}
    for svc in svcs:
        mine = [b for b in state.leases.get(svc, ()) if b["device"] == device]
        if not mine:
            continue
        block = mine[-1]
        start, end = days.day_bounds(state, block["day"])
        out[svc] = {"day": block["day"], "first": block["first"], "count": block["count"], "prefix": svc,
                    "from": start, "until": end, "used": used(block), "tz": days.offset_at(state.hall, start)}
    return out


# --- leasing -----------------------------------------------------------------------------

def decide_lease(state, cmd, now):
    """A block for each service whose block is missing, spent or of another day; none when
    the day has no room left above its online numbers (the printer then issues only online)."""
    count = cmd.get("count", LEASE_SIZE)
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_LEASE:
        raise Refused("a lease is 1-%d numbers, not %r" % (MAX_LEASE, count))
    day = days.current_day(state, now)
    events = []
    for svc in cmd["svcs"]:
        if svc not in state.hall.services:
            raise Refused("unknown service %r" % (svc,))
        block = current(state, cmd["device"], svc, day)
        if block is not None and used(block) < block["count"]:
            continue
        first = _free_block(state, svc, day, count)
        if first is not None:
            events.append({"type": "numbers_leased", "at": now, "device": cmd["device"], "svc": svc,
                           "day": day, "first": first, "count": count})
    return events


def _free_block(state, svc, day, count):
    lowest = min([b["first"] for b in blocks(state, svc, day)] or [MAX_NUMBER + 1])
    first = lowest - count
    online = state.numbers.get(svc, 0) if state.day == day else 0
    return first if first > online else None


def apply_leased(state, ev):
    forget_before(state, ev["day"])
    state.leases.setdefault(ev["svc"], []).append(
        {"device": ev["device"], "day": ev["day"], "first": ev["first"], "count": ev["count"], "used": set()})


def forget_before(state, day):
    """Blocks of past days are void: their numbers will never be printed again."""
    for svc in list(state.leases):
        state.leases[svc] = [b for b in state.leases[svc] if b["day"] >= day]


# --- offline tickets ---------------------------------------------------------------------

def _number(svc, no):
    digits = no[len(svc):] if no.startswith(svc) else ""
    if len(digits) != 3 or not all("0" <= ch <= "9" for ch in digits):   # not str.isdigit: '²' is one
        raise Refused("%r is not a ticket number of service %s" % (no, svc))
    return int(digits)


def _block_of(state, device, svc, day, number):
    for block in blocks(state, svc, day):
        if block["device"] == device and _holds(block, number):
            return block
    return None


def decide_issue_offline(state, cmd, now):
    """[ticket_issued] for a ticket a printer issued from its block, in the current day."""
    svc, no, device = cmd["svc"], cmd["no"], cmd["device"]
    if svc not in state.hall.services:
        raise Refused("unknown service %r" % (svc,))
    number = _number(svc, no)
    if not cmd["at"] or cmd["at"] <= 0:
        raise Refused("offline ticket %s has no press time (a printer without the time issues none)" % no)
    issued_at = min(cmd["at"], now)          # a device clock ahead must not date it in the future
    today, day = state.day, days.hall_day(state, issued_at)
    if day != today:
        raise Refused("offline ticket %s was issued on %s, a day that is over" % (no, day))
    block = _block_of(state, device, svc, day, number)
    if block is None:
        raise Refused("%s is not in a block of numbers leased to %s for %s" % (no, device, day))
    if number in block["used"]:
        raise Refused("%s was issued already" % no)
    prio = GREEN if cmd["green"] else WALK_IN
    ahead = lines.place(state, state.waiting[svc], prio, issued_at)
    return [{"type": "ticket_issued", "at": issued_at, "tid": state.next_tid, "no": no, "svc": svc,
                   "green": cmd["green"], "device": device, "day": day, "ahead": ahead, "prio": prio,
                   "appt": "", "wait": wait_range(state, svc, ahead), "offline": True, "reported": now}]


def mark_used(state, ev):
    """Folding an offline ticket: its number is spent in its block."""
    number = int(ev["no"][len(ev["svc"]):])
    block = _block_of(state, ev["device"], ev["svc"], ev["day"], number)
    if block is not None:
        block["used"].add(number)


DECIDERS = {LEASE: decide_lease, ISSUE_OFFLINE: decide_issue_offline}
APPLIERS = {"numbers_leased": apply_leased}
