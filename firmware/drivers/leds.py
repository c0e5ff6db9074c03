# Status LEDs: on, off, or blinking for a while, driven from the main loop.
import time

from machine import Pin


class Leds:
    def __init__(self, pins):
        self.pins = {}
        self.blink_until = {}
        for name in pins:
            self.pins[name] = Pin(pins[name], Pin.OUT, value=0)

    def set(self, name, on):
        if name in self.pins:
            self.blink_until.pop(name, None)
            self.pins[name].value(1 if on else 0)

    def blink(self, name, ms):
        if name in self.pins:
            self.blink_until[name] = time.ticks_add(time.ticks_ms(), ms)

    def tick(self):
        now = time.ticks_ms()
        for name in list(self.blink_until):
            left = time.ticks_diff(self.blink_until[name], now)
            if left <= 0:
                del self.blink_until[name]
                self.pins[name].value(0)
            else:
                self.pins[name].value((left // 250) & 1)
