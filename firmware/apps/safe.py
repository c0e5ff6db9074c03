# Safe mode: the app that runs after too many failed boots (runtime/bootguard.py). It has no
# keys and drives no part; the status LED blinks slowly so a technician sees it, and the
# device stays reachable for the `config` and `reboot` commands.
import time

from apps.base import App


class Safe(App):
    def __init__(self, device):
        App.__init__(self, device, keys=False)   # nothing of the app's own runs here
        self.since = time.ticks_ms()

    def tick(self):
        self.leds.set("status", (time.ticks_diff(time.ticks_ms(), self.since) // 1000) & 1)
