# Debounced keys. The pin interrupt only marks the key and notes the time (no allocation is
# allowed in an interrupt handler); the main loop decides, once the contacts have settled,
# whether it was a press. A key reports once per press and must be released before the next.
import time

from machine import Pin

IDLE, SETTLING, HELD = 0, 1, 2


class Keys:
    def __init__(self, pins, active=0, debounce_ms=40, external=()):
        self.names = list(pins)
        self.active = active
        self.debounce_ms = debounce_ms
        self.state = bytearray(len(self.names))
        self.since = [time.ticks_ms()] * len(self.names)
        self.pins = []
        trigger = Pin.IRQ_FALLING if active == 0 else Pin.IRQ_RISING
        for i in range(len(self.names)):
            # a key in `external` has its resistor on the board (GPIO34-39 have none inside)
            if self.names[i] in external:
                pin = Pin(pins[self.names[i]], Pin.IN)
            else:
                pin = Pin(pins[self.names[i]], Pin.IN, Pin.PULL_UP if active == 0 else Pin.PULL_DOWN)
            pin.irq(trigger=trigger, handler=self._handler(i))
            self.pins.append(pin)

    def _handler(self, i):
        state, since = self.state, self.since

        def on_edge(pin):
            if state[i] == IDLE:
                state[i] = SETTLING
                since[i] = time.ticks_ms()
        return on_edge

    def poll(self):
        """The names of keys whose press has settled since the last poll."""
        pressed = None
        now = time.ticks_ms()
        for i in range(len(self.names)):
            st = self.state[i]
            if st == SETTLING and time.ticks_diff(now, self.since[i]) >= self.debounce_ms:
                down = self.pins[i].value() == self.active
                self.state[i] = HELD if down else IDLE
                if down:
                    pressed = pressed or []
                    pressed.append(self.names[i])
            elif st == HELD and self.pins[i].value() != self.active:
                self.state[i] = IDLE
        return pressed or ()
