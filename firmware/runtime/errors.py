# The device's recent failures, kept in flash: a small ring of the last few errors the main
# loop caught (what, where, how often), so that the next birth can report the latest one and
# a technician can read them all from errors.json. A failure that repeats is counted in RAM
# and written at most once a minute: a bug hit on every press must not wear the flash out.
import sys
import time

from runtime import flashfile

KEEP = 4
REWRITE_MS = 60000
TEXT_MAX = 64


def where(exc):
    """'apps/printer.py:60' for the innermost frame of the exception's traceback, or '?'."""
    try:
        tb = getattr(exc, "__traceback__", None)
        if tb is not None:                     # CPython (the simulator) keeps the frames
            while tb.tb_next is not None:
                tb = tb.tb_next
            return _spot(tb.tb_frame.f_code.co_filename, str(tb.tb_lineno))
        import io
        buf = io.StringIO()
        sys.print_exception(exc, buf)          # MicroPython: the traceback as text
        spot = "?"
        for line in buf.getvalue().split("\n"):
            line = line.strip()
            if line.startswith('File "'):      # File "apps/printer.py", line 60, in on_key
                name, _, rest = line[6:].partition('"')
                parts = rest.split(",")
                spot = _spot(name, parts[1].strip()[5:] if len(parts) > 1 else "?")
        return spot
    except Exception:
        return "?"


def _spot(name, line):
    return ("/".join(name.replace("\\", "/").split("/")[-2:]) + ":" + line)[:TEXT_MAX]


def describe(exc):
    return (type(exc).__name__ + ": " + str(exc))[:TEXT_MAX]


class Errors:
    def __init__(self, path):
        self.path = path
        self.ring = flashfile.load(path, list, [])[-KEEP:]
        self.written = time.ticks_ms()
        self.dirty = False

    def last(self):
        return self.ring[-1] if self.ring else None

    def record(self, exc, session, now_ms, when=""):
        """Keep one failure; `when` says what the device was doing (boot, step)."""
        what, spot = describe(exc), where(exc)
        if when:
            spot = (when + " " + spot)[:TEXT_MAX]
        top = self.last()
        if top is not None and top["err"] == what and top["where"] == spot and top["ses"] == session:
            top["n"] += 1
            top["at"] = now_ms
            self.dirty = True
            if time.ticks_diff(time.ticks_ms(), self.written) < REWRITE_MS:
                return
        else:
            self.ring.append({"err": what, "where": spot, "ses": session, "at": now_ms, "n": 1})
            self.ring = self.ring[-KEEP:]
        self.save()

    def save(self):
        try:
            flashfile.save(self.path, self.ring)
        except OSError:
            pass                               # a full or failing flash must not add a failure
        self.written = time.ticks_ms()
        self.dirty = False
