# ESC/POS bytes for a thermal ticket printer. Text the printer must show in Chinese arrives
# from the gateway already in GB18030 (MicroPython has no such codec); plain ASCII is encoded
# here. See docs/protocol.md, "Printer text".
import binascii

INIT = b"\x1b@"
CUT = b"\x1dVA\x03"          # feed 3 lines and cut


def align(n):                 # 0 left, 1 centre, 2 right
    return b"\x1ba" + bytes([n])


def size(width, height):      # 1..8 each
    return b"\x1d!" + bytes([((width - 1) << 4) | (height - 1)])


def text(value):
    """ASCII text as bytes; anything else becomes '?' rather than garbage on paper."""
    out = bytearray()
    for ch in value:
        code = ord(ch)
        out.append(code if 32 <= code < 127 else 63)
    return bytes(out)


def line(ticket, name):
    """One field of a ticket: GB18030 bytes from the gateway when it sent them, else ASCII."""
    gb = ticket.get("gb")
    if gb and name in gb:
        return binascii.a2b_base64(gb[name].encode()) + b"\n"   # MicroPython wants bytes
    value = ticket.get(name)
    return text(str(value if value is not None else "")) + b"\n"


def qr(data, module=6):
    """Print a QR code with the printer's own QR command (GS ( k, model 2)."""
    body = data.encode()
    n = len(body) + 3
    return (b"\x1d(k\x04\x001A2\x00" + b"\x1d(k\x03\x001C" + bytes([module]) +
            b"\x1d(k\x03\x001E1" + b"\x1d(k" + bytes([n & 255, n >> 8]) + b"1P0" + body +
            b"\x1d(k\x03\x001Q0")


def ticket(t):
    """The whole job for one ticket dict as the gateway sent it in the ack."""
    wait = t.get("wait") or [0, 0]
    job = [INIT, align(1), line(t, "hall"), size(4, 4), text(t.get("no", "")), b"\n", size(1, 1),
           line(t, "name"), text(str(t.get("ahead", 0)) + " ahead, wait " + str(wait[0]) + "-" +
                                 str(wait[1]) + " min"), b"\n"]
    if t.get("time"):
        job.append(text(t["time"]) + b"\n")
    if t.get("url"):
        job.append(qr(t["url"]))
    job.append(CUT)
    return b"".join(job)
