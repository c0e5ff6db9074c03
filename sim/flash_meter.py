"""Counts the writes the firmware makes to each simulated board's flash.

A flash write is a file opened for writing under a board's flash folder (the firmware's only way
to change its flash: flashfile.save, the boot counters). Counted by a CPython audit hook, so the
firmware is measured as it is, with nothing of its own reporting. The hook stays installed for
the life of the process (audit hooks cannot be removed) but counts only while a meter is open.
"""
import collections
import os
import sys
import threading

_meters = []
_lock = threading.Lock()
_installed = False
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT


def _writing(mode, flags):
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return bool(isinstance(flags, int) and flags & WRITE_FLAGS)


def _hook(event, args):
    if event != "open" or not _meters:
        return
    path, mode, flags = (tuple(args) + (None, None, None))[:3]
    if not isinstance(path, str) or not _writing(mode, flags):
        return
    for meter in list(_meters):
        meter.note(path)


class FlashMeter:
    """Writes per device id, for the devices whose flash folder is `roots[device]`."""

    def __init__(self, roots):
        global _installed
        self.roots = {dev: os.path.join(os.path.abspath(root), "") for dev, root in roots.items()}
        self.writes = collections.Counter()
        self.files = collections.Counter()        # (device, file name) -> writes
        with _lock:
            if not _installed:
                sys.addaudithook(_hook)
                _installed = True
            _meters.append(self)

    def note(self, path):
        full = os.path.abspath(path)
        for dev, root in self.roots.items():
            if full.startswith(root):
                self.writes[dev] += 1
                self.files[(dev, os.path.basename(full).replace(".new", ""))] += 1
                return

    def close(self):
        with _lock:
            if self in _meters:
                _meters.remove(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
