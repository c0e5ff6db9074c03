"""A real Mosquitto for tests: started on a free loopback port, stopped afterwards."""
import os
import shutil
import socket
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on 127.0.0.1:%d after %.0fs" % (port, timeout))


def mosquitto_binary():
    for path in (shutil.which("mosquitto"), "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if path and os.path.exists(path):
            return path
    raise RuntimeError("no mosquitto binary: install it (apt-get install mosquitto) or run 'make test'")


class Mosquitto:
    """One broker process. `extra_conf` lines are appended to the generated config."""

    def __init__(self, port=None, extra_conf=""):
        self.port = port or free_port()
        self.extra_conf = extra_conf
        self.dir = tempfile.mkdtemp(prefix="hm-mosq-")
        self.proc = None

    def start(self):
        conf = os.path.join(self.dir, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 100000\nmax_inflight_messages 0\n" % self.port)
            f.write(self.extra_conf)
        log = open(os.path.join(self.dir, "mosquitto.log"), "w")
        self.proc = subprocess.Popen([mosquitto_binary(), "-c", conf], stdout=log, stderr=subprocess.STDOUT)
        wait_port(self.port)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log(self):
        with open(os.path.join(self.dir, "mosquitto.log")) as f:
            return f.read()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
