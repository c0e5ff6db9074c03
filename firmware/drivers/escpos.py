# ESC/POS bytes for a thermal ticket printer. Text the printer must show in Chinese arrives
# from the gateway already in GB18030 (MicroPython has no such codec); plain ASCII is encoded
# here. See docs/protocol.md, "Text on devices".
import binascii

from drivers.text import ascii_bytes

INIT = b"\x1b@"
CUT = b"\x1dVA\x03"          # feed 3 lines and cut


def align(n):                 # 0 left, 1 centre, 2 right
    return b"\x1ba" + bytes([n])


def size(width, height):      # 1..8 each
    return b"\x1d!" + bytes([((width - 1) << 4) | (height - 1)])


text = ascii_bytes


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
    job = [INIT, align(1), line(t, "hall"), size(4, 4), text(t.get("no", "")), b"\n", size(1, 1),
           line(t, "name")]
    if "info" in t:
        job.append(line(t, "info"))
    else:
        wait = t.get("wait") or [0, 0]
        job.append(text(str(t.get("ahead", 0)) + " ahead, wait " + str(wait[0]) + "-" + str(wait[1]) + " min\n"))
    if t.get("time"):
        job.append(line(t, "time"))
    if t.get("booking"):
        job.append(line(t, "booking"))
    if t.get("url"):
        job.append(qr(t["url"]))
    job.append(CUT)
    return b"".join(job)
