"""The hall's day: which day a moment belongs to, when that day begins and ends, and the
event of a new day starting. The day begins at the hall's `day_starts` local time (default
midnight), taken from the `now` handed in, never from a clock."""
import datetime

DAY_S = 86400


def local_seconds(state, now):
    return now + state.hall.utc_offset_s


def hall_day(state, now):
    """The hall's day ('2026-11-23') at `now`: the local date, shifted so it begins at day_starts."""
    local = local_seconds(state, now) - state.hall.rules.day_starts_min * 60
    return datetime.datetime.fromtimestamp(local, tz=datetime.timezone.utc).date().isoformat()


def day_bounds(state, day):
    """(start, end) of a hall day in seconds since the epoch: a device that knows only the
    time can tell from these whether a lease of numbers is for today."""
    midnight = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.timezone.utc).timestamp()
    start = int(midnight) + state.hall.rules.day_starts_min * 60 - state.hall.utc_offset_s
    return start, start + DAY_S


def minute_of_day(state, now):
    return int(local_seconds(state, now) % DAY_S) // 60


def day_started(state, day, now):
    """The event of `day` starting: every ticket still waiting from an earlier day expires."""
    expired = [tid for line in state.waiting.values() for tid in line if state.tickets[tid].day != day]
    expired += [tid for line in state.directed.values() for tid in line if state.tickets[tid].day != day]
    return {"type": "day_started", "at": now, "day": day, "expired": sorted(expired)}
