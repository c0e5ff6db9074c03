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
MAX_SESSION = 2147483647
# Characters no stored, logged or shown text may hold: controls (a newline forges a log
# line), lone surrogates (not encodable, so not storable), line/paragraph separators and
# bidirectional overrides (they reorder what a reader sees).
UNSAFE_RANGES = ((0x00, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF), (0x2028, 0x2029),
                  (0x202A, 0x202E), (0x2066, 0x2069))


def fail_field(what, name, must):
    raise ProtocolError(what + " field '" + name + "' must " + must)


def typed_field(msg, name, kind, what):
    if name not in msg:
        raise ProtocolError(what + " lacks field '" + name + "'")
    value = msg[name]
    if kind is int and isinstance(value, bool):
        fail_field(what, name, "be int, got bool")
    if not isinstance(value, kind):
        fail_field(what, name, "be " + kind.__name__ + ", got " + type(value).__name__)
    return value


def int_field(msg, name, what, low, high):
    value = typed_field(msg, name, int, what)
    if value < low or value > high:   # a 400-digit number stops here, before any float()
        fail_field(what, name, "be " + str(low) + "-" + str(high))
    return value


def unsafe_char(text):
    """The first character of `text` that no stored, logged or shown text may hold, or None."""
    for ch in text:
        code = ord(ch)
        for low, high in UNSAFE_RANGES:
            if low <= code <= high:
                return ch
    return None


def text_field(msg, name, what, limit=MAX_TEXT, allow_empty=False):
    value = typed_field(msg, name, str, what)
    if (not value and not allow_empty) or len(value) > limit:
        fail_field(what, name, "be " + ("0" if allow_empty else "1") + "-" + str(limit) + " characters")
    bad = unsafe_char(value)
    if bad is not None:
        fail_field(what, name, "hold no control character or lone surrogate (U+%04X)" % ord(bad))
    return value


# --- device -> gateway -------------------------------------------------------------

def event(event_id, kind, at_ms=0, **fields):
    msg = {"id": event_id, "t": kind, "at": at_ms}
    for name in fields:
        msg[name] = fields[name]
    return msg


def birth(session, kind, firmware, board, heap, rssi, reset_cause):
    return {"on": True, "ses": session, "kind": kind, "fw": firmware, "board": board,
            "heap": heap, "rssi": rssi, "rst": reset_cause}


def will(session):
    return {"on": False, "ses": session}


def check_presence(msg):
    """Presence as a device reads it: the gateway's birth or will. The gateway checks a
    device's birth in full (protocol/events.py)."""
    typed_field(msg, "on", bool, "presence")
    int_field(msg, "ses", "presence", 0, MAX_SESSION)
    if "now" in msg:
        int_field(msg, "now", "presence", 0, MAX_AT_MS // 1000)
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
    text_field(msg, "ack", "ack", MAX_ID)
    typed_field(msg, "ok", bool, "ack")
    return msg


def command(name, **fields):
    msg = {"c": name}
    for key in fields:
        msg[key] = fields[key]
    return msg


def check_command(msg):
    name = text_field(msg, "c", "command")
    if name not in COMMANDS:
        raise ProtocolError("command " + repr(name) + " is not one of " + ", ".join(COMMANDS))
    if name == CMD_TIME:
        typed_field(msg, "now", int, "time command")
    elif name == CMD_CONFIG:
        typed_field(msg, "set", dict, "config command")
    return msg


def gateway_birth(session, now_s):
    return {"on": True, "ses": session, "now": now_s}


def check_view(msg):
    kind = text_field(msg, "kind", "view")
    typed_field(msg, "seq", int, "view")
    if kind not in ("window", "hall", "pad", "printer"):
        raise ProtocolError("view kind " + repr(kind) + " is unknown")
    return msg
