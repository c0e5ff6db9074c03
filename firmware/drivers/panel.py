# An LED matrix panel behind a serial controller. One frame per row:
#   STX, row as an ASCII digit, attribute '0' steady or '1' blink, GB2312 text, ETX
# (digits, so that no byte of the header can be mistaken for STX or ETX; GB2312 bytes are
# ASCII or 0xA1-0xFE, never STX or ETX). The controller draws the glyphs from its font ROM
# (docs/protocol.md, "Text on devices"). A row is sent only when it changes, so a retained
# view arriving again does not make the panel flicker.
from machine import UART

from drivers.text import ascii_bytes

STX, ETX = b"\x02", b"\x03"


def clip(data, cols):
    """The first `cols` half-width cells of GB2312 bytes, never half a hanzi (two bytes >= 0x80)."""
    if len(data) <= cols:
        return data
    cut, i = 0, 0
    while i < len(data):
        step = 2 if data[i] >= 0x80 else 1
        if cut + step > cols:
            break
        cut += step
        i += step
    return data[:i]


class Panel:
    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 115200), tx=spec.get("tx"),
                         rx=spec.get("rx"))
        self.rows = spec.get("rows", 2)
        self.cols = spec.get("cols", 16)
        self.shown = [None] * self.rows

    def show(self, row, value, blink=False):
        """value: bytes in the panel's code page, or an ASCII str."""
        if row >= self.rows:
            return
        if isinstance(value, str):
            value = ascii_bytes(value)
        value = clip(value, self.cols)
        if self.shown[row] == (value, blink):
            return
        self.shown[row] = (value, blink)
        self.uart.write(STX + bytes([48 + row, 49 if blink else 48]) + value + ETX)

    def show_all(self, lines):
        for row in range(self.rows):
            self.show(row, lines[row] if row < len(lines) else "")


class Speaker:
    """A voice module on a serial line: STX 'V' GB2312 text ETX speaks the text once."""

    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 9600), tx=spec.get("tx"),
                         rx=spec.get("rx"))

    def say(self, value):
        """value: bytes in the module's code page (GB2312)."""
        self.uart.write(STX + b"V" + value + ETX)
