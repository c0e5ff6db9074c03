"""MicroPython's time and gc extras, added to CPython's modules so firmware runs unchanged.

ticks_ms() wraps at 2**30 like on the board, so firmware that forgets ticks_diff fails here
as it would on an ESP32. A speed factor makes simulated time run faster than the wall clock
(issue: accelerated days); sleep_ms sleeps proportionally less. sleep_ms is also where a
device's thread notices a power cut or a watchdog that was not fed.
"""
import contextlib
import gc
import threading
import time

from sim import board as boards

TICKS_PERIOD = 1 << 30
_HALF = TICKS_PERIOD >> 1
_start = time.monotonic()
speed = 1.0
_offset_ms = 0    # jumps made by advance()


def set_speed(factor):
    global speed, _start, _offset_ms
    if factor <= 0:
        raise ValueError("speed factor must be positive, got %r" % factor)
    _offset_ms = sim_ms()
    _start = time.monotonic()
    speed = float(factor)


def sim_ms():
    """Simulated milliseconds since the simulator started (never wraps)."""
    return _offset_ms + int((time.monotonic() - _start) * 1000 * speed)


_instant = threading.local()     # a thread's frozen moment (instant()), or none


@contextlib.contextmanager
def instant():
    """What this thread does inside the block happens at one simulated moment. For contact
    chatter: a thread that waits its turn for the interpreter (tens of real ms with a hall of
    device threads, seconds simulated at x40) would otherwise stretch a 2 ms bounce into a
    genuine second press that the firmware rightly counts."""
    _instant.ms = sim_ms()
    try:
        yield
    finally:
        _instant.ms = None


def ticks_ms():
    board = _bound_board()
    skew = board.clock_skew_ms() if board is not None and hasattr(board, "clock_skew_ms") else 0
    frozen = getattr(_instant, "ms", None)
    return ((sim_ms() if frozen is None else frozen) + skew) % TICKS_PERIOD


def ticks_diff(a, b):
    return ((a - b + _HALF) % TICKS_PERIOD) - _HALF


def ticks_add(a, delta):
    return (a + delta) % TICKS_PERIOD


def sleep_ms(ms):
    board = _bound_board()
    if board is None:
        time.sleep(ms / 1000.0 / speed)
        return
    board.check_power()
    _check_watchdog(board)
    if board.power.wait(0) and ms > 0:
        # wait on a private event so a power cut needs no polling to be noticed quickly
        board.power_cut.wait(ms / 1000.0 / speed)
    board.check_power()


def _bound_board():
    try:
        return boards.current()
    except RuntimeError:
        return None


def _check_watchdog(board):
    if board.wdt is None:
        return
    timeout_ms, fed = board.wdt
    if ticks_diff(ticks_ms(), fed) > timeout_ms:
        raise boards.Reset(boards.WDT_RESET)


def mem_free():
    """A fixed stand-in figure (the board's heap_free), not a measurement: see sim/board.py."""
    board = _bound_board()
    return board.heap_free if board else 100000


def mem_alloc():
    return 110000 - mem_free()


def install():
    """Give CPython's time and gc the MicroPython functions the firmware calls."""
    time.ticks_ms = ticks_ms
    time.ticks_diff = ticks_diff
    time.ticks_add = ticks_add
    time.sleep_ms = sleep_ms
    gc.mem_free = mem_free
    gc.mem_alloc = mem_alloc
