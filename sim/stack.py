"""The infrastructure a simulated run stands on: a broker and a gateway it can kill and
restart, and the simulated devices of the hall.

Broker: Mosquitto when installed (it can be SIGKILLed and restarted on the same port), else
the embedded amqtt broker, or an external one given by the technician (then the simulator
never touches it). Gateway: a child process (sim.gwproc) on the run's simulated clock, so
"gateway killed" is a real SIGKILL; or none, when the technician runs their own.
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

from gateway.store import open_store

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class StackError(RuntimeError):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(host, port, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def mosquitto_binary():
    for path in (shutil.which("mosquitto"), "/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if path and os.path.exists(path):
            return path
    return None


def parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise StackError("broker must be HOST:PORT, got %r" % text)
    return host or "127.0.0.1", int(port)


class Broker:
    """kind: 'mosquitto', 'embedded' or 'external'. Only the first two can be killed."""

    def __init__(self, workdir, external=None, prefer="mosquitto"):
        self.workdir = workdir
        self.proc = None
        self.embedded = None
        if external:
            self.kind = "external"
            self.host, self.port = parse_hostport(external)
        else:
            self.kind = "mosquitto" if prefer == "mosquitto" and mosquitto_binary() else "embedded"
            self.host, self.port = "127.0.0.1", free_port()

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    def start(self):
        if self.kind == "mosquitto":
            self._start_mosquitto()
        elif self.kind == "embedded":
            from gateway.broker import EmbeddedBroker
            self.embedded = EmbeddedBroker(self.host, self.port).start()
            self.port = self.embedded.port
        if not wait_port(self.host, self.port, 15.0):
            raise StackError("no MQTT broker answers at %s" % self.address)
        return self

    def _start_mosquitto(self):
        conf = os.path.join(self.workdir, "mosquitto.conf")
        with open(conf, "w") as f:
            # the queue limits are raised so that a burst after an outage is not dropped
            f.write("listener %d 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_queued_messages 100000\nmax_inflight_messages 0\nmax_keepalive 65535\n" % self.port)
        log = open(os.path.join(self.workdir, "mosquitto.log"), "a")
        self.proc = subprocess.Popen([mosquitto_binary(), "-c", conf], stdout=log, stderr=subprocess.STDOUT)

    def killable(self):
        return self.kind != "external"

    def kill(self):
        """A crash: the process dies with every session and retained message it held."""
        if self.kind == "mosquitto" and self.proc is not None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
            self.proc = None
        elif self.kind == "embedded" and self.embedded is not None:
            self.embedded.stop()
            self.embedded = None
        else:
            raise StackError("the simulator does not own the broker %s: it cannot kill it" % self.address)

    def running(self):
        if self.kind == "mosquitto":
            return self.proc is not None and self.proc.poll() is None
        return self.kind == "external" or self.embedded is not None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None


class GatewayProc:
    """The gateway in a child process on the run's simulated clock (sim.gwproc)."""

    def __init__(self, hall_path, db, broker, timebase, workdir):
        self.hall_path, self.db, self.broker, self.timebase = hall_path, db, broker, timebase
        self.log_path = os.path.join(workdir, "gateway.log")
        self.proc = None
        self.starts = 0

    def start(self):
        anchors = self.timebase.anchors()
        log = open(self.log_path, "a")
        cmd = [sys.executable, "-m", "sim.gwproc", "--hall", self.hall_path, "--db", self.db,
               "--broker", self.broker.address, "--speed", repr(anchors["speed"]),
               "--wall", repr(anchors["wall"]), "--epoch", repr(anchors["epoch"])]
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env)
        self.starts += 1
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def kill(self):
        if self.running():
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    def stop(self):
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""


def store_events(db):
    """The gateway's event log as it stands (read beside the running gateway: SQLite WAL)."""
    if not os.path.exists(db):
        return []
    with open_store(db) as store:
        return store.load_events()
