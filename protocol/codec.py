# Bytes <-> messages. JSON because both MicroPython and CPython ship it; payloads are
# bounded so a device never allocates for a message larger than it can hold.
import json

from protocol import VERSION, ProtocolError

MAX_PAYLOAD = 2048


def encode(msg):
    msg["v"] = VERSION
    data = json.dumps(msg).encode()
    if len(data) > MAX_PAYLOAD:
        raise ProtocolError("message of " + str(len(data)) + " bytes exceeds " + str(MAX_PAYLOAD))
    return data


def decode(payload):
    """Payload bytes -> dict with a known version; ProtocolError naming the fault otherwise."""
    if payload is None or len(payload) == 0:
        raise ProtocolError("empty payload")
    if len(payload) > MAX_PAYLOAD:
        raise ProtocolError("payload of " + str(len(payload)) + " bytes exceeds " + str(MAX_PAYLOAD))
    try:
        if isinstance(payload, memoryview):
            payload = bytes(payload)
        text = payload.decode() if isinstance(payload, (bytes, bytearray)) else payload
        msg = json.loads(text)
    except (ValueError, UnicodeError) as exc:
        raise ProtocolError("payload is not UTF-8 JSON: " + str(exc))
    if not isinstance(msg, dict):
        raise ProtocolError("payload must be a JSON object, got " + type(msg).__name__)
    if msg.get("v") != VERSION:
        raise ProtocolError("unsupported protocol version " + repr(msg.get("v")))
    return msg
