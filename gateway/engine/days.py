"""The hall's day: which day a moment belongs to, when a day begins and ends, and what
happens at the boundary. All of it from the `now` handed in, never from a clock.

A hall day begins at its `day_starts` local wall time (default midnight) in the hall's time
zone (an IANA name such as "Asia/Shanghai" or "Europe/Berlin", or a fixed UTC offset), so a
day across a daylight-saving change is 23 or 25 hours long.

The current day is the latest day begun (`state.day`), and it only ever moves forward: a
clock stepped back never reopens a closed day or issues its numbers again; commands are
judged within the current day until the clock reaches a later one. At the boundary the day is
closed by the hall's rules: tickets still waiting expire, tickets still at a window end, the
windows are reset (idle, nobody signed in, nothing to rate) and the day's numbers, leases and
per-day figures start again. Nothing of an earlier day stays in the state, so the state holds
one day plus open items however long the hall runs.
"""
import datetime
import functools
import zoneinfo

from gateway.engine import commands
from gateway.engine.state import EXPIRED, IDLE

DAY_STARTED, CLOCK_STEPPED = "day_started", "clock_stepped"
DAY_S = 86400                     # a calendar day; a hall day in a DST zone may be 23 or 25 h
NOT_CALLED, NOT_FINISHED = "not_called", "not_finished"     # why a ticket ended with its day


@functools.lru_cache(maxsize=64)
def zone(name, offset_s):
    """The tzinfo of a hall: the IANA zone `name`, or the fixed `offset_s` when name is ""."""
    if name:
        return zoneinfo.ZoneInfo(name)
    return datetime.timezone(datetime.timedelta(seconds=offset_s))


def hall_zone(hall):
    return zone(getattr(hall, "time_zone", ""), hall.utc_offset_s)


def local_datetime(hall, at):
    """The hall's local wall time at `at` (seconds since the epoch), as an aware datetime."""
    return datetime.datetime.fromtimestamp(at, tz=hall_zone(hall))


def offset_at(hall, at):
    """The hall's UTC offset in seconds at `at` (it changes twice a year in a DST zone)."""
    return int(local_datetime(hall, at).utcoffset().total_seconds())


def day_of(hall, at):
    """The hall day ('2026-11-23') that `at` falls in: the local date, shifted by day_starts."""
    wall = local_datetime(hall, at).replace(tzinfo=None)
    return (wall - datetime.timedelta(minutes=hall.rules.day_starts_min)).date().isoformat()


def day_start(hall, day):
    """Seconds since the epoch at which hall day `day` (a date or 'YYYY-MM-DD') begins."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    wall = datetime.datetime(day.year, day.month, day.day) + datetime.timedelta(minutes=hall.rules.day_starts_min)
    return wall.replace(tzinfo=hall_zone(hall)).timestamp()


def next_day(day):
    return (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()


def day_bounds(state, day):
    """(start, end) of a hall day in whole seconds since the epoch: a device that knows only
    the time can tell from these whether a lease of numbers is for today."""
    return int(day_start(state.hall, day)), int(day_start(state.hall, next_day(day)))


def hall_day(state, now):
    """The day `now` falls in by the clock (which may be behind the current day)."""
    return day_of(state.hall, now)


def minute_of_day(state, now):
    """Minutes after local midnight at `now` (issuing hours are wall-clock hours)."""
    wall = local_datetime(state.hall, now)
    return wall.hour * 60 + wall.minute


def current_day(state, now):
    """The day a command at `now` is judged in: the clock's day, never one before the latest
    day begun."""
    day = hall_day(state, now)
    return day if state.day is None or day > state.day else state.day


def due(state, now):
    """The day that should begin at `now`, or None while the current day still runs."""
    day = hall_day(state, now)
    return day if state.day is None or day > state.day else None


def decide_new_day(state, cmd, now):
    """[day_started] when the clock has reached a day after the current one, else []."""
    day = due(state, now)
    return [day_started(state, day, now)] if day else []


def day_started(state, day, now):
    """The event closing the current day and opening `day` (see the module text)."""
    expired = sorted(tid for lines in (state.waiting, state.directed)
                     for line in lines.values() for tid in line)
    ended = sorted(w.current for w in state.windows.values() if w.current is not None)
    return {"type": DAY_STARTED, "at": now, "day": day, "expired": expired, "ended": ended,
            "reason": NOT_CALLED, "reset": sorted(state.windows), "signed_out": sorted(
                w.number for w in state.windows.values() if w.staff is not None)}


def decide_clock_step(state, cmd, now):
    """The gateway saw its clock jump by `step_s` (either way): kept in the log and the state
    so a technician can see it; the day and the numbering are not touched."""
    return [{"type": CLOCK_STEPPED, "at": now, "step_s": float(cmd["step_s"])}]


def apply_clock_stepped(state, ev):
    state.clock_steps += 1
    state.last_clock_step = {"at": ev["at"], "step_s": ev["step_s"]}


def apply_day_started(state, ev):
    """Close the current day and open the event's day. Logs written before days were closed
    this way carry no "reset": their windows and served tickets go on as they were. A day that
    is not after the current one changes nothing: two writers (the gateway's timer and a
    command-line tool) may both have begun the same day."""
    if state.day is not None and ev["day"] <= state.day:
        return
    state.day = ev["day"]
    state.numbers = {}
    state.by_no = {}
    for svc in list(state.leases):
        state.leases[svc] = [b for b in state.leases[svc] if b["day"] >= ev["day"]]
    gone = set(ev["expired"]) | set(ev.get("ended", ()))
    for tid in gone:
        ticket = state.tickets.get(tid)
        if ticket is not None:
            ticket.status, ticket.ended = EXPIRED, NOT_FINISHED if tid in ev.get("ended", ()) else NOT_CALLED
    for lines in (state.waiting, state.directed):
        for key, line in lines.items():
            lines[key] = [tid for tid in line if tid not in gone]
    for number in ev.get("reset", ()):
        _reset_window(state, number)
    for win in state.windows.values():
        win.svc_calls = {}
        win.flagged = 0
    state.flagged, state.print_failures = [], []
    _forget_closed(state, ev["day"])


def _reset_window(state, number):
    win = state.windows.get(number)
    if win is None:
        return
    win.status, win.current, win.staff = IDLE, None, None
    win.open_rating, win.asking_reason = None, None
    win.finished_by_no = {}
    state.last_calls.pop(number, None)


def _forget_closed(state, day):
    """Drop the tickets of earlier days that nothing open refers to any more: the state holds
    today and open items, the log (and the store's index) keeps the rest."""
    held = {w.current for w in state.windows.values()} | {w.open_rating for w in state.windows.values()}
    held |= {tid for w in state.windows.values() for tid in w.finished_by_no.values()}
    held |= {tid for line in state.waiting.values() for tid in line}
    held |= {tid for line in state.directed.values() for tid in line}
    held |= {tid for _, tid in state.last_calls.values()}
    for tid in [tid for tid, t in state.tickets.items() if t.day < day and tid not in held]:
        del state.tickets[tid]
    for device, owed in state.unprinted.items():
        state.unprinted[device] = [tid for tid in owed if tid in state.tickets]
    start = day_start(state.hall, day)
    for code in [c for c, b in state.bookings.items() if b["slot"] < start]:
        del state.bookings[code]


DECIDERS = {commands.NEW_DAY: decide_new_day, commands.CLOCK_STEP: decide_clock_step}
APPLIERS = {DAY_STARTED: apply_day_started, CLOCK_STEPPED: apply_clock_stepped}
