# An LED matrix panel behind a serial controller. One frame per row:
#   STX, row as an ASCII digit, attribute '0' steady or '1' blink, UTF-8 text, ETX
# (digits, so that no byte of the header can be mistaken for STX or ETX)
# The controller draws the glyphs (see docs/protocol.md, "Panel text"). A row is sent only
# when it changes, so a retained view arriving again does not make the panel flicker.
from machine import UART

STX, ETX = b"\x02", b"\x03"


class Panel:
    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 115200), tx=spec.get("tx"),
                         rx=spec.get("rx"))
        self.rows = spec.get("rows", 2)
        self.cols = spec.get("cols", 16)
        self.shown = [None] * self.rows

    def show(self, row, value, blink=False):
        if row >= self.rows:
            return
        value = value[:self.cols]
        if self.shown[row] == (value, blink):
            return
        self.shown[row] = (value, blink)
        self.uart.write(STX + bytes([48 + row, 49 if blink else 48]) + value.encode() + ETX)

    def show_all(self, lines):
        for row in range(self.rows):
            self.show(row, lines[row] if row < len(lines) else "")


class Speaker:
    """A voice module on a serial line: STX 'V' UTF-8 text ETX speaks the text once."""

    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 9600), tx=spec.get("tx"),
                         rx=spec.get("rx"))

    def say(self, value):
        self.uart.write(STX + b"V" + value.encode() + ETX)
