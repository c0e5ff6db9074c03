"""A thermal printer's view of an ESC/POS byte stream, as a Chinese receipt printer reads it.

Text bytes are decoded in the printer's code page (GB18030, as the printers sold in China
use); ESC/POS commands change size, alignment and emphasis; GS ( k stores and prints a QR
symbol; GS V cuts, which ends a ticket. Unknown commands are recorded, not guessed at, so a
test can see what a real printer would have ignored."""

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A


class Line:
    def __init__(self, text, width, height, align, bold):
        self.text, self.width, self.height, self.align, self.bold = text, width, height, align, bold

    def __repr__(self):
        return "Line(%r, x%d/%d, %s%s)" % (self.text, self.width, self.height, self.align, ", bold" if self.bold else "")


class Ticket:
    """What came out of the printer between two cuts."""

    def __init__(self):
        self.items = []      # Line or ("qr", data) in print order
        self.cut = False
        self.unknown = []    # command bytes the printer did not understand

    @property
    def lines(self):
        return [i for i in self.items if isinstance(i, Line)]

    @property
    def qr_codes(self):
        return [i[1] for i in self.items if isinstance(i, tuple)]

    def text(self):
        return "\n".join(line.text for line in self.lines)

    def largest(self):
        """The line printed biggest: on a queue ticket, the ticket number."""
        return max(self.lines, key=lambda line: line.width * line.height, default=None)


ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}


class EscPosInterpreter:
    def __init__(self, code_page="gb18030"):
        self.code_page = code_page
        self.tickets = []
        self._buf = bytearray()
        self._reset_mode()
        self._current = Ticket()
        self._text = bytearray()
        self._qr_data = b""

    def _reset_mode(self):
        self.width = self.height = 1
        self.align = "left"
        self.bold = False

    def feed(self, data):
        """Take more bytes from the UART; returns tickets completed by a cut in them."""
        self._buf.extend(data)
        done_before = len(self.tickets)
        pos = 0
        while pos < len(self._buf):
            used = self._step(pos)
            if used == 0:
                break  # an incomplete command: wait for more bytes
            pos += used
        del self._buf[:pos]
        return self.tickets[done_before:]

    def _step(self, pos):
        b = self._buf[pos]
        if b == LF:
            self._flush_line(force=True)
            return 1
        if b in (ESC, GS, FS):
            return self._command(pos)
        if b < 0x20 and b not in (0x09,):
            return 1  # other control bytes: ignored by the printer
        self._text.append(b)
        return 1

    def _flush_line(self, force=False):
        if not self._text and not force:
            return
        text = bytes(self._text).decode(self.code_page, "replace")
        self._current.items.append(Line(text, self.width, self.height, self.align, self.bold))
        self._text = bytearray()

    def _need(self, pos, count):
        return pos + count <= len(self._buf)

    def _command(self, pos):
        buf = self._buf
        if not self._need(pos, 2):
            return 0
        lead, op = buf[pos], buf[pos + 1]
        if lead == ESC and op == 0x40:           # ESC @ initialise
            self._flush_line()
            self._reset_mode()
            return 2
        if lead == ESC and op in (0x61, 0x45, 0x21, 0x64, 0x74, 0x52, 0x4D):
            if not self._need(pos, 3):
                return 0
            self._esc3(op, buf[pos + 2])
            return 3
        if lead == GS and op == 0x21:            # GS ! n character size
            if not self._need(pos, 3):
                return 0
            n = buf[pos + 2]
            self.width, self.height = (n >> 4) + 1, (n & 0x07) + 1
            return 3
        if lead == GS and op == 0x56:            # GS V m [n] cut
            return self._cut(pos)
        if lead == GS and op == 0x28 and self._need(pos, 3) and buf[pos + 2] == 0x6B:
            return self._gs_k(pos)
        if lead == FS and op in (0x26, 0x2E):    # FS & / FS . double-byte mode on/off
            return 2
        self._current.unknown.append(bytes(buf[pos:pos + 2]))
        return 2

    def _esc3(self, op, n):
        if op == 0x61:
            self._flush_line()
            self.align = ALIGN.get(n, "left")
        elif op == 0x45:
            self.bold = bool(n & 1)
        elif op == 0x21:
            self.bold = bool(n & 0x08)
            self.height = 2 if n & 0x10 else 1
            self.width = 2 if n & 0x20 else 1
        elif op == 0x64:
            self._flush_line()
            for _ in range(n):
                self._current.items.append(Line("", 1, 1, self.align, False))

    def _cut(self, pos):
        if not self._need(pos, 3):
            return 0
        m = self._buf[pos + 2]
        used = 4 if m in (65, 66) else 3
        if not self._need(pos, used):
            return 0
        self._flush_line()
        self._current.cut = True
        self.tickets.append(self._current)
        self._current = Ticket()
        return used

    def _gs_k(self, pos):
        # GS ( k pL pH cn fn [params]: the 2D-symbol function group; cn 49 is QR Code.
        if not self._need(pos, 7):
            return 0
        size = self._buf[pos + 3] | (self._buf[pos + 4] << 8)
        end = pos + 5 + size
        if end > len(self._buf):
            return 0
        cn, fn = self._buf[pos + 5], self._buf[pos + 6]
        if cn == 49 and fn == 80:                # store data: pL pH 49 80 48 d1..dk
            self._qr_data = bytes(self._buf[pos + 8:end])
        elif cn == 49 and fn == 81:              # print the stored symbol
            self._flush_line()
            self._current.items.append(("qr", self._qr_data.decode("utf-8", "replace")))
        return end - pos
