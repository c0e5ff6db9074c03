# The one contract between devices and the gateway. Runs under MicroPython and CPython:
# no dataclasses, no typing at runtime, nothing of ours imported.
VERSION = 1

# Why a message was refused, as the gateway counts it (docs/protocol.md, "Limits").
MALFORMED = "malformed"        # not UTF-8 JSON, not an object, empty
TOO_LARGE = "too_large"        # over codec.MAX_PAYLOAD bytes
TOO_DEEP = "too_deep"          # nested deeper than codec.MAX_DEPTH
BAD_VERSION = "bad_version"    # "v" is not 1 (true is not 1 either)
BAD_FIELD = "bad_field"        # a field missing, of the wrong type, out of range or unclean


class ProtocolError(ValueError):
    """A message or topic that breaks the contract; the text names what is wrong and
    `reason` is one of the names above."""

    def __init__(self, text, reason=BAD_FIELD):
        super().__init__(text)
        self.reason = reason
