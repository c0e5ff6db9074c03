# Bytes <-> messages. JSON because both MicroPython and CPython ship it; payloads are
# bounded so a device never allocates for a message larger than it can hold, and nesting is
# measured before json.loads recurses into it.
import json
import sys

from protocol import BAD_VERSION, MALFORMED, TOO_DEEP, TOO_LARGE, VERSION, ProtocolError

MAX_PAYLOAD = 2048
# MicroPython's json reads UTF-8 bytes as they are: no str copy of a payload on a device.
# CPython's would also guess UTF-16 or UTF-32, so there it gets text.
_LOADS_BYTES = sys.implementation.name == "micropython"
MAX_DEPTH = 8         # the deepest message of the contract (a view's rows) is 3

_QUOTE, _BACKSLASH, _COMMA = 34, 92, 44
_OPEN = (123, 91)     # { [
_CLOSE = (125, 93)    # } ]


def encode(msg):
    msg["v"] = VERSION
    data = json.dumps(msg).encode()
    if len(data) > MAX_PAYLOAD:
        raise ProtocolError("message of " + str(len(data)) + " bytes exceeds " + str(MAX_PAYLOAD), TOO_LARGE)
    return data


def decode(payload):
    """Payload bytes -> dict with a known version; ProtocolError naming the fault otherwise."""
    if payload is None or len(payload) == 0:
        raise ProtocolError("empty payload", MALFORMED)
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("payload of " + str(len(payload)) + " bytes exceeds " + str(MAX_PAYLOAD), TOO_LARGE)
    data = as_bytes(payload)
    # a payload with few brackets cannot be deep: most messages skip the scan
    if data.count(b"{") + data.count(b"[") > MAX_DEPTH and scan(data)[0] > MAX_DEPTH:
        raise ProtocolError("payload is nested deeper than " + str(MAX_DEPTH) + " levels", TOO_DEEP)
    try:
        msg = json.loads(data if _LOADS_BYTES else data.decode())
    except (ValueError, UnicodeError) as exc:
        raise ProtocolError("payload is not UTF-8 JSON: " + str(exc), MALFORMED)
    if not isinstance(msg, dict):
        raise ProtocolError("payload must be a JSON object, got " + type(msg).__name__, MALFORMED)
    version = msg.get("v")
    if isinstance(version, bool) or version != VERSION:     # True == 1 in Python
        raise ProtocolError("unsupported protocol version " + _short(version), BAD_VERSION)
    return msg


def scan(data, whole=False):
    """(deepest nesting, stopping once past MAX_DEPTH unless `whole`; the raw JSON string that is the value
    of the top-level object's "id", or None). Walks bytes: JSON's structure is ASCII."""
    depth = deepest = 0
    in_object = want_key = False
    key = token = None
    i, n = 0, len(data)
    while i < n:
        c = data[i]
        if c == _QUOTE:
            j = _string_end(data, i)
            if depth == 1:
                if want_key:
                    key, want_key = data[i:j + 1], False
                elif _is_id(key):
                    token = data[i:j + 1]    # the last one, as json.loads keeps the last
            i = j + 1
            continue
        if c in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH and not whole:
                    break
            if depth == 1:
                in_object = want_key = c == 123
        elif c in _CLOSE:
            depth -= 1
        elif c == _COMMA and depth == 1:
            want_key, key = in_object, None
        i += 1
    return deepest, token


def _string_end(data, start):
    """Index of the quote closing the string opened at `start` (len(data) if none)."""
    j = data.find(b'"', start + 1)
    while j > 0:
        k = j - 1
        while k > start and data[k] == _BACKSLASH:
            k -= 1
        if (j - 1 - k) % 2 == 0:      # an even run of backslashes: the quote is not escaped
            return j
        j = data.find(b'"', j + 1)
    return len(data)


def _is_id(key):
    if key is None or len(key) > 32:
        return False
    if key == b'"id"':
        return True
    if b"\\" not in key:
        return False
    try:
        return json.loads(key.decode()) == "id"     # "\u0069d" is "id" as well
    except (ValueError, UnicodeError):
        return False


def as_bytes(payload):
    if isinstance(payload, str):
        return payload.encode()
    if isinstance(payload, (bytearray, memoryview)):
        return bytes(payload)
    return payload


def _short(value):
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
