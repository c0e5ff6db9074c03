"""An end-to-end hall: a real Mosquitto on a free port, the gateway, and simulated devices
running the real firmware. Waits are generous; speed belongs to the benchmarks."""
import os
import sys

import pytest

from gateway import config
from gateway.mqtt import Gateway
from gateway.store import open_store
from sim.hall import SimHall
from sim.processes import ChildProcess

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


class GatewayProcess(ChildProcess):
    """The gateway as its own process (`python -m gateway gateway`), so a test can SIGKILL it."""

    def __init__(self, port, db, log_path):
        ChildProcess.__init__(self, [sys.executable, "-m", "gateway", "gateway", "--hall", HALL_FILE, "--db", db,
                                     "--broker", "127.0.0.1:%d" % port], log_path)
