"""The state written out as plain JSON-able data and read back: a snapshot. Pure.

A snapshot plus the events logged after it rebuild the same state as folding the whole log
(tests/gateway/test_days_properties.py checks it), so a restart reads one day's worth of data
instead of years. The encoding is generic, so a field added to the state, a ticket or a window
is carried without a change here:
  dataclass (Ticket, WindowState) -> {"@": class name, "f": {field: value}}
  tuple / set / deque             -> {"@t": [...]} / {"@s": [...]} / {"@q": [...], "max": n}
  dict with keys other than text  -> {"@d": [[key, value], ...]}
A field a snapshot lacks gets its default; a field the code no longer has is dropped.
"""
import collections
import dataclasses

from gateway.engine.state import State, Ticket, WindowState

VERSION = 1                       # raise when a field's meaning changes: old snapshots are then ignored
_CLASSES = {cls.__name__: cls for cls in (Ticket, WindowState)}
_SKIP = ("hall",)                 # the hall comes from the hall file, not from the snapshot


def dump(state):
    """The state as JSON-able data (the hall left out)."""
    return {f.name: _encode(getattr(state, f.name)) for f in dataclasses.fields(State) if f.name not in _SKIP}


def load(hall, data):
    """A State for `hall` from dump()'s data."""
    known = {f.name for f in dataclasses.fields(State)} - set(_SKIP)
    return State(hall=hall, **{name: _decode(value) for name, value in data.items() if name in known})


def _encode(value):
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"@": type(value).__name__,
                "f": {f.name: _encode(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if isinstance(value, tuple):
        return {"@t": [_encode(v) for v in value]}
    if isinstance(value, (set, frozenset)):
        return {"@s": sorted(_encode(v) for v in value)}
    if isinstance(value, collections.deque):
        return {"@q": [_encode(v) for v in value], "max": value.maxlen}
    if isinstance(value, dict):
        if all(isinstance(k, str) and not k.startswith("@") for k in value):
            return {k: _encode(v) for k, v in value.items()}
        return {"@d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError("the state holds a %s, which a snapshot cannot keep" % type(value).__name__)


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "@" in value:
        cls = _CLASSES[value["@"]]
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: _decode(v) for k, v in value["f"].items() if k in names})
    if "@t" in value:
        return tuple(_decode(v) for v in value["@t"])
    if "@s" in value:
        return {_decode(v) for v in value["@s"]}
    if "@q" in value:
        return collections.deque((_decode(v) for v in value["@q"]), maxlen=value["max"])
    if "@d" in value:
        return {_decode(k): _decode(v) for k, v in value["@d"]}
    return {k: _decode(v) for k, v in value.items()}
