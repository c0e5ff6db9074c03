# An offline ticket, printed from the printer's lease while the gateway is out of reach: in the
# hall's language from the texts the gateway sent with the lease (kept in flash per service,
# runtime/lease.py), dated by the lease's day and the hall's time. Imported only when the
# printer first issues offline, so an online printer's heap holds none of it.
import binascii

from drivers import escpos
from drivers.text import ascii_bytes
from runtime import flashfile

ORDER = ("hall", "name", "offline", "issued")   # the texts, as lease.TEXTS keeps them
DEFAULTS = {"offline": b"Offline ticket: no waiting estimate", "issued": b"Issued"}


def texts(path, svc):
    """{name: bytes in the printer's code page} of the texts kept at `path` ({} if none)."""
    kept = flashfile.load(path, dict, {})
    out = {}
    for name in ORDER:
        line = kept.get(name)
        if not isinstance(line, dict):
            out[name] = DEFAULTS.get(name, escpos.text(svc) if name == "name" else b"")
        elif "gb" in line:
            out[name] = binascii.a2b_base64(line["gb"].encode())
        else:
            out[name] = ascii_bytes(line.get("t", ""))
    return out


def print_ticket(out, cols, fs_and, leases, svc, no, now_s):
    got = texts(leases.texts_prefix + svc + ".json", svc)
    chinese = fs_and and max(b"".join(got.values()) + b"\0") >= 0x80
    escpos.begin(out, chinese)
    escpos.line(out, cols, got["hall"])
    escpos.number(out, cols, no)
    escpos.line(out, cols, got["name"])
    escpos.line(out, cols, got["offline"])
    escpos.line(out, cols, got["issued"] + b" " + leases.local_time(svc, now_s))
    out.write(escpos.CUT)
