"""The hall's working days: Monday to Friday, less the listed public holidays, plus the listed
make-up working days (China's 调休: a Saturday or Sunday worked in exchange for a longer
holiday). A follow-up case must be rectified within CASE_WORKING_DAYS of these. Pure: dates
in, dates out; which day `now` is comes from engine.days.
"""
import datetime
from dataclasses import dataclass, field

CASE_WORKING_DAYS = 15       # 好差评: every bad review is called back and rectified within 15 working days
SATURDAY = 5                 # date.weekday(): Monday 0 ... Sunday 6


def parse_days(values):
    """["2026-10-01", ...] -> frozenset of date; ValueError naming the first bad entry."""
    days = set()
    for value in values:
        try:
            days.add(datetime.date.fromisoformat(value))
        except (TypeError, ValueError):
            raise ValueError("%r is not a date like '2026-10-01'" % (value,)) from None
    return frozenset(days)


@dataclass(frozen=True)
class Calendar:
    holidays: frozenset = field(default_factory=frozenset)   # weekdays the hall is closed
    workdays: frozenset = field(default_factory=frozenset)   # weekend days the hall works

    def is_working(self, day):
        if day in self.workdays:
            return True
        return day.weekday() < SATURDAY and day not in self.holidays


WEEKDAYS = Calendar()


def add_working_days(calendar, day, count):
    """The `count`-th working day after `day` (the day itself is not counted, whatever it is)."""
    calendar = calendar or WEEKDAYS
    while count > 0:
        day += datetime.timedelta(days=1)
        if calendar.is_working(day):
            count -= 1
    return day


def case_deadline(calendar, opened_day):
    """The last day to rectify a case opened on `opened_day` ('2026-11-23' or a date)."""
    if isinstance(opened_day, str):
        opened_day = datetime.date.fromisoformat(opened_day)
    return add_working_days(calendar, opened_day, CASE_WORKING_DAYS)
