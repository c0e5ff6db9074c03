"""A thermal printer's view of an ESC/POS byte stream, as strict as the real part.

What a real receipt printer does, and so what this model does (each departure from what a
ticket should be is written into the ticket's `problems`, so a test sees what went wrong):
- ESC @ initialises, and puts the printer back in its power-on character mode: a printer
  sold in China starts in GB18030 mode, others in single-byte mode until FS & (FS . ends it).
  Bytes of 0x80 and above outside Chinese mode print as code page 437 symbols: garbage.
- ESC a (alignment) is honoured only at the start of a line; mid-line it is ignored.
- GS ! sets the character size; a line holds `columns` (58 mm: 32, 80 mm: 48 of font A)
  divided by the width multiplier; a CJK character takes two columns. What does not fit is
  broken onto the next line wherever the paper ran out, word or not.
- GS V m cuts: modes 0, 1, 48, 49 take no more bytes, 65 and 66 one more (the feed). A cut ends
  a ticket. GS ( k stores and prints a QR symbol.
- Unknown commands are recorded, not guessed at."""

ESC, GS, FS, LF = 0x1B, 0x1D, 0x1C, 0x0A
COLUMNS = {58: 32, 80: 48}


class Line:
    def __init__(self, text, width, height, align, bold):
        self.text, self.width, self.height, self.align, self.bold = text, width, height, align, bold

    def __repr__(self):
        return "Line(%r, x%d/%d, %s%s)" % (self.text, self.width, self.height, self.align, ", bold" if self.bold else "")


class Ticket:
    """What came out of the printer between two cuts."""

    def __init__(self, columns=32):
        self.columns = columns
        self.items = []      # Line or ("qr", data) in print order
        self.cut = False
        self.unknown = []    # command bytes the printer did not understand
        self.problems = []   # what a real printer would have ignored, garbled or broken

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
ESC_ONE_BYTE = (0x61, 0x45, 0x21, 0x64, 0x74, 0x52, 0x4D)   # a E ! d t R M: one parameter byte
CUT_SHORT, CUT_FEED = (0, 1, 48, 49), (65, 66)


class EscPosInterpreter:
    def __init__(self, code_page="gb18030", columns=32, starts_chinese=False):
        """`starts_chinese`: the printer's power-on mode is GB18030 (most printers sold in
        China); False: it needs FS & after every ESC @ for two-byte characters."""
        self.code_page = code_page
        self.columns = columns
        self.starts_chinese = starts_chinese
        self.tickets = []
        self._buf = bytearray()
        self._reset_mode()
        self._current = Ticket(columns)
        self._text = []              # characters of the line being received
        self._used = 0               # columns they take
        self._qr_data = b""

    def _reset_mode(self):
        self.width = self.height = 1
        self.align = "left"
        self.bold = False
        self.chinese = self.starts_chinese

    def _problem(self, what):
        if what not in self._current.problems:
            self._current.problems.append(what)

    def feed(self, data):
        """Take more bytes from the UART; returns tickets completed by a cut in them."""
        self._buf.extend(data)
        done_before = len(self.tickets)
        pos = 0
        while pos < len(self._buf):
            used = self._step(pos)
            if used == 0:
                break  # an incomplete command or character: wait for more bytes
            pos += used
        del self._buf[:pos]
        return self.tickets[done_before:]

    def write(self, data):
        """As a UART: what the firmware writes is fed in."""
        self.feed(data)
        return len(data)

    def _step(self, pos):
        b = self._buf[pos]
        if b == LF:
            self._flush_line(force=True)
            return 1
        if b in (ESC, GS, FS):
            return self._command(pos)
        if b < 0x20 and b != 0x09:
            return 1  # other control bytes: ignored by the printer
        if b < 0x80:
            self._put(chr(b), 1)
            return 1
        return self._high_byte(pos)

    def _high_byte(self, pos):
        buf = self._buf
        if not self.chinese:
            self._problem("bytes of 0x80 and above without Chinese mode (FS &): printed as symbols")
            self._put(bytes([buf[pos]]).decode("cp437"), 1)
            return 1
        size = 4 if pos + 1 < len(buf) and 0x30 <= buf[pos + 1] <= 0x39 else 2
        if pos + size > len(buf):
            return 0
        self._put(bytes(buf[pos:pos + size]).decode(self.code_page, "replace"), 2)
        return size

    def _put(self, char, cols):
        """One character; a line that runs out of paper goes on in the next, as printers do."""
        wide = cols * self.width
        if self._used + wide > self.columns and self._text:
            self._problem("a line longer than %d columns: broken by the printer" % self.columns)
            self._flush_line()
        self._text.append(char)
        self._used += wide

    def _flush_line(self, force=False):
        if not self._text and not force:
            return
        text = "".join(self._text)
        self._current.items.append(Line(text, self.width, self.height, self.align, self.bold))
        self._text = []
        self._used = 0

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
        if lead == ESC and op in ESC_ONE_BYTE:
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
        if lead == FS and op == 0x26:            # FS & two-byte mode on
            self.chinese = True
            return 2
        if lead == FS and op == 0x2E:            # FS . two-byte mode off
            self.chinese = False
            return 2
        self._current.unknown.append(bytes(buf[pos:pos + 2]))
        self._problem("unknown command %s" % bytes(buf[pos:pos + 2]).hex(" "))
        return 2

    def _esc3(self, op, n):
        if op == 0x61:
            if self._text:
                self._problem("ESC a in the middle of a line: ignored")
                return
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
        if m in CUT_FEED:
            used = 4
        elif m in CUT_SHORT:
            used = 3
        else:
            self._problem("GS V with unknown mode %d" % m)
            used = 3
        if not self._need(pos, used):
            return 0
        self._flush_line()
        self._current.cut = True
        self.tickets.append(self._current)
        self._current = Ticket(self.columns)
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


def for_board(spec):
    """The printer a board file describes: its paper width, and whether it needs FS & (a board
    with "fs_and": false has a printer that is always in GB18030 mode)."""
    printer = spec.get("printer", {})
    return EscPosInterpreter(columns=COLUMNS.get(printer.get("paper_mm", 58), 32),
                             starts_chinese=printer.get("fs_and", True) is False)
