"""An end-to-end hall: a real Mosquitto on a free port, the gateway, and simulated devices
running the real firmware. Waits are generous; speed belongs to the benchmarks."""
import os
import signal
import subprocess
import sys

import pytest

from gateway import config
from gateway.mqtt import Gateway
from gateway.store import open_store
from sim.hall import SimHall

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HALL_FILE = os.path.join(REPO, "halls", "example.toml")
WAIT = 20.0
KEEPALIVE = 6          # short, so that liveness and wills act within a test's patience
FEW = {"printer-1", "display-3", "hall-display", "pad-3"}


def stored_events(db):
    with open_store(db) as store:
        return store.load_events()


@pytest.fixture
def hall():
    return config.load(HALL_FILE)


@pytest.fixture
def gateway(mosquitto, hall, tmp_path):
    gw = Gateway.from_files(hall, str(tmp_path / "hall.db"), "127.0.0.1", mosquitto.port)
    assert gw.start(wait=WAIT), "gateway did not come online"
    yield gw
    gw.stop()


@pytest.fixture
def devices(mosquitto, hall, tmp_path):
    sim = SimHall(hall, "127.0.0.1", mosquitto.port, str(tmp_path / "flash"), keepalive=KEEPALIVE,
                  only=FEW)
    sim.start()
    sim.wait_ready(WAIT)
    yield sim
    sim.stop()


class GatewayProcess:
    """The gateway as its own process (`python -m gateway gateway`), so a test can SIGKILL it."""

    def __init__(self, port, db, log_path):
        self.port, self.db, self.log_path = port, db, log_path
        self.proc = None

    def start(self):
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gateway", "gateway", "--hall", HALL_FILE, "--db", self.db,
             "--broker", "127.0.0.1:%d" % self.port], cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        return self

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def log(self):
        with open(self.log_path) as f:
            return f.read()
