"""When the demo's morning happens: now, if the hall issues tickets now; else on a simulated
clock set to the hall's next morning, so `hallmesh demo` shows a morning at any time of day.

A morning must also come after everything the store holds already (a reused `--db` after an
earlier demo ran on a simulated clock), so the hall's clock never steps back.
"""
import datetime

from gateway.engine import days

MORNING_MIN = 9 * 60        # 09:00, for a hall whose services have no issuing hours
PLAY_S = 30 * 60            # the morning fits easily in this: every service stays open throughout
SEARCH_DAYS = 14


def opens_min(hall):
    """The local minute at which every service with hours is open: the latest first opening."""
    starts = [svc.hours[0][0] for svc in hall.services.values() if svc.hours]
    return max(starts) if starts else MORNING_MIN


def issuing(hall, at):
    """Every service issues at `at` (s since the epoch) and still does PLAY_S later."""
    for moment in (at, at + PLAY_S):
        local = days.local_datetime(hall, moment)
        minute = local.hour * 60 + local.minute
        for svc in hall.services.values():
            if svc.hours and not any(start <= minute < end for start, end in svc.hours):
                return False
    return True


def hours_text(hall):
    """'Internal medicine 07:30-11:30, 13:30-16:30; Paediatrics ...' (services with hours only)."""
    return "; ".join("%s %s" % (svc.name, svc.hours_text()) for svc in hall.services.values() if svc.hours)


def next_morning(hall, after):
    """The first morning (opens_min local time) later than `after` at which the hall issues."""
    local = days.local_datetime(hall, after)
    minute = opens_min(hall)
    for n in range(SEARCH_DAYS + 1):
        date = local.date() + datetime.timedelta(days=n)
        wall = datetime.datetime(date.year, date.month, date.day, minute // 60, minute % 60)
        at = wall.replace(tzinfo=days.hall_zone(hall)).timestamp()
        if at > after and issuing(hall, at):
            return at
    raise ValueError("%s issues no tickets at %02d:%02d on any day" % (hall.name, minute // 60, minute % 60))


OUTSIDE_HOURS, STORE_AHEAD = "outside_hours", "store_ahead"


def demo_start(hall, now, latest):
    """(start, why): `start` the hall time the morning begins at, `why` None when it is `now`,
    else OUTSIDE_HOURS or STORE_AHEAD. `latest`: the time of the store's latest event (0 if
    none)."""
    if now > latest and issuing(hall, now):
        return now, None
    why = OUTSIDE_HOURS if not issuing(hall, now) else STORE_AHEAD
    return next_morning(hall, max(now, latest)), why
