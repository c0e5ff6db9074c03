"""Device-supplied text on its way into the log: every character that could forge a line
(a newline, a carriage return), hide text (controls, bidirectional overrides) or fail to
encode (a lone surrogate) is written as a visible escape, so one log line is one record."""
import logging

from protocol.messages import UNSAFE_RANGES

_CONTROLS = {code: ("\\x%02x" % code if code < 0x100 else "\\u%04x" % code)
             for low, high in UNSAFE_RANGES for code in range(low, high + 1)}
_ESCAPES = dict(_CONTROLS)
_ESCAPES[ord("\\")] = "\\\\"      # so an escape a device typed cannot pass for one we wrote
MAX_SHOWN = 200                    # characters of one device-supplied value in a log line


def escape(value, limit=MAX_SHOWN):
    """`value` as safe log text (bytes as their repr), cut to `limit` characters."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value[:limit])
        return repr(data) + ("..." if len(value) > limit else "")   # repr escapes bytes itself
    text = str(value)
    cut = len(text) > limit
    text = text[:limit].translate(_ESCAPES)
    return text + "..." if cut else text


class EscapingFilter(logging.Filter):
    """On a handler: the formatted message of every record is escaped (a traceback attached
    to the record is ours and keeps its lines)."""

    def filter(self, record):
        message = record.getMessage()
        safe = message.translate(_CONTROLS)
        if safe != message:
            record.msg, record.args = safe, None
        return True
