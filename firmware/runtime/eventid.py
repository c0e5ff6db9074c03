# Event ids that no other event of this device ever had, whatever happened to its flash.
# An id is DEVICE-SESSION-SEQ. SESSION is 8 characters drawn at random when the device boots
# (and again when SEQ would outgrow its 5 digits): a reflash, a new board under the same
# device id, a boot counter that could not be written or a simulator run on an old store all
# start from a fresh random session, never from "1" again. 40 random bits: two sessions of
# one device share a value about once in 10^12 draws, and the gateway still tells such an
# id apart by its body (docs/protocol.md, "Event ids").
import os
import time

SEQ_MAX = 99999       # keeps an id of a 32-character device id within 48 characters
ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
SESSION_CHARS = 8     # 36**8 > 2**40


def _random_bytes(n):
    try:
        return os.urandom(n)        # the ESP32's hardware generator
    except (AttributeError, OSError, NotImplementedError):
        # a port without urandom: the random module, mixed with the microsecond clock
        import random
        return bytes((random.getrandbits(8) ^ (time.ticks_diff(time.ticks_us(), 0) >> (3 * i))) & 0xFF for i in range(n))


def new_session():
    """8 base-36 characters from 40 random bits."""
    value = 0
    for b in _random_bytes(5):
        value = (value << 8) | b
    out = ""
    for _ in range(SESSION_CHARS):
        value, digit = divmod(value, 36)
        out = ALPHABET[digit] + out
    return out


class EventIds:
    def __init__(self, device_id):
        self.device_id = device_id
        self.session = new_session()
        self.seq = 0

    def next(self):
        if self.seq >= SEQ_MAX:
            self.session = new_session()
            self.seq = 0
        self.seq += 1
        return self.device_id + "-" + self.session + "-" + str(self.seq)
