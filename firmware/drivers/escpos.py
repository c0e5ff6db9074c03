# ESC/POS for a thermal ticket printer, written straight to its UART (no job held in RAM).
# Text the printer must show in Chinese arrives from the gateway already in GB18030
# (MicroPython has no such codec); plain ASCII is encoded here. docs/protocol.md, "Text on
# devices". What a real printer does, and so what this module keeps to:
# - ESC @ puts many printers back in single-byte mode: GB bytes print only after FS &, so a job
#   with Chinese text sends FS & right after ESC @ (unless the board says the printer is always
#   in Chinese mode, "fs_and": false).
# - ESC a (alignment) counts only at the start of a line: it is sent only right after ESC @.
# - A line longer than the paper is broken wherever the paper ends: every line is wrapped here
#   to the paper's columns (58 mm: 32, 80 mm: 48 of font A; a CJK character takes two), at a
#   space where there is one, never inside a character.
import binascii

from drivers.text import ascii_bytes

INIT = b"\x1b@"
CHINESE_ON = b"\x1c&"         # FS &: two-byte (GB) characters from here on
CUT = b"\x1dVA\x03"           # GS V 65 n: feed n lines and cut (mode 65 takes the extra byte n)
CENTRE = b"\x1ba\x01"         # ESC a 1
BIG = 4                       # the ticket number's size, in character widths and heights


def size(width, height):      # GS ! n, 1..8 each
    return b"\x1d!" + bytes([((width - 1) << 4) | (height - 1)])


text = ascii_bytes


def wrap(data, cols):
    """GB18030 (or ASCII) bytes as lines of at most `cols` columns: broken at the last space
    that fits, else before the character that does not; a CJK character is 2 columns."""
    lines = []
    start = i = width = 0
    space = -1
    while i < len(data):
        b = data[i]
        step = 1 if b < 0x80 else (4 if i + 1 < len(data) and 0x30 <= data[i + 1] <= 0x39 else 2)
        wide = 1 if b < 0x80 else 2
        if width + wide > cols and i > start:
            cut = i if b == 32 else (space if space > start else i)
            lines.append(data[start:cut])
            start = i = cut + 1 if data[cut] == 32 else cut
            width, space = 0, -1
            continue
        if b == 32:
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


def begin(out, chinese):
    """A job begun centred, in Chinese mode when it has Chinese text and the printer needs telling."""
    out.write(INIT + CHINESE_ON + CENTRE if chinese else INIT + CENTRE)


def line(out, cols, data, big=1):
    """`data` in characters `big` times the normal size, wrapped to the paper's `cols`."""
    if big > 1:
        out.write(size(big, big))
    for piece in wrap(data, cols // big):
        out.write(piece + b"\n")
    if big > 1:
        out.write(size(1, 1))


def number(out, cols, no):
    """The ticket number, as big as fits on one line."""
    data = text(no)
    big = BIG
    while big > 1 and len(data) * big > cols:
        big -= 1
    line(out, cols, data, big)


def ticket(out, t, cols=32, fs_and=True):
    """Print one ticket dict as the gateway sent it in the ack."""
    begin(out, fs_and and bool(t.get("gb")))
    line(out, cols, field(t, "hall"))
    number(out, cols, t.get("no", ""))
    line(out, cols, field(t, "name"))
    if "info" in t:
        line(out, cols, field(t, "info"))
    else:
        wait = t.get("wait") or [0, 0]
        line(out, cols, text(str(t.get("ahead", 0)) + " ahead, wait " + str(wait[0]) + "-" + str(wait[1]) + " min"))
    for name in ("time", "booking"):
        if t.get(name):
            line(out, cols, field(t, name))
    if t.get("url"):
        out.write(qr(t["url"]))
    out.write(CUT)
