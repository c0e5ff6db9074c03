# Fake ESP32 hardware for the firmware's unit tests; runs under MicroPython and CPython.
# Tests reach the parts the firmware made through `pins` and `uarts`.
PWRON_RESET, HARD_RESET, WDT_RESET, DEEPSLEEP_RESET, SOFT_RESET = 1, 2, 3, 4, 5

pins = {}
uarts = {}


class ResetCalled(BaseException):   # like a real reset, no `except Exception` stops it
    pass


class Pin:
    IN, OUT = 1, 3
    PULL_UP, PULL_DOWN = 1, 2
    IRQ_FALLING, IRQ_RISING = 1, 2

    def __init__(self, number, mode=-1, pull=-1, value=None):
        self.number = number
        self.level = 1 if value is None else value
        self.handler = None
        pins[number] = self

    def value(self, level=None):
        if level is None:
            return self.level
        self.level = 1 if level else 0

    def irq(self, handler=None, trigger=3):
        self.handler = handler

    def drive(self, level):
        """The outside world changes the input; an edge runs the firmware's handler."""
        changed = level != self.level
        self.level = level
        if changed and self.handler:
            self.handler(self)


class UART:
    def __init__(self, number, baudrate=9600, tx=None, rx=None):
        self.written = bytearray()
        self.incoming = bytearray()     # what the part on the other end sends the board
        uarts[number] = self

    def write(self, data):
        self.written.extend(data)
        return len(data)

    def any(self):
        return len(self.incoming)

    def read(self, n=-1):
        if not self.incoming:
            return None
        data = bytes(self.incoming)
        self.incoming = bytearray()
        return data


POWER_UP_RTC = (2000, 1, 1, 5, 0, 0, 0, 0)    # an ESP32's RTC after a power cut
rtc = [POWER_UP_RTC]                            # kept across a reset (a new Device), not clear()


class RTC:
    """Holds the datetime set (it does not move on by itself: enough for the unit cases)."""

    def datetime(self, value=None):
        if value is None:
            return rtc[0]
        rtc[0] = tuple(value)


class WDT:
    def __init__(self, id=0, timeout=5000):
        self.fed = 0

    def feed(self):
        self.fed += 1


def reset():
    raise ResetCalled()


def reset_cause():
    return PWRON_RESET


def clear():
    """A fresh board, as after a power cut."""
    pins.clear()
    uarts.clear()
    rtc[0] = POWER_UP_RTC
