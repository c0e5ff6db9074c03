# What the gateway checks of what devices send: events field by field, a device's presence in
# full, and the id of an event that breaks the contract, to answer it all the same. Apart from
# messages.py because a device never checks its own events: its heap does not carry this.
import json

from protocol import ProtocolError, codec
from protocol.messages import (EVENT_TYPES, KEY, MAX_AT_MS, MAX_ID, MAX_SESSION, MAX_TEXT, PRINTED, RATE,
                               STATUS, fail_field, int_field, text_field, typed_field,
                               unsafe_char)

MAX_LEVEL = 9
MAX_HEAP = 2147483647
RSSI_RANGE = (-128, 127)


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
    value = text_field(msg, name, what, limit)
    for ch in value:
        if not ("a" <= ch <= "z" or "0" <= ch <= "9" or ch in "-_"):
            fail_field(what, name, "be a name of a-z, 0-9, '-' and '_', got " + repr(value))
    return value


def _ticket(msg, name, what, allow_empty=False):
    value = text_field(msg, name, what, 6, allow_empty)
    if value and not is_ticket_number(value):
        fail_field(what, name, "be a ticket number like A017 (letters A-Z, digits 0-9), got " + repr(value))
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
            text_field(msg, name, what, allow_empty=True)
            continue
        fail_field(what, name, "be null, a boolean, a number within +-2**53 or text (a field this "
                          "version does not use)")


def check_event(msg):
    what = "event"
    text_field(msg, "id", what, MAX_ID)
    kind = text_field(msg, "t", what)
    if kind not in EVENT_TYPES:
        raise ProtocolError("event type " + repr(kind) + " is not one of " + ", ".join(EVENT_TYPES))
    what = kind + " event"
    if "at" in msg:
        int_field(msg, "at", what, 0, MAX_AT_MS)
    if kind == KEY:
        _name(msg, "key", what, 16)
        if "code" in msg:          # a booking code typed or scanned at the printer
            text_field(msg, "code", what, 16)
        if "to" in msg:            # transfer target: a service code "B" or a window "w3"
            _transfer_target(msg, what)
        if "offline" in msg:       # the number a printer issued from its lease while offline
            _offline_number(msg, what)
    elif kind == RATE:
        int_field(msg, "level", what, 1, MAX_LEVEL)
        _ticket(msg, "ticket", what, allow_empty=True)
    elif kind == PRINTED:
        _ticket(msg, "ticket", what)
        typed_field(msg, "ok", bool, what)
        if "why" in msg:
            text_field(msg, "why", what, allow_empty=True)
    elif kind == STATUS:
        text_field(msg, "part", what, 16)
        text_field(msg, "state", what, 32)
    _extras(msg, _EVENT_FIELDS + _TYPE_FIELDS[kind], what)
    return msg


def _transfer_target(msg, what):
    to = text_field(msg, "to", what, 8)
    window = to[:1] == "w" and ascii_digits(to[1:]) and len(to) <= 4
    if not (window or (len(to) <= 2 and _ascii_upper(to))):
        fail_field(what, "to", "be a service code like B or a window like w3, got " + repr(to))


def _offline_number(msg, what):
    _ticket(msg, "offline", what)
    if msg.get("at", 0) <= 0:
        raise ProtocolError(what + " with 'offline' needs its press time in 'at'")


def readable_id(payload):
    """The top-level "id" of a payload codec.decode refused (too deep, cut short, the wrong
    version), or None: what the gateway needs to answer the event with a refusal all the same."""
    try:
        token = codec.scan(codec.as_bytes(payload)[:codec.MAX_PAYLOAD], True)[1]
        if token is None:
            return None
        value = json.loads(token.decode())   # one flat JSON string: nothing to recurse into
    except (ValueError, UnicodeError, TypeError):
        return None
    return value if isinstance(value, str) else None


def check_presence(msg):
    """A device's birth or will in full: the optional fields are what the gateway logs and
    the registry stores, so they are checked like any text."""
    what = "presence"
    typed_field(msg, "on", bool, what)
    int_field(msg, "ses", what, 0, MAX_SESSION)
    # err/where: the last failure the device contained (firmware runtime/errors.py)
    for name, limit in (("kind", 16), ("fw", 32), ("board", 32), ("rst", 32), ("err", 64), ("where", 64)):
        if name in msg:
            text_field(msg, name, what, limit, allow_empty=True)
    if "heap" in msg:
        int_field(msg, "heap", what, 0, MAX_HEAP)
    if "rssi" in msg:
        int_field(msg, "rssi", what, RSSI_RANGE[0], RSSI_RANGE[1])
    if "now" in msg:
        int_field(msg, "now", what, 0, MAX_AT_MS // 1000)
    _extras(msg, _PRESENCE_FIELDS, what)
    return msg
