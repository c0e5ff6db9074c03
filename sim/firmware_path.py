"""Make the unchanged firmware importable in CPython: the MicroPython stand-ins (sim/upy) and
the firmware's own folder go first on sys.path, and time/gc get MicroPython's extras."""
import os
import sys

from sim import clock

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIRMWARE = os.path.join(REPO, "firmware")
STAND_INS = os.path.join(REPO, "sim", "upy")
BOARDS = os.path.join(REPO, "boards")


def install():
    for path in (FIRMWARE, STAND_INS):
        if path not in sys.path:
            sys.path.insert(0, path)
    clock.install()
