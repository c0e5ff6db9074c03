# Event ids that no other event of this device ever had, whatever happened to its flash.
# An id is DEVICE-SESSION-SEQ. SESSION is 10 hex digits, 40 bits drawn at random when the
# device boots (and again when SEQ would outgrow 4 digits, so an id of a 32-character device
# id stays within 48 characters): a reflash, a new board under the same device id, a boot
# counter that could not be written or a simulator run on an old store all start from a fresh
# random session, never from "1" again. The gateway still tells a reused id by its body
# (docs/protocol.md, "Event ids and exactly-once").
import os

SEQ_MAX = 9999


def new_session():
    try:
        b = os.urandom(5)           # the ESP32's hardware random generator
    except Exception:               # a port without it: the random module, seeded at boot
        import random
        b = bytes(random.getrandbits(8) for _ in range(5))
    return "%02x%02x%02x%02x%02x" % (b[0], b[1], b[2], b[3], b[4])


def next_id(device):
    """The next id for `device` (runtime/device.py), which holds `session` and `seq`."""
    if device.seq >= SEQ_MAX or not device.ids_session:
        device.ids_session, device.seq = new_session(), 0
    device.seq += 1
    return device.id + "-" + device.ids_session + "-" + str(device.seq)
