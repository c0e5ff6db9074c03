"""The infrastructure a simulated run stands on: a broker and a gateway it can kill and
restart, and the simulated devices of the hall.

Broker: Mosquitto when installed (it can be SIGKILLed and restarted on the same port), else
the embedded amqtt broker, or an external one given by the technician (then the simulator
never touches it). Gateway: a child process (sim.gwproc) on the run's simulated clock, so
"gateway killed" is a real SIGKILL; or none, when the technician runs their own.
"""
import os
import sys

from gateway.store import open_store
from sim.processes import REPO, ChildProcess, Mosquitto, free_port, mosquitto_binary, wait_port


class StackError(RuntimeError):
    pass


def parse_hostport(text):
    host, sep, port = text.rpartition(":")
    if not sep or not port.isdigit():
        raise StackError("broker must be HOST:PORT, got %r" % text)
    return host or "127.0.0.1", int(port)


class Broker:
    """kind: 'mosquitto', 'embedded' or 'external'. Only the first two can be killed."""

    def __init__(self, workdir, external=None, prefer="mosquitto"):
        self.workdir = workdir
        self.mosquitto = None
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
        if not wait_port(self.port, self.host, 15.0):
            raise StackError("no MQTT broker answers at %s" % self.address)
        return self

    def _start_mosquitto(self):
        self.mosquitto = Mosquitto(self.port, workdir=self.workdir).start()

    def killable(self):
        return self.kind != "external"

    def kill(self):
        """A crash: the process dies with every session and retained message it held."""
        if self.kind == "mosquitto" and self.mosquitto is not None:
            self.mosquitto.kill()
            self.mosquitto = None
        elif self.kind == "embedded" and self.embedded is not None:
            self.embedded.stop()
            self.embedded = None
        else:
            raise StackError("the simulator does not own the broker %s: it cannot kill it" % self.address)

    def running(self):
        if self.kind == "mosquitto":
            return self.mosquitto is not None and self.mosquitto.running()
        return self.kind == "external" or self.embedded is not None

    def stop(self):
        if self.mosquitto is not None:
            self.mosquitto.stop()
            self.mosquitto = None
        if self.embedded is not None:
            self.embedded.stop()
            self.embedded = None


class GatewayProc(ChildProcess):
    """The gateway in a child process on the run's simulated clock (sim.gwproc)."""

    def __init__(self, hall_path, db, broker, timebase, workdir):
        env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
        ChildProcess.__init__(self, None, os.path.join(workdir, "gateway.log"), env)
        self.hall_path, self.db, self.broker, self.timebase = hall_path, db, broker, timebase
        self.starts = 0

    def command(self):
        anchors = self.timebase.anchors()     # the clock anchors of this start
        return [sys.executable, "-m", "sim.gwproc", "--hall", self.hall_path, "--db", self.db,
                "--broker", self.broker.address, "--speed", repr(anchors["speed"]),
                "--wall", repr(anchors["wall"]), "--epoch", repr(anchors["epoch"])]

    def start(self):
        self.starts += 1
        return ChildProcess.start(self)

    def stop(self, grace_s=15.0):
        ChildProcess.stop(self, grace_s)


def store_events(db):
    """The gateway's event log as it stands (read beside the running gateway: SQLite WAL)."""
    if not os.path.exists(db):
        return []
    with open_store(db) as store:
        return store.load_events()
