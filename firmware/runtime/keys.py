# Keys latched at the edge. The pin interrupt does all the deciding, so a press is counted
# the moment it happens, even while the main loop is stalled in a connect, a QoS 1 publish
# or a flash write (on the ESP32 a pin IRQ runs during those waits); the loop only collects
# the count. The handler allocates nothing: it reads ticks and a pin, writes into arrays made
# here. Debounce by quiet time: an edge is a press when the key was quiet for debounce_ms
# before it and was not already down, so contact chatter at the press and at the release
# (both within a few ms of an edge) never counts twice, and a tap of any length counts once.
import time

from machine import Pin

MAX_PENDING = 255         # per key, between two polls; more would be a stuck contact


class Keys:
    def __init__(self, pins, active=0, debounce_ms=30, external=()):
        self.names = list(pins)
        self.active = active
        self.debounce_ms = debounce_ms
        count = len(self.names)
        # presses latched by the handler and presses the loop collected, each array written by
        # one side only (counts mod 256): no lock, and no press lost between a read and a write
        self.latched = bytearray(count)
        self.taken = bytearray(count)
        self.down = bytearray(count)          # the level the handler saw last: 1 = pressed
        self.edge_at = [time.ticks_add(time.ticks_ms(), -debounce_ms)] * count
        self.presses = 0                      # all presses since boot, for the birth and tests
        self.pins = []
        for i in range(count):
            # a key in `external` has its resistor on the board (GPIO34-39 have none inside)
            if self.names[i] in external:
                pin = Pin(pins[self.names[i]], Pin.IN)
            else:
                pin = Pin(pins[self.names[i]], Pin.IN, Pin.PULL_UP if active == 0 else Pin.PULL_DOWN)
            self.down[i] = 1 if pin.value() == active else 0
            pin.irq(trigger=Pin.IRQ_FALLING | Pin.IRQ_RISING, handler=self._handler(i))
            self.pins.append(pin)

    def _handler(self, i):
        keys = self

        def on_edge(pin):
            keys.edge(i, pin)
        return on_edge

    def edge(self, i, pin):
        """Run by key i's pin interrupt at every edge."""
        now = time.ticks_ms()
        # an edge seen while the key was known up is a press even if the level already reads
        # up again (a tap shorter than the IRQ's latency)
        quiet = time.ticks_diff(now, self.edge_at[i]) >= self.debounce_ms
        if quiet and not self.down[i] and ((self.latched[i] - self.taken[i]) & 255) < MAX_PENDING:
            self.latched[i] = (self.latched[i] + 1) & 255
        self.down[i] = 1 if pin.value() == self.active else 0
        self.edge_at[i] = now

    def waiting(self):
        """True when a press is latched and not yet collected (the loop wakes for it)."""
        for i in range(len(self.names)):
            if self.latched[i] != self.taken[i]:
                return True
        return False

    def poll(self):
        """The names of the keys pressed since the last poll, once per press."""
        pressed = None
        for i in range(len(self.names)):
            seen = self.latched[i]
            n = (seen - self.taken[i]) & 255
            if n:
                self.taken[i] = seen          # a press latched after `seen` is collected next poll
                self.presses += n
                pressed = pressed or []
                for _ in range(n):
                    pressed.append(self.names[i])
        return pressed or ()
