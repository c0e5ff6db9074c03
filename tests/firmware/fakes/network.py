# Fake Wi-Fi for the firmware's unit tests: `link_up` is the radio's state.
STA_IF = 0
link_up = [True]


class WLAN:
    def __init__(self, interface=STA_IF):
        self.on = False
        self.asked = 0

    def active(self, flag=None):
        if flag is None:
            return self.on
        self.on = flag

    def connect(self, ssid, key):
        self.asked += 1

    def isconnected(self):
        return self.on and link_up[0]

    def status(self, param=None):
        return -60
