# Message shapes and their validation. Each builder returns a plain dict ready for
# codec.encode; each check_* raises ProtocolError naming the first wrong field.
from protocol import ProtocolError

# Device -> gateway event types.
KEY = "key"          # a key was pressed: printer service keys, pad staff keys
RATE = "rate"        # a citizen pressed a rating key on a pad
PRINTED = "printed"  # the printer reports the outcome of a print job
STATUS = "status"    # a device reports a part's condition (paper out, ...)
EVENT_TYPES = (KEY, RATE, PRINTED, STATUS)

# Gateway -> device command names.
CMD_TIME = "time"
CMD_IDENTIFY = "identify"
CMD_REBOOT = "reboot"
CMD_PRINT = "print"
CMD_CONFIG = "config"
COMMANDS = (CMD_TIME, CMD_IDENTIFY, CMD_REBOOT, CMD_PRINT, CMD_CONFIG)

STAFF_KEYS = ("call", "recall", "skip", "finish", "pause", "resume", "transfer")
REASON_KEY_PREFIX = "r"   # pad keys r1..r9: the reason for a low rating, by the hall's list
MAX_ID = 48
MAX_TEXT = 64
MAX_AT_MS = 4102444800000     # 2100-01-01: a device time past it is a broken clock
MAX_LEVEL = 9
MAX_SESSION = 2147483647
MAX_HEAP = 2147483647
RSSI_RANGE = (-128, 127)
# Characters no stored, logged or shown text may hold: controls (a newline forges a log
# line), lone surrogates (not encodable, so not storable), line/paragraph separators and
# bidirectional overrides (they reorder what a reader sees).
UNSAFE_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0x2028, 0x2029),
                  (0x202A, 0x202E), (0x2066, 0x2069))


def _fail(what, name, must):
    raise ProtocolError(what + " field '" + name + "' must " + must)


def _field(msg, name, kind, what):
    if name not in msg:
        raise ProtocolError(what + " lacks field '" + name + "'")
    value = msg[name]
    if kind is int and isinstance(value, bool):
        _fail(what, name, "be int, got bool")
    if not isinstance(value, kind):
        _fail(what, name, "be " + kind.__name__ + ", got " + type(value).__name__)
    return value


def _int(msg, name, what, low, high):
    value = _field(msg, name, int, what)
    if value < low or value > high:   # a 400-digit number stops here, before any float()
        _fail(what, name, "be " + str(low) + "-" + str(high))
    return value


def unsafe_char(text):
    """The first character of `text` that no stored, logged or shown text may hold, or None."""
    for ch in text:
        code = ord(ch)
        for low, high in UNSAFE_RANGES:
            if low <= code <= high:
                return ch
    return None


def _text(msg, name, what, limit=MAX_TEXT, allow_empty=False):
    value = _field(msg, name, str, what)
    if (not value and not allow_empty) or len(value) > limit:
        _fail(what, name, "be " + ("0" if allow_empty else "1") + "-" + str(limit) + " characters")
    bad = unsafe_char(value)
    if bad is not None:
        _fail(what, name, "hold no control character or lone surrogate (U+%04X)" % ord(bad))
    return value


def ascii_digits(text):
    """True for 1 or more of 0-9 only: str.isdigit() also takes '²' and '٣', which int() or a
    printer's code page do not."""
    if not text:
        return False
    for ch in text:
        if ch < "0" or ch > "9":
            return False
    return True


def _ascii_upper(text):
    for ch in text:
        if ch < "A" or ch > "Z":
            return False
    return len(text) > 0


def is_ticket_number(text):
    """A001, BC1234: a service code of 1-2 letters A-Z, then 3-4 digits 0-9."""
    digits = 0
    while digits < len(text) and "0" <= text[len(text) - 1 - digits] <= "9":
        digits += 1
    letters = text[:len(text) - digits]
    return 3 <= digits <= 4 and 1 <= len(letters) <= 2 and _ascii_upper(letters)


def _name(msg, name, what, limit):
    """Key names come from board files: a-z, 0-9, '-' and '_'."""
    value = _text(msg, name, what, limit)
    for ch in value:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch in "-_"):
            _fail(what, name, "be a name of a-z, 0-9, '-' and '_', got " + repr(value))
    return value


def _ticket(msg, name, what, allow_empty=False):
    value = _text(msg, name, what, 6, allow_empty)
    if value and not is_ticket_number(value):
        _fail(what, name, "be a ticket number like A017 (letters A-Z, digits 0-9), got " + repr(value))
    return value


def event_id(msg):
    """The event's id if it can be read back to the device in an ack (a str of 1-MAX_ID
    characters, clean or not), else None. ack() escapes whatever it holds."""
    if not isinstance(msg, dict):
        return None
    value = msg.get("id")
    if isinstance(value, str) and 0 < len(value) <= MAX_ID:
        return value
    return None


# --- device -> gateway -------------------------------------------------------------

def event(event_id, kind, at_ms=0, **fields):
    msg = {"id": event_id, "t": kind, "at": at_ms}
    for name in fields:
        msg[name] = fields[name]
    return msg


_EVENT_FIELDS = ("v", "id", "t", "at")
_TYPE_FIELDS = {KEY: ("key", "code", "to", "offline"), RATE: ("level", "ticket"),
                PRINTED: ("ticket", "ok", "why"), STATUS: ("part", "state")}
_PRESENCE_FIELDS = ("v", "on", "ses", "kind", "fw", "board", "heap", "rssi", "rst", "now")
MAX_PLAIN_INT = 9007199254740991     # 2**53 - 1: what every JSON reader keeps exact


def _extras(msg, known, what):
    """Fields the contract does not name are ignored but may still be hashed or stored, so
    they too must be plain: null, a boolean, a number within +-2**53, or clean short text."""
    for name in msg:
        if name in known:
            continue
        if not isinstance(name, str) or len(name) > 16 or unsafe_char(name) is not None:
            raise ProtocolError(what + " has a field name that is not 1-16 clean characters")
        value = msg[name]
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            if -MAX_PLAIN_INT <= value <= MAX_PLAIN_INT:
                continue
        elif isinstance(value, float):
            if value == value and -MAX_PLAIN_INT <= value <= MAX_PLAIN_INT:   # NaN != NaN
                continue
        elif isinstance(value, str):
            _text(msg, name, what, allow_empty=True)
            continue
        _fail(what, name, "be null, a boolean, a number within +-2**53 or text (a field this "
                          "version does not use)")


def check_event(msg):
    what = "event"
    _text(msg, "id", what, MAX_ID)
    kind = _text(msg, "t", what)
    if kind not in EVENT_TYPES:
        raise ProtocolError("event type " + repr(kind) + " is not one of " + ", ".join(EVENT_TYPES))
    what = kind + " event"
    if "at" in msg:
        _int(msg, "at", what, 0, MAX_AT_MS)
    if kind == KEY:
        _name(msg, "key", what, 16)
        if "code" in msg:          # a booking code typed or scanned at the printer
            _text(msg, "code", what, 16)
        if "to" in msg:            # transfer target: a service code "B" or a window "w3"
            _transfer_target(msg, what)
        if "offline" in msg:       # the number a printer issued from its lease while offline
            _offline_number(msg, what)
    elif kind == RATE:
        _int(msg, "level", what, 1, MAX_LEVEL)
        _ticket(msg, "ticket", what, allow_empty=True)
    elif kind == PRINTED:
        _ticket(msg, "ticket", what)
        _field(msg, "ok", bool, what)
        if "why" in msg:
            _text(msg, "why", what, allow_empty=True)
    elif kind == STATUS:
        _text(msg, "part", what, 16)
        _text(msg, "state", what, 32)
    _extras(msg, _EVENT_FIELDS + _TYPE_FIELDS[kind], what)
    return msg


def _transfer_target(msg, what):
    to = _text(msg, "to", what, 8)
    window = to[:1] == "w" and ascii_digits(to[1:]) and len(to) <= 4
    if not (window or (len(to) <= 2 and _ascii_upper(to))):
        _fail(what, "to", "be a service code like B or a window like w3, got " + repr(to))


def _offline_number(msg, what):
    _ticket(msg, "offline", what)
    if msg.get("at", 0) <= 0:
        raise ProtocolError(what + " with 'offline' needs its press time in 'at'")


def birth(session, kind, firmware, board, heap, rssi, reset_cause):
    return {"on": True, "ses": session, "kind": kind, "fw": firmware, "board": board,
            "heap": heap, "rssi": rssi, "rst": reset_cause}


def will(session):
    return {"on": False, "ses": session}


def check_presence(msg):
    """A device's birth or will, or the gateway's birth; the optional fields are what the
    gateway logs and the registry stores, so they are checked like any text."""
    what = "presence"
    _field(msg, "on", bool, what)
    _int(msg, "ses", what, 0, MAX_SESSION)
    # err/where: the last failure the device contained (firmware runtime/errors.py)
    for name, limit in (("kind", 16), ("fw", 32), ("board", 32), ("rst", 32), ("err", 64), ("where", 64)):
        if name in msg:
            _text(msg, name, what, limit, allow_empty=True)
    if "heap" in msg:
        _int(msg, "heap", what, 0, MAX_HEAP)
    if "rssi" in msg:
        _int(msg, "rssi", what, RSSI_RANGE[0], RSSI_RANGE[1])
    if "now" in msg:
        _int(msg, "now", what, 0, MAX_AT_MS // 1000)
    _extras(msg, _PRESENCE_FIELDS, what)
    return msg


# --- gateway -> device -------------------------------------------------------------

def ack(event_id, ok=True, error="", result=None):
    msg = {"ack": event_id, "ok": ok}
    if error:
        msg["err"] = error
    if result is not None:
        msg["res"] = result
    return msg


def check_ack(msg):
    _text(msg, "ack", "ack", MAX_ID)
    _field(msg, "ok", bool, "ack")
    return msg


def command(name, **fields):
    msg = {"c": name}
    for key in fields:
        msg[key] = fields[key]
    return msg


def check_command(msg):
    name = _text(msg, "c", "command")
    if name not in COMMANDS:
        raise ProtocolError("command " + repr(name) + " is not one of " + ", ".join(COMMANDS))
    if name == CMD_TIME:
        _field(msg, "now", int, "time command")
    elif name == CMD_CONFIG:
        _field(msg, "set", dict, "config command")
    return msg


def gateway_birth(session, now_s):
    return {"on": True, "ses": session, "now": now_s}


def check_view(msg):
    kind = _text(msg, "kind", "view")
    _field(msg, "seq", int, "view")
    if kind not in ("window", "hall", "pad", "printer"):
        raise ProtocolError("view kind " + repr(kind) + " is unknown")
    return msg
