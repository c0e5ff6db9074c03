"""The hall config (TOML) as plain objects, checked field by field.

Every fault raises ConfigError naming the file, the entry ([[window]] #3 ...) and what is wrong,
so whoever edits a hall file learns the fix from the message alone.
"""
import datetime
import time
import zoneinfo
from dataclasses import dataclass, field

from gateway import device_text, tomlfile, wording
from gateway.engine import workdays
from protocol import ProtocolError, topics

KINDS = ("printer", "display", "pad")
PROFILES = ("longest", "ordered", "weighted")   # how a window with several services picks
CASE_STATUSES = ("open", "called_back", "resolved")
# the five levels of the national good/bad review scheme, 1 = worst ... 5 = best
NATIONAL_LABELS = ("非常不满意", "不满意", "基本满意", "满意", "非常满意")
DEFAULT_REASONS = ("waited too long", "staff attitude", "matter not solved", "other")
GREEN = "green:"          # a printer key value "green:A" issues a green-channel ticket for A
MAX_LEVELS = 9            # protocol: a rating level is 1-9


class ConfigError(ValueError):
    """A hall config that cannot be used; the text names file, entry and fault."""


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    time_limit_min: int
    hours: tuple = ()           # ((start, end) minutes after local midnight, ...); () = always
    daily_cap: int = 0          # tickets a day; 0 = only the 999 numbers limit

    def hours_text(self):
        return ", ".join("%s-%s" % (_clock(a), _clock(b)) for a, b in self.hours)


@dataclass(frozen=True)
class Window:
    number: int
    services: tuple
    profile: str = "longest"    # longest | ordered | weighted (see engine/calls.py)
    weights: tuple = ()         # one per service, for the weighted profile


@dataclass(frozen=True)
class Rules:
    """The hall's queue and rating rules; every field has the default a hall gets if silent."""
    day_starts_min: int = 0          # numbering restarts at this local time (minutes)
    green_jump: int = -1             # walk-ins a green ticket may pass; -1 = all of them
    recall_max: int = 3              # recalls per call
    rejoin_after: int = 3            # a skipped ticket rejoins behind this many others ...
    rejoin_max: int = 0              # ... at most this many times, then it is void
    starve_after_min: int = 30       # past this wait, a window calls the longest waiting first
    rating_labels: tuple = NATIONAL_LABELS
    low_levels: int = 2              # bad reviews: levels 1..low_levels, each opens a follow-up case
    reasons: tuple = DEFAULT_REASONS
    reason_timeout_s: float = 60.0
    appt_early_min: int = 30         # check-in allowed this early before the booked time
    appt_late_min: int = 10          # later than this after it: a walk-in
    calendar: object = None          # gateway.engine.workdays.Calendar; None = weekdays only

    @property
    def satisfied_from(self):
        """The lowest level that is a good review (national 好差评: 3 of 5, 基本满意)."""
        return self.low_levels + 1

    def satisfied(self, level):
        """A good review; every other counted rating is a bad one and opens a case."""
        return level > self.low_levels


@dataclass(frozen=True)
class Awards:
    """The quarterly red-flag window and service star rule (hall config [awards])."""
    min_ratings: int = 30            # fewer counted ratings: not ranked
    min_satisfaction: float = 0.95   # satisfaction rate at least this
    min_on_time: float = 0.90        # on-time rate at least this
    max_misuse_share: float = 0.10   # flagged presses / (counted + flagged) at most this
    red_flags: int = 1               # windows awarded
    stars: int = 3                   # staff awarded

    def text(self, levels):
        return ("rule: ranked by the lower end of the 95%% Wilson interval of the satisfaction rate "
                "(ratings in the top two of %d levels), then by on-time rate; eligible with at least "
                "%d counted ratings, satisfaction >= %.0f %%, on-time >= %.0f %%, misuse <= %.0f %% of "
                "presses; red flag to the top %d window(s), service star to the top %d staff"
                % (levels, self.min_ratings, 100 * self.min_satisfaction, 100 * self.min_on_time,
                   100 * self.max_misuse_share, self.red_flags, self.stars))


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    board: str
    keys: dict = field(default_factory=dict)   # printers: key name -> "A" or "green:A"
    window: int | None = None                  # displays and pads of one window
    shows: str = ""                            # "hall" for the hall display
    rating_map: tuple = ()                     # pads: hall level of key 1, 2, ...; () = same

    def hall_level(self, pressed):
        """A pad key's level -> the hall's level (a 4-key pad maps onto 5 levels); None if none."""
        if not self.rating_map:
            return pressed
        if 1 <= pressed <= len(self.rating_map):
            return self.rating_map[pressed - 1]
        return None

    def key_target(self, key):
        """Printer key -> (service code, green) or None when the key is not mapped."""
        value = self.keys.get(key)
        if value is None:
            return None
        if value.startswith(GREEN):
            return value[len(GREEN):], True
        return value, False


@dataclass(frozen=True)
class Hall:
    id: str
    name: str
    rating_levels: int
    rating_timeout_s: float
    services: dict          # code -> Service, in file order
    windows: dict           # number -> Window, in file order
    devices: dict           # id -> Device, in file order
    utc_offset_s: int = 0   # the hall's local time offset: decides when ticket numbers reset
    source: str = ""
    rules: Rules = field(default_factory=Rules)
    awards: Awards = field(default_factory=Awards)
    language: str = "en"    # what devices show, print and say (gateway/wording.py)
    status_url: str = ""    # printed as a QR code: {hall}, {no}, {day} are filled in
    notice: str = ""        # shown (scrolling) on the bottom row of the hall display
    time_zone: str = ""     # IANA name ("Asia/Shanghai"); "" = the fixed utc_offset_s

    def windows_serving(self, code):
        return [w.number for w in self.windows.values() if code in w.services]


def load(path):
    """Read and check a hall file; ConfigError on any fault."""
    return parse(tomlfile.read(path, "hall config", ConfigError), str(path))


def parse(data, source="<hall config>"):
    """A decoded TOML document -> Hall."""
    check = _Checker(source)
    check.fields(data, "top level", {"hall", "service", "window", "device", "awards", "calendar"})
    hall = check.table(data, "hall", "top level")
    services = _services(check, check.array(data, "service"))
    windows = _windows(check, check.array(data, "window"), services)
    devices = _devices(check, check.array(data, "device"), services, windows)
    return _hall(check, hall, services, windows, devices, _awards(check, data.get("awards", {})),
                 _calendar(check, data.get("calendar", {})))


class _Checker:
    """Raises ConfigError with the file name in front; small typed getters for TOML values."""

    def __init__(self, source):
        self.source = source

    def fail(self, entry, message):
        raise ConfigError("%s: %s: %s" % (self.source, entry, message))

    def fields(self, table, entry, allowed):
        for name in table:
            if name not in allowed:
                self.fail(entry, "unknown field %r (allowed: %s)" % (name, ", ".join(sorted(allowed))))

    def table(self, data, name, entry):
        value = data.get(name)
        if not isinstance(value, dict):
            self.fail(entry, "missing table [%s]" % name)
        return value

    def array(self, data, name):
        value = data.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail("[[%s]]" % name, "must be an array of tables")
        if not value:
            self.fail("[[%s]]" % name, "at least one entry is needed")
        return value

    def value(self, table, name, entry, kind, default=None):
        if name not in table:
            if default is not None:
                return default
            self.fail(entry, "missing field %r" % name)
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail(entry, "field %r must be %s, got %r" % (name, names, value))
        return value

    def text(self, table, name, entry):
        value = self.value(table, name, entry, str)
        if not value.strip():
            self.fail(entry, "field %r must not be empty" % name)
        return value

    def name(self, table, name, entry):
        value = self.value(table, name, entry, str)
        try:
            return topics.check_name(name, value)
        except ProtocolError as exc:
            self.fail(entry, str(exc))


RULE_FIELDS = {"day_starts", "green_jump", "recall_max", "rejoin_after", "rejoin_max",
               "starve_after_min", "rating_labels", "low_levels", "reasons", "reason_timeout_s",
               "appt_early_min", "appt_late_min", "satisfied_from"}


def _hall(check, table, services, windows, devices, awards, calendar):
    entry = "[hall]"
    check.fields(table, entry, {"id", "name", "rating_levels", "rating_timeout_s", "utc_offset", "time_zone",
                                "language", "status_url", "notice"} | RULE_FIELDS)
    levels = check.value(table, "rating_levels", entry, int, 5)
    if not 2 <= levels <= MAX_LEVELS:
        check.fail(entry, "rating_levels must be 2-%d, got %d" % (MAX_LEVELS, levels))
    timeout = check.value(table, "rating_timeout_s", entry, (int, float), 30)
    if timeout <= 0:
        check.fail(entry, "rating_timeout_s must be positive, got %r" % timeout)
    zone_name = _time_zone(check, table, entry)
    offset = _zone_offset(zone_name) if zone_name else _utc_offset(check, table.get("utc_offset"), entry)
    language = check.value(table, "language", entry, str, "en")
    if language not in wording.LANGUAGES:
        check.fail(entry, "language must be one of %s, got %r" % (", ".join(wording.LANGUAGES), language))
    hall = Hall(check.name(table, "id", entry), check.text(table, "name", entry), levels, timeout,
                services, windows, devices, offset, check.source,
                _rules(check, table, entry, levels, calendar, language), awards,
                language, check.value(table, "status_url", entry, str, ""),
                check.value(table, "notice", entry, str, ""), zone_name)
    try:
        device_text.check_hall(hall)
    except device_text.TextError as exc:
        check.fail(entry, "the hall's devices cannot show every text: %s" % exc)
    return hall


def _count(check, table, name, entry, default, low=0):
    value = check.value(table, name, entry, int, default)
    if value < low:
        check.fail(entry, "%s must be at least %d, got %d" % (name, low, value))
    return value


def _rules(check, table, entry, levels, calendar, language="en"):
    d = Rules()
    jump = table.get("green_jump", "all")
    if jump == "all":
        jump = -1
    elif isinstance(jump, bool) or not isinstance(jump, int) or jump < 0:
        check.fail(entry, "green_jump must be \"all\" or a count >= 0, got %r" % (jump,))
    labels = tuple(check.value(table, "rating_labels", entry, list, list(_default_labels(levels, language))))
    if len(labels) != levels or not all(isinstance(x, str) and x for x in labels):
        check.fail(entry, "rating_labels must be %d names, worst first, got %r" % (levels, labels))
    low = _low_levels(check, table, entry, levels)
    reasons = tuple(check.value(table, "reasons", entry, list, list(wording.default_reasons(language))))
    if not 1 <= len(reasons) <= MAX_LEVELS or not all(isinstance(x, str) and x for x in reasons):
        check.fail(entry, "reasons must be 1-%d names, got %r" % (MAX_LEVELS, reasons))
    reason_timeout = check.value(table, "reason_timeout_s", entry, (int, float), d.reason_timeout_s)
    if reason_timeout <= 0:
        check.fail(entry, "reason_timeout_s must be positive, got %r" % reason_timeout)
    starts = table.get("day_starts", "00:00")
    return Rules(day_starts_min=_clock_minutes(check, starts, entry, "day_starts"), green_jump=jump,
                 recall_max=_count(check, table, "recall_max", entry, d.recall_max),
                 rejoin_after=_count(check, table, "rejoin_after", entry, d.rejoin_after),
                 rejoin_max=_count(check, table, "rejoin_max", entry, d.rejoin_max),
                 starve_after_min=_count(check, table, "starve_after_min", entry, d.starve_after_min),
                 rating_labels=labels, low_levels=low, reasons=reasons, reason_timeout_s=reason_timeout,
                 appt_early_min=_count(check, table, "appt_early_min", entry, d.appt_early_min),
                 appt_late_min=_count(check, table, "appt_late_min", entry, d.appt_late_min),
                 calendar=calendar)


def _low_levels(check, table, entry, levels):
    """Bad reviews are the levels below `satisfied_from` (default: the national scheme, 3 of 5);
    `low_levels` (the count of bad levels) is the older spelling of the same rule."""
    default_low = 2 if levels >= 4 else 1
    low = check.value(table, "low_levels", entry, int, default_low)
    if not 0 <= low < levels:
        check.fail(entry, "low_levels must be 0-%d, got %d" % (levels - 1, low))
    if "satisfied_from" not in table:
        return low
    first = check.value(table, "satisfied_from", entry, int)
    if not 1 <= first <= levels:
        check.fail(entry, "satisfied_from must be a level 1-%d, got %d" % (levels, first))
    if "low_levels" in table and low != first - 1:
        check.fail(entry, "satisfied_from = %d and low_levels = %d disagree: levels below satisfied_from "
                          "are the low (bad) ones; give only satisfied_from" % (first, low))
    return first - 1


def _calendar(check, table):
    """[calendar] holidays = ["2026-10-01", ...], workdays = ["2026-09-27", ...] (make-up days)."""
    entry = "[calendar]"
    if not isinstance(table, dict):
        check.fail(entry, "must be a table")
    check.fields(table, entry, {"holidays", "workdays"})
    lists = {}
    for name in ("holidays", "workdays"):
        values = check.value(table, name, entry, list, [])
        try:
            lists[name] = workdays.parse_days(values)
        except ValueError as exc:
            check.fail(entry, "%s: %s" % (name, exc))
    both = lists["holidays"] & lists["workdays"]
    if both:
        check.fail(entry, "%s listed both as a holiday and as a working day"
                   % ", ".join(d.isoformat() for d in sorted(both)))
    return workdays.Calendar(lists["holidays"], lists["workdays"])


def _default_labels(levels, language="en"):
    if levels == len(NATIONAL_LABELS):
        return NATIONAL_LABELS
    return tuple(("%d级" if language == "zh" else "level %d") % n for n in range(1, levels + 1))


def _awards(check, table):
    entry = "[awards]"
    if not isinstance(table, dict):
        check.fail(entry, "must be a table")
    d = Awards()
    check.fields(table, entry, set(d.__dataclass_fields__))
    shares = {}
    for name in ("min_satisfaction", "min_on_time", "max_misuse_share"):
        value = check.value(table, name, entry, (int, float), getattr(d, name))
        if not 0 <= value <= 1:
            check.fail(entry, "%s must be a share 0-1, got %r" % (name, value))
        shares[name] = float(value)
    return Awards(min_ratings=_count(check, table, "min_ratings", entry, d.min_ratings),
                  red_flags=_count(check, table, "red_flags", entry, d.red_flags),
                  stars=_count(check, table, "stars", entry, d.stars), **shares)


def _clock(minutes):
    return "%02d:%02d" % divmod(minutes, 60)


def _clock_minutes(check, value, entry, name):
    """'08:30' -> 510; '24:00' is allowed as the end of a day."""
    ok = isinstance(value, str) and len(value) == 5 and value[2] == ":"
    ok = ok and value[:2].isdigit() and value[3:].isdigit()
    if not ok or int(value[:2]) > 24 or int(value[3:]) > 59 or (value[:2] == "24" and value[3:] != "00"):
        check.fail(entry, "%s must be a time like '08:30', got %r" % (name, value))
    return int(value[:2]) * 60 + int(value[3:])


def _hours(check, table, entry):
    """hours = ["08:30-12:00", "13:30-17:00"] -> ((510, 720), (810, 1020))."""
    spans = []
    for text in check.value(table, "hours", entry, list, []):
        if not isinstance(text, str) or text.count("-") != 1:
            check.fail(entry, "hours must be spans like '08:30-12:00', got %r" % (text,))
        start, end = (_clock_minutes(check, part.strip(), entry, "hours") for part in text.split("-"))
        if start >= end:
            check.fail(entry, "hours span %r ends before it starts" % text)
        spans.append((start, end))
    return tuple(sorted(spans))


def _time_zone(check, table, entry):
    """time_zone = "Asia/Shanghai" (an IANA name, read with zoneinfo; the tzdata package
    supplies the zones where the system has none) -> the name, checked; absent -> ""."""
    name = table.get("time_zone")
    if name is None:
        return ""
    if "utc_offset" in table:
        check.fail(entry, "give time_zone or utc_offset, not both")
    if not isinstance(name, str) or not name:
        check.fail(entry, "time_zone must be an IANA name like 'Asia/Shanghai', got %r" % (name,))
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        check.fail(entry, "time_zone %r is not a known IANA time zone (like 'Asia/Shanghai' or "
                          "'Europe/Berlin')" % (name,))
    return name


def _zone_offset(name):
    """The zone's offset now: what tools that know only an offset (older scripts) get."""
    return int(datetime.datetime.now(zoneinfo.ZoneInfo(name)).utcoffset().total_seconds())


def _utc_offset(check, value, entry):
    """'+08:00' -> seconds; absent: this machine's local offset (the hall's own clock)."""
    if value is None:
        return time.localtime().tm_gmtoff
    ok = isinstance(value, str) and len(value) == 6 and value[0] in "+-" and value[3] == ":"
    ok = ok and value[1:3].isdigit() and value[4:].isdigit()
    if not ok or int(value[1:3]) > 14 or int(value[4:]) > 59:
        check.fail(entry, "utc_offset must look like '+08:00', got %r" % (value,))
    seconds = int(value[1:3]) * 3600 + int(value[4:]) * 60
    return -seconds if value[0] == "-" else seconds


def _services(check, tables):
    services = {}
    for n, table in enumerate(tables, 1):
        entry = "[[service]] #%d" % n
        check.fields(table, entry, {"code", "name", "time_limit_min", "hours", "daily_cap"})
        code = check.value(table, "code", entry, str)
        if not (1 <= len(code) <= 2 and code.isascii() and code.isalpha() and code.isupper()):
            check.fail(entry, "code must be 1-2 capital letters A-Z, got %r" % code)
        if code in services:
            check.fail(entry, "duplicate service code %r" % code)
        limit = check.value(table, "time_limit_min", entry, int)
        if limit <= 0:
            check.fail(entry, "time_limit_min must be positive, got %d" % limit)
        services[code] = Service(code, check.text(table, "name", entry), limit, _hours(check, table, entry),
                                 _count(check, table, "daily_cap", entry, 0))
    return services


def _windows(check, tables, services):
    windows = {}
    for n, table in enumerate(tables, 1):
        entry = "[[window]] #%d" % n
        check.fields(table, entry, {"number", "services", "profile", "weights"})
        number = check.value(table, "number", entry, int)
        if number <= 0:
            check.fail(entry, "number must be positive, got %d" % number)
        entry = "[[window]] #%d (number %d)" % (n, number)
        if number in windows:
            check.fail(entry, "duplicate window number %d" % number)
        codes = check.value(table, "services", entry, list)
        if not codes:
            check.fail(entry, "services must name at least one service")
        for code in codes:
            if code not in services:
                check.fail(entry, "unknown service %r (known: %s)" % (code, ", ".join(services)))
        if len(set(codes)) != len(codes):
            check.fail(entry, "a service is listed twice in %r" % (codes,))
        profile = check.value(table, "profile", entry, str, "longest")
        if profile not in PROFILES:
            check.fail(entry, "profile must be one of %s, got %r" % (", ".join(PROFILES), profile))
        weights = tuple(check.value(table, "weights", entry, list, []))
        if profile == "weighted" and (len(weights) != len(codes) or not all(
                isinstance(w, int) and not isinstance(w, bool) and w > 0 for w in weights)):
            check.fail(entry, "a weighted profile needs one positive whole weight per service, got %r"
                       % (list(weights),))
        if weights and profile != "weighted":
            check.fail(entry, "weights are only for profile = \"weighted\"")
        windows[number] = Window(number, tuple(codes), profile, weights)
    return windows


def _devices(check, tables, services, windows):
    devices = {}
    for n, table in enumerate(tables, 1):
        entry = "[[device]] #%d" % n
        check.fields(table, entry, {"id", "kind", "board", "keys", "window", "shows", "rating_map"})
        dev_id = check.name(table, "id", entry)
        entry = "[[device]] #%d (%s)" % (n, dev_id)
        if dev_id in devices:
            check.fail(entry, "duplicate device id %r" % dev_id)
        kind = check.value(table, "kind", entry, str)
        if kind not in KINDS:
            check.fail(entry, "kind must be one of %s, got %r" % (", ".join(KINDS), kind))
        board = check.name(table, "board", entry)
        devices[dev_id] = _KIND_PARSERS[kind](check, table, entry, dev_id, board, services, windows)
    return devices


def _printer(check, table, entry, dev_id, board, services, windows):
    _only(check, table, entry, "printer", ("window", "shows", "rating_map"))
    keys = check.value(table, "keys", entry, dict)
    if not keys:
        check.fail(entry, "a printer needs at least one key in 'keys'")
    for key, value in keys.items():
        if len(key) > 16:
            check.fail(entry, "key name %r is longer than 16 characters" % key)
        if not isinstance(value, str):
            check.fail(entry, "key %r must map to a service code, got %r" % (key, value))
        code = value[len(GREEN):] if value.startswith(GREEN) else value
        if code not in services:
            check.fail(entry, "key %r maps to unknown service %r" % (key, code))
    return Device(dev_id, "printer", board, keys=dict(keys))


def _display(check, table, entry, dev_id, board, services, windows):
    _only(check, table, entry, "display", ("keys", "rating_map"))
    shows = check.value(table, "shows", entry, str, "")
    if shows and shows != "hall":
        check.fail(entry, "shows must be \"hall\", got %r" % shows)
    if shows and "window" in table:
        check.fail(entry, "a display shows either the hall or one window, not both")
    if not shows and "window" not in table:
        check.fail(entry, "a display needs a 'window' (or shows = \"hall\")")
    window = None if shows else _window_of(check, table, entry, windows)
    return Device(dev_id, "display", board, window=window, shows=shows)


def _pad(check, table, entry, dev_id, board, services, windows):
    _only(check, table, entry, "pad", ("keys", "shows"))
    if "window" not in table:
        check.fail(entry, "a pad needs a 'window'")
    levels = check.value(table, "rating_map", entry, list, [])
    if levels and not all(isinstance(n, int) and not isinstance(n, bool) and 1 <= n <= MAX_LEVELS
                          for n in levels):
        check.fail(entry, "rating_map must list the hall level (1-%d) of each pad key, got %r"
                   % (MAX_LEVELS, levels))
    return Device(dev_id, "pad", board, window=_window_of(check, table, entry, windows),
                  rating_map=tuple(levels))


def _window_of(check, table, entry, windows):
    number = check.value(table, "window", entry, int)
    if number not in windows:
        check.fail(entry, "window %d is not a [[window]] of this hall" % number)
    return number


def _only(check, table, entry, kind, forbidden):
    for name in forbidden:
        if name in table:
            check.fail(entry, "a %s has no %r" % (kind, name))


_KIND_PARSERS = {"printer": _printer, "display": _display, "pad": _pad}
