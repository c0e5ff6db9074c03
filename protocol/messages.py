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


def _field(msg, name, kind, what):
    if name not in msg:
        raise ProtocolError(what + " lacks field '" + name + "'")
    value = msg[name]
    if kind is int and isinstance(value, bool):
        raise ProtocolError(what + " field '" + name + "' must be int, got bool")
    if not isinstance(value, kind):
        raise ProtocolError(what + " field '" + name + "' must be " + kind.__name__ + ", got " + type(value).__name__)
    return value


def _text(msg, name, what, limit=MAX_TEXT, allow_empty=False):
    value = _field(msg, name, str, what)
    if (not value and not allow_empty) or len(value) > limit:
        raise ProtocolError(what + " field '" + name + "' must be 1-" + str(limit) + " characters")
    return value


# --- device -> gateway -------------------------------------------------------------

def event(event_id, kind, at_ms=0, **fields):
    msg = {"id": event_id, "t": kind, "at": at_ms}
    for name in fields:
        msg[name] = fields[name]
    return msg


def check_event(msg):
    what = "event"
    _text(msg, "id", what, MAX_ID)
    kind = _text(msg, "t", what)
    if kind not in EVENT_TYPES:
        raise ProtocolError("event type " + repr(kind) + " is not one of " + ", ".join(EVENT_TYPES))
    what = kind + " event"
    if "at" in msg:
        at = _field(msg, "at", int, what)
        if at < 0:
            raise ProtocolError(what + " field 'at' must not be negative")
    if kind == KEY:
        _text(msg, "key", what, 16)
        if "code" in msg:          # a booking code typed or scanned at the printer
            _text(msg, "code", what, 16)
        if "to" in msg:            # transfer target: a service code "B" or a window "w3"
            _text(msg, "to", what, 8)
        if "offline" in msg:       # the number a printer issued from its lease while offline
            _offline_number(msg, what)
    elif kind == RATE:
        level = _field(msg, "level", int, what)
        if level < 1 or level > 9:
            raise ProtocolError(what + " field 'level' must be 1-9, got " + str(level))
        _text(msg, "ticket", what, 16, allow_empty=True)
    elif kind == PRINTED:
        _text(msg, "ticket", what, 16)
        _field(msg, "ok", bool, what)
    elif kind == STATUS:
        _text(msg, "part", what, 16)
        _text(msg, "state", what, 32)
    return msg


def _offline_number(msg, what):
    no = _text(msg, "offline", what, 8)
    if len(no) < 4 or not no[-3:].isdigit() or not no[:-3].isalpha():
        raise ProtocolError(what + " field 'offline' must be a ticket number like A017, got " + repr(no))
    if msg.get("at", 0) <= 0:
        raise ProtocolError(what + " with 'offline' needs its press time in 'at'")


def birth(session, kind, firmware, board, heap, rssi, reset_cause):
    return {"on": True, "ses": session, "kind": kind, "fw": firmware, "board": board,
            "heap": heap, "rssi": rssi, "rst": reset_cause}


def will(session):
    return {"on": False, "ses": session}


def check_presence(msg):
    _field(msg, "on", bool, "presence")
    session = _field(msg, "ses", int, "presence")
    if session < 0:
        raise ProtocolError("presence field 'ses' must not be negative")
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
