"""What an LED panel controller and a voice module make of the frames the firmware sends.

Panel frame: STX, row as an ASCII digit, attribute '0' steady or '1' blink, GB2312 text, ETX.
Voice frame: STX, 'V', GB2312 text, ETX. (GB2312 is what panel font ROMs and voice modules
sold in China take; it is decoded here with Python's GB18030 codec, its superset.) Bytes outside a frame, or a frame that does not decode, are counted as
garbage, as a real controller would ignore them."""
STX, ETX = 0x02, 0x03


def frames(data):
    """Split a byte stream into frame bodies (between STX and ETX); (bodies, garbage count)."""
    bodies, garbage, start = [], 0, None
    for i, byte in enumerate(data):
        if byte == STX:
            if start is not None:
                garbage += 1
            start = i + 1
        elif byte == ETX and start is not None:
            bodies.append(bytes(data[start:i]))
            start = None
        elif start is None:
            garbage += 1
    return bodies, garbage


class PanelModel:
    def __init__(self, rows):
        self.rows = [""] * rows
        self.blink = [False] * rows
        self.garbage = 0
        self.frames = 0

    def feed(self, data):
        bodies, garbage = frames(data)
        self.garbage += garbage
        for body in bodies:
            row = body[0] - 48 if body else -1
            if len(body) < 2 or not 0 <= row < len(self.rows) or body[1] not in b"01":
                self.garbage += 1
                continue
            try:
                text = body[2:].decode("gb18030")
            except UnicodeDecodeError:
                self.garbage += 1
                continue
            self.rows[row] = text
            self.blink[row] = body[1] == 49
            self.frames += 1
        return self

    def text(self):
        return "\n".join(self.rows)


def spoken(data):
    """The phrases a voice module was asked to say, in order."""
    bodies, _ = frames(data)
    return [b[1:].decode("gb18030", "replace") for b in bodies if b[:1] == b"V"]
