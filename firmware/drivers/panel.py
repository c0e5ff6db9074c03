# An LED matrix panel behind a serial controller. One frame per row:
#   STX, row as an ASCII digit, attribute '0' steady or '1' blink, GB2312 text, ETX
# (digits, so that no byte of the header can be mistaken for STX or ETX; GB2312 bytes are
# ASCII or 0xA1-0xFE, never STX or ETX). The controller draws the glyphs from its font ROM
# (docs/protocol.md, "Text on devices"). A row is sent only when it changes, so a retained
# view arriving again does not make the panel flicker.
import time

from machine import UART

from drivers.text import ascii_bytes

STX, ETX = b"\x02", b"\x03"
GAP = b"    "            # between the end of a scrolling row and its start again
SCROLL_MS = 300          # a long row moves one character this often
HOLD_MS = 1500           # ... after showing its start this long


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
    """Rows of text; a row longer than the panel scrolls (call tick() from the main loop)."""

    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 115200), tx=spec.get("tx"),
                         rx=spec.get("rx"))
        self.rows = spec.get("rows", 2)
        self.cols = spec.get("cols", 16)
        self.shown = [None] * self.rows    # (bytes on the panel, blink) per row
        self.text = [b""] * self.rows      # the whole text of each row
        self.offset = [0] * self.rows      # bytes a long row has scrolled
        self.moved = time.ticks_ms()

    def show(self, row, value, blink=False):
        """value: bytes in the panel's code page, or an ASCII str."""
        if row >= self.rows:
            return
        if isinstance(value, str):
            value = ascii_bytes(value)
        if value != self.text[row]:
            self.text[row], self.offset[row] = value, 0
            if len(value) > self.cols:      # a new long row rests a moment before it scrolls
                self.moved = time.ticks_add(time.ticks_ms(), HOLD_MS)
        self._send(row, blink)

    def _send(self, row, blink):
        value = self.text[row]
        if len(value) > self.cols:
            loop = value + GAP + value
            value = loop[self.offset[row]:]
        value = clip(value, self.cols)
        if self.shown[row] == (value, blink):
            return
        self.shown[row] = (value, blink)
        self.uart.write(STX + bytes([48 + row, 49 if blink else 48]) + value + ETX)

    def tick(self):
        """Move every long row on by one character (a hanzi is two bytes), every SCROLL_MS."""
        if time.ticks_diff(time.ticks_ms(), self.moved) < SCROLL_MS:
            return
        self.moved = time.ticks_ms()
        for row in range(self.rows):
            text = self.text[row]
            if len(text) > self.cols and self.shown[row] is not None:
                self.scroll(row)

    def scroll(self, row):
        text = self.text[row]
        loop = text + GAP + text
        self.offset[row] += 2 if loop[self.offset[row]] >= 0x80 else 1
        self.offset[row] %= len(text) + len(GAP)
        self._send(row, self.shown[row][1])

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
