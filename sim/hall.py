"""A whole simulated hall: every device of a hall config, each running the real firmware,
against a broker. Tests, the demo and `hallmesh sim` build on this.

    hall = SimHall(config.load("halls/example.toml"), "127.0.0.1", port, "/tmp/flash")
    hall.start()
    hall["printer-1"].press("k1")
    hall.wait_until(lambda: hall["printer-1"].tickets(), 10, "a ticket from printer-1")
    hall.stop()
"""
import os
import time

from sim.device import SimDevice, board_spec


class SimTimeout(AssertionError):
    pass


def device_config(hall_id, device, host, port, keepalive=30, poll_ms=50, broker_auth=None):
    """config.json of one device, as enrolment and flash.sh would write it."""
    broker = {"host": host, "port": port}
    if broker_auth:
        broker["user"], broker["password"] = broker_auth
    return {"id": device.id, "hall": hall_id, "kind": device.kind,
            "wifi": {"ssid": "sim-" + hall_id, "key": "sim"}, "broker": broker,
            "keepalive": keepalive, "poll_ms": poll_ms}


class SimHall:
    def __init__(self, hall, host, port, flash_root, keepalive=30, poll_ms=50, only=None, extra=None,
                 credentials=None):
        """`extra`: more config.json fields for every device (e.g. wdt_ms in accelerated time);
        `credentials`: device id -> (user, password) for a broker that checks them."""
        self.hall = hall
        self.devices = {}
        for dev in hall.devices.values():
            if only is not None and dev.id not in only:
                continue
            cfg = device_config(hall.id, dev, host, port, keepalive, poll_ms, (credentials or {}).get(dev.id))
            cfg.update(extra or {})
            self.devices[dev.id] = SimDevice(cfg, os.path.join(flash_root, dev.id), board_spec(dev.board))

    def __getitem__(self, device_id):
        try:
            return self.devices[device_id]
        except KeyError:
            raise KeyError("no simulated device %r in hall %s" % (device_id, self.hall.id))

    def start(self):
        for dev in self.devices.values():
            dev.start()
        return self

    def stop(self, wait_s=60.0):
        """Cut every device's power at once, then wait for their threads: one slow device
        must not leave the others running (a hall of hundreds on a loaded machine)."""
        for dev in self.devices.values():
            dev.board.power_off()
        deadline = time.monotonic() + wait_s
        stuck = []
        for dev in self.devices.values():
            if dev.thread is not None:
                dev.thread.join(max(0.0, deadline - time.monotonic()))
                if dev.thread.is_alive():
                    stuck.append(dev.id)
        if stuck:
            raise RuntimeError("%d device(s) did not stop within %.0f s of the power cut: %s"
                               % (len(stuck), wait_s, ", ".join(stuck[:5])))

    def wait_ready(self, timeout=30.0):
        """Until every device's status LED is steady on: connected, with the gateway online."""
        for dev in self.devices.values():
            self.wait_until(dev.in_service, timeout, "%s to be in service (status LED on)" % dev.id)
        return self

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @staticmethod
    def wait_until(predicate, timeout, what, seen=None, step=0.05):
        """Poll predicate until truthy (returned); SimTimeout naming what was awaited and,
        when `seen` is given, what was there instead."""
        deadline = time.monotonic() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if time.monotonic() >= deadline:
                detail = " (seen: %r)" % (seen(),) if seen else ""
                raise SimTimeout("waited %.0f s for %s%s" % (timeout, what, detail))
            time.sleep(step)
