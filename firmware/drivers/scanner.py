# A barcode/QR scanner on a serial line, as kiosks use them: each scan arrives as its text
# followed by CR and/or LF. A citizen with an appointment scans the booking code shown in
# the booking message. Lines are capped, so a stuck scanner cannot fill the heap.
from machine import UART

MAX_CODE = 16


class Scanner:
    def __init__(self, spec):
        self.uart = UART(spec["uart"], baudrate=spec.get("baud", 9600), tx=spec.get("tx"), rx=spec.get("rx"))
        self.buf = bytearray()

    def poll(self):
        """Complete codes scanned since the last poll (ASCII, 1-16 characters)."""
        if not self.uart.any():
            return ()
        self.buf.extend(self.uart.read() or b"")
        codes = []
        while True:
            end = -1
            for i in range(len(self.buf)):
                if self.buf[i] in (10, 13):
                    end = i
                    break
            if end < 0:
                break
            line = bytes(self.buf[:end])
            self.buf = self.buf[end + 1:]
            if 0 < len(line) <= MAX_CODE and all(32 < b < 127 for b in line):
                codes.append(line.decode())
        if len(self.buf) > MAX_CODE:
            self.buf = bytearray()          # noise without an end: drop it
        return codes
