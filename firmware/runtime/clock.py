# Wall-clock time from the gateway. The board's own ticks wrap around, so the clock keeps a
# base that it moves forward every hour instead of one offset for ever.
import time

REBASE_MS = 3600000


class Clock:
    def __init__(self):
        self.base_ms = 0          # ms since the epoch at base_ticks; 0 = never set
        self.base_ticks = time.ticks_ms()

    def set(self, now_s):
        self.base_ms = now_s * 1000
        self.base_ticks = time.ticks_ms()

    def synced(self):
        return self.base_ms > 0

    def now_ms(self):
        """ms since the epoch, or 0 while the gateway has not told the time yet."""
        if not self.base_ms:
            return 0
        ticks = time.ticks_ms()
        elapsed = time.ticks_diff(ticks, self.base_ticks)
        if elapsed > REBASE_MS:
            self.base_ms += elapsed
            self.base_ticks = ticks
            elapsed = 0
        return self.base_ms + elapsed
