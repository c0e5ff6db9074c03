# ESC/POS bytes for a thermal ticket printer. Text the printer must show in Chinese arrives
# from the gateway already in GB18030 (MicroPython has no such codec); plain ASCII is encoded
# here. See docs/protocol.md, "Text on devices".
#
# What a real printer does with what it is sent, and so what this module keeps to:
# - ESC @ puts many printers back in single-byte mode: GB bytes print only after FS &, so a job
#   with Chinese text sends FS & right after ESC @ (unless the board says the printer is always
#   in Chinese mode).
# - ESC a (alignment) counts only at the start of a line: it is sent only after a line feed.
# - A line longer than the paper is broken by the printer wherever it runs out (or cut off):
#   every line is wrapped here to the paper's columns (58 mm: 32, 80 mm: 48 of font A; a CJK
#   character takes two), at a space where there is one, never inside a character.
import binascii

from drivers.text import ascii_bytes

INIT = b"\x1b@"
CHINESE_ON = b"\x1c&"         # FS &: two-byte (GB) characters from here on
CUT = b"\x1dVA\x03"           # GS V 65 n: feed n lines and cut (mode 65 takes the extra byte n)
COLUMNS = {58: 32, 80: 48}    # font A columns by paper width in mm
NUMBER_SIZE = 4               # the ticket number, in character widths and heights


def align(n):                 # 0 left, 1 centre, 2 right; only ever at the start of a line
    return b"\x1ba" + bytes([n])


def size(width, height):      # 1..8 each
    return b"\x1d!" + bytes([((width - 1) << 4) | (height - 1)])


text = ascii_bytes


def columns(paper_mm):
    """Font A columns of the paper, 32 when the width is not one we know."""
    return COLUMNS.get(paper_mm, 32)


def _char_len(data, i):
    """Bytes of the GB18030 character at i: 1 (ASCII), 2, or 4 (second byte a digit)."""
    if data[i] < 0x80:
        return 1
    if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39:
        return 4
    return 2


def wrap(data, cols):
    """GB18030 (or ASCII) bytes as lines of at most `cols` columns: broken after the last
    space that fits, else before the character that does not; a CJK character is 2 columns."""
    lines = []
    start, i, width, space = 0, 0, 0, -1
    while i < len(data):
        step = _char_len(data, i)
        wide = 1 if step == 1 else 2
        if width + wide > cols and i > start:
            cut = i if data[i] == 32 else (space if space > start else i)
            lines.append(data[start:cut])
            start = cut + 1 if data[cut] == 32 else cut
            i, width, space = start, 0, -1
            continue
        if data[i] == 32:
            space = i
        width += wide
        i += step
    lines.append(data[start:])
    return lines


def field(ticket, name):
    """One field of a ticket as bytes: GB18030 from the gateway when sent, else ASCII."""
    gb = ticket.get("gb")
    if gb and name in gb:
        return binascii.a2b_base64(gb[name].encode())   # MicroPython wants bytes
    value = ticket.get(name)
    return text(str(value if value is not None else ""))


def qr(data, module=6):
    """Print a QR code with the printer's own QR command (GS ( k, model 2)."""
    body = data.encode()
    n = len(body) + 3
    return (b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x03\x001C" + bytes([module]) +
            b"\x1d(k\x03\x001E1" + b"\x1d(k" + bytes([n & 255, n >> 8]) + b"1P0" + body +
            b"\x1d(k\x03\x001Q0")


class Job:
    """One print job: lines centred and wrapped to the paper, then the cut."""

    def __init__(self, cols, fs_and=True):
        self.cols = cols
        self.fs_and = fs_and
        self.parts = [INIT, align(1)]     # right after ESC @: the start of a line

    def line(self, data, big=1):
        """`data` (bytes) in characters `big` times the normal size, wrapped to fit."""
        if self.fs_and and CHINESE_ON not in self.parts and any(b >= 0x80 for b in data):
            self.parts.insert(1, CHINESE_ON)      # after ESC @, before any text
        if big != 1:
            self.parts.append(size(big, big))
        for piece in wrap(data, self.cols // big):
            self.parts.append(piece)
            self.parts.append(b"\n")
        if big != 1:
            self.parts.append(size(1, 1))

    def number(self, no):
        """The ticket number, as big as fits on one line."""
        data = text(no)
        big = NUMBER_SIZE
        while big > 1 and len(data) * big > self.cols:
            big -= 1
        self.line(data, big)

    def qr(self, url):
        self.parts.append(qr(url))

    def bytes(self):
        return b"".join(self.parts) + CUT


def ticket(t, cols=32, fs_and=True):
    """The whole job for one ticket dict as the gateway sent it in the ack."""
    job = Job(cols, fs_and)
    job.line(field(t, "hall"))
    job.number(t.get("no", ""))
    job.line(field(t, "name"))
    if "info" in t:
        job.line(field(t, "info"))
    else:
        wait = t.get("wait") or [0, 0]
        job.line(text(str(t.get("ahead", 0)) + " ahead, wait " + str(wait[0]) + "-" + str(wait[1]) + " min"))
    for name in ("time", "booking"):
        if t.get(name):
            job.line(field(t, name))
    if t.get("url"):
        job.qr(t["url"])
    return job.bytes()
