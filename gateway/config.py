"""The hall config (TOML) as plain objects, checked field by field.

Every fault raises ConfigError naming the file, the entry ([[window]] #3 ...) and what is wrong,
so whoever edits a hall file learns the fix from the message alone.
"""
import time
import tomllib
from dataclasses import dataclass, field

from protocol import ProtocolError, topics

KINDS = ("printer", "display", "pad")
GREEN = "green:"          # a printer key value "green:A" issues a green-channel ticket for A
MAX_LEVELS = 9            # protocol: a rating level is 1-9


class ConfigError(ValueError):
    """A hall config that cannot be used; the text names file, entry and fault."""


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    time_limit_min: int


@dataclass(frozen=True)
class Window:
    number: int
    services: tuple


@dataclass(frozen=True)
class Device:
    id: str
    kind: str
    board: str
    keys: dict = field(default_factory=dict)   # printers: key name -> "A" or "green:A"
    window: int | None = None                  # displays and pads of one window
    shows: str = ""                            # "hall" for the hall display

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

    def windows_serving(self, code):
        return [w.number for w in self.windows.values() if code in w.services]


def load(path):
    """Read and check a hall file; ConfigError on any fault."""
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as exc:
        raise ConfigError("%s: cannot read hall config: %s" % (path, exc.strerror or exc))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("%s: not valid TOML: %s" % (path, exc))
    return parse(data, str(path))


def parse(data, source="<hall config>"):
    """A decoded TOML document -> Hall."""
    check = _Checker(source)
    check.fields(data, "top level", {"hall", "service", "window", "device"})
    hall = check.table(data, "hall", "top level")
    services = _services(check, check.array(data, "service"))
    windows = _windows(check, check.array(data, "window"), services)
    devices = _devices(check, check.array(data, "device"), services, windows)
    return _hall(check, hall, services, windows, devices)


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


def _hall(check, table, services, windows, devices):
    entry = "[hall]"
    check.fields(table, entry, {"id", "name", "rating_levels", "rating_timeout_s", "utc_offset"})
    levels = check.value(table, "rating_levels", entry, int, 5)
    if not 2 <= levels <= MAX_LEVELS:
        check.fail(entry, "rating_levels must be 2-%d, got %d" % (MAX_LEVELS, levels))
    timeout = check.value(table, "rating_timeout_s", entry, (int, float), 30)
    if timeout <= 0:
        check.fail(entry, "rating_timeout_s must be positive, got %r" % timeout)
    offset = _utc_offset(check, table.get("utc_offset"), entry)
    return Hall(check.name(table, "id", entry), check.text(table, "name", entry), levels, timeout,
                services, windows, devices, offset, check.source)


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
        check.fields(table, entry, {"code", "name", "time_limit_min"})
        code = check.value(table, "code", entry, str)
        if not (1 <= len(code) <= 2 and code.isascii() and code.isalpha() and code.isupper()):
            check.fail(entry, "code must be 1-2 capital letters A-Z, got %r" % code)
        if code in services:
            check.fail(entry, "duplicate service code %r" % code)
        limit = check.value(table, "time_limit_min", entry, int)
        if limit <= 0:
            check.fail(entry, "time_limit_min must be positive, got %d" % limit)
        services[code] = Service(code, check.text(table, "name", entry), limit)
    return services


def _windows(check, tables, services):
    windows = {}
    for n, table in enumerate(tables, 1):
        entry = "[[window]] #%d" % n
        check.fields(table, entry, {"number", "services"})
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
        windows[number] = Window(number, tuple(codes))
    return windows


def _devices(check, tables, services, windows):
    devices = {}
    for n, table in enumerate(tables, 1):
        entry = "[[device]] #%d" % n
        check.fields(table, entry, {"id", "kind", "board", "keys", "window", "shows"})
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
    _only(check, table, entry, "printer", ("window", "shows"))
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
    _only(check, table, entry, "display", ("keys",))
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
    return Device(dev_id, "pad", board, window=_window_of(check, table, entry, windows))


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
