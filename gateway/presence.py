"""Device presence, in memory: who is online, on which firmware, with how much heap and signal.

A device's last-will carries the boot session it was set in; when a device reboots quickly,
its new birth can reach us before the broker publishes the old session's will. Such a will
is older than the birth we have and is ignored, so the device does not look offline.
"""
from dataclasses import dataclass


@dataclass
class Presence:
    online: bool = False
    ses: int = -1
    kind: str = ""
    fw: str = ""
    board: str = ""
    heap: int | None = None
    rssi: int | None = None
    rst: str = ""
    err: str = ""                      # the latest failure the device contained (its birth's err)
    where: str = ""
    last_birth: float | None = None    # gateway time of the latest birth seen
    last_change: float | None = None


class Fleet:
    def __init__(self):
        self.devices = {}    # device id -> Presence

    def get(self, device_id):
        return self.devices.setdefault(device_id, Presence())

    def birth(self, device_id, msg, now):
        """Record a birth; a birth always wins (a re-flashed device restarts its counter)."""
        p = self.get(device_id)
        p.online, p.ses, p.last_birth, p.last_change = True, msg["ses"], now, now
        p.kind = str(msg.get("kind", p.kind))
        p.fw = str(msg.get("fw", p.fw))
        p.board = str(msg.get("board", p.board))
        p.rst = str(msg.get("rst", p.rst))
        p.err, p.where = str(msg.get("err", "")), str(msg.get("where", ""))
        p.heap = _number(msg.get("heap"), p.heap)
        p.rssi = _number(msg.get("rssi"), p.rssi)
        return p

    def will(self, device_id, msg, now):
        """Record a last-will; False (and nothing changes) when it is from an older session."""
        p = self.get(device_id)
        if p.last_birth is not None and msg["ses"] < p.ses:
            return False
        p.online, p.ses, p.last_change = False, msg["ses"], now
        return True

    def online(self):
        return sorted(d for d, p in self.devices.items() if p.online)


def _number(value, default):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    return value
