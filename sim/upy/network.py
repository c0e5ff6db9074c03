"""Stand-in for MicroPython's `network`: one station interface whose link follows the
simulated board's network (sim.board.SimBoard.net_up)."""
from sim import board as boards

STA_IF, AP_IF = 0, 1
STAT_IDLE, STAT_CONNECTING, STAT_GOT_IP, STAT_NO_AP_FOUND = 1000, 1001, 1010, 201


class WLAN:
    def __init__(self, interface=STA_IF):
        self._board = boards.current()
        self._active = False
        self._ssid = None

    def active(self, flag=None):
        if flag is None:
            return self._active
        self._active = bool(flag)
        return None

    def connect(self, ssid=None, key=None, **_):
        if not self._active:
            raise OSError("Wifi Not Started")
        self._ssid = ssid

    def disconnect(self):
        self._ssid = None

    def isconnected(self):
        return self._active and self._ssid is not None and self._board.net_up

    def status(self, param=None):
        if param == "rssi":
            return self._board.rssi
        if param is not None:
            raise ValueError("unknown status parameter %r" % param)
        if not self._active or self._ssid is None:
            return STAT_IDLE
        return STAT_GOT_IP if self._board.net_up else STAT_NO_AP_FOUND

    def ifconfig(self):
        return ("10.0.0.%d" % (hash(self._board.device_id) % 200 + 20), "255.255.255.0", "10.0.0.1", "10.0.0.1")
