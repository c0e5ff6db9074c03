"""Mutational fuzzing of the gateway's inbound side, shared by the suite (a few thousand
payloads) and bench/fuzz_bench.py (a million).

Seeds are valid messages of every device topic and message type; mutations are the classes
of issue 11 and their neighbours: deep nesting, numbers of hundreds of digits, non-ASCII
digits in keys and ticket numbers, lone surrogates and control characters, wrong types and
versions (`true`), cut-short and bit-flipped bytes, oversized payloads, odd topics.

`FuzzRig` drives a gateway Service with a real SQLite store the way the MQTT adapter does
(one message, then a refresh of the views) and checks, message by message, that every event
whose id can be read was answered, and at the end that the store is whole.
"""
import collections
import json
import random
import sqlite3
import sys

from gateway.engine import fold
from gateway.service import Service
from gateway.store import open_store
from protocol import codec, messages

HALL = "testhall"
FUZZED = ("printer-1", "pad-1", "display-1", "hall-display", "printer-9")   # printer-9: not in the hall
UNTOUCHED_PAD, UNTOUCHED_DISPLAY = "pad-2", "display-2"                      # never fuzzed: the control
MAX_ID = messages.MAX_ID


def _deep(depth, leaf=0):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


HOSTILE_VALUES = [
    10 ** 400, -10 ** 400, -1, 0, 2 ** 63, 2 ** 64 + 1, 1e308, 1.5, float("nan"), float("inf"),
    True, False, None, "", "5", "x" * 70, "x" * 3000, "A01\u00b2", "r\u00b2", "w\u00b2", "\u0663",
    "A\u0661\u0662\u0663", "\uff21\uff10\uff10\uff11", "k\u2460", "\ud800", "a\udfffb", "ok\nwindow 5: calls Z999",
    "\r\n", "\x00", "\x1b[2J", "\u202eevil", "\u2028", "\u0085", "缺纸", [], {}, [1, 2], {"id": "inner"},
    _deep(12), _deep(700), "A990", "BC1234", "w2", "B",
]
HOSTILE_IDS = ["", "x" * (MAX_ID + 1), "x" * MAX_ID, "p-\ud800", "p-\n-forged", "p-\u202e", 7, None, True,
               ["p-1"], "\u00b2\u00b3", "缺纸-1"]


def seeds(rng, dev, n):
    """A valid message of a random type for `dev` (its id unique by `n`)."""
    ident = "%s-f-%d" % (dev, n)
    at = rng.choice([0, 1795420800000, 1795420800000 + rng.randrange(10 ** 6)])
    choice = rng.randrange(12)
    if choice == 0:
        return "state", messages.birth(rng.randrange(50), "printer", "0.3.0", "hm-printer-v1",
                                       rng.randrange(70000), -rng.randrange(90), "power")
    if choice == 1:
        return "state", messages.will(rng.randrange(50))
    if choice == 2:
        return "evt", messages.event(ident, "status", at, part="paper", state=rng.choice(["out", "ok"]))
    if choice == 3:
        return "evt", messages.event(ident, "printed", at, ticket="A%03d" % rng.randrange(1, 30),
                                     ok=rng.random() < 0.5, why="paper out")
    if choice == 4:
        return "evt", messages.event(ident, "rate", at, level=rng.randrange(1, 6),
                                     ticket=rng.choice(["", "A001", "A002"]))
    if choice == 5:
        return "evt", messages.event(ident, "key", 1795420800000, key=rng.choice(["k1", "k2", "k3"]),
                                     offline="A99%d" % rng.randrange(10))
    if choice == 6:
        return "evt", messages.event(ident, "key", at, key="scan", code=rng.choice(["X7K2", "NOPE"]))
    if choice == 7:
        return "evt", messages.event(ident, "key", at, key="transfer", to=rng.choice(["B", "C", "w1", "w2"]))
    if choice == 8:
        return "evt", messages.event(ident, "key", at, key="r%d" % rng.randrange(1, 6))
    key = rng.choice(["k1", "k2", "k3", "k4", "k9"] + list(messages.STAFF_KEYS))
    return "evt", messages.event(ident, "key", at, key=key)


def _mutate_fields(rng, msg):
    action = rng.randrange(6)
    names = list(msg)
    if action == 0 and names:
        msg[rng.choice(names)] = rng.choice(HOSTILE_VALUES)
    elif action == 1 and names:
        del msg[rng.choice(names)]
    elif action == 2:
        msg[rng.choice(["x", "why", "code", "to", "offline", "heap", "rssi", "fw", "level", "ticket"])] = \
            rng.choice(HOSTILE_VALUES)
    elif action == 3:
        msg["v"] = rng.choice([2, True, "1", None, 1.0, 0, -1, 10 ** 400])
    elif action == 4:
        msg["id"] = rng.choice(HOSTILE_IDS)
    else:
        msg["t"] = rng.choice(["key", "rate", "printed", "status", "explode", "", 5, None, "ke\u0443"])
    return msg


def _serialise(rng, msg):
    try:
        text = json.dumps(msg, ensure_ascii=rng.random() < 0.5)
    except (ValueError, RecursionError):
        text = json.dumps(msg, ensure_ascii=True, check_circular=False)
    return text.encode("utf-8", "surrogatepass")      # a lone surrogate becomes invalid UTF-8


def _mutate_bytes(rng, data):
    action = rng.randrange(7)
    if action == 0 and data:
        return data[:rng.randrange(len(data))]                          # cut short
    if action == 1 and data:
        i = rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1:]
    if action == 2:
        i = rng.randrange(len(data) + 1)
        return data[:i] + bytes(rng.randrange(256) for _ in range(rng.randrange(1, 6))) + data[i:]
    if action == 3:
        depth = rng.choice([9, 50, 1000])
        return b'{"deep": ' + b"[" * depth + b"]" * depth + b", " + data[1:]
    if action == 4:
        return b'{"id": "dup-first", ' + data[1:]                       # a key twice: the last one counts
    if action == 5:
        return data + b" " * rng.choice([10, 2100, 70000])               # over the size limit
    return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))


def _topic(rng, dev, channel):
    roll = rng.random()
    if roll < 0.94:
        return "hm/%s/dev/%s/%s" % (HALL, dev, channel)
    return rng.choice(["hm/%s/dev/%s/view" % (HALL, dev), "hm/%s/dev/%s/ack" % (HALL, dev),
                       "hm/otherhall/dev/%s/evt" % dev, "hm/%s/dev/Printer 1/evt" % HALL,
                       "hm/%s/dev/pr\u00b2/evt" % HALL, "hm/%s/dev/p\nwindow 5: calls Z999/evt" % HALL,
                       "hm/%s/dev/%s/evt/extra" % (HALL, dev), "hm/%s/gw/state" % HALL, ""])


def payloads(seed, count, clean_share=0.15):
    """(topic, payload) pairs: `clean_share` of them valid, the rest mutated."""
    rng = random.Random(seed)
    for n in range(count):
        dev = rng.choice(FUZZED)
        channel, msg = seeds(rng, dev, n)
        msg["v"] = 1
        if rng.random() >= clean_share:
            for _ in range(rng.choice([1, 1, 2, 3])):
                msg = _mutate_fields(rng, msg)
        data = _serialise(rng, msg)
        if rng.random() < 0.3:
            data = _mutate_bytes(rng, data)
        yield _topic(rng, dev, channel), data


def expected_id(topic, payload):
    """The oracle, apart from the gateway's code: the id an ack must answer, or None when
    none is required. Python's own json parser, with room to recurse, reads the payload."""
    parts = topic.split("/")
    if len(parts) != 5 or parts[:3] != ["hm", HALL, "dev"] or parts[4] != "evt":
        return None
    dev = parts[3]
    if not dev or len(dev) > 32 or any(not (c.isascii() and (c.islower() or c.isdigit() or c in "-_")) for c in dev):
        return None
    if len(payload) > codec.MAX_PAYLOAD:
        return None      # answered when the id is in its first bytes; not required
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10000))
    try:
        msg = json.loads(payload.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    finally:
        sys.setrecursionlimit(limit)
    if isinstance(msg, dict) and isinstance(msg.get("id"), str) and 0 < len(msg["id"]) <= MAX_ID:
        return dev, msg["id"]
    return None


class FuzzRig:
    """A Service on a real SQLite store, driven like the MQTT adapter drives it. Keeps only
    what it checks (the latest ack and view of each device, a few samples of each failure),
    so a million payloads measure the gateway's memory, not the rig's."""

    SAMPLES = 20

    def __init__(self, hall, db_path, now):
        self.hall, self.now = hall, now
        self.store = open_store(db_path)
        self.last_ack, self.last_view = {}, {}         # device -> the latest one published
        self._acks_now = []                            # (device, id) answered during this send
        self.escaped, self.unanswered = [], []         # samples of what must never happen
        self.escaped_count = self.unanswered_count = self.sent = 0
        self.service = Service(hall, self.store, self._publish, clock=lambda: self.now)
        self.service.begin_session(1)
        self.service.on_connected()

    def _publish(self, topic, payload, retain):
        msg = codec.decode(payload)                    # everything we send keeps the contract
        parts = topic.split("/")
        dev, channel = (parts[3], parts[4]) if len(parts) == 5 else ("(gateway)", parts[-1])
        if channel == "ack":
            self.last_ack[dev] = msg
            self._acks_now.append((dev, msg["ack"]))
        elif channel == "view":
            self.last_view[dev] = msg

    def send(self, topic, payload):
        """One message, then the views, as gateway/mqtt.py's worker does."""
        self.sent += 1
        wanted = expected_id(topic, payload)
        self._acks_now = []
        try:
            self.service.on_message(topic, payload)
            self.service.refresh_views()
        except Exception as exc:  # noqa: BLE001 - exactly what must never happen; recorded
            self.escaped_count += 1
            if len(self.escaped) < self.SAMPLES:
                self.escaped.append((topic, payload, repr(exc)))
            return
        if wanted and wanted not in self._acks_now:
            self.unanswered_count += 1
            if len(self.unanswered) < self.SAMPLES:
                self.unanswered.append((topic, payload))

    def control_step(self, n):
        """The untouched pad calls the next ticket of window 2; its display must show it."""
        printer = "hm/%s/dev/printer-1/evt" % HALL
        pad = "hm/%s/dev/%s/evt" % (HALL, UNTOUCHED_PAD)
        self.send(printer, codec.encode(messages.event("ctl-issue-%d" % n, "key", 0, key="k2")))
        self.send(pad, codec.encode(messages.event("ctl-finish-%d" % n, "key", 0, key="finish")))
        self.send(pad, codec.encode(messages.event("ctl-call-%d" % n, "key", 0, key="call")))
        return self.last_ack[UNTOUCHED_PAD], self.last_view.get(UNTOUCHED_DISPLAY, {})

    def integrity(self):
        """Problems with the store, [] when whole: SQLite's own check, the state folded again
        from the log equal to the live one, no ticket number twice a day."""
        problems = []
        db = sqlite3.connect(self.store.path)
        try:
            verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append("integrity_check: " + verdict)
            for (ack,) in db.execute("SELECT ack FROM dedup"):
                json.loads(ack)
        finally:
            db.close()
        again = fold(self.hall, self.store.load_events())
        live = {tid: (t.no, t.day, t.status, t.window) for tid, t in self.service.state.tickets.items()}
        folded = {tid: (t.no, t.day, t.status, t.window) for tid, t in again.tickets.items()}
        if live != folded:
            problems.append("state folded from the log differs from the live state")
        numbers = collections.Counter((t.day, t.no) for t in again.tickets.values())
        twice = [key for key, n in numbers.items() if n > 1]
        if twice:
            problems.append("numbers issued twice: %s" % twice[:5])
        return problems

    def close(self):
        self.store.close()
