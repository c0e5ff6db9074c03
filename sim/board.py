"""The simulated hardware of one device: pins, serial ports, Wi-Fi, flash and power.

The stand-ins in sim/upy (machine, network, umqtt.simple) find the board of the device whose
firmware is running through a thread-local binding, so many devices can run the same
firmware modules in one process. The test side (sim.hall) drives the same objects: it
presses keys, reads what the firmware wrote to a UART, cuts the network, cuts the power.
"""
import os
import threading

_local = threading.local()

# machine.reset_cause() values of the ESP32 port
PWRON_RESET, HARD_RESET, WDT_RESET, DEEPSLEEP_RESET, SOFT_RESET = 1, 2, 3, 4, 5


POWER_UP_RTC_MS = 946684800000   # 2000-01-01 00:00 UTC: where an ESP32's RTC starts after power-up


class PowerOff(BaseException):
    """Raised inside a device's thread when its power is cut. A BaseException, so that the
    firmware's own `except Exception` cannot swallow it, just as code cannot outlive power."""


class Reset(BaseException):
    """Raised inside a device's thread by machine.reset() or the watchdog: the board reboots."""

    def __init__(self, cause):
        BaseException.__init__(self, cause)
        self.cause = cause


def bind(board):
    _local.board = board


def current():
    board = getattr(_local, "board", None)
    if board is None:
        raise RuntimeError("no simulated board is bound to this thread (use sim.hall to run firmware)")
    return board


class PinState:
    """One GPIO as the outside world sees it: a level, and the firmware's interrupt handler."""

    def __init__(self, number):
        self.number = number
        self.level = 1           # inputs float high: keys are pulled up
        self.mode = None
        self.handler = None
        self.trigger = 0
        self.pin = None          # the firmware's machine.Pin, passed to its handler

    def drive(self, level):
        """The world sets an input's level; an edge the firmware asked for runs its handler."""
        old, self.level = self.level, level
        if self.handler is None or old == level:
            return
        falling = old == 1 and level == 0
        if (falling and self.trigger & 1) or (not falling and self.trigger & 2):
            self.handler(self.pin)


class UartState:
    def __init__(self, number):
        self.number = number
        self.written = bytearray()
        self.to_device = bytearray()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            data = bytes(self.written)
            return data


class SimBoard:
    """Everything of one device that outlives its firmware's RAM: flash, wiring, the network."""

    def __init__(self, device_id, flash_dir, rssi=-55):
        self.device_id = device_id
        self.flash_dir = flash_dir
        os.makedirs(flash_dir, exist_ok=True)
        self.pins = {}
        self.uarts = {}
        self.rssi = rssi
        self.net_up = True
        self.power = threading.Event()    # set while powered
        self.power_cut = threading.Event()  # set while unpowered: wakes a sleeping firmware
        self.power_cut.set()
        self.reset_cause = PWRON_RESET
        self.rtc = (0, POWER_UP_RTC_MS)   # (board ms when set, epoch ms set): see rtc_set
        self.sockets = []                 # live stand-in sockets, so a cut can reach them
        self.wdt = None                   # (timeout ms, ticks of last feed) once started
        # what gc.mem_free() reports: a fixed stand-in, NOT a measurement (CPython has no
        # MicroPython heap; tests/firmware/test_heap.py measures the real one)
        self.heap_free = 96000
        self.lock = threading.Lock()
        # clock skew (sim.faults): this board's crystal is off by `skew_offset_ms` plus
        # `skew_ppm` parts per million of the simulated time since `skew_from_ms`
        self.skew_offset_ms = 0
        self.skew_ppm = 0
        self.skew_from_ms = 0

    def clock_skew_ms(self):
        """How far this board's ticks_ms is ahead of the hall's simulated time (sim.clock)."""
        if not self.skew_ppm:
            return self.skew_offset_ms
        from sim.clock import sim_ms    # import here: sim.clock imports this module
        return self.skew_offset_ms + (sim_ms() - self.skew_from_ms) * self.skew_ppm // 1000000

    def pin(self, number):
        with self.lock:
            if number not in self.pins:
                self.pins[number] = PinState(number)
            return self.pins[number]

    def uart(self, number):
        with self.lock:
            if number not in self.uarts:
                self.uarts[number] = UartState(number)
            return self.uarts[number]

    def power_on(self, cause=PWRON_RESET):
        self.reset_cause = cause
        self.wdt = None
        if cause == PWRON_RESET:
            self.rtc_set(POWER_UP_RTC_MS)   # the RTC lost its time with the power
        self.power_cut.clear()
        self.power.set()

    def rtc_set(self, epoch_ms):
        """The RTC (machine.RTC stand-in) reads epoch_ms now and runs on with the board's
        clock, through resets, until the power is cut."""
        from sim.clock import sim_ms    # import here: sim.clock imports this module
        self.rtc = (sim_ms() + self.clock_skew_ms(), epoch_ms)

    def rtc_now_ms(self):
        from sim.clock import sim_ms
        at, value = self.rtc
        return value + sim_ms() + self.clock_skew_ms() - at

    def power_off(self):
        self.power.clear()
        self.power_cut.set()
        for sock in list(self.sockets):
            sock.close_now()

    def check_power(self):
        """Called from the device's own thread at every blocking point."""
        if not self.power.is_set():
            raise PowerOff(self.device_id)

    def cut_network(self):
        self.net_up = False
        for sock in list(self.sockets):
            sock.blackhole()

    def restore_network(self):
        self.net_up = True
        for sock in list(self.sockets):
            if sock.dark:
                sock.close_now()    # the broker now learns that the old connection is gone
