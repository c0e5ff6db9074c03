"""Stand-in for MicroPython's `machine` on a simulated ESP32 (see sim/board.py).

Only what the hallmesh firmware and boards use: Pin (with IRQs), UART, WDT, RTC, reset,
reset_cause, unique_id. Each object acts on the board bound to the calling thread.
"""
import datetime as _dt
import time

from sim import board as boards
from sim.board import DEEPSLEEP_RESET, HARD_RESET, PWRON_RESET, SOFT_RESET, WDT_RESET  # noqa: F401


class Pin:
    IN, OUT, OPEN_DRAIN = 1, 3, 7
    PULL_UP, PULL_DOWN = 1, 2
    IRQ_FALLING, IRQ_RISING = 1, 2

    def __init__(self, number, mode=-1, pull=-1, value=None):
        self._board = boards.current()
        self._state = self._board.pin(number)
        self._state.pin = self
        if mode != -1:
            self._state.mode = mode
        if value is not None:
            self._state.level = 1 if value else 0

    def value(self, level=None):
        if level is None:
            return self._state.level
        self._state.level = 1 if level else 0
        return None

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def irq(self, handler=None, trigger=IRQ_FALLING | IRQ_RISING):
        self._state.handler = handler
        self._state.trigger = trigger

    def __repr__(self):
        return "Pin(%d)" % self._state.number


class UART:
    def __init__(self, number, baudrate=9600, tx=None, rx=None, **_):
        self._state = boards.current().uart(number)
        self.baudrate = baudrate

    def write(self, data):
        with self._state.lock:
            self._state.written.extend(data)
        return len(data)

    def any(self):
        return len(self._state.to_device)

    def read(self, n=-1):
        with self._state.lock:
            if not self._state.to_device:
                return None
            n = len(self._state.to_device) if n is None or n < 0 else n
            data = bytes(self._state.to_device[:n])
            del self._state.to_device[:n]
            return data


class RTC:
    """The ESP32's real-time clock: keeps running through a reset (the simulated board's
    Reset), starts again at 2000-01-01 after a power cut. datetime() reads or sets
    (year, month, day, weekday, hours, minutes, seconds, microseconds), weekday 0 = Monday."""

    def __init__(self, id=0):
        self._board = boards.current()

    def datetime(self, value=None):
        if value is None:
            ms = self._board.rtc_now_ms()
            t = _dt.datetime(1970, 1, 1) + _dt.timedelta(milliseconds=ms)
            return (t.year, t.month, t.day, t.weekday(), t.hour, t.minute, t.second, t.microsecond // 1000 * 1000)
        year, month, day, _, hour, minute, second, micro = tuple(value)[:8]
        t = _dt.datetime(year, month, day, hour, minute, second, micro)
        self._board.rtc_set((t - _dt.datetime(1970, 1, 1)) // _dt.timedelta(milliseconds=1))
        return None


class WDT:
    def __init__(self, id=0, timeout=5000):
        self._board = boards.current()
        self._timeout = timeout
        self.feed()

    def feed(self):
        self._board.wdt = (self._timeout, time.ticks_ms())


def reset():
    raise boards.Reset(SOFT_RESET)


def soft_reset():
    raise boards.Reset(SOFT_RESET)


def reset_cause():
    return boards.current().reset_cause


def unique_id():
    return boards.current().device_id.encode()[:6]


def freq():
    return 240000000
