# A line of device text as the gateway sends it: {"t": text} for ASCII, plus "gb" (base64 of
# the bytes in the part's code page) for anything else. Parts are sent bytes, never str.
import binascii


def line_bytes(line):
    if not isinstance(line, dict):
        return b""
    if "gb" in line:
        return binascii.a2b_base64(line["gb"].encode())    # MicroPython wants bytes here
    return ascii_bytes(line.get("t", ""))


def ascii_bytes(value):
    """ASCII as bytes; any other character becomes '?' rather than garbage on a part."""
    out = bytearray()
    for ch in value:
        code = ord(ch)
        out.append(code if 32 <= code < 127 else 63)
    return bytes(out)
