"""Report periods in the hall's own days: day, month, quarter, year around a date, or any
range of days. A hall day begins at its `day_starts` local time, as ticket numbering does."""
import datetime
from dataclasses import dataclass

from gateway.engine import days as days_of_hall

PERIODS = ("day", "month", "quarter", "year")


@dataclass(frozen=True)
class Period:
    label: str
    start: float        # seconds since the epoch, included
    end: float          # excluded
    kind: str = "range"                  # day, month, quarter, year, range or all
    first: datetime.date | None = None   # the first and last hall day of it
    last: datetime.date | None = None

    def holds(self, at):
        return self.start <= at < self.end


def _day_start(hall, day):
    return days_of_hall.day_start(hall, day)


def local_day(hall, at):
    return datetime.date.fromisoformat(days_of_hall.day_of(hall, at))


def local_hour(hall, at):
    return days_of_hall.local_datetime(hall, at).hour


def days(hall, first, last):
    """From day `first` to day `last`, both included (datetime.date)."""
    if last < first:
        raise ValueError("the period ends (%s) before it starts (%s)" % (last, first))
    label = first.isoformat() if first == last else "%s to %s" % (first, last)
    return Period(label, _day_start(hall, first), _day_start(hall, last + datetime.timedelta(days=1)),
                  "day" if first == last else "range", first, last)


def around(hall, kind, day):
    """The day, month, quarter or year holding `day`."""
    if kind == "day":
        return days(hall, day, day)
    if kind == "month":
        first, months = day.replace(day=1), 1
        label = day.strftime("%Y-%m")
    elif kind == "quarter":
        quarter = (day.month - 1) // 3
        first, months = datetime.date(day.year, 3 * quarter + 1, 1), 3
        label = "%d-Q%d" % (day.year, quarter + 1)
    elif kind == "year":
        first, months = datetime.date(day.year, 1, 1), 12
        label = str(day.year)
    else:
        raise ValueError("period must be one of %s, got %r" % (", ".join(PERIODS), kind))
    month = first.month - 1 + months
    after = datetime.date(first.year + month // 12, month % 12 + 1, 1)
    return Period(label, _day_start(hall, first), _day_start(hall, after), kind, first,
                  after - datetime.timedelta(days=1))


def everything():
    return Period("all of the log", float("-inf"), float("inf"), "all")
