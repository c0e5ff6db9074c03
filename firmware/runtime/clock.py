# Wall-clock time from the gateway, kept in the board's RTC so that it survives a reset (the
# ESP32's RTC runs on through a soft, watchdog or deep-sleep reset, not through a power cut,
# after which it starts again at 2000-01-01). The board's own ticks wrap around, so the clock
# keeps a base that it moves forward every hour instead of one offset for ever.
# The RTC is read and set as a calendar tuple (no time.time()/mktime: their epoch differs
# between ports), converted here with the civil-calendar day count.
import time

import machine

REBASE_MS = 3600000
TRUSTED_FROM_S = 1704067200       # 2024-01-01: an RTC earlier than this was never set (power cut)


def days_from_civil(y, m, d):
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= 1 if m <= 2 else 0
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m - 3 if m > 2 else m + 9) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def civil_from_days(days):
    """(year, month, day) of a day count since 1970-01-01."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, doy - (153 * mp + 2) // 5 + 1


def rtc_tuple(now_ms):
    """machine.RTC().datetime() tuple: (year, month, day, weekday (Monday 0), h, m, s, us)."""
    secs, ms = now_ms // 1000, now_ms % 1000
    days = secs // 86400
    y, m, d = civil_from_days(days)
    rest = secs % 86400
    return (y, m, d, (days + 3) % 7, rest // 3600, rest // 60 % 60, rest % 60, ms * 1000)


def rtc_ms(value):
    """ms since the epoch of a machine.RTC().datetime() tuple."""
    y, m, d, _, hh, mm, ss, us = value[:8]
    return ((days_from_civil(y, m, d) * 86400) + hh * 3600 + mm * 60 + ss) * 1000 + us // 1000


class Clock:
    def __init__(self):
        self.base_ms = 0          # ms since the epoch at base_ticks; 0 = never set
        self.base_ticks = time.ticks_ms()
        self.rtc = machine.RTC()
        try:
            kept = rtc_ms(self.rtc.datetime())
        except Exception:         # an RTC that cannot be read: wait for the gateway's time
            kept = 0
        if kept >= TRUSTED_FROM_S * 1000:
            self.base_ms = kept   # set before the last reset: the time survived it

    def set(self, now_s):
        self.base_ms = now_s * 1000
        self.base_ticks = time.ticks_ms()
        try:
            self.rtc.datetime(rtc_tuple(self.base_ms))
        except Exception:
            pass                  # the time still runs in RAM; only a reset loses it

    def synced(self):
        return self.base_ms > 0

    def now_ms(self):
        """ms since the epoch, or 0 while the gateway has not told the time yet."""
        if not self.base_ms:
            return 0
        ticks = time.ticks_ms()
        elapsed = time.ticks_diff(ticks, self.base_ticks)
        if elapsed > REBASE_MS:
            self.base_ms += elapsed
            self.base_ticks = ticks
            elapsed = 0
        return self.base_ms + elapsed
