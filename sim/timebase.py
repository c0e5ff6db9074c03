"""One simulated time for the whole run: devices, gateway and population read the same clock.

Devices read sim.clock (ticks scaled by the speed factor). The gateway reads wall-clock
seconds; it gets `Timebase.gateway_clock()`, the hall's simulated wall time, so ticket times,
rating timeouts and service hours all run at the same speed as the firmware. A gateway in
another process rebuilds the same clock from the anchors (see `anchors()`), because
time.time() is shared between processes while time.monotonic() is not.
"""
import datetime
import time

from sim import clock


class Timebase:
    def __init__(self, speed=1.0, day_start=None):
        """`day_start`: the simulated wall time (s since the epoch) at sim time 0; default now."""
        clock.set_speed(speed)
        self.speed = float(speed)
        self.anchor_sim_ms = clock.sim_ms()
        self.anchor_wall = time.time()
        self.epoch = float(day_start) if day_start is not None else self.anchor_wall - self.anchor_sim_ms / 1000.0

    def sim_s(self):
        """Simulated seconds since the start of the run."""
        return (clock.sim_ms() - self.anchor_sim_ms) / 1000.0

    def now(self):
        """The hall's simulated wall time, seconds since the epoch."""
        return self.epoch + self.sim_s()

    def gateway_clock(self):
        return self.now

    def anchors(self):
        """What another process needs to compute now(): see wall_clock()."""
        return {"speed": self.speed, "wall": self.anchor_wall, "epoch": self.epoch}

    def sleep_sim(self, seconds):
        """Sleep for simulated seconds (the population's waits)."""
        if seconds > 0:
            time.sleep(seconds / self.speed)

    def real_s(self, sim_seconds):
        return sim_seconds / self.speed


def wall_clock(speed, wall, epoch):
    """The Timebase.now of another process, from its anchors."""
    def now():
        return epoch + (time.time() - wall) * speed
    return now


def day_start_epoch(date_text, hhmm, utc_offset_s):
    """'2026-03-02', '08:00' in the hall's local time -> seconds since the epoch."""
    day = datetime.datetime.strptime(date_text + " " + hhmm, "%Y-%m-%d %H:%M")
    return day.replace(tzinfo=datetime.timezone.utc).timestamp() - utc_offset_s


def local_hhmm(epoch_s, utc_offset_s):
    return datetime.datetime.fromtimestamp(epoch_s + utc_offset_s, tz=datetime.timezone.utc).strftime("%H:%M:%S")
