# The one contract between devices and the gateway. Runs under MicroPython and CPython:
# no dataclasses, no typing at runtime, nothing of ours imported.
VERSION = 1


class ProtocolError(ValueError):
    """A message or topic that breaks the contract; the text names what is wrong."""
